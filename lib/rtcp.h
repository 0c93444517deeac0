/*
 * RTCP (RFC 3550 section 6): building and parsing compound packets of sender
 * reports, receiver reports, SDES CNAMEs and BYEs, and the NTP arithmetic
 * behind round-trip times (section 6.4.1).  Nothing here allocates.
 */
#ifndef MEET_RTCP_H
#define MEET_RTCP_H

#include <stddef.h>
#include <stdint.h>

#include "rtp.h"

#define RTCP_SR		200
#define RTCP_RR		201
#define RTCP_SDES	202
#define RTCP_BYE	203
#define RTCP_APP	204

#define RTCP_HEADER_LEN	4
#define RTCP_MAX_COUNT	31	/* the 5-bit count field */
#define RTCP_MAX_TEXT	255	/* an SDES item or a BYE reason */
#define RTCP_SDES_END	0
#define RTCP_SDES_CNAME	1

/* What rtcp_parse returns for a compound packet it refuses. */
#define RTCP_ERR_SHORT		-1	/* empty, or a cut header */
#define RTCP_ERR_VERSION	-2	/* version is not 2 */
#define RTCP_ERR_LENGTH		-3	/* a length word overruns */
#define RTCP_ERR_FIRST		-4	/* starts with no SR or RR */
#define RTCP_ERR_PADDING	-5	/* padding not last, or bad count */
#define RTCP_ERR_REPORT		-6	/* report blocks overrun */
#define RTCP_ERR_SDES		-7	/* a chunk or item overruns */
#define RTCP_ERR_BYE		-8	/* SSRCs or reason overrun */

/* Seconds from 1900 (NTP's epoch) to 1970 (Unix's). */
#define RTCP_NTP_UNIX_OFFSET	2208988800ULL

struct rtcp_sender_info {
	uint64_t	 ntp;		/* 32.32 fixed point seconds */
	uint32_t	 rtp_ts;	/* the same instant in RTP units */
	uint32_t	 packets;
	uint32_t	 octets;	/* payload octets */
};

struct rtcp_report_block {
	uint32_t	 ssrc;		/* the source reported on */
	uint8_t		 fraction;	/* lost since last, of 256 */
	int32_t		 lost;		/* cumulative, 24-bit */
	uint32_t	 ext_max;	/* extended highest sequence number */
	uint32_t	 jitter;	/* in timestamp units */
	uint32_t	 lsr;		/* last SR's NTP, middle 32 bits */
	uint32_t	 dlsr;		/* since that SR, in 1/65536 s */
};

struct rtcp_sdes_chunk {
	uint32_t	 ssrc;
	char		 cname[RTCP_MAX_TEXT + 1];	/* "" when none */
};

/*
 * One packet of a compound packet, as rtcp_parse hands it out.  Only the
 * fields of its type are filled; body is the packet after its 4-byte header
 * without padding, for the types not parsed here (APP, feedback).
 */
struct rtcp_packet {
	uint8_t			 type;
	uint8_t			 count;	/* RC, SC or FMT */
	const uint8_t		*body;
	size_t			 body_len;

	/* SR and RR. */
	uint32_t		 ssrc;		/* the reporter */
	struct rtcp_sender_info	 si;		/* SR only */
	struct rtcp_report_block rb[RTCP_MAX_COUNT];
	size_t			 nrb;

	/* SDES. */
	struct rtcp_sdes_chunk	 sdes[RTCP_MAX_COUNT];
	size_t			 nsdes;

	/* BYE. */
	uint32_t		 bye[RTCP_MAX_COUNT];
	size_t			 nbye;
	char			 reason[RTCP_MAX_TEXT + 1];
};

/* The packet and what it points to are valid only during the call. */
typedef void (*rtcp_packet_cb)(const struct rtcp_packet *, void *);

/*
 * Check a whole compound packet, then (when cb is not NULL) hand out each
 * packet in order.  A malformed compound packet gives a negative error and
 * no callback at all.
 */
int	 rtcp_parse(const uint8_t *, size_t, rtcp_packet_cb, void *);
const char *rtcp_strerror(int);

/*
 * Builders: each writes one packet at buf and returns its length, or 0 when
 * it does not fit in size or an argument is out of range (more than
 * RTCP_MAX_COUNT blocks or SSRCs, text over RTCP_MAX_TEXT).  Packets written
 * one after another make a compound packet.
 */
size_t	 rtcp_write_sr(uint8_t *, size_t, uint32_t,
	    const struct rtcp_sender_info *, const struct rtcp_report_block *,
	    size_t);
size_t	 rtcp_write_rr(uint8_t *, size_t, uint32_t,
	    const struct rtcp_report_block *, size_t);
size_t	 rtcp_write_sdes(uint8_t *, size_t, uint32_t, const char *);
size_t	 rtcp_write_bye(uint8_t *, size_t, const uint32_t *, size_t,
	    const char *);

/* A report block for a source: this starts its next loss interval. */
void	 rtcp_report_block_fill(struct rtcp_report_block *,
	    struct rtp_source *, uint32_t, uint32_t);

/* NTP time (32.32) from CLOCK_REALTIME microseconds. */
uint64_t rtcp_ntp_from_usec(uint64_t);
/* The middle 32 bits of an NTP time: LSR, and arrival for the RTT. */
uint32_t rtcp_ntp_middle(uint64_t);
/* DLSR: from the last SR's arrival to now (microseconds), 1/65536 s. */
uint32_t rtcp_dlsr(uint64_t, uint64_t);
/*
 * Round-trip time in seconds from a report block seen at arrival (middle 32
 * bits of NTP), its LSR and DLSR; -1 when there was no SR yet (LSR 0) or
 * the clocks make it negative.
 */
double	 rtcp_rtt(uint32_t, uint32_t, uint32_t);

#endif
