/*
 * The "file:PATH" video source: an MJPEG file, split into images with the
 * shared splitter and handed out one at a time; main() re-paces them at -r.
 * It ends at the end of the file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "mjpeg.h"
#include "xmalloc.h"

#define MJPEGFILE_CHUNK	65536

struct mjpegfile_image {
	uint8_t			*data;	/* owned */
	size_t			 len;
	struct mjpegfile_image	*next;
};

struct mjpegfile_state {
	char			*path;
	FILE			*f;
	struct mjpeg_splitter	*split;
	/* Images split but not handed out yet, oldest first. */
	struct mjpegfile_image	*head;
	struct mjpegfile_image	*tail;
	struct mjpegfile_image	*current;	/* handed out last */
	int			 eof;
};

static int	mjpegfile_open(void **, const char *, struct cap_vparams *,
		    char **);
static int	mjpegfile_next(void *, struct cap_frame *, char **);
static void	mjpegfile_close(void *);
static void	mjpegfile_image(const uint8_t *, size_t, void *);
static void	mjpegfile_image_free(struct mjpegfile_image *);

const struct cap_video_source cap_video_file = {
	.name = "file",
	.takes_arg = 1,
	.self_paced = 0,
	.open = mjpegfile_open,
	.next = mjpegfile_next,
	.close = mjpegfile_close
};

static int
mjpegfile_open(void **statep, const char *arg, struct cap_vparams *p,
    char **cause)
{
	struct mjpegfile_state	*ms;

	(void)p;
	ms = xcalloc(1, sizeof *ms);
	if (arg == NULL || *arg == '\0') {
		xasprintf(cause, "file: no path given");
		goto out;
	}
	ms->path = xstrdup(arg);
	if ((ms->f = fopen(arg, "rb")) == NULL) {
		xasprintf(cause, "%s: %s", arg, strerror(errno));
		goto out;
	}
	ms->split = mjpeg_splitter_new(0);
	*statep = ms;
	return 0;
out:
	mjpegfile_close(ms);
	return -1;
}

/* The splitter's callback: queue a copy of the image. */
static void
mjpegfile_image(const uint8_t *data, size_t len, void *arg)
{
	struct mjpegfile_state	*ms = arg;
	struct mjpegfile_image	*im;

	im = xcalloc(1, sizeof *im);
	im->data = xmalloc(len);
	memcpy(im->data, data, len);
	im->len = len;
	if (ms->tail != NULL)
		ms->tail->next = im;
	else
		ms->head = im;
	ms->tail = im;
}

static int
mjpegfile_next(void *state, struct cap_frame *f, char **cause)
{
	struct mjpegfile_state	*ms = state;
	uint8_t			 buf[MJPEGFILE_CHUNK];
	size_t			 n;

	mjpegfile_image_free(ms->current);
	ms->current = NULL;
	while (ms->head == NULL && !ms->eof) {
		n = fread(buf, 1, sizeof buf, ms->f);
		if (n == 0) {
			if (ferror(ms->f)) {
				xasprintf(cause, "%s: %s", ms->path,
				    strerror(errno));
				return -1;
			}
			ms->eof = 1;
			break;
		}
		mjpeg_splitter_feed(ms->split, buf, n, mjpegfile_image, ms);
	}
	if (ms->head == NULL)
		return 0;
	ms->current = ms->head;
	if ((ms->head = ms->head->next) == NULL)
		ms->tail = NULL;
	f->data = ms->current->data;
	f->len = ms->current->len;
	return 1;
}

static void
mjpegfile_image_free(struct mjpegfile_image *im)
{
	if (im == NULL)
		return;
	free(im->data);
	free(im);
}

static void
mjpegfile_close(void *state)
{
	struct mjpegfile_state	*ms = state;
	struct mjpegfile_image	*im;

	if (ms == NULL)
		return;
	while ((im = ms->head) != NULL) {
		ms->head = im->next;
		mjpegfile_image_free(im);
	}
	mjpegfile_image_free(ms->current);
	mjpeg_splitter_free(ms->split);
	if (ms->f != NULL)
		fclose(ms->f);
	free(ms->path);
	free(ms);
}
