/*
 * A tiny built-in 5x7 font for the test pattern's frame counter and clock:
 * digits, ':', '.', '-' and space, drawn scaled onto a luma plane.
 */
#include <string.h>

#include "cap.h"

#define FONT_W		5
#define FONT_H		7
#define FONT_ADVANCE	6	/* a column of space between glyphs */
#define FONT_INK	235	/* video white */

struct glyph {
	char	c;
	uint8_t	rows[FONT_H];	/* bit 4 is the leftmost column */
};

static const struct glyph font_glyphs[] = {
	{ '0', { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e } },
	{ '1', { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e } },
	{ '2', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f } },
	{ '3', { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e } },
	{ '4', { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 } },
	{ '5', { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e } },
	{ '6', { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e } },
	{ '7', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
	{ '8', { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e } },
	{ '9', { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c } },
	{ ':', { 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 } },
	{ '.', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c } },
	{ '-', { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 } },
	{ ' ', { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 } },
};

static const struct glyph	*font_glyph(char);

static const struct glyph *
font_glyph(char c)
{
	size_t	i;

	for (i = 0; i < sizeof font_glyphs / sizeof font_glyphs[0]; i++) {
		if (font_glyphs[i].c == c)
			return &font_glyphs[i];
	}
	return NULL;
}

/* Width in pixels of text drawn at this scale. */
int
font_text_width(const char *text, int scale)
{
	size_t	n = strlen(text);

	if (n == 0)
		return 0;
	return ((int)n * FONT_ADVANCE - 1) * scale;
}

/*
 * Draw text with its top left corner at (x, y) on a w x h plane; pixels
 * outside the plane are clipped and characters without a glyph are skipped.
 * Only the ink is drawn, so the caller paints the background first.
 */
void
font_draw(uint8_t *plane, int stride, int w, int h, int x, int y,
    const char *text, int scale)
{
	const struct glyph	*g;
	int			 row, col, px, py, i, j;

	for (; *text != '\0'; text++, x += FONT_ADVANCE * scale) {
		if ((g = font_glyph(*text)) == NULL)
			continue;
		for (row = 0; row < FONT_H; row++) {
			for (col = 0; col < FONT_W; col++) {
				if (!(g->rows[row] & (0x10 >> col)))
					continue;
				for (j = 0; j < scale; j++) {
					py = y + row * scale + j;
					if (py < 0 || py >= h)
						continue;
					for (i = 0; i < scale; i++) {
						px = x + col * scale + i;
						if (px >= 0 && px < w)
							plane[(size_t)py *
							    stride + px] =
							    FONT_INK;
					}
				}
			}
		}
	}
}
