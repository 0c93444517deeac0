/*
 * The tty sink: the grid in the terminal, two pixels a character cell with
 * the upper half block (foreground the upper pixel, background the lower),
 * sized to the window and redrawn in place from the top left corner.  Colours
 * are 24-bit when COLORTERM says the terminal has them, else the nearest of
 * the 256-colour palette.  Labels are text on each picture's top row.
 * When asked (a recording's chat), the last few lines of text are kept on
 * the bottom rows of the window, under the picture.
 */
#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "play.h"
#include "xmalloc.h"

#define TTY_UPPER_HALF	"\342\226\200"	/* U+2580 in UTF-8 */
#define TTY_TEXT_MAX	8		/* rows of text at most */

struct tty_state {
	int	 fd;
	int	 truecolor;
	int	 cols;
	int	 rows;		/* rows of the picture */
	int	 drawn;		/* drawn at this size: clear on a resize */
	int	 text_rows;	/* rows of text asked for */
	int	 text_shown;	/* the window has room for them */
	int	 text_dirty;	/* a line came since they were drawn */
	char	*lines[TTY_TEXT_MAX];	/* the last lines, oldest first */
	char	*labels;	/* a character per cell, 0 where none */
	char	*buf;		/* the escape sequences of a frame */
	size_t	 len;
	size_t	 size;
	int	 fg;		/* current colours, -1 when unknown */
	int	 bg;
};

static int	tty_open(void **, const char *, const struct vout_params *,
		    char **);
static void	tty_size(void *, int *, int *);
static int	tty_frame(void *, const struct canvas *,
		    const struct grid_tile *, int, int);
static void	tty_text(void *, const char *);
static void	tty_close(void *);
static void	tty_draw_text(struct tty_state *);
static void	tty_add(struct tty_state *, const char *, size_t);
static void	tty_str(struct tty_state *, const char *);
static void	tty_colour(struct tty_state *, int, int, int, int);
static void	tty_pixel(const struct canvas *, int, int, int *);
static void	tty_place_labels(struct tty_state *,
		    const struct grid_tile *, int);

const struct vout_sink out_tty_sink = {
	.name = "tty",
	.takes_path = 0,
	.text_labels = 1,
	.timed = 0,
	.open = tty_open,
	.size = tty_size,
	.frame = tty_frame,
	.text = tty_text,
	.close = tty_close,
};

static int
tty_open(void **state, const char *arg, const struct vout_params *vp,
    char **cause)
{
	struct tty_state	*t = NULL;
	const char		*ct;
	int			 rc = -1;

	if (arg != NULL) {
		xasprintf(cause, "tty takes no argument: tty:%s", arg);
		goto out;
	}
	t = xcalloc(1, sizeof *t);
	t->fd = STDOUT_FILENO;
	t->text_rows = vp->text_rows < 0 ? 0 : vp->text_rows > TTY_TEXT_MAX ?
	    TTY_TEXT_MAX : vp->text_rows;
	ct = getenv("COLORTERM");
	t->truecolor = ct != NULL && (strcmp(ct, "truecolor") == 0 ||
	    strcmp(ct, "24bit") == 0);
	*state = t;
	rc = 0;
out:
	return rc;
}

/* The window's size from the terminal; COLUMNS and LINES when not a tty. */
static void
tty_size(void *state, int *w, int *h)
{
	struct tty_state	*t = state;
	struct winsize		 ws;
	const char		*e;
	int			 cols = 0, rows = 0;

	if (ioctl(t->fd, TIOCGWINSZ, &ws) == 0) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	if (cols <= 0 && (e = getenv("COLUMNS")) != NULL)
		cols = atoi(e);
	if (rows <= 0 && (e = getenv("LINES")) != NULL)
		rows = atoi(e);
	if (cols <= 0 || cols > PLAY_MAX_SIZE)
		cols = 80;
	if (rows <= 0 || rows > PLAY_MAX_SIZE / 2)
		rows = 24;
	/* Text rows only where they leave a picture. */
	t->text_shown = t->text_rows > 0 && rows >= t->text_rows + 4;
	if (t->text_shown)
		rows -= t->text_rows;
	if (cols != t->cols || rows != t->rows) {
		t->cols = cols;
		t->rows = rows;
		t->drawn = 0;
		free(t->labels);
		t->labels = xcalloc((size_t)cols * rows, 1);
	}
	*w = cols;
	*h = rows * 2;
}

static void
tty_add(struct tty_state *t, const char *s, size_t n)
{
	while (t->len + n > t->size) {
		t->size = t->size == 0 ? 65536 : t->size * 2;
		t->buf = xreallocarray(t->buf, 1, t->size);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
}

static void
tty_str(struct tty_state *t, const char *s)
{
	tty_add(t, s, strlen(s));
}

/* Set the foreground (which = 38) or background (48) colour when it changes. */
static void
tty_colour(struct tty_state *t, int which, int r, int g, int b)
{
	char	s[32];
	int	n, key = r << 16 | g << 8 | b;

	if ((which == 38 ? t->fg : t->bg) == key)
		return;
	if (which == 38)
		t->fg = key;
	else
		t->bg = key;
	if (t->truecolor)
		n = snprintf(s, sizeof s, "\033[%d;2;%d;%d;%dm", which, r, g, b);
	else
		n = snprintf(s, sizeof s, "\033[%d;5;%dm", which,
		    colour_rgb_to_256(r, g, b));
	tty_add(t, s, (size_t)n);
}

static void
tty_pixel(const struct canvas *c, int x, int y, int *rgb)
{
	uint8_t	r, g, b;

	colour_yuv_to_rgb(c->plane[0][(size_t)y * c->stride[0] + x],
	    c->plane[1][(size_t)(y / 2) * c->stride[1] + x / 2],
	    c->plane[2][(size_t)(y / 2) * c->stride[2] + x / 2], &r, &g, &b);
	rgb[0] = r;
	rgb[1] = g;
	rgb[2] = b;
}

/*
 * Each label on its picture's top row, cut to the picture's width.  Only
 * printable ASCII reaches the terminal: a source name is not trusted.
 */
static void
tty_place_labels(struct tty_state *t, const struct grid_tile *tiles, int n)
{
	const char	*s;
	int		 i, x, row, col;
	unsigned char	 ch;

	memset(t->labels, 0, (size_t)t->cols * t->rows);
	for (i = 0; i < n; i++) {
		row = tiles[i].pic.y / 2;
		if (row >= t->rows)
			continue;
		s = tiles[i].label;
		for (x = 0; s[x] != '\0' && x < tiles[i].pic.w; x++) {
			col = tiles[i].pic.x + x;
			if (col >= t->cols)
				break;
			ch = (unsigned char)s[x];
			if (ch < 0x20 || ch > 0x7e)
				ch = '?';
			t->labels[(size_t)row * t->cols + col] = (char)ch;
		}
	}
}

static int
tty_frame(void *state, const struct canvas *c, const struct grid_tile *tiles,
    int ntiles, int changed)
{
	struct tty_state	*t = state;
	int			 x, y, up[3], lo[3];
	char			 ch;

	if (!changed && t->drawn && !t->text_dirty)
		return 0;
	t->len = 0;
	t->fg = t->bg = -1;
	if (!t->drawn) {
		tty_str(t, "\033[0m\033[?25l\033[2J");
		t->text_dirty = 1;
	} else if (!changed)
		goto text;
	tty_place_labels(t, tiles, ntiles);
	tty_str(t, "\033[H");
	for (y = 0; y < t->rows && 2 * y + 1 < c->h; y++) {
		for (x = 0; x < t->cols && x < c->w; x++) {
			ch = t->labels[(size_t)y * t->cols + x];
			if (ch != 0) {
				tty_colour(t, 38, 255, 255, 255);
				tty_colour(t, 48, 0, 0, 0);
				tty_add(t, &ch, 1);
				continue;
			}
			tty_pixel(c, x, 2 * y, up);
			tty_pixel(c, x, 2 * y + 1, lo);
			tty_colour(t, 38, up[0], up[1], up[2]);
			tty_colour(t, 48, lo[0], lo[1], lo[2]);
			tty_add(t, TTY_UPPER_HALF, 3);
		}
		tty_str(t, "\033[0m");
		t->fg = t->bg = -1;
		/* No newline after the last row: it would scroll. */
		if (y + 1 < t->rows)
			tty_str(t, "\r\n");
	}
text:
	tty_draw_text(t);
	t->drawn = 1;
	return out_write(t->fd, t->buf, t->len);
}

/*
 * The text rows under the picture, each line cut to the window (a
 * character after U+1000 is taken as two columns wide, so a line never
 * wraps, which would scroll the window).
 */
static void
tty_draw_text(struct tty_state *t)
{
	const uint8_t	*p;
	char		 pos[32];
	int		 i, n, col, w;

	if (!t->text_shown || !t->text_dirty)
		return;
	for (i = 0; i < t->text_rows; i++) {
		n = snprintf(pos, sizeof pos, "\033[%d;1H\033[0m\033[2K",
		    t->rows + i + 1);
		tty_add(t, pos, (size_t)n);
		if (t->lines[i] == NULL)
			continue;
		p = (const uint8_t *)t->lines[i];
		for (col = 0; *p != '\0'; p += n) {
			for (n = 1; (p[n] & 0xc0) == 0x80; n++)
				;
			w = p[0] >= 0xf0 || (p[0] >= 0xe1 && n == 3) ? 2 : 1;
			if (col + w >= t->cols)
				break;
			tty_add(t, (const char *)p, (size_t)n);
			col += w;
		}
	}
	t->text_dirty = 0;
}

/* Keep a line of text (already safe to print) for the text rows. */
static void
tty_text(void *state, const char *line)
{
	struct tty_state	*t = state;
	int			 i;

	if (t->text_rows == 0)
		return;
	if (t->lines[t->text_rows - 1] != NULL) {
		free(t->lines[0]);
		for (i = 1; i < t->text_rows; i++)
			t->lines[i - 1] = t->lines[i];
		t->lines[t->text_rows - 1] = NULL;
	}
	for (i = 0; t->lines[i] != NULL; i++)
		;
	t->lines[i] = xstrdup(line);
	t->text_dirty = 1;
}

/*
 * Give the terminal back as it was found: colours reset, the cursor shown,
 * and the cursor on the last row drawn, under the picture and its text, so
 * that the shell's prompt comes below them rather than over them.  A
 * signal that stops meet-play ends here too (the players' loops see it).
 */
static void
tty_close(void *state)
{
	struct tty_state	*t = state;
	char			 end[64];
	int			 i, n;

	if (t->drawn) {
		n = snprintf(end, sizeof end, "\033[0m\033[?25h\033[%d;1H\r\n",
		    t->rows + (t->text_shown ? t->text_rows : 0));
		(void)out_write(t->fd, end, (size_t)n);
	}
	for (i = 0; i < TTY_TEXT_MAX; i++)
		free(t->lines[i]);
	free(t->labels);
	free(t->buf);
	free(t);
}
