/*
 * RTCP compound packets (RFC 3550 section 6 and appendix A.2).
 *
 * Parsing takes two passes over the compound packet: the first checks every
 * length word and every packet body, the second hands the packets to the
 * caller.  So a caller never acts on the start of a compound packet whose
 * end turns out to be garbage.  Every read is bounded by the length word of
 * its packet, and every length word by what is left of the buffer.
 */
#include <sys/types.h>

#include <string.h>

#include "byteorder.h"
#include "rtcp.h"

static void	put_header(uint8_t *, u_int, uint8_t, size_t);
static size_t	put_block(uint8_t *, const struct rtcp_report_block *);
static void	get_block(const uint8_t *, struct rtcp_report_block *);
static int	parse_packet(const uint8_t *, size_t, struct rtcp_packet *);
static int	parse_report(struct rtcp_packet *);
static int	parse_sdes(struct rtcp_packet *);
static int	parse_bye(struct rtcp_packet *);

/* The common header; len is the whole packet, a multiple of 4. */
static void
put_header(uint8_t *p, u_int count, uint8_t type, size_t len)
{
	p[0] = RTP_VERSION << 6 | count;
	p[1] = type;
	put16(p + 2, len / 4 - 1);
}

static size_t
put_block(uint8_t *p, const struct rtcp_report_block *rb)
{
	put32(p, rb->ssrc);
	put32(p + 4, (uint32_t)rb->fraction << 24 |
	    ((uint32_t)rb->lost & 0xffffff));
	put32(p + 8, rb->ext_max);
	put32(p + 12, rb->jitter);
	put32(p + 16, rb->lsr);
	put32(p + 20, rb->dlsr);
	return 24;
}

static void
get_block(const uint8_t *p, struct rtcp_report_block *rb)
{
	uint32_t	lost = get32(p + 4) & 0xffffff;

	rb->ssrc = get32(p);
	rb->fraction = p[4];
	/* Cumulative loss is a 24-bit two's complement number. */
	rb->lost = (lost & 0x800000) ? (int32_t)lost - 0x1000000 :
	    (int32_t)lost;
	rb->ext_max = get32(p + 8);
	rb->jitter = get32(p + 12);
	rb->lsr = get32(p + 16);
	rb->dlsr = get32(p + 20);
}

size_t
rtcp_write_sr(uint8_t *buf, size_t size, uint32_t ssrc,
    const struct rtcp_sender_info *si, const struct rtcp_report_block *rb,
    size_t n)
{
	size_t	len, off, i;

	if (n > RTCP_MAX_COUNT)
		return 0;
	len = 28 + 24 * n;
	if (size < len)
		return 0;
	put_header(buf, n, RTCP_SR, len);
	put32(buf + 4, ssrc);
	put32(buf + 8, si->ntp >> 32);
	put32(buf + 12, si->ntp & 0xffffffff);
	put32(buf + 16, si->rtp_ts);
	put32(buf + 20, si->packets);
	put32(buf + 24, si->octets);
	off = 28;
	for (i = 0; i < n; i++)
		off += put_block(buf + off, &rb[i]);
	return len;
}

size_t
rtcp_write_rr(uint8_t *buf, size_t size, uint32_t ssrc,
    const struct rtcp_report_block *rb, size_t n)
{
	size_t	len, off, i;

	if (n > RTCP_MAX_COUNT)
		return 0;
	len = 8 + 24 * n;
	if (size < len)
		return 0;
	put_header(buf, n, RTCP_RR, len);
	put32(buf + 4, ssrc);
	off = 8;
	for (i = 0; i < n; i++)
		off += put_block(buf + off, &rb[i]);
	return len;
}

/*
 * One chunk with one CNAME item.  The item list ends with a null octet and
 * is padded with more to the next 32-bit boundary.
 */
size_t
rtcp_write_sdes(uint8_t *buf, size_t size, uint32_t ssrc, const char *cname)
{
	size_t	n = strlen(cname), len;

	if (n > RTCP_MAX_TEXT)
		return 0;
	len = RTCP_HEADER_LEN + ((4 + 2 + n + 1 + 3) & ~(size_t)3);
	if (size < len)
		return 0;
	memset(buf, 0, len);
	put_header(buf, 1, RTCP_SDES, len);
	put32(buf + 4, ssrc);
	buf[8] = RTCP_SDES_CNAME;
	buf[9] = n;
	memcpy(buf + 10, cname, n);
	return len;
}

size_t
rtcp_write_bye(uint8_t *buf, size_t size, const uint32_t *ssrc, size_t n,
    const char *reason)
{
	size_t	len, rlen = 0, i;

	if (n > RTCP_MAX_COUNT)
		return 0;
	len = RTCP_HEADER_LEN + 4 * n;
	if (reason != NULL) {
		if ((rlen = strlen(reason)) > RTCP_MAX_TEXT)
			return 0;
		len += (1 + rlen + 3) & ~(size_t)3;
	}
	if (size < len)
		return 0;
	memset(buf, 0, len);
	put_header(buf, n, RTCP_BYE, len);
	for (i = 0; i < n; i++)
		put32(buf + 4 + 4 * i, ssrc[i]);
	if (reason != NULL) {
		buf[4 + 4 * n] = rlen;
		memcpy(buf + 5 + 4 * n, reason, rlen);
	}
	return len;
}

/*
 * SR and RR: the reporter's SSRC, the sender info for an SR, then the report
 * blocks.  Bytes after the blocks are a profile-specific extension (section
 * 6.4.1) and are left alone.
 */
static int
parse_report(struct rtcp_packet *pkt)
{
	const uint8_t	*p = pkt->body;
	size_t		 need, off, i;

	need = (pkt->type == RTCP_SR ? 24 : 4) + 24 * (size_t)pkt->count;
	if (pkt->body_len < need)
		return RTCP_ERR_REPORT;
	pkt->ssrc = get32(p);
	off = 4;
	if (pkt->type == RTCP_SR) {
		pkt->si.ntp = (uint64_t)get32(p + 4) << 32 | get32(p + 8);
		pkt->si.rtp_ts = get32(p + 12);
		pkt->si.packets = get32(p + 16);
		pkt->si.octets = get32(p + 20);
		off = 24;
	}
	for (i = 0; i < pkt->count; i++) {
		get_block(p + off, &pkt->rb[i]);
		off += 24;
	}
	pkt->nrb = pkt->count;
	return 0;
}

/*
 * SDES: count chunks, each an SSRC and items (type, length, text) up to a
 * null type octet, padded to a 32-bit boundary.  Chunks must fill the packet
 * exactly.
 */
static int
parse_sdes(struct rtcp_packet *pkt)
{
	const uint8_t		*p = pkt->body;
	size_t			 len = pkt->body_len, off = 0, n;
	struct rtcp_sdes_chunk	*c;
	u_int			 i;

	for (i = 0; i < pkt->count; i++) {
		c = &pkt->sdes[i];
		if (len - off < 4)
			return RTCP_ERR_SDES;
		c->ssrc = get32(p + off);
		off += 4;
		for (;;) {
			if (off == len)
				return RTCP_ERR_SDES;
			if (p[off] == RTCP_SDES_END)
				break;
			if (len - off < 2)
				return RTCP_ERR_SDES;
			n = p[off + 1];
			if (len - off - 2 < n)
				return RTCP_ERR_SDES;
			if (p[off] == RTCP_SDES_CNAME) {
				memcpy(c->cname, p + off + 2, n);
				c->cname[n] = '\0';
			}
			off += 2 + n;
		}
		/* Past the null octet, up to the next boundary. */
		off = (off + 4) & ~(size_t)3;
		if (off > len)
			return RTCP_ERR_SDES;
	}
	if (off != len)
		return RTCP_ERR_SDES;
	pkt->nsdes = pkt->count;
	return 0;
}

/* BYE: count SSRCs, then an optional reason padded to a 32-bit boundary. */
static int
parse_bye(struct rtcp_packet *pkt)
{
	const uint8_t	*p = pkt->body;
	size_t		 len = pkt->body_len, off, n;
	u_int		 i;

	if (len < 4 * (size_t)pkt->count)
		return RTCP_ERR_BYE;
	for (i = 0; i < pkt->count; i++)
		pkt->bye[i] = get32(p + 4 * i);
	pkt->nbye = pkt->count;
	off = 4 * (size_t)pkt->count;
	if (off == len)
		return 0;
	n = p[off];
	if (len - off - 1 < n)
		return RTCP_ERR_BYE;
	memcpy(pkt->reason, p + off + 1, n);
	pkt->reason[n] = '\0';
	if (((off + 1 + n + 3) & ~(size_t)3) != len)
		return RTCP_ERR_BYE;
	return 0;
}

/* One packet of len bytes (its length word already checked against it). */
static int
parse_packet(const uint8_t *p, size_t len, struct rtcp_packet *pkt)
{
	size_t	pad;

	memset(pkt, 0, sizeof *pkt);
	pkt->type = p[1];
	pkt->count = p[0] & 0x1f;
	pkt->body = p + RTCP_HEADER_LEN;
	pkt->body_len = len - RTCP_HEADER_LEN;
	/*
	 * The last byte counts the padding, itself included; in RTCP it is a
	 * multiple of four (section 6.4.1), so bodies stay in whole words.
	 */
	if (p[0] & 0x20) {
		pad = p[len - 1];
		if (pad == 0 || pad % 4 != 0 || pad > pkt->body_len)
			return RTCP_ERR_PADDING;
		pkt->body_len -= pad;
	}

	switch (pkt->type) {
	case RTCP_SR:
	case RTCP_RR:
		return parse_report(pkt);
	case RTCP_SDES:
		return parse_sdes(pkt);
	case RTCP_BYE:
		return parse_bye(pkt);
	}
	return 0;
}

int
rtcp_parse(const uint8_t *buf, size_t len, rtcp_packet_cb cb, void *arg)
{
	struct rtcp_packet	 pkt;
	const uint8_t		*p;
	size_t			 off, plen;
	int			 pass, error;

	if (len == 0)
		return RTCP_ERR_SHORT;
	for (pass = 0; pass < (cb == NULL ? 1 : 2); pass++) {
		for (off = 0; off < len; off += plen) {
			p = buf + off;
			if (len - off < RTCP_HEADER_LEN)
				return RTCP_ERR_SHORT;
			if (p[0] >> 6 != RTP_VERSION)
				return RTCP_ERR_VERSION;
			plen = 4 * ((size_t)get16(p + 2) + 1);
			if (plen > len - off)
				return RTCP_ERR_LENGTH;
			/*
			 * Appendix A.2: a compound packet starts with a
			 * report, and only its last packet may be padded.
			 */
			if (off == 0 && p[1] != RTCP_SR && p[1] != RTCP_RR)
				return RTCP_ERR_FIRST;
			if ((p[0] & 0x20) && off + plen != len)
				return RTCP_ERR_PADDING;
			if ((error = parse_packet(p, plen, &pkt)) != 0)
				return error;
			if (pass == 1)
				cb(&pkt, arg);
		}
	}
	return 0;
}

const char *
rtcp_strerror(int error)
{
	switch (error) {
	case 0:
		return "no error";
	case RTCP_ERR_SHORT:
		return "RTCP packet empty or shorter than its header";
	case RTCP_ERR_VERSION:
		return "RTCP version is not 2";
	case RTCP_ERR_LENGTH:
		return "RTCP length overruns the compound packet";
	case RTCP_ERR_FIRST:
		return "compound RTCP packet does not start with SR or RR";
	case RTCP_ERR_PADDING:
		return "RTCP padding is not last or has a bad count";
	case RTCP_ERR_REPORT:
		return "RTCP report blocks overrun the packet";
	case RTCP_ERR_SDES:
		return "SDES chunk or item overruns the packet";
	case RTCP_ERR_BYE:
		return "BYE source list or reason overruns the packet";
	}
	return "unknown RTCP error";
}

void
rtcp_report_block_fill(struct rtcp_report_block *rb, struct rtp_source *s,
    uint32_t lsr, uint32_t dlsr)
{
	rb->ssrc = s->ssrc;
	rb->fraction = rtp_source_fraction(s);
	rb->lost = rtp_source_lost(s);
	rb->ext_max = rtp_source_ext_max(s);
	rb->jitter = rtp_source_jitter(s);
	rb->lsr = lsr;
	rb->dlsr = dlsr;
}

/*
 * The seconds wrap modulo 2^32 as NTP's do (era 1 starts in 2036), and the
 * fraction is the microseconds scaled to 2^32 per second.
 */
uint64_t
rtcp_ntp_from_usec(uint64_t usec)
{
	uint64_t	sec, frac;

	sec = (usec / 1000000 + RTCP_NTP_UNIX_OFFSET) & 0xffffffff;
	frac = ((usec % 1000000) << 32) / 1000000;
	return sec << 32 | frac;
}

uint32_t
rtcp_ntp_middle(uint64_t ntp)
{
	return (ntp >> 16) & 0xffffffff;
}

uint32_t
rtcp_dlsr(uint64_t since, uint64_t now)
{
	uint64_t	d;

	if (now <= since)
		return 0;
	d = now - since;
	if (d / 1000000 >= 65536)
		return UINT32_MAX;
	return (d << 16) / 1000000;
}

/*
 * Section 6.4.1: the sender of an SR sees a report block at arrival A and
 * computes A - LSR - DLSR, all in 1/65536 s, modulo 2^32.
 */
double
rtcp_rtt(uint32_t arrival, uint32_t lsr, uint32_t dlsr)
{
	uint32_t	rtt;

	if (lsr == 0)
		return -1;
	rtt = arrival - lsr - dlsr;
	if (rtt & 0x80000000U)
		return -1;
	return rtt / 65536.0;
}
