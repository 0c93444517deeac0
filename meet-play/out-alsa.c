/*
 * The alsa sink: S16LE to an ALSA playback device with a small buffer.  An
 * underrun is recovered from (snd_pcm_recover prepares the device again) and
 * reported to audio.c, whose clock then starts over; audio.c also keeps the
 * buffer fed with silence when the input is late.  What the ALSA library
 * would print about a device it cannot open goes to -V: the error that
 * matters is reported with the device's name, saying so when the machine
 * has no sound card at all, and naming file:PATH as the way to play without
 * one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <alsa/asoundlib.h>

#include "log.h"
#include "play.h"
#include "xmalloc.h"

#define ALSA_LATENCY	80000	/* microseconds of buffer asked for */

struct alsa_out {
	snd_pcm_t	*pcm;
	char		*device;
	size_t		 fsize;
	int		 restarted;
	unsigned long	 xruns;
};

static int	alsa_open(void **, const char *, const struct aout_params *,
		    size_t *, char **);
static int	alsa_write(void *, const int16_t *, size_t, char **);
static int	alsa_restarted(void *);
static void	alsa_close(void *, int);
static void	alsa_open_error(const char *, int, char **);
static void	alsa_lib_error(const char *, int, const char *, int,
		    const char *, ...)
		    __attribute__((format(printf, 5, 6)));

const struct aout_sink out_alsa_sink = {
	.name = "alsa",
	.takes_path = 0,
	.realtime = 1,
	.open = alsa_open,
	.write = alsa_write,
	.restarted = alsa_restarted,
	.close = alsa_close,
};

static void
alsa_lib_error(const char *file, int line, const char *func, int err,
    const char *fmt, ...)
{
	va_list	ap;
	char	buf[256];

	(void)file;
	(void)line;
	(void)err;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_debug("ALSA: %s: %s", func, buf);
}

/* Why device would not open, and what to do instead. */
static void
alsa_open_error(const char *device, int err, char **cause)
{
	int	card = -1;

	if (snd_card_next(&card) != 0 || card < 0)
		xasprintf(cause, "no ALSA device to play on: %s: %s (this "
		    "machine has no sound card); -a file:PATH writes the sound "
		    "to a file instead", device, snd_strerror(err));
	else
		xasprintf(cause, "ALSA device %s: %s; -a alsa:DEVICE names "
		    "another (aplay -L lists them), -a file:PATH writes the "
		    "sound to a file", device, snd_strerror(err));
}

static int
alsa_open(void **state, const char *device, const struct aout_params *ap,
    size_t *startq, char **cause)
{
	struct alsa_out		*a;
	snd_pcm_uframes_t	 bsize = 0, psize = 0;
	int			 err, rc = -1;

	snd_lib_error_set_handler(alsa_lib_error);
	a = xcalloc(1, sizeof *a);
	a->device = xstrdup(device == NULL || *device == '\0' ? "default" :
	    device);
	a->fsize = 2 * ap->channels;
	if ((err = snd_pcm_open(&a->pcm, a->device, SND_PCM_STREAM_PLAYBACK,
	    0)) < 0) {
		a->pcm = NULL;
		alsa_open_error(a->device, err, cause);
		goto out;
	}
	if ((err = snd_pcm_set_params(a->pcm, SND_PCM_FORMAT_S16_LE,
	    SND_PCM_ACCESS_RW_INTERLEAVED, ap->channels, ap->rate, 1,
	    ALSA_LATENCY)) < 0) {
		xasprintf(cause, "%s: %u Hz, %u channels: %s", a->device,
		    ap->rate, ap->channels, snd_strerror(err));
		goto out;
	}
	/* snd_pcm_set_params starts playing once whole periods fill it. */
	if (snd_pcm_get_params(a->pcm, &bsize, &psize) == 0 && psize > 0)
		*startq = (size_t)(bsize / psize * psize);
	else
		*startq = ap->rate * (ALSA_LATENCY / 1000) / 1000;
	log_debug("%s: buffer %lu frames, period %lu", a->device,
	    (unsigned long)bsize, (unsigned long)psize);
	*state = a;
	rc = 0;
out:
	if (rc == -1) {
		if (a->pcm != NULL)
			snd_pcm_close(a->pcm);
		free(a->device);
		free(a);
	}
	return rc;
}

static int
alsa_write(void *state, const int16_t *p, size_t frames, char **cause)
{
	struct alsa_out		*a = state;
	snd_pcm_sframes_t	 n;
	int			 err;

	while (frames > 0) {
		n = snd_pcm_writei(a->pcm, p, frames);
		if (n == -EAGAIN)
			continue;
		if (n < 0) {
			/* Underrun, suspend or signal: prepare and go on. */
			if ((err = snd_pcm_recover(a->pcm, (int)n, 1)) < 0) {
				xasprintf(cause, "%s: %s", a->device,
				    snd_strerror(err));
				return -1;
			}
			if (n == -EPIPE || n == -ESTRPIPE) {
				a->restarted = 1;
				a->xruns++;
				log_debug("%s: underrun %lu", a->device,
				    a->xruns);
			}
			continue;
		}
		p += (size_t)n * (a->fsize / 2);
		frames -= (size_t)n;
	}
	return 0;
}

static int
alsa_restarted(void *state)
{
	struct alsa_out	*a = state;
	int		 r = a->restarted;

	a->restarted = 0;
	return r;
}

static void
alsa_close(void *state, int drain)
{
	struct alsa_out	*a = state;

	if (drain)
		snd_pcm_drain(a->pcm);
	else
		snd_pcm_drop(a->pcm);
	snd_pcm_close(a->pcm);
	free(a->device);
	free(a);
}
