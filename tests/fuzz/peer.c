/*
 * Fuzzing the joining side of node links (peer.c, the far half of join,
 * the commands and file transfers of a session whose room is elsewhere,
 * nodeop-call.c, session.c's events), in a daemon set up by fuzz-daemon.c:
 * the input is what a hub answers.  The hub is the harness: a listener on
 * loopback that speaks TLS 1.3 with a fixed key (fuzz-link.c); the daemon
 * reaches it because a command on a control connection names it, as a
 * user's meetctl would (join ROOM@HUB).
 *
 * The input is a series of up to PEER_STEPS records: a byte saying how, a
 * 16-bit length, then that many bytes.  Bits 0-1 of the byte say what the
 * record is:
 *
 *	0	bytes the hub writes on its link: frames, or with bit 7 "TYPE
 *		BODY" lines (fuzz_line_frame) in which $R is the id of the
 *		last request the daemon sent, $J that of its last join, $W the
 *		session that request named and $X its transfer;
 *	1	a command, as "SESSION WORD...": "-" for no session, and HUB
 *		in a word the hub's address; it runs on a control connection
 *		of its own, kept open as meetctl keeps it while a command
 *		waits, and its file requests are answered as meetctl does;
 *	2	the hub closes its link;
 *	3	nothing but bit 2.
 *
 * Bit 2 of any record is the key the hub shows on the next link it
 * accepts (A or B: the second is another node at the same address, which
 * the known-nodes file must refuse).  What the daemon writes to the hub
 * must be good frames, a hello first that names this node's run, then
 * requests with an id and an op.  What is open at the end of the input is
 * open when the node stops as it stops on SIGTERM.
 *
 * With MEET_FUZZ_CAPTURE set to a file, the frames the daemon sends to the
 * hub are appended to it as lines: a real joining node's side of a link,
 * for the seeds of the link fuzzer.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../meetd/meetd.h"
#include "frame.h"
#include "fuzz-daemon.h"
#include "fuzz-link.h"
#include "fuzz.h"

#define PEER_STEPS	32	/* records an input may hold */
#define PEER_CTLS	8	/* control connections open at once */
#define PEER_ARGS	32	/* words of a command */
#define PEER_SENDS	64	/* tries at a write the daemon does not read */
#define PEER_DRAIN	16	/* rounds to read what the daemon wrote */

/* A control connection, as meetctl holds one while its command runs. */
struct ctl {
	int		 fd;		/* -1: none */
	uint8_t		*buf;
	size_t		 len;
	size_t		 size;
};

static SSL_CTX			*hub_ctx[2];	/* key A, key B */
static int			 hub_listener = -1;
static char			 hub_addr[64];	/* 127.0.0.1:PORT */
static struct fuzz_link		 hub;
static int			 hub_said_hello;
static struct fuzz_vars		 hub_vars;
static FILE			*hub_capture;
static struct ctl		 ctls[PEER_CTLS];
static u_int			 ctls_next;

static void	hub_accept(int);
static void	hub_frame(struct fuzz_link *, int, const uint8_t *,
		    size_t, void *);
static void	hub_pump(int);
static void	hub_record(int, const uint8_t *, size_t);
static void	hub_close(void);
static void	ctl_command(const uint8_t *, size_t);
static int	ctl_send(int, const void *, size_t, const int *, int);
static void	ctl_answer(struct ctl *);
static void	ctl_file(struct ctl *, json_t *);
static void	ctl_close(struct ctl *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	(void)argc;
	(void)argv;
	fuzz_daemon_init("fuzz-peer");
	hub_ctx[0] = fuzz_tls_ctx(1, 3);
	hub_ctx[1] = fuzz_tls_ctx(1, 4);

	/* In the daemon's namespace: its link reaches this and nothing else. */
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((hub_listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1 || bind(hub_listener,
	    (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(hub_listener, 16) != 0 || getsockname(hub_listener,
	    (struct sockaddr *)&sin, &len) != 0)
		fatal("fuzz-peer: listener");
	snprintf(hub_addr, sizeof hub_addr, "127.0.0.1:%d",
	    ntohs(sin.sin_port));
	if (getenv("MEET_FUZZ_CAPTURE") != NULL &&
	    (hub_capture = fopen(getenv("MEET_FUZZ_CAPTURE"), "a")) == NULL)
		fatal("fuzz-peer: %s", getenv("MEET_FUZZ_CAPTURE"));
	return 0;
}

/* Take a link the daemon opened, as a hub with key A or B. */
static void
hub_accept(int key)
{
	int	fd, one = 1;

	if ((fd = accept4(hub_listener, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) == -1) {
		if (errno != EAGAIN)
			fatal("fuzz-peer: accept");
		return;
	}
	/* A hub answers one link at a time here: a new one replaces it. */
	hub_close();
	/* No flight may wait for a delayed ACK: time does not pass here. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
		fatal("fuzz-peer: TCP_NODELAY");
	fuzz_link_open(&hub, fd, hub_ctx[key], 1);
	(void)fuzz_link_handshake(&hub);
}

static void
hub_close(void)
{
	if (hub.fd != -1)
		fuzz_link_close(&hub);
	hub_said_hello = 0;
}

/*
 * A frame the daemon sent to the hub: check it, learn what lines may name
 * ($R, $J, $W, $X), and keep it when capturing.
 */
static void
hub_frame(struct fuzz_link *l, int type, const uint8_t *p, size_t len,
    void *arg)
{
	struct fuzz_vars	*vars = arg;
	json_t			*o, *v;
	const char		*s, *op;
	char			 err[256], buf[32];

	(void)l;
	if (hub_capture != NULL)
		fprintf(hub_capture, "%d %.*s\n", type, (int)len, p);
	if (type == FRAME_CHUNK)
		return;
	if ((o = frame_body_parse(p, len, err, sizeof err)) == NULL)
		fatalx("meetd wrote a bad frame body to the hub: %s", err);
	if (!hub_said_hello) {
		/* Nothing of meet's before the daemon has shown its run. */
		v = json_object_get(o, "version");
		s = json_string_value(json_object_get(o, "instance"));
		if (type != FRAME_HELLO || !json_is_integer(v) ||
		    json_integer_value(v) != PROTO_VERSION || s == NULL ||
		    strcmp(s, node_id) != 0)
			abort();
		hub_said_hello = 1;
	} else if (type == FRAME_REQUEST) {
		v = json_object_get(o, "id");
		op = json_string_value(json_object_get(o, "op"));
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    op == NULL)
			abort();
		snprintf(buf, sizeof buf, "%lld",
		    (long long)json_integer_value(v));
		fuzz_vars_set(vars, 'R', buf);
		if (strcmp(op, "join") == 0)
			fuzz_vars_set(vars, 'J', buf);
		if ((s = json_string_value(json_object_get(o, "session"))) !=
		    NULL)
			fuzz_vars_set(vars, 'W', s);
		v = json_object_get(o, "xfer");
		if (json_is_integer(v))
			fuzz_vars_xfer(vars, (uint64_t)json_integer_value(v));
	}
	json_decref(o);
}

/* What the daemon wrote to the hub and to meetctl; a link it opened. */
static void
hub_pump(int key)
{
	int	i;

	hub_accept(key);
	if (hub.fd != -1)
		(void)fuzz_link_read(&hub, hub_frame, &hub_vars);
	for (i = 0; i < PEER_CTLS; i++) {
		if (ctls[i].fd != -1)
			ctl_answer(&ctls[i]);
	}
}

/* What the hub writes: frame by frame, or line by line. */
static void
hub_record(int lines, const uint8_t *p, size_t len)
{
	const uint8_t	*end = p + len, *nl;
	uint8_t		*frame;
	size_t		 n;
	int		 r;

	while (p < end && hub.fd != -1) {
		if (lines) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			frame = fuzz_line_frame(p, (size_t)(nl - p), &hub_vars,
			    &n);
			r = fuzz_link_write(&hub, frame, n);
			free(frame);
			p = nl + (nl < end);
		} else {
			n = fuzz_frame_len(p, (size_t)(end - p));
			r = fuzz_link_write(&hub, p, n);
			p += n;
		}
		fuzz_daemon_settle();
		if (hub.fd != -1)
			(void)fuzz_link_read(&hub, hub_frame, &hub_vars);
		if (r != 0)
			break;
	}
}

/*
 * Write all of p to a control connection with nfds descriptors on its
 * first byte, letting the daemon read while the socket is full; 0, or -1
 * when it will not read.
 */
static int
ctl_send(int fd, const void *p, size_t len, const int *fds, int nfds)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 2)];
	} cmsgbuf;
	struct cmsghdr	*cm;
	ssize_t		 n;
	int		 tries = 0;

	while (len > 0) {
		memset(&msg, 0, sizeof msg);
		iov.iov_base = (void *)(uintptr_t)p;
		iov.iov_len = len;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (nfds > 0) {
			memset(&cmsgbuf, 0, sizeof cmsgbuf);
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
		}
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno != EAGAIN || ++tries == PEER_SENDS)
				return -1;
			fuzz_daemon_settle();
			continue;
		}
		p = (const uint8_t *)p + n;
		len -= (size_t)n;
		nfds = 0;
	}
	return 0;
}

/* A file request answered as meetctl answers it: a file of our own. */
static void
ctl_file(struct ctl *c, json_t *body)
{
	static const char	 text[] = "a file the hub is sent\n";
	const char		*op;
	uint8_t			*p;
	size_t			 len;
	json_t			*o;
	int			 file = -1;

	op = json_string_value(json_object_get(body, "op"));
	if (op != NULL && (strcmp(op, "read") == 0 ||
	    strcmp(op, "write") == 0)) {
		if ((file = memfd_create("fuzz-file", MFD_CLOEXEC)) == -1)
			fatal("memfd_create");
		if (strcmp(op, "read") == 0 &&
		    write(file, text, sizeof text - 1) != sizeof text - 1)
			fatal("memfd write");
		lseek(file, 0, SEEK_SET);
	}
	o = json_pack("{s:O}", "id", json_object_get(body, "id"));
	if (o == NULL)
		o = json_object();
	p = frame_pack(FRAME_FILE_RESULT, o, &len);
	json_decref(o);
	(void)ctl_send(c->fd, p, len, &file, file != -1 ? 1 : 0);
	free(p);
	if (file != -1)
		close(file);
}

/* Read what the daemon wrote to meetctl and answer its file requests. */
static void
ctl_answer(struct ctl *c)
{
	struct frame_header	 h;
	char			 err[256];
	ssize_t			 n;
	size_t			 off = 0;
	json_t			*o;

	for (;;) {
		if (c->size - c->len < 16384) {
			c->size = c->size * 2 + 16384;
			c->buf = xreallocarray(c->buf, 1, c->size);
		}
		n = read(c->fd, c->buf + c->len, c->size - c->len);
		if (n <= 0)
			break;
		c->len += (size_t)n;
	}
	while (c->len - off >= FRAME_HEADER) {
		if (frame_header_parse(c->buf + off, &h, err, sizeof err) != 0)
			fatalx("meetd wrote a bad frame to meetctl: %s", err);
		if (c->len - off - FRAME_HEADER < h.length)
			break;
		if (h.type == FRAME_FILE) {
			o = frame_body_parse(c->buf + off + FRAME_HEADER,
			    h.length, err, sizeof err);
			if (o == NULL)
				fatalx("meetd wrote a bad file frame: %s", err);
			ctl_file(c, o);
			json_decref(o);
		}
		off += FRAME_HEADER + h.length;
	}
	memmove(c->buf, c->buf + off, c->len - off);
	c->len -= off;
}

static void
ctl_close(struct ctl *c)
{
	if (c->fd != -1)
		close(c->fd);
	free(c->buf);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

/*
 * Run "SESSION WORD..." as meetctl would: a control connection, its hello,
 * then the command with an empty stdin and stdout to /dev/null.
 */
static void
ctl_command(const uint8_t *p, size_t len)
{
	struct ctl		*c;
	json_t			*argv, *o;
	char			*line, *word, *last, *cause, *session = NULL;
	char			*at;
	uint8_t			*frame, *hello;
	size_t			 n, hn;
	int			 sv[2], fds[2], pipefd[2], words = 0;

	line = xmalloc(len + 1);
	memcpy(line, p, len);
	line[len] = '\0';
	argv = json_array();
	for (word = strtok_r(line, " \n", &last); word != NULL &&
	    words < PEER_ARGS; word = strtok_r(NULL, " \n", &last)) {
		if (session == NULL) {
			session = word;
			continue;
		}
		if ((at = strstr(word, "HUB")) != NULL) {
			*at = '\0';
			xasprintf(&cause, "%s%s%s", word, hub_addr, at + 3);
			json_array_append_new(argv, json_string(cause));
			free(cause);
		} else
			json_array_append_new(argv, json_string(word));
		words++;
	}
	/*
	 * jansson takes no string that is not UTF-8: such a word is left out,
	 * and such a session leaves no command.
	 */
	o = json_pack("{s:O,s:s?,s:b,s:i,s:b}", "argv", argv, "session",
	    session != NULL && strcmp(session, "-") != 0 ? session : NULL,
	    "json", 0, "fds", 2, "tty", 0);
	json_decref(argv);
	free(line);
	if (o == NULL)
		return;

	c = &ctls[ctls_next++ % PEER_CTLS];
	if (c->fd != -1) {
		ctl_close(c);	/* meetctl gave up waiting */
		fuzz_daemon_settle();
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0)
		fatal("socketpair");
	if (client_accept(sv[0], geteuid(), &cause) != 0) {
		free(cause);
		close(sv[0]);
		close(sv[1]);
		json_decref(o);
		return;
	}
	c->fd = sv[1];
	fuzz_daemon_settle();

	frame = frame_pack(FRAME_COMMAND, o, &n);
	json_decref(o);
	o = json_pack("{s:i}", "version", PROTO_VERSION);
	hello = frame_pack(FRAME_HELLO, o, &hn);
	json_decref(o);
	(void)ctl_send(c->fd, hello, hn, NULL, 0);
	free(hello);
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		fatal("pipe2");
	close(pipefd[1]);
	fds[0] = pipefd[0];
	if ((fds[1] = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		fatal("/dev/null");
	(void)ctl_send(c->fd, frame, n, fds, 2);
	close(fds[0]);
	close(fds[1]);
	free(frame);
	fuzz_daemon_settle();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	const uint8_t		*p;
	size_t			 len;
	uint8_t			 how;
	int			 steps, key = 0, i;

	fuzz_input_init(&in, data, size);
	hub.fd = -1;
	for (i = 0; i < PEER_CTLS; i++)
		ctls[i].fd = -1;
	ctls_next = 0;
	fuzz_daemon_start();
	for (steps = 0; steps < PEER_STEPS && in.left > 0; steps++) {
		how = fuzz_u8(&in);
		len = fuzz_u16(&in);
		p = fuzz_bytes(&in, len, &len);
		key = (how >> 2) & 1;
		switch (how & 3) {
		case 0:
			hub_pump(key);
			hub_record(how & 0x80, p, len);
			break;
		case 1:
			ctl_command(p, len);
			break;
		case 2:
			hub_pump(key);
			hub_close();
			fuzz_daemon_settle();
			break;
		}
		hub_pump(key);
	}
	for (i = 0; i < PEER_DRAIN; i++) {
		fuzz_daemon_settle();
		hub_pump(key);
	}
	fuzz_daemon_stop();
	/* A peer still listed would be the next input's, half freed. */
	if (peer_count() != 0 || remote_count() != 0)
		abort();
	hub_close();
	for (i = 0; i < PEER_CTLS; i++) {
		if (ctls[i].fd != -1)
			ctl_close(&ctls[i]);
	}
	fuzz_vars_clear(&hub_vars);
	if (hub_capture != NULL)
		fflush(hub_capture);
	return 0;
}
