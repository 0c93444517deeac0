/*
 * MJPEG stream splitting and meet's COM tag.
 *
 * The splitter follows the JPEG marker structure instead of searching for
 * FFD9 blindly: segments with a length are skipped by that length (an FFD9
 * inside an APP or COM segment does not end the image), and only inside
 * entropy-coded data is FFD9 the end.  Bytes outside an image are garbage and
 * are counted, never handed out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mjpeg.h"
#include "xmalloc.h"

enum split_state {
	S_SEEK,		/* looking for FF D8 */
	S_MARKER,	/* expecting FF xx between segments */
	S_LENGTH,	/* two length bytes of a segment */
	S_SEGMENT,	/* skipping a segment's body */
	S_SCAN		/* entropy-coded data */
};

struct mjpeg_splitter {
	uint8_t			*buf;
	size_t			 len;
	size_t			 size;
	size_t			 max;
	enum split_state	 state;
	size_t			 skip;	/* bytes left in a segment */
	int			 ff;	/* last byte was FF */
	int			 dropping; /* image too large: parse, keep none */
	uint64_t		 dropped;  /* its bytes so far */
	uint8_t			 marker;
	struct mjpeg_stats	 stats;
};

static int	splitter_put(struct mjpeg_splitter *, uint8_t);
static void	splitter_begin(struct mjpeg_splitter *);
static void	splitter_end(struct mjpeg_splitter *, mjpeg_frame_cb, void *);

struct mjpeg_splitter *
mjpeg_splitter_new(size_t max)
{
	struct mjpeg_splitter	*s;

	/*
	 * An image too large is dropped keeping its last two bytes, and a
	 * new one starts with the two of its SOI: a smaller limit would read
	 * before the buffer.
	 */
	if (max == 0)
		max = MJPEG_MAX_FRAME;
	else if (max < MJPEG_MIN_FRAME)
		max = MJPEG_MIN_FRAME;
	s = xcalloc(1, sizeof *s);
	s->max = max;
	s->size = 65536;
	s->buf = xmalloc(s->size);
	return s;
}

void
mjpeg_splitter_free(struct mjpeg_splitter *s)
{
	if (s == NULL)
		return;
	free(s->buf);
	free(s);
}

const struct mjpeg_stats *
mjpeg_splitter_stats(const struct mjpeg_splitter *s)
{
	return &s->stats;
}

/* Append a byte to the image being built; -1 when it grows too large. */
static int
splitter_put(struct mjpeg_splitter *s, uint8_t c)
{
	if (s->len == s->max)
		return -1;
	if (s->len == s->size) {
		s->size *= 2;
		if (s->size > s->max)
			s->size = s->max;
		s->buf = xreallocarray(s->buf, 1, s->size);
	}
	s->buf[s->len++] = c;
	return 0;
}

/* The image being dropped ends: the largest such so far? */
static void
splitter_dropped(struct mjpeg_splitter *s)
{
	if (s->dropping && s->dropped > s->stats.largest)
		s->stats.largest = s->dropped;
	s->dropped = 0;
}

static void
splitter_restart(struct mjpeg_splitter *s)
{
	splitter_dropped(s);
	s->len = 0;
	s->state = S_SEEK;
	s->ff = 0;
	s->dropping = 0;
}

/* An SOI: a new image starts here. */
static void
splitter_begin(struct mjpeg_splitter *s)
{
	splitter_dropped(s);
	s->len = 0;
	s->dropping = 0;
	splitter_put(s, 0xff);
	splitter_put(s, 0xd8);
	s->state = S_MARKER;
	s->ff = 0;
}

/* An EOI: hand out the image unless it was too large. */
static void
splitter_end(struct mjpeg_splitter *s, mjpeg_frame_cb cb, void *arg)
{
	if (!s->dropping) {
		cb(s->buf, s->len, arg);
		s->stats.frames++;
	}
	splitter_restart(s);
}

void
mjpeg_splitter_feed(struct mjpeg_splitter *s, const uint8_t *p, size_t n,
    mjpeg_frame_cb cb, void *arg)
{
	size_t	i;
	uint8_t	c;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (s->state == S_SEEK) {
			if (s->ff && c == 0xd8) {
				splitter_begin(s);
				s->stats.garbage--;	/* the FF was counted */
				continue;
			}
			s->ff = (c == 0xff);
			s->stats.garbage++;
			continue;
		}
		if (s->dropping)
			s->dropped++;
		if (splitter_put(s, c) == -1) {
			/*
			 * Too large to hand out.  Parse on to its end all the
			 * same, so that nothing inside it (a thumbnail) is
			 * taken for an image, keeping only the last two
			 * bytes, which a segment length may need.
			 */
			if (!s->dropping) {
				s->stats.oversized++;
				s->dropped = s->len + 1;
			}
			s->dropping = 1;
			s->buf[0] = s->buf[s->len - 2];
			s->buf[1] = s->buf[s->len - 1];
			s->len = 2;
			splitter_put(s, c);
		}
		switch (s->state) {
		case S_MARKER:
			if (!s->ff) {
				if (c != 0xff) {
					/* Not a marker: a broken image. */
					s->stats.truncated++;
					s->stats.garbage += s->len;
					splitter_restart(s);
				} else
					s->ff = 1;
				break;
			}
			if (c == 0xff)		/* fill byte */
				break;
			s->ff = 0;
			s->marker = c;
			if (c == 0xd8) {	/* SOI again: start over */
				s->stats.truncated++;
				splitter_begin(s);
			} else if (c == 0xd9) {
				splitter_end(s, cb, arg);
			} else if ((c >= 0xd0 && c <= 0xd7) || c == 0x01) {
				/* Markers with no length. */
			} else {
				s->state = S_LENGTH;
				s->skip = 2;
			}
			break;
		case S_LENGTH:
			if (--s->skip > 0)
				break;
			s->skip = ((size_t)s->buf[s->len - 2] << 8 |
			    s->buf[s->len - 1]);
			if (s->skip < 2) {
				s->stats.truncated++;
				s->stats.garbage += s->len;
				splitter_restart(s);
				break;
			}
			s->skip -= 2;
			if (s->skip == 0)
				s->state = s->marker == 0xda ? S_SCAN : S_MARKER;
			else
				s->state = S_SEGMENT;
			break;
		case S_SEGMENT:
			if (--s->skip == 0)
				s->state = s->marker == 0xda ? S_SCAN : S_MARKER;
			break;
		case S_SCAN:
			if (!s->ff) {
				s->ff = (c == 0xff);
				break;
			}
			s->ff = 0;
			if (c == 0x00 || (c >= 0xd0 && c <= 0xd7))
				break;		/* stuffing, restart marker */
			if (c == 0xff) {
				s->ff = 1;
				break;
			}
			if (c == 0xd9) {
				splitter_end(s, cb, arg);
			} else if (c == 0xd8) {
				s->stats.truncated++;
				splitter_begin(s);
			} else {
				/* Another segment (progressive JPEGs). */
				s->marker = c;
				s->state = S_LENGTH;
				s->skip = 2;
			}
			break;
		case S_SEEK:
			break;
		}
	}
}

/* Find the meet COM segment; its offset and length, or -1. */
static int
tag_find(const uint8_t *p, size_t len, size_t *off, size_t *seglen)
{
	size_t	i = 2, n;

	if (len < 4 || p[0] != 0xff || p[1] != 0xd8)
		return -1;
	while (i + 4 <= len && p[i] == 0xff) {
		if (p[i + 1] == 0xda || p[i + 1] == 0xd9)
			break;
		n = (size_t)p[i + 2] << 8 | p[i + 3];
		if (n < 2 || i + 2 + n > len)
			break;
		if (p[i + 1] == 0xfe && n - 2 >= 5 &&
		    memcmp(p + i + 4, "meet:", 5) == 0) {
			*off = i;
			*seglen = n + 2;
			return 0;
		}
		i += 2 + n;
	}
	return -1;
}

int
mjpeg_tag_get(const uint8_t *p, size_t len, char *src, size_t srclen,
    uint64_t *ts)
{
	char		 text[256], *name, *semi, *end;
	size_t		 off, seglen, n;
	unsigned long long v;

	if (tag_find(p, len, &off, &seglen) == -1)
		return -1;
	n = seglen - 4;
	if (n >= sizeof text)
		n = sizeof text - 1;
	memcpy(text, p + off + 4, n);
	text[n] = '\0';
	if (strncmp(text, "meet:src=", 9) != 0)
		return -1;
	name = text + 9;
	if ((semi = strchr(name, ';')) == NULL)
		return -1;
	*semi = '\0';
	if (strncmp(semi + 1, "ts=", 3) != 0)
		return -1;
	/* Digits and nothing else: strtoull would take a sign. */
	if (semi[4] < '0' || semi[4] > '9')
		return -1;
	v = strtoull(semi + 4, &end, 10);
	if (*end != '\0')
		return -1;
	if (src != NULL && srclen > 0)
		snprintf(src, srclen, "%s", name);
	if (ts != NULL)
		*ts = v;
	return 0;
}

uint8_t *
mjpeg_tag_set(const uint8_t *p, size_t len, const char *src, uint64_t ts,
    size_t *outlen)
{
	char		 text[128];
	uint8_t		*out;
	size_t		 off = 0, seglen = 0, n, o;
	int		 tl;

	if (len < 4 || p[0] != 0xff || p[1] != 0xd8)
		return NULL;
	if (strchr(src, ';') != NULL)
		return NULL;		/* the tag could not be read back */
	tl = snprintf(text, sizeof text, "meet:src=%.*s;ts=%llu",
	    MJPEG_TAG_NAME - 1, src, (unsigned long long)ts);
	if (tl < 0 || (size_t)tl >= sizeof text)
		return NULL;
	if (tag_find(p, len, &off, &seglen) == -1)
		seglen = 0;
	n = len - seglen + 4 + (size_t)tl;
	out = xmalloc(n);
	out[0] = 0xff;
	out[1] = 0xd8;
	out[2] = 0xff;
	out[3] = 0xfe;
	out[4] = (uint8_t)((tl + 2) >> 8);
	out[5] = (uint8_t)((tl + 2) & 0xff);
	memcpy(out + 6, text, (size_t)tl);
	o = 6 + (size_t)tl;
	if (seglen == 0) {
		memcpy(out + o, p + 2, len - 2);
	} else {
		memcpy(out + o, p + 2, off - 2);
		o += off - 2;
		memcpy(out + o, p + off + seglen, len - off - seglen);
	}
	*outlen = n;
	return out;
}
