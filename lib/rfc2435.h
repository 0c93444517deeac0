/*
 * JPEG over RTP (RFC 2435): what a JPEG must look like to travel untouched,
 * the packetizer that cuts one into RTP payloads, and the depacketizer that
 * puts payloads back together into a complete baseline JFIF image.
 *
 * Only the payload is handled here: the RTP header (timestamp, sequence
 * number, marker bit) is the caller's, so the code needs no sockets and no
 * clock.  Nothing here uses TurboJPEG, so that meetd can link it alone;
 * re-encoding what RFC 2435 cannot carry is jpeg-normalize.h's job.
 */
#ifndef MEET_RFC2435_H
#define MEET_RFC2435_H

#include <stddef.h>
#include <stdint.h>

#define RFC2435_MAX_DIM		2040	/* width and height go as 8-bit /8 */
#define RFC2435_MAX_SCAN	0xffffff /* the fragment offset has 24 bits */
#define RFC2435_MAIN_HDR	8
#define RFC2435_RESTART_HDR	4
#define RFC2435_QT_HDR		4
/* The first payload: every header, both tables and one byte of data. */
#define RFC2435_MIN_PAYLOAD	(RFC2435_MAIN_HDR + RFC2435_RESTART_HDR + \
				 RFC2435_QT_HDR + 128 + 1)

/*
 * A JPEG that RFC 2435 can carry as it is.  scan points into the caller's
 * image (the entropy-coded data between the SOS header and EOI, restart
 * markers included) and is valid as long as that image is.
 */
struct jpeg_rtp_info {
	int		 type;		/* 0 (4:2:2), 1 (4:2:0), +64 restarts */
	int		 width;		/* pixels, a multiple of 8 */
	int		 height;
	int		 restart_interval; /* MCUs, 0 when none */
	uint8_t		 qtables[2][64]; /* luma, chroma; zigzag as in DQT */
	const uint8_t	*scan;
	size_t		 scan_len;
};

/*
 * Whether a JPEG can go through RFC 2435 untouched: 0 and info filled when
 * it can, -1 and the reason in err when it must be re-encoded (or is no
 * JPEG at all).
 */
int	jpeg_rtp_info(const uint8_t *, size_t, struct jpeg_rtp_info *, char *,
	    size_t);

typedef void (*rfc2435_emit_cb)(const uint8_t *, size_t, int, void *);

/*
 * Cut one image into payloads no longer than max_payload, each handed to
 * emit(payload, len, marker, arg) in order; the payload is valid during the
 * call only and marker is 1 on the last.  The first payload carries the
 * quantization tables in band (Q 255).  The number of payloads, or -1 when
 * max_payload is below RFC2435_MIN_PAYLOAD or the image does not fit.
 */
int	rfc2435_packetize(const struct jpeg_rtp_info *, size_t,
	    rfc2435_emit_cb, void *);

/*
 * The quantization tables RFC 2435 Appendix A gives for Q 1 to 99, in
 * zigzag order: luma, then chroma.
 */
void	rfc2435_qtables(int, uint8_t [2][64]);

/*
 * The depacketizer's counters.  Every frame begun ends either complete or
 * dropped for one reason, except the one still being assembled.
 */
struct rfc2435_stats {
	uint64_t	packets;	/* payloads pushed */
	uint64_t	frames_complete;
	uint64_t	frames_dropped;	/* the sum of the drop_ counters */
	uint64_t	drop_no_first;	/* the fragment at offset 0 never came */
	uint64_t	drop_no_last;	/* the marker packet never came */
	uint64_t	drop_gap;	/* a fragment in between never came */
	uint64_t	drop_too_large;	/* past the size given to _new */
	uint64_t	drop_mismatch;	/* fragments disagree on the header */
	uint64_t	drop_no_tables;	/* Q 128-254 with no tables known */
	uint64_t	malformed;	/* payloads that make no sense */
	uint64_t	late;		/* for a frame finished or given up */
	uint64_t	seq_gaps;	/* breaks in the sequence numbers */
};

typedef void (*rfc2435_frame_cb)(const uint8_t *, size_t, void *);

struct rfc2435_depack;

/*
 * A depacketizer for frames of up to max_frame bytes of scan data (0 for
 * RFC2435_MAX_SCAN).  The caller owns it and frees it with
 * rfc2435_depack_free.
 */
struct rfc2435_depack *rfc2435_depack_new(size_t);
void	rfc2435_depack_free(struct rfc2435_depack *);
/*
 * Push one RTP payload with its header's timestamp, sequence number and
 * marker bit.  When it completes a frame, frame(jpeg, len, arg) is called
 * with the rebuilt JFIF image, valid during the call only.  0 when the
 * payload was taken, -1 when it was dropped (and counted).
 */
int	rfc2435_depack_push(struct rfc2435_depack *, const uint8_t *, size_t,
	    uint32_t, uint16_t, int, rfc2435_frame_cb, void *);
const struct rfc2435_stats *rfc2435_depack_stats(
	    const struct rfc2435_depack *);

#endif
