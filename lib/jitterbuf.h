/*
 * An adaptive jitter buffer for one speaker's 20 ms audio frames, keyed by
 * RTP sequence number (DESIGN.md section 3).  The network side pushes
 * packets as they come; the mixer pops one frame per 20 ms tick and gets
 * the next frame in order, a "missing" slot to conceal (with FEC from the
 * next packet, which it may peek at, or PLC), or nothing at all.
 *
 * The delay it aims for is twice the RFC 3550 interarrival jitter, clamped
 * to [JITTERBUF_MIN_DELAY, JITTERBUF_MAX_DELAY].  It grows at once: a
 * buffer that runs dry waits for the new target before it plays again.  It
 * shrinks slowly: a buffer that stays ahead of its target for a second drops
 * one frame, a quiet (DTX-sized) one, or any when far ahead or when it has
 * been ahead for two seconds; a talkspurt after silence also starts
 * afresh at the target, and a pause of the sender is not taken for
 * jitter.  Nothing pushed is trusted: the number of frames held is fixed
 * at creation, and wild sequence numbers are discarded unless two in a
 * row say the sender really restarted.
 */
#ifndef MEET_JITTERBUF_H
#define MEET_JITTERBUF_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define JITTERBUF_FRAME_USEC	20000	/* one frame, one pop */
#define JITTERBUF_MIN_DELAY	20000	/* usec */
#define JITTERBUF_MAX_DELAY	200000	/* usec */
#define JITTERBUF_MAX_FRAMES	1000	/* the largest capacity allowed */
#define JITTERBUF_MAX_PAYLOAD	8192	/* the largest max_payload allowed */
#define JITTERBUF_SILENCE_LEN	2	/* Opus DTX: this short is quiet */

/* What jitterbuf_push did with a packet. */
enum jitterbuf_push {
	JITTERBUF_STORED,	/* kept, to be played in order */
	JITTERBUF_DUPLICATE,	/* already held: dropped */
	JITTERBUF_LATE,		/* its turn is past: dropped */
	JITTERBUF_DISCARDED	/* bad length, or a wild sequence number */
};

/* What jitterbuf_pop has for this tick. */
enum jitterbuf_pop {
	JITTERBUF_EMPTY,	/* nothing to play: buffering, or run dry */
	JITTERBUF_FRAME,	/* the next frame in order */
	JITTERBUF_MISSING	/* the next frame is lost: conceal it */
};

/*
 * A frame handed out by jitterbuf_pop or jitterbuf_peek.  payload points
 * into the buffer and stays valid until the next push or pop.  For a
 * missing frame, seq is the one lost, ts 0, payload NULL and len 0.
 */
struct jitterbuf_frame {
	uint16_t	 seq;
	uint32_t	 ts;
	const uint8_t	*payload;
	size_t		 len;
};

/*
 * Counters, only ever increasing.  Every push is counted in pushed and
 * ends in exactly one of: played, dropped, overflow, flushed, late,
 * duplicates, discarded, or still held (jitterbuf_count).  A second copy
 * of a frame already played counts as late, not as a duplicate.
 */
struct jitterbuf_stats {
	uint64_t	pushed;		/* every jitterbuf_push */
	uint64_t	played;		/* JITTERBUF_FRAME pops */
	uint64_t	missing;	/* JITTERBUF_MISSING pops (concealed) */
	uint64_t	late;		/* arrived after their turn */
	uint64_t	duplicates;	/* arrived twice */
	uint64_t	overflow;	/* oldest frames dropped to make room */
	uint64_t	dropped;	/* frames skipped to shrink the delay */
	uint64_t	discarded;	/* bad lengths, wild seq numbers */
	uint64_t	flushed;	/* frames thrown away by resets */
	uint64_t	resets;		/* sender restarts followed */
	uint64_t	underruns;	/* ran dry while playing */
};

struct jitterbuf;

/*
 * A buffer holding at most frames frames of at most max_payload bytes
 * each, for an RTP clock of clock_rate Hz; NULL and an allocated *cause
 * when an argument is out of range.  The caller owns the buffer and frees
 * it with jitterbuf_free.
 */
struct jitterbuf *jitterbuf_new(u_int, u_int, size_t, char **);
void	 jitterbuf_free(struct jitterbuf *);

/* Offer a packet's payload, arrived at arrival (usec, monotonic). */
enum jitterbuf_push jitterbuf_push(struct jitterbuf *, uint16_t, uint32_t,
	    const uint8_t *, size_t, uint64_t);
/* Once per 20 ms tick at now (usec, same clock as the arrivals). */
enum jitterbuf_pop jitterbuf_pop(struct jitterbuf *, uint64_t,
	    struct jitterbuf_frame *);
/*
 * The frame the next pop would play, when it is held: after a
 * JITTERBUF_MISSING, the packet whose FEC can rebuild the lost frame.
 * 0 and the frame, or -1.
 */
int	 jitterbuf_peek(const struct jitterbuf *, struct jitterbuf_frame *);

const struct jitterbuf_stats *jitterbuf_stats(const struct jitterbuf *);
/* The target delay and the jitter estimate, in usec. */
u_int	 jitterbuf_target(const struct jitterbuf *);
u_int	 jitterbuf_jitter(const struct jitterbuf *);
/* Frames held now. */
u_int	 jitterbuf_count(const struct jitterbuf *);

#endif
