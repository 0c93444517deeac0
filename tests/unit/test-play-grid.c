/*
 * Unit tests for meet-play's grid: the shape for each number of sources,
 * cells that cover the canvas on even pixels without overlapping, and
 * pictures fitted into cells with their aspect ratio kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "font.h"
#include "../../meet-play/play.h"

static void	test_shape(void **);
static void	test_layout_cover(void **);
static void	test_layout_limits(void **);
static void	test_fit(void **);
static void	test_glyph_width(void **);

static void
test_shape(void **state)
{
	static const int want[][2] = {
		{ 1, 1 },			/* 0 */
		{ 1, 1 }, { 2, 1 }, { 2, 2 }, { 2, 2 }, { 3, 2 },
		{ 3, 2 }, { 3, 3 }, { 3, 3 }, { 3, 3 },
		{ 3, 3 }, { 3, 3 },		/* more than 9 */
	};
	int	n, cols, rows;

	(void)state;
	for (n = 0; n < (int)(sizeof want / sizeof want[0]); n++) {
		grid_shape(n, &cols, &rows);
		assert_int_equal(cols, want[n][0]);
		assert_int_equal(rows, want[n][1]);
	}
}

/* For every count and a few canvas sizes, cells tile the canvas exactly. */
static void
test_layout_cover(void **state)
{
	static const int sizes[][2] = {
		{ 1280, 720 }, { 120, 80 }, { 101, 37 }, { 1920, 1080 },
	};
	struct grid_rect	 cells[PLAY_MAX_TILES];
	int			 s, n, got, i, j, cols, rows;
	long			 area;

	(void)state;
	for (s = 0; s < 4; s++) {
		for (n = 1; n <= PLAY_MAX_TILES; n++) {
			got = grid_layout(n, sizes[s][0], sizes[s][1], cells);
			assert_int_equal(got, n);
			grid_shape(n, &cols, &rows);
			area = 0;
			for (i = 0; i < n; i++) {
				assert_int_equal(cells[i].x % 2, 0);
				assert_int_equal(cells[i].y % 2, 0);
				assert_true(cells[i].w > 0 && cells[i].h > 0);
				assert_true(cells[i].x + cells[i].w <=
				    sizes[s][0]);
				assert_true(cells[i].y + cells[i].h <=
				    sizes[s][1]);
				area += (long)cells[i].w * cells[i].h;
				for (j = 0; j < i; j++) {
					assert_false(cells[i].x <
					    cells[j].x + cells[j].w &&
					    cells[j].x < cells[i].x +
					    cells[i].w &&
					    cells[i].y < cells[j].y +
					    cells[j].h &&
					    cells[j].y < cells[i].y +
					    cells[i].h);
				}
			}
			/* A full grid covers the canvas. */
			if (n == cols * rows)
				assert_int_equal(area,
				    (long)sizes[s][0] * sizes[s][1]);
		}
	}
	/* Three sources on 1280x720: a 2x2 grid, row by row. */
	grid_layout(3, 1280, 720, cells);
	assert_int_equal(cells[0].x, 0);
	assert_int_equal(cells[0].w, 640);
	assert_int_equal(cells[1].x, 640);
	assert_int_equal(cells[1].y, 0);
	assert_int_equal(cells[2].x, 0);
	assert_int_equal(cells[2].y, 360);
	assert_int_equal(cells[2].h, 360);
}

static void
test_layout_limits(void **state)
{
	struct grid_rect	cells[PLAY_MAX_TILES];

	(void)state;
	assert_int_equal(grid_layout(0, 1280, 720, cells), 0);
	assert_int_equal(grid_layout(-3, 1280, 720, cells), 0);
	assert_int_equal(grid_layout(4, 0, 720, cells), 0);
	/* More than nine: nine cells, never more. */
	assert_int_equal(grid_layout(25, 1280, 720, cells), PLAY_MAX_TILES);
	assert_int_equal(cells[8].x + cells[8].w, 1280);
	assert_int_equal(cells[8].y + cells[8].h, 720);
}

static void
test_fit(void **state)
{
	struct grid_rect	cell = { 640, 360, 640, 360 }, pic;

	(void)state;
	/* 4:3 in a 16:9 cell: full height, centred horizontally. */
	grid_fit(&cell, 320, 240, &pic);
	assert_int_equal(pic.w, 480);
	assert_int_equal(pic.h, 360);
	assert_int_equal(pic.x, 640 + 80);
	assert_int_equal(pic.y, 360);
	/* 16:9 in the same cell fills it. */
	grid_fit(&cell, 1920, 1080, &pic);
	assert_memory_equal(&pic, &cell, sizeof pic);
	/* A tall picture: full height, narrow. */
	grid_fit(&cell, 100, 400, &pic);
	assert_int_equal(pic.h, 360);
	assert_int_equal(pic.w, 90);
	assert_int_equal(pic.x, 640 + 274);
	/* Very wide: full width, even height, centred vertically. */
	grid_fit(&cell, 6400, 100, &pic);
	assert_int_equal(pic.w, 640);
	assert_int_equal(pic.h, 10);
	assert_int_equal(pic.y, 360 + 174);
	/* Odd sizes come out even and inside the cell. */
	cell.w = 101;
	cell.h = 37;
	grid_fit(&cell, 333, 111, &pic);
	assert_int_equal(pic.w % 2, 0);
	assert_int_equal(pic.h % 2, 0);
	assert_true(pic.x >= cell.x && pic.x + pic.w <= cell.x + cell.w);
	assert_true(pic.y >= cell.y && pic.y + pic.h <= cell.y + cell.h);
	/* Unknown size: the whole cell. */
	grid_fit(&cell, 0, 0, &pic);
	assert_int_equal(pic.x, cell.x);
	assert_int_equal(pic.w, 100);
}

static void
test_glyph_width(void **state)
{
	uint8_t	plane[16 * 8];
	int	i, ink = 0;

	(void)state;
	assert_int_equal(font_text_width("", 1), 0);
	assert_int_equal(font_text_width("a", 1), 5);
	assert_int_equal(font_text_width("ab", 2), 22);
	/* Drawing clips to the plane and inks only inside it. */
	memset(plane, 0, sizeof plane);
	font_draw(plane, 16, 16, 8, 12, 1, "H\xc3\xa9", 1);
	for (i = 0; i < (int)sizeof plane; i++)
		ink += plane[i] != 0;
	assert_true(ink > 0);
	assert_int_equal(plane[1 * 16 + 12], 235);	/* H's left stem */
	assert_int_equal(plane[1 * 16 + 13], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_layout_cover),
		cmocka_unit_test(test_layout_limits),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_glyph_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
