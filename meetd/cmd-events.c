/*
 * events and wait: a session's events, read back, followed, or waited for.
 *
 * wait takes the oldest matching event that no earlier wait of the session
 * returned, including events that came before it was called (unless -n), so
 * a script that waits, acts and waits again never misses one in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meetd.h"

static int	cmd_events_exec(struct cmdq *);
static int	cmd_events_event(struct cmdq *, json_t *, int);
static int	cmd_wait_exec(struct cmdq *);
static int	cmd_wait_event(struct cmdq *, json_t *, int);
static void	cmd_wait_timeout(evutil_socket_t, short, void *);

static const char *event_types[] = {
	"joined", "left", "knock", "gave-up", "admitted", "denied", "kicked",
	"host", "locked", "unlocked", "chat", "reaction", "ended",
	"reconnected", "disconnected", "file", "audio-on", "audio-off",
	"video-on", "video-off", "screen-on", "screen-off", "muted", "unmuted",
	"talking", "stopped-talking", "recording", NULL
};

static const struct option cmd_events_longopts[] = {
	{ "follow", no_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static const struct option cmd_wait_longopts[] = {
	{ "timeout", required_argument, NULL, 'T' },
	{ "new", no_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_events_entry = {
	.name = "events",
	.usage = "[-f]",
	.optstring = "f",
	.longopts = cmd_events_longopts,
	.lower = 0,
	.upper = 0,
	.flags = CMD_SESSION,
	.exec = cmd_events_exec
};

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "[-T SECONDS] [-n] EVENT [NAME]",
	.optstring = "T:n",
	.longopts = cmd_wait_longopts,
	.lower = 1,
	.upper = 2,
	.flags = CMD_SESSION,
	.exec = cmd_wait_exec
};

/* The oldest event the session still keeps. */
static uint64_t
log_first(struct session *s)
{
	return s->next_seq > s->logsize ? s->next_seq - s->logsize : 0;
}

static int
cmd_events_exec(struct cmdq *q)
{
	struct session	*s = q->session;
	uint64_t	 seq;

	for (seq = log_first(s); seq < s->next_seq; seq++)
		events_print(q, s->log[seq % s->logsize].ev);
	if (!cmdq_has(q, 'f'))
		return EXIT_DONE;
	q->on_event = cmd_events_event;
	session_add_waiter(s, q);
	return CMD_WAIT;
}

static int
cmd_events_event(struct cmdq *q, json_t *ev, int end)
{
	events_print(q, ev);
	if (!end)
		return 0;
	cmdq_finish(q, EXIT_DONE);
	return 1;
}

static int
cmd_wait_exec(struct cmdq *q)
{
	struct session		*s = q->session;
	struct session_event	*se;
	const char		*type = q->args[0], *t;
	const char	*name = q->argc > 1 ? q->args[1] : NULL;
	uint64_t	 seq;
	double		 secs;
	char		*end;
	int		 i;

	for (i = 0; event_types[i] != NULL; i++) {
		if (strcmp(event_types[i], type) == 0)
			break;
	}
	if (event_types[i] == NULL) {
		cmdq_error(q, "wait: unknown event %s (joined, left, knock, "
		    "gave-up, admitted, denied, kicked, host, locked, "
		    "unlocked, chat, reaction, ended, reconnected, "
		    "disconnected, file)", type);
		return EXIT_USAGE;
	}
	if ((t = cmdq_get(q, 'T')) != NULL) {
		secs = strtod(t, &end);
		if (*t == '\0' || *end != '\0' || !(secs >= 0) ||
		    secs > 1e7) {
			cmdq_error(q, "wait: bad timeout %s", t);
			return EXIT_USAGE;
		}
		q->timer = timer_new(cmd_wait_timeout, q);
		timer_start(q->timer, secs);
	}
	if (!cmdq_has(q, 'n')) {
		for (seq = log_first(s); seq < s->next_seq; seq++) {
			se = &s->log[seq % s->logsize];
			if (!se->taken && events_match(se->ev, type, name)) {
				se->taken = 1;
				events_print(q, se->ev);
				return EXIT_DONE;
			}
		}
	}
	q->on_event = cmd_wait_event;
	session_add_waiter(s, q);
	return CMD_WAIT;
}

static int
cmd_wait_event(struct cmdq *q, json_t *ev, int end)
{
	struct session	*s = q->session;
	const char	*name = q->argc > 1 ? q->args[1] : NULL;

	if (events_match(ev, q->args[0], name)) {
		/* The event just delivered is the newest in the log. */
		s->log[(s->next_seq - 1) % s->logsize].taken = 1;
		events_print(q, ev);
		cmdq_finish(q, EXIT_DONE);
		return 1;
	}
	if (!end)
		return 0;
	cmdq_error(q, "wait: session %s ended before %s", s->name,
	    q->args[0]);
	cmdq_finish(q, EXIT_REFUSED);
	return 1;
}

static void
cmd_wait_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct cmdq	*q = arg;

	(void)fd;
	(void)events;
	cmdq_error(q, "wait: timed out waiting for %s%s%s", q->args[0],
	    q->argc > 1 ? " " : "", q->argc > 1 ? q->args[1] : "");
	cmdq_finish(q, EXIT_REFUSED);
}
