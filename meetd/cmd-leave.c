/* leave and end: a participant leaves; the host ends the meeting. */
#include <stdio.h>

#include "meetd.h"

static int	cmd_leave_exec(struct cmdq *);
static int	cmd_end_exec(struct cmdq *);

const struct cmd_entry cmd_leave_entry = {
	.name = "leave",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.flags = CMD_SESSION | CMD_ROOM,
	.exec = cmd_leave_exec
};

const struct cmd_entry cmd_end_entry = {
	.name = "end",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED | CMD_HOST,
	.exec = cmd_end_exec
};

static int
cmd_leave_exec(struct cmdq *q)
{
	struct member	*m = q->member;

	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s}", "room", m->room->name,
		    "name", m->name));
	else
		cmdq_print(q, "%s left %s", m->name, m->room->name);
	/* The session ends with the member: q must not use it after. */
	q->member = NULL;
	q->session = NULL;
	room_leave(m, m->state == MEMBER_WAITING ? "gave up" : "left");
	return EXIT_DONE;
}

static int
cmd_end_exec(struct cmdq *q)
{
	struct member	*m = q->member;
	struct room	*r = m->room;
	char		 by[NAME_MAX_LEN + 1];

	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s}", "room", r->name, "ended",
		    "by host"));
	else
		cmdq_print(q, "ended %s", r->name);
	snprintf(by, sizeof by, "%s", m->name);
	q->member = NULL;
	q->session = NULL;
	room_end(r, by, NULL);
	return EXIT_DONE;
}
