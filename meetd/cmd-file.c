/*
 * file send, file list and file get.
 *
 * send and get run on meetctl's node: meetctl opens the user's file (with
 * the user's rights, in meetctl's directory) and passes it over; the bytes
 * then go to or come from the spool of the room's node, over the link when
 * that is another node (transfer.c), straight from file to file when it is
 * this one.  A get writes PATH.part and renames it only after the SHA-256
 * check.  list runs where the room is.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"
#include "sha256.h"

/* One send or get in progress, owned by its command or, after the command
 * went away, by whatever callback is still due. */
struct file_op {
	struct cmdq		*q;		/* NULL once cancelled */
	struct session		*s;
	struct peer		*peer;		/* the room's node, or NULL */
	int			 pending;	/* requests not answered */
	int			 get;
	char			 id[17];
	char			 name[FILENAME_MAX_LEN + 1];
	char			 sha256[65];
	char			*path;		/* get: final name */
	char			*part;
	uint64_t		 size;
	int			 fd;
	int			 src_fd;	/* local get: the spool file */
	struct shared_file	*spooled;	/* local send */
	struct xfer		*x;
	struct event		*progress;
	int			 shown;		/* a progress line is up */
};

static int	cmd_file_exec(struct cmdq *);
static int	cmd_file_local(struct cmdq *);
static void	file_opened(int, const char *, void *);
static void	file_offered(json_t *, void *);
static void	file_sent(struct xfer *, const char *);
static void	file_committed(json_t *, void *);
static void	file_got_info(json_t *, void *);
static void	file_dst_opened(int, const char *, void *);
static void	file_received(struct xfer *, const char *);
static void	file_renamed(int, const char *, void *);
static void	file_fail(struct file_op *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	file_done(struct file_op *);
static void	file_op_free(struct file_op *);
static void	file_op_release(struct file_op *);
static void	file_ignore(int, const char *, void *);
static void	file_xfer_ignore(struct xfer *, const char *);
static void	file_pulled(json_t *, void *);
static void	file_cancel_sent(json_t *, void *);
static void	file_resumed(json_t *, void *);
static void	file_resume_one(struct xfer *, void *);
static void	file_cancel(struct cmdq *);
static int	file_event(struct cmdq *, json_t *, int);
static void	file_progress(evutil_socket_t, short, void *);
static int	file_request(struct file_op *, json_t *, peer_cb);

static const struct option cmd_file_longopts[] = {
	{ "to", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_file_entry = {
	.name = "file",
	.usage = "send [-t NAME] PATH | list | get ID [-o PATH]",
	.optstring = "t:o:",
	.longopts = cmd_file_longopts,
	.lower = 1,
	.upper = 2,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_file_exec,
	.local = cmd_file_local
};

/* On the room's node: file list. */
static int
cmd_file_exec(struct cmdq *q)
{
	json_t		*a, *f;
	size_t		 i;
	const char	*to;

	if (strcmp(q->args[0], "list") != 0 || q->argc != 1) {
		cmdq_error(q, "usage: meetctl file %s", q->entry->usage);
		return EXIT_USAGE;
	}
	a = spool_list(q->member->room, q->member);
	if (q->json) {
		cmdq_json(q, json_pack("{s:o}", "files", a));
		return EXIT_DONE;
	}
	if (json_array_size(a) > 0)
		cmdq_print(q, "%-16s %-24s %12s %-12s %s", "ID", "NAME",
		    "SIZE", "FROM", "TO");
	json_array_foreach(a, i, f) {
		to = json_string_value(json_object_get(f, "to"));
		cmdq_print(q, "%-16s %-24s %12lld %-12s %s",
		    json_string_value(json_object_get(f, "id")),
		    json_string_value(json_object_get(f, "name")),
		    (long long)json_integer_value(json_object_get(f, "size")),
		    json_string_value(json_object_get(f, "from")),
		    to != NULL ? to : "everyone");
	}
	json_decref(a);
	return EXIT_DONE;
}

/* On meetctl's node: send and get take over; list goes on. */
static int
cmd_file_local(struct cmdq *q)
{
	struct file_op	*op;
	const char	*sub = q->args[0];

	if (strcmp(sub, "list") == 0)
		return 0;
	if ((strcmp(sub, "send") != 0 && strcmp(sub, "get") != 0) ||
	    q->argc != 2) {
		cmdq_error(q, "usage: meetctl file %s", q->entry->usage);
		return EXIT_USAGE;
	}
	if (q->session->state != SESSION_JOINED) {
		cmdq_error(q, "%s is not in its room yet", q->session->name);
		return EXIT_REFUSED;
	}
	op = xcalloc(1, sizeof *op);
	op->q = q;
	op->s = q->session;
	op->peer = q->session->peer;
	op->get = (strcmp(sub, "get") == 0);
	op->fd = op->src_fd = -1;
	q->data = op;
	q->on_cancel = file_cancel;
	q->on_event = file_event;
	session_add_waiter(q->session, q);
	if (client_is_tty(q->client)) {
		op->progress = event_new(base, -1, EV_PERSIST, file_progress,
		    op);
		timer_start(op->progress, 0.5);
	}
	if (!op->get) {
		client_file(q->client, "read", q->args[1], NULL, file_opened,
		    op);
		return CMD_WAIT;
	}

	/* get: what is the file, and may we have it? */
	snprintf(op->id, sizeof op->id, "%.16s", q->args[1]);
	if (op->peer != NULL) {
		file_request(op, json_pack("{s:s,s:s}", "op", "file_open",
		    "file", op->id), file_got_info);
		return CMD_WAIT;
	}
	file_got_info(NULL, op);
	return CMD_WAIT;
}

/* A request to the room's node for op; takes req.  -1 after failing op. */
static int
file_request(struct file_op *op, json_t *req, peer_cb cb)
{
	char	*cause;

	json_object_set_new(req, "session", json_string(op->s->wire));
	if (peer_request(op->peer, req, cb, op, &cause) != 0) {
		json_decref(req);
		file_fail(op, "%s", cause);
		free(cause);
		return -1;
	}
	json_decref(req);
	op->pending++;
	return 0;
}

/* The reply of a request, or NULL if op was cancelled meanwhile. */
static struct file_op *
file_reply(void *arg, json_t *reply, int *code)
{
	struct file_op	*op = arg;
	const char	*err;
	json_t		*v;

	op->pending--;
	if (op->q == NULL) {
		if (op->pending == 0)
			free(op);	/* released when it was cancelled */
		return NULL;
	}
	v = json_object_get(reply, "code");
	*code = json_is_integer(v) ? (int)json_integer_value(v) : EXIT_REFUSED;
	if (*code != 0) {
		err = json_string_value(json_object_get(reply, "err"));
		if (err != NULL)
			cmdq_write(op->q, 2, err, strlen(err));
		file_fail(op, NULL);
		return NULL;
	}
	return op;
}

/* --- send ------------------------------------------------------------ */

static void
file_opened(int fd, const char *err, void *arg)
{
	struct file_op	*op = arg;
	struct member	*to = NULL;
	struct stat	 st;
	const char	*path = op->q->args[1], *toname;
	char		*copy, *cause;

	if (fd == -1) {
		file_fail(op, "%s: %s", path, err);
		return;
	}
	op->fd = fd;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		file_fail(op, "%s: not a regular file", path);
		return;
	}
	op->size = (uint64_t)st.st_size;
	copy = xstrdup(path);
	snprintf(op->name, sizeof op->name, "%s", basename(copy));
	free(copy);
	toname = cmdq_get(op->q, 't');

	if (op->peer != NULL) {
		file_request(op, json_pack("{s:s,s:s,s:I,s:s?}", "op",
		    "file_offer", "name", op->name, "size",
		    (json_int_t)op->size, "to", toname), file_offered);
		return;
	}
	/* The room is here: straight into the spool. */
	if (op->s->member == NULL) {
		file_fail(op, "%s is not in a room", op->s->name);
		return;
	}
	if (toname != NULL && ((to = room_member(op->s->member->room,
	    toname)) == NULL || to->state != MEMBER_JOINED)) {
		file_fail(op, "no one called %s in %s", toname,
		    op->s->member->room->name);
		return;
	}
	op->spooled = spool_begin(op->s->member, to, op->name, op->size,
	    &cause);
	if (op->spooled == NULL) {
		file_fail(op, "%s", cause);
		free(cause);
		return;
	}
	snprintf(op->name, sizeof op->name, "%s", op->spooled->name);
	op->x = xfer_local(op->fd, op->spooled->fd, op->size, file_sent, op);
	snprintf(op->x->label, sizeof op->x->label, "%s", op->spooled->id);
}

static void
file_offered(json_t *reply, void *arg)
{
	struct file_op	*op;
	json_t		*v;
	int		 code;

	if ((op = file_reply(arg, reply, &code)) == NULL)
		return;
	v = json_object_get(reply, "xfer");
	if (!json_is_integer(v) || op->peer->link == NULL) {
		file_fail(op, "bad answer to the offer");
		return;
	}
	op->x = xfer_new((uint64_t)json_integer_value(v), 1, op->fd,
	    op->size, file_sent, op);
	op->x->owner = op->peer;
	snprintf(op->x->label, sizeof op->x->label, "%.23s", op->name);
	if (op->size == 0) {
		op->x->finished = 1;
		file_sent(op->x, NULL);
		return;
	}
	xfer_attach(op->x, op->peer->link, 0);
}

/* Every byte is acknowledged (or it failed). */
static void
file_sent(struct xfer *x, const char *err)
{
	struct file_op	*op = x->arg;
	char		 sha[SHA256_HEX], *cause;

	if (err != NULL) {
		file_fail(op, "%s: %s", op->name, err);
		return;
	}
	xfer_sha256(x, sha);
	snprintf(op->sha256, sizeof op->sha256, "%s", sha);
	if (op->peer != NULL) {
		file_request(op, json_pack("{s:s,s:I,s:s}", "op", "file_done",
		    "xfer", (json_int_t)x->id, "sha256", sha), file_committed);
		return;
	}
	/* Here both ends are one: the hash is of what was written. */
	snprintf(op->id, sizeof op->id, "%s", op->spooled->id);
	if (spool_commit(op->spooled, sha, sha, &cause) != 0) {
		op->spooled = NULL;
		file_fail(op, "%s", cause);
		free(cause);
		return;
	}
	op->spooled = NULL;
	file_done(op);
}

static void
file_committed(json_t *reply, void *arg)
{
	struct file_op	*op;
	const char	*id, *name;
	int		 code;

	if ((op = file_reply(arg, reply, &code)) == NULL)
		return;
	id = json_string_value(json_object_get(reply, "file"));
	name = json_string_value(json_object_get(reply, "name"));
	snprintf(op->id, sizeof op->id, "%s", id != NULL ? id : "?");
	if (name != NULL)
		snprintf(op->name, sizeof op->name, "%s", name);
	file_done(op);
}

/* --- get ------------------------------------------------------------- */

static void
file_got_info(json_t *reply, void *arg)
{
	struct file_op		*op;
	struct shared_file	*f;
	const char		*name, *sha, *out;
	json_t			*v;
	int			 code;

	if (reply != NULL) {
		if ((op = file_reply(arg, reply, &code)) == NULL)
			return;
		name = json_string_value(json_object_get(reply, "name"));
		sha = json_string_value(json_object_get(reply, "sha256"));
		v = json_object_get(reply, "size");
		if (name == NULL || sha == NULL || !json_is_integer(v)) {
			file_fail(op, "bad answer about file %s", op->id);
			return;
		}
		op->size = (uint64_t)json_integer_value(v);
		op->x = xfer_new((uint64_t)json_integer_value(
		    json_object_get(reply, "xfer")), 0, -1, op->size,
		    file_received, op);
		op->x->owner = op->peer;
		snprintf(op->x->label, sizeof op->x->label, "%s", op->id);
	} else {
		op = arg;
		if (op->s->member == NULL ||
		    (f = spool_find(op->s->member->room, op->id)) == NULL ||
		    !spool_visible(f, op->s->member)) {
			file_fail(op, "no file %s", op->id);
			return;
		}
		if ((op->src_fd = open(f->path, O_RDONLY | O_CLOEXEC)) == -1) {
			file_fail(op, "%s: %s", f->path, strerror(errno));
			return;
		}
		name = f->name;
		sha = f->sha256;
		op->size = f->size;
	}
	snprintf(op->name, sizeof op->name, "%s", name);
	snprintf(op->sha256, sizeof op->sha256, "%s", sha);
	out = cmdq_get(op->q, 'o');
	op->path = xstrdup(out != NULL ? out : op->name);
	xasprintf(&op->part, "%s.part", op->path);
	client_file(op->q->client, "write", op->part, NULL, file_dst_opened,
	    op);
}

static void
file_dst_opened(int fd, const char *err, void *arg)
{
	struct file_op	*op = arg;

	if (fd == -1) {
		file_fail(op, "%s: %s", op->part, err);
		return;
	}
	op->fd = fd;
	if (op->peer == NULL) {
		op->x = xfer_local(op->src_fd, fd, op->size, file_received, op);
		snprintf(op->x->label, sizeof op->x->label, "%s", op->id);
		return;
	}
	op->x->fd = fd;
	if (op->size == 0) {
		op->x->finished = 1;
		file_received(op->x, NULL);
		return;
	}
	if (op->peer->link == NULL) {
		file_fail(op, "the link to %s is down", op->peer->addr);
		return;
	}
	xfer_attach(op->x, op->peer->link, 0);
	file_request(op, json_pack("{s:s,s:I,s:I}", "op", "file_pull", "xfer",
	    (json_int_t)op->x->id, "offset", (json_int_t)0), file_pulled);
}

static void
file_received(struct xfer *x, const char *err)
{
	struct file_op	*op = x->arg;
	char		 sha[SHA256_HEX];

	if (err != NULL) {
		file_fail(op, "%s: %s", op->name, err);
		return;
	}
	xfer_sha256(x, sha);
	if (strcmp(sha, op->sha256) != 0) {
		file_fail(op, "%s: SHA-256 mismatch: expected %s, got %s",
		    op->name, op->sha256, sha);
		return;
	}
	if (fsync(op->fd) != 0) {
		file_fail(op, "%s: %s", op->part, strerror(errno));
		return;
	}
	client_file(op->q->client, "rename", op->part, op->path, file_renamed,
	    op);
}

static void
file_renamed(int fd, const char *err, void *arg)
{
	struct file_op	*op = arg;

	(void)fd;
	if (err != NULL) {
		file_fail(op, "%s: %s", op->path, err);
		return;
	}
	free(op->part);
	op->part = NULL;	/* nothing to remove any more */
	file_done(op);
}

/* --- the end of an op ------------------------------------------------ */

static void
file_done(struct file_op *op)
{
	struct cmdq	*q = op->q;

	if (op->shown)
		cmdq_write(q, 3, "\n", 1);
	if (q->json && op->get)
		cmdq_json(q, json_pack("{s:s,s:s,s:I,s:s}", "id", op->id,
		    "path", op->path, "size", (json_int_t)op->size, "sha256",
		    op->sha256));
	else if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s,s:I,s:s}", "id", op->id,
		    "name", op->name, "size", (json_int_t)op->size, "sha256",
		    op->sha256));
	else if (op->get)
		cmdq_print(q, "got %s (%llu bytes) into %s", op->name,
		    (unsigned long long)op->size, op->path);
	else
		cmdq_print(q, "shared %s (%llu bytes) as %s", op->name,
		    (unsigned long long)op->size, op->id);
	file_op_free(op);
	q->data = NULL;
	cmdq_finish(q, EXIT_DONE);
}

/* Fail the command (fmt NULL: the reason is printed already). */
static void
file_fail(struct file_op *op, const char *fmt, ...)
{
	struct cmdq	*q = op->q;
	va_list		 ap;
	char		*s;

	if (q == NULL)
		return;
	if (op->shown)
		cmdq_write(q, 3, "\n", 1);
	if (fmt != NULL) {
		va_start(ap, fmt);
		if (vasprintf(&s, fmt, ap) == -1)
			fatal("file_fail");
		va_end(ap);
		cmdq_error(q, "%s", s);
		free(s);
	}
	/* No partial file is left under any name meetctl made. */
	if (op->part != NULL && op->fd != -1)
		client_file(q->client, "unlink", op->part, NULL, file_ignore,
		    NULL);
	q->data = NULL;
	op->q = NULL;
	file_op_release(op);
	if (op->pending == 0)
		free(op);
	cmdq_finish(q, EXIT_REFUSED);
}

static void
file_ignore(int fd, const char *err, void *arg)
{
	(void)err;
	(void)arg;
	if (fd != -1)
		close(fd);
}

static void
file_xfer_ignore(struct xfer *x, const char *err)
{
	(void)x;
	(void)err;
}

static void
file_cancel_sent(json_t *reply, void *arg)
{
	(void)reply;
	(void)arg;
}

/* Let go of everything but the op itself (replies may still be due). */
static void
file_op_release(struct file_op *op)
{
	struct xfer	*x;
	json_t		*req;
	char		*cause;

	if ((x = op->x) != NULL) {
		op->x = NULL;
		x->done = file_xfer_ignore;
		if (!x->finished && x->link == NULL && op->peer != NULL) {
			/* Not on a link (yet, or any more): say so. */
			req = json_pack("{s:s,s:I}", "op", "file_cancel",
			    "xfer", (json_int_t)x->id);
			if (peer_request(op->peer, req, file_cancel_sent, NULL,
			    &cause) != 0)
				free(cause);
			json_decref(req);
		}
		if (!x->finished)
			xfer_abort(x, "cancelled");
		xfer_free(x);
	}
	if (op->spooled != NULL) {
		spool_abort(op->spooled);
		op->spooled = NULL;
	}
	if (op->fd != -1)
		close(op->fd);
	if (op->src_fd != -1)
		close(op->src_fd);
	op->fd = op->src_fd = -1;
	if (op->progress != NULL) {
		event_free(op->progress);
		op->progress = NULL;
	}
	free(op->path);
	free(op->part);
	op->path = op->part = NULL;
}

static void
file_op_free(struct file_op *op)
{
	file_op_release(op);
	free(op);
}

/* meetctl went away: stop; the op goes once no reply is due. */
static void
file_cancel(struct cmdq *q)
{
	struct file_op	*op = q->data;

	if (op == NULL)
		return;
	q->data = NULL;
	op->q = NULL;
	file_op_release(op);
	if (op->pending == 0)
		free(op);
}

/* The session ended under a transfer. */
static int
file_event(struct cmdq *q, json_t *ev, int end)
{
	struct file_op	*op = q->data;

	(void)ev;
	if (!end || op == NULL)
		return 0;
	file_fail(op, "the session ended");
	return 1;
}

static void
file_progress(evutil_socket_t fd, short events, void *arg)
{
	struct file_op	*op = arg;
	uint64_t	 done;
	char		 line[512];

	(void)fd;
	(void)events;
	if (op->q == NULL || op->x == NULL || op->size == 0)
		return;
	done = xfer_progress(op->x);
	snprintf(line, sizeof line, "\r%s %s: %.1f of %.1f MB (%d%%)   ",
	    op->get ? "getting" : "sending", op->name, (double)done / 1e6,
	    (double)op->size / 1e6, (int)(done * 100 / op->size));
	cmdq_write(op->q, 3, line, strlen(line));
	op->shown = 1;
}

static void
file_pulled(json_t *reply, void *arg)
{
	int	code;

	file_reply(arg, reply, &code);
}

static void
file_resumed(json_t *reply, void *arg)
{
	struct file_op	*op;
	json_t		*v;
	int		 code;

	if ((op = file_reply(arg, reply, &code)) == NULL || op->x == NULL)
		return;
	v = json_object_get(reply, "have");
	if (!json_is_integer(v) || op->peer->link == NULL) {
		file_fail(op, "bad answer to resume");
		return;
	}
	xfer_attach(op->x, op->peer->link, (uint64_t)json_integer_value(v));
}

static void
file_resume_one(struct xfer *x, void *arg)
{
	struct file_op	*op = x->arg;

	(void)arg;
	if (op == NULL || op->q == NULL || op->x != x)
		return;
	if (x->sending) {
		file_request(op, json_pack("{s:s,s:I}", "op", "file_resume",
		    "xfer", (json_int_t)x->id), file_resumed);
		return;
	}
	xfer_attach(x, op->peer->link, x->have);
	file_request(op, json_pack("{s:s,s:I,s:I}", "op", "file_pull", "xfer",
	    (json_int_t)x->id, "offset", (json_int_t)x->have), file_pulled);
}

/* The link to the room's node is back: transfers go on where they were. */
void
file_peer_up(struct peer *p)
{
	xfer_foreach_owner(p, file_resume_one, NULL);
}
