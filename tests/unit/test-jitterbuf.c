/*
 * Unit tests for the jitter buffer (lib/jitterbuf.c).  A simulated sender
 * makes a 20 ms frame every 20 ms (seq, ts += 960 at 48 kHz) and the test
 * pops 5 ms after each arrival, so with the 20 ms starting target the
 * frame pushed at slot k plays at tick k + 1.  From that clock every case
 * works out by hand what each tick returns: an in-order stream, swapped
 * pairs (in the middle and as the first two), a loss concealed once with
 * the next packet to peek at, a sequence wrap, overflow, a gap too long to
 * conceal, wild sequence numbers and a restart.  Jitter raises the target
 * and the target falls back slowly; a fast sender clock makes it drop
 * frames, quiet ones first.  Random input finishes it under the counters'
 * bookkeeping.
 */
#include <sys/types.h>

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jitterbuf.h"

#define T0	1000000ULL	/* arrival of the first frame, usec */
#define TICK	5000ULL		/* pops come this long after arrivals */
#define SPF	960		/* samples per frame at 48 kHz */
#define LOUD	100		/* bytes in a frame with speech in it */

static void	test_new_args(void **);
static void	test_in_order(void **);
static void	test_reorder(void **);
static void	test_reorder_first(void **);
static void	test_loss(void **);
static void	test_wrap(void **);
static void	test_duplicate_late(void **);
static void	test_overflow(void **);
static void	test_gap(void **);
static void	test_pause(void **);
static void	test_ahead_loud(void **);
static void	test_start_phase(void **);
static void	test_wild(void **);
static void	test_bad_length(void **);
static void	test_jitter_grows(void **);
static void	test_drift_quiet(void **);
static void	test_drift_loud(void **);
static void	test_random(void **);
static struct jitterbuf *new_jb(u_int);
static enum jitterbuf_push push(struct jitterbuf *, uint16_t, uint32_t,
		    uint64_t, size_t);
static void	check_books(struct jitterbuf *);
static uint32_t	lcg(uint32_t *);

static struct jitterbuf *
new_jb(u_int frames)
{
	struct jitterbuf	*jb;
	char			*cause = NULL;

	jb = jitterbuf_new(48000, frames, 1500, &cause);
	assert_non_null(jb);
	assert_null(cause);
	return jb;
}

/* A frame of len bytes, each holding the low byte of seq. */
static enum jitterbuf_push
push(struct jitterbuf *jb, uint16_t seq, uint32_t ts, uint64_t at,
    size_t len)
{
	uint8_t	buf[LOUD];

	memset(buf, seq & 0xff, sizeof buf);
	return jitterbuf_push(jb, seq, ts, buf, len, at);
}

/* Every push is accounted for exactly once. */
static void
check_books(struct jitterbuf *jb)
{
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);

	assert_int_equal(st->pushed, st->played + st->dropped + st->overflow +
	    st->flushed + st->late + st->duplicates + st->discarded +
	    jitterbuf_count(jb));
}

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 8;
}

static void
test_new_args(void **state)
{
	char	*cause;

	(void)state;
	cause = NULL;
	assert_null(jitterbuf_new(48000, 1, 1500, &cause));
	assert_string_equal(cause, "1 frames: out of range");
	free(cause);
	cause = NULL;
	assert_null(jitterbuf_new(48000, JITTERBUF_MAX_FRAMES + 1, 1500,
	    &cause));
	free(cause);
	cause = NULL;
	assert_null(jitterbuf_new(48000, 50, 0, &cause));
	assert_string_equal(cause, "payload of 0 bytes: out of range");
	free(cause);
	cause = NULL;
	assert_null(jitterbuf_new(0, 50, 1500, &cause));
	assert_string_equal(cause, "clock rate 0: out of range");
	free(cause);
}

/*
 * No jitter: the target stays at 20 ms.  At tick 0 (5 ms) the first frame
 * has waited too little; at tick 1 it has waited 25 ms and plays, and from
 * then tick k plays frame k - 1, two frames held at each pop.
 */
static void
test_in_order(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k;

	(void)state;
	assert_int_equal(jitterbuf_pop(jb, 0, &f), JITTERBUF_EMPTY);
	for (k = 0; k < 200; k++) {
		assert_int_equal(push(jb, 100 + k, k * SPF, T0 + k * 20000,
		    LOUD), JITTERBUF_STORED);
		if (k == 0) {
			assert_int_equal(jitterbuf_pop(jb, T0 + TICK, &f),
			    JITTERBUF_EMPTY);
			continue;
		}
		assert_int_equal(jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f),
		    JITTERBUF_FRAME);
		assert_int_equal(f.seq, 100 + k - 1);
		assert_int_equal(f.ts, (k - 1) * SPF);
		assert_int_equal(f.len, LOUD);
		assert_int_equal(f.payload[0], (100 + k - 1) & 0xff);
		assert_int_equal(f.payload[LOUD - 1], (100 + k - 1) & 0xff);
		assert_int_equal(jitterbuf_count(jb), 1);
	}
	assert_int_equal(jitterbuf_jitter(jb), 0);
	assert_int_equal(jitterbuf_target(jb), JITTERBUF_MIN_DELAY);
	assert_int_equal(st->pushed, 200);
	assert_int_equal(st->played, 199);
	assert_int_equal(st->missing, 0);
	assert_int_equal(st->underruns, 0);
	assert_int_equal(st->dropped, 0);
	check_books(jb);

	/* The sender stops: the last frame plays, then the buffer is dry. */
	assert_int_equal(jitterbuf_pop(jb, T0 + 200 * 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 299);
	assert_int_equal(jitterbuf_pop(jb, T0 + 201 * 20000 + TICK, &f),
	    JITTERBUF_EMPTY);
	assert_int_equal(st->underruns, 1);
	assert_int_equal(jitterbuf_pop(jb, T0 + 202 * 20000 + TICK, &f),
	    JITTERBUF_EMPTY);
	assert_int_equal(st->underruns, 1);

	/*
	 * It speaks again after a pause (DTX, sent nothing): the talkspurt
	 * waits the target again before it plays, then goes on in order.
	 */
	assert_int_equal(push(jb, 300, 400 * SPF, T0 + 400 * 20000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(jitterbuf_pop(jb, T0 + 400 * 20000 + TICK, &f),
	    JITTERBUF_EMPTY);
	assert_int_equal(push(jb, 301, 401 * SPF, T0 + 401 * 20000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(jitterbuf_pop(jb, T0 + 401 * 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 300);
	assert_int_equal(st->missing, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Frame 106 comes at frame 105's time and 105 a slot later, still before
 * its tick (6): they play in order and nothing is late or missing.
 */
static void
test_reorder(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k, seq;

	(void)state;
	for (k = 0; k < 20; k++) {
		seq = k;
		if (k == 5)
			seq = 6;
		else if (k == 6)
			seq = 5;
		assert_int_equal(push(jb, seq, seq * SPF, T0 + k * 20000,
		    LOUD), JITTERBUF_STORED);
		if (k == 0) {
			assert_int_equal(jitterbuf_pop(jb, T0 + TICK, &f),
			    JITTERBUF_EMPTY);
			continue;
		}
		assert_int_equal(jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f),
		    JITTERBUF_FRAME);
		assert_int_equal(f.seq, k - 1);
	}
	assert_int_equal(st->late, 0);
	assert_int_equal(st->missing, 0);
	assert_int_equal(st->played, 19);
	check_books(jb);
	jitterbuf_free(jb);
}

/* The first two swapped: the second moves the start back before playing. */
static void
test_reorder_first(void **state)
{
	struct jitterbuf	*jb = new_jb(50);
	struct jitterbuf_frame	 f;

	(void)state;
	assert_int_equal(push(jb, 501, SPF, T0, LOUD), JITTERBUF_STORED);
	assert_int_equal(jitterbuf_count(jb), 1);
	assert_int_equal(push(jb, 500, 0, T0 + 1000, LOUD), JITTERBUF_STORED);
	/* Two frames held are more than the 20 ms target: it plays. */
	assert_int_equal(jitterbuf_pop(jb, T0 + TICK, &f), JITTERBUF_FRAME);
	assert_int_equal(f.seq, 500);
	assert_int_equal(push(jb, 502, 2 * SPF, T0 + 20000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(jitterbuf_pop(jb, T0 + 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 501);
	assert_int_equal(jitterbuf_pop(jb, T0 + 40000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 502);

	/* Once playing, an earlier packet is late. */
	assert_int_equal(push(jb, 499, 0, T0 + 60000, LOUD), JITTERBUF_LATE);
	assert_int_equal(jitterbuf_stats(jb)->late, 1);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Frame 10 never comes: tick 11 says it is missing and shows frame 11 for
 * its FEC; tick 12 plays 11 and the stream goes on.
 */
static void
test_loss(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f, next;
	u_int				 k;

	(void)state;
	for (k = 0; k < 30; k++) {
		if (k != 10)
			assert_int_equal(push(jb, k, k * SPF, T0 + k * 20000,
			    LOUD), JITTERBUF_STORED);
		if (k == 0) {
			assert_int_equal(jitterbuf_pop(jb, T0 + TICK, &f),
			    JITTERBUF_EMPTY);
			continue;
		}
		if (k == 11) {
			assert_int_equal(jitterbuf_pop(jb,
			    T0 + k * 20000 + TICK, &f), JITTERBUF_MISSING);
			assert_int_equal(f.seq, 10);
			assert_null(f.payload);
			assert_int_equal(f.len, 0);
			assert_int_equal(jitterbuf_peek(jb, &next), 0);
			assert_int_equal(next.seq, 11);
			assert_int_equal(next.ts, 11 * SPF);
			assert_int_equal(next.len, LOUD);
			assert_int_equal(next.payload[0], 11);
			continue;
		}
		assert_int_equal(jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f),
		    JITTERBUF_FRAME);
		assert_int_equal(f.seq, k - 1);
	}
	assert_int_equal(st->missing, 1);
	assert_int_equal(st->played, 28);
	assert_int_equal(st->underruns, 0);

	/* Nothing held after the head: nothing to peek at. */
	assert_int_equal(jitterbuf_pop(jb, T0 + 30 * 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(jitterbuf_peek(jb, &next), -1);
	check_books(jb);
	jitterbuf_free(jb);
}

/* Sequence numbers and timestamps both wrap mid-stream. */
static void
test_wrap(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	uint32_t			 ts0 = UINT32_MAX - 5 * SPF + 1;
	u_int				 k;

	(void)state;
	for (k = 0; k < 20; k++) {
		assert_int_equal(push(jb, (uint16_t)(65530 + k),
		    ts0 + k * SPF, T0 + k * 20000, LOUD), JITTERBUF_STORED);
		if (k == 0) {
			assert_int_equal(jitterbuf_pop(jb, T0 + TICK, &f),
			    JITTERBUF_EMPTY);
			continue;
		}
		assert_int_equal(jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f),
		    JITTERBUF_FRAME);
		assert_int_equal(f.seq, (uint16_t)(65530 + k - 1));
		assert_int_equal(f.ts, (uint32_t)(ts0 + (k - 1) * SPF));
	}
	assert_int_equal(st->played, 19);
	assert_int_equal(st->missing + st->late + st->discarded, 0);
	assert_int_equal(jitterbuf_jitter(jb), 0);
	check_books(jb);
	jitterbuf_free(jb);
}

static void
test_duplicate_late(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;

	(void)state;
	assert_int_equal(push(jb, 7, 0, T0, LOUD), JITTERBUF_STORED);
	assert_int_equal(push(jb, 7, 0, T0 + 10, LOUD), JITTERBUF_DUPLICATE);
	assert_int_equal(push(jb, 8, SPF, T0 + 20000, LOUD), JITTERBUF_STORED);
	assert_int_equal(push(jb, 8, SPF, T0 + 20010, LOUD),
	    JITTERBUF_DUPLICATE);
	assert_int_equal(jitterbuf_pop(jb, T0 + 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 7);
	/* A copy of a frame already played is late. */
	assert_int_equal(push(jb, 7, 0, T0 + 20020, LOUD), JITTERBUF_LATE);
	assert_int_equal(st->duplicates, 2);
	assert_int_equal(st->late, 1);
	assert_int_equal(jitterbuf_count(jb), 1);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Nobody pops: 120 frames pushed into 50 slots keep the newest 50, and the
 * first pop plays the oldest kept, frame 70.
 */
static void
test_overflow(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k;

	(void)state;
	for (k = 0; k < 120; k++) {
		assert_int_equal(push(jb, k, k * SPF, T0 + k * 20000, LOUD),
		    JITTERBUF_STORED);
		assert_true(jitterbuf_count(jb) <= 50);
	}
	assert_int_equal(jitterbuf_count(jb), 50);
	assert_int_equal(st->overflow, 70);
	check_books(jb);
	assert_int_equal(jitterbuf_pop(jb, T0 + 120 * 20000, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 70);
	assert_int_equal(jitterbuf_pop(jb, T0 + 121 * 20000, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 71);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * A 10 second outage while the sender goes on: the first frame after it
 * is beyond the buffer, everything older is useless, and the buffer starts
 * over at it rather than conceal 49 frames first.
 */
static void
test_gap(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;

	(void)state;
	assert_int_equal(push(jb, 0, 0, T0, LOUD), JITTERBUF_STORED);
	assert_int_equal(push(jb, 1, SPF, T0 + 20000, LOUD), JITTERBUF_STORED);
	assert_int_equal(jitterbuf_pop(jb, T0 + 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 0);
	assert_int_equal(push(jb, 501, 501 * SPF, T0 + 501 * 20000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(st->overflow, 1);	/* frame 1, never played */
	assert_int_equal(jitterbuf_count(jb), 1);
	assert_int_equal(push(jb, 502, 502 * SPF, T0 + 502 * 20000, LOUD),
	    JITTERBUF_STORED);
	/* Still playing, with no underrun in between: 501 is next. */
	assert_int_equal(jitterbuf_pop(jb, T0 + 502 * 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 501);
	assert_int_equal(st->missing, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * One wild sequence number is thrown away and the stream goes on; two in
 * a row are a sender that restarted: the old frames are flushed and the
 * new sequence starts from the second, after the initial delay.
 */
/*
 * A sender that pauses for half a second and goes on with the next
 * timestamp, as if it had not (a program stopped and resumed, a relay's
 * warm-up): the pause is no network jitter, so the target stays at its
 * minimum and the talkspurt after it plays one tick after its first
 * frame, as the first one did.  Counted, the pause would have set the
 * jitter to 1/16 of 500 ms and the target to twice that.
 */
static void
test_pause(void **state)
{
	struct jitterbuf	*jb = new_jb(50);
	struct jitterbuf_frame	 f;
	u_int			 k;
	uint64_t		 at;

	(void)state;
	for (k = 0; k < 100; k++) {
		push(jb, k, k * SPF, T0 + k * 20000, LOUD);
		jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
	}
	assert_int_equal(jitterbuf_target(jb), JITTERBUF_MIN_DELAY);
	/* The last frame plays, then the buffer runs dry. */
	assert_int_equal(jitterbuf_pop(jb, T0 + 100 * 20000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(jitterbuf_pop(jb, T0 + 101 * 20000 + TICK, &f),
	    JITTERBUF_EMPTY);
	for (k = 100; k < 150; k++) {
		at = T0 + 500000 + k * 20000;
		push(jb, k, k * SPF, at, LOUD);
		assert_true(jitterbuf_target(jb) <= JITTERBUF_MIN_DELAY + 1000);
		if (k == 100)
			assert_int_equal(jitterbuf_pop(jb, at + TICK, &f),
			    JITTERBUF_EMPTY);
		else {
			assert_int_equal(jitterbuf_pop(jb, at + TICK, &f),
			    JITTERBUF_FRAME);
			assert_int_equal(f.seq, k - 1);
		}
	}
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * A talkspurt that starts a frame ahead (three frames at once, then one
 * every 20 ms on time) of a talker who never pauses: no quiet frame comes
 * to be dropped, so after two windows ahead a loud one goes, and from
 * then on a pop leaves one frame, not two: 20 ms less delay for as long as
 * the talker talks.
 */
static void
test_ahead_loud(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k, most = 0;

	(void)state;
	push(jb, 0, 0, T0, LOUD);
	push(jb, 1, SPF, T0, LOUD);
	for (k = 2; k < 400; k++) {
		push(jb, k, k * SPF, T0 + (k - 2) * 20000, LOUD);
		jitterbuf_pop(jb, T0 + (k - 2) * 20000 + TICK, &f);
		if (k == 60)
			assert_int_equal(jitterbuf_count(jb), 2);
		if (k >= 300 && jitterbuf_count(jb) > most)
			most = jitterbuf_count(jb);
	}
	assert_int_equal(st->dropped, 1);
	assert_int_equal(most, 1);
	assert_int_equal(st->missing, 0);
	assert_int_equal(st->underruns, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Where the pops fall against the arrivals: with the 20 ms target a first
 * frame plays at the first pop at least 10 ms after it came (the target
 * less half a frame), so it waits 10 to 30 ms, not 20 to 40.
 */
static void
test_start_phase(void **state)
{
	struct jitterbuf	*jb;
	struct jitterbuf_frame	 f;

	(void)state;
	jb = new_jb(50);
	push(jb, 0, 0, T0, LOUD);
	assert_int_equal(jitterbuf_pop(jb, T0 + 9000, &f), JITTERBUF_EMPTY);
	jitterbuf_free(jb);

	jb = new_jb(50);
	push(jb, 0, 0, T0, LOUD);
	assert_int_equal(jitterbuf_pop(jb, T0 + 10000, &f), JITTERBUF_FRAME);
	assert_int_equal(f.seq, 0);
	jitterbuf_free(jb);

	jb = new_jb(50);
	push(jb, 0, 0, T0, LOUD);
	assert_int_equal(jitterbuf_pop(jb, T0 + 1000, &f), JITTERBUF_EMPTY);
	push(jb, 1, SPF, T0 + 20000, LOUD);
	assert_int_equal(jitterbuf_pop(jb, T0 + 21000, &f), JITTERBUF_FRAME);
	assert_int_equal(f.seq, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

static void
test_wild(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	uint64_t			 t;
	u_int				 k;

	(void)state;
	for (k = 0; k < 10; k++) {
		push(jb, k, k * SPF, T0 + k * 20000, LOUD);
		jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
	}
	assert_int_equal(f.seq, 8);
	assert_int_equal(push(jb, 30000, 12345, T0 + 190000, LOUD),
	    JITTERBUF_DISCARDED);
	assert_int_equal(push(jb, 10, 10 * SPF, T0 + 200000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(jitterbuf_pop(jb, T0 + 200000 + TICK, &f),
	    JITTERBUF_FRAME);
	assert_int_equal(f.seq, 9);
	/* Far behind is wild too, not late. */
	assert_int_equal(push(jb, 60000, 12345, T0 + 210000, LOUD),
	    JITTERBUF_DISCARDED);
	assert_int_equal(st->discarded, 2);
	assert_int_equal(st->resets, 0);
	assert_int_equal(st->late, 0);

	/* The sender restarts at 40000 with new timestamps. */
	assert_int_equal(push(jb, 40000, 777, T0 + 220000, LOUD),
	    JITTERBUF_DISCARDED);
	assert_int_equal(push(jb, 40001, 777 + SPF, T0 + 240000, LOUD),
	    JITTERBUF_STORED);
	assert_int_equal(st->resets, 1);
	assert_int_equal(st->flushed, 1);	/* frame 10 */
	assert_int_equal(jitterbuf_count(jb), 1);
	/* The new timestamps do not count as jitter. */
	assert_true(jitterbuf_jitter(jb) < 1000);

	t = T0 + 240000;
	assert_int_equal(jitterbuf_pop(jb, t + TICK, &f), JITTERBUF_EMPTY);
	for (k = 2; k < 10; k++) {
		assert_int_equal(push(jb, 40000 + k, 777 + k * SPF,
		    t + (k - 1) * 20000, LOUD), JITTERBUF_STORED);
		assert_int_equal(jitterbuf_pop(jb, t + (k - 1) * 20000 + TICK,
		    &f), JITTERBUF_FRAME);
		assert_int_equal(f.seq, 40000 + k - 1);
	}
	assert_int_equal(st->missing, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

static void
test_bad_length(void **state)
{
	struct jitterbuf	*jb;
	char			*cause = NULL;
	uint8_t			 buf[65];

	(void)state;
	jb = jitterbuf_new(48000, 10, 64, &cause);
	assert_non_null(jb);
	memset(buf, 0, sizeof buf);
	assert_int_equal(jitterbuf_push(jb, 1, 0, buf, 65, T0),
	    JITTERBUF_DISCARDED);
	assert_int_equal(jitterbuf_push(jb, 1, 0, buf, 0, T0),
	    JITTERBUF_DISCARDED);
	assert_int_equal(jitterbuf_push(jb, 1, 0, NULL, 10, T0),
	    JITTERBUF_DISCARDED);
	assert_int_equal(jitterbuf_push(jb, 1, 0, buf, 64, T0),
	    JITTERBUF_STORED);
	assert_int_equal(jitterbuf_stats(jb)->discarded, 3);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Two seconds in order, then every other frame arrives 60 ms late: each
 * transit differs from the last by 60 ms (2880 at 48 kHz), so the jitter
 * estimate climbs towards 60 ms (J_n = 60 (1 - (15/16)^n) ms: 57.6 after
 * 50 frames) and the target, twice that, to 115 ms or so at once.  When
 * the jitter stops the estimate falls as fast, but the target only by
 * 200 usec a pop: 10 ms a second, back to 20 ms within 15 seconds.
 */
static void
test_jitter_grows(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	enum jitterbuf_pop		 r;
	u_int				 k, peak, last = 0;
	int				 seen = 0;
	uint64_t			 at;

	(void)state;
	for (k = 0; k < 100; k++) {
		push(jb, k, k * SPF, T0 + k * 20000, LOUD);
		jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
	}
	assert_int_equal(jitterbuf_target(jb), JITTERBUF_MIN_DELAY);

	/* Arrivals out of order now: push by arrival, pop every 20 ms. */
	for (k = 100; k < 150; k++) {
		at = T0 + k * 20000 + (k % 2 ? 60000 : 0);
		push(jb, k, k * SPF, at, LOUD);
	}
	peak = jitterbuf_target(jb);
	assert_true(peak > 110000 && peak < 118000);
	assert_true(jitterbuf_jitter(jb) > 55000 &&
	    jitterbuf_jitter(jb) < 59000);
	/* Whatever plays, plays in order and once. */
	for (k = 100; k < 160; k++) {
		r = jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
		if (r == JITTERBUF_FRAME) {
			assert_true(!seen || f.seq > last);
			last = f.seq;
			seen = 1;
		}
	}
	check_books(jb);

	/*
	 * Steady again.  The first frame back is one more 60 ms step, and
	 * the pop after it finds the target where the estimate is; from
	 * there each of 49 pops takes 200 usec off.
	 */
	push(jb, 200, 200 * SPF, T0 + 200 * 20000, LOUD);
	peak = jitterbuf_target(jb);
	jitterbuf_pop(jb, T0 + 200 * 20000 + TICK, &f);
	for (k = 201; k < 250; k++) {
		push(jb, k, k * SPF, T0 + k * 20000, LOUD);
		jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
	}
	assert_true(jitterbuf_jitter(jb) < 5000);
	assert_int_equal(jitterbuf_target(jb), peak - 49 * 200);
	for (k = 250; k < 1000; k++) {
		push(jb, k, k * SPF, T0 + k * 20000, LOUD);
		jitterbuf_pop(jb, T0 + k * 20000 + TICK, &f);
	}
	assert_int_equal(jitterbuf_target(jb), JITTERBUF_MIN_DELAY);
	assert_int_equal(st->missing, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * The sender's clock runs 0.5% fast: a frame every 19.9 ms, one more held
 * every 4 seconds.  In step, a pop finds two frames (the target's one and
 * the one it plays) and leaves one.  Quiet (DTX-sized) frames are dropped
 * once a whole second of pops found three or more, so after a pop it never
 * holds more than two, and it drops about one frame in 200: 10 in 2000,
 * give or take one for where the windows fall.
 */
static void
test_drift_quiet(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k, n = 0, most = 0;
	uint64_t			 next = T0;

	(void)state;
	for (k = 0; k < 2000; k++) {
		push(jb, k, k * SPF, T0 + (uint64_t)k * 19900, 1);
		while (next + TICK < T0 + (uint64_t)(k + 1) * 19900) {
			if (jitterbuf_pop(jb, next + TICK, &f) ==
			    JITTERBUF_FRAME)
				n++;
			next += 20000;
		}
		if (jitterbuf_count(jb) > most)
			most = jitterbuf_count(jb);
	}
	assert_int_equal(most, 2);
	assert_true(st->dropped >= 9 && st->dropped <= 11);
	assert_int_equal(st->missing, 0);
	assert_int_equal(st->overflow, 0);
	assert_int_equal(st->underruns, 0);
	assert_int_equal(n, st->played);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * The same with speech: a loud frame goes once two windows in a row
 * found the buffer ahead (no quiet frame came meanwhile), which with a
 * frame gained every 4 seconds is as soon as it is ahead at all: after a
 * pop no more than two are held, as with quiet frames, and all but one of
 * the 15 frames gained in a minute are dropped (give or take one).
 */
static void
test_drift_loud(void **state)
{
	struct jitterbuf		*jb = new_jb(50);
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	struct jitterbuf_frame		 f;
	u_int				 k, most = 0;
	uint64_t			 next = T0;

	(void)state;
	for (k = 0; k < 3000; k++) {
		push(jb, k, k * SPF, T0 + (uint64_t)k * 19900, LOUD);
		while (next + TICK < T0 + (uint64_t)(k + 1) * 19900) {
			jitterbuf_pop(jb, next + TICK, &f);
			next += 20000;
		}
		if (jitterbuf_count(jb) > most)
			most = jitterbuf_count(jb);
	}
	assert_int_equal(most, 2);
	assert_true(st->dropped >= 13 && st->dropped <= 15);
	assert_int_equal(st->missing, 0);
	assert_int_equal(st->overflow, 0);
	check_books(jb);
	jitterbuf_free(jb);
}

/*
 * Random sequence numbers near and far, timestamps, lengths (some too
 * long) and clocks: the buffer never holds more than its capacity, every
 * push is accounted for, and whatever it hands out is within bounds.
 */
static void
test_random(void **state)
{
	struct jitterbuf		*jb;
	struct jitterbuf_frame		 f;
	char				*cause = NULL;
	uint8_t				 buf[128];
	uint32_t			 rnd = 1;
	uint64_t			 now = T0;
	uint16_t			 seq = 0;
	u_int				 i, r;
	size_t				 len;

	(void)state;
	jb = jitterbuf_new(48000, 16, 100, &cause);
	assert_non_null(jb);
	for (i = 0; i < 200000; i++) {
		r = lcg(&rnd);
		switch (r % 8) {
		case 0:
			seq = (uint16_t)lcg(&rnd);
			break;
		case 1:
		case 2:
			seq -= (uint16_t)(lcg(&rnd) % 40);
			break;
		default:
			seq += (uint16_t)(lcg(&rnd) % 20);
			break;
		}
		len = lcg(&rnd) % 128;
		memset(buf, (int)i, sizeof buf);
		jitterbuf_push(jb, seq, lcg(&rnd), buf, len, now);
		now += lcg(&rnd) % 30000;
		if (lcg(&rnd) % 2 &&
		    jitterbuf_pop(jb, now, &f) == JITTERBUF_FRAME) {
			assert_true(f.len > 0 && f.len <= 100);
			assert_non_null(f.payload);
		}
		if (jitterbuf_peek(jb, &f) == 0)
			assert_true(f.len > 0 && f.len <= 100);
		assert_true(jitterbuf_count(jb) <= 16);
		assert_true(jitterbuf_target(jb) >= JITTERBUF_MIN_DELAY &&
		    jitterbuf_target(jb) <= JITTERBUF_MAX_DELAY);
	}
	check_books(jb);
	assert_true(jitterbuf_stats(jb)->played > 1000);
	assert_true(jitterbuf_stats(jb)->resets > 0);
	jitterbuf_free(jb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_in_order),
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_reorder_first),
		cmocka_unit_test(test_loss),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_duplicate_late),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_ahead_loud),
		cmocka_unit_test(test_start_phase),
		cmocka_unit_test(test_wild),
		cmocka_unit_test(test_bad_length),
		cmocka_unit_test(test_jitter_grows),
		cmocka_unit_test(test_drift_quiet),
		cmocka_unit_test(test_drift_loud),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
