/* status and sessions: what this node is and holds. */
#include <stdio.h>
#include <string.h>

#include "meetd.h"

static int	cmd_status_exec(struct cmdq *);
static int	cmd_sessions_exec(struct cmdq *);

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.flags = CMD_REMOTE,
	.exec = cmd_status_exec
};

const struct cmd_entry cmd_sessions_entry = {
	.name = "sessions",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.exec = cmd_sessions_exec
};

static int
cmd_status_exec(struct cmdq *q)
{
	json_t		*links, *o, *l;
	size_t		 i;
	uint64_t	 up = (now_usec() - start_usec) / 1000000;

	links = peer_list();
	json_array_extend(links, o = remote_list());
	json_decref(o);
	if (q->json) {
		cmdq_json(q, json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s?,s:i,"
		    "s:i,s:i,s:o}", "version", MEET_VERSION, "node",
		    cfg->node_name, "fingerprint", nodekey_own_fingerprint(),
		    "instance", node_id, "uptime", (json_int_t)up, "listen",
		    listen_address, "socket", q->remote == NULL ?
		    control_path : NULL, "workers", (int)nworkers, "rooms",
		    (int)room_count(), "sessions", (int)session_count(),
		    "links", links));
		return EXIT_DONE;
	}
	cmdq_print(q, "meetd %s, node %s", MEET_VERSION, cfg->node_name);
	cmdq_print(q, "key:      %s", nodekey_own_fingerprint());
	cmdq_print(q, "uptime:   %llus", (unsigned long long)up);
	cmdq_print(q, "listen:   %s", listen_address);
	if (q->remote == NULL)
		cmdq_print(q, "socket:   %s", control_path);
	cmdq_print(q, "workers:  %u", nworkers);
	cmdq_print(q, "rooms:    %u", room_count());
	cmdq_print(q, "sessions: %u", session_count());
	cmdq_print(q, "links:    %zu", json_array_size(links));
	json_array_foreach(links, i, l) {
		cmdq_print(q, "  %-3s %s %s %s",
		    json_string_value(json_object_get(l, "direction")),
		    json_string_value(json_object_get(l, "node")),
		    json_string_value(json_object_get(l, "state")),
		    json_is_string(json_object_get(l, "fingerprint")) ?
		    json_string_value(json_object_get(l, "fingerprint")) : "");
	}
	json_decref(links);
	return EXIT_DONE;
}

/* Only the sessions the asking user may act as: its own, or all for root. */
static int
cmd_sessions_exec(struct cmdq *q)
{
	struct session	*s;
	json_t		*a;
	char		 room[NAME_MAX_LEN + ADDR_HOST_MAX + 16];
	uid_t		 uid = client_uid(q->client);
	int		 header = 0;

	if (q->json) {
		a = json_array();
		TAILQ_FOREACH(s, &sessions, entry) {
			if (!session_permits(s, uid))
				continue;
			json_array_append_new(a, json_pack("{s:s,s:s,s:s}",
			    "name", s->name, "room", session_room_string(s,
			    room, sizeof room), "state",
			    session_state_name(s)));
		}
		cmdq_json(q, json_pack("{s:o}", "sessions", a));
		return EXIT_DONE;
	}
	TAILQ_FOREACH(s, &sessions, entry) {
		if (!session_permits(s, uid))
			continue;
		if (!header++)
			cmdq_print(q, "%-16s %-32s %s", "NAME", "ROOM",
			    "STATE");
		cmdq_print(q, "%-16s %-32s %s", s->name,
		    session_room_string(s, room, sizeof room),
		    session_state_name(s));
	}
	return EXIT_DONE;
}
