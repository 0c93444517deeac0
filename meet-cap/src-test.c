/*
 * The "test" video source: a moving pattern with a frame counter and a clock.
 *
 * Everything is drawn directly in planar YUV 4:2:0 and encoded from the
 * planes, so no colour conversion is ever done: scrolling colour bars (one
 * row built per frame and copied down), a bouncing white box, and a black
 * panel with the frame number and the wall clock time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "font.h"
#include "cap.h"
#include "xmalloc.h"

struct test_state {
	struct cap_vparams	 p;
	uint64_t		 frame;
	uint8_t			*y;	/* owned planes, I420 */
	uint8_t			*u;
	uint8_t			*v;
	uint8_t			*yrow;	/* one bar row, twice, to scroll */
	uint8_t			*urow;
	uint8_t			*vrow;
	struct jpegenc		*enc;
};

/* 75% colour bars in BT.601 studio range: white to black. */
static const uint8_t test_bars[8][3] = {
	{ 180, 128, 128 }, { 162, 44, 142 }, { 131, 156, 44 },
	{ 112, 72, 58 }, { 84, 184, 198 }, { 65, 100, 212 },
	{ 35, 212, 114 }, { 16, 128, 128 }
};

static int	test_open(void **, const char *, struct cap_vparams *,
		    char **);
static int	test_next(void *, struct cap_frame *, char **);
static void	test_close(void *);
static void	test_fill(struct test_state *, int, int, int, int, uint8_t,
		    uint8_t, uint8_t);
static void	test_draw(struct test_state *);

const struct cap_video_source cap_video_test = {
	.name = "test",
	.takes_arg = 0,
	.self_paced = 0,
	.open = test_open,
	.next = test_next,
	.close = test_close
};

static int
test_open(void **statep, const char *arg, struct cap_vparams *p,
    char **cause)
{
	struct test_state	*ts;
	int			 x, bar, cw = p->width / 2;

	(void)arg;
	ts = xcalloc(1, sizeof *ts);
	ts->p = *p;
	if ((ts->enc = jpegenc_new(p->width, p->height, p->quality,
	    cause)) == NULL)
		goto out;
	ts->y = xmalloc((size_t)p->width * p->height);
	ts->u = xmalloc((size_t)cw * (p->height / 2));
	ts->v = xmalloc((size_t)cw * (p->height / 2));

	/* Two copies of the bars side by side make scrolling one memcpy. */
	ts->yrow = xmalloc(2 * (size_t)p->width);
	ts->urow = xmalloc(2 * (size_t)cw);
	ts->vrow = xmalloc(2 * (size_t)cw);
	for (x = 0; x < 2 * p->width; x++) {
		bar = (x % p->width) * 8 / p->width;
		ts->yrow[x] = test_bars[bar][0];
		if (x % 2 == 0) {
			ts->urow[x / 2] = test_bars[bar][1];
			ts->vrow[x / 2] = test_bars[bar][2];
		}
	}
	*statep = ts;
	return 0;
out:
	test_close(ts);
	return -1;
}

/* Paint a rectangle in even luma coordinates, with its chroma. */
static void
test_fill(struct test_state *ts, int x0, int y0, int w, int h, uint8_t yv,
    uint8_t uv, uint8_t vv)
{
	int	row, cw = ts->p.width / 2;

	x0 &= ~1;
	y0 &= ~1;
	if (x0 < 0)
		x0 = 0;
	if (y0 < 0)
		y0 = 0;
	if (x0 + w > ts->p.width)
		w = ts->p.width - x0;
	if (y0 + h > ts->p.height)
		h = ts->p.height - y0;
	if (w <= 0 || h <= 0)
		return;
	for (row = y0; row < y0 + h; row++)
		memset(ts->y + (size_t)row * ts->p.width + x0, yv, w);
	for (row = y0 / 2; row < (y0 + h + 1) / 2; row++) {
		memset(ts->u + (size_t)row * cw + x0 / 2, uv, (w + 1) / 2);
		memset(ts->v + (size_t)row * cw + x0 / 2, vv, (w + 1) / 2);
	}
}

static void
test_draw(struct test_state *ts)
{
	struct timespec	 ts_now;
	struct tm	 tm;
	char		 count[32], clock[32];
	int		 w = ts->p.width, h = ts->p.height, cw = w / 2;
	int		 shift, row, box, span, pos, scale, pad, tw, th;

	/* Bars scroll left a few pixels a frame. */
	shift = (int)((ts->frame * 4) % (uint64_t)w) & ~1;
	for (row = 0; row < h; row++)
		memcpy(ts->y + (size_t)row * w, ts->yrow + shift, w);
	for (row = 0; row < h / 2; row++) {
		memcpy(ts->u + (size_t)row * cw, ts->urow + shift / 2, cw);
		memcpy(ts->v + (size_t)row * cw, ts->vrow + shift / 2, cw);
	}

	/* A white box bounces along the lower third. */
	box = h / 6;
	span = w - box;
	pos = span > 0 ? (int)((ts->frame * 8) % (2 * (uint64_t)span)) : 0;
	if (pos > span)
		pos = 2 * span - pos;
	test_fill(ts, pos, h - box - h / 12, box, box, 235, 128, 128);

	/* The frame number and the wall clock on a black panel. */
	clock_gettime(CLOCK_REALTIME, &ts_now);
	localtime_r(&ts_now.tv_sec, &tm);
	snprintf(count, sizeof count, "%08llu",
	    (unsigned long long)ts->frame);
	snprintf(clock, sizeof clock, "%02d:%02d:%02d.%03ld", tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts_now.tv_nsec / 1000000);
	scale = h / 120 > 0 ? h / 120 : 1;
	pad = 2 * scale;
	tw = font_text_width(clock, scale);
	th = 7 * scale;
	test_fill(ts, pad, pad, tw + 2 * pad, 2 * th + 3 * pad, 16, 128, 128);
	font_draw(ts->y, w, w, h, 2 * pad, 2 * pad, count, scale);
	font_draw(ts->y, w, w, h, 2 * pad, 3 * pad + th, clock, scale);
}

static int
test_next(void *state, struct cap_frame *f, char **cause)
{
	struct test_state	*ts = state;
	const uint8_t		*planes[3];
	int			 strides[3];

	test_draw(ts);
	planes[0] = ts->y;
	planes[1] = ts->u;
	planes[2] = ts->v;
	strides[0] = ts->p.width;
	strides[1] = strides[2] = ts->p.width / 2;
	if (jpegenc_planes(ts->enc, planes, strides, f, cause) != 0)
		return -1;
	ts->frame++;
	return 1;
}

static void
test_close(void *state)
{
	struct test_state	*ts = state;

	if (ts == NULL)
		return;
	jpegenc_free(ts->enc);
	free(ts->y);
	free(ts->u);
	free(ts->v);
	free(ts->yrow);
	free(ts->urow);
	free(ts->vrow);
	free(ts);
}
