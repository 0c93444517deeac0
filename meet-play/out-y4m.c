/*
 * The y4m sink: YUV4MPEG2 at a fixed frame rate, full-range 4:2:0 with JPEG
 * chroma siting ("C420jpeg"), which mpv, ffplay and ffmpeg read from a pipe.
 * The header is written with the first frame.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play.h"
#include "xmalloc.h"

struct y4m_state {
	int	 fd;
	int	 width;
	int	 height;
	int	 fps;
	int	 header;	/* the header has been written */
	uint8_t	*buf;		/* one whole frame, written at once */
	size_t	 size;
};

static int	y4m_open(void **, const char *, const struct vout_params *,
		    char **);
static void	y4m_size(void *, int *, int *);
static int	y4m_frame(void *, const struct canvas *,
		    const struct grid_tile *, int, int);
static void	y4m_close(void *);

const struct vout_sink out_y4m_sink = {
	.name = "y4m",
	.takes_path = 1,
	.text_labels = 0,
	.timed = 1,
	.open = y4m_open,
	.size = y4m_size,
	.frame = y4m_frame,
	.text = NULL,
	.close = y4m_close,
};

static int
y4m_open(void **state, const char *path, const struct vout_params *vp,
    char **cause)
{
	struct y4m_state	*y = NULL;
	int			 rc = -1;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("y4m needs a path (y4m:PATH, - for stdout)");
		goto out;
	}
	y = xcalloc(1, sizeof *y);
	y->width = vp->width;
	y->height = vp->height;
	y->fps = vp->fps;
	if ((y->fd = out_open_path(path, cause)) == -1)
		goto out;
	*state = y;
	rc = 0;
out:
	if (rc == -1)
		free(y);
	return rc;
}

static void
y4m_size(void *state, int *w, int *h)
{
	struct y4m_state	*y = state;

	*w = y->width;
	*h = y->height;
}

static int
y4m_frame(void *state, const struct canvas *c, const struct grid_tile *tiles,
    int ntiles, int changed)
{
	struct y4m_state	*y = state;
	char			 hdr[128];
	size_t			 len, need;
	uint8_t			*p;
	int			 i, row, w[3], h[3];

	(void)tiles;
	(void)ntiles;
	(void)changed;
	if (!y->header) {
		len = (size_t)snprintf(hdr, sizeof hdr, "YUV4MPEG2 W%d H%d "
		    "F%d:1 Ip A1:1 C420jpeg XYSCSS=420JPEG XCOLORRANGE=FULL\n",
		    c->w, c->h, y->fps);
		if (out_write(y->fd, hdr, len) == -1)
			return -1;
		y->header = 1;
	}
	w[0] = c->w;
	h[0] = c->h;
	w[1] = w[2] = c->w / 2;
	h[1] = h[2] = c->h / 2;
	need = 6 + (size_t)c->w * c->h * 3 / 2;
	if (need > y->size) {
		free(y->buf);
		y->buf = xmalloc(need);
		y->size = need;
	}
	memcpy(y->buf, "FRAME\n", 6);
	p = y->buf + 6;
	for (i = 0; i < 3; i++) {
		for (row = 0; row < h[i]; row++) {
			memcpy(p, c->plane[i] + (size_t)row * c->stride[i],
			    (size_t)w[i]);
			p += w[i];
		}
	}
	return out_write(y->fd, y->buf, need);
}

static void
y4m_close(void *state)
{
	struct y4m_state	*y = state;

	out_close_path(y->fd);
	free(y->buf);
	free(y);
}
