/*
 * The "sine[:HZ]" and "silence" audio sources: synthetic sound for tests
 * and for checking a path end to end.  The sine is at half full scale
 * (-6 dBFS) on every channel, its phase carried from block to block.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cap.h"
#include "xmalloc.h"

#define SINE_DEFAULT_HZ	440.0
#define SINE_AMPLITUDE	16384.0

struct sine_state {
	struct cap_aparams	p;
	double			hz;
	uint64_t		n;	/* frames made so far */
};

static int	sine_open(void **, const char *, const struct cap_aparams *,
		    char **);
static long	sine_read(void *, int16_t *, size_t, char **);
static int	silence_open(void **, const char *,
		    const struct cap_aparams *, char **);
static long	silence_read(void *, int16_t *, size_t, char **);
static void	sine_close(void *);

const struct cap_audio_source cap_audio_sine = {
	.name = "sine",
	.takes_arg = 1,
	.open = sine_open,
	.read = sine_read,
	.close = sine_close
};

const struct cap_audio_source cap_audio_silence = {
	.name = "silence",
	.takes_arg = 0,
	.open = silence_open,
	.read = silence_read,
	.close = sine_close
};

static int
sine_open(void **statep, const char *arg, const struct cap_aparams *p,
    char **cause)
{
	struct sine_state	*ss;
	char			*end;

	ss = xcalloc(1, sizeof *ss);
	ss->p = *p;
	ss->hz = SINE_DEFAULT_HZ;
	if (arg != NULL) {
		ss->hz = strtod(arg, &end);
		if (*arg == '\0' || *end != '\0' || !isfinite(ss->hz) ||
		    ss->hz <= 0 || ss->hz >= p->rate / 2.0) {
			xasprintf(cause, "sine: %s: frequency must be above 0 "
			    "and below %g Hz", arg, p->rate / 2.0);
			goto out;
		}
	}
	*statep = ss;
	return 0;
out:
	sine_close(ss);
	return -1;
}

static long
sine_read(void *state, int16_t *buf, size_t n, char **cause)
{
	struct sine_state	*ss = state;
	double			 phase;
	size_t			 i;
	int			 c;
	int16_t			 s;

	(void)cause;
	for (i = 0; i < n; i++) {
		/* From the frame number, so no error accumulates. */
		phase = fmod((double)ss->n++ * ss->hz / ss->p.rate, 1.0);
		s = (int16_t)lrint(SINE_AMPLITUDE * sin(2 * M_PI * phase));
		for (c = 0; c < ss->p.channels; c++)
			buf[i * ss->p.channels + c] = s;
	}
	return (long)n;
}

static int
silence_open(void **statep, const char *arg, const struct cap_aparams *p,
    char **cause)
{
	struct sine_state	*ss;

	(void)arg;
	(void)cause;
	ss = xcalloc(1, sizeof *ss);
	ss->p = *p;
	*statep = ss;
	return 0;
}

static long
silence_read(void *state, int16_t *buf, size_t n, char **cause)
{
	struct sine_state	*ss = state;

	(void)cause;
	memset(buf, 0, n * ss->p.channels * sizeof *buf);
	return (long)n;
}

static void
sine_close(void *state)
{
	free(state);
}
