/*
 * Unit tests for the rate limits (lib/ratelimit.c): a bucket lets a burst
 * through, then the rate and no more; a rate of 0 is no limit; a clock
 * that goes back refills rather than starves; sources are limited apart,
 * by address and not port; and the table stays bounded under a stranger
 * cycling through addresses, keeping the buckets of busy sources.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ratelimit.h"

static void	test_burst_then_rate(void **);
static void	test_unlimited(void **);
static void	test_clock_back(void **);
static void	test_sources_apart(void **);
static void	test_table_bounded(void **);

static struct sockaddr_in
addr4(const char *ip, int port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* How many of n packets, spread evenly over usec, a bucket lets pass. */
static int
pass(struct tokenbucket *tb, double rate, double burst, int n, uint64_t from,
    uint64_t usec)
{
	int	i, ok = 0;

	for (i = 0; i < n; i++)
		ok += tokenbucket_take(tb, rate, burst,
		    from + usec * (uint64_t)i / (uint64_t)n);
	return ok;
}

static void
test_burst_then_rate(void **state)
{
	struct tokenbucket	tb = { 0, 0 };
	int			ok;

	(void)state;
	/* 100 at once: the burst of 10 passes. */
	assert_int_equal(pass(&tb, 1000, 10, 100, 1000000, 0), 10);
	/* Then 10,000 over one second at 1,000/s: about 1,000 pass. */
	ok = pass(&tb, 1000, 10, 10000, 1000000, 1000000);
	assert_in_range(ok, 990, 1011);
	/* Idle for a minute: the bucket holds no more than its burst. */
	assert_int_equal(pass(&tb, 1000, 10, 100, 62000000, 0), 10);
}

static void
test_unlimited(void **state)
{
	struct tokenbucket	 tb = { 0, 0 };
	struct ratelimit_table	*t = ratelimit_table_new(16);
	struct sockaddr_in	 a = addr4("10.0.0.1", 1);

	(void)state;
	assert_int_equal(pass(&tb, 0, 0, 5000, 1, 0), 5000);
	assert_int_equal(ratelimit_source(t, (struct sockaddr *)&a, 0, 0, 1),
	    1);
	assert_int_equal(ratelimit_table_count(t), 0);
	ratelimit_table_free(t);
}

static void
test_clock_back(void **state)
{
	struct tokenbucket	tb = { 0, 0 };

	(void)state;
	assert_int_equal(pass(&tb, 10, 5, 20, 5000000, 0), 5);
	/* A clock that goes back refills: never a bucket stuck empty. */
	assert_int_equal(pass(&tb, 10, 5, 20, 1000000, 0), 5);
}

static void
test_sources_apart(void **state)
{
	struct ratelimit_table	*t = ratelimit_table_new(64);
	struct sockaddr_in	 a = addr4("192.0.2.1", 4000);
	struct sockaddr_in	 a2 = addr4("192.0.2.1", 4001);
	struct sockaddr_in	 b = addr4("192.0.2.2", 4000);
	int			 i, oka = 0, okb = 0;

	(void)state;
	/* A floods at once from two ports: they share one bucket. */
	for (i = 0; i < 1000; i++) {
		oka += ratelimit_source(t, (struct sockaddr *)&a, 100, 50,
		    1000000);
		oka += ratelimit_source(t, (struct sockaddr *)&a2, 100, 50,
		    1000000);
	}
	for (i = 0; i < 20; i++)
		okb += ratelimit_source(t, (struct sockaddr *)&b, 100, 50,
		    1000000);
	assert_int_equal(oka, 50);
	assert_int_equal(okb, 20);	/* B is not hurt by A */
	assert_int_equal(ratelimit_table_count(t), 2);
	ratelimit_table_free(t);
}

static void
test_table_bounded(void **state)
{
	struct ratelimit_table	*t = ratelimit_table_new(64);
	struct sockaddr_in	 busy = addr4("198.51.100.7", 9), x;
	char			 ip[32];
	uint64_t		 now = 1000000;
	int			 i, ok;

	(void)state;
	/* The busy source drains its bucket. */
	for (i = 0; i < 100; i++)
		ratelimit_source(t, (struct sockaddr *)&busy, 10, 10, now);
	/* A stranger cycles through 10,000 addresses, one packet each. */
	for (i = 0; i < 10000; i++) {
		snprintf(ip, sizeof ip, "203.0.%d.%d", i / 250, i % 250 + 1);
		x = addr4(ip, 1);
		ratelimit_source(t, (struct sockaddr *)&x, 10, 10, now + 1 +
		    (uint64_t)i);
		/* The busy source keeps sending, so it is never the oldest. */
		ratelimit_source(t, (struct sockaddr *)&busy, 10, 10, now + 1 +
		    (uint64_t)i);
	}
	assert_true(ratelimit_table_count(t) <= 64);
	/* Its bucket was kept: still (nearly) empty, not a fresh burst. */
	ok = 0;
	for (i = 0; i < 10; i++)
		ok += ratelimit_source(t, (struct sockaddr *)&busy, 10, 10,
		    now + 20000);
	assert_in_range(ok, 0, 1);
	ratelimit_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_rate),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_clock_back),
		cmocka_unit_test(test_sources_apart),
		cmocka_unit_test(test_table_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
