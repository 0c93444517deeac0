/*
 * Colour conversion for the sinks that show pixels as something other than
 * YUV: full-range BT.601 YCbCr (what JPEG holds) to and from RGB, and RGB to
 * the nearest colour of xterm's 256-colour palette for terminals without
 * truecolor.
 */
#include "play.h"

static uint8_t	colour_clamp(int);
static int	colour_cube_index(int);
static int	colour_dist(int, int, int, int, int, int);

static const int colour_cube[6] = { 0, 95, 135, 175, 215, 255 };

static uint8_t
colour_clamp(int v)
{
	if (v < 0)
		return 0;
	if (v > 255)
		return 255;
	return (uint8_t)v;
}

/* Fixed point (16 bits) so the terminal sink stays cheap per pixel. */
void
colour_yuv_to_rgb(int y, int u, int v, uint8_t *r, uint8_t *g, uint8_t *b)
{
	int	cb = u - 128, cr = v - 128;

	*r = colour_clamp(y + ((91881 * cr + 32768) >> 16));
	*g = colour_clamp(y - ((22554 * cb + 46802 * cr + 32768) >> 16));
	*b = colour_clamp(y + ((116130 * cb + 32768) >> 16));
}

void
colour_rgb_to_yuv(int r, int g, int b, uint8_t *y, uint8_t *u, uint8_t *v)
{
	*y = colour_clamp((19595 * r + 38470 * g + 7471 * b + 32768) >> 16);
	*u = colour_clamp(128 +
	    ((-11056 * r - 21712 * g + 32768 * b + 32768) >> 16));
	*v = colour_clamp(128 +
	    ((32768 * r - 27440 * g - 5328 * b + 32768) >> 16));
}

/* The level of xterm's 6x6x6 cube nearest to an 8-bit value. */
static int
colour_cube_index(int v)
{
	int	i, best = 0, d, bestd = 256;

	for (i = 0; i < 6; i++) {
		d = v > colour_cube[i] ? v - colour_cube[i] : colour_cube[i] - v;
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

static int
colour_dist(int r0, int g0, int b0, int r1, int g1, int b1)
{
	return (r0 - r1) * (r0 - r1) + (g0 - g1) * (g0 - g1) +
	    (b0 - b1) * (b0 - b1);
}

/*
 * The nearest of the cube (16-231) and the grey ramp (232-255); the first 16
 * colours are left out because terminals redefine them.
 */
int
colour_rgb_to_256(int r, int g, int b)
{
	int	ri, gi, bi, cube, grey, gv, avg;

	ri = colour_cube_index(r);
	gi = colour_cube_index(g);
	bi = colour_cube_index(b);
	cube = 16 + 36 * ri + 6 * gi + bi;
	avg = (r + g + b) / 3;
	grey = avg < 8 ? 0 : (avg - 8 + 5) / 10;
	if (grey > 23)
		grey = 23;
	gv = 8 + 10 * grey;
	if (colour_dist(r, g, b, gv, gv, gv) < colour_dist(r, g, b,
	    colour_cube[ri], colour_cube[gi], colour_cube[bi]))
		return 232 + grey;
	return cube;
}
