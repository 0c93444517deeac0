/*
 * The mjpeg sink: each composited grid as a baseline JPEG (TurboJPEG, 4:2:0
 * straight from the canvas's planes), back to back, as ffmpeg -f mjpeg reads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "play.h"
#include "xmalloc.h"

#define MJPEG_QUALITY	85

struct mjpeg_out {
	int		 fd;
	int		 width;
	int		 height;
	tjhandle	 tj;
	unsigned char	*buf;		/* tjAlloc'd, tjBufSize large */
	unsigned long	 size;
};

static int	mjpeg_open(void **, const char *, const struct vout_params *,
		    char **);
static void	mjpeg_size(void *, int *, int *);
static int	mjpeg_frame(void *, const struct canvas *,
		    const struct grid_tile *, int, int);
static void	mjpeg_close(void *);

const struct vout_sink out_mjpeg_sink = {
	.name = "mjpeg",
	.takes_path = 1,
	.text_labels = 0,
	.timed = 1,
	.open = mjpeg_open,
	.size = mjpeg_size,
	.frame = mjpeg_frame,
	.text = NULL,
	.close = mjpeg_close,
};

static int
mjpeg_open(void **state, const char *path, const struct vout_params *vp,
    char **cause)
{
	struct mjpeg_out	*m = NULL;
	int			 rc = -1;

	if (path == NULL || *path == '\0') {
		*cause = xstrdup("mjpeg needs a path (mjpeg:PATH, - for "
		    "stdout)");
		goto out;
	}
	m = xcalloc(1, sizeof *m);
	m->fd = -1;
	m->width = vp->width;
	m->height = vp->height;
	if ((m->tj = tjInitCompress()) == NULL) {
		xasprintf(cause, "TurboJPEG: %s", tjGetErrorStr2(NULL));
		goto out;
	}
	if ((m->fd = out_open_path(path, cause)) == -1)
		goto out;
	*state = m;
	rc = 0;
out:
	if (rc == -1 && m != NULL) {
		if (m->tj != NULL)
			tjDestroy(m->tj);
		free(m);
	}
	return rc;
}

static void
mjpeg_size(void *state, int *w, int *h)
{
	struct mjpeg_out	*m = state;

	*w = m->width;
	*h = m->height;
}

static int
mjpeg_frame(void *state, const struct canvas *c, const struct grid_tile *tiles,
    int ntiles, int changed)
{
	struct mjpeg_out	*m = state;
	const unsigned char	*planes[3];
	unsigned long		 need, len;

	(void)tiles;
	(void)ntiles;
	(void)changed;
	need = tjBufSize(c->w, c->h, TJSAMP_420);
	if (need > m->size) {
		tjFree(m->buf);
		if ((m->buf = tjAlloc((int)need)) == NULL) {
			m->size = 0;
			errno = ENOMEM;
			return -1;
		}
		m->size = need;
	}
	planes[0] = c->plane[0];
	planes[1] = c->plane[1];
	planes[2] = c->plane[2];
	len = m->size;
	if (tjCompressFromYUVPlanes(m->tj, planes, c->w, c->stride, c->h,
	    TJSAMP_420, &m->buf, &len, MJPEG_QUALITY, TJFLAG_NOREALLOC) != 0) {
		errno = EIO;
		return -1;
	}
	return out_write(m->fd, m->buf, len);
}

static void
mjpeg_close(void *state)
{
	struct mjpeg_out	*m = state;

	out_close_path(m->fd);
	tjFree(m->buf);
	tjDestroy(m->tj);
	free(m);
}
