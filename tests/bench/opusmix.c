/*
 * opusmix: what the mix encoder's complexity ([media] opus_complexity)
 * costs and how it sounds, for tests/bench/mixer.  Each complexity from 0
 * to 10 gets an encoder set up as meetd sets up a mix's (lib/opuscodec.c:
 * 32 kbit/s, FEC for 10 % loss, DTX only from OPUSCODEC_DTX_COMPLEXITY),
 * which encodes every 20 ms frame of each PCM file given (48 kHz mono
 * S16LE: speech, a mix of voices) and then two steady tones; a decoder
 * decodes each packet.  Printed per complexity:
 *
 *	us	CPU time of one encode (the thread's clock), mean over files
 *	bytes	mean packet size
 *	lsd	log-spectral distance in dB between the input and the decoded
 *		output (aligned by the encoder's lookahead), over 21 ms Hann
 *		windows of frames above -50 dBFS, 94 Hz to 12 kHz: lower is
 *		closer; figures to compare complexities, not a listening test
 *	tone	level of two steady tones (440 and 660 Hz) after decoding,
 *		dB against the input: what DTX does to a tone
 *	dtx	the same with DTX on, as below 7 libopus would have it
 *
 *	opusmix [FILE.pcm ...]
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus.h>

#include "opuscodec.h"

#define OM_BITRATE	32000
#define OM_LOSS		10
#define OM_FFT		1024
#define OM_TONE_FRAMES	250		/* 5 s */
#define OM_MAX_SAMPLES	(48000 * 120)

struct om_result {
	double	us;
	double	bytes;
	double	lsd;
	int	files;
};

static void	om_fft(double complex *, int);
static double	om_lsd(const int16_t *, const int16_t *, size_t);
static double	om_cpu(void);
static int16_t	*om_read(const char *, size_t *);
static struct opuscodec_enc *om_encoder(int, int);
static double	om_run(int, int, const int16_t *, size_t, int16_t *,
		    double *, double *);
static double	om_tones(int, int);

static void
om_fft(double complex *x, int n)
{
	double complex	w, u, a, b, t;
	int		i, j, k, len;

	for (i = 1, j = 0; i < n; i++) {
		for (k = n >> 1; j & k; k >>= 1)
			j ^= k;
		j ^= k;
		if (i < j) {
			t = x[i];
			x[i] = x[j];
			x[j] = t;
		}
	}
	for (len = 2; len <= n; len <<= 1) {
		w = cexp(-2 * I * M_PI / len);
		for (i = 0; i < n; i += len) {
			u = 1;
			for (j = 0; j < len / 2; j++) {
				a = x[i + j];
				b = x[i + j + len / 2] * u;
				x[i + j] = a + b;
				x[i + j + len / 2] = a - b;
				u *= w;
			}
		}
	}
}

static double
om_lsd(const int16_t *ref, const int16_t *out, size_t n)
{
	double complex	a[OM_FFT], b[OM_FFT];
	double		w, e, d, pa, pb, l, sum = 0;
	size_t		i;
	int		j, k, count = 0;

	for (i = OPUSCODEC_RATE / 2; i + OM_FFT < n; i += OPUSCODEC_FRAME) {
		e = 0;
		for (j = 0; j < OM_FFT; j++) {
			w = 0.5 - 0.5 * cos(2 * M_PI * j / (OM_FFT - 1));
			a[j] = ref[i + j] * w;
			b[j] = out[i + j] * w;
			e += (double)ref[i + j] * ref[i + j];
		}
		if (e / OM_FFT < 104.0 * 104.0)	/* -50 dBFS */
			continue;
		om_fft(a, OM_FFT);
		om_fft(b, OM_FFT);
		d = 0;
		for (k = 2; k < 256; k++) {
			pa = creal(a[k] * conj(a[k])) + 1e4;
			pb = creal(b[k] * conj(b[k])) + 1e4;
			l = 10 * log10(pa / pb);
			d += l * l;
		}
		sum += sqrt(d / 254);
		count++;
	}
	return count > 0 ? sum / count : 0;
}

static double
om_cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int16_t *
om_read(const char *path, size_t *n)
{
	FILE	*f;
	int16_t	*pcm;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	if ((pcm = malloc(OM_MAX_SAMPLES * sizeof *pcm)) == NULL) {
		perror("opusmix");
		exit(1);
	}
	*n = fread(pcm, sizeof *pcm, OM_MAX_SAMPLES, f);
	fclose(f);
	return pcm;
}

/* An encoder as mix.c makes one; dtx 1 turns DTX on whatever. */
static struct opuscodec_enc *
om_encoder(int complexity, int dtx)
{
	struct opuscodec_enc	*enc;
	char			*cause;

	if ((enc = opuscodec_enc_new(OM_BITRATE, OM_LOSS, &cause)) == NULL ||
	    opuscodec_enc_set_complexity(enc, complexity, &cause) != 0 ||
	    (dtx && opuscodec_enc_set_dtx(enc, 1, &cause) != 0)) {
		fprintf(stderr, "opusmix: %s\n", cause);
		exit(1);
	}
	return enc;
}

/*
 * Encode and decode n samples of in into out (aligned: out[i] is in[i]
 * decoded); the CPU seconds of the encodes, *bytes the bytes sent.
 */
static double
om_run(int complexity, int dtx, const int16_t *in, size_t n, int16_t *out,
    double *bytes, double *frames)
{
	struct opuscodec_enc	*enc = om_encoder(complexity, dtx);
	struct opuscodec_dec	*dec;
	uint8_t			 pkt[OPUSCODEC_MAX_PACKET];
	int16_t			 frame[OPUSCODEC_FRAME];
	double			 cpu = 0, t0;
	size_t			 i, j, at, delay = 312;	/* VOIP lookahead */
	char			*cause;
	int			 len;

	if ((dec = opuscodec_dec_new(&cause)) == NULL) {
		fprintf(stderr, "opusmix: %s\n", cause);
		exit(1);
	}
	memset(out, 0, n * sizeof *out);
	*bytes = *frames = 0;
	for (i = 0; i + OPUSCODEC_FRAME <= n; i += OPUSCODEC_FRAME) {
		t0 = om_cpu();
		len = opuscodec_encode(enc, in + i, pkt, sizeof pkt);
		cpu += om_cpu() - t0;
		if (len <= 0 || opuscodec_decode(dec, pkt, (size_t)len,
		    frame) < 0)
			opuscodec_plc(dec, frame);
		*bytes += len > 0 ? len : 0;
		*frames += 1;
		for (j = 0; j < OPUSCODEC_FRAME; j++) {
			at = i + j;
			if (at >= delay && at - delay < n)
				out[at - delay] = frame[j];
		}
	}
	opuscodec_enc_free(enc);
	opuscodec_dec_free(dec);
	return cpu;
}

/* Two steady tones through the codec: decoded level against the input. */
static double
om_tones(int complexity, int dtx)
{
	static int16_t	in[OM_TONE_FRAMES * OPUSCODEC_FRAME];
	static int16_t	out[OM_TONE_FRAMES * OPUSCODEC_FRAME];
	double		ein = 0, eout = 0, bytes, frames;
	size_t		i, n = OM_TONE_FRAMES * OPUSCODEC_FRAME;

	for (i = 0; i < n; i++)
		in[i] = (int16_t)lrint(2000 * sin(2 * M_PI * 440 * i /
		    48000.0) + 2000 * sin(2 * M_PI * 660 * i / 48000.0));
	om_run(complexity, dtx, in, n, out, &bytes, &frames);
	for (i = n / 2; i < n - 1000; i++) {
		ein += (double)in[i] * in[i];
		eout += (double)out[i] * out[i];
	}
	return 10 * log10((eout + 1) / (ein + 1));
}

int
main(int argc, char **argv)
{
	struct om_result	 r;
	int16_t			*in, *out;
	double			 cpu, bytes, frames, nframes;
	size_t			 n;
	int			 c, i;

	printf("%-10s %8s %7s %7s %7s %7s\n", "COMPLEXITY", "US", "BYTES",
	    "LSD-DB", "TONE-DB", "DTX-DB");
	for (c = 0; c <= OPUSCODEC_MAX_COMPLEXITY; c++) {
		memset(&r, 0, sizeof r);
		nframes = 0;
		for (i = 1; i < argc; i++) {
			in = om_read(argv[i], &n);
			if ((out = malloc(n * sizeof *out + 1)) == NULL) {
				perror("opusmix");
				return 1;
			}
			cpu = om_run(c, 0, in, n, out, &bytes, &frames);
			r.us += cpu * 1e6;
			r.bytes += bytes;
			nframes += frames;
			r.lsd += om_lsd(in, out, n);
			r.files++;
			free(in);
			free(out);
		}
		if (r.files > 0)
			printf("%-10d %8.1f %7.1f %7.2f", c, r.us / nframes,
			    r.bytes / nframes, r.lsd / r.files);
		else
			printf("%-10d %8s %7s %7s", c, "-", "-", "-");
		printf(" %7.1f %7.1f\n", om_tones(c, 0), om_tones(c, 1));
	}
	return 0;
}
