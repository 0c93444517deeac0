/*
 * The daemon's process-wide state: the event base, this node's identity and
 * a few helpers every file uses.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"

__thread struct event_base *base;
struct evdns_base	*dns;		/* resolves peers' names */
char			 node_id[33];	/* new at every start: a restart */
uint64_t		 start_usec;	/* is a new node to its peers */
int			 shutting_down;
__thread struct config	*cfg;

static uint64_t		 last_id;

/* Ids of rooms, members, sessions: any thread may take one. */
uint64_t
next_id(void)
{
	return __atomic_add_fetch(&last_id, 1, __ATOMIC_RELAXED);
}

/* A one-shot timer; the caller frees it with event_free. */
struct event *
timer_new(void (*cb)(evutil_socket_t, short, void *), void *arg)
{
	return evtimer_new(base, cb, arg);
}

void
timer_start(struct event *ev, double seconds)
{
	struct timeval	tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	evtimer_add(ev, &tv);
}
