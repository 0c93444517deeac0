/* Clocks and ISO 8601 timestamps. */
#include <stdio.h>
#include <time.h>

#include "timestamp.h"

uint64_t
now_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
mono_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
timestamp_iso(uint64_t usec, char *buf)
{
	time_t		t = (time_t)(usec / 1000000);
	struct tm	tm;
	size_t		n;

	gmtime_r(&t, &tm);
	n = strftime(buf, TIMESTAMP_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, TIMESTAMP_LEN - n, ".%03uZ",
	    (unsigned)(usec % 1000000 / 1000));
}

void
timestamp_clock(uint64_t usec, char *buf)
{
	time_t		t = (time_t)(usec / 1000000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, 9, "%H:%M:%S", &tm);
}
