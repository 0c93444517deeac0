/*
 * Unit tests for the PCM conversion (lib/pcmconv.c).  48 kHz mono must
 * pass bit-exact both ways and stereo average and duplicate.  A stream cut
 * at every odd place converts to the same samples as in one piece.  Tones
 * measured with the Goertzel algorithm: 1 kHz keeps its level within 1 dB
 * up to 48 kHz and back down from every rate, its images above the lower
 * rate's Nyquist frequency are gone, and 10 kHz taken down to 16 kHz is
 * removed rather than folded to 6 kHz.  Full scale saturates instead of
 * wrapping, DC passes exactly, and what does not fit is dropped whole.
 */
#include <sys/types.h>

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcmconv.h"

#define AMP	10000.0		/* test tones' amplitude */
#define SETTLE	200		/* samples the filters take to settle */

static void	test_rate_valid(void **);
static void	test_new_args(void **);
static void	test_copy_48k(void **);
static void	test_stereo(void **);
static void	test_split_in(void **);
static void	test_split_out(void **);
static void	test_sine(void **);
static void	test_images(void **);
static void	test_alias(void **);
static void	test_dc(void **);
static void	test_saturate(void **);
static void	test_no_room(void **);
static struct pcmconv *new_in(int, int);
static struct pcmconv *new_out(int, int);
static void	to_pipe(const int16_t *, size_t, int, uint8_t *);
static int16_t	from_pipe(const uint8_t *, size_t, int, int);
static void	sine(int16_t *, size_t, double, double, double);
static double	goertzel(const int16_t *, size_t, double, double);
static double	db(double, double);
static int	check_clip(int16_t, int16_t);
static void	convert_in(int, const int16_t *, size_t, int16_t *);
static void	convert_out(int, const int16_t *, size_t, int16_t *);
static uint32_t	lcg(uint32_t *);

static const int rates[] = { 8000, 12000, 16000, 24000, 48000 };
#define NRATES	(sizeof rates / sizeof rates[0])

static struct pcmconv *
new_in(int rate, int channels)
{
	struct pcmconv	*pc;
	char		*cause = NULL;

	pc = pcmconv_in_new(rate, channels, &cause);
	assert_non_null(pc);
	assert_null(cause);
	return pc;
}

static struct pcmconv *
new_out(int rate, int channels)
{
	struct pcmconv	*pc;
	char		*cause = NULL;

	pc = pcmconv_out_new(rate, channels, &cause);
	assert_non_null(pc);
	assert_null(cause);
	return pc;
}

/* n samples as S16LE sample frames, each sample in every channel. */
static void
to_pipe(const int16_t *x, size_t n, int channels, uint8_t *p)
{
	size_t	i;
	int	c;

	for (i = 0; i < n; i++) {
		for (c = 0; c < channels; c++) {
			*p++ = (uint8_t)x[i];
			*p++ = (uint8_t)((uint16_t)x[i] >> 8);
		}
	}
}

/* Sample frame i's channel c. */
static int16_t
from_pipe(const uint8_t *p, size_t i, int channels, int c)
{
	p += (i * channels + c) * 2;
	return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

static void
sine(int16_t *x, size_t n, double freq, double rate, double amp)
{
	size_t	i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)lround(amp * sin(2 * M_PI * freq * i / rate));
}

/* The amplitude of freq in n samples holding a whole number of its cycles. */
static double
goertzel(const int16_t *x, size_t n, double freq, double rate)
{
	double	c = 2 * cos(2 * M_PI * freq / rate), s0, s1 = 0, s2 = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		s0 = x[i] + c * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return 2 * sqrt(fmax(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / n;
}

static double
db(double a, double b)
{
	return 20 * log10(a / b);
}

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 8;
}

static void
test_rate_valid(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < NRATES; i++)
		assert_true(pcmconv_rate_valid(rates[i]));
	assert_false(pcmconv_rate_valid(0));
	assert_false(pcmconv_rate_valid(-48000));
	assert_false(pcmconv_rate_valid(44100));
	assert_false(pcmconv_rate_valid(96000));
	assert_false(pcmconv_rate_valid(32000));
}

static void
test_new_args(void **state)
{
	struct pcmconv	*pc;
	char		*cause;
	size_t		 i;
	int		 c;

	(void)state;
	cause = NULL;
	assert_null(pcmconv_in_new(44100, 2, &cause));
	assert_string_equal(cause,
	    "rate 44100: not 8000, 12000, 16000, 24000 or 48000");
	free(cause);
	cause = NULL;
	assert_null(pcmconv_out_new(0, 1, &cause));
	assert_string_equal(cause,
	    "rate 0: not 8000, 12000, 16000, 24000 or 48000");
	free(cause);
	cause = NULL;
	assert_null(pcmconv_in_new(48000, 0, &cause));
	assert_string_equal(cause, "0 channels: not 1 or 2");
	free(cause);
	cause = NULL;
	assert_null(pcmconv_out_new(16000, 3, &cause));
	assert_string_equal(cause, "3 channels: not 1 or 2");
	free(cause);

	for (i = 0; i < NRATES; i++) {
		for (c = 1; c <= 2; c++) {
			pc = new_in(rates[i], c);
			assert_int_equal(pcmconv_in_pending(pc), 0);
			assert_int_equal(pcmconv_in_max(pc, 2 * c * 10),
			    10 * (48000 / rates[i]));
			pcmconv_free(pc);
			pc = new_out(rates[i], c);
			assert_int_equal(pcmconv_out_max(pc,
			    48000 / rates[i] * 10), 2 * c * 10);
			pcmconv_free(pc);
		}
	}
	pcmconv_free(NULL);
}

/* 48 kHz mono is a copy, byte for byte, both ways. */
static void
test_copy_48k(void **state)
{
	struct pcmconv	*in = new_in(48000, 1), *out = new_out(48000, 1);
	int16_t		 x[1000], y[1000];
	uint8_t		 p[2000], q[2000];
	uint32_t	 seed = 1;
	size_t		 i;

	(void)state;
	for (i = 0; i < 1000; i++)
		x[i] = (int16_t)(lcg(&seed) & 0xffff);
	x[0] = INT16_MIN;
	x[1] = INT16_MAX;
	x[2] = 0;
	x[3] = -1;
	to_pipe(x, 1000, 1, p);

	assert_int_equal(pcmconv_in_max(in, sizeof p), 1000);
	assert_int_equal(pcmconv_in(in, p, sizeof p, y, 1000), 1000);
	assert_memory_equal(x, y, sizeof x);
	assert_int_equal(pcmconv_out_max(out, 1000), sizeof q);
	assert_int_equal(pcmconv_out(out, y, 1000, q, sizeof q), sizeof q);
	assert_memory_equal(p, q, sizeof p);
	pcmconv_free(in);
	pcmconv_free(out);
}

/* Stereo in is the mean of the channels; stereo out is the same in both. */
static void
test_stereo(void **state)
{
	struct pcmconv	*in = new_in(48000, 2), *out = new_out(48000, 2);
	const int16_t	 lr[] = {
		100, 200,
		-3, 4,
		INT16_MAX, INT16_MAX,
		INT16_MIN, INT16_MIN,
		INT16_MAX, INT16_MIN,
		-7, -8,
		1000, 0
	};
	const int16_t	 mean[] = { 150, 0, INT16_MAX, INT16_MIN, 0, -7, 500 };
	int16_t		 y[7];
	uint8_t		 p[sizeof lr], q[28];
	size_t		 i;

	(void)state;
	to_pipe(lr, 14, 1, p);
	assert_int_equal(pcmconv_in(in, p, sizeof p, y, 7), 7);
	assert_memory_equal(y, mean, sizeof mean);

	assert_int_equal(pcmconv_out(out, mean, 7, q, sizeof q), sizeof q);
	for (i = 0; i < 7; i++) {
		assert_int_equal(from_pipe(q, i, 2, 0), mean[i]);
		assert_int_equal(from_pipe(q, i, 2, 1), mean[i]);
	}
	pcmconv_free(in);
	pcmconv_free(out);
}

/*
 * Every rate and channel count: a stream of noise given in pieces of odd
 * lengths, each cutting samples and sample frames, converts to the same
 * samples as given at once, and the held bytes are what is left over.
 */
static void
test_split_in(void **state)
{
	static const size_t	 cuts[] = { 1, 3, 7, 2, 5, 1, 1, 11, 4, 9 };
	struct pcmconv		*one, *many;
	uint8_t			 p[4002];
	int16_t			*y, *z;
	size_t			 i, r, off, len, n, m, left;
	uint32_t		 seed = 7;
	int			 c;

	(void)state;
	for (i = 0; i < sizeof p; i++)
		p[i] = (uint8_t)lcg(&seed);
	y = calloc(sizeof p * 6, sizeof *y);
	z = calloc(sizeof p * 6, sizeof *z);
	assert_non_null(y);
	assert_non_null(z);
	for (r = 0; r < NRATES; r++) {
		for (c = 1; c <= 2; c++) {
			one = new_in(rates[r], c);
			many = new_in(rates[r], c);

			n = pcmconv_in(one, p, sizeof p, y, sizeof p * 6);
			assert_int_equal(n, sizeof p / (2 * c) *
			    (48000 / rates[r]));
			assert_int_equal(pcmconv_in_pending(one),
			    sizeof p % (2 * c));

			m = 0;
			for (off = 0, i = 0; off < sizeof p; off += len, i++) {
				len = cuts[i % 10];
				if (len > sizeof p - off)
					len = sizeof p - off;
				left = pcmconv_in_max(many, len);
				assert_int_equal(pcmconv_in(many, p + off, len,
				    z + m, left), left);
				m += left;
				assert_int_equal(pcmconv_in_pending(many),
				    (off + len) % (2 * c));
			}
			assert_int_equal(m, n);
			assert_memory_equal(y, z, n * sizeof *y);
			pcmconv_free(one);
			pcmconv_free(many);
		}
	}
	free(y);
	free(z);
}

/* The same going out: 48 kHz samples given a few at a time. */
static void
test_split_out(void **state)
{
	static const size_t	 cuts[] = { 1, 3, 7, 2, 5, 1, 1, 11, 4, 9 };
	struct pcmconv		*one, *many;
	int16_t			 x[3001];
	uint8_t			 p[3001 * 4], q[3001 * 4];
	size_t			 i, r, off, n, m, len, room;
	uint32_t		 seed = 3;
	int			 c;

	(void)state;
	for (i = 0; i < 3001; i++)
		x[i] = (int16_t)(lcg(&seed) & 0xffff);
	for (r = 0; r < NRATES; r++) {
		for (c = 1; c <= 2; c++) {
			one = new_out(rates[r], c);
			many = new_out(rates[r], c);

			assert_int_equal(pcmconv_out_max(one, 3001),
			    3001 / (48000 / rates[r]) * 2 * c);
			n = pcmconv_out(one, x, 3001, p, sizeof p);
			assert_int_equal(n, pcmconv_out_max(many, 3001));

			m = 0;
			for (off = 0, i = 0; off < 3001; off += len, i++) {
				len = cuts[i % 10];
				if (len > 3001 - off)
					len = 3001 - off;
				room = pcmconv_out_max(many, len);
				assert_int_equal(pcmconv_out(many, x + off, len,
				    q + m, room), room);
				m += room;
			}
			assert_int_equal(m, n);
			assert_memory_equal(p, q, n);
			pcmconv_free(one);
			pcmconv_free(many);
		}
	}
}

/*
 * A 1 kHz tone at every rate goes up to 48 kHz and back: its level after
 * each step is within 1 dB, and it is the only thing there (everything
 * else at least 40 dB down).
 */
static void
test_sine(void **state)
{
	struct pcmconv	*in, *out;
	int16_t		 x[4800], y[48000], z[4800];
	uint8_t		 p[4800 * 4], q[4800 * 4];
	size_t		 r, n, nx, i;
	double		 a, rms;
	int		 c, rate;

	(void)state;
	for (r = 0; r < NRATES; r++) {
		for (c = 1; c <= 2; c++) {
			rate = rates[r];
			nx = rate / 10;		/* 100 ms */
			sine(x, nx, 1000, rate, AMP);
			to_pipe(x, nx, c, p);
			in = new_in(rate, c);
			out = new_out(rate, c);

			n = pcmconv_in(in, p, nx * 2 * c, y, 48000);
			assert_int_equal(n, 4800);
			/* 48 ms, a whole number of cycles, once settled. */
			a = goertzel(y + 2400, 2304, 1000, 48000);
			assert_true(fabs(db(a, AMP)) < 1);
			for (rms = 0, i = 2400; i < 4704; i++)
				rms += (double)y[i] * y[i];
			rms = sqrt(rms / 2304);
			assert_true(db(sqrt(fmax(1, rms * rms - a * a / 2)),
			    a / sqrt(2)) < -40);

			n = pcmconv_out(out, y, 4800, q, sizeof q);
			assert_int_equal(n, nx * 2 * c);
			for (i = 0; i < nx; i++)
				z[i] = from_pipe(q, i, c, c - 1);
			a = goertzel(z + nx / 2, nx / 2 - nx / 2 % (rate /
			    1000), 1000, rate);
			assert_true(fabs(db(a, AMP)) < 1);
			pcmconv_free(in);
			pcmconv_free(out);
		}
	}
}

/* Going up from 16 kHz, 1 kHz leaves no image at 15 or 17 kHz. */
static void
test_images(void **state)
{
	struct pcmconv	*in = new_in(16000, 1);
	int16_t		 x[1600], y[4800];
	uint8_t		 p[3200];
	double		 a;

	(void)state;
	sine(x, 1600, 1000, 16000, AMP);
	to_pipe(x, 1600, 1, p);
	assert_int_equal(pcmconv_in(in, p, sizeof p, y, 4800), 4800);
	a = goertzel(y + 2400, 2400, 15000, 48000);
	assert_true(db(a, AMP) < -50);
	a = goertzel(y + 2400, 2400, 17000, 48000);
	assert_true(db(a, AMP) < -50);
	pcmconv_free(in);
}

/*
 * 10 kHz at 48 kHz is above 16 kHz's Nyquist frequency: taken down to 16
 * kHz it must go, not fold to 6 kHz.  Every lower rate likewise drops a
 * tone just above its Nyquist frequency.
 */
static void
test_alias(void **state)
{
	struct pcmconv	*out;
	int16_t		 x[4800], z[2400];
	uint8_t		 q[4800 * 2];
	size_t		 r, n, i;
	double		 a, rms, f;
	int		 rate;

	(void)state;
	sine(x, 4800, 10000, 48000, AMP);
	out = new_out(16000, 1);
	n = pcmconv_out(out, x, 4800, q, sizeof q);
	assert_int_equal(n, 1600 * 2);
	for (i = 0; i < 1600; i++)
		z[i] = from_pipe(q, i, 1, 0);
	a = goertzel(z + 800, 800, 6000, 16000);
	assert_true(db(a, AMP) < -30);
	for (rms = 0, i = 800; i < 1600; i++)
		rms += (double)z[i] * z[i];
	assert_true(db(sqrt(fmax(1, rms / 800)), AMP / sqrt(2)) < -30);
	pcmconv_free(out);

	for (r = 0; r < NRATES - 1; r++) {
		rate = rates[r];
		f = rate * 0.6;		/* 20% above Nyquist */
		sine(x, 4800, f, 48000, AMP);
		out = new_out(rate, 1);
		n = pcmconv_out(out, x, 4800, q, sizeof q) / 2;
		for (i = 0; i < n; i++)
			z[i] = from_pipe(q, i, 1, 0);
		for (rms = 0, i = n / 2; i < n; i++)
			rms += (double)z[i] * z[i];
		assert_true(db(sqrt(fmax(1, rms / (n - n / 2))),
		    AMP / sqrt(2)) < -30);
		pcmconv_free(out);
	}
}

/* Full-scale DC comes through exactly, both ways, at every rate. */
static void
test_dc(void **state)
{
	static const int16_t	 dc[] = { INT16_MAX, INT16_MIN, -1234 };
	struct pcmconv		*in, *out;
	int16_t			 x[4800], y[4800];
	uint8_t			 p[9600];
	size_t			 r, d, i, n;

	(void)state;
	for (r = 0; r < NRATES; r++) {
		for (d = 0; d < 3; d++) {
			for (i = 0; i < 4800; i++)
				x[i] = dc[d];
			to_pipe(x, 4800, 1, p);
			in = new_in(rates[r], 1);
			n = pcmconv_in(in, p, rates[r] / 10 * 2, y, 4800);
			assert_int_equal(n, 4800);
			for (i = SETTLE * 6; i < n; i++)
				assert_int_equal(y[i], dc[d]);
			out = new_out(rates[r], 1);
			n = pcmconv_out(out, x, 4800, p, sizeof p) / 2;
			for (i = SETTLE; i < n; i++)
				assert_int_equal(from_pipe(p, i, 1, 0), dc[d]);
			pcmconv_free(in);
			pcmconv_free(out);
		}
	}
}

/*
 * A full-scale 1 kHz square wave rings past full scale through the
 * filters: the output is what the same wave at three quarters of full
 * scale gives, scaled by 4/3 and clipped to 16 bits, not wrapped.
 */
static void
test_saturate(void **state)
{
	int16_t	x[4800], small[4800], full[4800];
	size_t	i;
	int	clipped;

	(void)state;
	for (i = 0; i < 1600; i++)
		x[i] = i % 16 < 8 ? 24576 : -24576;
	convert_in(16000, x, 1600, small);
	for (i = 0; i < 1600; i++)
		x[i] = i % 16 < 8 ? INT16_MAX : INT16_MIN;
	convert_in(16000, x, 1600, full);
	clipped = 0;
	for (i = 0; i < 4800; i++)
		clipped += check_clip(small[i], full[i]);
	assert_true(clipped > 100);

	/* And down, from a 48 kHz square wave. */
	for (i = 0; i < 4800; i++)
		x[i] = i % 48 < 24 ? 24576 : -24576;
	convert_out(16000, x, 4800, small);
	for (i = 0; i < 4800; i++)
		x[i] = i % 48 < 24 ? INT16_MAX : INT16_MIN;
	convert_out(16000, x, 4800, full);
	clipped = 0;
	for (i = 0; i < 1600; i++)
		clipped += check_clip(small[i], full[i]);
	assert_true(clipped > 30);
}

/* 1 when 4/3 of small is past full scale and full is at the limit. */
static int
check_clip(int16_t small, int16_t full)
{
	double	want = small * 4.0 / 3;

	if (want > INT16_MAX) {
		assert_int_equal(full, INT16_MAX);
		return 1;
	}
	if (want < INT16_MIN) {
		assert_int_equal(full, INT16_MIN);
		return 1;
	}
	assert_true(fabs(full - want) <= 4);
	return 0;
}

/* n pipe samples at rate, mono, in one piece to 48 kHz. */
static void
convert_in(int rate, const int16_t *x, size_t n, int16_t *y)
{
	struct pcmconv	*in = new_in(rate, 1);
	uint8_t		*p;

	p = calloc(n, 2);
	assert_non_null(p);
	to_pipe(x, n, 1, p);
	assert_int_equal(pcmconv_in(in, p, n * 2, y, n * (48000 / rate)),
	    n * (48000 / rate));
	free(p);
	pcmconv_free(in);
}

/* n 48 kHz samples in one piece to rate, mono. */
static void
convert_out(int rate, const int16_t *x, size_t n, int16_t *y)
{
	struct pcmconv	*out = new_out(rate, 1);
	uint8_t		*p;
	size_t		 i, len;

	len = n / (48000 / rate) * 2;
	p = calloc(len, 1);
	assert_non_null(p);
	assert_int_equal(pcmconv_out(out, x, n, p, len), len);
	for (i = 0; i < len / 2; i++)
		y[i] = from_pipe(p, i, 1, 0);
	free(p);
	pcmconv_free(out);
}

/*
 * Too little room: whole frames and samples that do not fit are dropped,
 * the stream stays in step (the partial frame is still held) and nothing
 * is written past max.
 */
static void
test_no_room(void **state)
{
	struct pcmconv	*in = new_in(16000, 2), *out = new_out(16000, 2);
	int16_t		 x[30], y[16];
	uint8_t		 p[43], q[16];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof p; i++)
		p[i] = (uint8_t)i;
	memset(y, 0x55, sizeof y);
	assert_int_equal(pcmconv_in_max(in, sizeof p), 30);
	assert_int_equal(pcmconv_in(in, p, sizeof p, y, 8), 6);
	assert_int_equal(y[6], 0x5555);
	assert_int_equal(pcmconv_in_pending(in), 3);

	for (i = 0; i < 30; i++)
		x[i] = (int16_t)i;
	memset(q, 0x55, sizeof q);
	assert_int_equal(pcmconv_out_max(out, 30), 40);
	assert_int_equal(pcmconv_out(out, x, 30, q, 10), 8);
	assert_int_equal(q[8], 0x55);
	pcmconv_free(in);
	pcmconv_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_valid),
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_copy_48k),
		cmocka_unit_test(test_stereo),
		cmocka_unit_test(test_split_in),
		cmocka_unit_test(test_split_out),
		cmocka_unit_test(test_sine),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_dc),
		cmocka_unit_test(test_saturate),
		cmocka_unit_test(test_no_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
