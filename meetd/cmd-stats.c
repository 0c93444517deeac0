/*
 * stats [-w]: what moves through this node.  Today that is file transfers,
 * each with its progress and its window; -w prints them again every second
 * until meetctl is stopped.
 */
#include <stdio.h>

#include "meetd.h"

#define STATS_INTERVAL	1.0

static int	cmd_stats_exec(struct cmdq *);
static void	cmd_stats_print(struct cmdq *);
static void	cmd_stats_tick(evutil_socket_t, short, void *);

static const struct option cmd_stats_longopts[] = {
	{ "watch", no_argument, NULL, 'w' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_stats_entry = {
	.name = "stats",
	.usage = "[-w]",
	.optstring = "w",
	.longopts = cmd_stats_longopts,
	.lower = 0,
	.upper = 0,
	.exec = cmd_stats_exec
};

static void
cmd_stats_print(struct cmdq *q)
{
	json_t	*a, *x;
	size_t	 i;

	a = xfer_list();
	if (q->json) {
		cmdq_json(q, json_pack("{s:o}", "transfers", a));
		return;
	}
	if (json_array_size(a) > 0)
		cmdq_print(q, "%-24s %-8s %14s %14s %7s %s", "TRANSFER",
		    "DIR", "DONE", "SIZE", "WINDOW", "NODE");
	json_array_foreach(a, i, x) {
		cmdq_print(q, "%-24s %-8s %14lld %14lld %7.1f %s",
		    json_string_value(json_object_get(x, "id")),
		    json_string_value(json_object_get(x, "direction")),
		    (long long)json_integer_value(json_object_get(x, "offset")),
		    (long long)json_integer_value(json_object_get(x, "size")),
		    json_real_value(json_object_get(x, "window")),
		    json_string_value(json_object_get(x, "node")));
	}
	json_decref(a);
}

static int
cmd_stats_exec(struct cmdq *q)
{
	cmd_stats_print(q);
	if (!cmdq_has(q, 'w') || q->client == NULL)
		return EXIT_DONE;
	/* Until meetctl goes away; the timer is freed with q. */
	q->timer = event_new(base, -1, EV_PERSIST, cmd_stats_tick, q);
	timer_start(q->timer, STATS_INTERVAL);
	return CMD_WAIT;
}

static void
cmd_stats_tick(evutil_socket_t fd, short events, void *arg)
{
	struct cmdq	*q = arg;

	(void)fd;
	(void)events;
	if (!q->json)
		cmdq_print(q, "%s", "");
	cmd_stats_print(q);
}
