/*
 * The "file:PATH" audio source: anything libsndfile reads (WAV, FLAC, Ogg),
 * converted to -r and -c when the file differs.  It ends at the end of the
 * file; main() writes what is left and stops.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "cap.h"
#include "xmalloc.h"

#define SNDFILE_CHUNK	4096	/* frames read at once */

struct sndfile_state {
	char			*path;
	SNDFILE			*sf;
	int			 channels;	/* of the file */
	int16_t			*in;		/* owned; SNDFILE_CHUNK */
	struct resampler	*rs;		/* NULL: no conversion */
	struct pcm_fifo		 fifo;		/* output frames */
	int			 eof;
};

static int	sndfile_open(void **, const char *,
		    const struct cap_aparams *, char **);
static long	sndfile_read(void *, int16_t *, size_t, char **);
static void	sndfile_close(void *);
static int	sndfile_fill(struct sndfile_state *, char **);

const struct cap_audio_source cap_audio_file = {
	.name = "file",
	.takes_arg = 1,
	.open = sndfile_open,
	.read = sndfile_read,
	.close = sndfile_close
};

static int
sndfile_open(void **statep, const char *arg, const struct cap_aparams *p,
    char **cause)
{
	struct sndfile_state	*ss;
	SF_INFO			 info;
	int			 fd;

	ss = xcalloc(1, sizeof *ss);
	ss->fifo.channels = p->channels;
	if (arg == NULL || *arg == '\0') {
		xasprintf(cause, "file: no path given");
		goto out;
	}
	ss->path = xstrdup(arg);
	/* open(2) first, so a missing file says so plainly. */
	if ((fd = open(arg, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", arg, strerror(errno));
		goto out;
	}
	memset(&info, 0, sizeof info);
	if ((ss->sf = sf_open_fd(fd, SFM_READ, &info, 1)) == NULL) {
		xasprintf(cause, "%s: %s", arg, sf_strerror(NULL));
		goto out;
	}
	if (info.channels < 1 || info.samplerate < 1) {
		xasprintf(cause, "%s: no audio", arg);
		goto out;
	}
	ss->channels = info.channels;
	ss->in = xreallocarray(NULL, SNDFILE_CHUNK,
	    info.channels * sizeof *ss->in);
	if (info.samplerate != p->rate || info.channels != p->channels) {
		ss->rs = resampler_new(info.samplerate, info.channels,
		    p->rate, p->channels, cause);
		if (ss->rs == NULL)
			goto out;
	}
	*statep = ss;
	return 0;
out:
	sndfile_close(ss);
	return -1;
}

/* Read and convert one chunk into the queue; at the end, flush. */
static int
sndfile_fill(struct sndfile_state *ss, char **cause)
{
	const int16_t	*out;
	sf_count_t	 n;
	long		 m;

	n = sf_readf_short(ss->sf, ss->in, SNDFILE_CHUNK);
	if (n <= 0) {
		if (sf_error(ss->sf) != SF_ERR_NO_ERROR) {
			xasprintf(cause, "%s: %s", ss->path,
			    sf_strerror(ss->sf));
			return -1;
		}
		ss->eof = 1;
		/* The resampler holds back a few frames: let them out. */
		while (ss->rs != NULL &&
		    (m = resampler_convert(ss->rs, NULL, 0, &out)) > 0)
			pcm_fifo_put(&ss->fifo, out, m);
		return 0;
	}
	if (ss->rs == NULL) {
		pcm_fifo_put(&ss->fifo, ss->in, n);
		return 0;
	}
	if ((m = resampler_convert(ss->rs, ss->in, n, &out)) < 0) {
		xasprintf(cause, "%s: conversion failed", ss->path);
		return -1;
	}
	pcm_fifo_put(&ss->fifo, out, m);
	return 0;
}

static long
sndfile_read(void *state, int16_t *buf, size_t n, char **cause)
{
	struct sndfile_state	*ss = state;

	while (ss->fifo.len < n && !ss->eof) {
		if (sndfile_fill(ss, cause) != 0)
			return -1;
	}
	return (long)pcm_fifo_get(&ss->fifo, buf, n);
}

static void
sndfile_close(void *state)
{
	struct sndfile_state	*ss = state;

	if (ss == NULL)
		return;
	if (ss->sf != NULL)
		sf_close(ss->sf);
	resampler_free(ss->rs);
	pcm_fifo_clear(&ss->fifo);
	free(ss->in);
	free(ss->path);
	free(ss);
}
