/*
 * Validation of names and chat text.  Everything that reaches a room from a
 * user or a peer node passes through here first; text_escape makes what
 * did not pass safe to name in an error.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "xmalloc.h"

static size_t	utf8_char_len(const uint8_t *, size_t);

int
name_valid(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n == NAME_MAX_LEN)
			return -1;
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-')
			continue;
		return -1;
	}
	return n == 0 ? -1 : 0;
}

int
utf8_valid(const char *s, size_t len)
{
	const uint8_t	*p = (const uint8_t *)s;
	size_t		 i = 0, n, k;
	uint32_t	 cp, min;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			n = 1; cp = p[i] & 0x1f; min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			n = 2; cp = p[i] & 0x0f; min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			n = 3; cp = p[i] & 0x07; min = 0x10000;
		} else
			return -1;
		if (len - i - 1 < n)
			return -1;
		for (k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += n + 1;
	}
	return 0;
}

int
text_check(const char *s, size_t max, char *err, size_t errlen)
{
	size_t	len = strlen(s), i;

	if (len == 0) {
		snprintf(err, errlen, "empty message");
		return -1;
	}
	if (len > max) {
		snprintf(err, errlen, "message of %zu bytes is longer than "
		    "the limit of %zu", len, max);
		return -1;
	}
	if (utf8_valid(s, len) != 0) {
		snprintf(err, errlen, "message is not valid UTF-8");
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((s[i] >= 0 && s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f) {
			snprintf(err, errlen, "message holds control character "
			    "0x%02x at byte %zu", (unsigned)(uint8_t)s[i], i);
			return -1;
		}
		/* C1 controls, U+0080 to U+009F, are C2 80 to C2 9F. */
		if ((uint8_t)s[i] == 0xc2 && i + 1 < len &&
		    (uint8_t)s[i + 1] >= 0x80 && (uint8_t)s[i + 1] <= 0x9f) {
			snprintf(err, errlen, "message holds control character "
			    "U+%04X at byte %zu", (unsigned)(uint8_t)s[i + 1], i);
			return -1;
		}
	}
	return 0;
}

/*
 * The length of the well-formed UTF-8 character at p (left bytes there), or
 * 0 when it is none or a C1 control.
 */
static size_t
utf8_char_len(const uint8_t *p, size_t left)
{
	size_t	n, k;

	n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 :
	    (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	if (n > left)
		return 0;
	for (k = 1; n > 1 && k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	}
	if (n > 1 && utf8_valid((const char *)p, n) != 0)
		return 0;
	if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0;		/* C1 controls */
	return n;
}

void
filename_sanitize(const char *in, char *out)
{
	const uint8_t	*p = (const uint8_t *)in, *end = p + strlen(in);
	size_t		 o = 0, n;

	while (*p == '.')
		p++;
	while (*p != '\0') {
		n = utf8_char_len(p, (size_t)(end - p));
		if (o + (n == 0 ? 1 : n) > FILENAME_MAX_LEN)
			break;
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f ||
		    *p == '/' || *p == '\\'))) {
			out[o++] = '_';
			p++;
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, FILENAME_MAX_LEN + 1, "file");
}

size_t
text_escape_buf(const char *in, size_t len, int flags, char *out,
    size_t size)
{
	const uint8_t	*p = (const uint8_t *)in, *end = p + len;
	size_t		 n, o = 0, need;
	char		 esc[5];

	if (size == 0)
		return 0;
	while (p < end) {
		n = utf8_char_len(p, (size_t)(end - p));
		if (n == 1 && ((*p < 0x20 && *p != '\t' && !(*p == '\n' &&
		    (flags & TEXT_ESCAPE_LINES))) || *p == 0x7f))
			n = 0;
		if (n > 0) {
			/* A character, whole or not at all. */
			if (o + n >= size)
				break;
			memcpy(out + o, p, n);
			o += n;
			p += n;
			continue;
		}
		/* A control character, or one byte of no character. */
		if (*p == '\n' || *p == '\r')
			snprintf(esc, sizeof esc, "\\%c", *p == '\n' ? 'n' :
			    'r');
		else
			snprintf(esc, sizeof esc, "\\x%02x", *p);
		need = strlen(esc);
		if (o + need >= size)
			break;
		memcpy(out + o, esc, need);
		o += need;
		p++;
	}
	out[o] = '\0';
	return o;
}

char *
text_escape(const char *in, size_t len, int flags)
{
	char	*out;
	size_t	 size;

	/* At worst each byte becomes four. */
	size = len * 4 + 1;
	out = xmalloc(size);
	text_escape_buf(in, len, flags, out, size);
	return out;
}
