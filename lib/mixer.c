/*
 * Mix-minus audio mixing for a room, after libre's aumix but with a bounded
 * set of talkers so the number of encodes does not grow with the room.
 *
 * Each tick the K loudest sources with audio form the set.  The full mix is
 * their sum in 32 bits; a talker in the set hears the full mix minus its own
 * frame, taken from the 32-bit sum before clipping so that what it hears is
 * exactly what the others said, and everyone outside the set hears the full
 * mix clipped once.  So there are at most K + 1 mixes to encode however
 * many people listen, and each says how many talkers it holds: a mix of
 * one is that talker's own frame, which the caller need not encode.
 *
 * A talker keeps its place in the set until a newcomer is louder by
 * overtake_db, so two voices of about the same level do not take turns
 * being heard from one tick to the next.  Ranking uses a level smoothed
 * with a fast attack, so a new voice is heard from its first loud frames,
 * and a slower release, so a talker is not dropped between two words.
 * Talking detection uses each frame's own level with hysteresis counts,
 * which are all the smoothing it needs.
 */
#include <sys/types.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mixer.h"
#include "xmalloc.h"

#define MIXER_K_DEFAULT	3
#define MIXER_ATTACK	0.5	/* smoothing towards a louder frame */
#define MIXER_RELEASE	0.2	/* and towards a quieter one */

struct mixer_source {
	uint64_t	 id;
	int16_t		 pcm[MIXER_FRAME];
	int		 put;		/* a frame arrived this tick */
	double		 energy;	/* its mean square, full scale 1 */
	double		 smoothed;	/* energy smoothed for ranking */
	int		 slot;		/* place in the set, -1 outside */
	int		 mix;		/* this tick's mix-minus, if any */
	int		 talking;
	u_int		 above;		/* ticks in a row over talk_on_db */
	u_int		 below;		/* ticks in a row under talk_off_db */
};

struct mixer {
	struct mixer_params	  params;
	double			  overtake;	/* overtake_db as a ratio */

	/* Sources sorted by id; the mixer owns them. */
	struct mixer_source	**sources;
	size_t			  nsources;
	size_t			  cap;		/* of every per-source array */
	size_t			  nput;		/* sources with a frame */
	size_t			  ntalking;
	int			  listeners;	/* non-sources hear */

	/* The set: nslots places, a NULL place is free. */
	struct mixer_source	**set;
	size_t			  nslots;
	struct mixer_source	**top;		/* loudest outside, scratch */

	/* Stopped-talking events of removed sources, for the next tick. */
	uint64_t		 *gone;
	size_t			  ngone;

	/* Output, reused from tick to tick. */
	int32_t			  acc[MIXER_FRAME];
	int16_t			 *pcm;		/* nslots + 1 frames */
	struct mixer_mix	 *mixes;
	struct mixer_route	 *routes;
	struct mixer_event	 *events;
};

static int	 mixer_find(const struct mixer *, uint64_t, size_t *);
static void	 mixer_grow(struct mixer *);
static int	 mixer_audible(const struct mixer_source *);
static double	 mixer_db(double);
static void	 mixer_smooth(struct mixer *);
static void	 mixer_select(struct mixer *);
static size_t	 mixer_loudest(struct mixer *, size_t);
static struct mixer_source *mixer_weakest(struct mixer *);
static void	 mixer_place(struct mixer *, struct mixer_source *);
static size_t	 mixer_mix(struct mixer *, size_t *);
static void	 mixer_route(struct mixer *, size_t, size_t,
		     struct mixer_out *);
static void	 mixer_detect(struct mixer *, struct mixer_out *);
static void	 mixer_rest(struct mixer *);

void
mixer_params_default(struct mixer_params *p)
{
	p->k = MIXER_K_DEFAULT;
	p->overtake_db = 6.0;
	p->talk_on_db = -40.0;
	p->talk_on_ticks = 3;
	p->talk_off_db = -45.0;
	p->talk_off_ticks = 25;
}

struct mixer *
mixer_new(const struct mixer_params *p)
{
	struct mixer	*m;

	if (p->overtake_db < 0 || p->talk_on_ticks == 0 ||
	    p->talk_off_ticks == 0 || p->talk_off_db > p->talk_on_db ||
	    p->talk_on_db > 0 || p->talk_off_db < MIXER_LEVEL_MIN)
		return NULL;

	m = xcalloc(1, sizeof *m);
	m->params = *p;
	m->overtake = pow(10, p->overtake_db / 10);
	mixer_grow(m);
	return m;
}

void
mixer_free(struct mixer *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nsources; i++)
		free(m->sources[i]);
	free(m->sources);
	free(m->set);
	free(m->top);
	free(m->gone);
	free(m->pcm);
	free(m->mixes);
	free(m->routes);
	free(m->events);
	free(m);
}

/* The index of id, or where it would go; 1 when it is there. */
static int
mixer_find(const struct mixer *m, uint64_t id, size_t *where)
{
	size_t	lo = 0, hi = m->nsources, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (m->sources[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*where = lo;
	return lo < m->nsources && m->sources[lo]->id == id;
}

/*
 * Make room for twice as many sources.  Every per-source array grows with
 * them; the set and its mixes only while K is not reached, so a room of
 * 500 with K 4 keeps 5 mix buffers.  Removed talkers waiting for their
 * stopped event were talking at the last tick, so there are never more of
 * them than cap, and a tick's events never more than twice cap.
 */
static void
mixer_grow(struct mixer *m)
{
	size_t	cap, nslots, i;

	cap = m->cap == 0 ? 8 : m->cap * 2;
	m->sources = xreallocarray(m->sources, cap, sizeof *m->sources);
	m->routes = xreallocarray(m->routes, cap, sizeof *m->routes);
	m->gone = xreallocarray(m->gone, cap, sizeof *m->gone);
	m->events = xreallocarray(m->events, cap * 2, sizeof *m->events);
	m->cap = cap;

	nslots = cap;
	if (m->params.k != 0 && m->params.k < nslots)
		nslots = m->params.k;
	if (nslots == m->nslots)
		return;
	m->set = xreallocarray(m->set, nslots, sizeof *m->set);
	for (i = m->nslots; i < nslots; i++)
		m->set[i] = NULL;
	m->top = xreallocarray(m->top, nslots, sizeof *m->top);
	m->pcm = xreallocarray(m->pcm, nslots + 1,
	    MIXER_FRAME * sizeof *m->pcm);
	m->mixes = xreallocarray(m->mixes, nslots + 1, sizeof *m->mixes);
	m->nslots = nslots;
}

int
mixer_add(struct mixer *m, uint64_t id)
{
	struct mixer_source	*s;
	size_t			 i;

	if (mixer_find(m, id, &i))
		return -1;
	if (m->nsources == m->cap)
		mixer_grow(m);

	s = xcalloc(1, sizeof *s);
	s->id = id;
	s->slot = -1;
	memmove(m->sources + i + 1, m->sources + i,
	    (m->nsources - i) * sizeof *m->sources);
	m->sources[i] = s;
	m->nsources++;
	return 0;
}

int
mixer_remove(struct mixer *m, uint64_t id)
{
	struct mixer_source	*s;
	size_t			 i;

	if (!mixer_find(m, id, &i))
		return -1;
	s = m->sources[i];

	/*
	 * Whoever was told this source is talking should be told it stopped,
	 * so the event waits for the next tick, which is not idle until then.
	 */
	if (s->talking) {
		m->gone[m->ngone++] = id;
		m->ntalking--;
	}
	if (s->put)
		m->nput--;
	if (s->slot != -1)
		m->set[s->slot] = NULL;

	free(s);
	memmove(m->sources + i, m->sources + i + 1,
	    (m->nsources - i - 1) * sizeof *m->sources);
	m->nsources--;
	return 0;
}

int
mixer_put(struct mixer *m, uint64_t id, const int16_t *pcm, size_t n)
{
	struct mixer_source	*s;
	size_t			 i;
	int64_t			 sum = 0;

	if (n != MIXER_FRAME || !mixer_find(m, id, &i))
		return -1;
	s = m->sources[i];

	/*
	 * Measure the copy while it is in the cache: a separate memcpy is
	 * faster than copying in the loop that squares.
	 */
	memcpy(s->pcm, pcm, sizeof s->pcm);
	for (i = 0; i < MIXER_FRAME; i++)
		sum += (int32_t)s->pcm[i] * s->pcm[i];
	s->energy = (double)sum / MIXER_FRAME / (32768.0 * 32768.0);
	if (!s->put)
		m->nput++;
	s->put = 1;
	return 0;
}

/*
 * A source is mixed only when its frame is not digital silence: an all-zero
 * frame adds nothing, so leaving it out changes no sample and saves its
 * mix-minus.
 */
static int
mixer_audible(const struct mixer_source *s)
{
	return s->put && s->energy > 0;
}

static double
mixer_db(double energy)
{
	double	db;

	if (energy <= 0)
		return MIXER_LEVEL_MIN;
	db = 10 * log10(energy);
	return db < MIXER_LEVEL_MIN ? MIXER_LEVEL_MIN : db;
}

static void
mixer_smooth(struct mixer *m)
{
	struct mixer_source	*s;
	double			 e;
	size_t			 i;

	for (i = 0; i < m->nsources; i++) {
		s = m->sources[i];
		e = s->put ? s->energy : 0;
		if (e > s->smoothed)
			s->smoothed += MIXER_ATTACK * (e - s->smoothed);
		else
			s->smoothed += MIXER_RELEASE * (e - s->smoothed);
	}
}

/*
 * Choose this tick's set.  Talkers with nothing audible leave at once, for
 * they would hold a place and a mix-minus for no sound.  Free places go to
 * the loudest sources outside; then the loudest outside take the places of
 * the weakest inside, but only while clearly louder.
 */
static void
mixer_select(struct mixer *m)
{
	struct mixer_source	*s, *weak;
	size_t			 i, n, nfree = 0;

	for (i = 0; i < m->nslots; i++) {
		if ((s = m->set[i]) != NULL && !mixer_audible(s)) {
			s->slot = -1;
			m->set[i] = NULL;
		}
		if (m->set[i] == NULL)
			nfree++;
	}

	/* With no K everyone audible is in: there is nothing to rank. */
	if (m->params.k == 0) {
		for (i = 0; i < m->nsources; i++) {
			s = m->sources[i];
			if (s->slot == -1 && mixer_audible(s))
				mixer_place(m, s);
		}
		return;
	}

	n = mixer_loudest(m, m->nslots);
	for (i = 0; i < n && nfree > 0; i++, nfree--)
		mixer_place(m, m->top[i]);
	for (; i < n; i++) {
		weak = mixer_weakest(m);
		if (m->top[i]->smoothed <= weak->smoothed * m->overtake)
			break;
		m->set[weak->slot] = NULL;
		weak->slot = -1;
		mixer_place(m, m->top[i]);
	}
}

/*
 * Up to max audible sources outside the set into top, loudest first; ties
 * go to the lower id.  Insertion into a list of at most K is cheaper than
 * sorting the room.
 */
static size_t
mixer_loudest(struct mixer *m, size_t max)
{
	struct mixer_source	*s;
	size_t			 i, j, n = 0;

	for (i = 0; i < m->nsources; i++) {
		s = m->sources[i];
		if (s->slot != -1 || !mixer_audible(s))
			continue;
		if (n == max && s->smoothed <= m->top[n - 1]->smoothed)
			continue;
		j = n < max ? n++ : n - 1;
		for (; j > 0 && m->top[j - 1]->smoothed < s->smoothed; j--)
			m->top[j] = m->top[j - 1];
		m->top[j] = s;
	}
	return n;
}

/* Only called with a full set. */
static struct mixer_source *
mixer_weakest(struct mixer *m)
{
	struct mixer_source	*weak = NULL;
	size_t			 i;

	for (i = 0; i < m->nslots; i++) {
		if (weak == NULL || m->set[i]->smoothed < weak->smoothed)
			weak = m->set[i];
	}
	return weak;
}

/* Into the first free place: the caller knows there is one. */
static void
mixer_place(struct mixer *m, struct mixer_source *s)
{
	size_t	i;

	for (i = 0; m->set[i] != NULL; i++)
		/* nothing */;
	m->set[i] = s;
	s->slot = i;
}

static int16_t
mixer_clip(int32_t v)
{
	if (v > INT16_MAX)
		return INT16_MAX;
	if (v < INT16_MIN)
		return INT16_MIN;
	return v;
}

/*
 * Sum the set, then write each talker's mix-minus in set order; returns how
 * many talkers there are and sets *nmixes.  A lone talker would hear
 * nothing, so it gets no mix.  The shared full mix follows when someone is
 * outside the set to hear it: a source, or a listener who sends nothing.
 */
static size_t
mixer_mix(struct mixer *m, size_t *nmixes)
{
	struct mixer_source	*s, *only[2] = { NULL, NULL };
	struct mixer_mix	*mx;
	int16_t			*out;
	size_t			 i, j, n = 0, nmix = 0;

	memset(m->acc, 0, sizeof m->acc);
	for (i = 0; i < m->nslots; i++) {
		if ((s = m->set[i]) == NULL)
			continue;
		for (j = 0; j < MIXER_FRAME; j++)
			m->acc[j] += s->pcm[j];
		if (n < 2)
			only[n] = s;	/* the first two, for mixes of one */
		n++;
	}

	for (i = 0; i < m->nslots; i++) {
		if ((s = m->set[i]) == NULL)
			continue;
		s->mix = MIXER_SILENCE;
		if (n == 1)
			continue;
		out = m->pcm + nmix * MIXER_FRAME;
		for (j = 0; j < MIXER_FRAME; j++)
			out[j] = mixer_clip(m->acc[j] - s->pcm[j]);
		mx = &m->mixes[nmix];
		mx->pcm = out;
		mx->minus = 1;
		mx->without = s->id;
		mx->talkers = n - 1;
		/* Of two talkers, each hears the other alone. */
		mx->talker = n == 2 ? only[only[0] == s]->id : 0;
		s->mix = nmix++;
	}

	if (n != 0 && (n < m->nsources || m->listeners)) {
		out = m->pcm + nmix * MIXER_FRAME;
		for (j = 0; j < MIXER_FRAME; j++)
			out[j] = mixer_clip(m->acc[j]);
		mx = &m->mixes[nmix++];
		mx->pcm = out;
		mx->minus = 0;
		mx->without = 0;
		mx->talkers = n;
		mx->talker = n == 1 ? only[0]->id : 0;
	}
	*nmixes = nmix;
	return n;
}

/* Who hears what: n talkers were mixed into nmixes mixes. */
static void
mixer_route(struct mixer *m, size_t n, size_t nmixes, struct mixer_out *out)
{
	struct mixer_source	*s;
	struct mixer_route	*r;
	size_t			 i;

	for (i = 0; i < m->nsources; i++) {
		s = m->sources[i];
		r = &m->routes[i];
		r->id = s->id;
		if (s->slot != -1)
			r->mix = s->mix;
		else if (n != 0)
			r->mix = nmixes - 1;
		else
			r->mix = MIXER_SILENCE;
		r->level = mixer_db(s->put ? s->energy : 0);
	}
	out->routes = m->routes;
	out->nroutes = m->nsources;
}

/*
 * Talking detection with hysteresis, then the end of the tick for every
 * source.  Events of removed talkers come first.
 */
static void
mixer_detect(struct mixer *m, struct mixer_out *out)
{
	const struct mixer_params	*p = &m->params;
	struct mixer_source		*s;
	struct mixer_event		*ev;
	double				 db;
	size_t				 i, n = 0;

	for (i = 0; i < m->ngone; i++) {
		ev = &m->events[n++];
		ev->id = m->gone[i];
		ev->talking = 0;
	}
	m->ngone = 0;

	for (i = 0; i < m->nsources; i++) {
		s = m->sources[i];
		db = mixer_db(s->put ? s->energy : 0);
		s->put = 0;
		s->above = db > p->talk_on_db ? s->above + 1 : 0;
		s->below = db < p->talk_off_db ? s->below + 1 : 0;
		m->routes[i].talking = s->talking;
		if (s->talking == 0 && s->above >= p->talk_on_ticks)
			m->ntalking++;
		else if (s->talking == 1 && s->below >= p->talk_off_ticks)
			m->ntalking--;
		else
			continue;
		s->talking = !s->talking;
		m->routes[i].talking = s->talking;
		ev = &m->events[n++];
		ev->id = s->id;
		ev->talking = s->talking;
	}
	m->nput = 0;
	out->events = m->events;
	out->nevents = n;
}

/*
 * Nothing to do: the caller may stop its timer for a while, after which
 * the old levels mean nothing, so forget them.
 */
static void
mixer_rest(struct mixer *m)
{
	struct mixer_source	*s;
	size_t			 i;

	for (i = 0; i < m->nsources; i++) {
		s = m->sources[i];
		s->smoothed = 0;
		s->above = s->below = 0;
		s->slot = -1;
	}
	for (i = 0; i < m->nslots; i++)
		m->set[i] = NULL;
}

void
mixer_tick(struct mixer *m, struct mixer_out *out)
{
	size_t	n, nmixes;

	memset(out, 0, sizeof *out);
	if (m->nput == 0 && m->ntalking == 0 && m->ngone == 0) {
		mixer_rest(m);
		out->idle = 1;
		return;
	}

	mixer_smooth(m);
	mixer_select(m);
	n = mixer_mix(m, &nmixes);
	out->mixes = m->mixes;
	out->nmixes = nmixes;
	mixer_route(m, n, nmixes, out);
	mixer_detect(m, out);
}

/* Whether someone who is no source hears the room (the shared mix). */
void
mixer_set_listeners(struct mixer *m, int listeners)
{
	m->listeners = listeners;
}
