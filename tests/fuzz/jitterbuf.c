/*
 * Fuzzing the jitter buffer (lib/jitterbuf.c) as a speaker's packets meet
 * it: the input chooses the buffer's size, payload limit and clock, then
 * is a series of steps, each a push (sequence number, timestamp, payload,
 * arrival) or a 20 ms tick's pop (and a peek after a missing frame), with
 * time moving on by what the step says.  Every count must add up after
 * every step, whatever the numbers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "jitterbuf.h"

static void	jb_check(const struct jitterbuf *, size_t);
static void	jb_check_frame(const struct jitterbuf_frame *, size_t);

static const u_int	fuzz_clocks[] = { 8000, 16000, 48000, 90000 };

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
jb_check(const struct jitterbuf *jb, size_t frames)
{
	const struct jitterbuf_stats	*st = jitterbuf_stats(jb);
	u_int				 held = jitterbuf_count(jb);

	if (held > frames)
		abort();
	if (st->pushed != st->played + st->dropped + st->overflow +
	    st->flushed + st->late + st->duplicates + st->discarded + held)
		abort();
	if (jitterbuf_target(jb) < JITTERBUF_MIN_DELAY ||
	    jitterbuf_target(jb) > JITTERBUF_MAX_DELAY)
		abort();
}

static void
jb_check_frame(const struct jitterbuf_frame *f, size_t max_payload)
{
	volatile uint8_t	sum = 0;
	size_t			i;

	if (f->len > max_payload || (f->len > 0 && f->payload == NULL))
		abort();
	/* Read it all, so that a frame pointing anywhere else shows. */
	for (i = 0; i < f->len; i++)
		sum += f->payload[i];
	(void)sum;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct jitterbuf	*jb;
	struct jitterbuf_frame	 f;
	const uint8_t		*p;
	char			*cause;
	size_t			 frames, max_payload, len;
	uint64_t		 now;
	uint32_t		 ts;
	uint16_t		 seq;
	u_int			 clock;
	uint8_t			 op;

	fuzz_input_init(&in, data, size);
	/* Sizes just past the limits too: those must be refused. */
	frames = fuzz_u8(&in) % 66;
	if (frames == 65)
		frames = JITTERBUF_MAX_FRAMES + 1;
	max_payload = fuzz_u16(&in) % (JITTERBUF_MAX_PAYLOAD + 2);
	clock = fuzz_clocks[fuzz_u8(&in) % 4];
	if ((jb = jitterbuf_new(clock, (u_int)frames, max_payload,
	    &cause)) == NULL) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
		return 0;
	}
	now = (uint64_t)fuzz_u32(&in) << 8;
	while (in.left > 0) {
		op = fuzz_u8(&in);
		/* Time moves on: up to about 4 s, by 5 ms or by any step. */
		now += op & 0x40 ? (uint64_t)(op & 0x3f) * 5000 :
		    fuzz_u16(&in) * 64;
		if (op & 0x80) {
			seq = fuzz_u16(&in);
			ts = fuzz_u32(&in);
			len = fuzz_u16(&in) % (max_payload + 64);
			p = fuzz_bytes(&in, len, &len);
			(void)jitterbuf_push(jb, seq, ts, p, len, now);
		} else {
			switch (jitterbuf_pop(jb, now, &f)) {
			case JITTERBUF_FRAME:
				jb_check_frame(&f, max_payload);
				break;
			case JITTERBUF_MISSING:
				if (f.payload != NULL || f.len != 0)
					abort();
				if (jitterbuf_peek(jb, &f) == 0)
					jb_check_frame(&f, max_payload);
				break;
			case JITTERBUF_EMPTY:
				break;
			}
		}
		jb_check(jb, frames);
	}
	jitterbuf_free(jb);
	return 0;
}
