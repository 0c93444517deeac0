/*
 * The sources of a video stream.  Each JPEG names its source in the meet tag
 * (untagged JPEGs, as ffmpeg writes them, are one source); a source keeps its
 * latest decoded picture until the grid is composited, and leaves the grid
 * when it has sent nothing for PLAY_LEAVE_USEC on the program's clock.
 *
 * A source whose picture has not been shown yet meets a newer one in one of
 * two ways.  Live frames (tagged with a capture time close to now) replace
 * it, so a stream faster than the output rate keeps real time and the drop
 * is counted.  Other frames, a file piped in faster than real time, wait for
 * the next output frame, so a file plays at the output rate with every frame.
 *
 * A recording's tracks are sources too, found by a key the caller gives
 * (the track), labelled as the caller says (a reserved track takes its
 * participant's name while it plays), and given at their time on the
 * caller's clock (sources_put): there nothing waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libswscale/swscale.h>
#include <libavutil/pixfmt.h>
#include <turbojpeg.h>

#include "log.h"
#include "mjpeg.h"
#include "play.h"
#include "xmalloc.h"

#define SOURCES_MAX	256		/* sources remembered at once */
#define LIVE_USEC	2000000		/* a tag this close to now is live */

/* A decoded picture in the JPEG's own subsampling; owns buf. */
struct picture {
	uint8_t			*buf;
	size_t			 size;
	uint8_t			*plane[3];
	int			 stride[3];
	int			 w;
	int			 h;
	enum AVPixelFormat	 fmt;
};

struct source {
	char		 name[MJPEG_TAG_NAME];	/* what finds it */
	char		 label[MJPEG_TAG_NAME];	/* what the grid shows */
	uint64_t	 seq;		/* order of arrival, for tile order */
	uint64_t	 last;		/* program clock of the last frame */
	int		 unshown;	/* pic has not been composited yet */
	int		 have;		/* pic holds a picture */
	struct picture	 pic;

	struct SwsContext *sws;
	int		 sws_key[5];	/* src w, h, fmt, dst w, h */

	/* Counters for -V, the period ones reset at each report. */
	uint64_t	 frames;
	uint64_t	 drops;
	uint64_t	 period_frames;
	uint64_t	 lat_sum;
	uint64_t	 lat_n;
	uint64_t	 lat_max;
};

struct sources {
	struct source	*list[SOURCES_MAX];
	int		 n;
	uint64_t	 seq;
	tjhandle	 tj;
	struct picture	 scratch;	/* decoded into, then swapped in */
	struct sources_stats stats;
};

static struct source *sources_find(struct sources *, const char *,
		    uint64_t);
static void	sources_remove(struct sources *, int);
static int	sources_decode(struct sources *, const uint8_t *, size_t);
static int	sources_take(struct sources *, struct source *,
		    const uint8_t *, size_t, uint64_t);
static void	sources_draw(struct source *, struct canvas *,
		    const struct grid_rect *);
static int	sources_by_last(const void *, const void *);
static int	sources_by_seq(const void *, const void *);

struct sources *
sources_new(void)
{
	struct sources	*s;

	s = xcalloc(1, sizeof *s);
	if ((s->tj = tjInitDecompress()) == NULL)
		fatalx("TurboJPEG: %s", tjGetErrorStr2(NULL));
	return s;
}

void
sources_free(struct sources *s)
{
	if (s == NULL)
		return;
	while (s->n > 0)
		sources_remove(s, s->n - 1);
	tjDestroy(s->tj);
	free(s->scratch.buf);
	free(s);
}

const struct sources_stats *
sources_stats(const struct sources *s)
{
	return &s->stats;
}

/* The source with this name, made when new; the least active one goes. */
static struct source *
sources_find(struct sources *s, const char *name, uint64_t now)
{
	struct source	*src;
	int		 i, oldest = 0;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->list[i]->name, name) == 0)
			return s->list[i];
		if (s->list[i]->last < s->list[oldest]->last)
			oldest = i;
	}
	if (s->n == SOURCES_MAX)
		sources_remove(s, oldest);
	src = xcalloc(1, sizeof *src);
	snprintf(src->name, sizeof src->name, "%s", name);
	snprintf(src->label, sizeof src->label, "%s", name);
	src->seq = s->seq++;
	src->last = now;
	s->list[s->n++] = src;
	log_debug("source %s joined", *name == '\0' ? "(untagged)" : name);
	return src;
}

static void
sources_remove(struct sources *s, int i)
{
	struct source	*src = s->list[i];

	log_debug("source %s left", *src->name == '\0' ? "(untagged)" :
	    src->name);
	sws_freeContext(src->sws);
	free(src->pic.buf);
	free(src);
	memmove(&s->list[i], &s->list[i + 1],
	    (size_t)(s->n - i - 1) * sizeof s->list[0]);
	s->n--;
}

/* Decode into the scratch picture; 0, or -1 when the JPEG is no good. */
static int
sources_decode(struct sources *s, const uint8_t *jpeg, size_t len)
{
	struct picture	*p = &s->scratch;
	int		 w, h, samp, cs, i, ncomp;
	size_t		 size, off, psize[3];

	if (len > MJPEG_MAX_FRAME || tjDecompressHeader3(s->tj, jpeg,
	    (unsigned long)len, &w, &h, &samp, &cs) != 0)
		goto bad;
	if (w <= 0 || h <= 0 || w > PLAY_MAX_SIZE || h > PLAY_MAX_SIZE ||
	    cs == TJCS_CMYK || cs == TJCS_YCCK)
		goto bad;
	switch (samp) {
	case TJSAMP_444:
		p->fmt = AV_PIX_FMT_YUV444P;
		break;
	case TJSAMP_422:
		p->fmt = AV_PIX_FMT_YUV422P;
		break;
	case TJSAMP_420:
		p->fmt = AV_PIX_FMT_YUV420P;
		break;
	case TJSAMP_GRAY:
		p->fmt = AV_PIX_FMT_GRAY8;
		break;
	case TJSAMP_440:
		p->fmt = AV_PIX_FMT_YUV440P;
		break;
	case TJSAMP_411:
		p->fmt = AV_PIX_FMT_YUV411P;
		break;
	default:
		goto bad;
	}
	ncomp = samp == TJSAMP_GRAY ? 1 : 3;
	size = 0;
	for (i = 0; i < ncomp; i++) {
		p->stride[i] = tjPlaneWidth(i, w, samp);
		psize[i] = tjPlaneSizeYUV(i, w, p->stride[i], h, samp);
		if (p->stride[i] <= 0 || psize[i] == (size_t)-1)
			goto bad;
		size += psize[i];
	}
	if (size > p->size) {
		free(p->buf);
		p->buf = xmalloc(size);
		p->size = size;
	}
	off = 0;
	for (i = 0; i < 3; i++) {
		if (i < ncomp) {
			p->plane[i] = p->buf + off;
			off += psize[i];
		} else {
			p->plane[i] = NULL;
			p->stride[i] = 0;
		}
	}
	p->w = w;
	p->h = h;
	if (tjDecompressToYUVPlanes(s->tj, jpeg, (unsigned long)len, p->plane,
	    w, p->stride, h, TJFLAG_STOPONWARNING) != 0)
		goto bad;
	return 0;

bad:
	s->stats.bad++;
	if (log_getverbose() > 0)
		log_warnx("bad JPEG (%zu bytes): %s", len,
		    tjGetErrorStr2(s->tj));
	return -1;
}

/*
 * Offer one JPEG from the stream: SOURCES_TAKEN when it was used or thrown
 * away, SOURCES_HOLD when it must wait for the next output frame.
 */
int
sources_offer(struct sources *s, const uint8_t *jpeg, size_t len,
    uint64_t now)
{
	struct source	*src;
	char		 name[MJPEG_TAG_NAME];
	uint64_t	 ts, real;
	int		 tagged, live;

	tagged = mjpeg_tag_get(jpeg, len, name, sizeof name, &ts) == 0;
	if (!tagged) {
		name[0] = '\0';
		ts = 0;
	}
	real = now_usec();
	live = tagged && (ts > real ? ts - real : real - ts) < LIVE_USEC;
	src = sources_find(s, name, now);
	if (src->unshown && !live)
		return SOURCES_HOLD;
	if (sources_take(s, src, jpeg, len, now) == -1)
		return SOURCES_TAKEN;
	if (tagged && real >= ts) {
		src->lat_sum += real - ts;
		src->lat_n++;
		if (real - ts > src->lat_max)
			src->lat_max = real - ts;
	}
	return SOURCES_TAKEN;
}

/*
 * A JPEG of the source the caller calls key (a recording's track), shown
 * with label, at now on the caller's clock (a recording's time line):
 * decoded and made the source's picture at once, since the caller keeps
 * the time.  0, or -1 when the JPEG does not decode.
 */
int
sources_put(struct sources *s, const char *key, const char *label,
    const uint8_t *jpeg, size_t len, uint64_t now)
{
	struct source	*src;
	char		 buf[MJPEG_TAG_NAME];

	/* Cut as sources_find keeps it, so the key finds it again. */
	snprintf(buf, sizeof buf, "%s", key);
	src = sources_find(s, buf, now);
	snprintf(src->label, sizeof src->label, "%s", label);
	return sources_take(s, src, jpeg, len, now);
}

/* Decode a JPEG into a source's picture; 0, or -1 when it is no good. */
static int
sources_take(struct sources *s, struct source *src, const uint8_t *jpeg,
    size_t len, uint64_t now)
{
	struct picture	tmp;

	if (sources_decode(s, jpeg, len) == -1)
		return -1;
	tmp = src->pic;
	src->pic = s->scratch;
	s->scratch = tmp;
	if (src->unshown) {
		src->drops++;
		s->stats.drops++;
	}
	src->have = 1;
	src->unshown = 1;
	src->last = now;
	src->frames++;
	src->period_frames++;
	s->stats.frames++;
	return 0;
}

/* Sources that sent nothing for PLAY_LEAVE_USEC leave; 1 when any did. */
int
sources_expire(struct sources *s, uint64_t now)
{
	int	i, left = 0;

	for (i = s->n - 1; i >= 0; i--) {
		/* A clock given by the caller may be behind a frame's. */
		if (now > s->list[i]->last &&
		    now - s->list[i]->last > PLAY_LEAVE_USEC) {
			sources_remove(s, i);
			left = 1;
		}
	}
	return left;
}

/* Whether a source has a picture that no output frame has shown. */
int
sources_unshown(const struct sources *s)
{
	int	i;

	for (i = 0; i < s->n; i++) {
		if (s->list[i]->unshown)
			return 1;
	}
	return 0;
}

static int
sources_by_last(const void *a, const void *b)
{
	const struct source	*sa = *(struct source *const *)a;
	const struct source	*sb = *(struct source *const *)b;

	if (sa->last != sb->last)
		return sa->last > sb->last ? -1 : 1;
	return sa->seq < sb->seq ? -1 : 1;
}

static int
sources_by_seq(const void *a, const void *b)
{
	const struct source	*sa = *(struct source *const *)a;
	const struct source	*sb = *(struct source *const *)b;

	if (sa->seq == sb->seq)
		return 0;
	return sa->seq < sb->seq ? -1 : 1;
}

/* Scale a source's picture into its place on the canvas. */
static void
sources_draw(struct source *src, struct canvas *c, const struct grid_rect *r)
{
	struct picture	*p = &src->pic;
	const uint8_t	*srcp[4];
	uint8_t		*dst[4];
	int		 srcs[4], dsts[4];
	int		 key[5] = { p->w, p->h, (int)p->fmt, r->w, r->h };
	const int	*coef;

	if (src->sws == NULL || memcmp(key, src->sws_key, sizeof key) != 0) {
		sws_freeContext(src->sws);
		src->sws = sws_getContext(p->w, p->h, p->fmt, r->w, r->h,
		    AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
		if (src->sws == NULL)
			return;
		/* JPEG pictures and the canvas are both in full range. */
		coef = sws_getCoefficients(SWS_CS_ITU601);
		sws_setColorspaceDetails(src->sws, coef, 1, coef, 1, 0,
		    1 << 16, 1 << 16);
		memcpy(src->sws_key, key, sizeof key);
	}
	srcp[0] = p->plane[0];
	srcp[1] = p->plane[1];
	srcp[2] = p->plane[2];
	srcp[3] = NULL;
	srcs[0] = p->stride[0];
	srcs[1] = p->stride[1];
	srcs[2] = p->stride[2];
	srcs[3] = 0;
	dst[0] = c->plane[0] + (size_t)r->y * c->stride[0] + r->x;
	dst[1] = c->plane[1] + (size_t)(r->y / 2) * c->stride[1] + r->x / 2;
	dst[2] = c->plane[2] + (size_t)(r->y / 2) * c->stride[2] + r->x / 2;
	dst[3] = NULL;
	dsts[0] = c->stride[0];
	dsts[1] = c->stride[1];
	dsts[2] = c->stride[2];
	dsts[3] = 0;
	sws_scale(src->sws, srcp, srcs, 0, p->h, dst, dsts);
}

/*
 * Composite the grid: the PLAY_MAX_TILES most recently active sources, in
 * the order they arrived so tiles do not move about, each scaled into its
 * cell with its aspect kept.  The tiles are written to tiles (their labels
 * point into the sources, valid until the next call that takes a frame);
 * returns their number.  Labels are drawn into the pixels unless the sink
 * draws them as text.
 */
int
sources_compose(struct sources *s, struct canvas *c, int draw_labels,
    struct grid_tile *tiles)
{
	struct source		*vis[SOURCES_MAX];
	struct grid_rect	 cells[PLAY_MAX_TILES];
	int			 i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (s->list[i]->have)
			vis[n++] = s->list[i];
	}
	qsort(vis, (size_t)n, sizeof vis[0], sources_by_last);
	if (n > PLAY_MAX_TILES)
		n = PLAY_MAX_TILES;
	qsort(vis, (size_t)n, sizeof vis[0], sources_by_seq);

	canvas_clear(c);
	n = grid_layout(n, c->w, c->h, cells);
	for (i = 0; i < n; i++) {
		tiles[i].cell = cells[i];
		grid_fit(&cells[i], vis[i]->pic.w, vis[i]->pic.h,
		    &tiles[i].pic);
		tiles[i].label = vis[i]->label;
		sources_draw(vis[i], c, &tiles[i].pic);
		if (draw_labels)
			canvas_label(c, &tiles[i].pic, vis[i]->label);
		vis[i]->unshown = 0;
	}
	/* A source off the grid waits for nobody. */
	for (i = 0; i < s->n; i++)
		s->list[i]->unshown = 0;
	return n;
}

/* Per-source frame rate and glass-to-glass latency since the last report. */
void
sources_report(struct sources *s, uint64_t elapsed)
{
	struct source	*src;
	const char	*name;
	int		 i;

	if (elapsed == 0)
		return;
	for (i = 0; i < s->n; i++) {
		src = s->list[i];
		name = *src->label == '\0' ? "(untagged)" : src->label;
		if (src->lat_n > 0) {
			log_info("%s: %.1f fps, latency %.1f ms (max %.1f ms), "
			    "%llu frames, %llu dropped", name,
			    src->period_frames * 1e6 / elapsed,
			    src->lat_sum / 1e3 / src->lat_n,
			    src->lat_max / 1e3,
			    (unsigned long long)src->frames,
			    (unsigned long long)src->drops);
		} else {
			log_info("%s: %.1f fps, %llu frames, %llu dropped",
			    name, src->period_frames * 1e6 / elapsed,
			    (unsigned long long)src->frames,
			    (unsigned long long)src->drops);
		}
		src->period_frames = 0;
		src->lat_sum = src->lat_n = src->lat_max = 0;
	}
}
