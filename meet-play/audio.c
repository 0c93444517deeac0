/*
 * Audio playback: S16LE PCM from stdin to a sink, at stdin's pace.
 *
 * A real-time device must never run dry while the input is late, and must
 * not be judged by its readiness alone (ALSA's null and file plugins accept
 * everything at once).  So the program keeps its own clock: the device is
 * taken to start once its start queue is written and then to play at the
 * rate; when what is written runs short of that clock by less than a period,
 * a few periods of silence go in.  Input that comes in faster than real time
 * is written as it comes (a device that plays in real time blocks), so a
 * file piped in is never padded in the middle.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "play.h"
#include "xmalloc.h"

#define AUDIO_READ	16384		/* bytes read from stdin at a time */
#define AUDIO_PERIODS	3		/* silence written when input is late */
#define AUDIO_MAX_WAIT	1000		/* milliseconds between clock checks */

/* The sinks; adding one is one row. */
static const struct aout_sink *audio_sinks[] = {
	&out_alsa_sink,
	&out_file_sink,
};

struct audio {
	const struct aout_sink	*sink;
	void			*state;
	unsigned int		 rate;
	size_t			 fsize;		/* bytes a frame */
	size_t			 period;	/* frames in 20 ms */
	size_t			 startq;	/* frames before the device plays */

	int			 started;	/* the clock runs */
	uint64_t		 t0;		/* program clock at its start */
	uint64_t		 written;	/* frames written since t0 */
	uint64_t		 silence;	/* frames of silence, for -V */
	uint64_t		 restarts;
};

static volatile sig_atomic_t audio_quit;

static void	audio_signal(int);
static int64_t	audio_queued(struct audio *, uint64_t);
static int	audio_write(struct audio *, const int16_t *, size_t);
static int	audio_fill(struct audio *, uint64_t);

static void
audio_signal(int sig)
{
	(void)sig;
	audio_quit = 1;
}

/* The sink named by spec ("name" or "name:ARG"); *arg is after the colon. */
const struct aout_sink *
audio_find_sink(const char *spec, const char **arg)
{
	const char	*colon;
	size_t		 n, i;

	colon = strchr(spec, ':');
	n = colon == NULL ? strlen(spec) : (size_t)(colon - spec);
	*arg = colon == NULL ? NULL : colon + 1;
	for (i = 0; i < sizeof audio_sinks / sizeof audio_sinks[0]; i++) {
		if (strlen(audio_sinks[i]->name) == n &&
		    strncmp(audio_sinks[i]->name, spec, n) == 0)
			return audio_sinks[i];
	}
	return NULL;
}

/* Frames the device still holds by the program's clock (may be negative). */
static int64_t
audio_queued(struct audio *a, uint64_t now)
{
	int64_t	played;

	played = (int64_t)((now - a->t0) * a->rate / 1000000) -
	    (int64_t)a->startq;
	if (played < 0)
		played = 0;
	return (int64_t)a->written - played;
}

/* Write frames to the sink, starting the clock over after an underrun. */
static int
audio_write(struct audio *a, const int16_t *p, size_t frames)
{
	char	*cause = NULL;

	if (a->sink->write(a->state, p, frames, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return -1;
	}
	if (!a->sink->realtime)
		return 0;
	if (a->sink->restarted != NULL && a->sink->restarted(a->state)) {
		a->restarts++;
		a->started = 0;
	}
	if (!a->started) {
		a->started = 1;
		a->t0 = mono_usec();
		a->written = 0;
	}
	a->written += frames;
	return 0;
}

/*
 * The input is late: when the device is about to run dry, give it silence.
 * Returns the poll timeout in milliseconds until the next check, -1 for
 * none (nothing plays yet), or -2 on error.
 */
static int
audio_fill(struct audio *a, uint64_t now)
{
	int16_t	*zero;
	int64_t	 queued;
	size_t	 n;
	int	 rc;

	if (!a->sink->realtime || !a->started)
		return -1;
	queued = audio_queued(a, now);
	if (queued < (int64_t)a->period) {
		n = AUDIO_PERIODS * a->period;
		if (queued > 0)
			n -= (size_t)queued < n ? (size_t)queued : n;
		zero = xcalloc(n, a->fsize);
		rc = audio_write(a, zero, n);
		free(zero);
		if (rc == -1)
			return -2;
		a->silence += n;
		queued = audio_queued(a, now);
	}
	queued -= (int64_t)a->period;
	if (queued <= 0)
		return 1;
	if (queued * 1000 / a->rate > AUDIO_MAX_WAIT)
		return AUDIO_MAX_WAIT;
	return (int)(queued * 1000 / a->rate) + 1;
}

/*
 * Play stdin on the sink until it ends or a signal asks to stop: 0.  1 after
 * an error, which has been logged.
 */
int
audio_run(const struct aout_sink *sink, const char *arg,
    const struct aout_params *params)
{
	struct audio		 a;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	uint8_t			*buf;
	size_t			 have = 0, frames;
	ssize_t			 n;
	char			*cause = NULL;
	int			 timeout, rc = 1, drain = 1;

	memset(&a, 0, sizeof a);
	a.sink = sink;
	a.rate = params->rate;
	a.fsize = 2 * params->channels;
	a.period = params->rate / 50;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = audio_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (sink->open(&a.state, arg, params, &a.startq, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return 1;
	}
	/* Room for a read and a partial frame left from the one before. */
	buf = xmalloc(AUDIO_READ + a.fsize);

	while (!audio_quit) {
		if ((timeout = audio_fill(&a, mono_usec())) == -2)
			goto out;
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			goto out;
		}
		if (pfd.revents == 0)
			continue;
		n = read(STDIN_FILENO, buf + have, AUDIO_READ);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_warn("stdin");
			goto out;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		frames = have / a.fsize;
		if (frames > 0 && audio_write(&a, (const int16_t *)buf,
		    frames) == -1)
			goto out;
		/* Keep a partial frame for the next read. */
		memmove(buf, buf + frames * a.fsize, have - frames * a.fsize);
		have -= frames * a.fsize;
	}
	if (have != 0)
		log_debug("%zu bytes at the end are not a whole frame", have);
	if (audio_quit)
		drain = 0;
	rc = 0;
out:
	if (rc != 0)
		drain = 0;
	if (a.silence > 0 || a.restarts > 0)
		log_debug("%llu frames of silence for late input, %llu "
		    "restarts after underruns",
		    (unsigned long long)a.silence,
		    (unsigned long long)a.restarts);
	sink->close(a.state, drain);
	free(buf);
	return rc;
}
