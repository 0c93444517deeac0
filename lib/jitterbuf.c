/*
 * The jitter buffer: a ring of fixed slots, the slot at head holding the
 * next sequence number to play (next_seq) and the one at head + d holding
 * next_seq + d.  Slots outside [head, head + span) are always empty, so
 * every frame held has exactly one place and a duplicate finds it taken.
 *
 * Playing starts, and starts again after the buffer runs dry, once the
 * first frame held has waited the target delay less half a frame (or more
 * than the target is held), so that with pops a frame apart it waits the
 * target give or take half a frame: a rising target so takes effect at the
 * next underrun, and a talkspurt after silence starts at the current
 * target.  While playing, the smallest span seen over a window of pops
 * tells whether the buffer stays ahead of its target; if so one frame is
 * dropped, which is how the delay comes down.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jitterbuf.h"
#include "xmalloc.h"

#define JB_MAX_MISORDER	100	/* further behind is a wild seq, not late */
#define JB_MAX_DROPOUT	3000	/* further ahead is a wild seq, not loss */
#define JB_WINDOW	50	/* pops (a second) between two drops */
#define JB_SHRINK_USEC	200	/* target fall per pop: 10 ms a second */
#define JB_FORCE_AHEAD	3	/* more ahead than this drops a loud one */
#define JB_FORCE_WINDOWS 2	/* and so do this many windows ahead */
#define JB_HALF_FRAME	(JITTERBUF_FRAME_USEC / 2)

struct jb_slot {
	int		 used;
	uint16_t	 seq;
	uint32_t	 ts;
	size_t		 len;
	uint64_t	 arrival;
};

struct jitterbuf {
	u_int		 clock_rate;
	u_int		 capacity;
	size_t		 max_payload;
	struct jb_slot	*slots;		/* capacity of them */
	uint8_t		*data;		/* capacity * max_payload bytes */

	int		 started;	/* next_seq means something */
	int		 playing;
	int		 rebase_ok;	/* nothing played since the start */
	uint16_t	 next_seq;
	u_int		 head;
	u_int		 span;		/* head to the newest held, inclusive */
	u_int		 count;		/* frames held */
	uint64_t	 since;		/* first arrival into an empty buffer */

	int		 have_bad;
	uint16_t	 bad_seq;	/* a wild seq + 1: a restart if next */

	int		 have_transit;
	uint32_t	 transit;	/* last packet's, in clock units */
	uint64_t	 last_arrival;	/* usec */
	uint32_t	 jitter;	/* times 16, clock units (A.8) */
	u_int		 target;	/* usec */

	u_int		 window;	/* pops since a start or a drop */
	u_int		 min_span;	/* smallest span over the window */
	u_int		 ahead;		/* frames ahead over the last window */
	u_int		 ahead_windows;	/* windows in a row found ahead */

	struct jitterbuf_stats stats;
};

static void	jb_start(struct jitterbuf *, uint16_t);
static void	jb_flush(struct jitterbuf *);
static void	jb_advance(struct jitterbuf *);
static void	jb_clear_head(struct jitterbuf *);
static int	jb_make_room(struct jitterbuf *, uint16_t);
static enum jitterbuf_push jb_wild(struct jitterbuf *, uint16_t);
static void	jb_jitter(struct jitterbuf *, uint32_t, uint64_t);
static u_int	jb_want(const struct jitterbuf *);
static u_int	jb_target_frames(const struct jitterbuf *);
static void	jb_shrink(struct jitterbuf *);
static void	jb_fill(const struct jitterbuf *, u_int,
		    struct jitterbuf_frame *);

struct jitterbuf *
jitterbuf_new(u_int clock_rate, u_int frames, size_t max_payload,
    char **cause)
{
	struct jitterbuf	*jb = NULL;

	if (clock_rate < 1000 || clock_rate > 192000) {
		xasprintf(cause, "clock rate %u: out of range", clock_rate);
		goto out;
	}
	if (frames < 2 || frames > JITTERBUF_MAX_FRAMES) {
		xasprintf(cause, "%u frames: out of range", frames);
		goto out;
	}
	if (max_payload == 0 || max_payload > JITTERBUF_MAX_PAYLOAD) {
		xasprintf(cause, "payload of %zu bytes: out of range",
		    max_payload);
		goto out;
	}

	jb = xcalloc(1, sizeof *jb);
	jb->clock_rate = clock_rate;
	jb->capacity = frames;
	jb->max_payload = max_payload;
	jb->slots = xcalloc(frames, sizeof *jb->slots);
	jb->data = xreallocarray(NULL, frames, max_payload);
	jb->target = JITTERBUF_MIN_DELAY;
	jb->min_span = UINT_MAX;

out:
	return jb;
}

void
jitterbuf_free(struct jitterbuf *jb)
{
	if (jb == NULL)
		return;
	free(jb->data);
	free(jb->slots);
	free(jb);
}

enum jitterbuf_push
jitterbuf_push(struct jitterbuf *jb, uint16_t seq, uint32_t ts,
    const uint8_t *payload, size_t len, uint64_t arrival)
{
	struct jb_slot	*slot;
	int		 d;
	u_int		 i;

	jb->stats.pushed++;
	if (payload == NULL || len == 0 || len > jb->max_payload) {
		jb->stats.discarded++;
		return JITTERBUF_DISCARDED;
	}
	if (!jb->started)
		jb_start(jb, seq);

	d = (int16_t)(uint16_t)(seq - jb->next_seq);
	if (d < -JB_MAX_MISORDER || d >= JB_MAX_DROPOUT) {
		if (jb_wild(jb, seq) == JITTERBUF_DISCARDED)
			return JITTERBUF_DISCARDED;
		d = 0;
	}
	jb->have_bad = 0;

	if (d < 0) {
		/*
		 * Before anything is played, an earlier packet moves the
		 * start back (the first two could have swapped); after, its
		 * turn is past.
		 */
		if (!jb->rebase_ok || jb->span + (u_int)-d > jb->capacity) {
			jb->stats.late++;
			jb_jitter(jb, ts, arrival);
			return JITTERBUF_LATE;
		}
		jb->head = (jb->head + jb->capacity - (u_int)-d) %
		    jb->capacity;
		jb->span += (u_int)-d;
		jb->next_seq = seq;
		d = 0;
	} else if ((u_int)d >= jb->capacity)
		d = jb_make_room(jb, seq);

	i = (jb->head + (u_int)d) % jb->capacity;
	slot = &jb->slots[i];
	if (slot->used) {
		jb->stats.duplicates++;
		return JITTERBUF_DUPLICATE;
	}
	slot->used = 1;
	slot->seq = seq;
	slot->ts = ts;
	slot->len = len;
	slot->arrival = arrival;
	memcpy(jb->data + i * jb->max_payload, payload, len);
	if (jb->count++ == 0)
		jb->since = arrival;
	if ((u_int)d + 1 > jb->span)
		jb->span = (u_int)d + 1;

	jb_jitter(jb, ts, arrival);
	return JITTERBUF_STORED;
}

enum jitterbuf_pop
jitterbuf_pop(struct jitterbuf *jb, uint64_t now, struct jitterbuf_frame *f)
{
	u_int	tf;

	memset(f, 0, sizeof *f);
	jb_shrink(jb);
	tf = jb_target_frames(jb);

	if (!jb->playing) {
		if (jb->count == 0)
			return JITTERBUF_EMPTY;
		/*
		 * Pops come once a frame, so the first frame waits the
		 * target and up to a frame more; starting half a frame
		 * early makes it the target give or take half a frame.
		 */
		if ((now < jb->since || now - jb->since + JB_HALF_FRAME <
		    jb->target) && jb->span <= tf)
			return JITTERBUF_EMPTY;
		jb->playing = 1;
		jb->rebase_ok = 0;
		jb->window = 0;
		jb->min_span = UINT_MAX;
		jb->ahead = 0;
		jb->ahead_windows = 0;
	}
	if (jb->count == 0) {
		jb->playing = 0;
		jb->stats.underruns++;
		return JITTERBUF_EMPTY;
	}

	/*
	 * Each window of pops ends by telling how many frames the buffer
	 * stayed ahead of its steady state, the target and the one being
	 * played.  While ahead, drop the head if it is lost or quiet, or a
	 * loud one when far ahead or when no quiet one came for
	 * JB_FORCE_WINDOWS windows (a talker who never pauses, a tone: the
	 * excess delay would stay for as long as they talk), then wait a
	 * whole window again.  The newest frame is never the head here, so
	 * something is left.
	 */
	if (jb->span < jb->min_span)
		jb->min_span = jb->span;
	if (++jb->window >= JB_WINDOW) {
		jb->ahead = 0;
		if (jb->min_span > tf + 1)
			jb->ahead = jb->min_span - tf - 1;
		jb->ahead_windows = jb->ahead > 0 ? jb->ahead_windows + 1 : 0;
		jb->window = 0;
		jb->min_span = UINT_MAX;
	}
	if (jb->ahead > 0 && (!jb->slots[jb->head].used ||
	    jb->slots[jb->head].len <= JITTERBUF_SILENCE_LEN ||
	    jb->ahead > JB_FORCE_AHEAD ||
	    jb->ahead_windows >= JB_FORCE_WINDOWS)) {
		if (jb->slots[jb->head].used) {
			jb_clear_head(jb);
			jb->stats.dropped++;
		}
		jb_advance(jb);
		jb->ahead = 0;
		jb->window = 0;
		jb->min_span = UINT_MAX;
	}

	f->seq = jb->next_seq;
	if (!jb->slots[jb->head].used) {
		jb->stats.missing++;
		jb_advance(jb);
		return JITTERBUF_MISSING;
	}
	jb_fill(jb, jb->head, f);
	jb_clear_head(jb);
	jb->stats.played++;
	jb_advance(jb);
	return JITTERBUF_FRAME;
}

int
jitterbuf_peek(const struct jitterbuf *jb, struct jitterbuf_frame *f)
{
	memset(f, 0, sizeof *f);
	if (jb->count == 0 || !jb->slots[jb->head].used)
		return -1;
	jb_fill(jb, jb->head, f);
	return 0;
}

const struct jitterbuf_stats *
jitterbuf_stats(const struct jitterbuf *jb)
{
	return &jb->stats;
}

u_int
jitterbuf_target(const struct jitterbuf *jb)
{
	return jb->target;
}

u_int
jitterbuf_jitter(const struct jitterbuf *jb)
{
	return (u_int)((uint64_t)jb->jitter * 1000000 /
	    (16 * (uint64_t)jb->clock_rate));
}

u_int
jitterbuf_count(const struct jitterbuf *jb)
{
	return jb->count;
}

/* Begin a sequence at seq, with nothing held. */
static void
jb_start(struct jitterbuf *jb, uint16_t seq)
{
	jb->started = 1;
	jb->playing = 0;
	jb->rebase_ok = 1;
	jb->next_seq = seq;
	jb->head = 0;
	jb->span = 0;
	jb->have_bad = 0;
	jb->have_transit = 0;
}

static void
jb_flush(struct jitterbuf *jb)
{
	u_int	i;

	for (i = 0; i < jb->capacity; i++)
		jb->slots[i].used = 0;
	jb->stats.flushed += jb->count;
	jb->count = 0;
	jb->span = 0;
}

static void
jb_advance(struct jitterbuf *jb)
{
	jb->head = (jb->head + 1) % jb->capacity;
	jb->next_seq++;
	if (jb->span > 0)
		jb->span--;
}

static void
jb_clear_head(struct jitterbuf *jb)
{
	jb->slots[jb->head].used = 0;
	jb->count--;
}

/*
 * seq is too far ahead to fit: drop the oldest frames until it does, then
 * skip the lost slots in front of the oldest frame kept, as nobody will
 * want them concealed now.  Return seq's offset from the new head.
 */
static int
jb_make_room(struct jitterbuf *jb, uint16_t seq)
{
	while ((uint16_t)(seq - jb->next_seq) >= jb->capacity) {
		if (jb->slots[jb->head].used) {
			jb_clear_head(jb);
			jb->stats.overflow++;
		}
		jb_advance(jb);
	}
	if (jb->count == 0) {
		jb->next_seq = seq;
		jb->span = 0;
	} else {
		while (!jb->slots[jb->head].used)
			jb_advance(jb);
	}
	return (uint16_t)(seq - jb->next_seq);
}

/*
 * A sequence number far from the one expected is garbage, or a sender
 * that restarted: as RFC 3550 appendix A.1 does, believe it only when the
 * next packet follows it, and start again from there.
 */
static enum jitterbuf_push
jb_wild(struct jitterbuf *jb, uint16_t seq)
{
	if (!jb->have_bad || seq != jb->bad_seq) {
		jb->have_bad = 1;
		jb->bad_seq = seq + 1;
		jb->stats.discarded++;
		return JITTERBUF_DISCARDED;
	}
	jb_flush(jb);
	jb_start(jb, seq);
	jb->stats.resets++;
	return JITTERBUF_STORED;
}

/*
 * RFC 3550 appendix A.8, in the RTP clock's units: a wrap of the 32-bit
 * arrival clock cancels out in the difference.  One step of more than a
 * second is taken as a second, so a wild timestamp cannot pin the target
 * at its maximum for long.  A packet more than JITTERBUF_MAX_DELAY after
 * the one before starts afresh: a sender that paused (and whose clock may
 * or may not have run on meanwhile) says nothing of the network's jitter
 * by the pause, and counting it would hold a talkspurt that follows
 * seconds behind its target.
 */
static void
jb_jitter(struct jitterbuf *jb, uint32_t ts, uint64_t arrival)
{
	uint64_t	now;
	uint32_t	transit, d;
	int32_t		delta;

	now = (arrival / 1000000) * jb->clock_rate +
	    (arrival % 1000000) * jb->clock_rate / 1000000;
	transit = (uint32_t)now - ts;
	if (jb->have_transit && arrival > jb->last_arrival &&
	    arrival - jb->last_arrival > JITTERBUF_MAX_DELAY)
		jb->have_transit = 0;
	jb->last_arrival = arrival;
	if (jb->have_transit) {
		delta = (int32_t)(transit - jb->transit);
		d = delta < 0 ? (uint32_t)-(int64_t)delta : (uint32_t)delta;
		if (d > jb->clock_rate)
			d = jb->clock_rate;
		jb->jitter += d - ((jb->jitter + 8) >> 4);
	}
	jb->transit = transit;
	jb->have_transit = 1;

	/* The target rises at once. */
	if (jb_want(jb) > jb->target)
		jb->target = jb_want(jb);
}

/* Twice the jitter, clamped. */
static u_int
jb_want(const struct jitterbuf *jb)
{
	u_int	want;

	want = 2 * jitterbuf_jitter(jb);
	if (want < JITTERBUF_MIN_DELAY)
		want = JITTERBUF_MIN_DELAY;
	if (want > JITTERBUF_MAX_DELAY)
		want = JITTERBUF_MAX_DELAY;
	return want;
}

static u_int
jb_target_frames(const struct jitterbuf *jb)
{
	return (jb->target + JITTERBUF_FRAME_USEC - 1) / JITTERBUF_FRAME_USEC;
}

/* The target falls slowly, once per pop. */
static void
jb_shrink(struct jitterbuf *jb)
{
	u_int	want;

	want = jb_want(jb);
	if (jb->target <= want)
		return;
	if (jb->target - want > JB_SHRINK_USEC)
		jb->target -= JB_SHRINK_USEC;
	else
		jb->target = want;
}

static void
jb_fill(const struct jitterbuf *jb, u_int i, struct jitterbuf_frame *f)
{
	const struct jb_slot	*slot = &jb->slots[i];

	f->seq = slot->seq;
	f->ts = slot->ts;
	f->payload = jb->data + i * jb->max_payload;
	f->len = slot->len;
}
