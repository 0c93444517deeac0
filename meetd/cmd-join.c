/*
 * create and join: make a session and put it into a room, on this node or
 * on another (ROOM@HOST[:PORT]).  In a lobby room, join waits until the
 * host admits or turns the session away; a client that goes away while
 * waiting gives up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meetd.h"
#include "nodeop.h"

static int	cmd_join_exec(struct cmdq *);
static int	cmd_join_event(struct cmdq *, json_t *, int);
static void	cmd_join_cancel(struct cmdq *);
static void	cmd_join_reply(json_t *, void *);
static void	cmd_join_entered(struct cmdq *, struct session *, int);
static void	cmd_join_give_up(struct session *);

static const struct option cmd_create_longopts[] = {
	{ "as", required_argument, NULL, 'A' },
	{ "lobby", no_argument, NULL, 'a' },
	{ "password", required_argument, NULL, 'p' },
	{ "max", required_argument, NULL, 'm' },
	{ "fingerprint", required_argument, NULL, CMD_OPT_FINGERPRINT },
	{ "token-only", no_argument, NULL, 'T' },
	{ NULL, 0, NULL, 0 }
};

static const struct option cmd_join_longopts[] = {
	{ "as", required_argument, NULL, 'A' },
	{ "password", required_argument, NULL, 'p' },
	{ "no-wait", no_argument, NULL, 'W' },
	{ "fingerprint", required_argument, NULL, CMD_OPT_FINGERPRINT },
	{ "token", required_argument, NULL, 'K' },	/* long only */
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_create_entry = {
	.name = "create",
	.usage = "ROOM[@HOST[:PORT]] --as NAME [-aT] [-p PASS] [-m MAX] "
	    "[--fingerprint FP]",
	.optstring = "A:ap:m:T",
	.longopts = cmd_create_longopts,
	.lower = 1,
	.upper = 1,
	.exec = cmd_join_exec
};

const struct cmd_entry cmd_join_entry = {
	.name = "join",
	.usage = "ROOM[@HOST[:PORT]] --as NAME [-p PASS] [--token TOKEN] "
	    "[--no-wait] [--fingerprint FP]",
	.optstring = "A:p:",
	.longopts = cmd_join_longopts,
	.lower = 1,
	.upper = 1,
	.exec = cmd_join_exec
};

static int
cmd_join_exec(struct cmdq *q)
{
	struct room_params	 p;
	struct node_addr	 na;
	struct session		*s;
	struct member		*m;
	struct peer		*peer;
	const char		*name, *max, *pin;
	char			 room[NAME_MAX_LEN + 1], where[ADDR_HOST_MAX + 8];
	char			 err[512], *cause, *end;
	json_t			*req;
	int			 remote, code, rc;
	long			 l;

	memset(&p, 0, sizeof p);
	p.create = (q->entry == &cmd_create_entry);
	if (room_addr_parse(q->args[0], room, &remote, &na, err,
	    sizeof err) != 0) {
		cmdq_error(q, "%s", err);
		return EXIT_USAGE;
	}
	if ((name = cmdq_get(q, 'A')) == NULL) {
		cmdq_error(q, "%s: say who you are with --as NAME",
		    q->entry->name);
		return EXIT_USAGE;
	}
	if (name_valid(name) != 0) {
		cmdq_error(q, "bad name: %s (letters, digits, '.', '_' and "
		    "'-', 1 to %d of them)", name, NAME_MAX_LEN);
		return EXIT_USAGE;
	}
	pin = cmdq_get(q, CMD_OPT_FINGERPRINT);
	if (pin != NULL && !remote) {
		cmdq_error(q, "--fingerprint is for a room on another node "
		    "(ROOM@HOST)");
		return EXIT_USAGE;
	}
	if (pin != NULL && !nodekey_fingerprint_valid(pin)) {
		cmdq_error(q, "bad fingerprint %s: it is sha256: and 64 "
		    "lowercase hex digits, as status shows it", pin);
		return EXIT_USAGE;
	}
	if ((max = cmdq_get(q, 'm')) != NULL) {
		l = strtol(max, &end, 10);
		if (*max == '\0' || *end != '\0' || l < 1 || l > 1000000) {
			cmdq_error(q, "bad size limit: %s", max);
			return EXIT_USAGE;
		}
		p.max = (int)l;
	}
	p.password = cmdq_get(q, 'p');
	if (p.password != NULL && *p.password == '\0') {
		cmdq_error(q, "empty password");
		return EXIT_USAGE;
	}
	p.lobby = cmdq_has(q, 'a');
	p.token_only = cmdq_has(q, 'T');
	p.token = cmdq_get(q, 'K');
	if (p.token != NULL && *p.token == '\0') {
		cmdq_error(q, "empty token");
		return EXIT_USAGE;
	}
	p.room = room;
	p.name = name;
	if ((s = session_find(name)) != NULL) {
		if (session_permits(s, client_uid(q->client)))
			cmdq_error(q, "there is already a session %s on this "
			    "node", name);
		else
			cmdq_error(q, "there is already a session %s on this "
			    "node, and it belongs to another user", name);
		return EXIT_REFUSED;
	}
	if (session_count() >= (u_int)cfg->max_sessions) {
		cmdq_error(q, "this node has its maximum of %d sessions",
		    cfg->max_sessions);
		return EXIT_REFUSED;
	}
	where[0] = '\0';
	if (remote)
		node_addr_format(&na, where, sizeof where);
	/* create and join come only from meetctl: the session is its user's. */
	s = session_new(name, room, where, client_uid(q->client));
	q->session = s;

	if (!remote) {
		rc = room_enter(&p, s, NULL, &m, &code, &cause);
		if (rc == -1) {
			cmdq_error(q, "%s", cause);
			free(cause);
			q->session = NULL;
			session_free(s);
			return code;
		}
		cmd_join_entered(q, s, rc == 1);
		return CMD_WAIT;
	}

	if ((peer = peer_get(&na, pin, &cause)) == NULL) {
		cmdq_error(q, "%s", cause);
		free(cause);
		q->session = NULL;
		session_free(s);
		return EXIT_REFUSED;
	}
	peer_attach_session(peer, s);
	req = json_pack("{s:s,s:s,s:s,s:s?,s:b,s:b,s:i,s:s,s:s?,s:b}", "op",
	    "join", "room", room, "name", name, "password", p.password,
	    "create", p.create, "lobby", p.lobby, "max", p.max, "session",
	    s->wire, "token", p.token, "token_only", p.token_only);
	/* The reply finds the session by id: it may be gone by then. */
	if (peer_request(peer, req, cmd_join_reply,
	    (void *)(uintptr_t)s->id, &cause) != 0) {
		json_decref(req);
		cmdq_error(q, "%s", cause);
		free(cause);
		q->session = NULL;
		session_free(s);
		return EXIT_REFUSED;
	}
	json_decref(req);
	s->joining = q;
	q->on_event = cmd_join_event;
	q->on_cancel = cmd_join_cancel;
	session_add_waiter(s, q);
	return CMD_WAIT;
}

/* The room took the session: joined, or waiting in the lobby. */
static void
cmd_join_entered(struct cmdq *q, struct session *s, int waiting)
{
	char	room[NAME_MAX_LEN + ADDR_HOST_MAX + 16];

	session_room_string(s, room, sizeof room);
	s->state = waiting ? SESSION_WAITING : SESSION_JOINED;
	if (!waiting || cmdq_has(q, 'W')) {
		s->joining = NULL;
		if (q->json)
			cmdq_json(q, json_pack("{s:s,s:s,s:s}", "room", room,
			    "name", s->name, "state", session_state_name(s)));
		else if (waiting)
			cmdq_print(q, "%s is waiting in the lobby of %s",
			    s->name, room);
		else if (q->entry == &cmd_create_entry)
			cmdq_print(q, "created %s; %s is the host", room,
			    s->name);
		else
			cmdq_print(q, "%s joined %s", s->name, room);
		cmdq_finish(q, EXIT_DONE);
		return;
	}
	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s,s:s}", "room", room, "name",
		    s->name, "state", "waiting"));
	else
		cmdq_print(q, "waiting for the host of %s to admit %s", room,
		    s->name);
	s->joining = q;
	if (q->on_event == NULL) {
		q->on_event = cmd_join_event;
		q->on_cancel = cmd_join_cancel;
		session_add_waiter(s, q);
	}
}

static void
cmd_join_reply(json_t *reply, void *arg)
{
	struct session	*s;
	struct cmdq	*q;
	const char	*err, *state;
	json_t		*v;
	int		 code = EXIT_REFUSED;

	if ((s = session_find_id((uint64_t)(uintptr_t)arg)) == NULL)
		return;
	q = s->joining;
	v = json_object_get(reply, "code");
	if (json_is_integer(v))
		code = (int)json_integer_value(v);
	state = json_string_value(json_object_get(reply, "state"));
	if (code != 0 || state == NULL) {
		if (q != NULL) {
			err = json_string_value(json_object_get(reply, "err"));
			if (err != NULL)
				cmdq_write(q, 2, err, strlen(err));
			s->joining = NULL;
			session_remove_waiter(s, q);
			q->session = NULL;
			cmdq_finish(q, code != 0 ? code : EXIT_REFUSED);
		}
		session_free(s);
		return;
	}
	if (q == NULL) {
		/* The client went away before the answer. */
		s->state = strcmp(state, "waiting") == 0 ? SESSION_WAITING :
		    SESSION_JOINED;
		cmd_join_give_up(s);
		return;
	}
	cmd_join_entered(q, s, strcmp(state, "waiting") == 0);
}

static int
cmd_join_event(struct cmdq *q, json_t *ev, int end)
{
	struct session	*s = q->session;
	const char	*type = json_string_value(json_object_get(ev, "event"));
	char		 room[NAME_MAX_LEN + ADDR_HOST_MAX + 16];

	session_room_string(s, room, sizeof room);
	if (!end && strcmp(type, "admitted") != 0)
		return 0;
	s->joining = NULL;
	if (strcmp(type, "admitted") == 0) {
		if (q->json)
			cmdq_json(q, json_pack("{s:s,s:s,s:s}", "room", room,
			    "name", s->name, "state", "joined"));
		else
			cmdq_print(q, "%s was admitted to %s", s->name, room);
		cmdq_finish(q, EXIT_DONE);
		return 1;
	}
	if (strcmp(type, "denied") == 0)
		cmdq_error(q, "%s was turned away from %s", s->name, room);
	else if (strcmp(type, "ended") == 0)
		cmdq_error(q, "the meeting in %s ended while %s waited", room,
		    s->name);
	else
		cmdq_error(q, "%s stopped waiting for %s (%s)", s->name, room,
		    type);
	cmdq_finish(q, EXIT_NOT_ADMITTED);
	return 1;
}

/* The client of a waiting join went away: give up waiting. */
static void
cmd_join_cancel(struct cmdq *q)
{
	struct session	*s = q->session;

	session_remove_waiter(s, q);
	s->joining = NULL;
	if (s->state == SESSION_JOINING)
		return;		/* cmd_join_reply gives up */
	cmd_join_give_up(s);
}

static void
cmd_join_give_up(struct session *s)
{
	struct nodeop_req	 req;
	char			*cause;

	if (s->state != SESSION_WAITING)
		return;		/* admitted meanwhile: it stays */
	log_info("%s gave up waiting for %s", s->name, s->room);
	/* The member leaves the lobby wherever it is; its session ends. */
	memset(&req, 0, sizeof req);
	req.type = NODEOP_LEAVE;
	if (nodeop_call(s, &req, NULL, NULL, &cause) != 0) {
		free(cause);
		session_end(s, "disconnected", "gave up waiting");
	}
}
