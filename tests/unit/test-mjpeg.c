/*
 * Unit tests for MJPEG streams (lib/mjpeg.c).  The splitter is fed JPEG-like
 * images built marker by marker (an FFD9 inside a COM segment, stuffed FF00
 * and restart markers in the entropy data), garbage around them, cuts at
 * every byte, images over the size limit and images cut by a new SOI, then a
 * real JPEG from TurboJPEG.  The meet tag is set, replaced and read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <turbojpeg.h>

#include "mjpeg.h"

/* What the splitter handed out: every image end to end, and each length. */
struct sink {
	uint8_t	data[8192];
	size_t	len;
	size_t	lens[16];
	size_t	count;
};

static void	test_split_one(void **);
static void	test_split_garbage(void **);
static void	test_split_two(void **);
static void	test_split_every_cut(void **);
static void	test_split_oversized(void **);
static void	test_split_large(void **);
static void	test_split_tiny_limit(void **);
static void	test_split_soi_restart(void **);
static void	test_split_broken(void **);
static void	test_split_real_jpeg(void **);
static void	test_tag_round_trip(void **);
static void	test_tag_replace(void **);
static void	test_tag_not_jpeg(void **);
static void	test_tag_untagged(void **);
static void	test_tag_limits(void **);
static void	test_tag_real_jpeg(void **);
static void	sink_cb(const uint8_t *, size_t, void *);
static void	count_cb(const uint8_t *, size_t, void *);
static void	split(const uint8_t *, size_t, size_t, size_t, struct sink *,
		    struct mjpeg_stats *);
static void	stats_equal(const struct mjpeg_stats *, uint64_t, uint64_t,
		    uint64_t, uint64_t);
static uint8_t	*real_jpeg(int, int, unsigned long *);

/*
 * A baseline-looking image: SOI, APP0, a COM holding FFD9 and FFD8, SOS,
 * entropy data with stuffing, restart markers and fill bytes, EOI.
 */
static const uint8_t image1[] = {
	0xff, 0xd8,
	0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00,
	    0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
	0xff, 0xfe, 0x00, 0x0a, 'a', 0xff, 0xd9, 'b', 0xff, 0xd8, 0xff, 0xd9,
	0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00,
	0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd0, 0x78, 0xff, 0x00, 0xff,
	    0xd1, 0x9a, 0xff, 0xff, 0xd2, 0xbc, 0xff, 0x00, 0xff, 0xd7, 0x00,
	0xff, 0xd9
};

/* A second, different image: no APP0, a DQT-like segment, a short scan. */
static const uint8_t image2[] = {
	0xff, 0xd8,
	0xff, 0xdb, 0x00, 0x05, 0x00, 0xff, 0xd9,
	0xff, 0xda, 0x00, 0x02,
	0x11, 0xff, 0x00, 0x22,
	0xff, 0xd9
};

/* The smallest thing the splitter takes for an image. */
static const uint8_t image3[] = {
	0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x01, 0xff, 0xd9
};

static void
sink_cb(const uint8_t *p, size_t len, void *arg)
{
	struct sink	*k = arg;

	assert_true(k->len + len <= sizeof k->data);
	assert_true(k->count < sizeof k->lens / sizeof k->lens[0]);
	memcpy(k->data + k->len, p, len);
	k->len += len;
	k->lens[k->count++] = len;
}

/* Images too large for a sink: their lengths only. */
static void
count_cb(const uint8_t *p, size_t len, void *arg)
{
	struct sink	*k = arg;

	(void)p;
	assert_true(k->count < sizeof k->lens / sizeof k->lens[0]);
	k->lens[k->count++] = len;
}

/*
 * Split p with a new splitter of the given max, in pieces of step bytes (0:
 * all at once), except that the first piece is first bytes long.
 */
static void
split(const uint8_t *p, size_t len, size_t max, size_t step, struct sink *k,
    struct mjpeg_stats *st)
{
	struct mjpeg_splitter	*s;
	size_t			 off = 0, n;

	memset(k, 0, sizeof *k);
	s = mjpeg_splitter_new(max);
	while (off < len) {
		n = step == 0 ? len - off : step;
		if (n > len - off)
			n = len - off;
		mjpeg_splitter_feed(s, p + off, n, sink_cb, k);
		off += n;
	}
	*st = *mjpeg_splitter_stats(s);
	mjpeg_splitter_free(s);
}

static void
stats_equal(const struct mjpeg_stats *st, uint64_t frames, uint64_t garbage,
    uint64_t oversized, uint64_t truncated)
{
	assert_int_equal(st->frames, frames);
	assert_int_equal(st->garbage, garbage);
	assert_int_equal(st->oversized, oversized);
	assert_int_equal(st->truncated, truncated);
}

/*
 * A w x h gray JPEG of noise, so that the entropy data holds FF bytes; the
 * caller frees it with tjFree.
 */
static uint8_t *
real_jpeg(int w, int h, unsigned long *len)
{
	tjhandle	 tj;
	uint8_t		*pix, *jpeg = NULL;
	uint32_t	 r = 12345;
	int		 i;

	pix = malloc((size_t)w * h);
	assert_non_null(pix);
	for (i = 0; i < w * h; i++) {
		r = r * 1103515245 + 12345;
		pix[i] = (uint8_t)(r >> 16);
	}
	tj = tjInitCompress();
	assert_non_null(tj);
	*len = 0;
	assert_int_equal(tjCompress2(tj, pix, w, 0, h, TJPF_GRAY, &jpeg, len,
	    TJSAMP_GRAY, 95, 0), 0);
	tjDestroy(tj);
	free(pix);
	assert_non_null(jpeg);
	return jpeg;
}

/* One image, intact; the FFD9 and FFD8 in its COM segment change nothing. */
static void
test_split_one(void **state)
{
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	split(image1, sizeof image1, 0, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_int_equal(k.lens[0], sizeof image1);
	assert_memory_equal(k.data, image1, sizeof image1);
	stats_equal(&st, 1, 0, 0, 0);

	split(image3, sizeof image3, 0, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, image3, sizeof image3);
	stats_equal(&st, 1, 0, 0, 0);

	/* Without its EOI, nothing comes out. */
	split(image1, sizeof image1 - 1, 0, 0, &k, &st);
	assert_int_equal(k.count, 0);
	stats_equal(&st, 0, 0, 0, 0);
}

/* Bytes before, between and after images are counted and never handed out. */
static void
test_split_garbage(void **state)
{
	const uint8_t		pre[] = { 0x00, 0x01, 0xff, 0x02, 0xd8, 0xff };
	const uint8_t		mid[] = { 0xff, 0xd9, 'x' };
	const uint8_t		post[] = { 0xff, 0xff, 0xd9, 0x00, 0xff };
	uint8_t			buf[512];
	size_t			len = 0;
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	memcpy(buf + len, pre, sizeof pre);
	len += sizeof pre;
	memcpy(buf + len, image1, sizeof image1);
	len += sizeof image1;
	memcpy(buf + len, mid, sizeof mid);
	len += sizeof mid;
	memcpy(buf + len, image2, sizeof image2);
	len += sizeof image2;
	memcpy(buf + len, post, sizeof post);
	len += sizeof post;

	split(buf, len, 0, 0, &k, &st);
	assert_int_equal(k.count, 2);
	assert_int_equal(k.lens[0], sizeof image1);
	assert_int_equal(k.lens[1], sizeof image2);
	assert_memory_equal(k.data, image1, sizeof image1);
	assert_memory_equal(k.data + sizeof image1, image2, sizeof image2);
	/* The FF of pre is garbage, the FF FF before image1's D8 is one. */
	stats_equal(&st, 2, sizeof pre + sizeof mid + sizeof post, 0, 0);

	/* Nothing but garbage. */
	split(pre, sizeof pre, 0, 0, &k, &st);
	assert_int_equal(k.count, 0);
	stats_equal(&st, 0, sizeof pre, 0, 0);
}

static void
test_split_two(void **state)
{
	uint8_t			buf[512];
	size_t			len;
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	memcpy(buf, image1, sizeof image1);
	memcpy(buf + sizeof image1, image2, sizeof image2);
	memcpy(buf + sizeof image1 + sizeof image2, image1, sizeof image1);
	len = 2 * sizeof image1 + sizeof image2;

	split(buf, len, 0, 0, &k, &st);
	assert_int_equal(k.count, 3);
	assert_int_equal(k.lens[0], sizeof image1);
	assert_int_equal(k.lens[1], sizeof image2);
	assert_int_equal(k.lens[2], sizeof image1);
	assert_int_equal(k.len, len);
	assert_memory_equal(k.data, buf, len);
	stats_equal(&st, 3, 0, 0, 0);
}

/*
 * A stream with every case in it, fed at once, byte by byte, in pieces of
 * 2, 3 and 7, and cut in two at every byte: the same images and counts.
 */
static void
test_split_every_cut(void **state)
{
	const uint8_t		 junk[] = { 0xff, 'j', 0xff, 0xff };
	uint8_t			 buf[1024];
	size_t			 len = 0, cut, steps[] = { 1, 2, 3, 7 }, i;
	struct sink		 whole, k;
	struct mjpeg_stats	 st0, st;
	struct mjpeg_splitter	*s;

	(void)state;
	memcpy(buf + len, junk, sizeof junk);
	len += sizeof junk;
	memcpy(buf + len, image1, sizeof image1);
	len += sizeof image1;
	memcpy(buf + len, image1, 50);		/* cut in its scan */
	len += 50;
	memcpy(buf + len, image2, sizeof image2);
	len += sizeof image2;
	memcpy(buf + len, junk, sizeof junk);
	len += sizeof junk;
	memcpy(buf + len, image3, sizeof image3);
	len += sizeof image3;
	memcpy(buf + len, junk, sizeof junk);
	len += sizeof junk;

	split(buf, len, 0, 0, &whole, &st0);
	assert_int_equal(whole.count, 3);
	assert_int_equal(whole.lens[0], sizeof image1);
	assert_int_equal(whole.lens[1], sizeof image2);
	assert_int_equal(whole.lens[2], sizeof image3);
	assert_memory_equal(whole.data, image1, sizeof image1);
	assert_memory_equal(whole.data + sizeof image1, image2,
	    sizeof image2);
	assert_memory_equal(whole.data + sizeof image1 + sizeof image2,
	    image3, sizeof image3);
	stats_equal(&st0, 3, 3 * sizeof junk, 0, 1);

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		split(buf, len, 0, steps[i], &k, &st);
		assert_int_equal(k.count, whole.count);
		assert_int_equal(k.len, whole.len);
		assert_memory_equal(k.lens, whole.lens, sizeof k.lens);
		assert_memory_equal(k.data, whole.data, whole.len);
		assert_memory_equal(&st, &st0, sizeof st);
	}
	for (cut = 0; cut <= len; cut++) {
		memset(&k, 0, sizeof k);
		s = mjpeg_splitter_new(0);
		mjpeg_splitter_feed(s, buf, cut, sink_cb, &k);
		mjpeg_splitter_feed(s, buf + cut, len - cut, sink_cb, &k);
		st = *mjpeg_splitter_stats(s);
		mjpeg_splitter_free(s);
		assert_int_equal(k.count, whole.count);
		assert_memory_equal(k.lens, whole.lens, sizeof k.lens);
		assert_memory_equal(k.data, whole.data, whole.len);
		assert_memory_equal(&st, &st0, sizeof st);
	}
}

/*
 * An image of exactly max bytes passes; with max one byte less it is
 * dropped, and the next image that fits still comes out.
 */
static void
test_split_oversized(void **state)
{
	uint8_t			buf[512];
	size_t			len;
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	split(image1, sizeof image1, sizeof image1, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, image1, sizeof image1);
	stats_equal(&st, 1, 0, 0, 0);

	memcpy(buf, image1, sizeof image1);
	memcpy(buf + sizeof image1, image3, sizeof image3);
	len = sizeof image1 + sizeof image3;
	split(buf, len, sizeof image1 - 1, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_int_equal(k.lens[0], sizeof image3);
	assert_memory_equal(k.data, image3, sizeof image3);
	assert_int_equal(st.frames, 1);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(st.truncated, 0);
	/* The size of what was dropped is known, for the error to say. */
	assert_int_equal(st.largest, sizeof image1);

	/* Byte by byte, the same. */
	split(buf, len, sizeof image1 - 1, 1, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, image3, sizeof image3);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(st.largest, sizeof image1);

	/*
	 * An image too large whose APP1 segment holds a whole small image
	 * (an Exif thumbnail): the thumbnail must not come out as a frame.
	 */
	len = 0;
	buf[len++] = 0xff; buf[len++] = 0xd8;
	buf[len++] = 0xff; buf[len++] = 0xe1;
	buf[len++] = 0x00; buf[len++] = (uint8_t)(2 + 4 + sizeof image3);
	memset(buf + len, 'x', 4);	/* the limit is passed in here */
	len += 4;
	memcpy(buf + len, image3, sizeof image3);
	len += sizeof image3;
	buf[len++] = 0xff; buf[len++] = 0xd9;
	memcpy(buf + len, image3, sizeof image3);	/* then a real one */
	len += sizeof image3;
	split(buf, len, sizeof image3, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_int_equal(k.lens[0], sizeof image3);
	assert_int_equal(st.oversized, 1);
	assert_int_equal(st.largest, len - sizeof image3);
	split(buf, len, sizeof image3, 1, &k, &st);
	assert_int_equal(k.count, 1);
	assert_int_equal(st.oversized, 1);
}

/*
 * An image larger than the splitter's first buffer (64 KiB) makes it grow,
 * up to max and no further.
 */
static void
test_split_large(void **state)
{
	uint8_t			*big;
	size_t			 n = 200000, blen = 6 + n + 2, j;
	struct mjpeg_splitter	*s;
	struct sink		 k;

	(void)state;
	big = malloc(blen);
	assert_non_null(big);
	memcpy(big, image3, 6);
	for (j = 0; j < n; j++)
		big[6 + j] = (uint8_t)(j % 251);	/* no FF */
	big[blen - 2] = 0xff;
	big[blen - 1] = 0xd9;

	memset(&k, 0, sizeof k);
	s = mjpeg_splitter_new(blen);
	mjpeg_splitter_feed(s, big, blen, count_cb, &k);
	mjpeg_splitter_feed(s, image3, sizeof image3, count_cb, &k);
	assert_int_equal(k.count, 2);
	assert_int_equal(k.lens[0], blen);
	assert_int_equal(k.lens[1], sizeof image3);
	stats_equal(mjpeg_splitter_stats(s), 2, 0, 0, 0);
	mjpeg_splitter_free(s);

	memset(&k, 0, sizeof k);
	s = mjpeg_splitter_new(blen - 1);
	mjpeg_splitter_feed(s, big, blen, count_cb, &k);
	mjpeg_splitter_feed(s, image3, sizeof image3, count_cb, &k);
	assert_int_equal(k.count, 1);
	assert_int_equal(k.lens[0], sizeof image3);
	stats_equal(mjpeg_splitter_stats(s), 1, 0, 1, 0);
	mjpeg_splitter_free(s);
	free(big);
}

/*
 * A limit below MJPEG_MIN_FRAME is raised to it: the smallest image still
 * comes out whole, and a larger one is dropped whole, with nothing read
 * outside the buffer (a limit of 1 read the byte before it, found by
 * tests/fuzz/mjpeg.c).
 */
static void
test_split_tiny_limit(void **state)
{
	const uint8_t		tiny[] = { 0xff, 0xd8, 0xff, 0xd9 };
	uint8_t			buf[64];
	size_t			max, len;
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	memcpy(buf, image3, sizeof image3);
	memcpy(buf + sizeof image3, tiny, sizeof tiny);
	len = sizeof image3 + sizeof tiny;
	for (max = 1; max <= MJPEG_MIN_FRAME; max++) {
		split(buf, len, max, 0, &k, &st);
		assert_int_equal(k.count, 1);
		assert_int_equal(k.lens[0], sizeof tiny);
		assert_memory_equal(k.data, tiny, sizeof tiny);
		stats_equal(&st, 1, 0, 1, 0);
		/* Byte by byte, the same. */
		split(buf, len, max, 1, &k, &st);
		assert_int_equal(k.count, 1);
		stats_equal(&st, 1, 0, 1, 0);
	}
}

/* A new SOI cuts the image being built: it is counted and lost. */
static void
test_split_soi_restart(void **state)
{
	uint8_t			buf[512];
	size_t			len, i, cuts[] = { 2, 20, 21, 32, 42, 43, 45,
				    46, 49, 56, 57, 65 };
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	/*
	 * Cut after SOI, after APP0, after the FF of the COM marker, after
	 * COM, where the scan starts, in the scan, just after an FF, after a
	 * stuffed byte, after a restart marker, after a fill byte, and just
	 * before EOI: each time image2 follows.  (A cut inside a segment
	 * with a length cannot be seen; the segment's length is trusted.)
	 */
	for (i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		memcpy(buf, image1, cuts[i]);
		memcpy(buf + cuts[i], image2, sizeof image2);
		len = cuts[i] + sizeof image2;
		split(buf, len, 0, 0, &k, &st);
		assert_int_equal(k.count, 1);
		assert_int_equal(k.lens[0], sizeof image2);
		assert_memory_equal(k.data, image2, sizeof image2);
		stats_equal(&st, 1, 0, 0, 1);
	}
}

/* Not a marker where one must be, or a length under 2: a broken image. */
static void
test_split_broken(void **state)
{
	const uint8_t		nomarker[] = { 0xff, 0xd8, 0x00 };
	const uint8_t		shortlen[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00,
				    0x01 };
	uint8_t			buf[512];
	size_t			len;
	struct sink		k;
	struct mjpeg_stats	st;

	(void)state;
	memcpy(buf, nomarker, sizeof nomarker);
	memcpy(buf + sizeof nomarker, image3, sizeof image3);
	len = sizeof nomarker + sizeof image3;
	split(buf, len, 0, 0, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, image3, sizeof image3);
	stats_equal(&st, 1, sizeof nomarker, 0, 1);

	memcpy(buf, shortlen, sizeof shortlen);
	memcpy(buf + sizeof shortlen, image3, sizeof image3);
	len = sizeof shortlen + sizeof image3;
	split(buf, len, 0, 1, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, image3, sizeof image3);
	stats_equal(&st, 1, sizeof shortlen, 0, 1);
}

/* A JPEG from TurboJPEG, twice, in garbage, whole and byte by byte. */
static void
test_split_real_jpeg(void **state)
{
	uint8_t			*jpeg, *buf;
	unsigned long		 jlen;
	size_t			 len, steps[] = { 0, 1, 5 }, i;
	struct sink		*k;
	struct mjpeg_stats	 st;
	tjhandle		 tj;
	int			 w, h, sub, cs;

	(void)state;
	jpeg = real_jpeg(48, 32, &jlen);
	assert_true(jlen * 2 + 10 <= sizeof k->data);
	/* The test is only worth it with stuffing in the entropy data. */
	assert_non_null(memmem(jpeg, jlen, "\xff\x00", 2));

	buf = malloc(2 * jlen + 10);
	assert_non_null(buf);
	memcpy(buf, "junk\xff", 5);
	memcpy(buf + 5, jpeg, jlen);
	memcpy(buf + 5 + jlen, jpeg, jlen);
	memcpy(buf + 5 + 2 * jlen, "\xff\xd9xyz", 5);
	len = 2 * jlen + 10;

	k = malloc(sizeof *k);
	assert_non_null(k);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		split(buf, len, 0, steps[i], k, &st);
		assert_int_equal(k->count, 2);
		assert_int_equal(k->lens[0], jlen);
		assert_int_equal(k->lens[1], jlen);
		assert_memory_equal(k->data, jpeg, jlen);
		assert_memory_equal(k->data + jlen, jpeg, jlen);
		stats_equal(&st, 2, 10, 0, 0);
	}

	/* What came out still decodes. */
	tj = tjInitDecompress();
	assert_non_null(tj);
	assert_int_equal(tjDecompressHeader3(tj, k->data + jlen, k->lens[1],
	    &w, &h, &sub, &cs), 0);
	assert_int_equal(w, 48);
	assert_int_equal(h, 32);
	assert_int_equal(sub, TJSAMP_GRAY);
	tjDestroy(tj);

	free(k);
	free(buf);
	tjFree(jpeg);
}

static void
test_tag_round_trip(void **state)
{
	const char	*tag = "meet:src=cam0;ts=123456789";
	uint8_t		*out;
	size_t		 olen = 0, tl = strlen(tag);
	char		 src[MJPEG_TAG_NAME];
	uint64_t	 ts = 0;

	(void)state;
	out = mjpeg_tag_set(image1, sizeof image1, "cam0", 123456789, &olen);
	assert_non_null(out);
	/* SOI, then the COM segment, then the rest as it was. */
	assert_int_equal(olen, sizeof image1 + 4 + tl);
	assert_int_equal(out[0], 0xff);
	assert_int_equal(out[1], 0xd8);
	assert_int_equal(out[2], 0xff);
	assert_int_equal(out[3], 0xfe);
	assert_int_equal(out[4] << 8 | out[5], tl + 2);
	assert_memory_equal(out + 6, tag, tl);
	assert_memory_equal(out + 6 + tl, image1 + 2, sizeof image1 - 2);

	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, &ts), 0);
	assert_string_equal(src, "cam0");
	assert_int_equal(ts, 123456789);
	/* Either field may be left out. */
	ts = 0;
	assert_int_equal(mjpeg_tag_get(out, olen, NULL, 0, &ts), 0);
	assert_int_equal(ts, 123456789);
	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, NULL), 0);
	free(out);

	/* The largest timestamp and an empty name. */
	out = mjpeg_tag_set(image3, sizeof image3, "", UINT64_MAX, &olen);
	assert_non_null(out);
	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, &ts), 0);
	assert_string_equal(src, "");
	assert_true(ts == UINT64_MAX);
	free(out);
}

/* A second tag replaces the first, wherever it was. */
static void
test_tag_replace(void **state)
{
	/* An image with APP0 first and a meet tag after it. */
	static const uint8_t	tagged[] = {
		0xff, 0xd8,
		0xff, 0xe0, 0x00, 0x04, 0x01, 0x02,
		0xff, 0xfe, 0x00, 0x14, 'm', 'e', 'e', 't', ':', 's', 'r', 'c',
		    '=', 'o', 'l', 'd', ';', 't', 's', '=', '1', '7',
		0xff, 0xda, 0x00, 0x02, 0x05, 0xff, 0xd9
	};
	static const uint8_t	rest[] = {
		0xff, 0xe0, 0x00, 0x04, 0x01, 0x02,
		0xff, 0xda, 0x00, 0x02, 0x05, 0xff, 0xd9
	};
	const char		*tag2 = "meet:src=mic1;ts=42";
	const char		*tag3 = "meet:src=x;ts=0";
	uint8_t			*out, *out2, *out3;
	size_t			 olen, olen2, olen3, tl2 = strlen(tag2);
	char			 src[MJPEG_TAG_NAME];
	uint64_t		 ts;
	struct sink		 k;
	struct mjpeg_stats	 st;

	(void)state;
	assert_int_equal(mjpeg_tag_get(tagged, sizeof tagged, src, sizeof src,
	    &ts), 0);
	assert_string_equal(src, "old");
	assert_int_equal(ts, 17);

	out = mjpeg_tag_set(tagged, sizeof tagged, "mic1", 42, &olen);
	assert_non_null(out);
	assert_int_equal(olen, 6 + tl2 + sizeof rest);
	assert_memory_equal(out + 6, tag2, tl2);
	assert_memory_equal(out + 6 + tl2, rest, sizeof rest);
	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, &ts), 0);
	assert_string_equal(src, "mic1");
	assert_int_equal(ts, 42);

	/* Replacing the tag in front, twice over. */
	out2 = mjpeg_tag_set(out, olen, "x", 0, &olen2);
	assert_non_null(out2);
	assert_int_equal(olen2, 6 + strlen(tag3) + sizeof rest);
	assert_memory_equal(out2 + 6, tag3, strlen(tag3));
	assert_memory_equal(out2 + 6 + strlen(tag3), rest, sizeof rest);
	out3 = mjpeg_tag_set(out2, olen2, "mic1", 42, &olen3);
	assert_non_null(out3);
	assert_int_equal(olen3, olen);
	assert_memory_equal(out3, out, olen);

	/* A tagged image is still one image to the splitter. */
	split(out, olen, 0, 1, &k, &st);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.data, out, olen);
	stats_equal(&st, 1, 0, 0, 0);
	free(out);
	free(out2);
	free(out3);
}

static void
test_tag_not_jpeg(void **state)
{
	const uint8_t	text[] = "hello, world";
	const uint8_t	png[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a,
			    0x0a };
	size_t		olen = 77;
	char		src[MJPEG_TAG_NAME] = "unset";
	uint64_t	ts = 5;

	(void)state;
	assert_null(mjpeg_tag_set(text, sizeof text - 1, "cam0", 1, &olen));
	assert_null(mjpeg_tag_set(png, sizeof png, "cam0", 1, &olen));
	assert_null(mjpeg_tag_set(image1 + 1, sizeof image1 - 1, "cam0", 1,
	    &olen));
	/* Too short to be one. */
	assert_null(mjpeg_tag_set(image1, 3, "cam0", 1, &olen));
	assert_null(mjpeg_tag_set(image1, 0, "cam0", 1, &olen));
	assert_int_equal(olen, 77);

	assert_int_equal(mjpeg_tag_get(text, sizeof text - 1, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(png, sizeof png, src, sizeof src, &ts),
	    -1);
	assert_int_equal(mjpeg_tag_get(image1, 3, src, sizeof src, &ts), -1);
	assert_string_equal(src, "unset");
	assert_int_equal(ts, 5);
}

/* An image with no meet tag, or a COM that is not one, gives -1. */
static void
test_tag_untagged(void **state)
{
	static const uint8_t	other[] = {
		0xff, 0xd8,
		0xff, 0xfe, 0x00, 0x0b, 'm', 'e', 'e', 't', 'i', 'n', 'g', '!',
		    '!',
		0xff, 0xfe, 0x00, 0x0a, 'm', 'e', 'e', 't', ':', 'a', '=', 'b',
		0xff, 0xfe, 0x00, 0x0e, 'm', 'e', 'e', 't', ':', 's', 'r', 'c',
		    '=', 'x', 'y', 'z',
		0xff, 0xd9
	};
	/* The tag after SOS is in the entropy data: not looked for. */
	static const uint8_t	late[] = {
		0xff, 0xd8, 0xff, 0xda, 0x00, 0x02,
		0xff, 0xfe, 0x00, 0x11, 'm', 'e', 'e', 't', ':', 's', 'r', 'c',
		    '=', 'a', ';', 't', 's', '=', '1',
		0xff, 0xd9
	};
	/* A segment length running past the end. */
	static const uint8_t	cut[] = {
		0xff, 0xd8, 0xff, 0xfe, 0x00, 0x20, 'm', 'e', 'e', 't', ':',
		    's', 'r', 'c', '=', 'a', ';', 't', 's', '=', '1'
	};
	static const uint8_t	nots[] = {
		0xff, 0xd8, 0xff, 0xfe, 0x00, 0x10, 'm', 'e', 'e', 't', ':',
		    's', 'r', 'c', '=', 'a', ';', 't', 's', '=',
		0xff, 0xd9
	};
	char			src[MJPEG_TAG_NAME] = "unset";
	uint64_t		ts = 5;

	(void)state;
	assert_int_equal(mjpeg_tag_get(image1, sizeof image1, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(image2, sizeof image2, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(image3, sizeof image3, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(other, sizeof other, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(late, sizeof late, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(cut, sizeof cut, src, sizeof src,
	    &ts), -1);
	assert_int_equal(mjpeg_tag_get(nots, sizeof nots, src, sizeof src,
	    &ts), -1);
	assert_string_equal(src, "unset");
	assert_int_equal(ts, 5);
}

/* Names are cut to MJPEG_TAG_NAME - 1 bytes, and to the caller's buffer. */
static void
test_tag_limits(void **state)
{
	char		name[100], src[MJPEG_TAG_NAME + 10], small[4];
	uint8_t		*out;
	size_t		olen;
	uint64_t	ts;

	(void)state;
	memset(name, 'n', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	out = mjpeg_tag_set(image3, sizeof image3, name, 9, &olen);
	assert_non_null(out);
	assert_int_equal(olen, sizeof image3 + 4 + strlen("meet:src=;ts=9") +
	    MJPEG_TAG_NAME - 1);
	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, &ts), 0);
	assert_int_equal(strlen(src), MJPEG_TAG_NAME - 1);
	assert_memory_equal(src, name, MJPEG_TAG_NAME - 1);
	assert_int_equal(ts, 9);

	assert_int_equal(mjpeg_tag_get(out, olen, small, sizeof small, &ts),
	    0);
	assert_string_equal(small, "nnn");
	free(out);
}

/* A tagged TurboJPEG image decodes to the same pixels as the untagged. */
static void
test_tag_real_jpeg(void **state)
{
	uint8_t		*jpeg, *out, a[48 * 32], b[48 * 32];
	unsigned long	 jlen;
	size_t		 olen;
	char		 src[MJPEG_TAG_NAME];
	uint64_t	 ts;
	tjhandle	 tj;

	(void)state;
	jpeg = real_jpeg(48, 32, &jlen);
	out = mjpeg_tag_set(jpeg, jlen, "test", 1700000000123456ULL, &olen);
	assert_non_null(out);
	assert_int_equal(mjpeg_tag_get(out, olen, src, sizeof src, &ts), 0);
	assert_string_equal(src, "test");
	assert_true(ts == 1700000000123456ULL);
	assert_int_equal(mjpeg_tag_get(jpeg, jlen, src, sizeof src, &ts), -1);

	tj = tjInitDecompress();
	assert_non_null(tj);
	assert_int_equal(tjDecompress2(tj, jpeg, jlen, a, 48, 0, 32,
	    TJPF_GRAY, 0), 0);
	assert_int_equal(tjDecompress2(tj, out, olen, b, 48, 0, 32, TJPF_GRAY,
	    0), 0);
	assert_memory_equal(a, b, sizeof a);
	tjDestroy(tj);
	free(out);
	tjFree(jpeg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_one),
		cmocka_unit_test(test_split_garbage),
		cmocka_unit_test(test_split_two),
		cmocka_unit_test(test_split_every_cut),
		cmocka_unit_test(test_split_oversized),
		cmocka_unit_test(test_split_large),
		cmocka_unit_test(test_split_tiny_limit),
		cmocka_unit_test(test_split_soi_restart),
		cmocka_unit_test(test_split_broken),
		cmocka_unit_test(test_split_real_jpeg),
		cmocka_unit_test(test_tag_round_trip),
		cmocka_unit_test(test_tag_replace),
		cmocka_unit_test(test_tag_not_jpeg),
		cmocka_unit_test(test_tag_untagged),
		cmocka_unit_test(test_tag_limits),
		cmocka_unit_test(test_tag_real_jpeg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
