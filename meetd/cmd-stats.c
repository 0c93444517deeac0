/*
 * stats [-w]: what moves through this node: media streams, each with its
 * packets, loss, jitter, round trip, rates and drops by reason (mstats.c),
 * what the node's port dropped before any stream, and file transfers with
 * their progress and window; -w prints them again every second until
 * meetctl is stopped.
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

/* "late 3, source 1" */
static void
cmd_stats_drops(json_t *drops, char *buf, size_t len)
{
	const char	*k;
	json_t		*v;
	size_t		 off = 0;

	buf[0] = '\0';
	json_object_foreach(drops, k, v) {
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s %lld",
			    off == 0 ? "" : ", ", k,
			    (long long)json_integer_value(v));
	}
	if (off == 0)
		snprintf(buf, len, "-");
}

static void
cmd_stats_media(struct cmdq *q, json_t *streams, json_t *node)
{
	json_t	*x, *v;
	size_t	 i;
	char	 drops[256], rtt[16];

	if (json_array_size(streams) > 0)
		cmdq_print(q, "%-3s %-12s %-12s %-6s %8s %6s %6s %7s %7s %8s "
		    "%5s %s", "DIR", "ROOM", "NAME", "KIND", "PACKETS", "LOST",
		    "LOSS%", "JITTER", "RTT", "KBIT/S", "FPS", "DROPS");
	json_array_foreach(streams, i, x) {
		if (!json_is_integer(json_object_get(x, "packets")))
			continue;	/* a port's drops: below */
		v = json_object_get(x, "rtt_ms");
		if (json_is_number(v))
			snprintf(rtt, sizeof rtt, "%.1f", json_number_value(v));
		else
			snprintf(rtt, sizeof rtt, "-");
		cmd_stats_drops(json_object_get(x, "drops"), drops,
		    sizeof drops);
		cmdq_print(q, "%-3s %-12s %-12s %-6s %8lld %6lld %6.1f %7.1f "
		    "%7s %8.1f %5.1f %s",
		    json_string_value(json_object_get(x, "dir")),
		    json_string_value(json_object_get(x, "room")),
		    json_string_value(json_object_get(x, "name")),
		    json_string_value(json_object_get(x, "kind")),
		    (long long)json_integer_value(json_object_get(x,
		    "packets")),
		    (long long)json_integer_value(json_object_get(x, "lost")),
		    json_number_value(json_object_get(x, "loss")),
		    json_number_value(json_object_get(x, "jitter_ms")), rtt,
		    json_number_value(json_object_get(x, "kbps")),
		    json_number_value(json_object_get(x, "fps")), drops);
	}
	if (json_object_size(node) > 0) {
		cmd_stats_drops(node, drops, sizeof drops);
		cmdq_print(q, "dropped at the node's port: %s", drops);
	}
}

static void
cmd_stats_print(struct cmdq *q)
{
	json_t		*a, *x, *streams, *node;
	uint64_t	 drops[DROP_MAX];
	size_t		 i;

	a = xfer_list();
	streams = media_stats_all(drops);
	node = mstats_drops_json(drops);
	if (q->json) {
		cmdq_json(q, json_pack("{s:o,s:o,s:o}", "transfers", a,
		    "streams", streams, "dropped", node));
		return;
	}
	cmd_stats_media(q, streams, node);
	json_decref(streams);
	json_decref(node);
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
