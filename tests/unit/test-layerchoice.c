/*
 * Unit tests for the per-receiver choice of video (lib/layerchoice.c), fed
 * the reports a receiver's RTCP would give once a second on a simulated
 * path: random loss that does not depend on the rate, a bottleneck that
 * loses what is over its capacity, a round trip that grows.  The camera is
 * 640x480 at 20 images a second with the packets an image meet-cap's test
 * pattern costs (tests/bench/layers), or the 58 of the camera.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layerchoice.h"

#define PAYLOAD_BITS	(1200 * 8)
#define INTERVAL_MS	1000

/* A path and the choice for its receiver, one report a second. */
struct sim {
	struct layerchoice	*lc;
	struct layerchoice_out	 out;
	double			 packets[3];	/* an image, each layer */
	uint64_t		 now;
	double			 loss;		/* random, any rate */
	double			 capacity;	/* bit/s; 0: none */
	double			 rtt;		/* ms */
	int			 noisy;		/* loss drawn packet by packet */
	int			 know_rate;	/* report the bitrate */
	int			 maxw, maxh;
	uint32_t		 seed;
	int			 raises;
	int			 lowers;
	uint64_t		 last_change;
	uint64_t		 raise_at[64];	/* when each raise came */
	int			 nraise_at;
};

static void	test_ladder(void **);
static void	test_bad_arguments(void **);
static void	test_drops_at_once(void **);
static void	test_climbs_back(void **);
static void	test_steady_3_percent(void **);
static void	test_images_lower_once(void **);
static void	test_failed_raise_backs_off(void **);
static void	test_max(void **);
static void	test_rtt_lowers(void **);
static void	test_never_stops(void **);
static void	test_path_loss_keeps_rate(void **);
static void	test_per_receiver(void **);
static void	test_set_ladder(void **);
static void	test_packets_estimated(void **);
static void	test_loss_evidence(void **);
static void	test_one_packet(void **);
static void	test_rtt_least(void **);
static void	test_max_alone(void **);
static void	sim_init(struct sim *, const double *);
static void	sim_free(struct sim *);
static void	sim_run(struct sim *, int);
static uint32_t	rnd(uint32_t *);

static const struct layerchoice_layer layers_640[3] = {
	{ 640, 480, 0 }, { 320, 240, 0 }, { 160, 120, 0 }
};
static const double test_pattern[3] = { 13.1, 7.4, 3.0 };
static const double camera_58[3] = { 58, 15, 4 };

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
sim_init(struct sim *s, const double *packets)
{
	struct layerchoice_params	p;
	struct layerchoice_layer	l[3];
	char				err[128];
	int				i;

	memset(s, 0, sizeof *s);
	memcpy(l, layers_640, sizeof l);
	for (i = 0; i < 3; i++) {
		l[i].packets = packets[i];
		s->packets[i] = packets[i];
	}
	layerchoice_defaults(&p);
	s->now = 100000;
	s->lc = layerchoice_new(&p, l, 3, 20, s->now, err, sizeof err);
	assert_non_null(s->lc);
	layerchoice_current(s->lc, &s->out);
	s->rtt = 20;
	s->know_rate = 1;
	s->seed = 2463534242u;
}

static void
sim_free(struct sim *s)
{
	layerchoice_free(s->lc);
}

/*
 * seconds reports.  The receiver gets the layer's packets at its frame
 * rate, less the random loss and what the bottleneck cannot carry; noisy
 * draws each packet's fate and rounds to RTCP's 1/256.
 */
static void
sim_run(struct sim *s, int seconds)
{
	struct layerchoice_report	 r;
	double				 rate, loss, over, n;
	int				 k, i, lost;

	for (k = 0; k < seconds; k++) {
		s->now += INTERVAL_MS;
		n = s->packets[s->out.layer] * s->out.fps;
		rate = n * PAYLOAD_BITS;
		over = s->capacity > 0 && rate > s->capacity ?
		    1 - s->capacity / rate : 0;
		loss = 1 - (1 - s->loss) * (1 - over);
		if (s->noisy) {
			for (i = 0, lost = 0; i < (int)n; i++)
				if (rnd(&s->seed) % 10000 < loss * 10000)
					lost++;
			loss = (double)(lost * 256 / (int)n) / 256;
		}
		memset(&r, 0, sizeof r);
		r.now_ms = s->now;
		r.loss = loss;
		r.rtt_ms = s->rtt;
		r.bitrate = s->know_rate ? rate * (1 - loss) : 0;
		r.max_width = s->maxw;
		r.max_height = s->maxh;
		layerchoice_update(s->lc, &r, &s->out);
		if (s->out.changed != 0)
			s->last_change = s->now;
		if (s->out.changed > 0) {
			s->raises++;
			if (s->nraise_at < 64)
				s->raise_at[s->nraise_at++] = s->now;
		}
		if (s->out.changed < 0)
			s->lowers++;
		/* The floor is never left. */
		assert_true(s->out.fps >= 5);
		assert_true(s->out.width >= 160);
	}
}

/* Every layer at the sender's rate, then the smallest thinned. */
static void
test_ladder(void **state)
{
	static const int		 want20[][3] = {
		{ 640, 480, 20 }, { 320, 240, 20 }, { 160, 120, 20 },
		{ 160, 120, 15 }, { 160, 120, 10 }, { 160, 120, 5 }
	};
	struct layerchoice_params	 p;
	struct layerchoice_report	 r;
	struct layerchoice_out		 out;
	struct layerchoice		*lc;
	char				 err[128];
	size_t				 i;

	(void)state;
	layerchoice_defaults(&p);
	lc = layerchoice_new(&p, layers_640, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	/* Total loss walks the ladder down one rung at a time at the end. */
	memset(&r, 0, sizeof r);
	r.rtt_ms = -1;
	r.loss = 1;
	layerchoice_current(lc, &out);
	assert_int_equal(out.step, 0);
	for (i = 0; i < sizeof want20 / sizeof want20[0]; i++) {
		assert_int_equal(out.width, want20[i][0]);
		assert_int_equal(out.height, want20[i][1]);
		assert_int_equal(out.fps, want20[i][2]);
		assert_int_equal(out.layer, want20[i][0] == 640 ? 0 :
		    want20[i][0] == 320 ? 1 : 2);
		/* At 100 % the first lowering goes to the smallest. */
		if (i == 0)
			i = 1;
		r.now_ms += 1000;
		layerchoice_update(lc, &r, &out);
	}
	assert_int_equal(out.step, 5);
	layerchoice_free(lc);

	/* A sender at 10 a second: only the 5 step is below it. */
	lc = layerchoice_new(&p, layers_640, 3, 10, 0, err, sizeof err);
	assert_non_null(lc);
	for (i = 0; i < 10; i++) {
		r.now_ms += 1000;
		layerchoice_update(lc, &r, &out);
	}
	assert_int_equal(out.step, 3);
	assert_int_equal(out.fps, 5);
	assert_int_equal(out.width, 160);
	layerchoice_free(lc);

	/* One layer: the floor is that layer at 5. */
	lc = layerchoice_new(&p, layers_640, 1, 30, 0, err, sizeof err);
	assert_non_null(lc);
	for (i = 0; i < 10; i++) {
		r.now_ms += 1000;
		layerchoice_update(lc, &r, &out);
	}
	assert_int_equal(out.width, 640);
	assert_int_equal(out.fps, 5);
	assert_int_equal(out.step, 3);
	layerchoice_free(lc);
}

static void
test_bad_arguments(void **state)
{
	struct layerchoice_params	p;
	struct layerchoice_layer	l[3];
	char				err[128];

	(void)state;
	layerchoice_defaults(&p);
	memcpy(l, layers_640, sizeof l);
	assert_null(layerchoice_new(&p, l, 0, 20, 0, err, sizeof err));
	assert_null(layerchoice_new(&p, l, 3, 0, 0, err, sizeof err));
	l[1].width = 800;
	assert_null(layerchoice_new(&p, l, 3, 20, 0, err, sizeof err));
	assert_non_null(strstr(err, "layer 1 (800x240)"));
	memcpy(l, layers_640, sizeof l);
	l[2] = l[1];
	assert_null(layerchoice_new(&p, l, 3, 20, 0, err, sizeof err));
	memcpy(l, layers_640, sizeof l);
	p.loss_clean = 0.2;
	assert_null(layerchoice_new(&p, l, 3, 20, 0, err, sizeof err));
	layerchoice_defaults(&p);
	p.fps_steps[1] = 20;
	assert_null(layerchoice_new(&p, l, 3, 20, 0, err, sizeof err));
	assert_non_null(strstr(err, "must fall"));
	layerchoice_defaults(&p);
	p.raise_wait_max_ms = 1000;
	assert_null(layerchoice_new(&p, l, 3, 20, 0, err, sizeof err));
}

/* 15 % loss: smaller at the first report, on the layer that survives it. */
static void
test_drops_at_once(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, test_pattern);
	sim_run(&s, 10);
	assert_int_equal(s.out.width, 640);
	assert_int_equal(s.lowers + s.raises, 0);
	s.loss = 0.15;
	sim_run(&s, 1);
	assert_int_equal(s.out.changed, -1);
	assert_int_equal(s.out.why, LAYERCHOICE_LOSS);
	assert_string_equal(s.out.reason, "loss 15% at 640x480 20 fps");
	/* 0.85^7.4 is 30 % whole, under half; 0.85^3 is 61 %. */
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 20);
	sim_free(&s);
}

/*
 * The loss gone, one step at a time after 5 s clean each: never sooner,
 * back to 640x480 within 30 s.
 */
static void
test_climbs_back(void **state)
{
	struct sim	s;
	uint64_t	stopped, prev;
	int		i;

	(void)state;
	sim_init(&s, test_pattern);
	s.noisy = 1;
	s.loss = 0.15;
	sim_run(&s, 30);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.raises, 0);
	s.loss = 0;
	stopped = s.now;
	prev = s.last_change;
	s.nraise_at = 0;
	for (i = 0; i < 30 && s.out.width != 640; i++)
		sim_run(&s, 1);
	print_message("back at 640x480 %.0f s after the loss stopped, in %d "
	    "raises\n", (double)(s.now - stopped) / 1000, s.nraise_at);
	assert_int_equal(s.out.width, 640);
	assert_int_equal(s.out.fps, 20);
	assert_true(s.now - stopped <= 30000);
	for (i = 0; i < s.nraise_at; i++) {
		assert_true(s.raise_at[i] - (i == 0 ? stopped : prev) >= 5000);
		prev = s.raise_at[i];
	}
	/* And it stays there. */
	i = s.raises;
	sim_run(&s, 120);
	assert_int_equal(s.raises, i);
	assert_int_equal(s.out.width, 640);
	sim_free(&s);
}

/* A steady 3 %, drawn packet by packet: no change at all, for 10 minutes. */
static void
test_steady_3_percent(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, test_pattern);
	s.noisy = 1;
	s.loss = 0.03;
	sim_run(&s, 600);
	assert_int_equal(s.lowers, 0);
	assert_int_equal(s.raises, 0);
	assert_int_equal(s.out.width, 640);
	sim_free(&s);

	/* From a lower layer, the same: no raise into images it would lose. */
	sim_init(&s, test_pattern);
	s.noisy = 1;
	s.loss = 0.5;
	sim_run(&s, 3);
	s.loss = 0.03;
	s.raises = s.lowers = 0;
	sim_run(&s, 600);
	assert_true(s.raises + s.lowers <= 1);
	sim_free(&s);

	/*
	 * Held at 160x120 by --max, where a report holds 60 packets and
	 * one in thirty shows 10 % or more: still no change.
	 */
	sim_init(&s, test_pattern);
	s.noisy = 1;
	s.maxw = 160;
	s.maxh = 120;
	sim_run(&s, 1);
	assert_int_equal(s.out.width, 160);
	s.loss = 0.03;
	s.raises = s.lowers = 0;
	sim_run(&s, 600);
	assert_int_equal(s.raises + s.lowers, 0);
	assert_int_equal(s.out.fps, 20);
	sim_free(&s);
}

/*
 * The camera: 58 packets an image are whole 17 % of the time at
 * 3 % loss.  Lowered once to 320x240 (15 packets, 63 % whole), and never
 * raised back while the loss stays.
 */
static void
test_images_lower_once(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, camera_58);
	s.noisy = 1;
	s.loss = 0.03;
	sim_run(&s, 300);
	assert_int_equal(s.lowers, 1);
	assert_int_equal(s.raises, 0);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(s.out.fps, 20);
	assert_int_equal(s.out.why, LAYERCHOICE_IMAGES);
	assert_non_null(strstr(s.out.reason, "of 640x480 images whole"));
	sim_free(&s);
}

/*
 * A bottleneck between 320x240 and 640x480: each raise to 640x480 loses
 * packets and goes back to 320x240 (not lower); the waits before each
 * new attempt double up to raise_wait_max.
 */
static void
test_failed_raise_backs_off(void **state)
{
	struct sim	s;
	uint64_t	gap, last_gap = 0;
	int		i, attempts = 0;

	(void)state;
	sim_init(&s, test_pattern);
	/*
	 * 320x240 at 20 is 1.42 Mbit/s, 640x480 2.52: 20 % is lost there,
	 * which 160x120 survives best; then up to 320x240 after 5 s, to
	 * 640x480 5 s later, and back to 320x240 at once.
	 */
	s.capacity = 2.0e6;
	sim_run(&s, 1);
	assert_int_equal(s.out.width, 160);
	sim_run(&s, 11);
	assert_int_equal(s.nraise_at, 2);
	assert_int_equal(s.lowers, 2);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(s.out.why, LAYERCHOICE_LOSS);
	s.nraise_at = 0;
	s.lowers = 0;
	for (i = 0; i < 600; i++) {
		sim_run(&s, 1);
		/* Never below the layer the path carries. */
		assert_int_equal(s.out.fps, 20);
		assert_true(s.out.width >= 320);
	}
	attempts = s.nraise_at;
	print_message("%d raises to 640x480 in 600 s:", attempts);
	for (i = 1; i < attempts; i++) {
		gap = s.raise_at[i] - s.raise_at[i - 1];
		print_message(" %.0f", (double)gap / 1000);
		if (i >= 2)
			assert_true(gap >= last_gap ||
			    gap >= 80000);
		last_gap = gap;
	}
	print_message(" s apart\n");
	assert_int_equal(s.lowers, attempts);
	/* 5, 10, 20, 40, then 80 s each: few attempts, not one every 5 s. */
	assert_true(attempts >= 5 && attempts <= 12);
	assert_true(last_gap >= 80000);
	assert_true(last_gap <= 85000);
	assert_int_equal(layerchoice_raise_wait(s.lc), 80000);

	/*
	 * The bottleneck goes: the next attempt holds, and what was learnt
	 * goes with it; a new bottleneck starts again from 5 s.
	 */
	s.capacity = 0;
	for (i = 0; i < 90 && s.out.width != 640; i++)
		sim_run(&s, 1);
	assert_int_equal(s.out.width, 640);
	sim_run(&s, 10);
	assert_int_equal(s.out.width, 640);
	s.capacity = 2.0e6;
	s.nraise_at = 0;
	sim_run(&s, 12);
	assert_int_equal(s.nraise_at, 2);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(layerchoice_raise_wait(s.lc), 10000);
	sim_free(&s);
}

/* --max 160x120: that layer at once on a clean path, then no higher. */
static void
test_max(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, test_pattern);
	s.maxw = 160;
	s.maxh = 120;
	sim_run(&s, 1);
	assert_int_equal(s.out.changed, -1);
	assert_int_equal(s.out.why, LAYERCHOICE_CAP);
	assert_string_equal(s.out.reason, "max 160x120");
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 20);
	sim_run(&s, 120);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.raises, 0);

	/* Less than the smallest layer: the smallest. */
	s.maxw = 100;
	s.maxh = 100;
	sim_run(&s, 10);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 20);

	/* A cap between layers; then none, and the path is clean: up. */
	s.maxw = 400;
	s.maxh = 300;
	sim_run(&s, 30);
	assert_int_equal(s.out.width, 320);
	s.maxw = s.maxh = 0;
	sim_run(&s, 30);
	assert_int_equal(s.out.width, 640);
	sim_free(&s);
}

/* The round trip grows with no loss: lower, one step per rtt_hold. */
static void
test_rtt_lowers(void **state)
{
	struct sim	s;
	uint64_t	first;

	(void)state;
	sim_init(&s, test_pattern);
	sim_run(&s, 20);
	s.rtt = 200;
	sim_run(&s, 1);
	assert_int_equal(s.out.changed, -1);
	assert_int_equal(s.out.why, LAYERCHOICE_RTT);
	assert_string_equal(s.out.reason, "rtt 200 ms, path 20 ms");
	assert_int_equal(s.out.width, 320);
	first = s.now;
	sim_run(&s, 1);
	assert_int_equal(s.out.width, 320);	/* held */
	sim_run(&s, 1);
	assert_int_equal(s.out.width, 160);
	assert_true(s.now - first >= 2000);
	/* A rise under 50 ms or under the least itself lowers nothing. */
	sim_free(&s);
	sim_init(&s, test_pattern);
	s.rtt = 100;
	sim_run(&s, 10);
	s.rtt = 180;	/* 80 ms over, less than the least (100) */
	sim_run(&s, 10);
	assert_int_equal(s.lowers, 0);
	s.rtt = 201;
	sim_run(&s, 1);
	assert_int_equal(s.lowers, 1);
	/* Back to the path's time: up again. */
	s.rtt = 100;
	sim_run(&s, 30);
	assert_int_equal(s.out.width, 640);
	sim_free(&s);
}

/* Nothing gets through for a minute: the floor, never less. */
static void
test_never_stops(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, test_pattern);
	s.loss = 1;
	sim_run(&s, 60);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 5);
	sim_free(&s);
}

/*
 * Loss that stays when the rate is cut is the path's: 15 % random loss
 * keeps 160x120 at 20 a second.  A bottleneck under 160x120 at 20 (its
 * loss follows the rate) thins it until it fits.
 */
static void
test_path_loss_keeps_rate(void **state)
{
	struct sim	s;

	(void)state;
	sim_init(&s, test_pattern);
	s.loss = 0.15;
	sim_run(&s, 60);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 20);
	assert_int_equal(s.lowers, 1);
	sim_free(&s);

	/* 160x120 at 20 is 576 kbit/s; at 10, 288. */
	sim_init(&s, test_pattern);
	s.capacity = 300000;
	sim_run(&s, 60);
	assert_int_equal(s.out.width, 160);
	assert_int_equal(s.out.fps, 10);
	sim_free(&s);

	/* With no bitrate known, loss is taken as the rate's. */
	sim_init(&s, test_pattern);
	s.know_rate = 0;
	s.loss = 0.15;
	sim_run(&s, 60);
	assert_int_equal(s.out.fps, 5);
	sim_free(&s);
}

/* Two receivers of one camera: each its own path, its own choice. */
static void
test_per_receiver(void **state)
{
	struct sim	bad, good;
	int		i;

	(void)state;
	sim_init(&bad, test_pattern);
	sim_init(&good, test_pattern);
	bad.loss = 0.15;
	for (i = 0; i < 60; i++) {
		sim_run(&bad, 1);
		sim_run(&good, 1);
	}
	assert_int_equal(bad.out.width, 160);
	assert_int_equal(good.out.width, 640);
	assert_int_equal(good.lowers, 0);
	sim_free(&bad);
	sim_free(&good);
}

/* The sender's rate or layers change: the same size, the nearest rate. */
static void
test_set_ladder(void **state)
{
	struct sim			 s;
	struct layerchoice_layer	 two[2] = {
		{ 640, 480, 13 }, { 320, 240, 7 }
	};
	char				 err[128];

	(void)state;
	sim_init(&s, test_pattern);
	s.capacity = 2.0e6;
	sim_run(&s, 12);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(layerchoice_set_ladder(s.lc, layers_640, 3, 15,
	    s.now, err, sizeof err), 0);
	layerchoice_current(s.lc, &s.out);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(s.out.fps, 15);
	assert_int_equal(s.out.why, LAYERCHOICE_LADDER);
	assert_string_equal(s.out.reason, "sender 640x480 at 15 fps");

	/*
	 * Back at 20 with two layers: 320x240 is now the smallest, thinned
	 * to 15, 10 and 5; the nearest to 15 is 15.
	 */
	assert_int_equal(layerchoice_set_ladder(s.lc, two, 2, 20, s.now, err,
	    sizeof err), 0);
	layerchoice_current(s.lc, &s.out);
	assert_int_equal(s.out.width, 320);
	assert_int_equal(s.out.fps, 15);
	assert_int_equal(s.out.step, 2);

	/* A ladder that makes no sense changes nothing. */
	assert_int_equal(layerchoice_set_ladder(s.lc, two, 0, 20, s.now, err,
	    sizeof err), -1);
	layerchoice_current(s.lc, &s.out);
	assert_int_equal(s.out.width, 320);
	sim_free(&s);
}

/*
 * Packets not known for a layer are taken from the nearest known, in
 * proportion to the side: with only 640x480 known at 58, 320x240 is taken
 * as 29 (5 % whole at 10 %) and 160x120 as 14.5 (22 %), so 12 % loss goes
 * to the floor layer; once 320x240 is measured at 5 packets, to it.
 */
static void
test_packets_estimated(void **state)
{
	struct layerchoice_params	 p;
	struct layerchoice_layer	 l[3];
	struct layerchoice_report	 r;
	struct layerchoice_out		 out;
	struct layerchoice		*lc;
	char				 err[128];

	(void)state;
	layerchoice_defaults(&p);
	memcpy(l, layers_640, sizeof l);
	l[0].packets = 58;
	lc = layerchoice_new(&p, l, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	memset(&r, 0, sizeof r);
	r.now_ms = 1000;
	r.loss = 0.12;
	r.rtt_ms = 20;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.width, 160);
	layerchoice_free(lc);

	lc = layerchoice_new(&p, l, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	layerchoice_set_packets(lc, 1, 5);
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.width, 320);
	layerchoice_free(lc);
}

/*
 * One report of 10 % on 60 packets (160x120 at 20, 6 lost) is no
 * evidence: a steady 3 % does that once in thirty.  Two are not either;
 * three (18 lost of 180, beyond doubt over 5 %) are; one of 50 % on 45
 * packets is at once.
 */
static void
test_loss_evidence(void **state)
{
	struct layerchoice_params	 p;
	struct layerchoice_report	 r;
	struct layerchoice_out		 out;
	struct layerchoice		*lc;
	char				 err[128];
	int				 i;

	(void)state;
	layerchoice_defaults(&p);
	lc = layerchoice_new(&p, layers_640, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	layerchoice_set_packets(lc, 2, 3);
	memset(&r, 0, sizeof r);
	r.rtt_ms = 20;
	r.max_width = 160;
	r.max_height = 120;
	r.now_ms = 1000;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.width, 160);
	r.loss = 0.10;
	for (i = 0; i < 2; i++) {
		r.now_ms += 1000;
		layerchoice_update(lc, &r, &out);
		assert_int_equal(out.changed, 0);
		assert_int_equal(out.fps, 20);
	}
	r.now_ms += 1000;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.changed, -1);
	assert_int_equal(out.fps, 15);
	assert_string_equal(out.reason, "loss 10% at 160x120 20 fps");

	/* 50 % on 45 packets (15 a second): at once. */
	r.loss = 0.5;
	r.now_ms += 1000;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.changed, -1);
	assert_int_equal(out.fps, 10);
	layerchoice_free(lc);
}

/*
 * At 160x120 and 5 a second a report holds 15 packets: one lost is 6.7 %,
 * but no sign of a worse path, and the climb goes on.
 */
static void
test_one_packet(void **state)
{
	struct layerchoice_params	 p;
	struct layerchoice_report	 r;
	struct layerchoice_out		 out;
	struct layerchoice		*lc;
	char				 err[128];
	int				 i;

	(void)state;
	layerchoice_defaults(&p);
	lc = layerchoice_new(&p, layers_640, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	layerchoice_set_packets(lc, 2, 3);
	memset(&r, 0, sizeof r);
	r.rtt_ms = 20;
	r.loss = 1;
	for (i = 0; i < 20; i++) {
		r.now_ms += 1000;
		layerchoice_update(lc, &r, &out);
	}
	assert_int_equal(out.fps, 5);
	for (i = 0; i < 6 && out.changed == 0; i++) {
		r.now_ms += 1000;
		r.loss = i % 2 == 0 ? 1.0 / 15 : 0;
		layerchoice_update(lc, &r, &out);
	}
	assert_int_equal(out.changed, 1);
	assert_int_equal(out.fps, 10);
	layerchoice_free(lc);
}

/*
 * The path's least round trip: a route that is longer for good becomes
 * the least within ten minutes, and the video climbs back; a least the
 * caller knows (another stream on the same path) counts too.
 */
static void
test_rtt_least(void **state)
{
	struct layerchoice_params	 p;
	struct layerchoice_report	 r;
	struct layerchoice_out		 out;
	struct layerchoice		*lc;
	struct sim			 s;
	char				 err[128];

	(void)state;
	sim_init(&s, test_pattern);
	sim_run(&s, 60);
	s.rtt = 200;
	sim_run(&s, 60);
	assert_int_equal(s.out.width, 160);
	sim_run(&s, 600);
	assert_int_equal(s.out.width, 640);
	sim_free(&s);

	layerchoice_defaults(&p);
	lc = layerchoice_new(&p, layers_640, 3, 20, 0, err, sizeof err);
	assert_non_null(lc);
	memset(&r, 0, sizeof r);
	r.now_ms = 1000;
	r.rtt_ms = 60;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.changed, 0);
	r.now_ms += 1000;
	r.min_rtt_ms = 5;
	layerchoice_update(lc, &r, &out);
	assert_int_equal(out.changed, -1);
	assert_string_equal(out.reason, "rtt 60 ms, path 5 ms");
	layerchoice_free(lc);
}

/*
 * A report with no loss and no round trip known changes what --max asks
 * and nothing else: a clean run goes on through it, and a new --max
 * takes effect at once.
 */
static void
test_max_alone(void **state)
{
	struct layerchoice_report	 r, none;
	struct layerchoice_out		 out;
	struct sim			 s;

	(void)state;
	sim_init(&s, test_pattern);
	s.capacity = 2.0e6;
	sim_run(&s, 12);
	assert_int_equal(s.out.width, 320);
	s.capacity = 0;
	/* The first raise waits 10 s: a failed one came just before. */
	sim_run(&s, 6);
	memset(&none, 0, sizeof none);
	none.now_ms = s.now + 500;
	none.loss = -1;
	none.rtt_ms = -1;
	layerchoice_update(s.lc, &none, &out);
	assert_int_equal(out.changed, 0);
	sim_run(&s, 4);
	assert_int_equal(s.out.width, 640);
	assert_int_equal(s.out.why, LAYERCHOICE_CLEAN);
	sim_free(&s);

	/* After a report of some loss, --max comes alone. */
	sim_init(&s, test_pattern);
	memset(&r, 0, sizeof r);
	r.now_ms = s.now + 1000;
	r.loss = 0.08;
	r.rtt_ms = 20;
	layerchoice_update(s.lc, &r, &out);
	assert_int_equal(out.changed, 0);
	none.now_ms = r.now_ms + 100;
	none.max_width = 320;
	none.max_height = 240;
	layerchoice_update(s.lc, &none, &out);
	assert_int_equal(out.changed, -1);
	assert_int_equal(out.why, LAYERCHOICE_CAP);
	assert_int_equal(out.width, 320);
	sim_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ladder),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_drops_at_once),
		cmocka_unit_test(test_climbs_back),
		cmocka_unit_test(test_steady_3_percent),
		cmocka_unit_test(test_images_lower_once),
		cmocka_unit_test(test_failed_raise_backs_off),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_rtt_lowers),
		cmocka_unit_test(test_never_stops),
		cmocka_unit_test(test_path_loss_keeps_rate),
		cmocka_unit_test(test_per_receiver),
		cmocka_unit_test(test_set_ladder),
		cmocka_unit_test(test_packets_estimated),
		cmocka_unit_test(test_loss_evidence),
		cmocka_unit_test(test_one_packet),
		cmocka_unit_test(test_rtt_least),
		cmocka_unit_test(test_max_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
