/*
 * One receiver's stream of one camera's layers (rtpthin.h): the decision
 * for each image, and the receiver's own sequence numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "rtpthin.h"
#include "xmalloc.h"

/*
 * A timestamp this far behind the newest image is not a late packet but a
 * sender that started again (a new uplink, a clock stepped back): two
 * seconds of the 90 kHz clock.
 */
#define RTPTHIN_RESTART	(2 * RTPTHIN_CLOCK)

/* The decision for one image, kept while its packets may still come. */
struct rtpthin_image {
	int		 have;
	uint32_t	 ts;
	int		 layer;		/* or one of these */
#define THIN_THINNED	-1
#define THIN_WAITING	-2	/* for the layer wanted */
	int		 begun;		/* a packet of it went out */
};

struct rtpthin {
	struct rtpthin_rate	 rate;
	int			 want;
	int			 cur;		/* the layer of the last taken */
	int			 waited;	/* for a first image, once */
	struct rtpthin_image	 img;		/* the newest image */
	struct rtpthin_image	 prev;		/* the one before */
	int			 seen[RTPTHIN_MAX_LAYERS];
	uint32_t		 last_ts[RTPTHIN_MAX_LAYERS];
	uint16_t		 seq;		/* the next to give */
	struct rtpthin_stats	 stats;
};

static int	ts_newer(uint32_t, uint32_t);
static int	thin_live(const struct rtpthin *, int);
static int	thin_choose(const struct rtpthin *, int);
static void	thin_new_image(struct rtpthin *, const struct rtpthin_packet *);
static void	thin_decide(struct rtpthin *, int);

/* Whether a is after b on the RTP clock, across the wrap. */
static int
ts_newer(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

void
rtpthin_rate_set(struct rtpthin_rate *r, int fps)
{
	if (fps < 0)
		fps = 0;
	if (fps == r->fps)
		return;
	r->fps = fps;
	/* A new rate starts from the next image (due is never below 0). */
	r->due = -1;
}

int
rtpthin_rate_take(struct rtpthin_rate *r, uint32_t ts)
{
	double	interval, slack;
	int32_t	delta;

	if (r->started) {
		delta = (int32_t)(ts - r->last_ts);
		if (delta <= 0 && delta > -RTPTHIN_RESTART)
			return 0;
		if (delta <= 0)
			r->started = 0;
		else
			r->now += delta;
	}
	if (!r->started) {
		r->started = 1;
		r->now = 0;
		r->due = 0;
	}
	r->last_ts = ts;
	if (r->due < 0)
		r->due = (double)r->now;
	if (r->fps == 0)
		return 1;
	interval = (double)RTPTHIN_CLOCK / r->fps;
	slack = interval / 8;
	if (r->now < r->due - slack)
		return 0;
	r->due += interval;
	/* Far behind (the sender paused): start the schedule again. */
	if (r->due <= r->now)
		r->due = r->now + interval;
	return 1;
}

struct rtpthin *
rtpthin_new(uint16_t seq)
{
	struct rtpthin	*t;

	t = xcalloc(1, sizeof *t);
	t->cur = -1;
	t->seq = seq;
	return t;
}

void
rtpthin_free(struct rtpthin *t)
{
	free(t);
}

void
rtpthin_set(struct rtpthin *t, int layer, int fps)
{
	if (layer < 0)
		layer = 0;
	if (layer >= RTPTHIN_MAX_LAYERS)
		layer = RTPTHIN_MAX_LAYERS - 1;
	t->want = layer;
	rtpthin_rate_set(&t->rate, fps);
}

/*
 * Whether layer l carries images now: it had a packet of this image or of
 * the one before.  A layer the sender paused falls out within an image.
 */
static int
thin_live(const struct rtpthin *t, int l)
{
	if (!t->seen[l])
		return 0;
	return t->last_ts[l] == t->img.ts ||
	    (t->prev.have && t->last_ts[l] == t->prev.ts);
}

/*
 * The layer for the new image: the one wanted if live, else the one sent
 * until now if live, else the live one nearest the one wanted (smaller
 * first).  The packet's own layer is live, so there is always one.
 */
static int
thin_choose(const struct rtpthin *t, int here)
{
	int	d, l;

	if (thin_live(t, t->want))
		return t->want;
	if (t->cur != -1 && thin_live(t, t->cur))
		return t->cur;
	for (d = 1; d < RTPTHIN_MAX_LAYERS; d++) {
		if ((l = t->want + d) < RTPTHIN_MAX_LAYERS && thin_live(t, l))
			return l;
		if ((l = t->want - d) >= 0 && thin_live(t, l))
			return l;
	}
	return here;
}

/*
 * An image begins.  Before the first image nothing is known of which
 * layers come: the first waits for the layer wanted rather than take
 * whichever comes first (a receiver asking for 160x120 gets no 640x480),
 * and if that layer does not come in it, the next is decided as any.
 */
static void
thin_new_image(struct rtpthin *t, const struct rtpthin_packet *p)
{
	if (t->img.layer == THIN_WAITING) {
		t->img.layer = THIN_THINNED;
		t->waited = 1;
	}
	t->prev = t->img;
	t->img.have = 1;
	t->img.ts = p->ts;
	t->img.begun = 0;
	if (t->cur == -1 && !t->waited && p->layer != t->want) {
		t->img.layer = THIN_WAITING;
		return;
	}
	thin_decide(t, p->layer);
}

/* The newest image, taken or thinned, and from which layer. */
static void
thin_decide(struct rtpthin *t, int here)
{
	if (!rtpthin_rate_take(&t->rate, t->img.ts)) {
		t->img.layer = THIN_THINNED;
		t->stats.images_thinned++;
		return;
	}
	t->img.layer = thin_choose(t, here);
	if (t->cur != -1 && t->img.layer != t->cur)
		t->stats.switches++;
	t->cur = t->img.layer;
}

int
rtpthin_packet(struct rtpthin *t, const struct rtpthin_packet *p,
    uint16_t *seq)
{
	struct rtpthin_image	*img;
	int			 l = p->layer;

	t->stats.packets_in++;
	if (l < 0 || l >= RTPTHIN_MAX_LAYERS) {
		t->stats.bad_layer++;
		return 0;
	}
	if (!t->seen[l] || ts_newer(p->ts, t->last_ts[l]) ||
	    (int32_t)(p->ts - t->last_ts[l]) <= -RTPTHIN_RESTART) {
		t->seen[l] = 1;
		t->last_ts[l] = p->ts;
	}

	if (!t->img.have || ts_newer(p->ts, t->img.ts) ||
	    (int32_t)(p->ts - t->img.ts) <= -RTPTHIN_RESTART)
		thin_new_image(t, p);
	if (p->ts == t->img.ts) {
		img = &t->img;
		if (img->layer == THIN_WAITING && l == t->want)
			thin_decide(t, l);
	} else if (t->prev.have && p->ts == t->prev.ts)
		img = &t->prev;
	else {
		t->stats.late++;
		return 0;
	}
	if (img->layer != l)
		return 0;
	if (!img->begun) {
		img->begun = 1;
		t->stats.images_out++;
	}
	*seq = t->seq++;
	t->stats.packets_out++;
	return 1;
}

int
rtpthin_layer(const struct rtpthin *t)
{
	return t->cur;
}

const struct rtpthin_stats *
rtpthin_stats(const struct rtpthin *t)
{
	return &t->stats;
}
