/*
 * Commands: the table, argument parsing and where a command runs.
 *
 * A command is a struct cmd_entry in one cmd-*.c file and a row in
 * cmd_table.  meetctl sends argv; this file parses it with the entry's
 * options, finds the session it acts for, and runs it here, or, when the
 * session's room is on another node, sends it there over the node link and
 * relays the answer.  The same entry runs on the hosting node for members
 * joined from elsewhere (cmd_from_remote).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"

extern const struct cmd_entry cmd_status_entry, cmd_rooms_entry,
    cmd_create_entry, cmd_join_entry, cmd_leave_entry, cmd_end_entry,
    cmd_sessions_entry, cmd_who_entry, cmd_admit_entry, cmd_deny_entry,
    cmd_kick_entry, cmd_lock_entry, cmd_unlock_entry, cmd_say_entry,
    cmd_react_entry, cmd_history_entry, cmd_events_entry, cmd_wait_entry,
    cmd_file_entry, cmd_stats_entry, cmd_send_entry, cmd_recv_entry,
    cmd_mute_entry, cmd_unmute_entry, cmd_rtp_entry, cmd_record_entry;
extern const struct cmd_entry cmd_token_entry;

const struct cmd_entry *cmd_table[] = {
	&cmd_status_entry,
	&cmd_rooms_entry,
	&cmd_create_entry,
	&cmd_join_entry,
	&cmd_leave_entry,
	&cmd_end_entry,
	&cmd_sessions_entry,
	&cmd_who_entry,
	&cmd_admit_entry,
	&cmd_deny_entry,
	&cmd_kick_entry,
	&cmd_lock_entry,
	&cmd_unlock_entry,
	&cmd_say_entry,
	&cmd_react_entry,
	&cmd_history_entry,
	&cmd_events_entry,
	&cmd_wait_entry,
	&cmd_file_entry,
	&cmd_stats_entry,
	&cmd_send_entry,
	&cmd_recv_entry,
	&cmd_mute_entry,
	&cmd_unmute_entry,
	&cmd_rtp_entry,
	&cmd_record_entry,
	&cmd_token_entry,
	NULL
};

static const struct cmd_entry *cmd_find(const char *);
static struct cmdq *cmdq_new(json_t *, int);
static void	cmdq_free(struct cmdq *);
static int	cmd_parse(struct cmdq *, char **);
static int	cmd_check_member(struct cmdq *);
static void	cmd_forward_done(int, const char *, const char *, void *);
static void	cmd_forward_cancel(struct cmdq *);
static void	cmd_call_reply(json_t *, void *);
static void	cmd_call_local_done(struct cmdq *, int);
static void	cmd_exec(struct cmdq *);
static void	cmd_dispatch(struct cmdq *);
static void	cmd_run_done(struct cmdq *, int);
static void	cmdq_vline(struct cmdq *, int, const char *, va_list);

static const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry	**e;

	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
	}
	return NULL;
}

static struct cmdq *
cmdq_new(json_t *argv, int json)
{
	struct cmdq	*q;

	q = xcalloc(1, sizeof *q);
	q->argv = json_incref(argv);
	q->json = json;
	q->in_fd = -1;
	q->out_fd = -1;
	return q;
}

static void
cmdq_free(struct cmdq *q)
{
	int	i;

	if (q->session != NULL && q->on_event != NULL)
		session_remove_waiter(q->session, q);
	if (q->timer != NULL)
		event_free(q->timer);
	if (q->in_fd != -1)
		close(q->in_fd);
	if (q->out_fd != -1)
		close(q->out_fd);
	for (i = 0; i < q->argc; i++)
		free(q->args[i]);
	free(q->args);
	for (i = 0; i < CMD_MAXOPTS; i++)
		free(q->opts[i]);
	if (q->out != NULL)
		evbuffer_free(q->out);
	if (q->err != NULL)
		evbuffer_free(q->err);
	json_decref(q->argv);
	free(q);
}

/*
 * Errors (fd 2) name what was wrong, often what someone else typed or
 * another node sent: whatever they hold, no control character but the
 * newlines between lines reaches the terminal.
 */
void
cmdq_write(struct cmdq *q, int fd, const char *data, size_t len)
{
	char	*safe = NULL;

	if (fd == 2) {
		safe = text_escape(data, len, TEXT_ESCAPE_LINES);
		data = safe;
		len = strlen(safe);
	}
	if (q->client != NULL)
		client_output(q->client, fd, data, len);
	else if (fd == 1 && q->out != NULL)
		evbuffer_add(q->out, data, len);
	else if (fd == 2 && q->err != NULL)
		evbuffer_add(q->err, data, len);
	free(safe);
}

/*
 * Format a line (the newline is added) to fd 1 or 2 of whoever asked; an
 * error is one line, whatever newlines the text it names holds.
 */
static void
cmdq_vline(struct cmdq *q, int fd, const char *fmt, va_list ap)
{
	char	*s, *safe;
	int	 n;

	if ((n = vasprintf(&s, fmt, ap)) == -1)
		fatal("cmdq_vline");
	if (fd == 2) {
		safe = text_escape(s, (size_t)n, 0);
		free(s);
		s = safe;
		n = (int)strlen(s);
	}
	s = xreallocarray(s, 1, (size_t)n + 2);
	s[n] = '\n';
	s[n + 1] = '\0';
	cmdq_write(q, fd, s, (size_t)n + 1);
	free(s);
}

void
cmdq_print(struct cmdq *q, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cmdq_vline(q, 1, fmt, ap);
	va_end(ap);
}

void
cmdq_error(struct cmdq *q, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	cmdq_vline(q, 2, fmt, ap);
	va_end(ap);
}

/* Print a JSON object as one line; takes the reference. */
void
cmdq_json(struct cmdq *q, json_t *o)
{
	char	*s;

	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return;
	cmdq_print(q, "%s", s);
	free(s);
}

int
cmdq_has(struct cmdq *q, int ch)
{
	return ch > 0 && ch < CMD_MAXOPTS && q->opts[ch] != NULL;
}

const char *
cmdq_get(struct cmdq *q, int ch)
{
	if (ch <= 0 || ch >= CMD_MAXOPTS)
		return NULL;
	return q->opts[ch];
}

/* The command is over: answer whoever asked, and free q. */
void
cmdq_finish(struct cmdq *q, int code)
{
	if (q->client != NULL)
		client_exit(q->client, code);
	else if (q->remote != NULL)
		remote_reply(q->remote, q->reqid, code, q->out, q->err, NULL);
	else if (q->done != NULL)
		q->done(q, code);
	cmdq_free(q);
}

/* Whoever asked is gone: stop what q waits for, and free it. */
void
cmdq_cancel(struct cmdq *q)
{
	q->client = NULL;
	if (q->on_cancel != NULL)
		q->on_cancel(q);
	cmdq_free(q);
}

/*
 * Parse argv with the entry's options into q.  0, or -1 after printing the
 * problem and the usage line.
 */
static int
cmd_parse(struct cmdq *q, char **argv)
{
	const struct cmd_entry	*e = q->entry;
	struct option		 longopts[32];
	char			 optstring[64];
	int			 argc, ch, n = 0, i;

	for (argc = 0; argv[argc] != NULL; argc++)
		;
	if (e->longopts != NULL) {
		for (; e->longopts[n].name != NULL && n < 30; n++)
			longopts[n] = e->longopts[n];
	}
	longopts[n].name = "json";
	longopts[n].has_arg = no_argument;
	longopts[n].flag = NULL;
	longopts[n].val = 'j';
	memset(&longopts[n + 1], 0, sizeof longopts[n + 1]);
	/* Options may follow arguments, but not in text (say). */
	snprintf(optstring, sizeof optstring, "%s:j%s",
	    (e->flags & CMD_TEXT) ? "+" : "", e->optstring);

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, optstring, longopts,
	    NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			if (optopt != 0 && ch == '?')
				cmdq_error(q, "%s: unknown option -%c",
				    e->name, optopt);
			else if (optopt != 0)
				cmdq_error(q, "%s: option -%c needs a value",
				    e->name, optopt);
			else
				cmdq_error(q, "%s: bad option %s", e->name,
				    argv[optind - 1]);
			goto usage;
		}
		if (ch == 'j') {
			q->json = 1;
			continue;
		}
		if (ch <= 0 || ch >= CMD_MAXOPTS)
			continue;
		free(q->opts[ch]);
		q->opts[ch] = xstrdup(optarg != NULL ? optarg : "");
	}
	argc -= optind;
	argv += optind;
	if (argc < e->lower || (e->upper != -1 && argc > e->upper)) {
		cmdq_error(q, "%s: %s arguments", e->name,
		    argc < e->lower ? "too few" : "too many");
		goto usage;
	}
	q->argc = argc;
	q->args = xcalloc((size_t)argc + 1, sizeof *q->args);
	for (i = 0; i < argc; i++)
		q->args[i] = xstrdup(argv[i]);
	return 0;

usage:
	cmdq_error(q, "usage: meetctl %s %s", e->name, e->usage);
	return -1;
}

/* Build q from an argv array; -1 after an error is printed. */
static int
cmd_prepare(struct cmdq *q)
{
	json_t		*v;
	char		**av;
	size_t		 n, i;
	int		 r;

	n = json_array_size(q->argv);
	if (n == 0) {
		cmdq_error(q, "no command given; try: meetctl status");
		return -1;
	}
	av = xcalloc(n + 1, sizeof *av);
	for (i = 0; i < n; i++) {
		v = json_array_get(q->argv, i);
		if (!json_is_string(v)) {
			cmdq_error(q, "argument %zu is not a string", i);
			r = -1;
			goto out;
		}
		av[i] = xstrdup(json_string_value(v));
	}
	if ((q->entry = cmd_find(av[0])) == NULL) {
		cmdq_error(q, "unknown command: %s", av[0]);
		r = -1;
	} else
		r = cmd_parse(q, av);

out:
	/* getopt_long permutes av, but every string is still in it once. */
	for (i = 0; i < n; i++)
		free(av[i]);
	free(av);
	return r;
}

/*
 * q acts as q->member on the node hosting its room: check that the member
 * may run the command.  0, or an exit status after printing why.
 */
static int
cmd_check_member(struct cmdq *q)
{
	struct member	*m = q->member;
	int		 flags = q->entry->flags;

	if ((flags & CMD_JOINED) && m->state != MEMBER_JOINED) {
		cmdq_error(q, "%s is waiting in the lobby of %s", m->name,
		    m->room->name);
		return EXIT_REFUSED;
	}
	/* A co-host (by a --host join token) may do what the host may. */
	if ((flags & CMD_HOST) && !member_is_host(m)) {
		cmdq_error(q, "only the host (%s) may %s",
		    m->room->host != NULL ? m->room->host->name : "none",
		    q->entry->name);
		return EXIT_REFUSED;
	}
	return 0;
}

static void
cmd_exec(struct cmdq *q)
{
	int	code;

	if (q->member != NULL && (code = cmd_check_member(q)) != 0) {
		cmdq_finish(q, code);
		return;
	}
	code = q->entry->exec(q);
	if (code != CMD_WAIT)
		cmdq_finish(q, code);
}

/*
 * Pick the session a client's command acts for, among those its user may
 * act as (session_permits); NULL after an error.
 */
static struct session *
cmd_pick_session(struct cmdq *q, const char *name, int *code)
{
	struct session	*s, *mine = NULL;
	uid_t		 uid = client_uid(q->client);
	char		 list[512];
	size_t		 off = 0;
	u_int		 n = 0;

	*code = EXIT_REFUSED;
	if (name != NULL) {
		if ((s = session_find(name)) == NULL) {
			cmdq_error(q, "no session %s on this node", name);
			return NULL;
		}
		if (!session_permits(s, uid)) {
			cmdq_error(q, "session %s belongs to another user",
			    name);
			return NULL;
		}
		return s;
	}
	TAILQ_FOREACH(s, &sessions, entry) {
		if (session_permits(s, uid) && n++ == 0)
			mine = s;
	}
	if (n == 0) {
		cmdq_error(q, "no session: create or join a room first");
		return NULL;
	}
	if (n == 1)
		return mine;
	list[0] = '\0';
	TAILQ_FOREACH(s, &sessions, entry) {
		if (session_permits(s, uid) && off < sizeof list)
			off += (size_t)snprintf(list + off, sizeof list - off,
			    "%s%s", off == 0 ? "" : ", ", s->name);
	}
	cmdq_error(q, "there are several sessions (%s): pick one with -s",
	    list);
	*code = EXIT_USAGE;
	return NULL;
}

/* A command from meetctl: body {argv, session, json}. */
void
cmd_from_client(struct client *c, json_t *body, int in_fd, int out_fd)
{
	struct cmdq	*q;
	json_t		*v;
	const char	*sname = NULL;
	int		 code;

	q = cmdq_new(json_object_get(body, "argv"), 0);
	q->client = c;
	q->in_fd = in_fd;
	q->out_fd = out_fd;
	client_set_cmd(c, q);
	if (json_is_true(json_object_get(body, "json")))
		q->json = 1;
	v = json_object_get(body, "session");
	if (json_is_string(v))
		sname = json_string_value(v);
	if (!json_is_array(q->argv) || cmd_prepare(q) != 0) {
		cmdq_finish(q, EXIT_USAGE);
		return;
	}
	if (!(q->entry->flags & CMD_SESSION)) {
		cmd_exec(q);
		return;
	}
	if ((q->session = cmd_pick_session(q, sname, &code)) == NULL) {
		cmdq_finish(q, code);
		return;
	}
	cmd_dispatch(q);
}

/*
 * q acts for q->session: run it here, or, when it is a room command and the
 * room is on another node, there.
 */
static void
cmd_dispatch(struct cmdq *q)
{
	char	*cause;
	int	 code;

	if (!(q->entry->flags & CMD_ROOM)) {
		cmd_exec(q);
		return;
	}
	if (q->entry->local != NULL) {
		code = q->entry->local(q);
		if (code == CMD_WAIT)
			return;
		if (code > 0) {
			cmdq_finish(q, code);
			return;
		}
	}
	if (q->session->state == SESSION_JOINING) {
		cmdq_error(q, "%s is still joining %s", q->session->name,
		    q->session->room);
		cmdq_finish(q, EXIT_REFUSED);
		return;
	}
	if (q->session->member != NULL) {
		q->member = q->session->member;
		cmd_exec(q);
		return;
	}
	/* The room is on another node: run it there. */
	q->on_cancel = cmd_forward_cancel;
	if (cmd_room_call(q->session, q->argv, q->json, cmd_forward_done, q,
	    &cause) != 0) {
		cmdq_error(q, "%s", cause);
		free(cause);
		cmdq_finish(q, EXIT_REFUSED);
	}
}

static void
cmd_forward_done(int code, const char *out, const char *err, void *arg)
{
	struct cmdq	*q = arg;

	if (out != NULL && *out != '\0')
		cmdq_write(q, 1, out, strlen(out));
	if (err != NULL && *err != '\0')
		cmdq_write(q, 2, err, strlen(err));
	q->on_cancel = NULL;
	cmdq_finish(q, code);
}

static void
cmd_forward_cancel(struct cmdq *q)
{
	cmd_call_forget(q);
}

/* A command from a peer node: body {id, session, argv, json}. */
void
cmd_from_remote(struct remote *r, uint64_t reqid, json_t *body)
{
	struct cmdq	*q;
	struct member	*m;
	const char	*sid;

	q = cmdq_new(json_object_get(body, "argv"), 0);
	q->remote = r;
	q->reqid = reqid;
	q->out = evbuffer_new();
	q->err = evbuffer_new();
	if (json_is_true(json_object_get(body, "json")))
		q->json = 1;
	sid = json_string_value(json_object_get(body, "session"));
	if (!json_is_array(q->argv) || cmd_prepare(q) != 0) {
		cmdq_finish(q, EXIT_USAGE);
		return;
	}
	if (sid == NULL) {
		if (!(q->entry->flags & CMD_REMOTE)) {
			cmdq_error(q, "%s cannot be run from another node",
			    q->entry->name);
			cmdq_finish(q, EXIT_REFUSED);
			return;
		}
		cmd_exec(q);
		return;
	}
	m = remote_member(r, sid);
	if (m == NULL || !(q->entry->flags & CMD_ROOM)) {
		cmdq_error(q, m == NULL ? "no such participant here" :
		    "%s is not a room command", q->entry->name);
		cmdq_finish(q, EXIT_REFUSED);
		return;
	}
	q->member = m;
	cmd_exec(q);
}

/*
 * Run argv as a room command for session s, wherever its room is, and call
 * cb with the exit status and output.  On this node it runs at once; on
 * another it goes over the link, and arg must then be given to peer_forget
 * if it goes away first.  -1 and *cause when it cannot be sent.
 */
struct cmd_call {
	cmd_call_cb		 cb;
	void			*arg;	/* NULL once forgotten */
	TAILQ_ENTRY(cmd_call)	 entry;
};
static TAILQ_HEAD(, cmd_call) cmd_calls = TAILQ_HEAD_INITIALIZER(cmd_calls);

/* arg is going away: calls made for it answer nobody. */
void
cmd_call_forget(void *arg)
{
	struct cmd_call	*call;

	TAILQ_FOREACH(call, &cmd_calls, entry) {
		if (call->arg == arg)
			call->arg = NULL;
	}
}

/* A buffer's contents as a string the caller frees. */
static char *
buffer_string(struct evbuffer *b)
{
	size_t	len = evbuffer_get_length(b);

	if (len == 0)
		return xstrdup("");
	return xstrndup((char *)evbuffer_pullup(b, -1), len);
}

static void
cmd_call_local_done(struct cmdq *q, int code)
{
	struct cmd_call	*call = q->done_arg;
	char		*out, *err;

	out = buffer_string(q->out);
	err = buffer_string(q->err);
	call->cb(code, out, err, call->arg);
	free(out);
	free(err);
	free(call);
}

static void
cmd_call_reply(json_t *reply, void *arg)
{
	struct cmd_call	*call = arg;
	json_t		*v;
	int		 code = EXIT_REFUSED;

	TAILQ_REMOVE(&cmd_calls, call, entry);
	if (call->arg == NULL) {
		free(call);
		return;
	}
	v = json_object_get(reply, "code");
	if (json_is_integer(v))
		code = (int)json_integer_value(v);
	call->cb(code, json_string_value(json_object_get(reply, "out")),
	    json_string_value(json_object_get(reply, "err")), call->arg);
	free(call);
}

int
cmd_room_call(struct session *s, json_t *argv, int json, cmd_call_cb cb,
    void *arg, char **cause)
{
	struct cmd_call	*call;
	struct cmdq	*q;

	call = xcalloc(1, sizeof *call);
	call->cb = cb;
	call->arg = arg;
	if (s->member != NULL) {
		q = cmdq_new(argv, json);
		q->out = evbuffer_new();
		q->err = evbuffer_new();
		q->done = cmd_call_local_done;
		q->done_arg = call;
		if (cmd_prepare(q) != 0) {
			cmdq_finish(q, EXIT_USAGE);
			return 0;
		}
		q->member = s->member;
		cmd_exec(q);
		return 0;
	}
	free(call);
	if (s->peer == NULL) {
		xasprintf(cause, "%s is not in a room", s->name);
		return -1;
	}
	return cmd_peer_call(s->peer, s->wire, argv, json, cb, arg, cause);
}

/*
 * Run argv on the node at the far end of peer p, for its member of session
 * sid (the session's wire id; NULL: a node command such as rooms).  cb as for cmd_room_call.
 */
int
cmd_peer_call(struct peer *p, const char *sid, json_t *argv, int json,
    cmd_call_cb cb, void *arg, char **cause)
{
	struct cmd_call	*call;
	json_t		*req;

	call = xcalloc(1, sizeof *call);
	call->cb = cb;
	call->arg = arg;
	req = json_pack("{s:s,s:s?,s:O,s:b}", "op", "cmd", "session",
	    sid, "argv", argv, "json", json);
	if (peer_request(p, req, cmd_call_reply, call, cause) != 0) {
		json_decref(req);
		free(call);
		return -1;
	}
	json_decref(req);
	TAILQ_INSERT_TAIL(&cmd_calls, call, entry);
	return 0;
}

/*
 * A command for a participant the node serves itself, which has no meetctl
 * (a browser, web-client.c): argv runs as session s as if s's user had
 * typed it, or, for create and join, which make a session, as no user (the
 * session they make belongs to no uid: only its maker acts as it).  Its
 * output is collected, and cb gets it with the exit status and the id of
 * the session it acted as or made (0 when there is none any more).
 */
struct cmd_run {
	cmd_run_cb	 cb;
	void		*arg;
	uint64_t	 sid;	/* the session it acts as, by id */
};

static void
cmd_run_done(struct cmdq *q, int code)
{
	struct cmd_run	*run = q->done_arg;
	char		*out, *err;

	/*
	 * The session a command acts as may have ended while it ran on
	 * another node: it is known by id.  The one create or join made is
	 * q->session until they finish, or NULL if it ended.
	 */
	if (run->sid == 0 && q->session != NULL)
		run->sid = q->session->id;
	out = buffer_string(q->out);
	err = buffer_string(q->err);
	run->cb(run->sid, code, out, err, run->arg);
	free(out);
	free(err);
	free(run);
}

void
cmd_run(struct session *s, json_t *argv, int json, cmd_run_cb cb, void *arg)
{
	struct cmd_run	*run;
	struct cmdq	*q;

	run = xcalloc(1, sizeof *run);
	run->cb = cb;
	run->arg = arg;
	q = cmdq_new(argv, json);
	q->out = evbuffer_new();
	q->err = evbuffer_new();
	q->done = cmd_run_done;
	q->done_arg = run;
	if (!json_is_array(argv) || cmd_prepare(q) != 0) {
		cmdq_finish(q, EXIT_USAGE);
		return;
	}
	if (!(q->entry->flags & CMD_SESSION)) {
		cmd_exec(q);
		return;
	}
	if (s == NULL) {
		cmdq_error(q, "no session: join a room first");
		cmdq_finish(q, EXIT_REFUSED);
		return;
	}
	q->session = s;
	run->sid = s->id;
	cmd_dispatch(q);
}
