/*
 * Checks of the names and text people type: room and participant names,
 * chat messages and reactions.
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

#endif
