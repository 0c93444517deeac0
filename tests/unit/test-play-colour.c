/*
 * Unit tests for meet-play's colour conversion: full-range BT.601 YCbCr to
 * RGB for the primaries, grey and the extremes, a round trip through
 * RGB to YCbCr, and the 256-colour palette the terminal falls back to.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../meet-play/play.h"

static void	test_yuv_to_rgb(void **);
static void	test_round_trip(void **);
static void	test_palette(void **);
static void	assert_near(int, int, int);

static void
assert_near(int got, int want, int slack)
{
	if (abs(got - want) > slack)
		fail_msg("got %d, wanted %d (+-%d)", got, want, slack);
}

static void
test_yuv_to_rgb(void **state)
{
	/* Full-range YCbCr of a few colours, from the JPEG equations. */
	static const int cases[][6] = {
		{ 76, 85, 255,		255, 0, 0 },	/* red */
		{ 150, 44, 21,		0, 255, 0 },	/* green */
		{ 29, 255, 107,		0, 0, 255 },	/* blue */
		{ 255, 128, 128,	255, 255, 255 },
		{ 0, 128, 128,		0, 0, 0 },
		{ 128, 128, 128,	128, 128, 128 },
	};
	uint8_t	r, g, b;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		colour_yuv_to_rgb(cases[i][0], cases[i][1], cases[i][2],
		    &r, &g, &b);
		assert_near(r, cases[i][3], 2);
		assert_near(g, cases[i][4], 2);
		assert_near(b, cases[i][5], 2);
	}
	/* Out of gamut input clamps instead of wrapping. */
	colour_yuv_to_rgb(255, 255, 255, &r, &g, &b);
	assert_int_equal(r, 255);
	assert_int_equal(b, 255);
	colour_yuv_to_rgb(0, 0, 0, &r, &g, &b);
	assert_int_equal(r, 0);
	assert_int_equal(b, 0);
}

static void
test_round_trip(void **state)
{
	uint8_t	y, u, v, r, g, b;
	int	ri, gi, bi;

	(void)state;
	for (ri = 0; ri < 256; ri += 51) {
		for (gi = 0; gi < 256; gi += 51) {
			for (bi = 0; bi < 256; bi += 51) {
				colour_rgb_to_yuv(ri, gi, bi, &y, &u, &v);
				colour_yuv_to_rgb(y, u, v, &r, &g, &b);
				assert_near(r, ri, 3);
				assert_near(g, gi, 3);
				assert_near(b, bi, 3);
			}
		}
	}
}

static void
test_palette(void **state)
{
	(void)state;
	assert_int_equal(colour_rgb_to_256(255, 0, 0), 196);
	assert_int_equal(colour_rgb_to_256(0, 255, 0), 46);
	assert_int_equal(colour_rgb_to_256(0, 0, 255), 21);
	assert_int_equal(colour_rgb_to_256(0, 0, 0), 16);
	assert_int_equal(colour_rgb_to_256(255, 255, 255), 231);
	/* Greys land on the ramp where it is nearer than the cube. */
	assert_int_equal(colour_rgb_to_256(128, 128, 128), 244);
	assert_int_equal(colour_rgb_to_256(18, 18, 18), 233);
	/* In between: the nearest cube level on each axis. */
	assert_int_equal(colour_rgb_to_256(100, 140, 220),
	    16 + 36 * 1 + 6 * 2 + 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yuv_to_rgb),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_palette),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
