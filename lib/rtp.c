/*
 * RTP packets and the receiver's statistics for one source (RFC 3550).
 *
 * Packets come from the network and are not trusted: every length is checked
 * against what is left of the buffer before a byte is read.  The source
 * state is appendix A.1's sequence number validation with its constants,
 * extended with a window of the last 128 sequence numbers so that a
 * duplicate can be told from a late packet: a relay forwards the late one
 * and drops the duplicate.
 */
#include <sys/types.h>

#include <string.h>

#include "byteorder.h"
#include "rtp.h"

#define RTP_SEQ_MOD	(1U << 16)
#define MAX_DROPOUT	3000	/* a gap this large is still in order */
#define MAX_MISORDER	100	/* this far behind is late, not new */
#define MIN_SEQUENTIAL	2	/* in order before a source is valid */
#define WINDOW		128	/* bits in rtp_source's seen[] */

static void	source_init_seq(struct rtp_source *, uint16_t);
static int	source_seen(const struct rtp_source *, uint16_t);
static void	source_mark(struct rtp_source *, uint16_t);
static void	source_advance(struct rtp_source *, uint16_t, uint16_t);
static void	source_jitter(struct rtp_source *, uint32_t, uint32_t);

/*
 * RFC 5761 section 4: on a shared port, a second octet of 192 to 223 is an
 * RTCP packet type (SR, RR, SDES, BYE, APP and the feedback types all fall
 * there); RTP would need a payload type of 64 to 95 with the marker set,
 * which a multiplexing sender must not use.
 */
int
rtp_is_rtcp(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return 0;
	return buf[1] >= 192 && buf[1] <= 223;
}

int
rtp_parse(const uint8_t *buf, size_t len, struct rtp_header *h)
{
	size_t	off, n;
	u_int	i;

	memset(h, 0, sizeof *h);
	if (len < RTP_HEADER_LEN)
		return RTP_ERR_SHORT;
	h->version = buf[0] >> 6;
	if (h->version != RTP_VERSION)
		return RTP_ERR_VERSION;
	if (rtp_is_rtcp(buf, len))
		return RTP_ERR_RTCP;

	h->padding = (buf[0] >> 5) & 1;
	h->extension = (buf[0] >> 4) & 1;
	h->cc = buf[0] & 0x0f;
	h->marker = buf[1] >> 7;
	h->pt = buf[1] & 0x7f;
	h->seq = get16(buf + 2);
	h->ts = get32(buf + 4);
	h->ssrc = get32(buf + 8);
	off = RTP_HEADER_LEN;

	if (len - off < 4 * (size_t)h->cc)
		return RTP_ERR_CSRC;
	for (i = 0; i < h->cc; i++) {
		h->csrc[i] = get32(buf + off);
		off += 4;
	}

	if (h->extension) {
		if (len - off < 4)
			return RTP_ERR_EXTENSION;
		h->ext_profile = get16(buf + off);
		n = 4 * (size_t)get16(buf + off + 2);
		off += 4;
		if (len - off < n)
			return RTP_ERR_EXTENSION;
		h->ext = buf + off;
		h->ext_len = n;
		off += n;
	}
	h->header_len = off;

	/*
	 * The last byte counts the padding, itself included, so it can be
	 * neither zero nor reach back into the header.
	 */
	n = len - off;
	if (h->padding) {
		if (n == 0 || buf[len - 1] == 0 || buf[len - 1] > n)
			return RTP_ERR_PADDING;
		h->pad_len = buf[len - 1];
		n -= h->pad_len;
	}
	h->payload = buf + off;
	h->payload_len = n;
	return 0;
}

const char *
rtp_strerror(int error)
{
	switch (error) {
	case 0:
		return "no error";
	case RTP_ERR_SHORT:
		return "packet shorter than an RTP header";
	case RTP_ERR_VERSION:
		return "RTP version is not 2";
	case RTP_ERR_RTCP:
		return "RTCP packet, not RTP";
	case RTP_ERR_CSRC:
		return "CSRC list overruns the packet";
	case RTP_ERR_EXTENSION:
		return "header extension overruns the packet";
	case RTP_ERR_PADDING:
		return "padding count is zero or longer than the payload";
	}
	return "unknown RTP error";
}

size_t
rtp_write_header(uint8_t *buf, size_t size, const struct rtp_header *h)
{
	size_t	len, off;
	u_int	i;

	if (h->cc > RTP_MAX_CSRC || h->pt > 127)
		return 0;
	/* A receiver would take this for RTCP (RFC 5761 section 4). */
	if (h->marker && h->pt >= 64 && h->pt <= 95)
		return 0;
	len = RTP_HEADER_LEN + 4 * (size_t)h->cc;
	if (h->extension) {
		if (h->ext_len % 4 != 0 || h->ext_len / 4 > 0xffff)
			return 0;
		len += 4 + h->ext_len;
	}
	if (size < len)
		return 0;

	buf[0] = RTP_VERSION << 6 | (h->padding ? 0x20 : 0) |
	    (h->extension ? 0x10 : 0) | h->cc;
	buf[1] = (h->marker ? 0x80 : 0) | h->pt;
	put16(buf + 2, h->seq);
	put32(buf + 4, h->ts);
	put32(buf + 8, h->ssrc);
	off = RTP_HEADER_LEN;
	for (i = 0; i < h->cc; i++) {
		put32(buf + off, h->csrc[i]);
		off += 4;
	}
	if (h->extension) {
		put16(buf + off, h->ext_profile);
		put16(buf + off + 2, h->ext_len / 4);
		off += 4;
		if (h->ext_len != 0)
			memcpy(buf + off, h->ext, h->ext_len);
	}
	return len;
}

size_t
rtp_write(uint8_t *buf, size_t size, const struct rtp_header *h)
{
	struct rtp_header	t = *h;
	size_t			len;

	if (h->pad_len > 255)
		return 0;
	t.padding = h->pad_len != 0;
	if ((len = rtp_write_header(buf, size, &t)) == 0)
		return 0;
	if (size - len < h->payload_len ||
	    size - len - h->payload_len < h->pad_len)
		return 0;
	if (h->payload_len != 0)
		memcpy(buf + len, h->payload, h->payload_len);
	len += h->payload_len;
	if (h->pad_len != 0) {
		memset(buf + len, 0, h->pad_len - 1);
		len += h->pad_len;
		buf[len - 1] = h->pad_len;
	}
	return len;
}

void
rtp_source_init(struct rtp_source *s, uint32_t ssrc)
{
	memset(s, 0, sizeof *s);
	s->ssrc = ssrc;
}

/* Appendix A.1's init_seq: start counting afresh from seq. */
static void
source_init_seq(struct rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1;	/* no uint16_t equals it */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
	s->seen[0] = s->seen[1] = 0;
}

static int
source_seen(const struct rtp_source *s, uint16_t seq)
{
	u_int	bit = seq % WINDOW;

	return (s->seen[bit / 64] >> (bit % 64)) & 1;
}

static void
source_mark(struct rtp_source *s, uint16_t seq)
{
	u_int	bit = seq % WINDOW;

	s->seen[bit / 64] |= (uint64_t)1 << (bit % 64);
}

/*
 * The highest sequence number moves from old to seq: the slots between now
 * stand for numbers not yet seen.
 */
static void
source_advance(struct rtp_source *s, uint16_t old, uint16_t seq)
{
	uint16_t	delta = seq - old, i;
	u_int		bit;

	if (delta >= WINDOW) {
		s->seen[0] = s->seen[1] = 0;
		return;
	}
	for (i = 1; i <= delta; i++) {
		bit = (uint16_t)(old + i) % WINDOW;
		s->seen[bit / 64] &= ~((uint64_t)1 << (bit % 64));
	}
}

/*
 * Appendix A.8 in its integer form: jitter is kept times 16 so that the
 * 1/16 gain needs no floating point.  Transit differences are taken modulo
 * 2^32 and then as their distance from zero, so wrapping timestamps or
 * arrival times do not matter, and jitter is 64 bits wide so that hostile
 * timestamps cannot overflow it.
 */
static void
source_jitter(struct rtp_source *s, uint32_t ts, uint32_t arrival)
{
	uint32_t	transit = arrival - ts, d;

	if (s->have_transit) {
		d = transit - s->transit;
		if (d > 0x80000000U)
			d = -d;
		s->jitter += d - ((s->jitter + 8) >> 4);
	}
	s->transit = transit;
	s->have_transit = 1;
}

enum rtp_seq_result
rtp_source_update(struct rtp_source *s, const struct rtp_header *h,
    uint32_t arrival)
{
	uint16_t		seq = h->seq, udelta;
	enum rtp_seq_result	r;

	if (!s->started) {
		s->started = 1;
		source_init_seq(s, seq);
		s->max_seq = seq - 1;
		s->probation = MIN_SEQUENTIAL;
	}
	udelta = seq - s->max_seq;

	if (s->probation) {
		/*
		 * A source is valid only after MIN_SEQUENTIAL packets in
		 * order; counting starts with the packet that completes it.
		 */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				source_init_seq(s, seq);
				r = RTP_SEQ_VALID;
				goto count;
			}
		} else {
			s->probation = MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		s->discarded++;
		return RTP_SEQ_PROBATION;
	}

	if (udelta == 0)
		r = RTP_SEQ_DUPLICATE;
	else if (udelta < MAX_DROPOUT) {
		/* In order, perhaps after a gap; below max means a wrap. */
		if (seq < s->max_seq)
			s->cycles += RTP_SEQ_MOD;
		source_advance(s, s->max_seq, seq);
		s->max_seq = seq;
		r = RTP_SEQ_VALID;
	} else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
		/*
		 * A very large jump.  Two packets in sequence after it mean
		 * the sender restarted without telling us: start again from
		 * the second.  One alone is discarded.
		 */
		if (seq != s->bad_seq) {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			s->discarded++;
			return RTP_SEQ_JUMP;
		}
		source_init_seq(s, seq);
		s->have_transit = 0;
		r = RTP_SEQ_RESTART;
	} else if (source_seen(s, seq))
		r = RTP_SEQ_DUPLICATE;
	else
		r = RTP_SEQ_LATE;

count:
	/*
	 * Appendix A.3 counts every packet that arrives, duplicates too, so
	 * cumulative loss can go negative; the duplicates are also counted
	 * apart.  They do not feed the jitter, since a copy's transit says
	 * nothing new about the path.
	 */
	source_mark(s, seq);
	s->received++;
	s->bytes += h->payload_len;
	if (r == RTP_SEQ_DUPLICATE)
		s->duplicates++;
	else {
		if (r == RTP_SEQ_LATE)
			s->late++;
		source_jitter(s, h->ts, arrival);
	}
	return r;
}

/* The extended highest sequence number: cycles in the top 16 bits. */
uint32_t
rtp_source_ext_max(const struct rtp_source *s)
{
	return s->cycles + s->max_seq;
}

uint32_t
rtp_source_expected(const struct rtp_source *s)
{
	if (!s->started || s->probation)
		return 0;
	return rtp_source_ext_max(s) - s->base_seq + 1;
}

/* Cumulative loss, clamped to the 24-bit signed field of a report block. */
int32_t
rtp_source_lost(const struct rtp_source *s)
{
	int64_t	lost;

	lost = (int64_t)rtp_source_expected(s) - s->received;
	if (lost > 0x7fffff)
		return 0x7fffff;
	if (lost < -0x800000)
		return -0x800000;
	return lost;
}

uint8_t
rtp_source_fraction(struct rtp_source *s)
{
	uint32_t	expected, expected_interval, received_interval;
	int64_t		lost_interval;

	expected = rtp_source_expected(s);
	expected_interval = expected - s->expected_prior;
	s->expected_prior = expected;
	received_interval = s->received - s->received_prior;
	s->received_prior = s->received;
	lost_interval = (int64_t)expected_interval - received_interval;
	if (expected_interval == 0 || lost_interval <= 0)
		return 0;
	return (lost_interval << 8) / expected_interval;
}

uint32_t
rtp_source_jitter(const struct rtp_source *s)
{
	uint64_t	j = s->jitter >> 4;

	return j > UINT32_MAX ? UINT32_MAX : j;
}
