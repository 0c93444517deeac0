/*
 * Unit tests for the audio mixer (lib/mixer.c).  Inputs are constants and
 * sines so that every mix can be checked sample by sample: each talker
 * hears exactly the others, a listener outside the set hears everyone,
 * clipping happens once on the full mix and never in a mix-minus, and a
 * mix that holds one talker names it and is its frame unchanged.  Then
 * the choice of the K loudest and its resistance to a voice that is only
 * briefly or slightly louder, talking detection tick by tick, idle ticks,
 * sources coming and going, and a room of 500 whose cost per tick is
 * printed, not asserted.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mixer.h"

/* Constant amplitudes at round levels, RMS dB of full scale. */
#define DB_6		16423
#define DB_10		10362
#define DB_18		4125
#define DB_20		3277
#define DB_22		2603
#define DB_30		1036
#define DB_44		206
#define DB_50		104

static void	test_params(void **);
static void	test_two_sines(void **);
static void	test_three_sources(void **);
static void	test_clipping(void **);
static void	test_lone_talker(void **);
static void	test_mixes_of_one(void **);
static void	test_listeners(void **);
static void	test_everyone(void **);
static void	test_k_loudest(void **);
static void	test_stability(void **);
static void	test_overtake(void **);
static void	test_talking_start(void **);
static void	test_talking_stop(void **);
static void	test_talking_dip(void **);
static void	test_idle(void **);
static void	test_silent_frames(void **);
static void	test_add_remove(void **);
static void	test_room_of_500(void **);
static struct mixer *new_mixer(u_int, double);
static void	fill(int16_t *, int);
static void	fill_sine(int16_t *, double, double, u_int);
static void	put(struct mixer *, uint64_t, int16_t *);
static void	put_const(struct mixer *, uint64_t, int);
static const struct mixer_route *route(const struct mixer_out *, uint64_t);
static const int16_t *heard(const struct mixer_out *, uint64_t);
static void	assert_const(const int16_t *, int);
static void	assert_frame(const int16_t *, const int16_t *);
static size_t	talkers(const struct mixer_out *);

static struct mixer *
new_mixer(u_int k, double overtake_db)
{
	struct mixer_params	 p;
	struct mixer		*m;

	mixer_params_default(&p);
	p.k = k;
	p.overtake_db = overtake_db;
	m = mixer_new(&p);
	assert_non_null(m);
	return m;
}

static void
fill(int16_t *pcm, int v)
{
	size_t	i;

	for (i = 0; i < MIXER_FRAME; i++)
		pcm[i] = v;
}

/* Tick t of a continuous sine. */
static void
fill_sine(int16_t *pcm, double amp, double hz, u_int t)
{
	size_t	i;
	double	n;

	for (i = 0; i < MIXER_FRAME; i++) {
		n = (double)t * MIXER_FRAME + i;
		pcm[i] = lrint(amp * sin(2 * M_PI * hz * n / MIXER_RATE));
	}
}

static void
put(struct mixer *m, uint64_t id, int16_t *pcm)
{
	assert_int_equal(mixer_put(m, id, pcm, MIXER_FRAME), 0);
}

static void
put_const(struct mixer *m, uint64_t id, int v)
{
	int16_t	pcm[MIXER_FRAME];

	fill(pcm, v);
	put(m, id, pcm);
}

static const struct mixer_route *
route(const struct mixer_out *out, uint64_t id)
{
	size_t	i;

	for (i = 0; i < out->nroutes; i++) {
		if (out->routes[i].id == id)
			return &out->routes[i];
	}
	fail_msg("no route for %llu", (unsigned long long)id);
	return NULL;
}

/* What id hears this tick, NULL for silence. */
static const int16_t *
heard(const struct mixer_out *out, uint64_t id)
{
	const struct mixer_route	*r = route(out, id);

	if (r->mix == MIXER_SILENCE)
		return NULL;
	assert_true(r->mix >= 0 && (size_t)r->mix < out->nmixes);
	return out->mixes[r->mix].pcm;
}

static void
assert_const(const int16_t *pcm, int v)
{
	size_t	i;

	assert_non_null(pcm);
	for (i = 0; i < MIXER_FRAME; i++)
		assert_int_equal(pcm[i], v);
}

static void
assert_frame(const int16_t *got, const int16_t *want)
{
	assert_non_null(got);
	assert_memory_equal(got, want, MIXER_FRAME * sizeof *got);
}

/* How many mixes are some talker's mix-minus. */
static size_t
talkers(const struct mixer_out *out)
{
	size_t	i, n = 0;

	for (i = 0; i < out->nmixes; i++)
		n += out->mixes[i].minus;
	return n;
}

static void
test_params(void **state)
{
	struct mixer_params	 p;
	struct mixer		*m;
	int16_t			 pcm[MIXER_FRAME];

	(void)state;

	mixer_params_default(&p);
	assert_int_equal(p.k, 3);
	p.talk_off_db = -30;		/* stops above where it starts */
	assert_null(mixer_new(&p));
	mixer_params_default(&p);
	p.talk_on_ticks = 0;
	assert_null(mixer_new(&p));
	mixer_params_default(&p);
	p.overtake_db = -1;
	assert_null(mixer_new(&p));

	m = new_mixer(3, 6);
	assert_int_equal(mixer_add(m, 1), 0);
	assert_int_equal(mixer_add(m, 1), -1);
	assert_int_equal(mixer_remove(m, 2), -1);
	fill(pcm, 100);
	assert_int_equal(mixer_put(m, 2, pcm, MIXER_FRAME), -1);
	assert_int_equal(mixer_put(m, 1, pcm, MIXER_FRAME - 1), -1);
	assert_int_equal(mixer_put(m, 1, pcm, MIXER_FRAME), 0);
	mixer_free(m);
	mixer_free(NULL);
}

/* Each of two talkers hears exactly the other, tick after tick. */
static void
test_two_sines(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	int16_t			 a[MIXER_FRAME], b[MIXER_FRAME];
	u_int			 t;

	(void)state;

	mixer_add(m, 10);
	mixer_add(m, 20);
	for (t = 0; t < 10; t++) {
		fill_sine(a, 8000, 440, t);
		fill_sine(b, 6000, 1000, t);
		put(m, 10, a);
		put(m, 20, b);
		mixer_tick(m, &out);
		assert_int_equal(out.idle, 0);
		/* Nobody is outside the set: no shared mix. */
		assert_int_equal(out.nmixes, 2);
		assert_int_equal(out.nroutes, 2);
		assert_frame(heard(&out, 10), b);
		assert_frame(heard(&out, 20), a);
		assert_int_equal(out.mixes[route(&out, 10)->mix].without, 10);
		assert_int_equal(out.mixes[route(&out, 20)->mix].without, 20);
		assert_true(out.mixes[0].pcm != out.mixes[1].pcm);
	}
	mixer_free(m);
}

/* Three talkers hear the other two, a listener hears all three. */
static void
test_three_sources(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	const struct mixer_mix	*shared;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);
	mixer_add(m, 4);
	put_const(m, 1, 1000);
	put_const(m, 2, 2000);
	put_const(m, 3, -4000);
	mixer_tick(m, &out);

	assert_int_equal(out.nmixes, 4);
	assert_int_equal(talkers(&out), 3);
	assert_const(heard(&out, 1), -2000);
	assert_const(heard(&out, 2), -3000);
	assert_const(heard(&out, 3), 3000);
	assert_const(heard(&out, 4), -1000);
	shared = &out.mixes[route(&out, 4)->mix];
	assert_int_equal(shared->minus, 0);
	assert_int_equal(route(&out, 4)->mix, 3);
	mixer_free(m);
}

/*
 * The full mix of two near-full-scale voices clips, but each talker's
 * mix-minus comes from the 32-bit sum and is exactly the other voice.
 */
static void
test_clipping(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	int16_t			 a[MIXER_FRAME], b[MIXER_FRAME];
	const int16_t		*all;
	int32_t			 sum;
	size_t			 i, clipped = 0;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);		/* listens only */

	put_const(m, 1, 30000);
	put_const(m, 2, 30000);
	mixer_tick(m, &out);
	assert_const(heard(&out, 3), 32767);
	assert_const(heard(&out, 1), 30000);
	assert_const(heard(&out, 2), 30000);

	put_const(m, 1, -30000);
	put_const(m, 2, -32768);
	mixer_tick(m, &out);
	assert_const(heard(&out, 3), -32768);
	assert_const(heard(&out, 1), -32768);
	assert_const(heard(&out, 2), -30000);

	fill_sine(a, 32000, 300, 0);
	fill_sine(b, 32000, 700, 0);
	put(m, 1, a);
	put(m, 2, b);
	mixer_tick(m, &out);
	assert_frame(heard(&out, 1), b);
	assert_frame(heard(&out, 2), a);
	all = heard(&out, 3);
	for (i = 0; i < MIXER_FRAME; i++) {
		sum = a[i] + b[i];
		if (sum > 32767 || sum < -32768)
			clipped++;
		sum = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
		assert_int_equal(all[i], sum);
	}
	assert_true(clipped > 0);
	mixer_free(m);
}

/* A talker alone hears nothing; the others hear it. */
static void
test_lone_talker(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);
	put_const(m, 2, 500);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 1);
	assert_int_equal(talkers(&out), 0);
	assert_int_equal(route(&out, 2)->mix, MIXER_SILENCE);
	assert_const(heard(&out, 1), 500);
	assert_int_equal(route(&out, 1)->mix, route(&out, 3)->mix);
	mixer_free(m);
}

/* The mix a route names (NULL for silence). */
static const struct mixer_mix *
mix_of(const struct mixer_out *out, uint64_t id)
{
	const struct mixer_route	*r = route(out, id);

	return r->mix == MIXER_SILENCE ? NULL : &out->mixes[r->mix];
}

/* Whether id hears exactly the one talker who, that talker's frame. */
static int
hears_only(const struct mixer_out *out, uint64_t id, uint64_t who,
    const int16_t *frame)
{
	const struct mixer_mix	*mx = mix_of(out, id);

	return mx != NULL && mx->talkers == 1 && mx->talker == who &&
	    memcmp(mx->pcm, frame, MIXER_FRAME * sizeof *frame) == 0;
}

/*
 * Mixes of one talker, which the caller may send on as the talker's own
 * packets: one talker (the others hear it, it hears nothing), two (each
 * hears the other, listeners both), three (nobody hears one alone), then
 * back to one; full-scale frames are no exception, for one frame is never
 * clipped.  With everyone in the set (K 0) the same holds.
 */
static void
test_mixes_of_one(void **state)
{
	struct mixer		*m;
	struct mixer_out	 out;
	int16_t			 a[MIXER_FRAME], b[MIXER_FRAME];
	int16_t			 c[MIXER_FRAME];
	u_int			 t, k;
	size_t			 i;

	(void)state;

	for (k = 0; k <= 3; k += 3) {
		m = new_mixer(k, 6);
		for (i = 1; i <= 4; i++)
			mixer_add(m, i);
		t = 0;

		fill_sine(a, 32767, 440, t++);
		put(m, 1, a);
		mixer_tick(m, &out);
		assert_null(mix_of(&out, 1));
		assert_true(hears_only(&out, 2, 1, a));
		assert_true(hears_only(&out, 4, 1, a));
		assert_int_equal(out.nmixes, 1);

		fill_sine(a, 32767, 440, t);
		fill_sine(b, 32767, 700, t++);
		put(m, 1, a);
		put(m, 2, b);
		mixer_tick(m, &out);
		assert_true(hears_only(&out, 1, 2, b));
		assert_true(hears_only(&out, 2, 1, a));
		assert_int_equal(mix_of(&out, 4)->talkers, 2);
		assert_int_equal(mix_of(&out, 4)->talker, 0);

		fill_sine(a, 8000, 440, t);
		fill_sine(b, 8000, 700, t);
		fill_sine(c, 8000, 990, t++);
		put(m, 1, a);
		put(m, 2, b);
		put(m, 3, c);
		mixer_tick(m, &out);
		for (i = 0; i < out.nmixes; i++) {
			assert_true(out.mixes[i].talkers >= 2);
			assert_int_equal(out.mixes[i].talker, 0);
		}
		assert_int_equal(mix_of(&out, 4)->talkers, 3);

		/* 1 stops: 2 and 3 hear each other, 1 and 4 hear both. */
		put(m, 2, b);
		put(m, 3, c);
		mixer_tick(m, &out);
		assert_true(hears_only(&out, 2, 3, c));
		assert_true(hears_only(&out, 3, 2, b));
		assert_int_equal(mix_of(&out, 1)->talkers, 2);

		put(m, 3, c);
		mixer_tick(m, &out);
		assert_null(mix_of(&out, 3));
		assert_true(hears_only(&out, 1, 3, c));
		assert_true(hears_only(&out, 2, 3, c));
		assert_true(hears_only(&out, 4, 3, c));
		mixer_free(m);
	}
}

/*
 * One talker in a room of one source and listeners who send nothing: the
 * shared mix exists only when the caller says someone else listens.
 */
static void
test_listeners(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	size_t			 i;
	int			 shared = -1;

	(void)state;

	mixer_add(m, 1);
	put_const(m, 1, 700);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 0);
	assert_int_equal(route(&out, 1)->mix, MIXER_SILENCE);

	mixer_set_listeners(m, 1);
	put_const(m, 1, 700);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 1);
	for (i = 0; i < out.nmixes; i++) {
		if (!out.mixes[i].minus)
			shared = (int)i;
	}
	assert_int_equal(shared, 0);
	assert_const(out.mixes[shared].pcm, 700);
	/* The talker still hears nothing of itself. */
	assert_int_equal(route(&out, 1)->mix, MIXER_SILENCE);
	mixer_free(m);
}

/* K 0 mixes everyone: five talkers, five mix-minus, no shared mix. */
static void
test_everyone(void **state)
{
	struct mixer		*m = new_mixer(0, 6);
	struct mixer_out	 out;
	uint64_t		 id;
	int			 total = 0;

	(void)state;

	/* More than the initial room for 8, so the set grows too. */
	for (id = 1; id <= 20; id++) {
		mixer_add(m, id);
		put_const(m, id, id * 100);
		total += id * 100;
	}
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 20);
	assert_int_equal(talkers(&out), 20);
	for (id = 1; id <= 20; id++)
		assert_const(heard(&out, id), total - id * 100);

	mixer_add(m, 99);
	for (id = 1; id <= 5; id++)
		put_const(m, id, id * 100);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 6);
	assert_const(heard(&out, 99), 1500);
	assert_const(heard(&out, 20), 1500);
	assert_const(heard(&out, 1), 1400);
	mixer_free(m);
}

/* K 2 with four talkers: the two loudest, and one mix for the rest. */
static void
test_k_loudest(void **state)
{
	struct mixer		*m = new_mixer(2, 6);
	struct mixer_out	 out;
	int			 shared;
	uint64_t		 id;

	(void)state;

	for (id = 1; id <= 6; id++)
		mixer_add(m, id);
	put_const(m, 1, 1000);
	put_const(m, 2, -8000);
	put_const(m, 3, 2000);
	put_const(m, 4, 4000);
	mixer_tick(m, &out);

	assert_int_equal(out.nmixes, 3);
	assert_int_equal(talkers(&out), 2);
	assert_const(heard(&out, 2), 4000);
	assert_const(heard(&out, 4), -8000);
	shared = route(&out, 1)->mix;
	assert_int_equal(out.mixes[shared].minus, 0);
	assert_const(out.mixes[shared].pcm, -4000);
	assert_int_equal(route(&out, 3)->mix, shared);
	assert_int_equal(route(&out, 5)->mix, shared);
	assert_int_equal(route(&out, 6)->mix, shared);
	assert_true(route(&out, 2)->mix != route(&out, 4)->mix);
	assert_true(route(&out, 2)->mix != shared);
	mixer_free(m);
}

/*
 * Talkers at -10 and -20 dB hold the set against a third at -22 that
 * rises to -18 for one tick, or for good: slightly louder is not clearly
 * louder.  At -6 it takes the place of the weaker, and the louder keeps
 * its place in the list of mixes.
 */
static void
test_stability(void **state)
{
	struct mixer		*m = new_mixer(2, 6);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);
	for (t = 0; t < 20; t++) {
		put_const(m, 1, DB_10);
		put_const(m, 2, DB_20);
		put_const(m, 3, DB_22);
		mixer_tick(m, &out);
	}
	assert_int_equal(out.mixes[0].without, 1);
	assert_int_equal(out.mixes[1].without, 2);
	assert_int_equal(route(&out, 3)->mix, 2);

	for (t = 0; t < 60; t++) {
		put_const(m, 1, DB_10);
		put_const(m, 2, DB_20);
		put_const(m, 3, t == 0 || t >= 30 ? DB_18 : DB_22);
		mixer_tick(m, &out);
		assert_int_equal(out.nmixes, 3);
		assert_int_equal(out.mixes[1].without, 2);
		assert_const(heard(&out, 3), DB_10 + DB_20);
	}

	put_const(m, 1, DB_10);
	put_const(m, 2, DB_20);
	put_const(m, 3, DB_6);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 3);
	assert_int_equal(out.mixes[0].without, 1);
	assert_int_equal(out.mixes[1].without, 3);
	assert_const(heard(&out, 2), DB_10 + DB_6);
	assert_const(heard(&out, 1), DB_6);
	mixer_free(m);
}

/* Without the margin the same one-tick rise would have taken the place. */
static void
test_overtake(void **state)
{
	struct mixer		*m = new_mixer(2, 0);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);
	for (t = 0; t < 20; t++) {
		put_const(m, 1, DB_10);
		put_const(m, 2, DB_20);
		put_const(m, 3, DB_22);
		mixer_tick(m, &out);
	}
	assert_int_equal(out.mixes[1].without, 2);
	put_const(m, 1, DB_10);
	put_const(m, 2, DB_20);
	put_const(m, 3, DB_18);
	mixer_tick(m, &out);
	assert_int_equal(out.mixes[1].without, 3);
	mixer_free(m);
}

/* Talking starts on the third loud tick in a row, not before. */
static void
test_talking_start(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	static const int	 levels[] = {
		DB_30, DB_30, DB_50, DB_30, DB_30
	};
	u_int			 t;

	(void)state;

	mixer_add(m, 7);
	mixer_add(m, 8);
	for (t = 0; t < sizeof levels / sizeof levels[0]; t++) {
		put_const(m, 7, levels[t]);
		mixer_tick(m, &out);
		assert_int_equal(out.nevents, 0);
		assert_int_equal(route(&out, 7)->talking, 0);
	}
	put_const(m, 7, DB_30);
	mixer_tick(m, &out);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].id, 7);
	assert_int_equal(out.events[0].talking, 1);
	assert_int_equal(route(&out, 7)->talking, 1);
	assert_int_equal(route(&out, 8)->talking, 0);
	assert_true(fabs(route(&out, 7)->level + 30) < 0.05);

	put_const(m, 7, DB_30);
	mixer_tick(m, &out);
	assert_int_equal(out.nevents, 0);

	/* Between the two thresholds nothing starts, however long. */
	for (t = 0; t < 100; t++) {
		put_const(m, 8, DB_44);
		mixer_tick(m, &out);
		assert_int_equal(route(&out, 8)->talking, 0);
	}
	mixer_free(m);
}

/* Talking stops on the 25th quiet tick; sending nothing is quiet too. */
static void
test_talking_stop(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_add(m, 7);
	for (t = 0; t < 3; t++) {
		put_const(m, 7, DB_30);
		mixer_tick(m, &out);
	}
	assert_int_equal(route(&out, 7)->talking, 1);

	for (t = 1; t < 25; t++) {
		if (t % 2)
			put_const(m, 7, DB_50);
		mixer_tick(m, &out);
		assert_int_equal(out.nevents, 0);
		assert_int_equal(route(&out, 7)->talking, 1);
	}
	put_const(m, 7, DB_50);
	mixer_tick(m, &out);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].id, 7);
	assert_int_equal(out.events[0].talking, 0);
	assert_int_equal(route(&out, 7)->talking, 0);
	mixer_free(m);
}

/*
 * A dip shorter than 25 ticks, or a tick between the thresholds, is not the
 * end of talking.
 */
static void
test_talking_dip(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_add(m, 7);
	for (t = 0; t < 3; t++) {
		put_const(m, 7, DB_30);
		mixer_tick(m, &out);
	}
	for (t = 0; t < 24; t++) {
		put_const(m, 7, DB_50);
		mixer_tick(m, &out);
	}
	put_const(m, 7, DB_44);
	mixer_tick(m, &out);
	for (t = 0; t < 24; t++) {
		put_const(m, 7, DB_50);
		mixer_tick(m, &out);
		assert_int_equal(out.nevents, 0);
	}
	put_const(m, 7, DB_50);
	mixer_tick(m, &out);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].talking, 0);
	mixer_free(m);
}

/*
 * With nobody sending the tick is idle, except while a talker's stop is
 * still to be reported, so the caller's timer runs until then.
 */
static void
test_idle(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_tick(m, &out);
	assert_int_equal(out.idle, 1);
	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 1);
	assert_int_equal(out.nmixes, 0);
	assert_int_equal(out.nroutes, 0);
	assert_int_equal(out.nevents, 0);

	put_const(m, 1, DB_50);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 0);
	assert_int_equal(out.nmixes, 1);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 1);

	for (t = 0; t < 3; t++) {
		put_const(m, 1, DB_30);
		mixer_tick(m, &out);
	}
	assert_int_equal(out.nevents, 1);
	for (t = 1; t < 25; t++) {
		mixer_tick(m, &out);
		assert_int_equal(out.idle, 0);
		assert_int_equal(out.nmixes, 0);
		assert_int_equal(out.nroutes, 2);
		assert_int_equal(route(&out, 2)->mix, MIXER_SILENCE);
		assert_int_equal(out.nevents, 0);
	}
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 0);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].talking, 0);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 1);
	mixer_free(m);
}

/* Digital silence is sent but mixes nothing. */
static void
test_silent_frames(void **state)
{
	struct mixer		*m = new_mixer(3, 6);
	struct mixer_out	 out;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	put_const(m, 1, 0);
	put_const(m, 2, 0);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 0);
	assert_int_equal(out.nmixes, 0);
	assert_int_equal(route(&out, 1)->mix, MIXER_SILENCE);
	assert_int_equal(route(&out, 2)->mix, MIXER_SILENCE);
	assert_true(route(&out, 1)->level == MIXER_LEVEL_MIN);

	/* The second put of a tick replaces the first. */
	put_const(m, 1, 300);
	put_const(m, 1, 0);
	put_const(m, 2, 400);
	mixer_tick(m, &out);
	assert_int_equal(out.nmixes, 1);
	assert_int_equal(route(&out, 2)->mix, MIXER_SILENCE);
	assert_const(heard(&out, 1), 400);
	mixer_free(m);
}

/*
 * Sources come and go between ticks and between puts: a newcomer hears the
 * room at once, a removed talker's frame is dropped, its stop is reported
 * on the next tick, and its place in the set goes to the next loudest.
 */
static void
test_add_remove(void **state)
{
	struct mixer		*m = new_mixer(2, 6);
	struct mixer_out	 out;
	u_int			 t;

	(void)state;

	mixer_add(m, 1);
	mixer_add(m, 2);
	mixer_add(m, 3);
	for (t = 0; t < 3; t++) {
		put_const(m, 1, 3000);
		put_const(m, 2, 2000);
		put_const(m, 3, 1000);
		mixer_tick(m, &out);
	}
	assert_int_equal(out.nevents, 3);
	assert_const(heard(&out, 3), 5000);

	assert_int_equal(mixer_add(m, 4), 0);
	put_const(m, 1, 3000);
	put_const(m, 2, 2000);
	put_const(m, 3, 1000);
	assert_int_equal(mixer_remove(m, 1), 0);
	mixer_tick(m, &out);
	assert_int_equal(out.nroutes, 3);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].id, 1);
	assert_int_equal(out.events[0].talking, 0);
	assert_const(heard(&out, 2), 1000);
	assert_const(heard(&out, 3), 2000);
	assert_const(heard(&out, 4), 3000);
	assert_int_equal(out.nmixes, 3);

	/* Gone and back under the same id: a new source, not talking. */
	assert_int_equal(mixer_remove(m, 2), 0);
	assert_int_equal(mixer_add(m, 2), 0);
	put_const(m, 2, 2000);
	put_const(m, 3, 1000);
	mixer_tick(m, &out);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].id, 2);
	assert_int_equal(out.events[0].talking, 0);
	assert_int_equal(route(&out, 2)->talking, 0);
	assert_const(heard(&out, 2), 1000);
	assert_const(heard(&out, 4), 3000);

	/* The last talker leaves: one tick for its event, then idle. */
	assert_int_equal(mixer_remove(m, 3), 0);
	assert_int_equal(mixer_remove(m, 2), 0);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 0);
	assert_int_equal(out.nevents, 1);
	assert_int_equal(out.events[0].id, 3);
	mixer_tick(m, &out);
	assert_int_equal(out.idle, 1);
	mixer_free(m);
}

/*
 * 500 sources with K 4: never more than 5 mixes, the 4 loudest in the set,
 * everyone else on the shared mix.  Then the cost of a tick.
 */
static void
test_room_of_500(void **state)
{
	struct mixer		*m = new_mixer(4, 6);
	struct mixer_out	 out;
	static int16_t		 pcm[500][MIXER_FRAME];
	const struct mixer_route *r;
	struct timespec		 t0, t1, t2;
	uint64_t		 id, put_ns = 0, tick_ns = 0;
	u_int			 t, n = 2000;
	size_t			 i;
	int			 shared;

	(void)state;

	for (id = 0; id < 500; id++) {
		mixer_add(m, id);
		fill_sine(pcm[id], 20 + id * 20, 100 + id, 0);
	}
	/* Everyone steady: the four loudest from the first tick on. */
	for (t = 0; t < 10; t++) {
		for (id = 0; id < 500; id++)
			put(m, id, pcm[id]);
		mixer_tick(m, &out);
		assert_int_equal(out.nmixes, 5);
		shared = out.nmixes - 1;
		assert_int_equal(out.mixes[shared].minus, 0);
		for (i = 0; i < out.nroutes; i++) {
			r = &out.routes[i];
			assert_int_equal(r->mix != shared, r->id >= 496);
		}
	}

	/*
	 * A seventh of the room silent in turn: a talker without a frame
	 * leaves the set at once and the next loudest fills its place.
	 */
	for (t = 0; t < 50; t++) {
		for (id = 0; id < 500; id++) {
			if (id % 7 != t % 7)
				put(m, id, pcm[id]);
		}
		mixer_tick(m, &out);
		assert_int_equal(out.nmixes, 5);
		assert_int_equal(talkers(&out), 4);
		shared = out.nmixes - 1;
		for (i = 0; i < out.nroutes; i++) {
			r = &out.routes[i];
			if (r->mix != shared)
				assert_true(r->id % 7 != t % 7);
		}
	}

	for (t = 0; t < n; t++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (id = 0; id < 500; id++)
			put(m, id, pcm[id]);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		mixer_tick(m, &out);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		put_ns += (t1.tv_sec - t0.tv_sec) * 1000000000ULL +
		    t1.tv_nsec - t0.tv_nsec;
		tick_ns += (t2.tv_sec - t1.tv_sec) * 1000000000ULL +
		    t2.tv_nsec - t1.tv_nsec;
		assert_true(out.nmixes <= 5);
	}
	print_message("500 sources, K 4: %llu ns of puts + %llu ns of "
	    "mixer_tick per tick\n", (unsigned long long)(put_ns / n),
	    (unsigned long long)(tick_ns / n));
	mixer_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_two_sines),
		cmocka_unit_test(test_three_sources),
		cmocka_unit_test(test_clipping),
		cmocka_unit_test(test_lone_talker),
		cmocka_unit_test(test_mixes_of_one),
		cmocka_unit_test(test_listeners),
		cmocka_unit_test(test_everyone),
		cmocka_unit_test(test_k_loudest),
		cmocka_unit_test(test_stability),
		cmocka_unit_test(test_overtake),
		cmocka_unit_test(test_talking_start),
		cmocka_unit_test(test_talking_stop),
		cmocka_unit_test(test_talking_dip),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_silent_frames),
		cmocka_unit_test(test_add_remove),
		cmocka_unit_test(test_room_of_500),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
