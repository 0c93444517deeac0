/*
 * Token buckets, and a table of them by source address.
 *
 * The table is an open-addressed hash of at most max entries, probed in
 * windows of RATELIMIT_PROBE slots.  A source that finds its window full
 * takes the slot of the one idle the longest; a bucket that has been idle
 * long enough to refill completely loses nothing by being dropped, so a
 * stranger cycling through addresses gains no more than a fresh bucket's
 * burst per address, and the table never grows.
 */
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "xmalloc.h"

#define RATELIMIT_PROBE	8

struct ratelimit_entry {
	uint8_t			 addr[16];	/* IPv4 mapped into IPv6 */
	int			 used;
	struct tokenbucket	 tb;
};

struct ratelimit_table {
	struct ratelimit_entry	*slots;
	size_t			 size;		/* a power of two */
	size_t			 count;
};

static void	ratelimit_key(const struct sockaddr *, uint8_t *);
static size_t	ratelimit_hash(const uint8_t *);

int
tokenbucket_take(struct tokenbucket *tb, double rate, double burst,
    uint64_t now)
{
	double	elapsed;

	if (rate <= 0)
		return 1;
	if (burst < 1)
		burst = 1;
	if (tb->last == 0 || now < tb->last)
		tb->tokens = burst;
	else {
		elapsed = (double)(now - tb->last) / 1e6;
		tb->tokens += elapsed * rate;
		if (tb->tokens > burst)
			tb->tokens = burst;
	}
	tb->last = now != 0 ? now : 1;
	if (tb->tokens < 1)
		return 0;
	tb->tokens -= 1;
	return 1;
}

struct ratelimit_table *
ratelimit_table_new(size_t max)
{
	struct ratelimit_table	*t;
	size_t			 size = RATELIMIT_PROBE;

	while (size < max)
		size *= 2;
	t = xcalloc(1, sizeof *t);
	t->slots = xcalloc(size, sizeof *t->slots);
	t->size = size;
	return t;
}

void
ratelimit_table_free(struct ratelimit_table *t)
{
	if (t == NULL)
		return;
	free(t->slots);
	free(t);
}

size_t
ratelimit_table_count(const struct ratelimit_table *t)
{
	return t->count;
}

static void
ratelimit_key(const struct sockaddr *sa, uint8_t *key)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		memcpy(key, &sin6->sin6_addr, 16);
	} else if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &sin->sin_addr, 4);
	}
}

/* FNV-1a: the table's size, not secrecy, bounds what a collision costs. */
static size_t
ratelimit_hash(const uint8_t *key)
{
	uint32_t	h = 2166136261u;
	int		i;

	for (i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 16777619u;
	}
	return h;
}

int
ratelimit_source(struct ratelimit_table *t, const struct sockaddr *sa,
    double rate, double burst, uint64_t now)
{
	struct ratelimit_entry	*e, *free_slot = NULL, *oldest = NULL;
	uint8_t			 key[16];
	size_t			 h, i;

	if (rate <= 0)
		return 1;
	ratelimit_key(sa, key);
	h = ratelimit_hash(key);
	for (i = 0; i < RATELIMIT_PROBE; i++) {
		e = &t->slots[(h + i) & (t->size - 1)];
		if (!e->used) {
			if (free_slot == NULL)
				free_slot = e;
			continue;
		}
		if (memcmp(e->addr, key, sizeof key) == 0)
			return tokenbucket_take(&e->tb, rate, burst, now);
		if (oldest == NULL || e->tb.last < oldest->tb.last)
			oldest = e;
	}
	if ((e = free_slot) == NULL)
		e = oldest;	/* idle the longest: its bucket is the fullest */
	else
		t->count++;
	memcpy(e->addr, key, sizeof key);
	e->used = 1;
	e->tb.last = 0;
	return tokenbucket_take(&e->tb, rate, burst, now);
}
