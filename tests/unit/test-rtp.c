/*
 * Unit tests for RTP (lib/rtp.c).  Headers with CSRCs, an extension and
 * padding are written and parsed back byte for byte; every malformed case
 * gets its own error, a packet cut at every byte included; RFC 5761 tells
 * RTCP apart.  The source state is driven through probation, a sequence
 * wrap, reordering, duplicates, a restart after a large jump, loss with
 * known gaps and jitter with known transit times, and every expected value
 * is worked out by hand from RFC 3550 appendices A.1, A.3 and A.8.
 * Random buffers, exactly sized so ASan sees any overread, finish it.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtp.h"

static void	test_parse_minimal(void **);
static void	test_round_trip(void **);
static void	test_round_trip_plain(void **);
static void	test_write_limits(void **);
static void	test_truncated(void **);
static void	test_bad_version(void **);
static void	test_padding(void **);
static void	test_extension_overrun(void **);
static void	test_demux(void **);
static void	test_strerror(void **);
static void	test_source_probation(void **);
static void	test_source_wrap(void **);
static void	test_source_reorder(void **);
static void	test_source_misorder_limit(void **);
static void	test_source_jump_restart(void **);
static void	test_source_dropout_limit(void **);
static void	test_source_loss(void **);
static void	test_source_lost_clamp(void **);
static void	test_jitter_constant(void **);
static void	test_jitter_alternating(void **);
static void	test_jitter_wrap(void **);
static void	test_jitter_restart(void **);
static void	test_random(void **);
static enum rtp_seq_result feed(struct rtp_source *, uint16_t, uint32_t,
		    uint32_t, size_t);
static uint32_t	lcg(uint32_t *);

/*
 * V=2 P=1 X=1 CC=3, M=1 PT=96, seq 0xbeef, ts 0x01020304, SSRC 0xdeadbeef,
 * three CSRCs, a two-word extension of profile 0xbede, "hello", and four
 * bytes of padding.  The payload bytes are all larger than any prefix's
 * payload, so no prefix has a valid padding count by chance.
 */
static const uint8_t full[] = {
	0xb3, 0xe0, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
	0xde, 0xad, 0xbe, 0xef,
	0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22, 0x33, 0x33, 0x33, 0x33,
	0xbe, 0xde, 0x00, 0x02,
	0x10, 0xaa, 0x21, 0xbb, 0xcc, 0x00, 0x00, 0x00,
	'h', 'e', 'l', 'l', 'o',
	0x00, 0x00, 0x00, 0x04
};
static const uint8_t full_ext[] = {
	0x10, 0xaa, 0x21, 0xbb, 0xcc, 0x00, 0x00, 0x00
};

/* Feed one packet with this seq, timestamp, arrival and payload length. */
static enum rtp_seq_result
feed(struct rtp_source *s, uint16_t seq, uint32_t ts, uint32_t arrival,
    size_t len)
{
	struct rtp_header	h;

	memset(&h, 0, sizeof h);
	h.version = 2;
	h.seq = seq;
	h.ts = ts;
	h.ssrc = s->ssrc;
	h.payload_len = len;
	return rtp_source_update(s, &h, arrival);
}

/* A fixed linear congruential generator: the same buffers every run. */
static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

static void
test_parse_minimal(void **state)
{
	static const uint8_t	p[] = {
		0x80, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0,
		0x12, 0x34, 0x56, 0x78, 0xd5
	};
	struct rtp_header	h;

	(void)state;
	assert_int_equal(rtp_parse(p, sizeof p, &h), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.padding, 0);
	assert_int_equal(h.extension, 0);
	assert_int_equal(h.cc, 0);
	assert_int_equal(h.marker, 0);
	assert_int_equal(h.pt, 8);
	assert_int_equal(h.seq, 1);
	assert_int_equal(h.ts, 160);
	assert_int_equal(h.ssrc, 0x12345678);
	assert_int_equal(h.header_len, 12);
	assert_ptr_equal(h.payload, p + 12);
	assert_int_equal(h.payload_len, 1);
	assert_int_equal(h.pad_len, 0);

	/* A header and nothing else is a packet with an empty payload. */
	assert_int_equal(rtp_parse(p, 12, &h), 0);
	assert_int_equal(h.payload_len, 0);
}

static void
test_round_trip(void **state)
{
	struct rtp_header	h, back;
	uint8_t			buf[64];

	(void)state;
	assert_int_equal(rtp_parse(full, sizeof full, &h), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.padding, 1);
	assert_int_equal(h.extension, 1);
	assert_int_equal(h.cc, 3);
	assert_int_equal(h.marker, 1);
	assert_int_equal(h.pt, 96);
	assert_int_equal(h.seq, 0xbeef);
	assert_int_equal(h.ts, 0x01020304);
	assert_int_equal(h.ssrc, 0xdeadbeef);
	assert_int_equal(h.csrc[0], 0x11111111);
	assert_int_equal(h.csrc[1], 0x22222222);
	assert_int_equal(h.csrc[2], 0x33333333);
	assert_int_equal(h.ext_profile, 0xbede);
	assert_int_equal(h.ext_len, 8);
	assert_memory_equal(h.ext, full_ext, 8);
	assert_int_equal(h.header_len, 36);
	assert_int_equal(h.payload_len, 5);
	assert_memory_equal(h.payload, "hello", 5);
	assert_int_equal(h.pad_len, 4);

	/* Written back, the packet is the same bytes. */
	memset(buf, 0x55, sizeof buf);
	assert_int_equal(rtp_write(buf, sizeof buf, &h), sizeof full);
	assert_memory_equal(buf, full, sizeof full);
	assert_int_equal(rtp_write(buf, sizeof full, &h), sizeof full);
	assert_int_equal(rtp_write(buf, sizeof full - 1, &h), 0);

	/* The header alone is the first 36 bytes. */
	memset(buf, 0x55, sizeof buf);
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 36);
	assert_memory_equal(buf, full, 36);
	assert_int_equal(buf[36], 0x55);
	assert_int_equal(rtp_write_header(buf, 35, &h), 0);

	/* Parsing what was written gives the same fields. */
	assert_int_equal(rtp_write(buf, sizeof buf, &h), sizeof full);
	assert_int_equal(rtp_parse(buf, sizeof full, &back), 0);
	assert_int_equal(back.seq, h.seq);
	assert_int_equal(back.csrc[2], h.csrc[2]);
	assert_int_equal(back.pad_len, 4);
	assert_int_equal(back.payload_len, 5);
}

static void
test_round_trip_plain(void **state)
{
	static const uint8_t	payload[3] = { 1, 2, 3 };
	static const uint8_t	want[] = {
		0x8f, 0x6f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0x00, 0x00, 0x00, 0x01
	};
	struct rtp_header	h, back;
	uint8_t			buf[12 + 60 + 4 + 3 + 255];
	size_t			len;
	u_int			i;

	(void)state;
	/* Fifteen CSRCs, an empty extension, 255 bytes of padding. */
	memset(&h, 0, sizeof h);
	h.cc = 15;
	h.pt = 111;
	h.seq = 65535;
	h.ts = 0xfffffffe;
	h.ssrc = 1;
	for (i = 0; i < 15; i++)
		h.csrc[i] = 0x01000000 * (i + 1) + i;
	h.extension = 1;
	h.ext_profile = 0x1000;
	h.payload = payload;
	h.payload_len = sizeof payload;
	h.pad_len = 255;
	len = rtp_write(buf, sizeof buf, &h);
	assert_int_equal(len, sizeof buf);
	assert_int_equal(buf[0], 0xbf);
	assert_int_equal(buf[72], 0x10);
	assert_int_equal(buf[73], 0x00);
	assert_int_equal(buf[74], 0x00);
	assert_int_equal(buf[75], 0x00);
	assert_int_equal(buf[sizeof buf - 1], 255);
	assert_int_equal(rtp_parse(buf, len, &back), 0);
	assert_int_equal(back.cc, 15);
	for (i = 0; i < 15; i++)
		assert_int_equal(back.csrc[i], h.csrc[i]);
	assert_int_equal(back.ext_len, 0);
	assert_int_equal(back.ext_profile, 0x1000);
	assert_int_equal(back.header_len, 76);
	assert_int_equal(back.payload_len, 3);
	assert_memory_equal(back.payload, payload, 3);
	assert_int_equal(back.pad_len, 255);

	/* No padding, no extension: the padding bit stays clear. */
	memset(&h, 0, sizeof h);
	h.cc = 15;
	h.pt = 111;
	h.seq = 0xffff;
	h.ts = 0xfffffffe;
	h.ssrc = 1;
	h.padding = 1;
	assert_int_equal(rtp_write(buf, sizeof buf, &h), 72);
	assert_memory_equal(buf, want, sizeof want);
	/* rtp_write_header keeps the P bit it is given. */
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 72);
	assert_int_equal(buf[0], 0xaf);
	buf[0] = 0x8f;
	assert_memory_equal(buf, want, sizeof want);
}

static void
test_write_limits(void **state)
{
	struct rtp_header	h;
	uint8_t			buf[128], payload[128];

	(void)state;
	memset(&h, 0, sizeof h);
	memset(payload, 0x77, sizeof payload);
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 12);
	assert_int_equal(rtp_write_header(buf, 11, &h), 0);

	h.cc = 16;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.cc = 0;
	h.pt = 128;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);

	/* PT 64-95 with the marker set would be read as RTCP 192-223. */
	h.marker = 1;
	h.pt = 72;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.pt = 64;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.pt = 95;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.pt = 96;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 12);
	h.pt = 63;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 12);
	h.marker = 0;
	h.pt = 72;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 12);

	/* Extensions are whole words. */
	h.extension = 1;
	h.ext = payload;
	h.ext_len = 6;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.ext_len = 4 * 65536;
	assert_int_equal(rtp_write_header(buf, sizeof buf, &h), 0);
	h.extension = 0;

	h.pad_len = 256;
	assert_int_equal(rtp_write(buf, sizeof buf, &h), 0);
	h.pad_len = 1;
	h.payload_len = 116;
	h.payload = payload;
	assert_int_equal(rtp_write(buf, 128, &h), 0);
	h.payload_len = 115;
	assert_int_equal(rtp_write(buf, 128, &h), 128);
	assert_int_equal(buf[126], 0x77);
	assert_int_equal(buf[127], 1);
}

static void
test_truncated(void **state)
{
	struct rtp_header	h;
	uint8_t			*p;
	size_t			 len;
	int			 want;

	(void)state;
	for (len = 0; len < sizeof full; len++) {
		/* Each prefix in its own allocation, so ASan sees overreads. */
		p = malloc(len == 0 ? 1 : len);
		assert_non_null(p);
		memcpy(p, full, len);
		if (len < 12)
			want = RTP_ERR_SHORT;
		else if (len < 24)
			want = RTP_ERR_CSRC;
		else if (len < 36)
			want = RTP_ERR_EXTENSION;
		else
			want = RTP_ERR_PADDING;
		assert_int_equal(rtp_parse(p, len, &h), want);
		free(p);
	}
	assert_int_equal(rtp_parse(full, sizeof full, &h), 0);
}

static void
test_bad_version(void **state)
{
	uint8_t			p[sizeof full];
	struct rtp_header	h;
	u_int			v;

	(void)state;
	for (v = 0; v < 4; v++) {
		memcpy(p, full, sizeof p);
		p[0] = (p[0] & 0x3f) | v << 6;
		assert_int_equal(rtp_parse(p, sizeof p, &h),
		    v == 2 ? 0 : RTP_ERR_VERSION);
	}
}

static void
test_padding(void **state)
{
	/* Header, two payload bytes, and a padding count byte. */
	uint8_t			p[] = {
		0xa0, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00
	};
	struct rtp_header	h;

	(void)state;
	p[14] = 0;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_PADDING);
	p[14] = 1;
	assert_int_equal(rtp_parse(p, sizeof p, &h), 0);
	assert_int_equal(h.payload_len, 2);
	assert_int_equal(h.pad_len, 1);
	p[14] = 3;
	assert_int_equal(rtp_parse(p, sizeof p, &h), 0);
	assert_int_equal(h.payload_len, 0);
	assert_int_equal(h.pad_len, 3);
	/* One byte more than the payload reaches into the header. */
	p[14] = 4;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_PADDING);
	p[14] = 255;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_PADDING);
	/* P set with no byte after the header: no count to read. */
	assert_int_equal(rtp_parse(p, 12, &h), RTP_ERR_PADDING);
}

static void
test_extension_overrun(void **state)
{
	uint8_t			p[sizeof full];
	struct rtp_header	h;

	(void)state;
	/*
	 * 17 bytes follow the extension header word (8 of extension, 5 of
	 * payload, 4 of padding): a length of 4 words fits, 5 does not.
	 * Padding off, so only the extension is judged.
	 */
	memcpy(p, full, sizeof p);
	p[0] &= ~0x20;
	p[27] = 4;
	assert_int_equal(rtp_parse(p, sizeof p, &h), 0);
	assert_int_equal(h.ext_len, 16);
	assert_int_equal(h.payload_len, 1);
	p[27] = 5;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_EXTENSION);
	p[26] = 0xff;
	p[27] = 0xff;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_EXTENSION);

	/* The CSRC count reaching past the end is its own error. */
	memcpy(p, full, sizeof p);
	p[0] = (p[0] & 0xf0) | 0x0f;
	assert_int_equal(rtp_parse(p, sizeof p, &h), RTP_ERR_CSRC);
}

static void
test_demux(void **state)
{
	uint8_t			p[12] = { 0x80 };
	struct rtp_header	h;
	u_int			b;

	(void)state;
	for (b = 0; b < 256; b++) {
		p[1] = b;
		if (b >= 192 && b <= 223) {
			assert_int_equal(rtp_is_rtcp(p, sizeof p), 1);
			assert_int_equal(rtp_parse(p, sizeof p, &h),
			    RTP_ERR_RTCP);
		} else {
			assert_int_equal(rtp_is_rtcp(p, sizeof p), 0);
			assert_int_equal(rtp_parse(p, sizeof p, &h), 0);
			assert_int_equal(h.marker, b >> 7);
			assert_int_equal(h.pt, b & 0x7f);
		}
	}
	/* SR through APP, and the marker with PT 72 that collides. */
	for (b = 200; b <= 204; b++) {
		p[1] = b;
		assert_true(rtp_is_rtcp(p, 2));
	}
	p[1] = 0x80 | 72;
	assert_true(rtp_is_rtcp(p, 8));
	assert_false(rtp_is_rtcp(p, 1));
	assert_false(rtp_is_rtcp(p, 0));
}

static void
test_strerror(void **state)
{
	int	i, j;

	(void)state;
	for (i = RTP_ERR_PADDING; i <= 0; i++) {
		assert_non_null(rtp_strerror(i));
		for (j = RTP_ERR_PADDING; j < i; j++)
			assert_string_not_equal(rtp_strerror(i),
			    rtp_strerror(j));
	}
	assert_string_equal(rtp_strerror(-100), "unknown RTP error");
	assert_string_equal(rtp_strerror(RTP_ERR_RTCP),
	    "RTCP packet, not RTP");
}

static void
test_source_probation(void **state)
{
	struct rtp_source	s;

	(void)state;
	rtp_source_init(&s, 42);
	assert_int_equal(rtp_source_expected(&s), 0);
	assert_int_equal(feed(&s, 1000, 0, 0, 10), RTP_SEQ_PROBATION);
	assert_int_equal(rtp_source_expected(&s), 0);
	assert_int_equal(s.received, 0);
	/* Out of order in probation: probation starts over, one to go. */
	assert_int_equal(feed(&s, 1005, 0, 0, 10), RTP_SEQ_PROBATION);
	assert_int_equal(feed(&s, 1006, 0, 0, 20), RTP_SEQ_VALID);
	assert_int_equal(s.discarded, 2);
	assert_int_equal(s.received, 1);
	assert_int_equal(s.bytes, 20);
	assert_int_equal(s.base_seq, 1006);
	assert_int_equal(rtp_source_ext_max(&s), 1006);
	assert_int_equal(rtp_source_expected(&s), 1);
	assert_int_equal(rtp_source_lost(&s), 0);
	assert_int_equal(feed(&s, 1007, 0, 0, 30), RTP_SEQ_VALID);
	assert_int_equal(s.bytes, 50);

	/* Probation across the wrap: 65535 then 0 is in sequence. */
	rtp_source_init(&s, 43);
	assert_int_equal(feed(&s, 65535, 0, 0, 0), RTP_SEQ_PROBATION);
	assert_int_equal(feed(&s, 0, 0, 0, 0), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_ext_max(&s), 0);
	assert_int_equal(rtp_source_expected(&s), 1);
}

static void
test_source_wrap(void **state)
{
	struct rtp_source	s;
	uint16_t		seq;
	uint32_t		step;

	(void)state;
	rtp_source_init(&s, 1);
	/* 65532 is probation; counting starts at 65533. */
	for (seq = 65532; seq != 3; seq++)
		feed(&s, seq, 0, 0, 1);
	assert_int_equal(s.base_seq, 65533);
	assert_int_equal(s.cycles, 65536);
	assert_int_equal(s.max_seq, 2);
	assert_int_equal(rtp_source_ext_max(&s), 65536 + 2);
	/* 65533, 65534, 65535, 0, 1, 2. */
	assert_int_equal(rtp_source_expected(&s), 6);
	assert_int_equal(s.received, 6);
	assert_int_equal(rtp_source_lost(&s), 0);

	/* A second wrap, in steps of 1000, adds another cycle. */
	for (step = 1002; step <= 65002; step += 1000)
		assert_int_equal(feed(&s, step, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 10, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(s.cycles, 2 * 65536);
	assert_int_equal(rtp_source_ext_max(&s), 2 * 65536 + 10);

	/* A late packet from before the wrap does not count a cycle. */
	assert_int_equal(feed(&s, 65530, 0, 0, 1), RTP_SEQ_LATE);
	assert_int_equal(s.cycles, 2 * 65536);
	assert_int_equal(rtp_source_ext_max(&s), 2 * 65536 + 10);
}

static void
test_source_reorder(void **state)
{
	struct rtp_source	s;

	(void)state;
	rtp_source_init(&s, 7);
	assert_int_equal(feed(&s, 10, 0, 0, 1), RTP_SEQ_PROBATION);
	assert_int_equal(feed(&s, 11, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 12, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(feed(&s, 14, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_lost(&s), 1);
	assert_int_equal(feed(&s, 13, 0, 0, 1), RTP_SEQ_LATE);
	assert_int_equal(feed(&s, 15, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_ext_max(&s), 15);
	assert_int_equal(rtp_source_expected(&s), 5);
	assert_int_equal(s.received, 5);
	assert_int_equal(rtp_source_lost(&s), 0);
	assert_int_equal(s.late, 1);
	assert_int_equal(s.duplicates, 0);

	/*
	 * A copy of a late packet and of the highest: both duplicates, and
	 * counted as received as A.3 says, so loss goes negative.
	 */
	assert_int_equal(feed(&s, 13, 0, 0, 1), RTP_SEQ_DUPLICATE);
	assert_int_equal(feed(&s, 15, 0, 0, 1), RTP_SEQ_DUPLICATE);
	assert_int_equal(feed(&s, 11, 0, 0, 1), RTP_SEQ_DUPLICATE);
	assert_int_equal(s.duplicates, 3);
	assert_int_equal(s.late, 1);
	assert_int_equal(s.received, 8);
	assert_int_equal(rtp_source_lost(&s), -3);
	assert_int_equal(rtp_source_ext_max(&s), 15);
	/* More received than expected in the interval is no loss. */
	assert_int_equal(rtp_source_fraction(&s), 0);
}

static void
test_source_misorder_limit(void **state)
{
	struct rtp_source	s;
	uint16_t		seq;

	(void)state;
	rtp_source_init(&s, 7);
	for (seq = 800; seq <= 1000; seq++)
		feed(&s, seq, 0, 0, 1);
	/* A packet 99 behind is late (or a duplicate here), 100 is not. */
	assert_int_equal(feed(&s, 901, 0, 0, 1), RTP_SEQ_DUPLICATE);
	assert_int_equal(feed(&s, 900, 0, 0, 1), RTP_SEQ_JUMP);

	/* A gap, then the missing ones arrive up to 99 behind. */
	rtp_source_init(&s, 8);
	feed(&s, 0, 0, 0, 1);
	feed(&s, 1, 0, 0, 1);
	assert_int_equal(feed(&s, 200, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_lost(&s), 198);
	for (seq = 101; seq < 200; seq++)
		assert_int_equal(feed(&s, seq, 0, 0, 1), RTP_SEQ_LATE);
	assert_int_equal(feed(&s, 100, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(s.late, 99);
	assert_int_equal(rtp_source_lost(&s), 99);
	/* Late packets that came are remembered: a second copy is a dup. */
	for (seq = 101; seq < 200; seq++)
		assert_int_equal(feed(&s, seq, 0, 0, 1), RTP_SEQ_DUPLICATE);
	assert_int_equal(s.duplicates, 99);
}

static void
test_source_jump_restart(void **state)
{
	struct rtp_source	s;
	uint16_t		seq;

	(void)state;
	rtp_source_init(&s, 9);
	for (seq = 100; seq <= 110; seq++)
		feed(&s, seq, 0, 0, 1);
	assert_int_equal(s.received, 10);

	/* One packet far ahead is discarded and remembered. */
	assert_int_equal(feed(&s, 30000, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(s.bad_seq, 30001);
	assert_int_equal(s.received, 10);
	assert_int_equal(rtp_source_ext_max(&s), 110);
	assert_int_equal(s.discarded, 2);	/* probation and the jump */

	/* The old stream goes on: nothing changed. */
	assert_int_equal(feed(&s, 111, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(s.received, 11);

	/* A different far packet, then its successor: restart there. */
	assert_int_equal(feed(&s, 40000, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(feed(&s, 40001, 0, 0, 1), RTP_SEQ_RESTART);
	assert_int_equal(s.base_seq, 40001);
	assert_int_equal(s.received, 1);
	assert_int_equal(s.cycles, 0);
	assert_int_equal(rtp_source_ext_max(&s), 40001);
	assert_int_equal(rtp_source_expected(&s), 1);
	assert_int_equal(rtp_source_lost(&s), 0);
	assert_int_equal(feed(&s, 40002, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_expected(&s), 2);

	/* A jump backwards (a sender restarting lower) works the same. */
	assert_int_equal(feed(&s, 5, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(feed(&s, 6, 0, 0, 1), RTP_SEQ_RESTART);
	assert_int_equal(rtp_source_ext_max(&s), 6);

	/* And across the wrap: bad_seq after 65535 is 0. */
	assert_int_equal(feed(&s, 30000, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(feed(&s, 30001, 0, 0, 1), RTP_SEQ_RESTART);
	assert_int_equal(feed(&s, 65535, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(s.bad_seq, 0);
	assert_int_equal(feed(&s, 0, 0, 0, 1), RTP_SEQ_RESTART);
	assert_int_equal(rtp_source_ext_max(&s), 0);
	assert_int_equal(rtp_source_expected(&s), 1);
}

static void
test_source_dropout_limit(void **state)
{
	struct rtp_source	s;

	(void)state;
	rtp_source_init(&s, 3);
	feed(&s, 0, 0, 0, 1);
	feed(&s, 1, 0, 0, 1);
	/* 2999 ahead is a gap; 3000 ahead is a jump. */
	assert_int_equal(feed(&s, 3000, 0, 0, 1), RTP_SEQ_VALID);
	assert_int_equal(rtp_source_lost(&s), 2998);
	assert_int_equal(feed(&s, 6000, 0, 0, 1), RTP_SEQ_JUMP);
	assert_int_equal(rtp_source_ext_max(&s), 3000);
}

static void
test_source_loss(void **state)
{
	struct rtp_source	s;
	uint16_t		seq;

	(void)state;
	/*
	 * Seq 0 is probation; 1 to 100 are counted but for 5, 15, ..., 95:
	 * 100 expected, 90 received, 10 lost, 10/100 of 256 is 25.
	 */
	rtp_source_init(&s, 0xabcd);
	for (seq = 0; seq <= 100; seq++)
		if (seq % 10 != 5)
			feed(&s, seq, 0, 0, 1);
	assert_int_equal(rtp_source_expected(&s), 100);
	assert_int_equal(s.received, 90);
	assert_int_equal(rtp_source_lost(&s), 10);
	assert_int_equal(rtp_source_fraction(&s), 25);
	/* Nothing since: nothing expected in the new interval. */
	assert_int_equal(rtp_source_fraction(&s), 0);

	/* 101 to 200 all arrive: cumulative stays, the interval is clean. */
	for (seq = 101; seq <= 200; seq++)
		feed(&s, seq, 0, 0, 1);
	assert_int_equal(rtp_source_lost(&s), 10);
	assert_int_equal(rtp_source_fraction(&s), 0);

	/* 201 to 210 with only 210 arriving: 9 of 10, 230 of 256. */
	feed(&s, 210, 0, 0, 1);
	assert_int_equal(rtp_source_lost(&s), 19);
	assert_int_equal(rtp_source_fraction(&s), 9 * 256 / 10);

	/* Late packets refill the interval they arrive in. */
	for (seq = 201; seq < 210; seq++)
		feed(&s, seq, 0, 0, 1);
	assert_int_equal(rtp_source_lost(&s), 10);
	assert_int_equal(rtp_source_fraction(&s), 0);
}

static void
test_source_lost_clamp(void **state)
{
	struct rtp_source	s;
	uint32_t		i;
	uint16_t		seq = 1;

	(void)state;
	rtp_source_init(&s, 1);
	feed(&s, 0, 0, 0, 1);
	feed(&s, 1, 0, 0, 1);
	/* Each step of 2999 loses 2998: 2800 steps pass 2^23 - 1. */
	for (i = 0; i < 2800; i++) {
		seq += 2999;
		assert_int_equal(feed(&s, seq, 0, 0, 1), RTP_SEQ_VALID);
	}
	assert_int_equal(rtp_source_expected(&s), 2800 * 2999 + 1);
	assert_int_equal(rtp_source_lost(&s), 0x7fffff);
	assert_int_equal(rtp_source_fraction(&s), 255);

	/* Duplicates past 2^23 clamp the other way. */
	rtp_source_init(&s, 2);
	feed(&s, 0, 0, 0, 1);
	feed(&s, 1, 0, 0, 1);
	for (i = 0; i < 0x800001; i++)
		feed(&s, 1, 0, 0, 1);
	assert_int_equal(s.duplicates, 0x800001);
	assert_int_equal(rtp_source_lost(&s), -0x800000);
}

static void
test_jitter_constant(void **state)
{
	struct rtp_source	s;
	uint32_t		i;

	(void)state;
	rtp_source_init(&s, 5);
	for (i = 0; i < 1000; i++)
		feed(&s, i, 1234567 + 160 * i, 99 + 160 * i, 1);
	assert_int_equal(rtp_source_jitter(&s), 0);
	assert_int_equal(s.jitter, 0);
}

static void
test_jitter_alternating(void **state)
{
	struct rtp_source	s;
	uint32_t		i, ts, arrival;
	static const uint32_t	want[] = { 10, 19, 28, 36, 44 };

	(void)state;
	/*
	 * Transit alternates between 1000 and 1160, so |D| is 160 for every
	 * pair.  Seq 0 is probation and seq 1 sets the first transit; from
	 * seq 2 on, A.8's J += |D| - ((J + 8) >> 4) on J kept times 16:
	 *	0 + 160 - 0 = 160 (reported 160 >> 4 = 10)
	 *	160 + 160 - 10 = 310 (19)
	 *	310 + 160 - 19 = 451 (28)
	 *	451 + 160 - 28 = 583 (36)
	 *	583 + 160 - 36 = 707 (44)
	 * It settles where (J + 8) >> 4 reaches 160, the first J being
	 * 2552, reported as 2552 >> 4 = 159.
	 */
	rtp_source_init(&s, 5);
	for (i = 0; i < 2; i++) {
		ts = 160 * i;
		arrival = ts + 1000 + (i % 2) * 160;
		feed(&s, i, ts, arrival, 1);
	}
	assert_int_equal(s.jitter, 0);
	for (; i < 7; i++) {
		ts = 160 * i;
		arrival = ts + 1000 + (i % 2) * 160;
		feed(&s, i, ts, arrival, 1);
		assert_int_equal(rtp_source_jitter(&s), want[i - 2]);
	}
	assert_int_equal(s.jitter, 707);
	for (; i < 2000; i++) {
		ts = 160 * i;
		arrival = ts + 1000 + (i % 2) * 160;
		feed(&s, i, ts, arrival, 1);
	}
	assert_int_equal(s.jitter, 2552);
	assert_int_equal(rtp_source_jitter(&s), 159);

	/* A duplicate with a wild arrival time leaves jitter alone. */
	feed(&s, i - 1, 0, 0x80000000, 1);
	assert_int_equal(s.jitter, 2552);
}

static void
test_jitter_wrap(void **state)
{
	struct rtp_source	s;
	uint32_t		i, ts, arrival;

	(void)state;
	/* Timestamps and arrival times both wrap: transit is constant. */
	rtp_source_init(&s, 5);
	ts = 0xffffff00;
	arrival = 0xfffffff0;
	for (i = 0; i < 10; i++) {
		feed(&s, i, ts, arrival, 1);
		ts += 160;
		arrival += 160;
	}
	assert_int_equal(s.jitter, 0);

	/* A transit step of -160 across the wrap counts as 160. */
	feed(&s, i, ts, arrival - 160, 1);
	assert_int_equal(s.jitter, 160);
}

static void
test_jitter_restart(void **state)
{
	struct rtp_source	s;
	uint32_t		i;

	(void)state;
	/*
	 * A sender restarts with new sequence numbers and a new random
	 * timestamp base: the transit before and after differ by a lot, but
	 * that is no delay variation, so jitter starts from the restart.
	 */
	rtp_source_init(&s, 5);
	for (i = 0; i < 10; i++)
		feed(&s, i, 160 * i, 500 + 160 * i, 1);
	assert_int_equal(feed(&s, 20000, 0x70000000, 500 + 1600, 1),
	    RTP_SEQ_JUMP);
	assert_int_equal(feed(&s, 20001, 0x70000000 + 160, 500 + 1760, 1),
	    RTP_SEQ_RESTART);
	assert_int_equal(feed(&s, 20002, 0x70000000 + 320, 500 + 1920, 1),
	    RTP_SEQ_VALID);
	assert_int_equal(s.jitter, 0);
}

static void
test_random(void **state)
{
	struct rtp_header	h;
	struct rtp_source	s;
	uint32_t		rnd = 1;
	uint8_t			*p;
	size_t			 len, j;
	int			 i, error, ok = 0;

	(void)state;
	rtp_source_init(&s, 0);
	for (i = 0; i < 20000; i++) {
		len = lcg(&rnd) % 200;
		p = malloc(len == 0 ? 1 : len);
		assert_non_null(p);
		if (i < 10000) {
			/* Random bytes. */
			for (j = 0; j < len; j++)
				p[j] = lcg(&rnd);
		} else {
			/* The good packet, cut or extended, with bytes hit. */
			for (j = 0; j < len; j++)
				p[j] = j < sizeof full ? full[j] : lcg(&rnd);
			for (j = 0; len != 0 && j < 3; j++)
				p[lcg(&rnd) % len] = lcg(&rnd);
		}
		error = rtp_parse(p, len, &h);
		if (error == 0) {
			ok++;
			assert_true(h.header_len + h.payload_len +
			    h.pad_len == len);
			assert_true(h.payload >= p && h.payload_len <=
			    len - (size_t)(h.payload - p));
			if (h.payload_len != 0)
				assert_true(h.payload[h.payload_len - 1] ==
				    p[h.header_len + h.payload_len - 1]);
			rtp_source_update(&s, &h, lcg(&rnd));
		} else
			assert_true(error >= RTP_ERR_PADDING && error < 0);
		free(p);
	}
	/* Both kinds of input reached the end of the parser sometimes. */
	assert_true(ok > 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_minimal),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_plain),
		cmocka_unit_test(test_write_limits),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_extension_overrun),
		cmocka_unit_test(test_demux),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_source_probation),
		cmocka_unit_test(test_source_wrap),
		cmocka_unit_test(test_source_reorder),
		cmocka_unit_test(test_source_misorder_limit),
		cmocka_unit_test(test_source_jump_restart),
		cmocka_unit_test(test_source_dropout_limit),
		cmocka_unit_test(test_source_loss),
		cmocka_unit_test(test_source_lost_clamp),
		cmocka_unit_test(test_jitter_constant),
		cmocka_unit_test(test_jitter_alternating),
		cmocka_unit_test(test_jitter_wrap),
		cmocka_unit_test(test_jitter_restart),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
