/* The built-in 5x7 bitmap font (font.c). */
#ifndef MEET_FONT_H
#define MEET_FONT_H

#include <stdint.h>

#define FONT_W		5
#define FONT_H		7
#define FONT_ADVANCE	6	/* a column of space between characters */

/* Width in pixels of text drawn at this scale. */
int	font_text_width(const char *, int);
/* Draw text's ink (video white) at (x, y), clipped to the w x h plane. */
void	font_draw(uint8_t *, int, int, int, int, int, const char *, int);

#endif
