/*
 * Unit tests for a receiver's stream of a camera's layers (lib/rtpthin.c):
 * thinning keeps the target rate from a jittery sender, across the RTP
 * clock's wrap; the layer changes at image boundaries only, whatever order
 * the layers come in, falls back when the wanted one stops and comes back
 * when it resumes; the receiver's sequence numbers have no gap that this
 * node did not make.  Last, real layers (lib/jpeglayers.c) through the
 * packetizer, the stream and the depacketizer: every image the receiver
 * rebuilds is whole and of the layer chosen for it.
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

#include "jpeglayers.h"
#include "rfc2435.h"
#include "rtpthin.h"

#define FRAME_TICKS	4500	/* 20 images a second at 90 kHz */
#define MAX_OUT		8192

/* Packets an image of each layer, as the test pattern costs. */
static const int layer_packets[3] = { 13, 7, 3 };

/* What the receiver got: layer, timestamp and sequence number each. */
struct received {
	int		 layer[MAX_OUT];
	uint32_t	 ts[MAX_OUT];
	uint16_t	 seq[MAX_OUT];
	size_t		 n;
};

/* The widths of the images the receiver rebuilt. */
struct depack_out {
	int	 widths[64];
	size_t	 n;
};

/* One layer's image cut into RTP payloads. */
struct packetized {
	uint8_t	 data[64][1200];
	size_t	 len[64];
	int	 marker[64];
	int	 n;
};

static void	test_rate_counts(void **);
static void	test_rate_wrap_restart(void **);
static void	test_rate_change(void **);
static void	test_switch_at_boundary(void **);
static void	test_layer_orders(void **);
static void	test_thinned_no_gap(void **);
static void	test_paused_layer(void **);
static void	test_late_and_upstream_loss(void **);
static void	test_first_image(void **);
static void	test_real_layers(void **);
static uint32_t	rnd(uint32_t *);
static int	rate_count(int, int, uint32_t, int, int *);
static void	send_image(struct rtpthin *, uint32_t, const int *, int,
		    unsigned int, struct received *);
static void	check_seq(const struct received *, uint16_t);
static int	image_layer(const struct received *, uint32_t, int *);
static void	depack_frame(const uint8_t *, size_t, void *);
static void	packetized_emit(const uint8_t *, size_t, int, void *);

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * n images of a sender at 20 a second, its timestamps jittered by up to
 * jitter ticks either way, thinned to fps: how many were kept, and the
 * longest run of images thinned in a row.
 */
static int
rate_count(int fps, int n, uint32_t ts0, int jitter, int *longest)
{
	struct rtpthin_rate	r;
	uint32_t		seed = 88172645u;
	int			i, kept = 0, run = 0, j;

	memset(&r, 0, sizeof r);
	rtpthin_rate_set(&r, fps);
	*longest = 0;
	for (i = 0; i < n; i++) {
		j = jitter > 0 ? (int)(rnd(&seed) % (2 * jitter + 1)) -
		    jitter : 0;
		if (rtpthin_rate_take(&r, ts0 + (uint32_t)i * FRAME_TICKS +
		    (uint32_t)j)) {
			kept++;
			run = 0;
		} else if (++run > *longest)
			*longest = run;
	}
	return kept;
}

/* A minute from a jittery 20-a-second sender, at each target. */
static void
test_rate_counts(void **state)
{
	static const int	want[][3] = {
		/* fps, kept of 1200, longest run thinned */
		{ 0, 1200, 0 }, { 30, 1200, 0 }, { 20, 1200, 0 },
		{ 15, 900, 1 }, { 10, 600, 1 }, { 5, 300, 3 }
	};
	size_t			i;
	int			kept, longest, jitter;

	(void)state;
	for (jitter = 0; jitter <= 450; jitter += 450) {
		for (i = 0; i < sizeof want / sizeof want[0]; i++) {
			kept = rate_count(want[i][0], 1200, 1000, jitter,
			    &longest);
			print_message("jitter %d ticks: %d fps: %d kept, "
			    "runs of %d thinned\n", jitter, want[i][0], kept,
			    longest);
			assert_true(abs(kept - want[i][1]) <= 2);
			assert_true(longest <= want[i][2] + (jitter > 0));
		}
	}
}

/* Across 2^32, and a sender that starts again further back. */
static void
test_rate_wrap_restart(void **state)
{
	struct rtpthin_rate	r;
	int			kept, longest, i;

	(void)state;
	kept = rate_count(10, 1200, 0xffffffffu - 100 * FRAME_TICKS, 0,
	    &longest);
	assert_true(abs(kept - 600) <= 1);
	assert_int_equal(longest, 1);

	memset(&r, 0, sizeof r);
	rtpthin_rate_set(&r, 10);
	assert_int_equal(rtpthin_rate_take(&r, 500000), 1);
	/* The same image again, or one a little older: not new. */
	assert_int_equal(rtpthin_rate_take(&r, 500000), 0);
	assert_int_equal(rtpthin_rate_take(&r, 500000 - FRAME_TICKS), 0);
	/* Ten seconds back: a new start, kept, and the rate goes on. */
	assert_int_equal(rtpthin_rate_take(&r, 500000 - 900000), 1);
	for (i = 1, kept = 1; i < 100; i++)
		kept += rtpthin_rate_take(&r, 500000 - 900000 +
		    (uint32_t)i * FRAME_TICKS);
	assert_int_equal(kept, 50);
}

/* From 20 to 5 and back: the new rate from the next image. */
static void
test_rate_change(void **state)
{
	struct rtpthin_rate	r;
	uint32_t		ts = 0;
	int			i, kept;

	(void)state;
	memset(&r, 0, sizeof r);
	for (i = 0, kept = 0; i < 100; i++, ts += FRAME_TICKS)
		kept += rtpthin_rate_take(&r, ts);
	assert_int_equal(kept, 100);
	rtpthin_rate_set(&r, 5);
	for (i = 0, kept = 0; i < 100; i++, ts += FRAME_TICKS)
		kept += rtpthin_rate_take(&r, ts);
	assert_int_equal(kept, 25);
	rtpthin_rate_set(&r, 20);
	assert_int_equal(rtpthin_rate_take(&r, ts), 1);
	ts += FRAME_TICKS;
	for (i = 0, kept = 0; i < 100; i++, ts += FRAME_TICKS)
		kept += rtpthin_rate_take(&r, ts);
	assert_int_equal(kept, 100);

	/*
	 * At 5, the sender stops for 3 s: what it sends after is thinned as
	 * before, with no burst to make up for the images that never came.
	 */
	rtpthin_rate_set(&r, 5);
	for (i = 0; i < 20; i++, ts += FRAME_TICKS)
		rtpthin_rate_take(&r, ts);
	ts += 3 * RTPTHIN_CLOCK;
	for (i = 0, kept = 0; i < 20; i++, ts += FRAME_TICKS) {
		if (rtpthin_rate_take(&r, ts)) {
			kept++;
			assert_true(i % 4 == 0);
		}
	}
	assert_int_equal(kept, 5);
}

/*
 * One image of the camera: each layer of mask, in the order given, its
 * packets in turn; what the receiver gets is appended to got.
 */
static void
send_image(struct rtpthin *t, uint32_t ts, const int *order, int norder,
    unsigned int mask, struct received *got)
{
	struct rtpthin_packet	p;
	uint16_t		seq;
	int			i, k;

	for (i = 0; i < norder; i++) {
		if ((mask & (1u << order[i])) == 0)
			continue;
		for (k = 0; k < layer_packets[order[i]]; k++) {
			p.layer = order[i];
			p.ts = ts;
			if (!rtpthin_packet(t, &p, &seq))
				continue;
			assert_true(got->n < MAX_OUT);
			got->layer[got->n] = order[i];
			got->ts[got->n] = ts;
			got->seq[got->n] = seq;
			got->n++;
		}
	}
}

/* The receiver's sequence numbers run on from first, never a gap. */
static void
check_seq(const struct received *got, uint16_t first)
{
	size_t	i;

	for (i = 0; i < got->n; i++)
		assert_int_equal(got->seq[i], (uint16_t)(first + i));
}

/*
 * The layer the receiver got image ts in, and how many of its packets;
 * -1 when it got none.  Fails if the image came in two layers.
 */
static int
image_layer(const struct received *got, uint32_t ts, int *count)
{
	size_t	i;
	int	layer = -1;

	*count = 0;
	for (i = 0; i < got->n; i++) {
		if (got->ts[i] != ts)
			continue;
		if (layer != -1 && got->layer[i] != layer)
			fail_msg("image %u came in layers %d and %d", ts,
			    layer, got->layer[i]);
		layer = got->layer[i];
		(*count)++;
	}
	return layer;
}

/* A change of layer takes effect at the next image, whole, no gap. */
static void
test_switch_at_boundary(void **state)
{
	static const int		 order[3] = { 0, 1, 2 };
	static struct received		 got;
	struct rtpthin			*t;
	const struct rtpthin_stats	*st;
	uint32_t			 ts = 1000;
	int				 i, count;

	(void)state;
	memset(&got, 0, sizeof got);
	t = rtpthin_new(65530);
	for (i = 0; i < 10; i++, ts += FRAME_TICKS)
		send_image(t, ts, order, 3, 0x7, &got);
	assert_int_equal(got.n, 10 * 13);
	assert_int_equal(rtpthin_layer(t), 0);
	rtpthin_set(t, 2, 20);
	for (i = 0; i < 10; i++, ts += FRAME_TICKS)
		send_image(t, ts, order, 3, 0x7, &got);
	assert_int_equal(got.n, 10 * 13 + 10 * 3);
	assert_int_equal(image_layer(&got, 1000 + 10 * FRAME_TICKS, &count),
	    2);
	assert_int_equal(count, 3);
	assert_int_equal(image_layer(&got, 1000 + 9 * FRAME_TICKS, &count),
	    0);
	assert_int_equal(count, 13);
	rtpthin_set(t, 1, 20);
	send_image(t, ts, order, 3, 0x7, &got);
	assert_int_equal(image_layer(&got, ts, &count), 1);
	assert_int_equal(count, 7);
	/* Across 65535 to 0 and on. */
	check_seq(&got, 65530);
	st = rtpthin_stats(t);
	assert_int_equal(st->switches, 2);
	assert_int_equal(st->images_out, 21);
	assert_int_equal(st->packets_out, got.n);
	assert_int_equal(st->packets_in, 21 * (13 + 7 + 3));
	assert_int_equal(st->late, 0);
	rtpthin_free(t);
}

/*
 * Whatever order the layers of an image come in (the wanted one first or
 * last), the switch is at the next image and no image is lost to it.
 */
static void
test_layer_orders(void **state)
{
	static const int	 orders[3][3] = {
		{ 0, 1, 2 }, { 2, 1, 0 }, { 1, 2, 0 }
	};
	static struct received	 got;
	struct rtpthin		*t;
	uint32_t		 ts;
	int			 o, i, want, count, layer;

	(void)state;
	for (o = 0; o < 3; o++) {
		memset(&got, 0, sizeof got);
		t = rtpthin_new(100);
		ts = 0;
		for (i = 0; i < 60; i++, ts += FRAME_TICKS) {
			/* A new layer every 7 images: 0, 1, 2, 0, ... */
			want = (i / 7) % 3;
			rtpthin_set(t, want, 20);
			send_image(t, ts, orders[o], 3, 0x7, &got);
			layer = image_layer(&got, ts, &count);
			assert_int_equal(layer, want);
			assert_int_equal(count, layer_packets[want]);
		}
		check_seq(&got, 100);
		rtpthin_free(t);
	}
}

/* Thinned to 5 a second: one image in four, and no gap for the rest. */
static void
test_thinned_no_gap(void **state)
{
	static const int		 order[3] = { 0, 1, 2 };
	static struct received		 got;
	struct rtpthin			*t;
	const struct rtpthin_stats	*st;
	uint32_t			 ts = 0;
	int				 i, count, images = 0;

	(void)state;
	memset(&got, 0, sizeof got);
	t = rtpthin_new(0);
	rtpthin_set(t, 2, 5);
	for (i = 0; i < 80; i++, ts += FRAME_TICKS) {
		send_image(t, ts, order, 3, 0x7, &got);
		if (image_layer(&got, ts, &count) != -1) {
			assert_int_equal(count, 3);
			images++;
		}
	}
	assert_int_equal(images, 20);
	check_seq(&got, 0);
	st = rtpthin_stats(t);
	assert_int_equal(st->images_thinned, 60);
	assert_int_equal(st->images_out, 20);
	rtpthin_free(t);
}

/*
 * The wanted layer stops (the sender paused it): the nearest that still
 * comes, smaller first, from the next image; back when it resumes.
 */
static void
test_paused_layer(void **state)
{
	static const int	 order[3] = { 0, 1, 2 };
	static struct received	 got;
	struct rtpthin		*t;
	uint32_t		 ts = 0;
	int			 i, count, lost = 0;

	(void)state;
	memset(&got, 0, sizeof got);
	t = rtpthin_new(7);
	rtpthin_set(t, 1, 20);
	for (i = 0; i < 30; i++, ts += FRAME_TICKS) {
		/* Layer 1 is not sent from image 10 to 19. */
		send_image(t, ts, order, 3, i >= 10 && i < 20 ? 0x5 : 0x7,
		    &got);
		switch (image_layer(&got, ts, &count)) {
		case -1:
			lost++;
			break;
		case 1:
			assert_true(i < 10 || i >= 20);
			break;
		case 2:
			assert_true(i >= 10 && i < 21);
			break;
		default:
			fail_msg("image %d in layer 0", i);
		}
	}
	/* The image the pause began at is lost; the one it ended at too. */
	assert_true(lost <= 2);
	check_seq(&got, 7);
	assert_int_equal(rtpthin_layer(t), 1);
	rtpthin_free(t);
}

/*
 * A packet of the image before, late, still goes with it; one of an
 * image two back is too late.  Packets lost before this node leave no gap
 * in the receiver's numbers.
 */
static void
test_late_and_upstream_loss(void **state)
{
	struct rtpthin			*t;
	struct rtpthin_packet		 p;
	const struct rtpthin_stats	*st;
	uint16_t			 seq;

	(void)state;
	t = rtpthin_new(1000);
	p.layer = 0;
	p.ts = 0;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 1);
	assert_int_equal(seq, 1000);
	p.ts = FRAME_TICKS;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 1);
	assert_int_equal(seq, 1001);
	p.ts = 0;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 1);
	assert_int_equal(seq, 1002);
	p.ts = 2 * FRAME_TICKS;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 1);
	p.ts = 0;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 0);
	/* Other layers and bad layers never go. */
	p.ts = 2 * FRAME_TICKS;
	p.layer = 2;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 0);
	p.layer = RTPTHIN_MAX_LAYERS;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 0);
	p.layer = -1;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 0);
	/* Three packets of the next image lost upstream: 1004 follows. */
	p.layer = 0;
	p.ts = 3 * FRAME_TICKS;
	assert_int_equal(rtpthin_packet(t, &p, &seq), 1);
	assert_int_equal(seq, 1004);
	st = rtpthin_stats(t);
	assert_int_equal(st->late, 1);
	assert_int_equal(st->bad_layer, 2);
	assert_int_equal(st->packets_out, 5);
	rtpthin_free(t);
}

static void
depack_frame(const uint8_t *jpeg, size_t len, void *arg)
{
	struct depack_out	*o = arg;
	tjhandle		 tj;
	uint8_t			*rgb;
	int			 w, h, samp, cs;

	tj = tjInitDecompress();
	assert_non_null(tj);
	assert_int_equal(tjDecompressHeader3(tj, jpeg, len, &w, &h, &samp,
	    &cs), 0);
	rgb = malloc((size_t)w * h * 3);
	assert_non_null(rgb);
	assert_int_equal(tjDecompress2(tj, jpeg, len, rgb, w, 0, h, TJPF_RGB,
	    0), 0);
	free(rgb);
	tjDestroy(tj);
	assert_true(o->n < 64);
	o->widths[o->n++] = w;
}

static void
packetized_emit(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct packetized	*pk = arg;

	assert_true(pk->n < 64 && len <= sizeof pk->data[0]);
	memcpy(pk->data[pk->n], p, len);
	pk->len[pk->n] = len;
	pk->marker[pk->n++] = marker;
}

/*
 * The first image waits for the layer wanted, whatever comes before it;
 * a sender that makes no such layer costs one image, not the stream.
 */
static void
test_first_image(void **state)
{
	static const int	 order[3] = { 0, 1, 2 };
	static struct received	 got;
	struct rtpthin		*t;
	int			 count;

	(void)state;
	memset(&got, 0, sizeof got);
	t = rtpthin_new(0);
	rtpthin_set(t, 2, 20);
	send_image(t, 0, order, 3, 0x7, &got);
	assert_int_equal(image_layer(&got, 0, &count), 2);
	assert_int_equal(count, 3);
	rtpthin_free(t);

	memset(&got, 0, sizeof got);
	t = rtpthin_new(0);
	rtpthin_set(t, 2, 20);
	send_image(t, 0, order, 3, 0x1, &got);
	assert_int_equal(got.n, 0);
	send_image(t, FRAME_TICKS, order, 3, 0x1, &got);
	assert_int_equal(image_layer(&got, FRAME_TICKS, &count), 0);
	assert_int_equal(count, 13);
	send_image(t, 2 * FRAME_TICKS, order, 3, 0x1, &got);
	assert_int_equal(got.n, 26);
	/* The layer wanted starts: it is taken from the next image. */
	send_image(t, 3 * FRAME_TICKS, order, 3, 0x7, &got);
	send_image(t, 4 * FRAME_TICKS, order, 3, 0x7, &got);
	assert_int_equal(image_layer(&got, 4 * FRAME_TICKS, &count), 2);
	check_seq(&got, 0);
	rtpthin_free(t);
}

/*
 * Real layers of a real image, packetized, through the stream while the
 * wanted layer changes, then depacketized as the receiver would: every
 * image it rebuilds decodes, at the size chosen for it, none dropped.
 */
static void
test_real_layers(void **state)
{
	static struct packetized	 pk[3];
	static const int		 wants[12] = {
		0, 0, 2, 2, 1, 0, 2, 1, 1, 0, 2, 0
	};
	struct jpeglayer		 out[JPEGLAYERS_MAX];
	struct jpeglayers		*jl;
	struct jpeg_rtp_info		 info;
	struct rfc2435_depack		*dp;
	struct depack_out		 got = { .n = 0 };
	struct rtpthin			*t;
	struct rtpthin_packet		 p;
	tjhandle			 tj;
	uint8_t				*rgb, *jpeg = NULL;
	unsigned long			 size = 0;
	uint32_t			 ts;
	uint16_t			 seq;
	int				 i, l, k, widths[3] = { 640, 320, 160 };
	char				 err[256];

	(void)state;
	rgb = malloc(640 * 480 * 3);
	assert_non_null(rgb);
	for (i = 0; i < 640 * 480 * 3; i++)
		rgb[i] = (uint8_t)((i / 3 % 640) ^ (i / 1920));
	tj = tjInitCompress();
	assert_non_null(tj);
	assert_int_equal(tjCompress2(tj, rgb, 640, 0, 480, TJPF_RGB, &jpeg,
	    &size, TJSAMP_420, 80, 0), 0);
	tjDestroy(tj);
	free(rgb);
	jl = jpeglayers_new(NULL, err, sizeof err);
	assert_non_null(jl);
	assert_int_equal(jpeglayers_make(jl, jpeg, size, 0x7, out, err,
	    sizeof err), 0x7);
	for (l = 0; l < 3; l++) {
		assert_int_equal(jpeg_rtp_info(out[l].jpeg, out[l].len, &info,
		    err, sizeof err), 0);
		pk[l].n = 0;
		assert_true(rfc2435_packetize(&info, 1200, packetized_emit,
		    &pk[l]) > 0);
	}

	dp = rfc2435_depack_new(0);
	assert_non_null(dp);
	t = rtpthin_new(40000);
	for (i = 0, ts = 0; i < 12; i++, ts += FRAME_TICKS) {
		rtpthin_set(t, wants[i], 20);
		/* The smallest first, as a sender that makes them might. */
		for (l = 2; l >= 0; l--) {
			for (k = 0; k < pk[l].n; k++) {
				p.layer = l;
				p.ts = ts;
				if (!rtpthin_packet(t, &p, &seq))
					continue;
				assert_int_equal(rfc2435_depack_push(dp,
				    pk[l].data[k], pk[l].len[k], ts, seq,
				    pk[l].marker[k], depack_frame, &got), 0);
			}
		}
	}
	assert_int_equal(got.n, 12);
	for (i = 0; i < 12; i++)
		assert_int_equal(got.widths[i], widths[wants[i]]);
	assert_int_equal(rfc2435_depack_stats(dp)->frames_dropped, 0);
	assert_int_equal(rfc2435_depack_stats(dp)->seq_gaps, 0);
	rfc2435_depack_free(dp);
	rtpthin_free(t);
	jpeglayers_free(jl);
	tjFree(jpeg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_counts),
		cmocka_unit_test(test_rate_wrap_restart),
		cmocka_unit_test(test_rate_change),
		cmocka_unit_test(test_switch_at_boundary),
		cmocka_unit_test(test_layer_orders),
		cmocka_unit_test(test_thinned_no_gap),
		cmocka_unit_test(test_paused_layer),
		cmocka_unit_test(test_late_and_upstream_loss),
		cmocka_unit_test(test_first_image),
		cmocka_unit_test(test_real_layers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
