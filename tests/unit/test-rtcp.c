/*
 * Unit tests for RTCP (lib/rtcp.c).  Sender and receiver reports, SDES and
 * BYE are written, compared with bytes laid out by hand from RFC 3550
 * section 6, and parsed back field by field, alone and as one compound
 * packet.  Each malformed case must give its own error and no callback at
 * all; a compound packet cut at every byte is refused except at packet
 * boundaries.  Random and mutated buffers, each allocated to its exact size
 * so that ASan sees a read past the end, run through both the RTCP and the
 * RTP parser.  NTP conversion, DLSR and round-trip time are checked against
 * section 6.4.1's worked example and a simulated exchange.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtcp.h"
#include "rtp.h"

#define MAX_GOT	8

/* The packets the last parse handed out, copied. */
static struct rtcp_packet	 got[MAX_GOT];
static size_t			 ngot;

/* The buffer a random parse runs on, for the callback's bound checks. */
struct bounds {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 packets;
};

static void	test_sr_round_trip(void **);
static void	test_rr_round_trip(void **);
static void	test_rr_limits(void **);
static void	test_compound(void **);
static void	test_sdes_lengths(void **);
static void	test_sdes_items(void **);
static void	test_bye_variants(void **);
static void	test_valid_oddities(void **);
static void	test_truncated(void **);
static void	test_shrunk(void **);
static void	test_malformed(void **);
static void	test_strerror(void **);
static void	test_random(void **);
static void	test_ntp(void **);
static void	test_dlsr(void **);
static void	test_rtt(void **);
static void	test_rtt_exchange(void **);
static void	test_report_block_fill(void **);
static void	collect_cb(const struct rtcp_packet *, void *);
static void	bounds_cb(const struct rtcp_packet *, void *);
static int	parse(const uint8_t *, size_t);
static int	parse_copy(const uint8_t *, size_t);
static uint32_t	lcg(uint32_t *);

/*
 * SR from 0x11223344 (NTP 0xe8fe6f80.40000000, RTP 48000, 100 packets,
 * 16000 octets, no blocks); SDES CNAME "alice@host", padded with four nulls
 * after the ten bytes of text; BYE with reason "left".
 */
static const uint8_t compound[] = {
	0x80, 0xc8, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
	0xe8, 0xfe, 0x6f, 0x80, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xbb, 0x80, 0x00, 0x00, 0x00, 0x64,
	0x00, 0x00, 0x3e, 0x80,

	0x81, 0xca, 0x00, 0x05, 0x11, 0x22, 0x33, 0x44,
	0x01, 0x0a, 'a', 'l', 'i', 'c', 'e', '@', 'h', 'o', 's', 't',
	0x00, 0x00, 0x00, 0x00,

	0x81, 0xcb, 0x00, 0x03, 0x11, 0x22, 0x33, 0x44,
	0x04, 'l', 'e', 'f', 't', 0x00, 0x00, 0x00
};

/* An empty RR, to put in front of packets that may not come first. */
static const uint8_t empty_rr[] = {
	0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01
};

static void
collect_cb(const struct rtcp_packet *pkt, void *arg)
{
	(void)arg;
	assert_true(ngot < MAX_GOT);
	got[ngot++] = *pkt;
}

/* Parse and copy what comes out into got[]. */
static int
parse(const uint8_t *buf, size_t len)
{
	ngot = 0;
	memset(got, 0, sizeof got);
	return rtcp_parse(buf, len, collect_cb, NULL);
}

/* The same, from a copy of exactly len bytes so ASan sees any overread. */
static int
parse_copy(const uint8_t *buf, size_t len)
{
	uint8_t	*p;
	int	 error;

	p = malloc(len == 0 ? 1 : len);
	assert_non_null(p);
	memcpy(p, buf, len);
	error = parse(p, len);
	free(p);
	return error;
}

static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1103515245 + 12345;
	return *state >> 8;
}

static void
test_sr_round_trip(void **state)
{
	static const uint8_t		 want_block[24] = {
		0xaa, 0xbb, 0xcc, 0xdd, 0x19, 0xff, 0xff, 0xfd,
		0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0x9f,
		0x6f, 0x80, 0x40, 0x00, 0x00, 0x05, 0x40, 0x00
	};
	struct rtcp_sender_info		 si;
	struct rtcp_report_block	 rb[2];
	uint8_t				 buf[128];
	size_t				 len;

	(void)state;
	si.ntp = 0xe8fe6f8040000000ULL;
	si.rtp_ts = 0x89abcdef;
	si.packets = 1000;
	si.octets = 160000;
	rb[0].ssrc = 0xaabbccdd;
	rb[0].fraction = 25;
	rb[0].lost = -3;
	rb[0].ext_max = 0x00010005;
	rb[0].jitter = 159;
	rb[0].lsr = 0x6f804000;
	rb[0].dlsr = 0x00054000;
	rb[1].ssrc = 1;
	rb[1].fraction = 255;
	rb[1].lost = 0x7fffff;
	rb[1].ext_max = 0xffffffff;
	rb[1].jitter = 0xffffffff;
	rb[1].lsr = 0;
	rb[1].dlsr = 0;

	len = rtcp_write_sr(buf, sizeof buf, 0x11223344, &si, rb, 2);
	assert_int_equal(len, 28 + 48);
	/* V=2 RC=2, PT 200, length 76 / 4 - 1 = 18 words. */
	assert_int_equal(buf[0], 0x82);
	assert_int_equal(buf[1], 200);
	assert_int_equal(buf[2], 0);
	assert_int_equal(buf[3], 18);
	assert_memory_equal(buf + 8, compound + 8, 4);	/* NTP seconds */
	assert_memory_equal(buf + 28, want_block, sizeof want_block);
	assert_int_equal(rtcp_write_sr(buf, len - 1, 1, &si, rb, 2), 0);

	assert_int_equal(parse_copy(buf, len), 0);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].type, RTCP_SR);
	assert_int_equal(got[0].count, 2);
	assert_int_equal(got[0].ssrc, 0x11223344);
	assert_true(got[0].si.ntp == si.ntp);
	assert_int_equal(got[0].si.rtp_ts, si.rtp_ts);
	assert_int_equal(got[0].si.packets, 1000);
	assert_int_equal(got[0].si.octets, 160000);
	assert_int_equal(got[0].nrb, 2);
	assert_int_equal(got[0].rb[0].ssrc, 0xaabbccdd);
	assert_int_equal(got[0].rb[0].fraction, 25);
	assert_int_equal(got[0].rb[0].lost, -3);
	assert_int_equal(got[0].rb[0].ext_max, 0x00010005);
	assert_int_equal(got[0].rb[0].jitter, 159);
	assert_int_equal(got[0].rb[0].lsr, 0x6f804000);
	assert_int_equal(got[0].rb[0].dlsr, 0x00054000);
	assert_int_equal(got[0].rb[1].fraction, 255);
	assert_int_equal(got[0].rb[1].lost, 0x7fffff);
	assert_int_equal(got[0].rb[1].ext_max, 0xffffffff);
	assert_int_equal(got[0].rb[1].jitter, 0xffffffff);

	/* The most negative 24-bit loss survives too. */
	rb[1].lost = -0x800000;
	len = rtcp_write_sr(buf, sizeof buf, 5, &si, rb, 2);
	assert_int_equal(buf[28 + 24 + 5], 0x80);
	assert_int_equal(parse_copy(buf, len), 0);
	assert_int_equal(got[0].rb[1].lost, -0x800000);
}

static void
test_rr_round_trip(void **state)
{
	struct rtcp_report_block	 rb[RTCP_MAX_COUNT];
	uint8_t				 buf[8 + 24 * RTCP_MAX_COUNT];
	size_t				 len, i;

	(void)state;
	/* An RR with no blocks is the eight bytes of empty_rr. */
	assert_int_equal(rtcp_write_rr(buf, sizeof buf, 1, NULL, 0), 8);
	assert_memory_equal(buf, empty_rr, 8);
	assert_int_equal(parse_copy(buf, 8), 0);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].type, RTCP_RR);
	assert_int_equal(got[0].ssrc, 1);
	assert_int_equal(got[0].nrb, 0);

	/* Thirty-one blocks, the most one RR holds. */
	for (i = 0; i < RTCP_MAX_COUNT; i++) {
		rb[i].ssrc = 1000 + i;
		rb[i].fraction = i;
		rb[i].lost = (int32_t)i - 15;
		rb[i].ext_max = 65536 * i + i;
		rb[i].jitter = 7 * i;
		rb[i].lsr = 0x10000 * i;
		rb[i].dlsr = i;
	}
	len = rtcp_write_rr(buf, sizeof buf, 0xfeedface, rb, RTCP_MAX_COUNT);
	assert_int_equal(len, sizeof buf);
	assert_int_equal(buf[0], 0x80 | 31);
	assert_int_equal(buf[1], 201);
	assert_int_equal(buf[2] << 8 | buf[3], 2 + 6 * 31 - 1);
	assert_int_equal(parse_copy(buf, len), 0);
	assert_int_equal(got[0].ssrc, 0xfeedface);
	assert_int_equal(got[0].nrb, 31);
	for (i = 0; i < RTCP_MAX_COUNT; i++) {
		assert_int_equal(got[0].rb[i].ssrc, 1000 + i);
		assert_int_equal(got[0].rb[i].fraction, i);
		assert_int_equal(got[0].rb[i].lost, (int32_t)i - 15);
		assert_int_equal(got[0].rb[i].ext_max, 65536 * i + i);
		assert_int_equal(got[0].rb[i].jitter, 7 * i);
		assert_int_equal(got[0].rb[i].lsr, 0x10000 * i);
		assert_int_equal(got[0].rb[i].dlsr, i);
	}
}

static void
test_rr_limits(void **state)
{
	struct rtcp_report_block	 rb[RTCP_MAX_COUNT + 1];
	struct rtcp_sender_info		 si;
	uint8_t				 buf[1024];

	(void)state;
	memset(rb, 0, sizeof rb);
	memset(&si, 0, sizeof si);
	assert_int_equal(rtcp_write_rr(buf, sizeof buf, 1, rb, 32), 0);
	assert_int_equal(rtcp_write_sr(buf, sizeof buf, 1, &si, rb, 32), 0);
	assert_int_equal(rtcp_write_rr(buf, 7, 1, rb, 0), 0);
	assert_int_equal(rtcp_write_rr(buf, 31, 1, rb, 1), 0);
	assert_int_equal(rtcp_write_rr(buf, 32, 1, rb, 1), 32);
	assert_int_equal(rtcp_write_sr(buf, 27, 1, &si, rb, 0), 0);
	assert_int_equal(rtcp_write_sr(buf, 28, 1, &si, rb, 0), 28);
}

static void
test_compound(void **state)
{
	struct rtcp_sender_info	 si;
	uint8_t			 buf[128];
	size_t			 len = 0, n;
	uint32_t		 ssrc = 0x11223344;

	(void)state;
	si.ntp = rtcp_ntp_from_usec(1700000000250000ULL);
	si.rtp_ts = 48000;
	si.packets = 100;
	si.octets = 16000;
	n = rtcp_write_sr(buf, sizeof buf, ssrc, &si, NULL, 0);
	assert_int_equal(n, 28);
	len += n;
	n = rtcp_write_sdes(buf + len, sizeof buf - len, ssrc, "alice@host");
	assert_int_equal(n, 24);
	len += n;
	n = rtcp_write_bye(buf + len, sizeof buf - len, &ssrc, 1, "left");
	assert_int_equal(n, 16);
	len += n;
	assert_int_equal(len, sizeof compound);
	assert_memory_equal(buf, compound, sizeof compound);

	assert_int_equal(parse_copy(buf, len), 0);
	assert_int_equal(ngot, 3);

	assert_int_equal(got[0].type, RTCP_SR);
	assert_int_equal(got[0].ssrc, ssrc);
	assert_true(got[0].si.ntp == 0xe8fe6f8040000000ULL);
	assert_int_equal(got[0].si.rtp_ts, 48000);
	assert_int_equal(got[0].si.packets, 100);
	assert_int_equal(got[0].si.octets, 16000);
	assert_int_equal(got[0].nrb, 0);

	assert_int_equal(got[1].type, RTCP_SDES);
	assert_int_equal(got[1].nsdes, 1);
	assert_int_equal(got[1].sdes[0].ssrc, ssrc);
	assert_string_equal(got[1].sdes[0].cname, "alice@host");

	assert_int_equal(got[2].type, RTCP_BYE);
	assert_int_equal(got[2].nbye, 1);
	assert_int_equal(got[2].bye[0], ssrc);
	assert_string_equal(got[2].reason, "left");

	/* Validation alone needs no callback. */
	assert_int_equal(rtcp_parse(buf, len, NULL, NULL), 0);
}

static void
test_sdes_lengths(void **state)
{
	char	cname[RTCP_MAX_TEXT + 2];
	uint8_t	buf[4 + 4 + 2 + 256 + 4], both[sizeof buf + 8];
	size_t	n, len, i;

	(void)state;
	for (n = 0; n <= RTCP_MAX_TEXT; n++) {
		for (i = 0; i < n; i++)
			cname[i] = 'a' + i % 26;
		cname[n] = '\0';
		/*
		 * SSRC, type, length, text and at least one null, to a
		 * 32-bit boundary: text of 2 ends the item at 8 and takes
		 * four nulls.
		 */
		len = rtcp_write_sdes(buf, sizeof buf, 77, cname);
		assert_int_equal(len, 4 + ((4 + 2 + n + 1 + 3) & ~3U));
		assert_int_equal(buf[0], 0x81);
		assert_int_equal(buf[1], 202);
		assert_int_equal((buf[2] << 8 | buf[3]) + 1, len / 4);
		assert_int_equal(buf[len - 1], 0);
		assert_int_equal(rtcp_write_sdes(buf, len - 1, 77, cname), 0);

		/* SDES cannot come first; an empty RR goes in front. */
		memcpy(both, empty_rr, 8);
		memcpy(both + 8, buf, len);
		assert_int_equal(parse_copy(both, 8 + len), 0);
		assert_int_equal(ngot, 2);
		assert_int_equal(got[1].nsdes, 1);
		assert_int_equal(got[1].sdes[0].ssrc, 77);
		assert_string_equal(got[1].sdes[0].cname, cname);
	}
	len = rtcp_write_sdes(buf, sizeof buf, 77, "ab");
	assert_int_equal(len, 16);
	assert_int_equal(buf[12] | buf[13] | buf[14] | buf[15], 0);
	memset(cname, 'x', RTCP_MAX_TEXT + 1);
	cname[RTCP_MAX_TEXT + 1] = '\0';
	assert_int_equal(rtcp_write_sdes(buf, sizeof buf, 77, cname), 0);
}

static void
test_sdes_items(void **state)
{
	/*
	 * Two chunks: the first with NAME "Al", TOOL "x" and CNAME "c@h",
	 * the second with no items at all (a null octet and padding).
	 */
	static const uint8_t	p[] = {
		0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		0x82, 0xca, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x0a,
		0x02, 0x02, 'A', 'l', 0x06, 0x01, 'x', 0x01,
		0x03, 'c', '@', 'h', 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x0b,
		0x00, 0x00, 0x00, 0x00
	};

	(void)state;
	assert_int_equal(parse_copy(p, sizeof p), 0);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[1].nsdes, 2);
	assert_int_equal(got[1].sdes[0].ssrc, 10);
	assert_string_equal(got[1].sdes[0].cname, "c@h");
	assert_int_equal(got[1].sdes[1].ssrc, 11);
	assert_string_equal(got[1].sdes[1].cname, "");
}

static void
test_bye_variants(void **state)
{
	uint32_t	ssrc[RTCP_MAX_COUNT + 1];
	char		reason[RTCP_MAX_TEXT + 2];
	uint8_t		buf[4 + 4 * 31 + 256], both[sizeof buf + 8];
	size_t		len, n, r, i;

	(void)state;
	for (i = 0; i <= RTCP_MAX_COUNT; i++)
		ssrc[i] = 0xa0000000 + i;
	for (n = 0; n <= RTCP_MAX_COUNT; n += 31) {
		for (r = 0; r <= RTCP_MAX_TEXT; r++) {
			memset(reason, 'r', r);
			reason[r] = '\0';
			len = rtcp_write_bye(buf, sizeof buf, ssrc, n, reason);
			assert_int_equal(len, 4 + 4 * n + ((1 + r + 3) & ~3U));
			memcpy(both, empty_rr, 8);
			memcpy(both + 8, buf, len);
			assert_int_equal(parse_copy(both, 8 + len), 0);
			assert_int_equal(got[1].type, RTCP_BYE);
			assert_int_equal(got[1].nbye, n);
			for (i = 0; i < n; i++)
				assert_int_equal(got[1].bye[i], ssrc[i]);
			assert_string_equal(got[1].reason, reason);
		}
		/* No reason at all: just the list. */
		len = rtcp_write_bye(buf, sizeof buf, ssrc, n, NULL);
		assert_int_equal(len, 4 + 4 * n);
		memcpy(both, empty_rr, 8);
		memcpy(both + 8, buf, len);
		assert_int_equal(parse_copy(both, 8 + len), 0);
		assert_int_equal(got[1].nbye, n);
		assert_string_equal(got[1].reason, "");
	}
	assert_int_equal(rtcp_write_bye(buf, sizeof buf, ssrc, 32, NULL), 0);
	memset(reason, 'r', RTCP_MAX_TEXT + 1);
	reason[RTCP_MAX_TEXT + 1] = '\0';
	assert_int_equal(rtcp_write_bye(buf, sizeof buf, ssrc, 1, reason), 0);
	assert_int_equal(rtcp_write_bye(buf, 11, ssrc, 1, "abc"), 0);
	assert_int_equal(rtcp_write_bye(buf, 12, ssrc, 1, "abc"), 12);
}

/* Things that look odd but are allowed. */
static void
test_valid_oddities(void **state)
{
	/* An RR padded to 12 bytes: P set, the last byte counts 4. */
	static const uint8_t	padded[] = {
		0xa0, 0xc9, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09,
		0x00, 0x00, 0x00, 0x04
	};
	/* An RR with one block and 8 bytes of profile extension. */
	uint8_t			ext[8 + 24 + 8];
	/* An SR followed by an APP packet (subtype 3, name "meet", 4 bytes). */
	static const uint8_t	app[] = {
		0x80, 0xc8, 0x00, 0x06, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x83, 0xcc, 0x00, 0x02, 'm', 'e', 'e', 't', 1, 2, 3, 4
	};
	/* Empty SDES and BYE packets. */
	static const uint8_t	empty[] = {
		0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		0x80, 0xca, 0x00, 0x00, 0x80, 0xcb, 0x00, 0x00
	};
	struct rtcp_report_block rb;

	(void)state;
	assert_int_equal(parse_copy(padded, sizeof padded), 0);
	assert_int_equal(got[0].ssrc, 9);
	assert_int_equal(got[0].body_len, 4);

	memset(&rb, 0, sizeof rb);
	rb.ssrc = 42;
	assert_int_equal(rtcp_write_rr(ext, sizeof ext, 9, &rb, 1), 32);
	memset(ext + 32, 0xee, 8);
	ext[3] = sizeof ext / 4 - 1;
	assert_int_equal(parse_copy(ext, sizeof ext), 0);
	assert_int_equal(got[0].nrb, 1);
	assert_int_equal(got[0].rb[0].ssrc, 42);
	assert_int_equal(got[0].body_len, 36);

	assert_int_equal(parse_copy(app, sizeof app), 0);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[1].type, RTCP_APP);
	assert_int_equal(got[1].count, 3);
	assert_int_equal(got[1].body_len, 8);
	assert_memory_equal(got[1].body, "meet", 4);

	assert_int_equal(parse_copy(empty, sizeof empty), 0);
	assert_int_equal(ngot, 3);
	assert_int_equal(got[1].nsdes, 0);
	assert_int_equal(got[2].nbye, 0);
}

static void
test_truncated(void **state)
{
	size_t	len;
	int	want;

	(void)state;
	/*
	 * Packets end at 28, 52 and 68.  A cut at an end leaves a shorter
	 * compound packet that is fine; a cut in a header is too short; a
	 * cut after a header leaves its length word overrunning.
	 */
	for (len = 0; len <= sizeof compound; len++) {
		if (len == 28 || len == 52 || len == 68)
			want = 0;
		else if (len < 4 || (len > 28 && len < 32) ||
		    (len > 52 && len < 56))
			want = RTCP_ERR_SHORT;
		else
			want = RTCP_ERR_LENGTH;
		assert_int_equal(parse_copy(compound, len), want);
		if (want == 0)
			assert_int_equal(ngot, len == 28 ? 1 :
			    len == 52 ? 2 : 3);
		else
			assert_int_equal(ngot, 0);
	}
}

/* Length words made one word shorter: each body is then too short. */
static void
test_shrunk(void **state)
{
	struct rtcp_report_block	 rb;
	struct rtcp_sender_info		 si;
	uint8_t				 buf[128];
	size_t				 len;

	(void)state;
	memset(&rb, 0, sizeof rb);
	memset(&si, 0, sizeof si);
	len = rtcp_write_sr(buf, sizeof buf, 1, &si, &rb, 1);
	buf[3]--;
	assert_int_equal(parse_copy(buf, len - 4), RTCP_ERR_REPORT);
	len = rtcp_write_rr(buf, sizeof buf, 1, &rb, 1);
	buf[3]--;
	assert_int_equal(parse_copy(buf, len - 4), RTCP_ERR_REPORT);

	/* SDES: the text then ends the body with no null octet. */
	memcpy(buf, compound, sizeof compound);
	buf[28 + 3]--;
	assert_int_equal(parse_copy(buf, 48), RTCP_ERR_SDES);
	/* BYE: the reason's length reaches past the body. */
	memcpy(buf, compound, sizeof compound);
	buf[52 + 3]--;
	assert_int_equal(parse_copy(buf, 64), RTCP_ERR_BYE);
}

static void
test_malformed(void **state)
{
	uint8_t	p[sizeof compound + 8];

	(void)state;
	assert_int_equal(parse(compound, 0), RTCP_ERR_SHORT);
	assert_int_equal(rtcp_parse(compound, 0, NULL, NULL), RTCP_ERR_SHORT);

	/* Bad versions, first and last. */
	memcpy(p, compound, sizeof compound);
	p[0] = 0x40;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_VERSION);
	memcpy(p, compound, sizeof compound);
	p[52] = 0xc1;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_VERSION);
	assert_int_equal(ngot, 0);

	/* A length word past the end, on the last packet. */
	memcpy(p, compound, sizeof compound);
	p[55] = 4;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_LENGTH);
	p[54] = 0xff;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_LENGTH);
	assert_int_equal(ngot, 0);

	/* SDES or BYE first is no compound packet (A.2). */
	assert_int_equal(parse_copy(compound + 28, 40), RTCP_ERR_FIRST);
	assert_int_equal(parse_copy(compound + 52, 16), RTCP_ERR_FIRST);

	/* Padding on a packet that is not the last. */
	memcpy(p, compound, sizeof compound);
	p[28] |= 0x20;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_PADDING);
	assert_int_equal(ngot, 0);
	/* Padding on the last: count 0, and count beyond the body. */
	memcpy(p, compound, sizeof compound);
	p[52] |= 0x20;
	p[67] = 0;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_PADDING);
	p[67] = 16;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_PADDING);
	/* RTCP padding is whole words. */
	p[67] = 3;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_PADDING);
	/* 12 of the 12 body bytes: then the SSRC list is missing. */
	p[67] = 12;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_BYE);
	/* 4 bytes of padding: the reason's padding is gone, so is "t". */
	p[67] = 4;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_BYE);

	/* More report blocks than the length allows. */
	memcpy(p, compound, sizeof compound);
	p[0] = 0x81;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_REPORT);
	assert_int_equal(ngot, 0);

	/* SDES: an item longer than the chunk. */
	memcpy(p, compound, sizeof compound);
	p[37] = 15;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_SDES);
	/* Two chunks announced, one present. */
	memcpy(p, compound, sizeof compound);
	p[28] = 0x82;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_SDES);
	/* No null octet: the item runs to the end of the body. */
	memcpy(p, compound, sizeof compound);
	p[37] = 14;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_SDES);
	/* An extra word after the chunks. */
	memcpy(p, compound, 52);
	memset(p + 52, 0, 4);
	memcpy(p + 56, compound + 52, 16);
	p[31]++;
	assert_int_equal(parse_copy(p, sizeof compound + 4), RTCP_ERR_SDES);
	/* Zero chunks announced, one present. */
	memcpy(p, compound, sizeof compound);
	p[28] = 0x80;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_SDES);

	/* BYE: more sources than words. */
	memcpy(p, compound, sizeof compound);
	p[52] = 0x84;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_BYE);
	/* A reason longer than the packet. */
	memcpy(p, compound, sizeof compound);
	p[60] = 8;
	assert_int_equal(parse_copy(p, sizeof compound), RTCP_ERR_BYE);
	/* A reason followed by a word of nothing. */
	memcpy(p, compound, sizeof compound);
	memset(p + sizeof compound, 0, 4);
	p[55]++;
	assert_int_equal(parse_copy(p, sizeof compound + 4), RTCP_ERR_BYE);
	/* A shorter reason is fine while the padding ends the word. */
	memcpy(p, compound, sizeof compound);
	p[60] = 7;
	assert_int_equal(parse_copy(p, sizeof compound), 0);
	assert_int_equal(strlen(got[2].reason), 4);
	assert_memory_equal(got[2].reason, "left", 4);

	/* Three bytes after a good packet: too short for a header. */
	memcpy(p, compound, sizeof compound);
	assert_int_equal(parse_copy(p, sizeof compound + 3), RTCP_ERR_SHORT);
}

static void
test_strerror(void **state)
{
	int	i, j;

	(void)state;
	for (i = RTCP_ERR_BYE; i <= 0; i++) {
		assert_non_null(rtcp_strerror(i));
		for (j = RTCP_ERR_BYE; j < i; j++)
			assert_string_not_equal(rtcp_strerror(i),
			    rtcp_strerror(j));
	}
	assert_string_equal(rtcp_strerror(1), "unknown RTCP error");
}

/*
 * Whatever the parser hands out lies in the buffer: the body of each packet,
 * and text that is terminated within its array.
 */
static void
bounds_cb(const struct rtcp_packet *pkt, void *arg)
{
	struct bounds	*b = arg;
	size_t		 i;

	assert_true(pkt->body >= b->buf + 4);
	assert_true(pkt->body_len <= b->len - (size_t)(pkt->body - b->buf));
	assert_true(pkt->nrb <= RTCP_MAX_COUNT);
	assert_true(pkt->nsdes <= RTCP_MAX_COUNT);
	assert_true(pkt->nbye <= RTCP_MAX_COUNT);
	for (i = 0; i < pkt->nsdes; i++)
		assert_true(strlen(pkt->sdes[i].cname) <= RTCP_MAX_TEXT);
	assert_true(strlen(pkt->reason) <= RTCP_MAX_TEXT);
	b->packets++;
}

static void
test_random(void **state)
{
	struct bounds		b;
	struct rtp_header	h;
	uint32_t		rnd = 7;
	uint8_t			*p;
	size_t			 len, j, off, n;
	int			 i, error, ok = 0, kind;

	(void)state;
	for (i = 0; i < 30000; i++) {
		kind = i / 10000;
		len = lcg(&rnd) % 300;
		if (kind == 2)
			len = sizeof compound + lcg(&rnd) % 8 - 4;
		p = malloc(len == 0 ? 1 : len);
		assert_non_null(p);
		for (j = 0; j < len; j++)
			p[j] = lcg(&rnd);
		if (kind == 1) {
			/*
			 * Random bodies behind believable headers, so that
			 * the packet parsers, not just the framing, see them.
			 */
			for (off = 0; len - off >= 4; off += n) {
				n = 4 * (1 + lcg(&rnd) % 16);
				if (n > len - off)
					n = (len - off) & ~(size_t)3;
				p[off] = 0x80 | (p[off] & 0x1f) |
				    (lcg(&rnd) % 8 == 0 ? 0x20 : 0);
				p[off + 1] = 200 + lcg(&rnd) % 5;
				p[off + 2] = 0;
				p[off + 3] = n / 4 - 1;
			}
		} else if (kind == 2) {
			/* The good compound packet, cut or grown, with hits. */
			for (j = 0; j < len && j < sizeof compound; j++)
				p[j] = compound[j];
			for (j = 0; j < 2; j++)
				p[lcg(&rnd) % len] = lcg(&rnd);
		}
		b.buf = p;
		b.len = len;
		b.packets = 0;
		error = rtcp_parse(p, len, bounds_cb, &b);
		if (error == 0) {
			ok++;
			assert_true(b.packets > 0);
		} else {
			assert_true(error >= RTCP_ERR_BYE && error < 0);
			assert_int_equal(b.packets, 0);
		}
		assert_int_equal(rtcp_parse(p, len, NULL, NULL), error);

		/* The RTP parser must refuse or bound the same bytes. */
		if (rtp_parse(p, len, &h) == 0)
			assert_true(h.header_len + h.payload_len +
			    h.pad_len == len);
		free(p);
	}
	assert_true(ok > 100);
}

static void
test_ntp(void **state)
{
	uint64_t	ntp;

	(void)state;
	assert_true(rtcp_ntp_from_usec(0) == RTCP_NTP_UNIX_OFFSET << 32);
	/* Half a second is half of 2^32. */
	ntp = rtcp_ntp_from_usec(500000);
	assert_true(ntp == (RTCP_NTP_UNIX_OFFSET << 32 | 0x80000000ULL));
	/* One microsecond is 2^32 / 10^6 = 4294.97, truncated. */
	assert_true((rtcp_ntp_from_usec(1) & 0xffffffff) == 4294);
	assert_true((rtcp_ntp_from_usec(999999) & 0xffffffff) ==
	    0xffffef39ULL);

	/*
	 * 2023-11-14T22:13:20.25Z: 1700000000 + 2208988800 = 3908988800 =
	 * 0xe8fe6f80 seconds, a quarter second 0x40000000.  The middle 32
	 * bits are the low half of one and the high half of the other.
	 */
	ntp = rtcp_ntp_from_usec(1700000000250000ULL);
	assert_true(ntp == 0xe8fe6f8040000000ULL);
	assert_int_equal(rtcp_ntp_middle(ntp), 0x6f804000);

	/* 2036-02-07T06:28:16Z starts NTP era 1: seconds wrap to 0. */
	ntp = rtcp_ntp_from_usec((0x100000000ULL - RTCP_NTP_UNIX_OFFSET) *
	    1000000 + 250000);
	assert_true(ntp == 0x40000000ULL);
	assert_int_equal(rtcp_ntp_middle(ntp), 0x4000);
}

static void
test_dlsr(void **state)
{
	(void)state;
	/* 5.25 s is 5 * 65536 + 16384 = 0x54000. */
	assert_int_equal(rtcp_dlsr(1000000, 6250000), 0x54000);
	assert_int_equal(rtcp_dlsr(1000000, 1000000), 0);
	assert_int_equal(rtcp_dlsr(2000000, 1000000), 0);
	/* 1/65536 s is 15.26 us: 15 us is still 0, 16 is 1. */
	assert_int_equal(rtcp_dlsr(0, 15), 0);
	assert_int_equal(rtcp_dlsr(0, 16), 1);
	assert_int_equal(rtcp_dlsr(0, 65535999999ULL), 0xffffffff);
	assert_int_equal(rtcp_dlsr(0, 65536000000ULL), 0xffffffff);
	assert_int_equal(rtcp_dlsr(0, UINT64_MAX), 0xffffffff);
}

static void
test_rtt(void **state)
{
	(void)state;
	/*
	 * RFC 3550 section 6.4.1's example: A = 0xb710:8000 (46864.5 s),
	 * LSR = 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.25 s),
	 * so the delay is 0x0006:2000, 6.125 s.
	 */
	assert_true(rtcp_rtt(0xb7108000, 0xb7052000, 0x00054000) == 6.125);
	/* No SR yet. */
	assert_true(rtcp_rtt(0xb7108000, 0, 0x00054000) == -1);
	/* Arrival before LSR + DLSR: clocks disagree, no answer. */
	assert_true(rtcp_rtt(0xb7052000, 0xb7052000, 0x00054000) == -1);
	assert_true(rtcp_rtt(0xb7052000 + 0x54000, 0xb7052000, 0x54000) ==
	    0);
	/* The middle 32 bits wrap every 18 hours; the difference does not. */
	assert_true(rtcp_rtt(0x00001000, 0xfffff000, 0x1000) == 0.0625);
}

static void
test_rtt_exchange(void **state)
{
	uint64_t	t0 = 1700000000000000ULL;
	uint32_t	lsr, dlsr, arrival;
	double		rtt;

	(void)state;
	/*
	 * The sender sends an SR at t0; it reaches the receiver 40 ms
	 * later, whose RR leaves 210 ms after that and arrives back at
	 * t0 + 290 ms: 80 ms on the wire.  In 1/65536 s, truncated:
	 * 0.29 s gives 19005 and 0.21 s gives 13762, so 5243.
	 */
	lsr = rtcp_ntp_middle(rtcp_ntp_from_usec(t0));
	dlsr = rtcp_dlsr(t0 + 40000, t0 + 250000);
	assert_int_equal(dlsr, 13762);
	arrival = rtcp_ntp_middle(rtcp_ntp_from_usec(t0 + 290000));
	assert_int_equal(arrival - lsr, 19005);
	rtt = rtcp_rtt(arrival, lsr, dlsr);
	assert_true(rtt == 5243 / 65536.0);
	assert_true(rtt > 0.0799 && rtt < 0.0801);
}

static void
test_report_block_fill(void **state)
{
	struct rtp_source		 s;
	struct rtp_header		 h;
	struct rtcp_report_block	 rb;
	uint8_t				 buf[64];
	uint16_t			 seq;

	(void)state;
	/* 100 expected, 10 lost: fraction 25 (see test-rtp.c). */
	rtp_source_init(&s, 0xabcd);
	memset(&h, 0, sizeof h);
	for (seq = 0; seq <= 100; seq++) {
		if (seq % 10 == 5)
			continue;
		h.seq = seq;
		h.ts = 160 * seq;
		rtp_source_update(&s, &h, 160 * seq + (seq % 2) * 16);
	}
	rtcp_report_block_fill(&rb, &s, 0x6f804000, 0x54000);
	assert_int_equal(rb.ssrc, 0xabcd);
	assert_int_equal(rb.fraction, 25);
	assert_int_equal(rb.lost, 10);
	assert_int_equal(rb.ext_max, 100);
	assert_int_equal(rb.jitter, rtp_source_jitter(&s));
	assert_true(rb.jitter > 0);
	assert_int_equal(rb.lsr, 0x6f804000);
	assert_int_equal(rb.dlsr, 0x54000);

	/* It started a new interval: nothing lost since. */
	rtcp_report_block_fill(&rb, &s, 0, 0);
	assert_int_equal(rb.fraction, 0);
	assert_int_equal(rb.lost, 10);

	assert_int_equal(rtcp_write_rr(buf, sizeof buf, 1, &rb, 1), 32);
	assert_int_equal(parse_copy(buf, 32), 0);
	assert_int_equal(got[0].rb[0].ssrc, 0xabcd);
	assert_int_equal(got[0].rb[0].lost, 10);
	assert_int_equal(got[0].rb[0].ext_max, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sr_round_trip),
		cmocka_unit_test(test_rr_round_trip),
		cmocka_unit_test(test_rr_limits),
		cmocka_unit_test(test_compound),
		cmocka_unit_test(test_sdes_lengths),
		cmocka_unit_test(test_sdes_items),
		cmocka_unit_test(test_bye_variants),
		cmocka_unit_test(test_valid_oddities),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_shrunk),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_ntp),
		cmocka_unit_test(test_dlsr),
		cmocka_unit_test(test_rtt),
		cmocka_unit_test(test_rtt_exchange),
		cmocka_unit_test(test_report_block_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
