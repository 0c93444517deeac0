/* Times as meet shows them: ISO 8601 UTC with milliseconds. */
#ifndef MEET_TIMESTAMP_H
#define MEET_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

#define TIMESTAMP_LEN	32

/* Microseconds since the epoch, CLOCK_REALTIME. */
uint64_t now_usec(void);
/* Microseconds of CLOCK_MONOTONIC, for intervals. */
uint64_t mono_usec(void);
/* "2026-11-21T08:55:08.123Z" into buf (TIMESTAMP_LEN bytes). */
void	timestamp_iso(uint64_t, char *);
/* "08:55:08" (UTC) into buf (at least 9 bytes). */
void	timestamp_clock(uint64_t, char *);

#endif
