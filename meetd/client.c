/*
 * Control clients: one meetctl connection each.  A client says hello, sends
 * one command with its stdin (and stdout) passed as SCM_RIGHTS, and gets
 * output frames and an exit frame back.  A client is freed only from its own
 * event callbacks, so nothing that a command does can free it under a caller.
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
struct client {
	int			 fd;
	uid_t			 uid;
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

struct client_file {
	uint64_t		 id;
	int			 open;		/* an fd comes back */
	client_file_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(client_file) entry;
};

static void	client_read(evutil_socket_t, short, void *);
static void	client_write(evutil_socket_t, short, void *);
static int	client_frame(struct client *, int, json_t *);
static void	client_send(struct client *, int, json_t *);
static void	client_fail(struct client *, const char *);
static void	client_free(struct client *);
static int	client_file_result(struct client *, json_t *);

void
client_accept(int fd, uid_t uid)
{
	struct client	*c;

	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->uid = uid;
	c->in = evbuffer_new();
	c->out = evbuffer_new();
	c->rev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, c);
	c->wev = event_new(base, fd, EV_WRITE, client_write, c);
	TAILQ_INIT(&c->files);
	event_add(c->rev, NULL);
	TAILQ_INSERT_TAIL(&clients, c, entry);
	log_debug("control client %d (uid %u)", fd, (unsigned)uid);
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
	if (evbuffer_get_length(c->out) > CLIENT_OUT_MAX) {
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

/* Handle one frame; -1 when the client must go. */
static int
client_frame(struct client *c, int type, json_t *body)
{
	json_t	*v;
	int	 nfds, in_fd = -1, out_fd = -1, i;

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
		if (c->cmd != NULL || c->exiting) {
			client_fail(c, "one command per connection");
			return -1;
		}
		v = json_object_get(body, "fds");
		nfds = json_is_integer(v) ? (int)json_integer_value(v) : 0;
		if (nfds < 0 || nfds > c->nfds) {
			client_fail(c, "command frame names file descriptors "
			    "that did not arrive");
			return -1;
		}
		if (nfds > 0)
			in_fd = c->fds[0];
		if (nfds > 1)
			out_fd = c->fds[1];
		for (i = nfds; i < c->nfds; i++)
			close(c->fds[i]);
		c->nfds = 0;
		c->tty = json_is_true(json_object_get(body, "tty"));
		cmd_from_client(c, body, in_fd, out_fd);
		return 0;
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
