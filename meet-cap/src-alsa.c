/*
 * The "alsa[:DEVICE]" audio source: ALSA capture read against meet-cap's own
 * clock.  Test devices (the null and file plugins) are not paced and a real
 * card's clock drifts from ours, so the PCM is opened non-blocking and each
 * 20 ms tick takes whatever the device has, up to a small queue, and hands
 * out exactly one block: short of frames, the rest is silence; a device
 * that runs ahead overruns, and is restarted.
 */
#include <stdlib.h>
#include <string.h>

#include <alsa/asoundlib.h>

#include "cap.h"
#include "log.h"
#include "xmalloc.h"

#define ALSA_DEFAULT		"default"
#define ALSA_QUEUE_BLOCKS	5	/* 100 ms: the most queued at once */
#define ALSA_BUFFER_US		200000
#define ALSA_PERIOD_US		20000

struct alsa_state {
	char			*dev;
	snd_pcm_t		*pcm;
	unsigned int		 rate;		/* of the device */
	unsigned int		 channels;
	unsigned int		 outrate;	/* -r */
	int16_t			*in;		/* owned; one read */
	size_t			 insize;	/* frames */
	struct resampler	*rs;		/* NULL: no conversion */
	struct pcm_fifo		 fifo;		/* output frames */
	size_t			 queue;		/* most frames queued */
	uint64_t		 short_ticks;	/* blocks padded */
	uint64_t		 overruns;
};

static int	alsa_open(void **, const char *, const struct cap_aparams *,
		    char **);
static long	alsa_read(void *, int16_t *, size_t, char **);
static void	alsa_close(void *);
static int	alsa_params(struct alsa_state *, const struct cap_aparams *,
		    char **);
static int	alsa_take(struct alsa_state *, char **);
static void	alsa_quiet(const char *, int, const char *, int,
		    const char *, ...);

const struct cap_audio_source cap_audio_alsa = {
	.name = "alsa",
	.takes_arg = 1,
	.open = alsa_open,
	.read = alsa_read,
	.close = alsa_close
};

/* libasound's own messages would repeat ours less clearly. */
static void
alsa_quiet(const char *file, int line, const char *func, int err,
    const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)func;
	(void)err;
	(void)fmt;
}

/* Ask for -r and -c; whatever the device settles on is converted. */
static int
alsa_params(struct alsa_state *as, const struct cap_aparams *p,
    char **cause)
{
	snd_pcm_hw_params_t	*hw;
	unsigned int		 buffer = ALSA_BUFFER_US;
	unsigned int		 period = ALSA_PERIOD_US;
	int			 r, dir = 0;

	snd_pcm_hw_params_alloca(&hw);
	as->rate = p->rate;
	as->channels = p->channels;
	if ((r = snd_pcm_hw_params_any(as->pcm, hw)) < 0 ||
	    (r = snd_pcm_hw_params_set_access(as->pcm, hw,
	    SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (r = snd_pcm_hw_params_set_format(as->pcm, hw,
	    SND_PCM_FORMAT_S16_LE)) < 0 ||
	    (r = snd_pcm_hw_params_set_channels_near(as->pcm, hw,
	    &as->channels)) < 0 ||
	    (r = snd_pcm_hw_params_set_rate_near(as->pcm, hw, &as->rate,
	    &dir)) < 0)
		goto fail;
	/* Sizes are wishes; a device that cannot meet them still works. */
	snd_pcm_hw_params_set_buffer_time_near(as->pcm, hw, &buffer, &dir);
	snd_pcm_hw_params_set_period_time_near(as->pcm, hw, &period, &dir);
	if ((r = snd_pcm_hw_params(as->pcm, hw)) < 0)
		goto fail;
	return 0;
fail:
	xasprintf(cause, "alsa:%s: %s", as->dev, snd_strerror(r));
	return -1;
}

static int
alsa_open(void **statep, const char *arg, const struct cap_aparams *p,
    char **cause)
{
	struct alsa_state	*as;
	size_t			 block;
	int			 r;

	as = xcalloc(1, sizeof *as);
	as->dev = xstrdup(arg != NULL && *arg != '\0' ? arg : ALSA_DEFAULT);
	as->fifo.channels = p->channels;
	as->outrate = p->rate;
	snd_lib_error_set_handler(alsa_quiet);
	if ((r = snd_pcm_open(&as->pcm, as->dev, SND_PCM_STREAM_CAPTURE,
	    SND_PCM_NONBLOCK)) < 0) {
		as->pcm = NULL;
		xasprintf(cause, "alsa:%s: %s", as->dev, snd_strerror(r));
		goto out;
	}
	if (alsa_params(as, p, cause) != 0)
		goto out;
	if (as->rate != (unsigned int)p->rate ||
	    as->channels != (unsigned int)p->channels) {
		log_debug("%s: %u Hz %u ch, converted", as->dev, as->rate,
		    as->channels);
		as->rs = resampler_new(as->rate, as->channels, p->rate,
		    p->channels, cause);
		if (as->rs == NULL)
			goto out;
	}
	block = p->rate / 50 + 1;
	as->queue = ALSA_QUEUE_BLOCKS * block;
	as->insize = (as->queue * as->rate) / p->rate + 1;
	as->in = xreallocarray(NULL, as->insize,
	    as->channels * sizeof *as->in);
	if ((r = snd_pcm_start(as->pcm)) < 0) {
		xasprintf(cause, "alsa:%s: %s", as->dev, snd_strerror(r));
		goto out;
	}
	*statep = as;
	return 0;
out:
	alsa_close(as);
	return -1;
}

/* Take what the device has, up to what the queue may hold. */
static int
alsa_take(struct alsa_state *as, char **cause)
{
	const int16_t		*out;
	snd_pcm_sframes_t	 r;
	size_t			 space, want;
	long			 m;
	int			 tries = 0;

	while (as->fifo.len < as->queue) {
		space = as->queue - as->fifo.len;
		/* Device frames that make about that many output frames. */
		want = space * as->rate / as->outrate;
		if (want > as->insize)
			want = as->insize;
		if (want == 0)
			break;
		r = snd_pcm_readi(as->pcm, as->in, want);
		if (r == -EAGAIN || r == 0)
			break;
		if (r == -EPIPE || r == -ESTRPIPE) {
			as->overruns++;
			if (++tries > 3 ||
			    (r = snd_pcm_recover(as->pcm, (int)r, 1)) < 0 ||
			    (r = snd_pcm_start(as->pcm)) < 0)
				goto fail;
			continue;
		}
		if (r < 0)
			goto fail;
		if (as->rs == NULL) {
			pcm_fifo_put(&as->fifo, as->in, r);
			continue;
		}
		if ((m = resampler_convert(as->rs, as->in, r, &out)) < 0) {
			xasprintf(cause, "alsa:%s: conversion failed", as->dev);
			return -1;
		}
		pcm_fifo_put(&as->fifo, out, m);
	}
	return 0;
fail:
	xasprintf(cause, "alsa:%s: %s", as->dev, snd_strerror((int)r));
	return -1;
}

static long
alsa_read(void *state, int16_t *buf, size_t n, char **cause)
{
	struct alsa_state	*as = state;
	size_t			 got;
	size_t			 ch = as->fifo.channels;

	if (alsa_take(as, cause) != 0)
		return -1;
	got = pcm_fifo_get(&as->fifo, buf, n);
	if (got < n) {
		as->short_ticks++;
		memset(buf + got * ch, 0, (n - got) * ch * sizeof *buf);
	}
	return (long)n;
}

static void
alsa_close(void *state)
{
	struct alsa_state	*as = state;

	if (as == NULL)
		return;
	if (as->short_ticks > 0 || as->overruns > 0)
		log_debug("%s: %llu blocks padded with silence, %llu "
		    "overruns", as->dev, (unsigned long long)as->short_ticks,
		    (unsigned long long)as->overruns);
	if (as->pcm != NULL)
		snd_pcm_close(as->pcm);
	resampler_free(as->rs);
	pcm_fifo_clear(&as->fifo);
	free(as->in);
	free(as->dev);
	free(as);
}
