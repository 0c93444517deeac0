/*
 * Fuzzing the MJPEG splitter and the meet tag (lib/mjpeg.c): the input is
 * a byte choosing the splitter's size limit (small ones included, which
 * no caller uses today), a byte choosing the size of the pieces the
 * stream is fed in, then the stream.  Each image handed out must be whole
 * and within the limit; its tag is read, set and must read back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mjpeg.h"

static void	mjpeg_image(const uint8_t *, size_t, void *);
static void	mjpeg_tag(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
mjpeg_tag(const uint8_t *p, size_t len)
{
	char		 src[MJPEG_TAG_NAME];
	uint64_t	 ts = 0;
	uint8_t		*out;
	size_t		 outlen;

	if (mjpeg_tag_get(p, len, src, sizeof src, &ts) == 0 &&
	    memchr(src, '\0', sizeof src) == NULL)
		abort();
	if ((out = mjpeg_tag_set(p, len, "fuzz", ts + 1, &outlen)) == NULL)
		return;
	if (mjpeg_tag_get(out, outlen, src, sizeof src, &ts) != 0 ||
	    strcmp(src, "fuzz") != 0)
		abort();
	free(out);
}

static void
mjpeg_image(const uint8_t *p, size_t len, void *arg)
{
	size_t	max = *(size_t *)arg;

	if (max == 0)
		max = MJPEG_MAX_FRAME;
	else if (max < MJPEG_MIN_FRAME)
		max = MJPEG_MIN_FRAME;
	if (len < MJPEG_MIN_FRAME || len > max || p[0] != 0xff ||
	    p[1] != 0xd8 || p[len - 2] != 0xff || p[len - 1] != 0xd9)
		abort();
	mjpeg_tag(p, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct mjpeg_splitter	*s;
	const struct mjpeg_stats *st;
	const uint8_t		*p;
	size_t			 max, step, len;
	uint8_t			 c;

	fuzz_input_init(&in, data, size);
	c = fuzz_u8(&in);
	max = c < 128 ? c : (size_t)(c - 127) * 512;
	step = (size_t)fuzz_u8(&in) + 1;
	mjpeg_tag(in.p, in.left);
	s = mjpeg_splitter_new(max);
	while (in.left > 0) {
		p = fuzz_bytes(&in, step, &len);
		mjpeg_splitter_feed(s, p, len, mjpeg_image, &max);
	}
	st = mjpeg_splitter_stats(s);
	if (st->garbage > size)
		abort();
	mjpeg_splitter_free(s);
	return 0;
}
