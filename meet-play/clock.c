/*
 * Clocks in microseconds: the program's own (monotonic) clock paces output
 * and measures silence; the real-time clock is what the meet tag's capture
 * time is read against.
 */
#include <time.h>

#include "play.h"

uint64_t
play_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
play_realtime(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
