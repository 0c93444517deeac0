/*
 * Unit tests for meet-cap's camera format conversion (meet-cap/yuv.c):
 * YUYV and NV12 to planar 4:2:0, with padded strides as drivers give them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../meet-cap/cap.h"

#define W	6
#define H	4

static void	test_yuyv(void **);
static void	test_yuyv_rounding(void **);
static void	test_nv12(void **);

/* YUYV with a stride of 16 bytes (12 used): pixel values encode x and y. */
static void
test_yuyv(void **state)
{
	uint8_t	src[H * 16], y[W * H], u[W / 2 * H / 2], v[W / 2 * H / 2];
	int	row, x;

	(void)state;
	memset(src, 0xee, sizeof src);	/* padding must be ignored */
	for (row = 0; row < H; row++) {
		for (x = 0; x < W / 2; x++) {
			src[row * 16 + 4 * x] = row * 16 + 2 * x;
			src[row * 16 + 4 * x + 1] = 100 + row * 10 + x;
			src[row * 16 + 4 * x + 2] = row * 16 + 2 * x + 1;
			src[row * 16 + 4 * x + 3] = 200 + row * 10 + x;
		}
	}
	yuv_yuyv_to_i420(src, 16, W, H, y, u, v);
	for (row = 0; row < H; row++) {
		for (x = 0; x < W; x++)
			assert_int_equal(y[row * W + x], row * 16 + x);
	}
	/* Chroma of rows 2r and 2r + 1 averaged, rounding up. */
	for (row = 0; row < H / 2; row++) {
		for (x = 0; x < W / 2; x++) {
			assert_int_equal(u[row * W / 2 + x],
			    (100 + 2 * row * 10 + x + 100 + (2 * row + 1) *
			    10 + x + 1) / 2);
			assert_int_equal(v[row * W / 2 + x],
			    (200 + 2 * row * 10 + x + 200 + (2 * row + 1) *
			    10 + x + 1) / 2);
		}
	}
}

/* 255 and 254 average to 255; 0 and 1 to 1: no overflow, rounding up. */
static void
test_yuyv_rounding(void **state)
{
	uint8_t	src[2 * 4] = { 10, 255, 11, 0, 12, 254, 13, 1 };
	uint8_t	y[4], u[1], v[1];

	(void)state;
	yuv_yuyv_to_i420(src, 4, 2, 2, y, u, v);
	assert_int_equal(y[0], 10);
	assert_int_equal(y[1], 11);
	assert_int_equal(y[2], 12);
	assert_int_equal(y[3], 13);
	assert_int_equal(u[0], 255);
	assert_int_equal(v[0], 1);
}

/* NV12 with a luma stride of 8 and the UV plane elsewhere. */
static void
test_nv12(void **state)
{
	uint8_t	ys[H * 8], uv[H / 2 * 8], y[W * H];
	uint8_t	u[W / 2 * H / 2], v[W / 2 * H / 2];
	int	row, x;

	(void)state;
	memset(ys, 0xee, sizeof ys);
	memset(uv, 0xee, sizeof uv);
	for (row = 0; row < H; row++) {
		for (x = 0; x < W; x++)
			ys[row * 8 + x] = row * 10 + x;
	}
	for (row = 0; row < H / 2; row++) {
		for (x = 0; x < W / 2; x++) {
			uv[row * 8 + 2 * x] = 50 + row * 10 + x;
			uv[row * 8 + 2 * x + 1] = 150 + row * 10 + x;
		}
	}
	yuv_nv12_to_i420(ys, 8, uv, 8, W, H, y, u, v);
	for (row = 0; row < H; row++) {
		for (x = 0; x < W; x++)
			assert_int_equal(y[row * W + x], row * 10 + x);
	}
	for (row = 0; row < H / 2; row++) {
		for (x = 0; x < W / 2; x++) {
			assert_int_equal(u[row * W / 2 + x], 50 + row * 10 + x);
			assert_int_equal(v[row * W / 2 + x],
			    150 + row * 10 + x);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yuyv),
		cmocka_unit_test(test_yuyv_rounding),
		cmocka_unit_test(test_nv12),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
