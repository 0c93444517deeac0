/*
 * The canvas every video sink receives: one YUV 4:2:0 picture in full range,
 * black where no source is, with a label box drawn over each picture for the
 * sinks that show pixels only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "play.h"
#include "xmalloc.h"

#define LABEL_MARGIN	4	/* pixels between the label and its edges */

static void	canvas_box(struct canvas *, int, int, int, int);

/* The caller owns the canvas and frees it with canvas_free. */
struct canvas *
canvas_new(int w, int h)
{
	struct canvas	*c;

	c = xcalloc(1, sizeof *c);
	c->w = (w + 1) & ~1;
	c->h = (h + 1) & ~1;
	c->stride[0] = c->w;
	c->stride[1] = c->stride[2] = c->w / 2;
	c->plane[0] = xmalloc((size_t)c->w * c->h);
	c->plane[1] = xmalloc((size_t)c->w * c->h / 4);
	c->plane[2] = xmalloc((size_t)c->w * c->h / 4);
	canvas_clear(c);
	return c;
}

void
canvas_free(struct canvas *c)
{
	if (c == NULL)
		return;
	free(c->plane[0]);
	free(c->plane[1]);
	free(c->plane[2]);
	free(c);
}

/* Black: luma 0 and neutral chroma in full range. */
void
canvas_clear(struct canvas *c)
{
	memset(c->plane[0], 0, (size_t)c->w * c->h);
	memset(c->plane[1], 128, (size_t)c->w * c->h / 4);
	memset(c->plane[2], 128, (size_t)c->w * c->h / 4);
}

/* A dark grey box with neutral chroma, clipped to the canvas. */
static void
canvas_box(struct canvas *c, int x, int y, int w, int h)
{
	int	row, x1, y1;

	x &= ~1;
	y &= ~1;
	x1 = x + w > c->w ? c->w : x + w;
	y1 = y + h > c->h ? c->h : y + h;
	if (x < 0 || y < 0 || x1 <= x || y1 <= y)
		return;
	for (row = y; row < y1; row++)
		memset(c->plane[0] + (size_t)row * c->stride[0] + x, 16,
		    (size_t)(x1 - x));
	for (row = y / 2; row < (y1 + 1) / 2; row++) {
		memset(c->plane[1] + (size_t)row * c->stride[1] + x / 2, 128,
		    (size_t)((x1 + 1) / 2 - x / 2));
		memset(c->plane[2] + (size_t)row * c->stride[2] + x / 2, 128,
		    (size_t)((x1 + 1) / 2 - x / 2));
	}
}

/*
 * Label a picture in its top left corner: white text on a dark box, larger
 * on larger pictures so it stays readable, shortened to fit the picture.
 */
void
canvas_label(struct canvas *c, const struct grid_rect *pic, const char *text)
{
	char	buf[128];
	int	scale, tw, th, bw;
	size_t	n;

	if (text == NULL || *text == '\0')
		return;
	scale = pic->h >= 540 ? 3 : pic->h >= 200 ? 2 : 1;
	snprintf(buf, sizeof buf, "%s", text);
	n = strlen(buf);
	while (n > 0 && font_text_width(buf, scale) + 4 * LABEL_MARGIN >
	    pic->w)
		buf[--n] = '\0';
	if (n == 0)
		return;
	tw = font_text_width(buf, scale);
	th = FONT_H * scale;
	bw = tw + 2 * LABEL_MARGIN;
	canvas_box(c, pic->x + LABEL_MARGIN, pic->y + LABEL_MARGIN, bw,
	    th + 2 * LABEL_MARGIN);
	font_draw(c->plane[0], c->stride[0], c->w, c->h,
	    pic->x + 2 * LABEL_MARGIN, pic->y + 2 * LABEL_MARGIN, buf, scale);
}
