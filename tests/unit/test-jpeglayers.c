/*
 * Unit tests for video layers (lib/jpeglayers.c).  Camera images come from
 * TurboJPEG as meet-cap makes them (baseline, standard tables); each layer
 * made must have the size RFC 2435 can carry, pass jpeg_rtp_info as it is,
 * decode, and show the picture of the original at its scale (the crop of a
 * side that is no multiple of 8 taken evenly from both ends).  A layer not
 * asked for is not made.  The time each layer takes is printed, never
 * judged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <turbojpeg.h>

#include "jpeglayers.h"
#include "rfc2435.h"

/*
 * The test picture: a grey checkerboard of SQUARE pixels (edges in luma
 * only, which every layer keeps down to 1/8) over areas of colour four
 * times as large: 4:2:0 halves the chroma of each layer again, so sharp
 * colour edges everywhere would cost more than a misplaced crop.
 */
#define SQUARE	48

static void	test_sizes_640(void **);
static void	test_sizes_720(void **);
static void	test_sizes_odd(void **);
static void	test_422(void **);
static void	test_ladder(void **);
static void	test_mask(void **);
static void	test_full_untouched(void **);
static void	test_refuses(void **);
static void	test_quality(void **);
static void	test_optimized_tables(void **);
static int	unset_optimize(void **);
static void	test_restart_markers(void **);
static int	unset_restart(void **);
static void	test_timing(void **);
static uint8_t	*make_rgb(int, int);
static uint8_t	*make_jpeg(int, int, int, int, int, size_t *);
static uint8_t	*decode_rgb(const uint8_t *, size_t, int, int);
static double	picture_error(const uint8_t *, size_t, int, int,
		    const uint8_t *, size_t, int, int, int);
static void	check_picture(const uint8_t *, size_t, int, int,
		    const uint8_t *, size_t, int);
static void	check_layers(int, int, int, const int [][2]);
static double	now_ms(void);

static uint8_t *
make_rgb(int w, int h)
{
	static const int	 colour[6][3] = {
		{ 90, -40, -40 }, { -40, 70, -40 }, { -40, -40, 90 },
		{ 0, 0, 0 }, { 60, 60, -60 }, { -60, 40, 60 }
	};
	uint8_t			*rgb, *p;
	int			 x, y, c, k, grey, v;

	rgb = malloc((size_t)w * h * 3);
	assert_non_null(rgb);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			grey = (x / SQUARE + y / SQUARE) % 2 ? 180 : 70;
			c = (x / (4 * SQUARE) + 2 * (y / (4 * SQUARE))) % 6;
			p = rgb + ((size_t)y * w + x) * 3;
			for (k = 0; k < 3; k++) {
				v = grey + colour[c][k];
				p[k] = v < 0 ? 0 : v > 255 ? 255 : v;
			}
		}
	}
	return rgb;
}

/* A camera image: the caller frees it with tjFree. */
static uint8_t *
make_jpeg(int w, int h, int samp, int quality, int flags, size_t *len)
{
	tjhandle	 tj;
	uint8_t		*rgb, *jpeg = NULL;
	unsigned long	 size = 0;

	rgb = make_rgb(w, h);
	tj = tjInitCompress();
	assert_non_null(tj);
	assert_int_equal(tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpeg, &size,
	    samp, quality, flags), 0);
	tjDestroy(tj);
	free(rgb);
	*len = size;
	return jpeg;
}

/* Decode to RGB, checking the size; the caller frees. */
static uint8_t *
decode_rgb(const uint8_t *jpeg, size_t len, int w, int h)
{
	tjhandle	 tj;
	uint8_t		*rgb;

	tj = tjInitDecompress();
	assert_non_null(tj);
	rgb = malloc((size_t)w * h * 3);
	assert_non_null(rgb);
	assert_int_equal(tjDecompress2(tj, jpeg, len, rgb, w, 0, h, TJPF_RGB,
	    0), 0);
	tjDestroy(tj);
	return rgb;
}

/*
 * How far a layer of w x h is from the original decoded at 1/2^i by
 * TurboJPEG and cropped evenly to w x h, moved by dx, dy: the mean absolute
 * difference a sample where both have pixels.  Re-encoding costs a few
 * levels; chroma swapped or shifted against luma costs tens, and a crop
 * off by a row or two costs more than the right one.
 */
static double
picture_error(const uint8_t *layer, size_t layer_len, int w, int h,
    const uint8_t *orig, size_t orig_len, int i, int dx, int dy)
{
	tjscalingfactor	 sf = { 1, 1 << i };
	tjhandle	 tj;
	uint8_t		*ref, *got;
	int		 ow, oh, sw, sh, samp, cs, x0, y0, x, y, c, rx, ry;
	double		 sum = 0, n = 0;

	tj = tjInitDecompress();
	assert_non_null(tj);
	assert_int_equal(tjDecompressHeader3(tj, orig, orig_len, &ow, &oh,
	    &samp, &cs), 0);
	sw = TJSCALED(ow, sf);
	sh = TJSCALED(oh, sf);
	ref = malloc((size_t)sw * sh * 3);
	assert_non_null(ref);
	assert_int_equal(tjDecompress2(tj, orig, orig_len, ref, sw, 0, sh,
	    TJPF_RGB, 0), 0);
	tjDestroy(tj);
	got = decode_rgb(layer, layer_len, w, h);
	x0 = ((sw - w) / 2) & ~1;
	y0 = ((sh - h) / 2) & ~1;
	for (y = 0; y < h; y++) {
		ry = y + y0 + dy;
		for (x = 0; x < w; x++) {
			rx = x + x0 + dx;
			if (rx < 0 || rx >= sw || ry < 0 || ry >= sh)
				continue;
			for (c = 0; c < 3; c++)
				sum += abs(got[((size_t)y * w + x) * 3 + c] -
				    ref[((size_t)ry * sw + rx) * 3 + c]);
			n += 3;
		}
	}
	free(ref);
	free(got);
	assert_true(n > 0);
	return sum / n;
}

/* The picture is where it should be: no shift of 1 or 2 fits it better. */
static void
check_picture(const uint8_t *layer, size_t layer_len, int w, int h,
    const uint8_t *orig, size_t orig_len, int i)
{
	static const int	 shifts[][2] = {
		{ -2, 0 }, { -1, 0 }, { 1, 0 }, { 2, 0 },
		{ 0, -2 }, { 0, -1 }, { 0, 1 }, { 0, 2 }
	};
	double			 e, es;
	size_t			 k;

	e = picture_error(layer, layer_len, w, h, orig, orig_len, i, 0, 0);
	print_message("layer %d: %dx%d, %zu bytes, error %.2f\n", i, w, h,
	    layer_len, e);
	assert_true(e < 6.0);
	for (k = 0; k < sizeof shifts / sizeof shifts[0]; k++) {
		es = picture_error(layer, layer_len, w, h, orig, orig_len, i,
		    shifts[k][0], shifts[k][1]);
		if (es < e)
			fail_msg("layer %d: shifted by %d,%d: error %.2f, "
			    "below %.2f", i, shifts[k][0], shifts[k][1],
			    es, e);
	}
}

/*
 * Every layer of a w x h image: the sizes expected (0 x 0: not made), each
 * made one for RFC 2435 as it is, decoding to the picture at its scale.
 * The layers are encoded at quality 95 here, so that what re-encoding the
 * colours' edges costs stays well under what a wrong crop or chroma would.
 */
static void
check_layers(int w, int h, int samp, const int want[][2])
{
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeglayers	*jl;
	struct jpeg_rtp_info	 info;
	uint8_t			*jpeg;
	size_t			 len;
	int			 q[JPEGLAYERS_MAX] = { 0, 95, 95, 95 };
	int			 i, made, lw, lh;
	char			 err[256];

	jpeg = make_jpeg(w, h, samp, 85, 0, &len);
	jl = jpeglayers_new(q, err, sizeof err);
	assert_non_null(jl);
	made = jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out, err,
	    sizeof err);
	assert_true(made >= 0);
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		assert_int_equal(out[i].width, want[i][0]);
		assert_int_equal(out[i].height, want[i][1]);
		if (want[i][0] == 0) {
			assert_false(out[i].made);
			assert_false(made & JPEGLAYERS_BIT(i));
			assert_int_equal(jpeglayers_size(w, h, i, &lw, &lh),
			    -1);
			continue;
		}
		assert_true(out[i].made);
		assert_true(made & JPEGLAYERS_BIT(i));
		assert_int_equal(jpeglayers_size(w, h, i, &lw, &lh), 0);
		assert_int_equal(lw, want[i][0]);
		assert_int_equal(lh, want[i][1]);
		if (jpeg_rtp_info(out[i].jpeg, out[i].len, &info, err,
		    sizeof err) != 0)
			fail_msg("layer %d: %s", i, err);
		assert_int_equal(info.width, want[i][0]);
		assert_int_equal(info.height, want[i][1]);
		assert_int_equal(info.type, samp == TJSAMP_420 ? 1 : 0);
		check_picture(out[i].jpeg, out[i].len, want[i][0],
		    want[i][1], jpeg, len, i);
	}
	jpeglayers_free(jl);
	tjFree(jpeg);
}

/* A 640x480 camera: 640x480, 320x240, 160x120, and 80x56 (60 cut to 56). */
static void
test_sizes_640(void **state)
{
	static const int	want[JPEGLAYERS_MAX][2] = {
		{ 640, 480 }, { 320, 240 }, { 160, 120 }, { 80, 56 }
	};

	(void)state;
	check_layers(640, 480, TJSAMP_420, want);
}

/* 1280x720: 640x360, then 320x180 cut to 320x176, 160x90 to 160x88. */
static void
test_sizes_720(void **state)
{
	static const int	want[JPEGLAYERS_MAX][2] = {
		{ 1280, 720 }, { 640, 360 }, { 320, 176 }, { 160, 88 }
	};

	(void)state;
	check_layers(1280, 720, TJSAMP_420, want);
}

/*
 * Sides that are multiples of 8 but not of 16 scale to sides that are not
 * multiples of 8; small images lose the layers under 16 pixels.
 */
static void
test_sizes_odd(void **state)
{
	static const int	want_648[JPEGLAYERS_MAX][2] = {
		{ 648, 488 }, { 320, 240 }, { 160, 120 }, { 80, 56 }
	};
	static const int	want_40[JPEGLAYERS_MAX][2] = {
		{ 40, 40 }, { 16, 16 }, { 0, 0 }, { 0, 0 }
	};
	static const int	want_wide[JPEGLAYERS_MAX][2] = {
		{ 2040, 64 }, { 1016, 32 }, { 504, 16 }, { 0, 0 }
	};
	int			lw, lh;

	(void)state;
	check_layers(648, 488, TJSAMP_420, want_648);
	check_layers(40, 40, TJSAMP_420, want_40);
	check_layers(2040, 64, TJSAMP_420, want_wide);
	/* A size RFC 2435 does not carry has no layers at all. */
	assert_int_equal(jpeglayers_size(644, 480, 0, &lw, &lh), -1);
	assert_int_equal(jpeglayers_size(2048, 480, 1, &lw, &lh), -1);
	assert_int_equal(jpeglayers_size(640, 480, JPEGLAYERS_MAX, &lw, &lh),
	    -1);
	assert_int_equal(jpeglayers_size(640, 480, -1, &lw, &lh), -1);
}

/* 4:2:2 cameras get 4:2:2 layers (RFC 2435 type 0). */
static void
test_422(void **state)
{
	static const int	want[JPEGLAYERS_MAX][2] = {
		{ 1280, 720 }, { 640, 360 }, { 320, 176 }, { 160, 88 }
	};

	(void)state;
	check_layers(1280, 720, TJSAMP_422, want);
}

/* The layers offered: down to the first no taller than the floor. */
static void
test_ladder(void **state)
{
	(void)state;
	assert_int_equal(jpeglayers_ladder(640, 480, 180), 0x7);
	assert_int_equal(jpeglayers_ladder(1280, 720, 180), 0x7);
	assert_int_equal(jpeglayers_ladder(1920, 1080, 180), 0xf);
	assert_int_equal(jpeglayers_ladder(640, 360, 180), 0x3);
	assert_int_equal(jpeglayers_ladder(320, 240, 180), 0x3);
	assert_int_equal(jpeglayers_ladder(160, 120, 180), 0x1);
	assert_int_equal(jpeglayers_ladder(640, 480, 0), 0xf);
	assert_int_equal(jpeglayers_ladder(640, 480, 480), 0x1);
	/* Small cameras stop where layers stop existing. */
	assert_int_equal(jpeglayers_ladder(40, 40, 0), 0x3);
	assert_int_equal(jpeglayers_ladder(644, 480, 180), 0);
}

/* Only the layers asked for are made, and the stats say so. */
static void
test_mask(void **state)
{
	struct jpeglayer		 out[JPEGLAYERS_MAX];
	struct jpeglayers		*jl;
	const struct jpeglayers_stats	*st;
	uint8_t				*jpeg;
	size_t				 len;
	int				 i;
	char				 err[256];

	(void)state;
	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, 0, &len);
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	st = jpeglayers_stats(jl);

	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_BIT(2),
	    out, err, sizeof err), JPEGLAYERS_BIT(2));
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		assert_int_equal(out[i].made, i == 2);
		if (i != 2)
			assert_null(out[i].jpeg);
	}
	assert_int_equal(out[2].width, 160);
	assert_int_equal(st->made[0], 0);
	assert_int_equal(st->made[1], 0);
	assert_int_equal(st->made[2], 1);
	assert_int_equal(st->made[3], 0);
	assert_int_equal(st->usec[1], 0);
	assert_int_equal(st->bytes[2], out[2].len);

	/* Nobody receives anything: nothing is made, nothing decoded. */
	assert_int_equal(jpeglayers_make(jl, jpeg, len, 0, out, err,
	    sizeof err), 0);
	for (i = 0; i < JPEGLAYERS_MAX; i++)
		assert_false(out[i].made);
	assert_int_equal(st->made[2], 1);

	/* Bits past the last layer ask for nothing. */
	assert_int_equal(jpeglayers_make(jl, jpeg, len,
	    ~JPEGLAYERS_ALL | JPEGLAYERS_BIT(1), out, err, sizeof err),
	    JPEGLAYERS_BIT(1));
	assert_int_equal(st->made[1], 1);
	assert_int_equal(st->made[2], 1);
	assert_int_equal(st->failed, 0);
	jpeglayers_free(jl);
	tjFree(jpeg);
}

/* The full layer is the caller's image, not a copy and not re-encoded. */
static void
test_full_untouched(void **state)
{
	struct jpeglayer		 out[JPEGLAYERS_MAX];
	struct jpeglayers		*jl;
	const struct jpeglayers_stats	*st;
	uint8_t				*jpeg;
	size_t				 len;
	char				 err[256];

	(void)state;
	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, 0, &len);
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_BIT(0),
	    out, err, sizeof err), JPEGLAYERS_BIT(0));
	assert_ptr_equal(out[0].jpeg, jpeg);
	assert_int_equal(out[0].len, len);
	assert_int_equal(out[0].width, 640);
	/* The other layers' sizes are known, though none was made. */
	assert_int_equal(out[1].width, 320);
	assert_int_equal(out[2].height, 120);
	assert_false(out[1].made);
	st = jpeglayers_stats(jl);
	assert_int_equal(st->made[0], 1);
	assert_int_equal(st->usec[0], 0);
	assert_int_equal(st->made[1] + st->made[2] + st->made[3], 0);
	jpeglayers_free(jl);
	tjFree(jpeg);
}

/*
 * What RFC 2435 cannot carry as it is (the sender normalizes it first) and
 * what is no image are refused, and nothing is made.
 */
static void
test_refuses(void **state)
{
	struct jpeglayer		 out[JPEGLAYERS_MAX];
	struct jpeglayers		*jl;
	uint8_t				*jpeg, garbage[256];
	size_t				 len;
	int				 i;
	char				 err[256];

	(void)state;
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);

	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, TJFLAG_PROGRESSIVE, &len);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "not for RFC 2435"));
	for (i = 0; i < JPEGLAYERS_MAX; i++)
		assert_false(out[i].made);
	tjFree(jpeg);

	jpeg = make_jpeg(640, 480, TJSAMP_444, 80, 0, &len);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "4:2:0"));
	tjFree(jpeg);

	/* Cut in its scan: no EOI. */
	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, 0, &len);
	assert_int_equal(jpeglayers_make(jl, jpeg, len / 2, JPEGLAYERS_ALL,
	    out, err, sizeof err), -1);
	assert_non_null(strstr(err, "truncated"));
	tjFree(jpeg);

	memset(garbage, 0x5a, sizeof garbage);
	assert_int_equal(jpeglayers_make(jl, garbage, sizeof garbage,
	    JPEGLAYERS_ALL, out, err, sizeof err), -1);
	assert_int_equal(jpeglayers_make(jl, garbage, 0, JPEGLAYERS_ALL, out,
	    err, sizeof err), -1);
	assert_int_equal(jpeglayers_stats(jl)->failed, 5);
	assert_int_equal(jpeglayers_stats(jl)->made[0], 0);
	jpeglayers_free(jl);
}

/* Each layer's quality is its own: lower costs fewer bytes. */
static void
test_quality(void **state)
{
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeglayers	*jl;
	uint8_t			*jpeg;
	size_t			 len, high[JPEGLAYERS_MAX];
	int			 q_high[JPEGLAYERS_MAX] = { 0, 95, 95, 95 };
	int			 q_low[JPEGLAYERS_MAX] = { 0, 30, 30, 30 };
	int			 q_bad[JPEGLAYERS_MAX] = { 0, 75, 101, 70 };
	int			 i;
	char			 err[256];

	(void)state;
	assert_null(jpeglayers_new(q_bad, err, sizeof err));
	assert_non_null(strstr(err, "layer 2: quality 101"));
	q_bad[2] = 0;
	assert_null(jpeglayers_new(q_bad, err, sizeof err));

	jpeg = make_jpeg(640, 480, TJSAMP_420, 90, 0, &len);
	jl = jpeglayers_new(q_high, err, sizeof err);
	assert_non_null(jl);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out,
	    err, sizeof err), JPEGLAYERS_ALL);
	for (i = 1; i < JPEGLAYERS_MAX; i++)
		high[i] = out[i].len;
	jpeglayers_free(jl);

	jl = jpeglayers_new(q_low, err, sizeof err);
	assert_non_null(jl);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out,
	    err, sizeof err), JPEGLAYERS_ALL);
	for (i = 1; i < JPEGLAYERS_MAX; i++) {
		print_message("layer %d: %zu bytes at 95, %zu at 30\n", i,
		    high[i], out[i].len);
		assert_true(out[i].len < high[i]);
	}
	jpeglayers_free(jl);
	tjFree(jpeg);
}

/*
 * TJ_OPTIMIZE makes TurboJPEG write Huffman tables of its own, which RFC
 * 2435 cannot carry: such a layer is refused, never handed out.
 */
static void
test_optimized_tables(void **state)
{
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeglayers	*jl;
	uint8_t			*jpeg;
	size_t			 len;
	char			 err[256];

	(void)state;
	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, 0, &len);
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	setenv("TJ_OPTIMIZE", "1", 1);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_ALL, out,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "Huffman"));
	assert_false(out[0].made);
	assert_false(out[1].made);
	jpeglayers_free(jl);
	tjFree(jpeg);
}

static int
unset_optimize(void **state)
{
	(void)state;
	unsetenv("TJ_OPTIMIZE");
	return 0;
}

/* Restart markers RFC 2435 carries (types 64 and 65): layers keep them. */
static void
test_restart_markers(void **state)
{
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeglayers	*jl;
	struct jpeg_rtp_info	 info;
	uint8_t			*jpeg;
	size_t			 len;
	char			 err[256];

	(void)state;
	jpeg = make_jpeg(640, 480, TJSAMP_420, 80, 0, &len);
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	setenv("TJ_RESTART", "2", 1);
	assert_int_equal(jpeglayers_make(jl, jpeg, len, JPEGLAYERS_BIT(1),
	    out, err, sizeof err), JPEGLAYERS_BIT(1));
	assert_int_equal(jpeg_rtp_info(out[1].jpeg, out[1].len, &info, err,
	    sizeof err), 0);
	assert_int_equal(info.type, 65);
	jpeglayers_free(jl);
	tjFree(jpeg);
}

static int
unset_restart(void **state)
{
	(void)state;
	unsetenv("TJ_RESTART");
	return 0;
}

static double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* What each layer costs, printed (a shared machine: never asserted). */
static void
test_timing(void **state)
{
	static const int	 sizes[2][2] = { { 640, 480 }, { 1280, 720 } };
	struct jpeglayer	 out[JPEGLAYERS_MAX];
	struct jpeglayers	*jl;
	uint8_t			*jpeg;
	size_t			 len;
	double			 t0;
	int			 s, i, k, n = 50;
	char			 err[256];

	(void)state;
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	for (s = 0; s < 2; s++) {
		jpeg = make_jpeg(sizes[s][0], sizes[s][1], TJSAMP_420, 80, 0,
		    &len);
		for (i = 1; i < JPEGLAYERS_MAX; i++) {
			jpeglayers_make(jl, jpeg, len, JPEGLAYERS_BIT(i), out,
			    err, sizeof err);
			t0 = now_ms();
			for (k = 0; k < n; k++)
				assert_int_equal(jpeglayers_make(jl, jpeg, len,
				    JPEGLAYERS_BIT(i), out, err, sizeof err),
				    JPEGLAYERS_BIT(i));
			print_message("%dx%d -> %dx%d: %.3f ms an image\n",
			    sizes[s][0], sizes[s][1], out[i].width,
			    out[i].height, (now_ms() - t0) / n);
		}
		tjFree(jpeg);
	}
	jpeglayers_free(jl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes_640),
		cmocka_unit_test(test_sizes_720),
		cmocka_unit_test(test_sizes_odd),
		cmocka_unit_test(test_422),
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_full_untouched),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test(test_quality),
		cmocka_unit_test_teardown(test_optimized_tables,
		    unset_optimize),
		cmocka_unit_test_teardown(test_restart_markers,
		    unset_restart),
		cmocka_unit_test(test_timing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
