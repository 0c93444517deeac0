/*
 * Checks of the names and text people type: room and participant names,
 * chat messages and reactions; and text from others made safe to print.
 */
#ifndef MEET_TEXT_H
#define MEET_TEXT_H

#include <stddef.h>

#define NAME_MAX_LEN	64

/* [A-Za-z0-9._-]{1,64}: 0 when good, -1 when not. */
int	name_valid(const char *);
/* Well-formed UTF-8 (no overlongs, no surrogates): 0 or -1. */
int	utf8_valid(const char *, size_t);
/*
 * Chat text: UTF-8, no control characters but tab, 1 to max bytes.  0 when
 * good; -1 and why in err.
 */
int	text_check(const char *, size_t, char *, size_t);
/*
 * A file name safe to create: path separators and control characters
 * become '_', leading dots go, invalid UTF-8 bytes become '_', at most
 * FILENAME_MAX_LEN bytes (cut on a character boundary), "file" if nothing
 * is left.  out has FILENAME_MAX_LEN + 1 bytes.
 */
#define FILENAME_MAX_LEN	255
void	filename_sanitize(const char *, char *);
/*
 * Text from someone else (a name, a command, a reason) made safe to put in
 * an error or a log line: control characters but tab (C0, DEL, and the C1
 * controls U+0080 to U+009F) and bytes that are not well-formed UTF-8 are
 * written as \n, \r or \xHH, so that none reaches a terminal; the rest is
 * as it was.  TEXT_ESCAPE_LINES keeps newlines, for text of several lines.
 * The caller frees the result.
 */
#define TEXT_ESCAPE_LINES	0x1
char	*text_escape(const char *, size_t, int);
/*
 * The same into out (size bytes, NUL-terminated), for who must not
 * allocate: what does not fit is left off, never half an escape or a
 * character.  The length written.
 */
size_t	 text_escape_buf(const char *, size_t, int, char *, size_t);

#endif
