/*
 * The grid: how many columns and rows a number of sources gets, where each
 * cell lies on the canvas, and where a picture sits inside its cell with its
 * aspect ratio kept.  No pixels here, so the rules can be unit tested.
 */
#include "play.h"

static int	grid_even(int);

/* Round down to even: 4:2:0 chroma covers two pixels each way. */
static int
grid_even(int v)
{
	return v & ~1;
}

/* 1 -> 1x1, 2 -> 2x1, 3-4 -> 2x2, 5-6 -> 3x2, 7-9 (and more) -> 3x3. */
void
grid_shape(int n, int *cols, int *rows)
{
	if (n <= 1) {
		*cols = 1;
		*rows = 1;
	} else if (n == 2) {
		*cols = 2;
		*rows = 1;
	} else if (n <= 4) {
		*cols = 2;
		*rows = 2;
	} else if (n <= 6) {
		*cols = 3;
		*rows = 2;
	} else {
		*cols = 3;
		*rows = 3;
	}
}

/*
 * Cut a w x h canvas into the cells for n sources, row by row; returns the
 * number of cells filled (at most PLAY_MAX_TILES).  Cell edges fall on even
 * pixels and the cells cover the canvas without gaps.
 */
int
grid_layout(int n, int w, int h, struct grid_rect *cells)
{
	int	cols, rows, i, c, r, x0, x1, y0, y1;

	if (n <= 0 || w < 2 || h < 2)
		return 0;
	if (n > PLAY_MAX_TILES)
		n = PLAY_MAX_TILES;
	grid_shape(n, &cols, &rows);
	for (i = 0; i < n; i++) {
		c = i % cols;
		r = i / cols;
		x0 = grid_even(w * c / cols);
		x1 = c == cols - 1 ? w : grid_even(w * (c + 1) / cols);
		y0 = grid_even(h * r / rows);
		y1 = r == rows - 1 ? h : grid_even(h * (r + 1) / rows);
		cells[i].x = x0;
		cells[i].y = y0;
		cells[i].w = x1 - x0;
		cells[i].h = y1 - y0;
	}
	return n;
}

/*
 * The largest rectangle of a sw x sh picture's shape that fits in the cell,
 * centred; even sizes and offsets.  A picture of unknown size fills the cell.
 */
void
grid_fit(const struct grid_rect *cell, int sw, int sh, struct grid_rect *pic)
{
	long long	w, h;

	if (sw <= 0 || sh <= 0 || cell->w < 2 || cell->h < 2) {
		*pic = *cell;
		pic->w = grid_even(pic->w);
		pic->h = grid_even(pic->h);
		return;
	}
	if ((long long)sw * cell->h <= (long long)sh * cell->w) {
		h = cell->h;
		w = (long long)sw * cell->h / sh;
	} else {
		w = cell->w;
		h = (long long)sh * cell->w / sw;
	}
	pic->w = grid_even((int)w);
	pic->h = grid_even((int)h);
	if (pic->w < 2)
		pic->w = 2;
	if (pic->h < 2)
		pic->h = 2;
	pic->x = cell->x + grid_even((cell->w - pic->w) / 2);
	pic->y = cell->y + grid_even((cell->h - pic->h) / 2);
}
