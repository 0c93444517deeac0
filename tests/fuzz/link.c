/*
 * Fuzzing whole node links against the real dispatch (link.c, remote.c,
 * nodeop*.c, spool.c, transfer.c and the commands another node may run,
 * in a daemon set up by fuzz-daemon.c): the input is the joining nodes'
 * side of up to JOINER_SLOTS links at once, each accepted as listen.c
 * accepts one (link_may_accept, then remote_accept) and spoken to in
 * TLS 1.3 by the harness (fuzz-link.c), so that what is fuzzed is meet's
 * frames behind TLS.
 *
 * The input is a series of up to JOINER_STEPS records: a byte saying how,
 * a 16-bit length, then that many bytes for the link to write.  In the
 * byte, bits 0-1 are the link; when it is not open yet, bits 2-3 say who
 * opens it (key A, key B, TLS with no certificate, no TLS at all) and
 * bit 4 that it is TCP over loopback rather than a socketpair (so that
 * the link has an address media can go to); bit 6 closes the link after
 * the bytes, and bit 7 makes them "TYPE BODY" lines (fuzz_line_frame),
 * with $X, $F and $S the last transfer, file and SSRC the daemon named,
 * and $T the last join token a command printed.
 * The two keys are fixed: a node that comes back with key A is the node
 * that left, and one with key B claiming the same run (its instance) is
 * another node, which must reach nothing of the first.  What is left
 * open at the end of the input is open when the node stops as it stops
 * on SIGTERM.
 *
 * What the daemon writes back is read after each frame: it must be good
 * frames, its hello must name this node's run, and each reply its id.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../meetd/meetd.h"
#include "frame.h"
#include "fuzz-daemon.h"
#include "fuzz-link.h"
#include "fuzz.h"

#define JOINER_SLOTS	4	/* links open at once */
#define JOINER_STEPS	32	/* records an input may hold */
#define JOINER_DRAIN	16	/* rounds to read what the daemon wrote */

enum joiner_who {
	JOINER_KEY_A,
	JOINER_KEY_B,
	JOINER_NO_CERT,
	JOINER_PLAIN
};

static SSL_CTX		*joiner_ctx[3];	/* key A, key B, no certificate */
static int		 joiner_listener = -1;	/* for TCP links */
static struct fuzz_link	 joiner_slots[JOINER_SLOTS];
static struct fuzz_vars	 joiner_vars;

static void	joiner_open(struct fuzz_link *, int, int);
static void	joiner_tcp_pair(int *);
static void	joiner_learn(struct fuzz_link *, int, const uint8_t *,
		    size_t, void *);
static void	joiner_pump(void);
static int	joiner_send(struct fuzz_link *, const uint8_t *, size_t);
static void	joiner_record(struct fuzz_link *, int, const uint8_t *,
		    size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct sockaddr_in	sin;

	(void)argc;
	(void)argv;
	fuzz_daemon_init("fuzz-link");
	joiner_ctx[JOINER_KEY_A] = fuzz_tls_ctx(0, 1);
	joiner_ctx[JOINER_KEY_B] = fuzz_tls_ctx(0, 2);
	joiner_ctx[JOINER_NO_CERT] = fuzz_tls_ctx(0, -1);

	/* In the harness's namespace, as the daemon's listener is. */
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((joiner_listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1 || bind(joiner_listener, (struct sockaddr *)&sin,
	    sizeof sin) != 0 || listen(joiner_listener, 16) != 0)
		fatal("fuzz-link: listener");
	return 0;
}

/*
 * Two ends of a TCP connection over loopback: [0] accepted, [1] ours.  The
 * connect does not block and the accept is retried: libFuzzer's timeout
 * alarm interrupts system calls (no SA_RESTART).
 */
static void
joiner_tcp_pair(int *sv)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	struct pollfd		pfd;
	int			one = 1, r;

	if (getsockname(joiner_listener, (struct sockaddr *)&ss, &len) != 0 ||
	    (sv[1] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		fatal("fuzz-link: loopback socket");
	if (connect(sv[1], (struct sockaddr *)&ss, len) != 0 &&
	    errno != EINPROGRESS && errno != EINTR)
		fatal("fuzz-link: loopback connect");
	do
		sv[0] = accept4(joiner_listener, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
	while (sv[0] == -1 && errno == EINTR);
	if (sv[0] == -1)
		fatal("fuzz-link: loopback accept");
	pfd.fd = sv[1];
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, -1);
	while (r == -1 && errno == EINTR);
	if (r != 1)
		fatal("fuzz-link: loopback connect");
	/*
	 * As the daemon's end does once TLS is up: no flight may wait for a
	 * delayed ACK, for the loop is run without time passing.
	 */
	if (setsockopt(sv[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
		fatal("fuzz-link: TCP_NODELAY");
}

/* Open a link as listen.c accepts one; a refused one stays closed. */
static void
joiner_open(struct fuzz_link *l, int who, int tcp)
{
	struct sockaddr_storage	ss;
	socklen_t		len = sizeof ss;
	char			why[256], addr[ADDR_HOST_MAX + 8];
	int			sv[2];

	if (tcp)
		joiner_tcp_pair(sv);
	else if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0, sv) != 0)
		fatal("fuzz-link: socketpair");
	if (link_may_accept("127.0.0.1", why, sizeof why) != 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (tcp && getpeername(sv[0], (struct sockaddr *)&ss, &len) == 0)
		sockaddr_string((struct sockaddr *)&ss, addr, sizeof addr);
	else
		snprintf(addr, sizeof addr, "127.0.0.1:%d",
		    40000 + (int)(l - joiner_slots));
	remote_accept(sv[0], addr, "127.0.0.1");
	fuzz_link_open(l, sv[1], who == JOINER_PLAIN ? NULL : joiner_ctx[who],
	    0);
	fuzz_daemon_settle();
	(void)fuzz_link_handshake(l);
}

/*
 * A frame from the daemon: check what it promises, and learn what lines
 * may name ($X, $F, $S, $T).
 */
static void
joiner_learn(struct fuzz_link *l, int type, const uint8_t *p, size_t len,
    void *arg)
{
	struct fuzz_vars	*vars = arg;
	json_t			*o, *v, *ev;
	const char		*s;
	char			 err[256], buf[32], token[FUZZ_VAR_MAX];

	(void)l;
	if (type == FRAME_CHUNK)
		return;
	if ((o = frame_body_parse(p, len, err, sizeof err)) == NULL)
		fatalx("meetd wrote a bad frame body on a link: %s", err);
	switch (type) {
	case FRAME_HELLO:
		v = json_object_get(o, "version");
		s = json_string_value(json_object_get(o, "instance"));
		if (!json_is_integer(v) ||
		    json_integer_value(v) != PROTO_VERSION ||
		    s == NULL || strcmp(s, node_id) != 0)
			abort();
		break;
	case FRAME_REPLY:
		if (!json_is_integer(json_object_get(o, "id")) ||
		    !json_is_integer(json_object_get(o, "code")))
			abort();
		v = json_object_get(o, "xfer");
		if (json_is_integer(v))
			fuzz_vars_xfer(vars, (uint64_t)json_integer_value(v));
		if ((s = json_string_value(json_object_get(o, "file"))) !=
		    NULL)
			fuzz_vars_set(vars, 'F', s);
		v = json_object_get(o, "ssrc");
		if (json_is_integer(v)) {
			snprintf(buf, sizeof buf, "%lld",
			    (long long)json_integer_value(v));
			fuzz_vars_set(vars, 'S', buf);
		}
		/* A token printed by the token command, for a join. */
		s = json_string_value(json_object_get(o, "out"));
		if (s != NULL && strncmp(s, "eyJ", 3) == 0 &&
		    strcspn(s, "\n") < FUZZ_VAR_MAX) {
			snprintf(token, sizeof token, "%.*s",
			    (int)strcspn(s, "\n"), s);
			fuzz_vars_set(vars, 'T', token);
		}
		break;
	case FRAME_EVENT:
		ev = json_object_get(o, "event");
		s = json_string_value(json_object_get(ev, "event"));
		if (s != NULL && strcmp(s, "file") == 0 &&
		    (s = json_string_value(json_object_get(ev, "id"))) != NULL)
			fuzz_vars_set(vars, 'F', s);
		break;
	}
	json_decref(o);
}

/* Read what the daemon wrote on every link. */
static void
joiner_pump(void)
{
	struct fuzz_link	*l;
	int			 i;

	for (i = 0; i < JOINER_SLOTS; i++) {
		l = &joiner_slots[i];
		if (l->fd != -1)
			(void)fuzz_link_read(l, joiner_learn, &joiner_vars);
	}
}

/* One frame to the daemon, and what it answers; -1 once it is closed. */
static int
joiner_send(struct fuzz_link *l, const uint8_t *p, size_t len)
{
	int	r;

	r = fuzz_link_write(l, p, len);
	fuzz_daemon_settle();
	joiner_pump();
	return r;
}

/* What one record writes: frame by frame, or line by line. */
static void
joiner_record(struct fuzz_link *l, int lines, const uint8_t *p, size_t len)
{
	const uint8_t	*end = p + len, *nl;
	uint8_t		*frame;
	size_t		 n;
	int		 r;

	while (p < end) {
		if (lines) {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			frame = fuzz_line_frame(p, (size_t)(nl - p),
			    &joiner_vars, &n);
			r = joiner_send(l, frame, n);
			free(frame);
			p = nl + (nl < end);
		} else {
			n = fuzz_frame_len(p, (size_t)(end - p));
			r = joiner_send(l, p, n);
			p += n;
		}
		if (r != 0)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct fuzz_link	*l;
	const uint8_t		*p;
	size_t			 len;
	uint8_t			 how;
	int			 i, steps;

	fuzz_input_init(&in, data, size);
	for (i = 0; i < JOINER_SLOTS; i++)
		joiner_slots[i].fd = -1;
	fuzz_daemon_start();
	for (steps = 0; steps < JOINER_STEPS && in.left > 0; steps++) {
		how = fuzz_u8(&in);
		len = fuzz_u16(&in);
		p = fuzz_bytes(&in, len, &len);
		l = &joiner_slots[how & 3];
		if (l->fd == -1)
			joiner_open(l, (how >> 2) & 3, how & 0x10);
		if (l->fd != -1)
			joiner_record(l, how & 0x80, p, len);
		if ((how & 0x40) && l->fd != -1) {
			fuzz_link_close(l);
			fuzz_daemon_settle();
			joiner_pump();
		}
	}
	/*
	 * Links left open see the node stop: what it wrote is read first, so
	 * that its goodbye finds room on the socket.
	 */
	for (i = 0; i < JOINER_DRAIN; i++) {
		fuzz_daemon_settle();
		joiner_pump();
	}
	fuzz_daemon_stop();
	/* A remote still listed would be the next input's, half freed. */
	if (remote_count() != 0 || peer_count() != 0)
		abort();
	for (i = 0; i < JOINER_SLOTS; i++) {
		if (joiner_slots[i].fd != -1)
			fuzz_link_close(&joiner_slots[i]);
	}
	fuzz_vars_clear(&joiner_vars);
	return 0;
}
