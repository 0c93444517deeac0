/*
 * Unit tests for the Opus wrapper (lib/opuscodec.c).  A 1 kHz sine goes
 * through the encoder and decoder and comes out a 1 kHz sine, measured
 * with the Goertzel algorithm against its harmonics and neighbours.  Lost
 * frames of a changing signal are rebuilt from the next packet's FEC and,
 * in another decoder, by PLC; against a decoder that lost nothing, FEC
 * comes closer.  Silence becomes DTX packets; arguments out of range,
 * packets of the wrong length and random bytes are refused and never
 * crash.
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

#include "opuscodec.h"

#define FRAMES	50	/* a second */

static void	test_args(void **);
static void	test_sine(void **);
static void	test_fec(void **);
static void	test_dtx(void **);
static void	test_wrong_length(void **);
static void	test_garbage(void **);
static double	goertzel(const int16_t *, size_t, double);
static double	energy(const int16_t *, const int16_t *, size_t);
static void	sine(int16_t *, size_t, size_t, double, double);
static void	lose(uint8_t [][OPUSCODEC_MAX_PACKET], const int *, size_t,
		    int16_t *, int16_t *, int16_t *);
static void	speechlike(int16_t *, size_t, size_t);
static int	encode_all(const int16_t *, size_t, int, uint8_t [][
		    OPUSCODEC_MAX_PACKET], int *);
static uint32_t	lcg(uint32_t *);

/* Power of the frequency freq (Hz) in n samples at 48 kHz. */
static double
goertzel(const int16_t *x, size_t n, double freq)
{
	double	coeff, s0, s1 = 0, s2 = 0;
	size_t	i;

	coeff = 2 * cos(2 * M_PI * freq / OPUSCODEC_RATE);
	for (i = 0; i < n; i++) {
		s0 = x[i] + coeff * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/* Energy of a - b, or of a alone when b is NULL. */
static double
energy(const int16_t *a, const int16_t *b, size_t n)
{
	double	e = 0, d;
	size_t	i;

	for (i = 0; i < n; i++) {
		d = a[i] - (b != NULL ? b[i] : 0);
		e += d * d;
	}
	return e;
}

/* n samples of a sine of freq Hz, amplitude amp, from sample start. */
static void
sine(int16_t *x, size_t start, size_t n, double freq, double amp)
{
	size_t	i;

	for (i = 0; i < n; i++)
		x[i] = (int16_t)lrint(amp * sin(2 * M_PI * freq *
		    (double)(start + i) / OPUSCODEC_RATE));
}

/*
 * A voiced sound whose pitch glides and whose loudness swells, so the
 * frame after a loss is not the one before it again: what PLC guesses.
 */
static void
speechlike(int16_t *x, size_t n, size_t period)
{
	double	t, f0, env, phase = 0, v;
	size_t	i, h;

	for (i = 0; i < n; i++) {
		t = (double)i / OPUSCODEC_RATE;
		f0 = 120 + 80 * sin(2 * M_PI * t * 1.5);
		env = 0.5 + 0.5 * sin(2 * M_PI * t * 48000.0 / period);
		phase += 2 * M_PI * f0 / OPUSCODEC_RATE;
		v = 0;
		for (h = 1; h <= 8; h++)
			v += sin(h * phase) / h;
		x[i] = (int16_t)lrint(6000 * env * v);
	}
}

/* Encode n whole frames; every packet and its length. */
static int
encode_all(const int16_t *x, size_t frames, int loss,
    uint8_t pkt[][OPUSCODEC_MAX_PACKET], int *len)
{
	struct opuscodec_enc	*oe;
	char			*cause = NULL;
	size_t			 i;

	oe = opuscodec_enc_new(24000, loss, &cause);
	assert_non_null(oe);
	for (i = 0; i < frames; i++) {
		len[i] = opuscodec_encode(oe, x + i * OPUSCODEC_FRAME, pkt[i],
		    OPUSCODEC_MAX_PACKET);
		assert_true(len[i] > 0 && len[i] <= OPUSCODEC_MAX_PACKET);
	}
	opuscodec_enc_free(oe);
	return 0;
}

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 8;
}

static void
test_args(void **state)
{
	struct opuscodec_enc	*oe;
	char			*cause;

	(void)state;
	cause = NULL;
	assert_null(opuscodec_enc_new(100, 10, &cause));
	assert_string_equal(cause, "bitrate 100: out of range");
	free(cause);
	cause = NULL;
	assert_null(opuscodec_enc_new(24000, 101, &cause));
	assert_string_equal(cause, "packet loss 101%: out of range");
	free(cause);

	cause = NULL;
	oe = opuscodec_enc_new(24000, 10, &cause);
	assert_non_null(oe);
	assert_int_equal(opuscodec_enc_set_bitrate(oe, 64000, &cause), 0);
	assert_int_equal(opuscodec_enc_set_loss(oe, 0, &cause), 0);
	assert_int_equal(opuscodec_enc_set_bitrate(oe, 600000, &cause), -1);
	assert_string_equal(cause, "bitrate 600000: out of range");
	free(cause);
	cause = NULL;
	assert_int_equal(opuscodec_enc_set_loss(oe, -1, &cause), -1);
	assert_string_equal(cause, "packet loss -1%: out of range");
	free(cause);
	opuscodec_enc_free(oe);
	opuscodec_enc_free(NULL);
	opuscodec_dec_free(NULL);
}

/*
 * A second of 1 kHz in, the last half second out (the codec has settled):
 * 1 kHz stands more than 30 dB over its second and third harmonics and
 * over 500 Hz and 1.5 kHz, and its level is within 3 dB of the input's.
 */
static void
test_sine(void **state)
{
	static int16_t		 in[FRAMES * OPUSCODEC_FRAME];
	static int16_t		 out[FRAMES * OPUSCODEC_FRAME];
	static uint8_t		 pkt[FRAMES][OPUSCODEC_MAX_PACKET];
	int			 len[FRAMES];
	struct opuscodec_dec	*od;
	char			*cause = NULL;
	const int16_t		*tail;
	size_t			 i, n = FRAMES / 2 * OPUSCODEC_FRAME;
	double			 p1k, ratio;

	(void)state;
	sine(in, 0, FRAMES * OPUSCODEC_FRAME, 1000, 10000);
	encode_all(in, FRAMES, 0, pkt, len);
	od = opuscodec_dec_new(&cause);
	assert_non_null(od);
	for (i = 0; i < FRAMES; i++)
		assert_int_equal(opuscodec_decode(od, pkt[i], len[i],
		    out + i * OPUSCODEC_FRAME), OPUSCODEC_FRAME);
	opuscodec_dec_free(od);

	tail = out + FRAMES * OPUSCODEC_FRAME - n;
	p1k = goertzel(tail, n, 1000);
	assert_true(10 * log10(p1k / goertzel(tail, n, 2000)) > 30);
	assert_true(10 * log10(p1k / goertzel(tail, n, 3000)) > 30);
	assert_true(10 * log10(p1k / goertzel(tail, n, 500)) > 30);
	assert_true(10 * log10(p1k / goertzel(tail, n, 1500)) > 30);
	ratio = energy(tail, NULL, n) / energy(in, NULL, n);
	assert_true(fabs(10 * log10(ratio)) < 3);
}

/*
 * Frame lost of a changing voice never comes.  Decoder A lost nothing; B
 * rebuilds the frame from the FEC in the next packet; C conceals it.
 * Fill a, b and c with the frame as each decoder has it.
 */
static void
lose(uint8_t pkt[][OPUSCODEC_MAX_PACKET], const int *len, size_t lost,
    int16_t *a, int16_t *b, int16_t *c)
{
	int16_t			 tmp[OPUSCODEC_FRAME];
	struct opuscodec_dec	*da, *db, *dc;
	char			*cause = NULL;
	size_t			 i;

	da = opuscodec_dec_new(&cause);
	db = opuscodec_dec_new(&cause);
	dc = opuscodec_dec_new(&cause);
	assert_true(da != NULL && db != NULL && dc != NULL);
	for (i = 0; i <= lost + 1; i++) {
		assert_int_equal(opuscodec_decode(da, pkt[i], len[i],
		    i == lost ? a : tmp), OPUSCODEC_FRAME);
		if (i == lost) {
			assert_int_equal(opuscodec_decode_fec(db, pkt[i + 1],
			    len[i + 1], b), OPUSCODEC_FRAME);
			assert_int_equal(opuscodec_plc(dc, c),
			    OPUSCODEC_FRAME);
			continue;
		}
		/* After the loss, both go on with the next packet. */
		assert_int_equal(opuscodec_decode(db, pkt[i], len[i], tmp),
		    OPUSCODEC_FRAME);
		assert_int_equal(opuscodec_decode(dc, pkt[i], len[i], tmp),
		    OPUSCODEC_FRAME);
	}
	opuscodec_dec_free(da);
	opuscodec_dec_free(db);
	opuscodec_dec_free(dc);
}

/*
 * Each frame from 10 to 44 lost in turn, compared with the frame decoder
 * A has.  Where the next packet carries no FEC (SILK leaves it out of
 * quiet frames), decode_fec conceals exactly as PLC does.  FEC is not
 * better every time, but it is in most, and over all of them its error is
 * under a quarter of PLC's; what it rebuilds holds the energy of the
 * frames it stands for, within 3 dB.
 */
static void
test_fec(void **state)
{
	static int16_t		 in[FRAMES * OPUSCODEC_FRAME];
	static uint8_t		 pkt[FRAMES][OPUSCODEC_MAX_PACKET];
	int16_t			 a[OPUSCODEC_FRAME], b[OPUSCODEC_FRAME];
	int16_t			 c[OPUSCODEC_FRAME];
	int			 len[FRAMES];
	size_t			 lost;
	double			 efec = 0, eplc = 0, ea = 0, eb = 0;
	int			 better = 0, same = 0;

	(void)state;
	speechlike(in, FRAMES * OPUSCODEC_FRAME, 9000);
	encode_all(in, FRAMES, 20, pkt, len);
	for (lost = 10; lost < 45; lost++) {
		lose(pkt, len, lost, a, b, c);
		if (memcmp(b, c, sizeof b) == 0) {
			same++;
			continue;
		}
		if (energy(a, b, OPUSCODEC_FRAME) <
		    energy(a, c, OPUSCODEC_FRAME))
			better++;
		efec += energy(a, b, OPUSCODEC_FRAME);
		eplc += energy(a, c, OPUSCODEC_FRAME);
		ea += energy(a, NULL, OPUSCODEC_FRAME);
		eb += energy(b, NULL, OPUSCODEC_FRAME);
	}
	assert_true(same < 10);
	assert_true(better >= 2 * (35 - same) / 3);
	assert_true(efec < eplc / 4);
	assert_true(fabs(10 * log10(eb / ea)) < 3);
}

/*
 * Half a second of tone, then two seconds of silence: once the encoder
 * has gone into DTX (libopus waits 200 ms) the packets are DTX-sized,
 * except one comfort noise update every 400 ms.
 */
static void
test_dtx(void **state)
{
	struct opuscodec_enc	*oe;
	struct opuscodec_dec	*od;
	int16_t			 pcm[OPUSCODEC_FRAME], out[OPUSCODEC_FRAME];
	uint8_t			 pkt[OPUSCODEC_MAX_PACKET];
	char			*cause = NULL;
	int			 i, n, tiny = 0, big = 0;

	(void)state;
	oe = opuscodec_enc_new(24000, 10, &cause);
	od = opuscodec_dec_new(&cause);
	assert_true(oe != NULL && od != NULL);
	for (i = 0; i < 25; i++) {
		sine(pcm, (size_t)i * OPUSCODEC_FRAME, OPUSCODEC_FRAME, 440,
		    8000);
		n = opuscodec_encode(oe, pcm, pkt, sizeof pkt);
		assert_true(n > OPUSCODEC_DTX_LEN);
	}
	memset(pcm, 0, sizeof pcm);
	for (i = 0; i < 100; i++) {
		n = opuscodec_encode(oe, pcm, pkt, sizeof pkt);
		assert_true(n > 0);
		if (i < 15)
			continue;
		if (n <= OPUSCODEC_DTX_LEN) {
			tiny++;
			/* A DTX packet still decodes, to near silence. */
			assert_int_equal(opuscodec_decode(od, pkt, n, out),
			    OPUSCODEC_FRAME);
		} else
			big++;
	}
	assert_true(tiny >= 80);
	assert_true(big <= 5);
	opuscodec_enc_free(oe);
	opuscodec_dec_free(od);
}

/* Empty, too long and not 20 ms: refused before the decoder sees them. */
static void
test_wrong_length(void **state)
{
	struct opuscodec_dec	*od;
	int16_t			 pcm[OPUSCODEC_FRAME];
	uint8_t			 pkt[4];
	char			*cause = NULL;

	(void)state;
	od = opuscodec_dec_new(&cause);
	assert_non_null(od);
	memset(pkt, 0, sizeof pkt);
	assert_int_equal(opuscodec_decode(od, pkt, 0, pcm), -1);
	assert_int_equal(opuscodec_decode(od, NULL, 3, pcm), -1);
	assert_int_equal(opuscodec_decode_fec(od, pkt, 0, pcm), -1);
	/* TOC config 1: SILK NB 20 ms, code 0: decodes. */
	pkt[0] = 1 << 3;
	assert_int_equal(opuscodec_decode(od, pkt, 1, pcm), OPUSCODEC_FRAME);
	/* Config 0: 10 ms; config 2: 40 ms; config 3: 60 ms. */
	pkt[0] = 0;
	assert_int_equal(opuscodec_decode(od, pkt, 1, pcm), -1);
	pkt[0] = 2 << 3;
	assert_int_equal(opuscodec_decode(od, pkt, 1, pcm), -1);
	assert_int_equal(opuscodec_decode_fec(od, pkt, 1, pcm), -1);
	pkt[0] = 3 << 3;
	assert_int_equal(opuscodec_decode(od, pkt, 1, pcm), -1);
	/* Code 1 (two frames) of 10 ms each is 20 ms, and fine. */
	pkt[0] = 0 | 1;
	assert_int_equal(opuscodec_decode(od, pkt, 1, pcm), OPUSCODEC_FRAME);
	/* Code 3 with a frame count of 0 is malformed. */
	pkt[0] = 1 << 3 | 3;
	pkt[1] = 0;
	assert_int_equal(opuscodec_decode(od, pkt, 2, pcm), -1);
	assert_int_equal(opuscodec_plc(od, pcm), OPUSCODEC_FRAME);
	opuscodec_dec_free(od);
}

/*
 * 1000 random buffers, each exactly sized so ASan sees an overread, through
 * decode and decode_fec: each gives a whole frame or -1, never a crash.
 * Random bytes are often a valid Opus packet, so both happen.
 */
static void
test_garbage(void **state)
{
	struct opuscodec_dec	*od;
	int16_t			 pcm[OPUSCODEC_FRAME];
	uint8_t			*p;
	char			*cause = NULL;
	uint32_t		 rnd = 7;
	size_t			 len, j;
	int			 i, r, ok = 0, bad = 0;

	(void)state;
	od = opuscodec_dec_new(&cause);
	assert_non_null(od);
	for (i = 0; i < 1000; i++) {
		len = 1 + lcg(&rnd) % 1500;
		p = malloc(len);
		assert_non_null(p);
		for (j = 0; j < len; j++)
			p[j] = (uint8_t)lcg(&rnd);
		r = i % 2 ? opuscodec_decode(od, p, len, pcm) :
		    opuscodec_decode_fec(od, p, len, pcm);
		assert_true(r == OPUSCODEC_FRAME || r == -1);
		if (r == -1)
			bad++;
		else
			ok++;
		free(p);
	}
	assert_true(ok > 0 && bad > 0);
	/* The decoder still works. */
	assert_int_equal(opuscodec_plc(od, pcm), OPUSCODEC_FRAME);
	opuscodec_dec_free(od);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_sine),
		cmocka_unit_test(test_fec),
		cmocka_unit_test(test_dtx),
		cmocka_unit_test(test_wrong_length),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
