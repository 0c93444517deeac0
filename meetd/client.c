/*
 * Control clients: one meetctl connection each.  A client says hello, sends
 * one command with its stdin (and stdout) passed as SCM_RIGHTS, and gets
 * output frames and an exit frame back.  A client is freed only from its own
 * event callbacks, so nothing that a command does can free it under a caller.
 *
 * Until its command has arrived a client is pending: it costs little, since
 * its frames are small (the command frame only as large as the longest
 * command a user may type), it has [control] command_timeout to send it,
 * and pending clients are counted, in all and by user, against [control]
 * max_pending and max_pending_per_user.  Once its command runs, what a
 * client may still send (ping, file results) is small again.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "meetd.h"

#define CLIENT_MAXFDS	4
#define MEET_XSTR(x)	#x
#define MEET_STR(x)	MEET_XSTR(x)
#define CLIENT_OUT_MAX	(4 * 1024 * 1024)	/* a reader that lags more */
						/* than this is dropped */
#define CLIENT_OUT_PENDING	(16 * 1024)	/* the same, before a command */
#define CLIENT_FRAME_SMALL	4096	/* hello, ping, file result */
#define CLIENT_COMMAND_MIN	(64 * 1024)	/* the command frame's limit */
						/* is at least this */
struct client {
	int			 fd;
	uid_t			 uid;
	int			 pending;	/* no command yet */
	struct event		*deadline;	/* for the command */
	struct event		*rev;
	struct event		*wev;
	struct evbuffer		*in;
	struct evbuffer		*out;
	int			 fds[CLIENT_MAXFDS];
	int			 nfds;
	int			 hello;
	struct cmdq		*cmd;
	int			 tty;		/* meetctl's stderr is one */
	uint64_t		 next_file;
	TAILQ_HEAD(, client_file) files;	/* asked of meetctl */
	int			 exiting;	/* close once out is sent */
	TAILQ_ENTRY(client)	 entry;
};
static TAILQ_HEAD(, client) clients = TAILQ_HEAD_INITIALIZER(clients);
static u_int	client_npending;

struct client_file {
	uint64_t		 id;
	int			 open;		/* an fd comes back */
	client_file_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(client_file) entry;
};

static void	client_read(evutil_socket_t, short, void *);
static void	client_write(evutil_socket_t, short, void *);
static void	client_deadline(evutil_socket_t, short, void *);
static void	client_settle(struct client *);
static size_t	client_frame_max(struct client *, int, const char **);
static int	client_frame(struct client *, int, json_t *);
static int	client_command(struct client *, json_t *);
static void	client_send(struct client *, int, json_t *);
static void	client_fail(struct client *, const char *);
static void	client_free(struct client *);
static int	client_file_result(struct client *, json_t *);

/*
 * Take a connection from uid, pending until its command arrives.  -1 and
 * *cause (the caller frees it and closes fd) when too many are pending.
 */
int
client_accept(int fd, uid_t uid, char **cause)
{
	struct client	*c;
	int		 mine = 0;

	if (client_npending >= (u_int)cfg->max_pending) {
		xasprintf(cause, "too many connections are waiting to send "
		    "their command (%d, [control] max_pending)",
		    cfg->max_pending);
		return -1;
	}
	TAILQ_FOREACH(c, &clients, entry) {
		if (c->pending && c->uid == uid)
			mine++;
	}
	if (mine >= cfg->max_pending_per_user) {
		xasprintf(cause, "uid %u has too many connections waiting to "
		    "send their command (%d, [control] max_pending_per_user)",
		    (unsigned)uid, cfg->max_pending_per_user);
		return -1;
	}

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->uid = uid;
	c->pending = 1;
	client_npending++;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->rev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, c);
	c->wev = event_new(base, fd, EV_WRITE, client_write, c);
	c->deadline = timer_new(client_deadline, c);
	TAILQ_INIT(&c->files);
	event_add(c->rev, NULL);
	timer_start(c->deadline, cfg->command_timeout);
	TAILQ_INSERT_TAIL(&clients, c, entry);
	log_debug("control client %d (uid %u)", fd, (unsigned)uid);
	return 0;
}

/* The uid of c's peer; for no client, (uid_t)-1, which owns nothing. */
uid_t
client_uid(struct client *c)
{
	return c != NULL ? c->uid : (uid_t)-1;
}

/* The command has arrived: no longer pending, no deadline. */
static void
client_settle(struct client *c)
{
	if (!c->pending)
		return;
	c->pending = 0;
	client_npending--;
	event_free(c->deadline);
	c->deadline = NULL;
}

static void
client_deadline(evutil_socket_t fd, short events, void *arg)
{
	struct client	*c = arg;
	char		*why;

	(void)fd;
	(void)events;
	if (c->exiting) {
		/* Its last words did not go out in all that time. */
		client_free(c);
		return;
	}
	xasprintf(&why, "no command within %g seconds ([control] "
	    "command_timeout)", cfg->command_timeout);
	client_fail(c, why);
	free(why);
	/* Once more, to close it should that answer never be read. */
	timer_start(c->deadline, cfg->command_timeout);
}

u_int
client_count(void)
{
	struct client	*c;
	u_int		 n = 0;

	TAILQ_FOREACH(c, &clients, entry)
		n++;
	return n;
}

static void
client_free(struct client *c)
{
	struct client_file	*f;
	int			 i;

	if (c->cmd != NULL)
		cmdq_cancel(c->cmd);
	while ((f = TAILQ_FIRST(&c->files)) != NULL) {
		TAILQ_REMOVE(&c->files, f, entry);
		free(f);
	}
	for (i = 0; i < c->nfds; i++)
		close(c->fds[i]);
	client_settle(c);
	TAILQ_REMOVE(&clients, c, entry);
	event_free(c->rev);
	event_free(c->wev);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	close(c->fd);
	free(c);
}

static void
client_send(struct client *c, int type, json_t *body)
{
	uint8_t	*p;
	size_t	 len;

	if ((p = frame_pack(type, body, &len)) == NULL) {
		log_warnx("control client %d: reply too large", c->fd);
		return;
	}
	evbuffer_add(c->out, p, len);
	free(p);
	if (evbuffer_get_length(c->out) > (c->pending ? CLIENT_OUT_PENDING :
	    CLIENT_OUT_MAX)) {
		/* The reader has stopped: drop it rather than grow. */
		log_warnx("control client %d: not reading its output, "
		    "dropped", c->fd);
		evbuffer_drain(c->out, evbuffer_get_length(c->out));
		c->exiting = 1;
	}
	event_active(c->wev, EV_WRITE, 0);
}

/* Send an error frame, then close once it is out. */
static void
client_fail(struct client *c, const char *why)
{
	json_t	*o;

	log_warnx("control client %d: %s", c->fd, why);
	o = json_pack("{s:s}", "error", why);
	client_send(c, FRAME_ERROR, o);
	json_decref(o);
	c->exiting = 1;
}

void
client_output(struct client *c, int fd, const char *data, size_t len)
{
	json_t	*o;

	if (c->exiting)
		return;
	o = json_pack("{s:i,s:s%}", "fd", fd, "data", data, len);
	if (o == NULL) {
		log_warnx("control client %d: output is not UTF-8", c->fd);
		return;
	}
	client_send(c, FRAME_OUTPUT, o);
	json_decref(o);
}

void
client_exit(struct client *c, int code)
{
	json_t	*o;

	c->cmd = NULL;
	if (c->exiting)
		return;
	o = json_pack("{s:i}", "code", code);
	client_send(c, FRAME_EXIT, o);
	json_decref(o);
	c->exiting = 1;
}

static void
client_write(evutil_socket_t fd, short events, void *arg)
{
	struct client	*c = arg;

	(void)events;
	while (evbuffer_get_length(c->out) > 0) {
		if (evbuffer_write(c->out, fd) <= 0) {
			if (errno == EAGAIN || errno == EINTR) {
				event_add(c->wev, NULL);
				return;
			}
			client_free(c);		/* gone */
			return;
		}
	}
	if (c->exiting)
		client_free(c);
}

/*
 * The command: take the descriptors it names (its stdin and stdout) and run
 * it; the descriptors that came with it and it does not name are closed.
 */
static int
client_command(struct client *c, json_t *body)
{
	json_t		*v;
	json_int_t	 nfds = 0;
	int		 in_fd = -1, out_fd = -1, i;

	if (!c->pending || c->exiting) {
		client_fail(c, "one command per connection");
		return -1;
	}
	client_settle(c);
	v = json_object_get(body, "fds");
	if (json_is_integer(v))
		nfds = json_integer_value(v);
	if (nfds < 0 || nfds > c->nfds) {
		client_fail(c, "command frame names file descriptors that did "
		    "not arrive");
		return -1;	/* c->fds are closed with c */
	}
	if (nfds > 0)
		in_fd = c->fds[0];
	if (nfds > 1)
		out_fd = c->fds[1];
	for (i = (int)nfds; i < c->nfds; i++)
		close(c->fds[i]);
	c->nfds = 0;
	c->tty = json_is_true(json_object_get(body, "tty"));
	cmd_from_client(c, body, in_fd, out_fd);	/* takes in_fd, out_fd */
	return 0;
}

/*
 * The largest body c may send in a frame of this type now, and for the
 * error, when: a hello and anything before it are small, and so is all but
 * the command until it has come, and everything after it.  The command may
 * be as long as the longest say: 3 times [chat] max_length covers one that
 * JSON escapes or splits into one-letter words.
 */
static size_t
client_frame_max(struct client *c, int type, const char **when)
{
	size_t	max;

	if (!c->hello) {
		*when = "before hello";
		return CLIENT_FRAME_SMALL;
	}
	if (!c->pending) {
		*when = "once the command runs";
		return CLIENT_FRAME_SMALL;
	}
	if (type != FRAME_COMMAND) {
		*when = "before the command";
		return CLIENT_FRAME_SMALL;
	}
	*when = "for a command";
	max = 3 * (size_t)cfg->chat_max_length + CLIENT_FRAME_SMALL;
	return max > CLIENT_COMMAND_MIN ? max : CLIENT_COMMAND_MIN;
}

/* Handle one frame; -1 when the client must go. */
static int
client_frame(struct client *c, int type, json_t *body)
{
	json_t	*v;

	if (!c->hello) {
		if (type != FRAME_HELLO) {
			client_fail(c, "expected hello");
			return -1;
		}
		v = json_object_get(body, "version");
		if (!json_is_integer(v) ||
		    json_integer_value(v) != PROTO_VERSION) {
			client_fail(c, "protocol version mismatch: this meetd "
			    "speaks version " MEET_STR(PROTO_VERSION));
			return -1;
		}
		c->hello = 1;
		return 0;
	}
	switch (type) {
	case FRAME_PING:
		client_send(c, FRAME_PONG, NULL);
		return 0;
	case FRAME_FILE_RESULT:
		return client_file_result(c, body);
	case FRAME_COMMAND:
		return client_command(c, body);
	default:
		client_fail(c, "unexpected frame type");
		return -1;
	}
}

static void
client_read(evutil_socket_t fd, short events, void *arg)
{
	struct client		*c = arg;
	struct frame_header	 h;
	struct msghdr		 msg;
	struct cmsghdr		*cm;
	struct iovec		 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * CLIENT_MAXFDS)];
	} cmsgbuf;
	uint8_t			 buf[16384], hdr[FRAME_HEADER], *body;
	char			 err[256];
	const char		*when;
	size_t			 max;
	ssize_t			 n;
	json_t			*o;
	int			*fds, nfds, i;

	(void)events;
	memset(&msg, 0, sizeof msg);
	iov.iov_base = buf;
	iov.iov_len = sizeof buf;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cmsgbuf.buf;
	msg.msg_controllen = sizeof cmsgbuf.buf;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		fds = (int *)CMSG_DATA(cm);
		nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < nfds; i++) {
			if (c->nfds < CLIENT_MAXFDS)
				c->fds[c->nfds++] = fds[i];
			else
				close(fds[i]);
		}
	}
	if (n <= 0) {
		if (n == -1)
			log_debug("control client %d: %s", fd,
			    strerror(errno));
		client_free(c);
		return;
	}
	if (c->exiting)
		return;		/* nothing more is read from it */
	evbuffer_add(c->in, buf, (size_t)n);

	while (!c->exiting && evbuffer_get_length(c->in) >= FRAME_HEADER) {
		evbuffer_copyout(c->in, hdr, FRAME_HEADER);
		if (frame_header_parse(hdr, &h, err, sizeof err) != 0) {
			client_fail(c, err);
			break;
		}
		/* Refused at its header, before its body costs anything. */
		if (h.length > (max = client_frame_max(c, h.type, &when))) {
			snprintf(err, sizeof err, "frame of %zu bytes is over "
			    "the limit of %zu %s", h.length, max, when);
			client_fail(c, err);
			break;
		}
		if (evbuffer_get_length(c->in) < FRAME_HEADER + h.length)
			break;
		evbuffer_drain(c->in, FRAME_HEADER);
		body = evbuffer_pullup(c->in, (ssize_t)h.length);
		o = frame_body_parse(body, h.length, err, sizeof err);
		evbuffer_drain(c->in, h.length);
		if (o == NULL) {
			client_fail(c, err);
			break;
		}
		i = client_frame(c, h.type, o);
		json_decref(o);
		if (i != 0)
			break;
	}
	if (c->exiting)
		event_active(c->wev, EV_WRITE, 0);
}

/* Shutting down: every client's command is told and every client closed. */
void
client_close_all(void)
{
	struct client	*c, *c1;

	TAILQ_FOREACH_SAFE(c, &clients, entry, c1) {
		if (c->cmd != NULL) {
			cmdq_error(c->cmd, "meetd is shutting down");
			cmdq_finish(c->cmd, EXIT_REFUSED);
		}
		client_write(c->fd, EV_WRITE, c);
	}
}

void
client_set_cmd(struct client *c, struct cmdq *q)
{
	c->cmd = q;
}

int
client_is_tty(struct client *c)
{
	return c->tty;
}

/*
 * Ask meetctl to open (op "read" or "write"), rename (to) or remove a file
 * with its own rights and working directory.  cb gets the fd of an open
 * (the callee owns it), or -1 and why; it is not called if the client goes
 * away first, when its command is cancelled instead.
 */
void
client_file(struct client *c, const char *op, const char *path,
    const char *to, client_file_cb cb, void *arg)
{
	struct client_file	*f;
	json_t			*o;

	f = xcalloc(1, sizeof *f);
	f->id = ++c->next_file;
	f->open = strcmp(op, "read") == 0 || strcmp(op, "write") == 0;
	f->cb = cb;
	f->arg = arg;
	TAILQ_INSERT_TAIL(&c->files, f, entry);
	o = json_pack("{s:I,s:s,s:s,s:s?}", "id", (json_int_t)f->id, "op", op,
	    "path", path, "to", to);
	client_send(c, FRAME_FILE, o);
	json_decref(o);
}

static int
client_file_result(struct client *c, json_t *body)
{
	struct client_file	*f;
	json_t			*v;
	const char		*err;
	int			 fd = -1, i;

	v = json_object_get(body, "id");
	TAILQ_FOREACH(f, &c->files, entry) {
		if (json_is_integer(v) &&
		    f->id == (uint64_t)json_integer_value(v))
			break;
	}
	if (f == NULL) {
		client_fail(c, "file result for nothing asked");
		return -1;
	}
	TAILQ_REMOVE(&c->files, f, entry);
	err = json_string_value(json_object_get(body, "error"));
	if (err == NULL && f->open) {
		if (c->nfds == 0) {
			free(f);
			client_fail(c, "file result without its descriptor");
			return -1;
		}
		fd = c->fds[0];
		for (i = 1; i < c->nfds; i++)
			c->fds[i - 1] = c->fds[i];
		c->nfds--;
	}
	f->cb(fd, err, f->arg);
	free(f);
	return 0;
}
