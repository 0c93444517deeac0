/* The host's commands: admit, deny, kick, lock and unlock. */
#include <stdio.h>
#include <string.h>

#include "meetd.h"

static int	cmd_admit_exec(struct cmdq *);
static int	cmd_kick_exec(struct cmdq *);
static int	cmd_lock_exec(struct cmdq *);

#define HOST_FLAGS (CMD_SESSION | CMD_ROOM | CMD_JOINED | CMD_HOST)

const struct cmd_entry cmd_admit_entry = {
	.name = "admit", .usage = "NAME", .optstring = "",
	.lower = 1, .upper = 1, .flags = HOST_FLAGS, .exec = cmd_admit_exec
};
const struct cmd_entry cmd_deny_entry = {
	.name = "deny", .usage = "NAME", .optstring = "",
	.lower = 1, .upper = 1, .flags = HOST_FLAGS, .exec = cmd_admit_exec
};
const struct cmd_entry cmd_kick_entry = {
	.name = "kick", .usage = "NAME", .optstring = "",
	.lower = 1, .upper = 1, .flags = HOST_FLAGS, .exec = cmd_kick_exec
};
const struct cmd_entry cmd_lock_entry = {
	.name = "lock", .usage = "", .optstring = "",
	.lower = 0, .upper = 0, .flags = HOST_FLAGS, .exec = cmd_lock_exec
};
const struct cmd_entry cmd_unlock_entry = {
	.name = "unlock", .usage = "", .optstring = "",
	.lower = 0, .upper = 0, .flags = HOST_FLAGS, .exec = cmd_lock_exec
};

static int
cmd_admit_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	struct member	*m;
	int		 admit = (q->entry == &cmd_admit_entry);

	if ((m = room_member(r, q->args[0])) == NULL) {
		cmdq_error(q, "no one called %s in %s", q->args[0], r->name);
		return EXIT_REFUSED;
	}
	if (m->state != MEMBER_WAITING) {
		cmdq_error(q, "%s is not waiting in the lobby of %s", m->name,
		    r->name);
		return EXIT_REFUSED;
	}
	if (!q->json)
		cmdq_print(q, "%s %s", admit ? "admitted" : "turned away",
		    m->name);
	else
		cmdq_json(q, json_pack("{s:s,s:s}", "name", m->name,
		    admit ? "admitted" : "denied", r->name));
	room_admit(m, admit);
	return EXIT_DONE;
}

static int
cmd_kick_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	struct member	*m;

	if ((m = room_member(r, q->args[0])) == NULL ||
	    m->state != MEMBER_JOINED) {
		cmdq_error(q, "no one called %s in %s", q->args[0], r->name);
		return EXIT_REFUSED;
	}
	if (m == q->member) {
		cmdq_error(q, "the host cannot remove itself: use leave or "
		    "end");
		return EXIT_REFUSED;
	}
	/* A co-host shares the host's powers over others, not over it. */
	if (m == r->host) {
		cmdq_error(q, "%s is the host of %s: a co-host cannot remove "
		    "it", m->name, r->name);
		return EXIT_REFUSED;
	}
	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s}", "name", m->name, "kicked",
		    r->name));
	else
		cmdq_print(q, "removed %s from %s", m->name, r->name);
	room_kick(q->member, m);
	return EXIT_DONE;
}

static int
cmd_lock_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	int		 lock = (q->entry == &cmd_lock_entry);
	json_t		*ev;

	if (r->locked == lock) {
		cmdq_print(q, "%s is already %s", r->name,
		    lock ? "locked" : "unlocked");
		return EXIT_DONE;
	}
	r->locked = lock;
	ev = room_event(r, lock ? "locked" : "unlocked");
	json_object_set_new(ev, "by", json_string(q->member->name));
	room_broadcast(r, ev);
	json_decref(ev);
	if (!q->json)
		cmdq_print(q, "%s is %s", r->name, lock ? "locked" :
		    "unlocked");
	else
		cmdq_json(q, json_pack("{s:s,s:b}", "room", r->name, "locked",
		    lock));
	return EXIT_DONE;
}
