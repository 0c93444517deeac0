/*
 * RTP (RFC 3550): parsing and writing packet headers, telling RTP from RTCP
 * on a shared port (RFC 5761), and the receiver's view of one source:
 * sequence number validation (appendix A.1), loss (A.3) and interarrival
 * jitter (A.8).  Nothing here allocates; a parsed header points into the
 * caller's buffer.
 */
#ifndef MEET_RTP_H
#define MEET_RTP_H

#include <stddef.h>
#include <stdint.h>

#define RTP_VERSION		2
#define RTP_HEADER_LEN		12	/* fixed header, no CSRC */
#define RTP_MAX_CSRC		15

/* What rtp_parse returns for a packet it refuses (see rtp_strerror). */
#define RTP_ERR_SHORT		-1	/* shorter than a fixed header */
#define RTP_ERR_VERSION		-2	/* version is not 2 */
#define RTP_ERR_RTCP		-3	/* RTCP by the RFC 5761 rule */
#define RTP_ERR_CSRC		-4	/* CSRC list overruns */
#define RTP_ERR_EXTENSION	-5	/* header extension overruns */
#define RTP_ERR_PADDING		-6	/* bad padding count */

struct rtp_header {
	uint8_t		 version;
	uint8_t		 padding;	/* P bit */
	uint8_t		 extension;	/* X bit */
	uint8_t		 cc;		/* CSRC count */
	uint8_t		 marker;
	uint8_t		 pt;		/* payload type, 0-127 */
	uint16_t	 seq;
	uint32_t	 ts;
	uint32_t	 ssrc;
	uint32_t	 csrc[RTP_MAX_CSRC];

	/*
	 * The header extension (when extension is set): the 16-bit profile
	 * word and the data after the length word, ext_len bytes (a
	 * multiple of 4).
	 */
	uint16_t	 ext_profile;
	const uint8_t	*ext;
	size_t		 ext_len;

	size_t		 header_len;	/* fixed + CSRC + extension */
	const uint8_t	*payload;	/* after header, before padding */
	size_t		 payload_len;
	size_t		 pad_len;	/* padding with its count byte */
};

/*
 * What rtp_source_update thought of a packet.  VALID, LATE and RESTART
 * packets are worth using; DUPLICATE ones are not, and PROBATION and JUMP
 * packets come from a source not (or no longer) validated and appendix A.1
 * discards them.
 */
enum rtp_seq_result {
	RTP_SEQ_VALID,		/* in order, maybe after a gap */
	RTP_SEQ_LATE,		/* behind the highest, not seen before */
	RTP_SEQ_DUPLICATE,	/* seen before */
	RTP_SEQ_PROBATION,	/* source not yet validated */
	RTP_SEQ_JUMP,		/* a very large jump, discarded */
	RTP_SEQ_RESTART		/* second in order after a jump */
};

/*
 * The receiver's state for one source (one SSRC), after appendix A.1.
 * Callers may read the counters; only the functions below change them.
 * received counts every packet taken, duplicates included, as A.3 wants
 * (so loss can be negative); duplicates and late are counted apart too.
 */
struct rtp_source {
	uint32_t	 ssrc;
	int		 started;	/* seen a first packet */
	uint16_t	 max_seq;	/* highest sequence number seen */
	uint32_t	 cycles;	/* sequence wraps, shifted left 16 */
	uint32_t	 base_seq;
	uint32_t	 bad_seq;	/* last "bad" seq + 1 */
	uint32_t	 probation;	/* sequential packets still needed */
	uint32_t	 received;	/* packets counted, A.1 */
	uint32_t	 expected_prior;
	uint32_t	 received_prior;

	int		 have_transit;
	uint32_t	 transit;	/* of the last packet, A.8 */
	uint64_t	 jitter;	/* times 16, A.8 */

	/* Receive window: which of the last 128 sequence numbers came. */
	uint64_t	 seen[2];

	uint64_t	 bytes;		/* payload of counted packets */
	uint64_t	 duplicates;
	uint64_t	 late;		/* reordered, counted once each */
	uint64_t	 discarded;	/* probation and jumps */
};

/*
 * Parse a packet: 0 and the header filled in, its ext and payload pointing
 * into buf, or an RTP_ERR_* code and a header not to be used.
 */
int	 rtp_parse(const uint8_t *, size_t, struct rtp_header *);
const char *rtp_strerror(int);
/* 1 when a packet on a shared port is RTCP (RFC 5761 section 4). */
int	 rtp_is_rtcp(const uint8_t *, size_t);

/*
 * Write the header (fixed part, CSRCs, extension) into buf; the bytes
 * written, or 0 when it does not fit or a field is out of range.
 */
size_t	 rtp_write_header(uint8_t *, size_t, const struct rtp_header *);
/*
 * Write a whole packet: the header with P set when pad_len is not zero,
 * payload_len bytes from payload, then pad_len bytes of padding.
 */
size_t	 rtp_write(uint8_t *, size_t, const struct rtp_header *);

void	 rtp_source_init(struct rtp_source *, uint32_t);
/*
 * Account one packet of the source.  arrival is the receive time in the
 * stream's timestamp units (the caller scales its clock by the clock
 * rate), from which jitter is computed; duplicates do not feed it.
 */
enum rtp_seq_result rtp_source_update(struct rtp_source *,
	    const struct rtp_header *, uint32_t);
uint32_t rtp_source_ext_max(const struct rtp_source *);
uint32_t rtp_source_expected(const struct rtp_source *);
int32_t	 rtp_source_lost(const struct rtp_source *);
/* Fraction lost (of 256) since the last call: this starts a new interval. */
uint8_t	 rtp_source_fraction(struct rtp_source *);
uint32_t rtp_source_jitter(const struct rtp_source *);

#endif
