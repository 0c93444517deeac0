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

/* on, off, or muted (by itself or the host, sending or not). */
static const char *
who_audio(struct member *m)
{
	return m->audio_muted ? "muted" : m->audio ? "on" : "off";
}

static const char *
who_video(struct member *m)
{
	return m->video_muted ? "muted" : m->video || m->screen ? "on" : "off";
}

static int
cmd_who_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	struct member	*m;
	json_t		*a;
	char		 ts[TIMESTAMP_LEN];
	const char	*node;
	int		 host = member_is_host(q->member);

	a = json_array();
	TAILQ_FOREACH(m, &r->members, entry) {
		/* The lobby is the host's business. */
		if (m->state == MEMBER_WAITING && !host)
			continue;
		timestamp_iso(m->joined, ts);
		node = m->remote != NULL ? m->remote->name : cfg->node_name;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s,s:b,"
		    "s:s,s:s,s:b,s:b}", "name", m->name, "role",
		    member_role(m), "audio", who_audio(m), "video",
		    who_video(m), "screen", m->screen, "node", node, "joined",
		    ts, "away", m->away, "rtp", m->rtp));
	}
	if (q->json) {
		cmdq_json(q, json_pack("{s:s,s:o,s:b}", "room", r->name,
		    "participants", a, "recording", r->recording));
		return EXIT_DONE;
	}
	cmdq_print(q, "%-16s %-11s %-5s %-5s %-16s %s", "NAME", "ROLE",
	    "AUDIO", "VIDEO", "NODE", "JOINED");
	TAILQ_FOREACH(m, &r->members, entry) {
		if (m->state == MEMBER_WAITING && !host)
			continue;
		timestamp_iso(m->joined, ts);
		node = m->remote != NULL ? m->remote->name : cfg->node_name;
		cmdq_print(q, "%-16s %-11s %-5s %-5s %-16s %s%s%s%s", m->name,
		    member_role(m), who_audio(m), who_video(m),
		    m->rtp ? "(plain RTP)" : node, ts,
		    m->screen ? " (presenting)" : "",
		    m->away ? " (away)" : "", "");
	}
	json_decref(a);
	if (r->recording)
		cmdq_print(q, "(the meeting is being recorded)");
	return EXIT_DONE;
}
