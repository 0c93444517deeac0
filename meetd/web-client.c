/*
 * A browser participant: what a page says over its WebSocket (web.c), as
 * commands of the table.  The page sends JSON messages with a type; each
 * becomes the argv a script would type (say -t bob -- hello) and runs as
 * the connection's session (cmd_run), and the page gets the command's
 * exit status and its -j output back.  The session is a local one like
 * meetctl's, made by create or join, so a room on another node is joined
 * through the node link as any other; it belongs to no Unix user, only the
 * connection acts as it, and it leaves when the connection goes.  Its
 * events reach the page as the JSON lines events -j prints.
 *
 * Page to node: {"type": T, "id": ANY, ...}, T one of web_ops below.
 * Node to page: {"hello": "meet", ...} first; {"reply": ID, "type": T,
 * "code": N, "out": "...", "err": "..."} for each message with an id;
 * room events as they come; {"session": "ended", "name": N} when the
 * session is over; {"error": "..."} for a message that was not understood.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"
#include "web.h"

#define WEB_PENDING_MAX	32	/* commands of one page in flight */

struct web_client {
	struct web_conn	*conn;
	uint64_t	 conn_id;
	uint64_t	 session;	/* its session's id, 0: none */
	int		 joining;	/* a create or join in flight */
	u_int		 pending;
};

/* What a command in flight answers to: the connection may be gone. */
struct web_call {
	uint64_t	 conn_id;
	json_t		*id;		/* the page's, or NULL */
	char		 type[16];
	int		 joins;
};

struct web_op {
	const char	*type;
	int		 session;	/* needs one (else: must have none) */
	int		 joins;		/* makes one */
	int		(*argv)(json_t *, json_t *, char *, size_t);
};

static int	web_argv_join(json_t *, json_t *, char *, size_t);
static int	web_argv_plain(json_t *, json_t *, char *, size_t);
static int	web_argv_say(json_t *, json_t *, char *, size_t);
static int	web_argv_react(json_t *, json_t *, char *, size_t);
static int	web_argv_name(json_t *, json_t *, char *, size_t);
static int	web_argv_mute(json_t *, json_t *, char *, size_t);
static int	web_argv_files(json_t *, json_t *, char *, size_t);
static const char *web_field(json_t *, const char *, int, char *, size_t,
		    int *);
static void	web_client_error(struct web_client *, json_t *, const char *);
static void	web_client_reply(uint64_t, int, const char *, const char *,
		    void *);
static void	web_client_ignore(uint64_t, int, const char *, const char *,
		    void *);
static void	web_client_attach(struct web_client *, struct session *);
static void	web_client_event(struct session *, json_t *, void *);
static void	web_client_gone(struct session *, void *);
static void	web_client_leave(struct session *);

static const struct web_op web_ops[] = {
	{ "join", 0, 1, web_argv_join },
	{ "create", 0, 1, web_argv_join },
	{ "leave", 1, 0, web_argv_plain },
	{ "say", 1, 0, web_argv_say },
	{ "react", 1, 0, web_argv_react },
	{ "who", 1, 0, web_argv_plain },
	{ "history", 1, 0, web_argv_plain },
	{ "files", 1, 0, web_argv_files },
	{ "admit", 1, 0, web_argv_name },
	{ "deny", 1, 0, web_argv_name },
	{ "kick", 1, 0, web_argv_name },
	{ "mute", 1, 0, web_argv_mute },
	{ "unmute", 1, 0, web_argv_mute },
	{ "lock", 1, 0, web_argv_plain },
	{ "unlock", 1, 0, web_argv_plain },
	{ "end", 1, 0, web_argv_plain },
	{ NULL, 0, 0, NULL }
};

struct web_client *
web_client_new(struct web_conn *conn)
{
	struct web_client	*wc;

	wc = xcalloc(1, sizeof *wc);
	wc->conn = conn;
	wc->conn_id = web_conn_id(conn);
	web_send_json(conn, json_pack("{s:s,s:s,s:s,s:s,s:i}", "hello",
	    "meet", "version", MEET_VERSION, "node", cfg->node_name, "secret",
	    web_conn_secret(conn), "max_message", cfg->web_max_message));
	return wc;
}

/* The connection is gone: so is its participant. */
void
web_client_free(struct web_client *wc)
{
	struct session	*s;

	if (wc->session != 0 && (s = session_find_id(wc->session)) != NULL) {
		s->owner_event = NULL;
		s->owner_gone = NULL;
		s->owner = NULL;
		web_client_leave(s);
	}
	free(wc);
}

/* s leaves its room (its lobby), wherever that is; the session ends. */
static void
web_client_leave(struct session *s)
{
	json_t	*argv;

	log_info("web: %s leaves %s: its page closed", s->name, s->room);
	argv = json_pack("[s]", "leave");
	cmd_run(s, argv, 1, web_client_ignore, NULL);
	json_decref(argv);
}

static void
web_client_ignore(uint64_t sid, int code, const char *out, const char *err,
    void *arg)
{
	(void)sid;
	(void)out;
	(void)arg;
	if (code != 0 && err != NULL && *err != '\0')
		log_debug("web: a leave failed: %s", err);
}

static void
web_client_error(struct web_client *wc, json_t *id, const char *why)
{
	json_t	*o;

	o = json_pack("{s:s}", "error", why);
	if (id != NULL)
		json_object_set(o, "reply", id);
	web_send_json(wc->conn, o);
}

/*
 * A string field of the page's message into buf: NULL when it is absent
 * and may be (*bad 0), or when it is not a string or too long (*bad 1).
 */
static const char *
web_field(json_t *msg, const char *key, int required, char *buf,
    size_t len, int *bad)
{
	json_t		*v = json_object_get(msg, key);
	const char	*s;

	*bad = 0;
	if (v == NULL || json_is_null(v)) {
		*bad = required;
		return NULL;
	}
	if (!json_is_string(v) || (s = json_string_value(v)) == NULL ||
	    json_string_length(v) >= len ||
	    strlen(s) != json_string_length(v)) {
		*bad = 1;
		return NULL;
	}
	snprintf(buf, len, "%s", s);
	return buf;
}

#define WEB_FIELD(msg, key, req, buf, err, errlen, out) do {		\
	int	bad_;							\
	(out) = web_field((msg), (key), (req), (buf), sizeof (buf), &bad_); \
	if (bad_) {							\
		snprintf((err), (errlen), "%s: a string is needed%s",	\
		    (key), (req) ? "" : ", or nothing");		\
		return -1;						\
	}								\
} while (0)

/* join {room, name, password?, token?}; create {room, name, lobby?, ...}. */
static int
web_argv_join(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	char		 room[NAME_MAX_LEN + ADDR_HOST_MAX + 16];
	char		 name[NAME_MAX_LEN + 1], pass[1024], token[4096];
	const char	*r, *n, *p, *t;
	int		 create;

	create = strcmp(json_string_value(json_array_get(argv, 0)),
	    "create") == 0;
	WEB_FIELD(msg, "room", 1, room, err, errlen, r);
	WEB_FIELD(msg, "name", 1, name, err, errlen, n);
	WEB_FIELD(msg, "password", 0, pass, err, errlen, p);
	WEB_FIELD(msg, "token", 0, token, err, errlen, t);
	json_array_append_new(argv, json_string("--as"));
	json_array_append_new(argv, json_string(n));
	if (p != NULL && *p != '\0') {
		json_array_append_new(argv, json_string("-p"));
		json_array_append_new(argv, json_string(p));
	}
	if (create) {
		if (json_is_true(json_object_get(msg, "lobby")))
			json_array_append_new(argv, json_string("-a"));
	} else {
		/* The lobby is seen in events, not waited for here. */
		json_array_append_new(argv, json_string("--no-wait"));
		if (t != NULL && *t != '\0') {
			json_array_append_new(argv, json_string("--token"));
			json_array_append_new(argv, json_string(t));
		}
	}
	json_array_append_new(argv, json_string("--"));
	json_array_append_new(argv, json_string(r));
	return 0;
}

/* Commands with nothing to add: leave, who, history, lock, ... */
static int
web_argv_plain(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	(void)msg;
	(void)argv;
	(void)err;
	(void)errlen;
	return 0;
}

/* say {text, to?}: to everyone, or privately. */
static int
web_argv_say(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	char		*text, to[NAME_MAX_LEN + 1];
	const char	*t;
	json_t		*v = json_object_get(msg, "text");

	WEB_FIELD(msg, "to", 0, to, err, errlen, t);
	if (!json_is_string(v)) {
		snprintf(err, errlen, "text: a string is needed");
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(err, errlen, "text: no NUL in a message");
		return -1;
	}
	if (t != NULL && *t != '\0') {
		json_array_append_new(argv, json_string("-t"));
		json_array_append_new(argv, json_string(t));
	}
	text = xstrdup(json_string_value(v));
	json_array_append_new(argv, json_string("--"));
	json_array_append_new(argv, json_string(text));
	free(text);
	return 0;
}

/* react {emoji}. */
static int
web_argv_react(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	char		 emoji[256];
	const char	*e;

	WEB_FIELD(msg, "emoji", 1, emoji, err, errlen, e);
	json_array_append_new(argv, json_string("--"));
	json_array_append_new(argv, json_string(e));
	return 0;
}

/* admit, deny, kick {name}. */
static int
web_argv_name(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	char		 name[NAME_MAX_LEN + 1];
	const char	*n;

	WEB_FIELD(msg, "name", 1, name, err, errlen, n);
	json_array_append_new(argv, json_string("--"));
	json_array_append_new(argv, json_string(n));
	return 0;
}

/* mute {media: audio|video, name?}, unmute {media}: one's own, or NAME's. */
static int
web_argv_mute(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	char		 media[16], name[NAME_MAX_LEN + 1];
	const char	*m, *n;

	WEB_FIELD(msg, "media", 1, media, err, errlen, m);
	WEB_FIELD(msg, "name", 0, name, err, errlen, n);
	if (strcmp(m, "audio") != 0 && strcmp(m, "video") != 0) {
		snprintf(err, errlen, "media: audio or video");
		return -1;
	}
	json_array_append_new(argv, json_string(*m == 'a' ? "-a" : "-v"));
	if (n != NULL && *n != '\0') {
		json_array_append_new(argv, json_string("--"));
		json_array_append_new(argv, json_string(n));
	}
	return 0;
}

/* files: file list; a file comes by HTTP (web.c, web_client_file). */
static int
web_argv_files(json_t *msg, json_t *argv, char *err, size_t errlen)
{
	(void)msg;
	(void)err;
	(void)errlen;
	json_array_set_new(argv, 0, json_string("file"));
	json_array_append_new(argv, json_string("list"));
	return 0;
}

void
web_client_message(struct web_client *wc, const char *data, size_t len)
{
	const struct web_op	*op;
	struct web_call		*call;
	struct session		*s = NULL;
	json_error_t		 jerr;
	json_t			*msg, *id, *argv;
	const char		*type;
	char			 err[256];

	msg = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(msg)) {
		web_client_error(wc, NULL, "a message is a JSON object");
		json_decref(msg);
		return;
	}
	id = json_object_get(msg, "id");
	type = json_string_value(json_object_get(msg, "type"));
	for (op = web_ops; type != NULL && op->type != NULL; op++) {
		if (strcmp(op->type, type) == 0)
			break;
	}
	if (type == NULL || op->type == NULL) {
		snprintf(err, sizeof err, "unknown message type %s",
		    type != NULL ? type : "(none)");
		web_client_error(wc, id, err);
		goto out;
	}
	if (wc->pending >= WEB_PENDING_MAX) {
		web_client_error(wc, id, "too many commands at once");
		goto out;
	}
	if (wc->joining) {
		web_client_error(wc, id, "still joining");
		goto out;
	}
	if (wc->session != 0)
		s = session_find_id(wc->session);
	if (op->session && s == NULL) {
		web_client_error(wc, id, "not in a room: join one first");
		goto out;
	}
	if (op->joins && s != NULL) {
		web_client_error(wc, id, "already in a room: leave it first");
		goto out;
	}
	argv = json_pack("[s]", op->type);
	if (op->argv(msg, argv, err, sizeof err) != 0) {
		json_decref(argv);
		web_client_error(wc, id, err);
		goto out;
	}
	call = xcalloc(1, sizeof *call);
	call->conn_id = wc->conn_id;
	call->id = json_incref(id);
	snprintf(call->type, sizeof call->type, "%s", op->type);
	call->joins = op->joins;
	wc->pending++;
	if (op->joins)
		wc->joining = 1;
	cmd_run(op->session ? s : NULL, argv, 1, web_client_reply, call);
	json_decref(argv);
out:
	json_decref(msg);
}

/* A command is done: its answer to the page, if the page is still there. */
static void
web_client_reply(uint64_t sid, int code, const char *out, const char *err,
    void *arg)
{
	struct web_call		*call = arg;
	struct web_conn		*conn;
	struct web_client	*wc = NULL;
	struct session		*s;
	json_t			*o;

	if ((conn = web_conn_find(call->conn_id)) != NULL)
		wc = web_conn_client(conn);
	s = sid != 0 ? session_find_id(sid) : NULL;
	if (wc == NULL) {
		/* Its page closed while it joined: it leaves at once. */
		if (call->joins && code == 0 && s != NULL)
			web_client_leave(s);
		goto out;
	}
	wc->pending--;
	if (call->joins) {
		wc->joining = 0;
		if (code == 0 && s != NULL)
			web_client_attach(wc, s);
	}
	if (call->id != NULL) {
		o = json_pack("{s:O,s:s,s:i,s:s,s:s}", "reply", call->id,
		    "type", call->type, "code", code, "out", out != NULL ? out :
		    "", "err", err != NULL ? err : "");
		if (o != NULL)
			web_send_json(wc->conn, o);
	}
out:
	json_decref(call->id);
	free(call);
}

/*
 * The session create or join made is the page's now: it hears its events,
 * first those it had before the page took it.
 */
static void
web_client_attach(struct web_client *wc, struct session *s)
{
	uint64_t	seq, first;

	wc->session = s->id;
	s->owner_event = web_client_event;
	s->owner_gone = web_client_gone;
	s->owner = wc;
	log_info("web: %s is in %s from %s", s->name, s->room,
	    web_conn_addr(wc->conn));
	first = s->next_seq > s->logsize ? s->next_seq - s->logsize : 0;
	for (seq = first; seq < s->next_seq; seq++)
		web_send_json(wc->conn, json_incref(s->log[seq %
		    s->logsize].ev));
}

static void
web_client_event(struct session *s, json_t *ev, void *arg)
{
	struct web_client	*wc = arg;

	(void)s;
	web_send_json(wc->conn, json_incref(ev));
}

static void
web_client_gone(struct session *s, void *arg)
{
	struct web_client	*wc = arg;

	wc->session = 0;
	web_send_json(wc->conn, json_pack("{s:s,s:s,s:s}", "session", "ended",
	    "name", s->name, "room", s->room));
}

/* The id of the page's session, 0 when it has none. */
uint64_t
web_client_session(struct web_client *wc)
{
	return wc->session;
}

/*
 * A shared file of the page's room for download: 0 with its fd (the caller
 * closes it), name and size; 1 when the room is on another node, whence it
 * must be fetched; -1 and why in err.
 */
int
web_client_file(struct web_client *wc, const char *id, int *fd, char *name,
    size_t namelen, uint64_t *size, char *err, size_t errlen)
{
	struct session		*s;
	struct shared_file	*f;

	if ((s = session_find_id(wc->session)) == NULL ||
	    s->state != SESSION_JOINED) {
		snprintf(err, errlen, "the page is not in a room");
		return -1;
	}
	if (s->member == NULL)
		return 1;	/* on the room's node: web-fetch.c */
	if ((f = spool_find(s->member->room, id)) == NULL ||
	    !spool_visible(f, s->member)) {
		snprintf(err, errlen, "no file %s in %s", id, s->room);
		return -1;
	}
	if ((*fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "file %s: %s", id, strerror(errno));
		return -1;
	}
	snprintf(name, namelen, "%s", f->name);
	*size = f->size;
	return 0;
}
