/*
 * The per-receiver choice of video layer and frame rate (layerchoice.h):
 * the ladder, the rules that lower and raise, and what they remember
 * between reports.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layerchoice.h"
#include "xmalloc.h"

/*
 * The path's least round trip is the least of the last RTT_BUCKETS
 * buckets of RTT_BUCKET_MS: a route that changes for good is learnt within
 * ten minutes, and a queue that lasts seconds never becomes the least.
 */
#define RTT_BUCKETS	10
#define RTT_BUCKET_MS	60000

/*
 * A loss figure is only as good as the packets behind it: at a steady 3 %,
 * one report on 60 packets (160x120 at 20) shows 10 % every minute or so.
 * The rules read the loss of the newest intervals since the last change
 * that hold LOSS_PACKETS (to lower at once) or IMAGES_PACKETS (for the
 * images rule) between them, and act on fewer only beyond doubt: when the
 * loss is that high LOSS_Z standard errors below what was measured.
 */
#define LOSS_PACKETS	200
#define IMAGES_PACKETS	500
#define LOSS_INTERVALS	8
#define LOSS_Z		2.0

/*
 * A loss that does not come from the rate: since the first lowering for
 * it, the receiver's rate fell to RATE_CUT of what it was or less, so the
 * cut went through and the path had room; a bottleneck would have kept
 * what it gets where it was.
 */
#define RATE_CUT	0.8

/*
 * Packets an image of a layer of this many pixels when nothing is known:
 * meet-cap's test pattern at quality 80 comes to about this many pixels a
 * 1200-byte packet at 640x480.
 */
#define PIXELS_A_PACKET	25000.0

struct layerchoice_step {
	int	layer;
	int	fps;
};

struct layerchoice {
	struct layerchoice_params p;
	struct layerchoice_layer layers[LAYERCHOICE_MAX_LAYERS];
	int			 nlayers;
	int			 sender_fps;
	struct layerchoice_step	 steps[LAYERCHOICE_MAX_STEPS];
	int			 nsteps;
	int			 floor_layer_step; /* the first on the smallest */

	int			 step;
	enum layerchoice_why	 why;
	char			 reason[LAYERCHOICE_REASON];
	uint64_t		 last_report_ms;

	/* The run of clean intervals that may end in a raise. */
	int			 clean;
	uint64_t		 clean_since;
	double			 clean_worst;

	/* The intervals since the last change, newest at [nivl - 1]. */
	struct {
		double	 n;		/* packets sent */
		double	 lost;
	}			 ivl[LOSS_INTERVALS];
	int			 nivl;
	double			 run_n;		/* the clean run's packets */
	double			 run_lost;

	/* The first lowering for loss since the last clean interval. */
	int			 have_drop;
	double			 drop_bitrate;

	int			 have_rtt_drop;
	uint64_t		 rtt_drop_ms;

	/* A raise on trial, and the steps where raises failed. */
	int			 probing;
	int			 probe_step;
	uint64_t		 probe_until;
	int			 fail_step;	/* -1: none */
	uint64_t		 fail_wait_ms;

	double			 rtt_min[RTT_BUCKETS];	/* below 0: empty */
	uint64_t		 rtt_bucket;	/* now / RTT_BUCKET_MS of [0] */
};

static int	ladder_build(struct layerchoice *,
		    const struct layerchoice_layer *, int, int, char *,
		    size_t);
static int	ladder_ceiling(const struct layerchoice *, int, int);
static double	layer_packets(const struct layerchoice *, int);
static double	layer_whole(const struct layerchoice *, int, double);
static int	step_for_whole(const struct layerchoice *, int, double);
static double	interval_packets(const struct layerchoice *,
		    const struct layerchoice_report *);
static void	loss_add(struct layerchoice *, double, double);
static double	loss_recent(const struct layerchoice *, double, double *);
static double	loss_least(double, double);
static double	loss_most(double, double);
static void	rtt_learn(struct layerchoice *, uint64_t, double);
static double	rtt_least(const struct layerchoice *, double);
static int	rtt_risen(const struct layerchoice *, const
		    struct layerchoice_report *, double *);
static int	choice_lower_path(struct layerchoice *,
		    const struct layerchoice_report *);
static int	lower_for_loss(struct layerchoice *,
		    const struct layerchoice_report *);
static int	lower_for_images(struct layerchoice *,
		    const struct layerchoice_report *);
static int	lower_for_rtt(struct layerchoice *,
		    const struct layerchoice_report *);
static void	choice_clean(struct layerchoice *,
		    const struct layerchoice_report *, double, int, int);
static void	choice_move(struct layerchoice *, int, uint64_t,
		    enum layerchoice_why);
static uint64_t	choice_wait(const struct layerchoice *, int);
static void	choice_fill(const struct layerchoice *,
		    struct layerchoice_out *);

void
layerchoice_defaults(struct layerchoice_params *p)
{
	memset(p, 0, sizeof *p);
	p->loss_high = 0.10;
	p->loss_clean = 0.02;
	p->whole_min = 0.50;
	p->whole_raise = 0.80;
	p->rtt_rise_ms = 50;
	p->rtt_rise_ratio = 1.0;
	p->rtt_hold_ms = 2000;
	p->raise_wait_ms = 5000;
	p->raise_wait_max_ms = 80000;
	p->probe_ms = 4000;
	p->fps_steps[0] = 15;
	p->fps_steps[1] = 10;
	p->fps_steps[2] = 5;
	p->nfps = 3;
}

struct layerchoice *
layerchoice_new(const struct layerchoice_params *p,
    const struct layerchoice_layer *layers, int n, int fps, uint64_t now_ms,
    char *err, size_t errlen)
{
	struct layerchoice	*lc;
	int			 i;

	if (p->loss_clean < 0 || p->loss_clean >= p->loss_high ||
	    p->loss_high > 1 || p->whole_min <= 0 ||
	    p->whole_min > p->whole_raise || p->whole_raise > 1 ||
	    p->rtt_rise_ms < 0 || p->rtt_rise_ratio < 0 ||
	    p->raise_wait_ms == 0 || p->raise_wait_max_ms < p->raise_wait_ms) {
		snprintf(err, errlen, "thresholds out of order: loss_clean < "
		    "loss_high <= 100%%, images_whole_min <= "
		    "images_whole_raise, raise_wait <= raise_wait_max");
		return NULL;
	}
	if (p->nfps < 0 || p->nfps > LAYERCHOICE_MAX_FPS) {
		snprintf(err, errlen, "%d frame-rate steps, at most %d",
		    p->nfps, LAYERCHOICE_MAX_FPS);
		return NULL;
	}
	for (i = 0; i < p->nfps; i++) {
		if (p->fps_steps[i] < 1 ||
		    (i > 0 && p->fps_steps[i] >= p->fps_steps[i - 1])) {
			snprintf(err, errlen, "frame-rate steps must fall, "
			    "each at least 1");
			return NULL;
		}
	}
	lc = xcalloc(1, sizeof *lc);
	lc->p = *p;
	if (ladder_build(lc, layers, n, fps, err, errlen) != 0) {
		free(lc);
		return NULL;
	}
	lc->step = 0;
	lc->why = LAYERCHOICE_START;
	snprintf(lc->reason, sizeof lc->reason, "start");
	lc->last_report_ms = now_ms;
	lc->fail_step = -1;
	lc->fail_wait_ms = p->raise_wait_ms;
	for (i = 0; i < RTT_BUCKETS; i++)
		lc->rtt_min[i] = -1;
	lc->rtt_bucket = now_ms / RTT_BUCKET_MS;
	return lc;
}

void
layerchoice_free(struct layerchoice *lc)
{
	free(lc);
}

/*
 * Every layer at the sender's rate, largest first, then the smallest at
 * each frame-rate step below that rate.
 */
static int
ladder_build(struct layerchoice *lc, const struct layerchoice_layer *layers,
    int n, int fps, char *err, size_t errlen)
{
	int	i;

	if (n < 1 || n > LAYERCHOICE_MAX_LAYERS) {
		snprintf(err, errlen, "%d layers, not 1 to %d", n,
		    LAYERCHOICE_MAX_LAYERS);
		return -1;
	}
	if (fps < 1) {
		snprintf(err, errlen, "sender at %d images a second", fps);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (layers[i].width < 1 || layers[i].height < 1 ||
		    layers[i].packets < 0 || (i > 0 &&
		    (layers[i].width > layers[i - 1].width ||
		    layers[i].height > layers[i - 1].height ||
		    (layers[i].width == layers[i - 1].width &&
		    layers[i].height == layers[i - 1].height)))) {
			snprintf(err, errlen, "layer %d (%dx%d): layers must "
			    "get smaller", i, layers[i].width,
			    layers[i].height);
			return -1;
		}
	}
	memcpy(lc->layers, layers, n * sizeof *layers);
	lc->nlayers = n;
	lc->sender_fps = fps;
	lc->nsteps = 0;
	for (i = 0; i < n; i++) {
		lc->steps[lc->nsteps].layer = i;
		lc->steps[lc->nsteps++].fps = fps;
	}
	lc->floor_layer_step = n - 1;
	for (i = 0; i < lc->p.nfps; i++) {
		if (lc->p.fps_steps[i] >= fps)
			continue;
		lc->steps[lc->nsteps].layer = n - 1;
		lc->steps[lc->nsteps++].fps = lc->p.fps_steps[i];
	}
	return 0;
}

int
layerchoice_set_ladder(struct layerchoice *lc,
    const struct layerchoice_layer *layers, int n, int fps, uint64_t now_ms,
    char *err, size_t errlen)
{
	struct layerchoice	 copy = *lc;
	struct layerchoice_step	 was = lc->steps[lc->step];
	int			 w, h, s, best = -1;

	if (ladder_build(&copy, layers, n, fps, err, errlen) != 0)
		return -1;
	w = lc->layers[was.layer].width;
	h = lc->layers[was.layer].height;
	/* The same size or the next smaller, at the nearest rate. */
	for (s = 0; s < copy.nsteps; s++) {
		if (copy.layers[copy.steps[s].layer].width > w ||
		    copy.layers[copy.steps[s].layer].height > h)
			continue;
		if (best == -1)
			best = s;
		if (copy.steps[s].layer == copy.steps[best].layer &&
		    abs(copy.steps[s].fps - was.fps) <
		    abs(copy.steps[best].fps - was.fps))
			best = s;
	}
	if (best == -1)
		best = copy.floor_layer_step;
	*lc = copy;
	lc->step = best;
	lc->why = LAYERCHOICE_LADDER;
	snprintf(lc->reason, sizeof lc->reason, "sender %dx%d at %d fps",
	    layers[0].width, layers[0].height, fps);
	/* What was learnt of raises is about steps that are gone. */
	lc->probing = 0;
	lc->fail_step = -1;
	lc->fail_wait_ms = lc->p.raise_wait_ms;
	lc->clean = 0;
	lc->clean_since = now_ms;
	lc->nivl = 0;
	return 0;
}

void
layerchoice_set_packets(struct layerchoice *lc, int i, double packets)
{
	if (i >= 0 && i < lc->nlayers && packets >= 0)
		lc->layers[i].packets = packets;
}

/* The highest step within --max; the smallest layer when none fits. */
static int
ladder_ceiling(const struct layerchoice *lc, int maxw, int maxh)
{
	const struct layerchoice_layer	*l;
	int				 s;

	if (maxw <= 0 && maxh <= 0)
		return 0;
	for (s = 0; s < lc->nsteps; s++) {
		l = &lc->layers[lc->steps[s].layer];
		if ((maxw <= 0 || l->width <= maxw) &&
		    (maxh <= 0 || l->height <= maxh))
			return s;
	}
	return lc->floor_layer_step;
}

/*
 * Packets an image of layer i: as measured, else from the nearest layer
 * measured, in proportion to the side: halving each side about halves the
 * bytes of a JPEG (the picture's edges get no fewer), it does not quarter
 * them (tests/bench/layers).
 */
static double
layer_packets(const struct layerchoice *lc, int i)
{
	const struct layerchoice_layer	*l = &lc->layers[i], *k;
	double				 n;
	int				 d, j;

	if (l->packets > 0)
		return l->packets;
	for (d = 1; d < lc->nlayers; d++) {
		for (j = i - d; j <= i + d; j += 2 * d) {
			if (j < 0 || j >= lc->nlayers)
				continue;
			k = &lc->layers[j];
			if (k->packets <= 0)
				continue;
			n = k->packets * l->width / k->width;
			return n < 1 ? 1 : n;
		}
	}
	n = (double)l->width * l->height / PIXELS_A_PACKET;
	return n < 1 ? 1 : n;
}

/* The share of layer i's images that arrive whole at this loss. */
static double
layer_whole(const struct layerchoice *lc, int i, double loss)
{
	if (loss <= 0)
		return 1;
	if (loss >= 1)
		return 0;
	return pow(1 - loss, layer_packets(lc, i));
}

/*
 * The first step after from, on another layer, whose images arrive whole
 * at least whole_min of the time at this loss; the smallest layer's first
 * step when none does.
 */
static int
step_for_whole(const struct layerchoice *lc, int from, double loss)
{
	int	s;

	for (s = from + 1; s <= lc->floor_layer_step; s++) {
		if (lc->steps[s].layer == lc->steps[from].layer)
			continue;
		if (layer_whole(lc, lc->steps[s].layer, loss) >=
		    lc->p.whole_min)
			return s;
	}
	return lc->floor_layer_step;
}

/* Packets sent in the interval a report covers: given, or reckoned. */
static double
interval_packets(const struct layerchoice *lc,
    const struct layerchoice_report *r)
{
	const struct layerchoice_step	*st = &lc->steps[lc->step];
	double				 secs;

	if (r->packets > 0)
		return r->packets;
	secs = (double)(r->now_ms - lc->last_report_ms) / 1000;
	if (r->now_ms <= lc->last_report_ms || secs > 10)
		secs = 1;
	return layer_packets(lc, st->layer) * st->fps * secs;
}

static void
loss_add(struct layerchoice *lc, double n, double loss)
{
	if (lc->nivl == LOSS_INTERVALS) {
		memmove(&lc->ivl[0], &lc->ivl[1],
		    (LOSS_INTERVALS - 1) * sizeof lc->ivl[0]);
		lc->nivl--;
	}
	lc->ivl[lc->nivl].n = n;
	lc->ivl[lc->nivl].lost = n * loss;
	lc->nivl++;
}

/* The loss of the newest intervals that hold min packets (or all). */
static double
loss_recent(const struct layerchoice *lc, double min, double *n)
{
	double	lost = 0;
	int	i;

	*n = 0;
	for (i = lc->nivl - 1; i >= 0 && *n < min; i--) {
		*n += lc->ivl[i].n;
		lost += lc->ivl[i].lost;
	}
	return *n > 0 ? lost / *n : 0;
}

/*
 * The least and the most the loss can be, LOSS_Z standard errors from p
 * measured on n packets; with no loss seen, as if one packet had been.
 */
static double
loss_least(double p, double n)
{
	return p - LOSS_Z * sqrt(p * (1 - p) / n);
}

static double
loss_most(double p, double n)
{
	double	q = p > 1 / n ? p : 1 / n;

	return p + LOSS_Z * sqrt(q * (1 - q) / n);
}

static void
rtt_learn(struct layerchoice *lc, uint64_t now_ms, double rtt)
{
	uint64_t	bucket = now_ms / RTT_BUCKET_MS;
	int		i;

	/* Move the window on, emptying the buckets it leaves. */
	while (lc->rtt_bucket < bucket) {
		for (i = RTT_BUCKETS - 1; i > 0; i--)
			lc->rtt_min[i] = lc->rtt_min[i - 1];
		lc->rtt_min[0] = -1;
		lc->rtt_bucket++;
		if (bucket - lc->rtt_bucket > RTT_BUCKETS) {
			for (i = 0; i < RTT_BUCKETS; i++)
				lc->rtt_min[i] = -1;
			lc->rtt_bucket = bucket;
		}
	}
	if (lc->rtt_min[0] < 0 || rtt < lc->rtt_min[0])
		lc->rtt_min[0] = rtt;
}

/* The path's least round trip: the window's and the caller's; -1: none. */
static double
rtt_least(const struct layerchoice *lc, double given)
{
	double	least = given > 0 ? given : -1;
	int	i;

	for (i = 0; i < RTT_BUCKETS; i++) {
		if (lc->rtt_min[i] >= 0 &&
		    (least < 0 || lc->rtt_min[i] < least))
			least = lc->rtt_min[i];
	}
	return least;
}

/* Whether the round trip is well over the path's least. */
static int
rtt_risen(const struct layerchoice *lc, const struct layerchoice_report *r,
    double *least)
{
	double	rise;

	*least = rtt_least(lc, r->min_rtt_ms);
	if (r->rtt_ms < 0 || *least < 0)
		return 0;
	rise = r->rtt_ms - *least;
	return rise > lc->p.rtt_rise_ms && rise > *least * lc->p.rtt_rise_ratio;
}

void
layerchoice_update(struct layerchoice *lc, const struct layerchoice_report *r,
    struct layerchoice_out *out)
{
	const struct layerchoice_layer	*l;
	double				 n;
	int				 before = lc->step, ceiling, lowered;

	if (r->rtt_ms >= 0)
		rtt_learn(lc, r->now_ms, r->rtt_ms);
	n = interval_packets(lc, r);
	if (r->loss >= 0)
		loss_add(lc, n, r->loss > 1 ? 1 : r->loss);
	/* A raise that lasted its trial held. */
	if (lc->probing && r->now_ms >= lc->probe_until) {
		lc->probing = 0;
		if (lc->fail_step != -1 && lc->probe_step <= lc->fail_step) {
			lc->fail_step = -1;
			lc->fail_wait_ms = lc->p.raise_wait_ms;
		}
	}

	ceiling = ladder_ceiling(lc, r->max_width, r->max_height);
	if (lc->step < ceiling) {
		choice_move(lc, ceiling, r->now_ms, LAYERCHOICE_CAP);
		l = &lc->layers[lc->steps[ceiling].layer];
		snprintf(lc->reason, sizeof lc->reason, "max %dx%d", l->width,
		    l->height);
	}
	lowered = choice_lower_path(lc, r);
	if (!lowered)
		choice_clean(lc, r, n, ceiling, before);
	lc->last_report_ms = r->now_ms;

	choice_fill(lc, out);
	out->changed = lc->step > before ? -1 : lc->step < before ? 1 : 0;
}

/*
 * The rules that lower for the path: 1 when one did.  A raise on trial
 * that meets loss goes back to the step it left, where the path was clean
 * a moment ago; the rules go on from there if it is not.  A report with no
 * loss known (a change of --max) brings no news of it.
 */
static int
choice_lower_path(struct layerchoice *lc, const struct layerchoice_report *r)
{
	if (lc->step == lc->nsteps - 1)
		return 0;
	if (r->loss >= 0 && (lower_for_loss(lc, r) ||
	    lower_for_images(lc, r)))
		return 1;
	return lower_for_rtt(lc, r);
}

/* Loss over loss_high, beyond doubt. */
static int
lower_for_loss(struct layerchoice *lc, const struct layerchoice_report *r)
{
	const struct layerchoice_step	*st = &lc->steps[lc->step];
	const struct layerchoice_layer	*l = &lc->layers[st->layer];
	double				 p, n;
	int				 to;

	p = loss_recent(lc, LOSS_PACKETS, &n);
	if (n == 0 || p < lc->p.loss_high || (n < LOSS_PACKETS &&
	    loss_least(p, n) < lc->p.loss_high / 2))
		return 0;
	if (lc->probing)
		to = lc->probe_step + 1;
	else if (lc->step < lc->floor_layer_step)
		to = step_for_whole(lc, lc->step, p);
	else if (lc->have_drop && r->bitrate > 0 &&
	    r->bitrate <= RATE_CUT * lc->drop_bitrate)
		return 0;	/* the path's loss, not the rate's */
	else
		to = lc->step + 1;
	if (to <= lc->step)
		to = lc->step + 1;
	if (!lc->have_drop) {
		lc->have_drop = 1;
		lc->drop_bitrate = r->bitrate;
	}
	choice_move(lc, to, r->now_ms, LAYERCHOICE_LOSS);
	snprintf(lc->reason, sizeof lc->reason, "loss %.0f%% at %dx%d %d fps",
	    p * 100, l->width, l->height, st->fps);
	return 1;
}

/* Moderate loss on images of many packets: only beyond doubt. */
static int
lower_for_images(struct layerchoice *lc, const struct layerchoice_report *r)
{
	const struct layerchoice_step	*st = &lc->steps[lc->step];
	const struct layerchoice_layer	*l = &lc->layers[st->layer];
	double				 p, n, whole;
	int				 to;

	p = loss_recent(lc, IMAGES_PACKETS, &n);
	if (n == 0 || lc->step >= lc->floor_layer_step ||
	    layer_whole(lc, st->layer, loss_least(p, n)) >= lc->p.whole_min)
		return 0;
	whole = layer_whole(lc, st->layer, p);
	to = lc->probing ? lc->probe_step + 1 :
	    step_for_whole(lc, lc->step, p);
	if (to <= lc->step)
		to = lc->step + 1;
	choice_move(lc, to, r->now_ms, LAYERCHOICE_IMAGES);
	snprintf(lc->reason, sizeof lc->reason, "%.0f%% of %dx%d images "
	    "whole at %.1f%% loss", whole * 100, l->width, l->height,
	    p * 100);
	return 1;
}

/* The round trip well over the path's least: one step, then a hold. */
static int
lower_for_rtt(struct layerchoice *lc, const struct layerchoice_report *r)
{
	double	least;

	if (!rtt_risen(lc, r, &least) || (lc->have_rtt_drop &&
	    r->now_ms - lc->rtt_drop_ms < lc->p.rtt_hold_ms))
		return 0;
	lc->have_rtt_drop = 1;
	lc->rtt_drop_ms = r->now_ms;
	choice_move(lc, lc->step + 1, r->now_ms, LAYERCHOICE_RTT);
	snprintf(lc->reason, sizeof lc->reason, "rtt %.0f ms, path %.0f ms",
	    r->rtt_ms, least);
	return 1;
}

/*
 * A clean interval adds to the run; a run long enough raises one step if
 * the next step's images would arrive whole often enough at the most the
 * run's loss can be.  One packet lost is no evidence of anything.
 */
static void
choice_clean(struct layerchoice *lc, const struct layerchoice_report *r,
    double n, int ceiling, int before)
{
	const struct layerchoice_step	*next;
	uint64_t			 wait;
	double				 least, worst;

	/* No loss known: a change of --max alone, which ends no run. */
	if (r->loss < 0)
		return;
	if ((r->loss > lc->p.loss_clean && r->loss * n > 1.5) ||
	    rtt_risen(lc, r, &least)) {
		lc->clean = 0;
		return;
	}
	lc->have_drop = 0;
	if (!lc->clean || lc->step != before) {
		lc->clean = 1;
		lc->clean_since = lc->step != before ? r->now_ms :
		    lc->last_report_ms;
		lc->run_n = n;
		lc->run_lost = n * r->loss;
		return;
	}
	lc->run_n += n;
	lc->run_lost += n * r->loss;
	if (lc->step <= ceiling)
		return;
	next = &lc->steps[lc->step - 1];
	wait = choice_wait(lc, lc->step - 1);
	worst = loss_most(lc->run_lost / lc->run_n, lc->run_n);
	if (r->now_ms - lc->clean_since < wait ||
	    layer_whole(lc, next->layer, worst) < lc->p.whole_raise)
		return;
	choice_move(lc, lc->step - 1, r->now_ms, LAYERCHOICE_CLEAN);
	lc->probing = 1;
	lc->probe_step = lc->step;
	lc->probe_until = r->now_ms + lc->p.probe_ms;
	snprintf(lc->reason, sizeof lc->reason, "clean for %.0f s",
	    (double)wait / 1000);
	/* The next raise needs a run of its own. */
	lc->clean = 1;
	lc->clean_since = r->now_ms;
	lc->run_n = lc->run_lost = 0;
}

/* Move to step to; a lowering during a raise's trial fails that raise. */
static void
choice_move(struct layerchoice *lc, int to, uint64_t now_ms,
    enum layerchoice_why why)
{
	if (to > lc->step && lc->probing && why != LAYERCHOICE_CAP) {
		lc->probing = 0;
		lc->fail_wait_ms = lc->fail_step == -1 ?
		    lc->p.raise_wait_ms * 2 : lc->fail_wait_ms * 2;
		if (lc->fail_wait_ms > lc->p.raise_wait_max_ms)
			lc->fail_wait_ms = lc->p.raise_wait_max_ms;
		if (lc->probe_step > lc->fail_step)
			lc->fail_step = lc->probe_step;
	}
	lc->step = to;
	lc->why = why;
	lc->clean = 0;
	lc->clean_since = now_ms;
	lc->nivl = 0;
}

/* The wait before a raise to step s: longer where raises failed. */
static uint64_t
choice_wait(const struct layerchoice *lc, int s)
{
	if (lc->fail_step != -1 && s <= lc->fail_step)
		return lc->fail_wait_ms;
	return lc->p.raise_wait_ms;
}

uint64_t
layerchoice_raise_wait(const struct layerchoice *lc)
{
	return lc->step == 0 ? 0 : choice_wait(lc, lc->step - 1);
}

static void
choice_fill(const struct layerchoice *lc, struct layerchoice_out *out)
{
	const struct layerchoice_step	*st = &lc->steps[lc->step];

	out->step = lc->step;
	out->layer = st->layer;
	out->width = lc->layers[st->layer].width;
	out->height = lc->layers[st->layer].height;
	out->fps = st->fps;
	out->changed = 0;
	out->why = lc->why;
	out->reason = lc->reason;
}

void
layerchoice_current(const struct layerchoice *lc, struct layerchoice_out *out)
{
	choice_fill(lc, out);
}

const char *
layerchoice_why_name(enum layerchoice_why why)
{
	switch (why) {
	case LAYERCHOICE_START:
		return "start";
	case LAYERCHOICE_LOSS:
		return "loss";
	case LAYERCHOICE_IMAGES:
		return "images";
	case LAYERCHOICE_RTT:
		return "rtt";
	case LAYERCHOICE_CAP:
		return "max";
	case LAYERCHOICE_CLEAN:
		return "clean";
	case LAYERCHOICE_LADDER:
		return "ladder";
	}
	return "unknown";
}
