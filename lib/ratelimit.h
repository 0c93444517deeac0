/*
 * Rate limits for media: token buckets, one per stream and one per source
 * address in a bounded table.  No locks: a table and its buckets belong to
 * one thread (a media worker).
 */
#ifndef MEET_RATELIMIT_H
#define MEET_RATELIMIT_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

/* A bucket of up to burst tokens, refilled at rate tokens a second. */
struct tokenbucket {
	double		 tokens;
	uint64_t	 last;		/* usec, monotonic; 0: full */
};

/*
 * Take one token at time now (usec): 1 when there was one, 0 when the
 * bucket is empty (the packet is over the limit).  A rate of 0 means no
 * limit.
 */
int	tokenbucket_take(struct tokenbucket *, double, double, uint64_t);

/* Buckets by source address (the IP, not the port), at most max of them. */
struct ratelimit_table;
struct ratelimit_table *ratelimit_table_new(size_t);
void	ratelimit_table_free(struct ratelimit_table *);
/* As tokenbucket_take, for the bucket of sa's address. */
int	ratelimit_source(struct ratelimit_table *, const struct sockaddr *,
	    double, double, uint64_t);
size_t	ratelimit_table_count(const struct ratelimit_table *);

#endif
