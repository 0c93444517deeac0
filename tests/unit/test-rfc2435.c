/*
 * Unit tests for JPEG over RTP (lib/rfc2435.c) and re-encoding for it
 * (lib/jpeg-normalize.c).  Images come from TurboJPEG: baseline 4:2:0 and
 * 4:2:2 ones go through jpeg_rtp_info, the packetizer and the depacketizer
 * and must decode to exactly the pixels of the original (same tables, same
 * scan: the same image).  Progressive, 4:4:4, grayscale, odd-sized and
 * oversized ones are refused and then accepted once re-encoded.  Lost,
 * reordered, malformed and random payloads are counted, never trusted.
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

#include "jpeg-normalize.h"
#include "rfc2435.h"

#define MAX_PACKETS	4096

/* Payloads the packetizer emitted, in order. */
struct packets {
	uint8_t	*data[MAX_PACKETS];
	size_t	 len[MAX_PACKETS];
	int	 marker[MAX_PACKETS];
	size_t	 n;
};

/* Frames the depacketizer handed out: the last one kept, all counted. */
struct frames {
	uint8_t	*last;
	size_t	 last_len;
	size_t	 count;
};

static void	test_qtables_q50(void **);
static void	test_qtables_libjpeg(void **);
static void	test_round_trip_420(void **);
static void	test_round_trip_422(void **);
static void	test_round_trip_restart(void **);
static int	unset_restart(void **);
static void	test_q_from_header(void **);
static void	test_q_cached(void **);
static void	test_lost_middle(void **);
static void	test_lost_first_last(void **);
static void	test_reordered(void **);
static void	test_late_and_duplicate(void **);
static void	test_malformed(void **);
static void	test_too_large(void **);
static void	test_packetize_limits(void **);
static void	test_info_refuses(void **);
static void	test_normalize_progressive(void **);
static void	test_normalize_444_gray(void **);
static void	test_normalize_scale(void **);
static void	test_normalize_garbage(void **);
static void	test_fuzz_depack(void **);
static void	test_fuzz_info(void **);
static void	emit_cb(const uint8_t *, size_t, int, void *);
static void	frame_cb(const uint8_t *, size_t, void *);
static void	packets_free(struct packets *);
static void	frames_free(struct frames *);
static uint8_t	*make_jpeg(int, int, int, int, int, size_t *);
static uint8_t	*decode_rgb(const uint8_t *, size_t, int *, int *);
static void	packetize(const uint8_t *, size_t, size_t, struct packets *,
		    struct jpeg_rtp_info *);
static void	check_packets(const struct packets *,
		    const struct jpeg_rtp_info *, size_t);
static void	push_all(struct rfc2435_depack *, const struct packets *,
		    const size_t *, uint32_t, uint16_t, struct frames *);
static void	same_pixels(const uint8_t *, size_t, const uint8_t *, size_t);
static void	round_trip(int, int, int, int);
static void	check_normalized(const uint8_t *, size_t, int, int);
static uint32_t	rnd(uint32_t *);

/* Annex K table K.1 and K.2 in zigzag order, as DQT and RFC 2435 send them. */
static const uint8_t luma_q50[64] = {
	16,  11,  12,  14,  12,  10,  16,  14,
	13,  14,  18,  17,  16,  19,  24,  40,
	26,  24,  22,  22,  24,  49,  35,  37,
	29,  40,  58,  51,  61,  60,  57,  51,
	56,  55,  64,  72,  92,  78,  64,  68,
	87,  69,  55,  56,  80, 109,  81,  87,
	95,  98, 103, 104, 103,  62,  77, 113,
	121, 112, 100, 120, 92, 101, 103,  99
};
static const uint8_t chroma_q50[64] = {
	17,  18,  18,  24,  21,  24,  47,  26,
	26,  47,  99,  66,  56,  66,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99,
	99,  99,  99,  99,  99,  99,  99,  99
};

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
emit_cb(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct packets	*pk = arg;

	assert_true(pk->n < MAX_PACKETS);
	pk->data[pk->n] = malloc(len);
	assert_non_null(pk->data[pk->n]);
	memcpy(pk->data[pk->n], p, len);
	pk->len[pk->n] = len;
	pk->marker[pk->n] = marker;
	pk->n++;
}

static void
frame_cb(const uint8_t *p, size_t len, void *arg)
{
	struct frames	*f = arg;

	free(f->last);
	f->last = malloc(len);
	assert_non_null(f->last);
	memcpy(f->last, p, len);
	f->last_len = len;
	f->count++;
}

static void
packets_free(struct packets *pk)
{
	size_t	i;

	for (i = 0; i < pk->n; i++)
		free(pk->data[i]);
	pk->n = 0;
}

static void
frames_free(struct frames *f)
{
	free(f->last);
	memset(f, 0, sizeof *f);
}

/*
 * A TurboJPEG image of a pattern with gradients, edges and noise, so that
 * the scan is large enough for many packets; the caller frees it.
 */
static uint8_t *
make_jpeg(int w, int h, int samp, int quality, int flags, size_t *len)
{
	tjhandle	 tj;
	uint8_t		*rgb, *jpeg = NULL, *out, *p;
	unsigned long	 size = 0;
	uint32_t	 seed = 12345;
	int		 x, y;

	rgb = malloc((size_t)w * h * 3);
	assert_non_null(rgb);
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			p = rgb + ((size_t)y * w + x) * 3;
			p[0] = (x * 255) / w;
			p[1] = ((x / 16 + y / 16) & 1) ? 200 : 40;
			p[2] = (y * 255) / h ^ (rnd(&seed) & 0x1f);
		}
	}
	tj = tjInitCompress();
	assert_non_null(tj);
	assert_int_equal(tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &jpeg, &size,
	    samp, quality, flags), 0);
	out = malloc(size);
	assert_non_null(out);
	memcpy(out, jpeg, size);
	*len = size;
	tjFree(jpeg);
	tjDestroy(tj);
	free(rgb);
	return out;
}

/* Decoded RGB pixels; the caller frees them. */
static uint8_t *
decode_rgb(const uint8_t *jpeg, size_t len, int *w, int *h)
{
	tjhandle	 tj;
	uint8_t		*rgb;
	int		 samp, cs;

	tj = tjInitDecompress();
	assert_non_null(tj);
	assert_int_equal(tjDecompressHeader3(tj, jpeg, len, w, h, &samp, &cs),
	    0);
	rgb = malloc((size_t)*w * *h * 3);
	assert_non_null(rgb);
	assert_int_equal(tjDecompress2(tj, jpeg, len, rgb, *w, 0, *h, TJPF_RGB,
	    0), 0);
	tjDestroy(tj);
	return rgb;
}

static void
packetize(const uint8_t *jpeg, size_t len, size_t max, struct packets *pk,
    struct jpeg_rtp_info *info)
{
	char	err[256];
	int	n;

	memset(pk, 0, sizeof *pk);
	if (jpeg_rtp_info(jpeg, len, info, err, sizeof err) != 0)
		fail_msg("jpeg_rtp_info: %s", err);
	n = rfc2435_packetize(info, max, emit_cb, pk);
	assert_true(n > 0);
	assert_int_equal((size_t)n, pk->n);
}

/*
 * Every payload fits, the marker is on the last only, the main header is
 * the same in each, and the offsets follow each other with no gap.
 */
static void
check_packets(const struct packets *pk, const struct jpeg_rtp_info *info,
    size_t max)
{
	size_t		 i, off, hdr, next = 0;
	const uint8_t	*p;

	for (i = 0; i < pk->n; i++) {
		p = pk->data[i];
		assert_true(pk->len[i] <= max);
		assert_int_equal(pk->marker[i], i == pk->n - 1);
		assert_int_equal(p[0], 0);
		off = (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
		assert_int_equal(off, next);
		assert_int_equal(p[4], info->type);
		assert_int_equal(p[5], 255);
		assert_int_equal(p[6], info->width / 8);
		assert_int_equal(p[7], info->height / 8);
		hdr = 8;
		if (info->type & 64) {
			assert_int_equal(p[8] << 8 | p[9],
			    info->restart_interval);
			assert_int_equal(p[10], 0xff);
			assert_int_equal(p[11], 0xff);
			hdr += 4;
		}
		if (off == 0) {
			assert_int_equal(p[hdr], 0);
			assert_int_equal(p[hdr + 1], 0);
			assert_int_equal(p[hdr + 2] << 8 | p[hdr + 3], 128);
			assert_memory_equal(p + hdr + 4, info->qtables, 128);
			hdr += 4 + 128;
		}
		assert_true(pk->len[i] > hdr);
		assert_memory_equal(p + hdr, info->scan + off,
		    pk->len[i] - hdr);
		next = off + pk->len[i] - hdr;
	}
	assert_int_equal(next, info->scan_len);
}

/* Push packets in the order given (all in order when NULL). */
static void
push_all(struct rfc2435_depack *d, const struct packets *pk,
    const size_t *order, uint32_t ts, uint16_t seq, struct frames *f)
{
	size_t	i, k;

	for (i = 0; i < pk->n; i++) {
		k = order == NULL ? i : order[i];
		assert_int_equal(rfc2435_depack_push(d, pk->data[k],
		    pk->len[k], ts, (uint16_t)(seq + k), pk->marker[k],
		    frame_cb, f), 0);
	}
}

static void
same_pixels(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t	*pa, *pb;
	int	 aw, ah, bw, bh;

	pa = decode_rgb(a, alen, &aw, &ah);
	pb = decode_rgb(b, blen, &bw, &bh);
	assert_int_equal(aw, bw);
	assert_int_equal(ah, bh);
	assert_memory_equal(pa, pb, (size_t)aw * ah * 3);
	free(pa);
	free(pb);
}

static void
round_trip(int w, int h, int samp, int type)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg;
	size_t			 len, hdr, first, expect;

	jpeg = make_jpeg(w, h, samp, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	assert_int_equal(info.type, type);
	assert_int_equal(info.width, w);
	assert_int_equal(info.height, h);
	/* As many payloads as it takes to fill each: no more. */
	hdr = type & 64 ? 12 : 8;
	first = 1200 - hdr - 4 - 128;
	expect = 1;
	if (info.scan_len > first)
		expect += (info.scan_len - first + 1200 - hdr - 1) /
		    (1200 - hdr);
	assert_int_equal(pk.n, expect);
	check_packets(&pk, &info, 1200);

	d = rfc2435_depack_new(0);
	push_all(d, &pk, NULL, 1000, 7, &f);
	st = rfc2435_depack_stats(d);
	assert_int_equal(f.count, 1);
	assert_int_equal(st->frames_complete, 1);
	assert_int_equal(st->frames_dropped, 0);
	assert_int_equal(st->packets, pk.n);
	assert_int_equal(st->seq_gaps, 0);
	same_pixels(jpeg, len, f.last, f.last_len);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* At Q 50, Appendix A gives the Annex K tables themselves. */
static void
test_qtables_q50(void **state)
{
	uint8_t	qt[2][64];

	(void)state;
	rfc2435_qtables(50, qt);
	assert_memory_equal(qt[0], luma_q50, 64);
	assert_memory_equal(qt[1], chroma_q50, 64);

	/* Q 1 saturates at 255; at Q 99 the scale is 2%, at least 1. */
	rfc2435_qtables(1, qt);
	assert_int_equal(qt[0][0], 255);
	assert_int_equal(qt[1][63], 255);
	rfc2435_qtables(99, qt);
	assert_int_equal(qt[0][0], 1);		/* (16 * 2 + 50) / 100 */
	assert_int_equal(qt[1][63], 2);		/* (99 * 2 + 50) / 100 */
	/* Q 10: 5000 / 10 = 500, so 16 * 5 = 80. */
	rfc2435_qtables(10, qt);
	assert_int_equal(qt[0][0], 80);
	assert_int_equal(qt[0][1], 55);
}

/* libjpeg scales its tables the same way: TurboJPEG's DQT must match. */
static void
test_qtables_libjpeg(void **state)
{
	struct jpeg_rtp_info	 info;
	uint8_t			 qt[2][64], *jpeg;
	size_t			 len;
	char			 err[256];
	int			 q;

	(void)state;
	for (q = 5; q < 100; q += 15) {
		jpeg = make_jpeg(64, 64, TJSAMP_420, q, 0, &len);
		assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err,
		    sizeof err), 0);
		rfc2435_qtables(q, qt);
		assert_memory_equal(info.qtables, qt, sizeof qt);
		free(jpeg);
	}
}

static void
test_round_trip_420(void **state)
{
	(void)state;
	round_trip(320, 240, TJSAMP_420, 1);
	/* Multiples of 8 that are not of the 16-pixel MCU. */
	round_trip(200, 120, TJSAMP_420, 1);
	round_trip(2040, 64, TJSAMP_420, 1);
}

static void
test_round_trip_422(void **state)
{
	(void)state;
	round_trip(320, 240, TJSAMP_422, 0);
	round_trip(8, 8, TJSAMP_422, 0);
}

/* TJ_RESTART makes TurboJPEG write DRI and restart markers: types 64, 65. */
static void
test_round_trip_restart(void **state)
{
	(void)state;
	setenv("TJ_RESTART", "1", 1);
	round_trip(320, 240, TJSAMP_420, 65);
	round_trip(320, 240, TJSAMP_422, 64);
}

static int
unset_restart(void **state)
{
	(void)state;
	unsetenv("TJ_RESTART");
	return 0;
}

/*
 * A sender may give Q 1-99 and no tables: the receiver computes them from
 * Appendix A.  A quality-50 TurboJPEG image sent that way is the same image.
 */
static void
test_q_from_header(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	uint8_t			*jpeg;
	size_t			 len, i;

	(void)state;
	jpeg = make_jpeg(160, 128, TJSAMP_420, 50, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	for (i = 0; i < pk.n; i++)
		pk.data[i][5] = 50;
	/* Take the table header out of the first payload. */
	memmove(pk.data[0] + 8, pk.data[0] + 8 + 4 + 128,
	    pk.len[0] - 8 - 4 - 128);
	pk.len[0] -= 4 + 128;

	d = rfc2435_depack_new(0);
	push_all(d, &pk, NULL, 0, 0, &f);
	assert_int_equal(f.count, 1);
	same_pixels(jpeg, len, f.last, f.last_len);
	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* Q 128-254: tables sent once may be left out of later frames. */
static void
test_q_cached(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg, *first;
	size_t			 len, i, first_len;

	(void)state;
	jpeg = make_jpeg(160, 128, TJSAMP_420, 70, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	for (i = 0; i < pk.n; i++)
		pk.data[i][5] = 200;
	d = rfc2435_depack_new(0);

	/* With no tables known, a frame without them is dropped. */
	first = malloc(pk.len[0]);
	assert_non_null(first);
	memcpy(first, pk.data[0], pk.len[0]);
	first_len = pk.len[0];
	pk.data[0][10] = pk.data[0][11] = 0;
	memmove(pk.data[0] + 12, pk.data[0] + 12 + 128, pk.len[0] - 12 - 128);
	pk.len[0] -= 128;
	assert_int_equal(rfc2435_depack_push(d, pk.data[0], pk.len[0], 0, 0,
	    0, frame_cb, &f), -1);
	st = rfc2435_depack_stats(d);
	assert_int_equal(st->drop_no_tables, 1);

	/* Then a frame with them, then one without: both complete. */
	assert_int_equal(rfc2435_depack_push(d, first, first_len, 3000, 1, 0,
	    frame_cb, &f), 0);
	for (i = 1; i < pk.n; i++) {
		assert_int_equal(rfc2435_depack_push(d, pk.data[i], pk.len[i],
		    3000, 1 + i, pk.marker[i], frame_cb, &f), 0);
	}
	push_all(d, &pk, NULL, 6000, 100, &f);
	assert_int_equal(f.count, 2);
	assert_int_equal(st->frames_complete, 2);
	assert_int_equal(st->frames_dropped, 1);
	same_pixels(jpeg, len, f.last, f.last_len);

	free(first);
	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* A lost packet in the middle loses that frame only, and says why. */
static void
test_lost_middle(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg;
	size_t			 len, i, mid;

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(0);
	st = rfc2435_depack_stats(d);

	mid = pk.n / 2;
	for (i = 0; i < pk.n; i++) {
		if (i == mid)
			continue;
		assert_int_equal(rfc2435_depack_push(d, pk.data[i], pk.len[i],
		    3000, (uint16_t)i, pk.marker[i], frame_cb, &f), 0);
	}
	assert_int_equal(f.count, 0);
	assert_int_equal(st->seq_gaps, 1);
	assert_int_equal(st->frames_dropped, 0);	/* not known yet */

	push_all(d, &pk, NULL, 6000, (uint16_t)pk.n, &f);
	assert_int_equal(f.count, 1);
	assert_int_equal(st->frames_complete, 1);
	assert_int_equal(st->frames_dropped, 1);
	assert_int_equal(st->drop_gap, 1);
	assert_int_equal(st->drop_no_first, 0);
	assert_int_equal(st->drop_no_last, 0);
	same_pixels(jpeg, len, f.last, f.last_len);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

static void
test_lost_first_last(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg;
	size_t			 len, i;

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(0);
	st = rfc2435_depack_stats(d);

	for (i = 1; i < pk.n; i++)	/* no first */
		rfc2435_depack_push(d, pk.data[i], pk.len[i], 100, i,
		    pk.marker[i], frame_cb, &f);
	for (i = 0; i + 1 < pk.n; i++)	/* no last */
		rfc2435_depack_push(d, pk.data[i], pk.len[i], 200, i,
		    pk.marker[i], frame_cb, &f);
	push_all(d, &pk, NULL, 300, 0, &f);
	assert_int_equal(f.count, 1);
	assert_int_equal(st->frames_complete, 1);
	assert_int_equal(st->frames_dropped, 2);
	assert_int_equal(st->drop_no_first, 1);
	assert_int_equal(st->drop_no_last, 1);
	assert_int_equal(st->drop_gap, 0);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* Fragments go where their offset says: any order within a frame works. */
static void
test_reordered(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	uint8_t			*jpeg, *inorder;
	size_t			 len, i, j, tmp, order[MAX_PACKETS], inlen;
	uint32_t		 seed = 99;

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_422, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(0);
	push_all(d, &pk, NULL, 0, 0, &f);
	assert_int_equal(f.count, 1);
	inorder = f.last;
	inlen = f.last_len;
	f.last = NULL;

	/* Backwards: the marker packet first, the tables last. */
	for (i = 0; i < pk.n; i++)
		order[i] = pk.n - 1 - i;
	push_all(d, &pk, order, 3000, 0, &f);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.last_len, inlen);
	assert_memory_equal(f.last, inorder, inlen);

	/* Shuffled, with one packet twice. */
	for (i = 0; i < pk.n; i++)
		order[i] = i;
	for (i = pk.n - 1; i > 0; i--) {
		j = rnd(&seed) % (i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	push_all(d, &pk, order, 6000, 0, &f);
	assert_int_equal(f.count, 3);
	assert_memory_equal(f.last, inorder, inlen);
	assert_int_equal(rfc2435_depack_stats(d)->frames_dropped, 0);
	same_pixels(jpeg, len, f.last, f.last_len);

	free(inorder);
	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* Packets of a finished or older frame are counted and ignored. */
static void
test_late_and_duplicate(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg;
	size_t			 len;

	(void)state;
	jpeg = make_jpeg(64, 64, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(0);
	st = rfc2435_depack_stats(d);
	push_all(d, &pk, NULL, 5000, 0, &f);
	assert_int_equal(f.count, 1);
	/* The same frame again: late, not a second frame. */
	assert_int_equal(rfc2435_depack_push(d, pk.data[0], pk.len[0], 5000,
	    9, pk.marker[0], frame_cb, &f), -1);
	/* An older one, across the 32-bit wrap. */
	assert_int_equal(rfc2435_depack_push(d, pk.data[0], pk.len[0],
	    0xfffff000U, 10, pk.marker[0], frame_cb, &f), -1);
	assert_int_equal(st->late, 2);
	assert_int_equal(f.count, 1);
	assert_int_equal(st->frames_dropped, 0);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* Each kind of nonsense, counted as malformed, never crashing. */
static void
test_malformed(void **state)
{
	struct frames		 f = { 0 };
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			 p[300];
	uint32_t		 ts = 0;

	(void)state;
	d = rfc2435_depack_new(0);
	st = rfc2435_depack_stats(d);
	memset(p, 0, sizeof p);
	p[4] = 1;
	p[5] = 255;
	p[6] = p[7] = 4;

	/* Short. */
	assert_int_equal(rfc2435_depack_push(d, p, 7, ts, 0, 0, frame_cb, &f),
	    -1);
	/* Q 255 with no room for the table header. */
	assert_int_equal(rfc2435_depack_push(d, p, 10, ts, 1, 0, frame_cb,
	    &f), -1);
	/* A table length past the end of the payload. */
	p[10] = 0x01;
	p[11] = 0x00;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 2, 0, frame_cb,
	    &f), -1);
	/* Q 255 with a zero length. */
	p[10] = p[11] = 0;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 3, 0, frame_cb,
	    &f), -1);
	/* 16-bit tables. */
	p[9] = 1;
	p[11] = 128;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 4, 0, frame_cb,
	    &f), -1);
	p[9] = 0;
	/* A table length that is no multiple of 64. */
	p[11] = 100;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 5, 0, frame_cb,
	    &f), -1);
	p[11] = 128;
	/* Reserved and dynamic types. */
	p[4] = 2;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 6, 0, frame_cb,
	    &f), -1);
	p[4] = 130;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 7, 0, frame_cb,
	    &f), -1);
	p[4] = 1;
	/* Reserved Q values. */
	p[5] = 0;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 8, 0, frame_cb,
	    &f), -1);
	p[5] = 100;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 9, 0, frame_cb,
	    &f), -1);
	p[5] = 255;
	/* A zero width. */
	p[6] = 0;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 10, 0, frame_cb,
	    &f), -1);
	p[6] = 4;
	/* A restart type with no room for its header, or interval 0. */
	p[4] = 65;
	assert_int_equal(rfc2435_depack_push(d, p, 10, ts, 11, 0, frame_cb,
	    &f), -1);
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 12, 0, frame_cb,
	    &f), -1);
	assert_int_equal(st->malformed, 13);
	assert_int_equal(st->packets, 13);
	assert_int_equal(st->frames_dropped, 0);
	assert_int_equal(f.count, 0);

	/* Tables holding a zero quantizer: the frame is dropped. */
	p[4] = 1;
	memset(p + 12, 1, 128);
	p[12 + 5] = 0;
	assert_int_equal(rfc2435_depack_push(d, p, 200, ts, 13, 1, frame_cb,
	    &f), -1);
	assert_int_equal(st->drop_no_tables, 1);

	/* Fragments of one frame that disagree on the size. */
	p[12 + 5] = 1;
	assert_int_equal(rfc2435_depack_push(d, p, 200, 3000, 14, 0, frame_cb,
	    &f), 0);
	p[1] = 0x01;		/* offset 256 */
	p[6] = 8;
	assert_int_equal(rfc2435_depack_push(d, p, 200, 3000, 15, 1, frame_cb,
	    &f), -1);
	assert_int_equal(st->drop_mismatch, 1);
	assert_int_equal(st->frames_dropped, 2);
	assert_int_equal(f.count, 0);

	rfc2435_depack_free(d);
	frames_free(&f);
}

/* An offset or a length past the limit given to _new drops the frame. */
static void
test_too_large(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg, p[64];
	size_t			 len, i;

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(info.scan_len - 1);
	st = rfc2435_depack_stats(d);
	for (i = 0; i < pk.n; i++)
		rfc2435_depack_push(d, pk.data[i], pk.len[i], 0, i,
		    pk.marker[i], frame_cb, &f);
	assert_int_equal(f.count, 0);
	assert_int_equal(st->drop_too_large, 1);
	assert_int_equal(st->frames_dropped, 1);
	assert_int_equal(st->late, 0);

	/* A fragment far beyond, with the largest offset there is. */
	memset(p, 0, sizeof p);
	p[1] = p[2] = p[3] = 0xff;
	p[4] = 0;
	p[5] = 50;
	p[6] = p[7] = 1;
	assert_int_equal(rfc2435_depack_push(d, p, sizeof p, 3000, 0, 1,
	    frame_cb, &f), -1);
	assert_int_equal(st->drop_too_large, 2);
	/* It fits the exact size. */
	rfc2435_depack_free(d);
	d = rfc2435_depack_new(info.scan_len);
	push_all(d, &pk, NULL, 0, 0, &f);
	assert_int_equal(f.count, 1);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

static void
test_packetize_limits(void **state)
{
	struct packets		 pk;
	struct jpeg_rtp_info	 info, bad;
	uint8_t			*jpeg;
	size_t			 len;

	(void)state;
	jpeg = make_jpeg(64, 64, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	packets_free(&pk);

	assert_int_equal(rfc2435_packetize(&info, RFC2435_MIN_PAYLOAD - 1,
	    emit_cb, &pk), -1);
	assert_int_equal(pk.n, 0);
	/* The smallest payload still works: one byte of scan in the first. */
	assert_true(rfc2435_packetize(&info, RFC2435_MIN_PAYLOAD, emit_cb,
	    &pk) > 1);
	check_packets(&pk, &info, RFC2435_MIN_PAYLOAD);
	packets_free(&pk);

	bad = info;
	bad.width = 2048;
	assert_int_equal(rfc2435_packetize(&bad, 1200, emit_cb, &pk), -1);
	bad = info;
	bad.type = 2;
	assert_int_equal(rfc2435_packetize(&bad, 1200, emit_cb, &pk), -1);
	bad = info;
	bad.restart_interval = 4;	/* with type 1, not 65 */
	assert_int_equal(rfc2435_packetize(&bad, 1200, emit_cb, &pk), -1);
	bad = info;
	bad.scan_len = 0;
	assert_int_equal(rfc2435_packetize(&bad, 1200, emit_cb, &pk), -1);
	assert_int_equal(pk.n, 0);
	free(jpeg);
}

/* What jpeg_rtp_info refuses, and why. */
static void
test_info_refuses(void **state)
{
	struct jpeg_rtp_info	 info;
	uint8_t			*jpeg;
	size_t			 len, i;
	char			 err[256];

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_420, 80, TJFLAG_PROGRESSIVE, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	assert_string_equal(err, "SOF2: not baseline");
	free(jpeg);

	jpeg = make_jpeg(320, 240, TJSAMP_444, 80, 0, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	assert_non_null(strstr(err, "is not 4:2:2 or 4:2:0"));
	free(jpeg);

	jpeg = make_jpeg(320, 240, TJSAMP_GRAY, 80, 0, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	assert_string_equal(err, "SOF0: 1 components, not 3");
	free(jpeg);

	jpeg = make_jpeg(100, 100, TJSAMP_420, 80, 0, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	assert_string_equal(err, "100x100: not multiples of 8 up to 2040");
	free(jpeg);

	jpeg = make_jpeg(2048, 16, TJSAMP_420, 80, 0, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	free(jpeg);

	/* Cut before EOI. */
	jpeg = make_jpeg(64, 64, TJSAMP_420, 80, 0, &len);
	assert_int_equal(jpeg_rtp_info(jpeg, len - 2, &info, err, sizeof err),
	    -1);
	assert_string_equal(err, "truncated scan (no EOI)");
	/* One changed Huffman code count. */
	for (i = 2; i + 1 < len; i++) {
		if (jpeg[i] == 0xff && jpeg[i + 1] == 0xc4)
			break;
	}
	assert_true(i + 1 < len);
	jpeg[i + 6]++;
	assert_int_equal(jpeg_rtp_info(jpeg, len, &info, err, sizeof err), -1);
	free(jpeg);

	assert_int_equal(jpeg_rtp_info((const uint8_t *)"GIF89a", 6, &info,
	    err, sizeof err), -1);
	assert_string_equal(err, "not a JPEG (no SOI)");
}

/* A re-encoded image: RFC 2435 takes it, at the size expected. */
static void
check_normalized(const uint8_t *jpeg, size_t len, int w, int h)
{
	struct jpeg_rtp_info	 info;
	char			 err[256];

	if (jpeg_rtp_info(jpeg, len, &info, err, sizeof err) != 0)
		fail_msg("normalized image refused: %s", err);
	assert_int_equal(info.type, 1);
	assert_int_equal(info.width, w);
	assert_int_equal(info.height, h);
}

static void
test_normalize_progressive(void **state)
{
	uint8_t	*jpeg, *out, *a, *b;
	size_t	 len, outlen, i;
	char	 err[256];
	int	 w, h, ow, oh;
	long	 diff = 0;

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_420, 90, TJFLAG_PROGRESSIVE, &len);
	out = jpeg_normalize(jpeg, len, 90, &outlen, err, sizeof err);
	if (out == NULL)
		fail_msg("jpeg_normalize: %s", err);
	check_normalized(out, outlen, 320, 240);

	/*
	 * The same picture, give or take a second round of quantization: the
	 * mean difference per sample is small.
	 */
	a = decode_rgb(jpeg, len, &w, &h);
	b = decode_rgb(out, outlen, &ow, &oh);
	for (i = 0; i < (size_t)w * h * 3; i++)
		diff += abs(a[i] - b[i]);
	assert_int_equal(ow, w);
	assert_int_equal(oh, h);
	/* The pattern's noise costs about 4 per sample; a wrong image more. */
	assert_true(diff / (w * h * 3) < 8);
	free(a);
	free(b);
	free(out);
	free(jpeg);
}

static void
test_normalize_444_gray(void **state)
{
	uint8_t	*jpeg, *out;
	size_t	 len, outlen;
	char	 err[256];

	(void)state;
	jpeg = make_jpeg(320, 240, TJSAMP_444, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	check_normalized(out, outlen, 320, 240);
	free(out);
	free(jpeg);

	jpeg = make_jpeg(320, 240, TJSAMP_GRAY, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	check_normalized(out, outlen, 320, 240);
	free(out);
	free(jpeg);

	/* Sides that are not multiples of 8 round to the nearest. */
	jpeg = make_jpeg(100, 50, TJSAMP_420, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	check_normalized(out, outlen, 104, 48);
	free(out);
	free(jpeg);

	/* Tiny ones grow to one block. */
	jpeg = make_jpeg(3, 2, TJSAMP_444, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	check_normalized(out, outlen, 8, 8);
	free(out);
	free(jpeg);
}

/* Too wide for RFC 2435: scaled to fit 2040, the aspect ratio kept. */
static void
test_normalize_scale(void **state)
{
	uint8_t	*jpeg, *out;
	size_t	 len, outlen;
	char	 err[256];

	(void)state;
	jpeg = make_jpeg(3000, 100, TJSAMP_420, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	/* 100 * 2040 / 3000 = 68, to the nearest multiple of 8. */
	check_normalized(out, outlen, 2040, 72);
	free(out);
	free(jpeg);

	jpeg = make_jpeg(600, 4100, TJSAMP_422, 80, 0, &len);
	out = jpeg_normalize(jpeg, len, 80, &outlen, err, sizeof err);
	assert_non_null(out);
	/* 600 * 2040 / 4100 = 298.5. */
	check_normalized(out, outlen, 296, 2040);
	free(out);
	free(jpeg);
}

static void
test_normalize_garbage(void **state)
{
	struct jpeg_rtp_info	 info;
	uint8_t			 junk[4096], *jpeg, *copy, *out;
	size_t			 i, len, outlen, cut;
	uint32_t		 seed = 7;
	char			 err[256];

	(void)state;
	for (i = 0; i < sizeof junk; i++)
		junk[i] = rnd(&seed);
	err[0] = '\0';
	assert_null(jpeg_normalize(junk, sizeof junk, 80, &outlen, err,
	    sizeof err));
	assert_true(strncmp(err, "not a JPEG", 10) == 0);
	assert_null(jpeg_normalize(junk, 0, 80, &outlen, err, sizeof err));

	/* A JPEG cut inside its headers. */
	jpeg = make_jpeg(64, 64, TJSAMP_420, 80, 0, &len);
	assert_null(jpeg_normalize(jpeg, 100, 80, &outlen, err, sizeof err));
	assert_null(jpeg_normalize(jpeg, len, 0, &outlen, err, sizeof err));
	assert_string_equal(err, "quality 0 not between 1 and 100");

	/* Cut anywhere or damaged: NULL with a reason, or a usable image. */
	for (i = 0; i < 300; i++) {
		cut = rnd(&seed) % (len + 1);
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, jpeg, len);
		if (i % 2)
			copy[rnd(&seed) % len] = rnd(&seed);
		else
			cut = len;
		err[0] = '\0';
		out = jpeg_normalize(copy, cut, 80, &outlen, err, sizeof err);
		/* Damage may change the size the headers give. */
		if (out == NULL)
			assert_true(err[0] != '\0');
		else
			assert_int_equal(jpeg_rtp_info(out, outlen, &info, err,
			    sizeof err), 0);
		free(out);
		free(copy);
	}
	free(jpeg);
}

/*
 * Random payloads and real ones with random damage, with random
 * timestamps, sequence numbers and marker bits.  Under ASan this is where an
 * unchecked length shows.
 */
static void
test_fuzz_depack(void **state)
{
	struct packets		 pk;
	struct frames		 f = { 0 };
	struct jpeg_rtp_info	 info;
	struct rfc2435_depack	*d;
	const struct rfc2435_stats *st;
	uint8_t			*jpeg, buf[1500];
	size_t			 len, i, k, n, plen;
	uint32_t		 seed = 42, ts = 0;

	(void)state;
	jpeg = make_jpeg(160, 120, TJSAMP_420, 80, 0, &len);
	packetize(jpeg, len, 1200, &pk, &info);
	d = rfc2435_depack_new(64 * 1024);

	for (i = 0; i < 10000; i++) {
		if (rnd(&seed) % 2 == 0) {
			plen = rnd(&seed) % sizeof buf;
			for (k = 0; k < plen; k++)
				buf[k] = rnd(&seed);
			/* Often a plausible type and Q, to get further. */
			if (plen > 8 && rnd(&seed) % 2 == 0) {
				buf[4] = rnd(&seed) % 2 | (rnd(&seed) % 2) << 6;
				buf[5] = rnd(&seed) % 2 ? 255 : 1 + rnd(&seed) % 99;
				buf[1] = 0;
			}
		} else {
			k = rnd(&seed) % pk.n;
			plen = pk.len[k];
			memcpy(buf, pk.data[k], plen);
			for (n = rnd(&seed) % 4; n > 0; n--)
				buf[rnd(&seed) % plen] = rnd(&seed);
			if (rnd(&seed) % 4 == 0)
				plen = rnd(&seed) % (plen + 1);
		}
		if (rnd(&seed) % 8 == 0)
			ts += rnd(&seed) % 3 == 0 ? -3000 : 3000;
		rfc2435_depack_push(d, buf, plen, ts, rnd(&seed), rnd(&seed) % 2,
		    frame_cb, &f);
	}
	st = rfc2435_depack_stats(d);
	assert_int_equal(st->packets, 10000);
	assert_int_equal(st->frames_dropped, st->drop_no_first +
	    st->drop_no_last + st->drop_gap + st->drop_too_large +
	    st->drop_mismatch + st->drop_no_tables);
	assert_int_equal(st->frames_complete, f.count);
	assert_true(st->malformed > 0);

	/* Still works afterwards. */
	push_all(d, &pk, NULL, ts + 100000, 0, &f);
	same_pixels(jpeg, len, f.last, f.last_len);

	rfc2435_depack_free(d);
	frames_free(&f);
	packets_free(&pk);
	free(jpeg);
}

/* Damaged JPEGs: the parser refuses or accepts, and never reads outside. */
static void
test_fuzz_info(void **state)
{
	struct jpeg_rtp_info	 info;
	uint8_t			*jpeg, *copy;
	size_t			 len, i, n, cut;
	uint32_t		 seed = 1;
	char			 err[256];

	(void)state;
	jpeg = make_jpeg(64, 48, TJSAMP_422, 80, 0, &len);
	for (i = 0; i < 10000; i++) {
		cut = rnd(&seed) % 8 == 0 ? rnd(&seed) % (len + 1) : len;
		copy = malloc(cut + 1);
		assert_non_null(copy);
		memcpy(copy, jpeg, cut);
		/* Damage the headers mostly, where the parsing is. */
		for (n = 1 + rnd(&seed) % 3; n > 0 && cut > 0; n--)
			copy[rnd(&seed) % (cut < 700 ? cut : 700)] = rnd(&seed);
		if (jpeg_rtp_info(copy, cut, &info, err, sizeof err) == 0) {
			assert_true(info.scan >= copy);
			assert_true(info.scan + info.scan_len <= copy + cut);
		}
		free(copy);
	}
	free(jpeg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qtables_q50),
		cmocka_unit_test(test_qtables_libjpeg),
		cmocka_unit_test(test_round_trip_420),
		cmocka_unit_test(test_round_trip_422),
		cmocka_unit_test_teardown(test_round_trip_restart,
		    unset_restart),
		cmocka_unit_test(test_q_from_header),
		cmocka_unit_test(test_q_cached),
		cmocka_unit_test(test_lost_middle),
		cmocka_unit_test(test_lost_first_last),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_late_and_duplicate),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_packetize_limits),
		cmocka_unit_test(test_info_refuses),
		cmocka_unit_test(test_normalize_progressive),
		cmocka_unit_test(test_normalize_444_gray),
		cmocka_unit_test(test_normalize_scale),
		cmocka_unit_test(test_normalize_garbage),
		cmocka_unit_test(test_fuzz_depack),
		cmocka_unit_test(test_fuzz_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
