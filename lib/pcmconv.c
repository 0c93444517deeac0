/*
 * PCM conversion between the pipes and the mixer.
 *
 * Both ways the rate changes by an integer factor L = 48000 / rate, with
 * one windowed-sinc low-pass designed at creation: PCMCONV_SPAN samples of
 * the lower rate long (so its transition band is as wide, relative to the
 * lower rate, for every factor), its -6 dB point at PCMCONV_CUTOFF of the
 * lower rate, under a Kaiser window.  Going up it runs as L polyphase
 * branches of PCMCONV_SPAN taps, one per output sample, each normalised to
 * unity gain so the zero-stuffing's gain of L is built in and DC comes out
 * exactly as it went in; going down it runs at the lower rate only, once
 * every L input samples.  Taps are fixed point and sums 64-bit, so the
 * output is the same on every host, and clipped to 16 bits.
 */
#include <sys/types.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pcmconv.h"
#include "xmalloc.h"

#define PCMCONV_SPAN	24	/* filter length, in lower-rate samples */
#define PCMCONV_CUTOFF	0.45	/* -6 dB, in cycles per lower-rate sample */
#define PCMCONV_BETA	7.0	/* Kaiser window: stop band ~70 dB down */
#define PCMCONV_SHIFT	20	/* fraction bits of a tap */

struct pcmconv {
	int		 out;		/* 1: 48 kHz mono to the pipe */
	int		 channels;
	u_int		 factor;	/* 48000 / rate */
	size_t		 frame;		/* bytes in one pipe sample frame */

	uint8_t		 part[4];	/* in: a sample frame cut short */
	size_t		 npart;

	/*
	 * The filter, NULL at factor 1.  Its taps are stored backwards, so
	 * that they line up with the history from oldest to newest: going
	 * up, factor branches of span taps one after the other; going
	 * down, span taps.  The history holds the last span input samples,
	 * each twice (at i and i + span) so the newest span of them are
	 * always in one run, from hist + newest + 1.
	 */
	int32_t		*taps;
	size_t		 span;
	int16_t		*hist;
	size_t		 newest;
	u_int		 phase;		/* out: input samples since an output */
};

static struct pcmconv *pcmconv_new(int, int, int, char **);
static int32_t	*pcmconv_design(u_int, int);
static double	 pcmconv_i0(double);
static int16_t	 pcmconv_get(const uint8_t *);
static void	 pcmconv_put(uint8_t *, int16_t);
static int16_t	 pcmconv_mono(const struct pcmconv *, const uint8_t *);
static void	 pcmconv_push(struct pcmconv *, int16_t);
static int16_t	 pcmconv_dot(const struct pcmconv *, const int32_t *);

int
pcmconv_rate_valid(int rate)
{
	switch (rate) {
	case 8000:
	case 12000:
	case 16000:
	case 24000:
	case 48000:
		return 1;
	}
	return 0;
}

struct pcmconv *
pcmconv_in_new(int rate, int channels, char **cause)
{
	return pcmconv_new(0, rate, channels, cause);
}

struct pcmconv *
pcmconv_out_new(int rate, int channels, char **cause)
{
	return pcmconv_new(1, rate, channels, cause);
}

void
pcmconv_free(struct pcmconv *pc)
{
	if (pc == NULL)
		return;
	free(pc->hist);
	free(pc->taps);
	free(pc);
}

size_t
pcmconv_in(struct pcmconv *pc, const uint8_t *in, size_t len, int16_t *out,
    size_t max)
{
	const uint8_t	*f;
	size_t		 n = 0, take;
	u_int		 p;
	int16_t		 x;

	if (pc->out)
		fatalx("%s: an output converter", __func__);
	while (pc->npart + len >= pc->frame) {
		if (pc->npart > 0) {
			take = pc->frame - pc->npart;
			memcpy(pc->part + pc->npart, in, take);
			pc->npart = 0;
			f = pc->part;
		} else {
			take = pc->frame;
			f = in;
		}
		in += take;
		len -= take;

		/* No room: this frame and every one after it are dropped. */
		if (max - n < pc->factor)
			continue;
		x = pcmconv_mono(pc, f);
		if (pc->factor == 1) {
			out[n++] = x;
			continue;
		}
		pcmconv_push(pc, x);
		for (p = 0; p < pc->factor; p++)
			out[n++] = pcmconv_dot(pc, pc->taps + p * pc->span);
	}
	if (len > 0) {
		memcpy(pc->part + pc->npart, in, len);
		pc->npart += len;
	}
	return n;
}

size_t
pcmconv_in_max(const struct pcmconv *pc, size_t len)
{
	return (pc->npart + len) / pc->frame * pc->factor;
}

size_t
pcmconv_in_pending(const struct pcmconv *pc)
{
	return pc->npart;
}

size_t
pcmconv_out(struct pcmconv *pc, const int16_t *in, size_t n, uint8_t *out,
    size_t max)
{
	size_t	i, len = 0;
	int	c;
	int16_t	x;

	if (!pc->out)
		fatalx("%s: an input converter", __func__);
	for (i = 0; i < n; i++) {
		/* No room: this sample and every one after it are dropped. */
		if (pc->phase + 1 == pc->factor && max - len < pc->frame)
			break;
		x = in[i];
		if (pc->factor > 1) {
			pcmconv_push(pc, x);
			if (++pc->phase < pc->factor)
				continue;
			pc->phase = 0;
			x = pcmconv_dot(pc, pc->taps);
		}
		for (c = 0; c < pc->channels; c++) {
			pcmconv_put(out + len, x);
			len += 2;
		}
	}
	return len;
}

size_t
pcmconv_out_max(const struct pcmconv *pc, size_t n)
{
	return (pc->phase + n) / pc->factor * pc->frame;
}

static struct pcmconv *
pcmconv_new(int out, int rate, int channels, char **cause)
{
	struct pcmconv	*pc = NULL;

	if (!pcmconv_rate_valid(rate)) {
		xasprintf(cause, "rate %d: not 8000, 12000, 16000, 24000 or "
		    "48000", rate);
		goto out;
	}
	if (channels != 1 && channels != 2) {
		xasprintf(cause, "%d channels: not 1 or 2", channels);
		goto out;
	}

	pc = xcalloc(1, sizeof *pc);
	pc->out = out;
	pc->channels = channels;
	pc->factor = PCMCONV_RATE / rate;
	pc->frame = 2 * (size_t)channels;
	if (pc->factor > 1) {
		pc->taps = pcmconv_design(pc->factor, !out);
		pc->span = out ? PCMCONV_SPAN * pc->factor : PCMCONV_SPAN;
		pc->hist = xcalloc(2 * pc->span, sizeof *pc->hist);
	}

out:
	return pc;
}

/*
 * The low-pass for a factor, in fixed point, stored as struct pcmconv
 * uses it.  Going up (up is 1) each polyphase branch sums to exactly 1,
 * going down the whole filter does: the rounding left over is put on the
 * branch's largest tap.
 */
static int32_t *
pcmconv_design(u_int factor, int up)
{
	size_t	 ntaps = PCMCONV_SPAN * factor, i, k, big;
	double	*h, fc, t, r, sum;
	int32_t	*q, *taps;
	int64_t	 qsum;
	u_int	 p, nbranch = up ? factor : 1;

	h = xcalloc(ntaps, sizeof *h);
	q = xcalloc(ntaps, sizeof *q);
	fc = PCMCONV_CUTOFF / factor;	/* cycles per 48 kHz sample */
	for (i = 0; i < ntaps; i++) {
		t = i - (ntaps - 1) / 2.0;
		r = 2.0 * t / (ntaps - 1);
		h[i] = t == 0 ? 2 * fc : sin(2 * M_PI * fc * t) / (M_PI * t);
		h[i] *= pcmconv_i0(PCMCONV_BETA * sqrt(fmax(0, 1 - r * r))) /
		    pcmconv_i0(PCMCONV_BETA);
	}

	/* Branch p is every nbranch'th tap from p. */
	for (p = 0; p < nbranch; p++) {
		sum = 0;
		big = p;
		for (i = p; i < ntaps; i += nbranch) {
			sum += h[i];
			if (fabs(h[i]) > fabs(h[big]))
				big = i;
		}
		qsum = 0;
		for (i = p; i < ntaps; i += nbranch) {
			q[i] = (int32_t)lround(h[i] / sum *
			    (1 << PCMCONV_SHIFT));
			qsum += q[i];
		}
		q[big] += (int32_t)((1 << PCMCONV_SHIFT) - qsum);
	}

	/* Backwards, and going up branch by branch. */
	taps = xcalloc(ntaps, sizeof *taps);
	if (up) {
		for (p = 0; p < factor; p++) {
			for (k = 0; k < PCMCONV_SPAN; k++) {
				taps[p * PCMCONV_SPAN + k] =
				    q[(PCMCONV_SPAN - 1 - k) * factor + p];
			}
		}
	} else {
		for (k = 0; k < ntaps; k++)
			taps[k] = q[ntaps - 1 - k];
	}
	free(q);
	free(h);
	return taps;
}

/* The modified Bessel function of the first kind, order 0. */
static double
pcmconv_i0(double x)
{
	double	sum = 1, term = 1;
	int	k;

	for (k = 1; k < 50 && term > 1e-12 * sum; k++) {
		term *= (x / (2 * k)) * (x / (2 * k));
		sum += term;
	}
	return sum;
}

static int16_t
pcmconv_get(const uint8_t *p)
{
	int	v = p[0] | p[1] << 8;

	return (int16_t)(v - ((v & 0x8000) << 1));
}

static void
pcmconv_put(uint8_t *p, int16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)((uint16_t)v >> 8);
}

/* One pipe sample frame as one sample: the channels' mean. */
static int16_t
pcmconv_mono(const struct pcmconv *pc, const uint8_t *f)
{
	if (pc->channels == 1)
		return pcmconv_get(f);
	return (int16_t)((pcmconv_get(f) + pcmconv_get(f + 2)) / 2);
}

static void
pcmconv_push(struct pcmconv *pc, int16_t x)
{
	if (++pc->newest == pc->span)
		pc->newest = 0;
	pc->hist[pc->newest] = pc->hist[pc->newest + pc->span] = x;
}

/* The span taps from taps over the history, rounded and clipped. */
static int16_t
pcmconv_dot(const struct pcmconv *pc, const int32_t *taps)
{
	const int16_t	*x = pc->hist + pc->newest + 1;
	int64_t		 acc = 0;
	size_t		 i;

	for (i = 0; i < pc->span; i++)
		acc += (int64_t)taps[i] * x[i];
	acc = (acc + (1 << (PCMCONV_SHIFT - 1))) >> PCMCONV_SHIFT;
	if (acc > INT16_MAX)
		return INT16_MAX;
	if (acc < INT16_MIN)
		return INT16_MIN;
	return (int16_t)acc;
}
