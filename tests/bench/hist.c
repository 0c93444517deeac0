/*
 * Latency histograms for loadgen: fixed size, no allocation, cheap enough
 * to take a million values a second.  Values are microseconds: exact below
 * HIST_LINEAR, then HIST_SUB buckets for each power of two, so a quantile
 * is never off by more than one part in HIST_SUB.
 */
#include <string.h>

#include "loadgen.h"

static int	hist_index(uint64_t);
static uint64_t	hist_value(int);

void
hist_reset(struct hist *h)
{
	memset(h, 0, sizeof *h);
}

static int
hist_index(uint64_t us)
{
	int	e;

	if (us < HIST_LINEAR)
		return (int)us;
	e = 63 - __builtin_clzll(us);		/* 10 and up */
	if (e - 10 >= 22)
		return HIST_BUCKETS - 1;
	return HIST_LINEAR + (e - 10) * HIST_SUB +
	    (int)((us >> (e - 7)) & (HIST_SUB - 1));
}

/* The smallest value a bucket holds. */
static uint64_t
hist_value(int i)
{
	int	e, sub;

	if (i < HIST_LINEAR)
		return (uint64_t)i;
	e = (i - HIST_LINEAR) / HIST_SUB + 10;
	sub = (i - HIST_LINEAR) % HIST_SUB;
	return ((uint64_t)(HIST_SUB + sub)) << (e - 7);
}

void
hist_add(struct hist *h, uint64_t us)
{
	h->bucket[hist_index(us)]++;
	h->n++;
	h->sum += us;
	if (us > h->max)
		h->max = us;
}

void
hist_merge(struct hist *to, const struct hist *from)
{
	int	i;

	for (i = 0; i < HIST_BUCKETS; i++)
		to->bucket[i] += from->bucket[i];
	to->n += from->n;
	to->sum += from->sum;
	if (from->max > to->max)
		to->max = from->max;
}

double
hist_quantile(const struct hist *h, double q)
{
	uint64_t	want, seen = 0;
	int		i;

	if (h->n == 0)
		return 0;
	want = (uint64_t)(q * (double)h->n);
	if (want >= h->n)
		want = h->n - 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen > want)
			return (double)hist_value(i);
	}
	return (double)h->max;
}

double
hist_mean(const struct hist *h)
{
	return h->n == 0 ? 0 : (double)h->sum / (double)h->n;
}
