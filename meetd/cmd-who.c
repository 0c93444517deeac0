/* who: the room's roster. */
#include <stdio.h>

#include "meetd.h"

static int	cmd_who_exec(struct cmdq *);

const struct cmd_entry cmd_who_entry = {
	.name = "who",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_who_exec
};

static int
cmd_who_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	struct member	*m;
	json_t		*a;
	char		 ts[TIMESTAMP_LEN];
	const char	*node;
	int		 host = (r->host == q->member);

	a = json_array();
	TAILQ_FOREACH(m, &r->members, entry) {
		/* The lobby is the host's business. */
		if (m->state == MEMBER_WAITING && !host)
			continue;
		timestamp_iso(m->joined, ts);
		node = m->remote != NULL ? m->remote->name : cfg->node_name;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:s,"
		    "s:s,s:b}", "name", m->name, "role", member_role(m),
		    "audio", m->audio ? "on" : "off", "video",
		    m->video ? "on" : "off", "node", node, "joined", ts,
		    "away", m->away));
	}
	if (q->json) {
		cmdq_json(q, json_pack("{s:s,s:o}", "room", r->name,
		    "participants", a));
		return EXIT_DONE;
	}
	cmdq_print(q, "%-16s %-11s %-5s %-5s %-16s %s", "NAME", "ROLE",
	    "AUDIO", "VIDEO", "NODE", "JOINED");
	TAILQ_FOREACH(m, &r->members, entry) {
		if (m->state == MEMBER_WAITING && !host)
			continue;
		timestamp_iso(m->joined, ts);
		node = m->remote != NULL ? m->remote->name : cfg->node_name;
		cmdq_print(q, "%-16s %-11s %-5s %-5s %-16s %s%s", m->name,
		    member_role(m), m->audio ? "on" : "off",
		    m->video ? "on" : "off", node, ts,
		    m->away ? " (away)" : "");
	}
	json_decref(a);
	return EXIT_DONE;
}
