/*
 * Fuzzing a whole control session against the real dispatch (meetd's
 * client.c and cmd*.c, set up by fuzz-daemon.c): the input is a series of
 * up to FUZZ_CONNS connections, each a byte choosing the peer's uid (the
 * daemon's own or one of two others) and, with its top bit, frames
 * written as lines (control_lines), the 16-bit lengths of what the
 * client writes and of its stdin, then those bytes.  Each connection is a
 * socketpair given to client_accept as control.c gives an accepted one;
 * what it writes goes frame by frame, with the stdin and stdout meetctl
 * passes on its command frame, and the daemon's requests for files are
 * answered as meetctl answers them.  Sessions and rooms live on from one
 * connection to the next, as they do between meetctl runs, and the node
 * stops at the end of the input as it stops on SIGTERM.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../meetd/meetd.h"
#include "frame.h"
#include "fuzz-daemon.h"
#include "fuzz.h"

#define FUZZ_CONNS	8	/* connections an input may make */
#define FUZZ_SENDS	64	/* tries at a write the daemon does not read */
#define FUZZ_ANSWERS	16	/* file requests answered per frame sent */

/* What the daemon wrote back, kept until its frames are whole. */
struct reply {
	uint8_t		*buf;
	size_t		 len;
	size_t		 size;
};

static void	control_session(uid_t, const uint8_t *, size_t,
		    const uint8_t *, size_t);
static uint8_t	*control_lines(const uint8_t *, size_t, size_t *);
static size_t	control_frame(const uint8_t *, size_t, int *);
static int	control_send(int, const void *, size_t, const int *, int);
static int	control_answer(int, struct reply *, const uint8_t *, size_t);
static int	control_file(int, json_t *, const uint8_t *, size_t);
static int	control_memfd(const uint8_t *, size_t);
static int	control_stdin(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_daemon_init("fuzz-control");
	return 0;
}

/* A file of the given bytes, read and write, at its start. */
static int
control_memfd(const uint8_t *p, size_t len)
{
	int	fd;

	if ((fd = memfd_create("fuzz-file", MFD_CLOEXEC)) == -1)
		fatal("memfd_create");
	if (len > 0 && write(fd, p, len) != (ssize_t)len)
		fatal("memfd write");
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* A pipe holding the bytes, its writer closed: meetctl's stdin. */
static int
control_stdin(const uint8_t *p, size_t len)
{
	int	fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		fatal("pipe2");
	/* A pipe holds 64 KiB: the 16-bit length always fits. */
	if (len > 0 && write(fds[1], p, len) != (ssize_t)len)
		fatal("pipe write");
	close(fds[1]);
	return fds[0];
}

/*
 * The length of the frame at p (its type in *type), or all that is left
 * when there is no whole good frame there.
 */
static size_t
control_frame(const uint8_t *p, size_t len, int *type)
{
	struct frame_header	h;
	char			err[256];

	*type = 0;
	if (len < FRAME_HEADER ||
	    frame_header_parse(p, &h, err, sizeof err) != 0)
		return len;
	*type = h.type;
	if (h.length > len - FRAME_HEADER)
		return len;
	return FRAME_HEADER + h.length;
}

/*
 * Write all of p with nfds descriptors on its first byte, letting the
 * daemon read while the socket is full; 0, or -1 when it will not read.
 */
static int
control_send(int fd, const void *p, size_t len, const int *fds, int nfds)
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
			if (errno != EAGAIN || ++tries == FUZZ_SENDS)
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

/* Answer a file request as meetctl does: open, rename or remove. */
static int
control_file(int fd, json_t *body, const uint8_t *input, size_t inlen)
{
	const char	*op;
	uint8_t		*p;
	size_t		 len;
	json_t		*o;
	int		 file = -1, r;

	op = json_string_value(json_object_get(body, "op"));
	if (op == NULL)
		return 0;
	if (strcmp(op, "read") == 0)
		file = control_memfd(input, inlen);
	else if (strcmp(op, "write") == 0)
		file = control_memfd(NULL, 0);
	o = json_pack("{s:O}", "id", json_object_get(body, "id"));
	if (o == NULL)
		o = json_object();
	p = frame_pack(FRAME_FILE_RESULT, o, &len);
	json_decref(o);
	r = control_send(fd, p, len, &file, file != -1 ? 1 : 0);
	free(p);
	if (file != -1)
		close(file);
	return r;
}

/*
 * Read what the daemon wrote and answer its file requests; the number
 * answered, or -1 when the connection is gone.
 */
static int
control_answer(int fd, struct reply *r, const uint8_t *input, size_t inlen)
{
	struct frame_header	 h;
	char			 err[256];
	ssize_t			 n;
	size_t			 off = 0;
	json_t			*o;
	int			 answered = 0;

	for (;;) {
		if (r->size - r->len < 16384) {
			r->size = r->size * 2 + 16384;
			r->buf = xreallocarray(r->buf, 1, r->size);
		}
		n = read(fd, r->buf + r->len, r->size - r->len);
		if (n <= 0)
			break;
		r->len += (size_t)n;
	}
	while (r->len - off >= FRAME_HEADER) {
		if (frame_header_parse(r->buf + off, &h, err, sizeof err) != 0)
			fatalx("meetd wrote a bad frame: %s", err);
		if (r->len - off - FRAME_HEADER < h.length)
			break;
		if (h.type == FRAME_FILE) {
			o = frame_body_parse(r->buf + off + FRAME_HEADER,
			    h.length, err, sizeof err);
			if (o == NULL)
				fatalx("meetd wrote a bad file frame: %s", err);
			if (control_file(fd, o, input, inlen) != 0)
				answered = -1;
			else if (answered != -1)
				answered++;
			json_decref(o);
		}
		off += FRAME_HEADER + h.length;
	}
	memmove(r->buf, r->buf + off, r->len - off);
	r->len -= off;
	return answered;
}

/*
 * Frames from lines "TYPE BODY": a fuzzer that inserts into a JSON body
 * would break a frame's length, and so never reach what the body means;
 * here the length is made to fit.  The caller frees the result.
 */
static uint8_t *
control_lines(const uint8_t *p, size_t len, size_t *outlen)
{
	const uint8_t	*end, *nl;
	uint8_t		*out;
	size_t		 n, o = 0;
	u_int		 type;

	/* A line of one byte or none at worst: a header each. */
	out = xreallocarray(NULL, len + 1, FRAME_HEADER + 1);
	for (end = p + len; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		for (type = 0; p < nl && *p >= '0' && *p <= '9'; p++)
			type = (type * 10 + (*p - '0')) & 0xff;
		if (p < nl && *p == ' ')
			p++;
		n = (size_t)(nl - p);
		frame_header_pack(out + o, (int)type, n);
		memcpy(out + o + FRAME_HEADER, p, n);
		o += FRAME_HEADER + n;
	}
	*outlen = o;
	return out;
}

static void
control_session(uid_t uid, const uint8_t *stream, size_t len,
    const uint8_t *input, size_t inlen)
{
	struct reply	 r = { NULL, 0, 0 };
	char		*cause;
	size_t		 off = 0, n;
	int		 sv[2], fds[2], nfds, type, i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0)
		fatal("socketpair");
	if (client_accept(sv[0], uid, &cause) != 0) {
		free(cause);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	fuzz_daemon_settle();
	while (off < len) {
		n = control_frame(stream + off, len - off, &type);
		nfds = 0;
		if (type == FRAME_COMMAND) {
			fds[0] = control_stdin(input, inlen);
			if ((fds[1] = open("/dev/null", O_WRONLY |
			    O_CLOEXEC)) == -1)
				fatal("/dev/null");
			nfds = 2;
		} else if (type == FRAME_FILE_RESULT) {
			fds[0] = control_memfd(input, inlen);
			nfds = 1;
		}
		i = control_send(sv[1], stream + off, n, fds, nfds);
		while (nfds > 0)
			close(fds[--nfds]);
		off += n;
		fuzz_daemon_settle();
		if (i != 0)
			break;
		for (i = 0; i < FUZZ_ANSWERS; i++) {
			if (control_answer(sv[1], &r, input, inlen) <= 0)
				break;
			fuzz_daemon_settle();
		}
	}
	/* meetctl goes: what its command still does is cancelled. */
	(void)control_answer(sv[1], &r, input, inlen);
	close(sv[1]);
	fuzz_daemon_settle();
	free(r.buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	const uint8_t		*stream, *input;
	size_t			 len, inlen;
	uid_t			 uid;
	uint8_t			 how, *lines;
	int			 conns;

	fuzz_input_init(&in, data, size);
	fuzz_daemon_start();
	for (conns = 0; conns < FUZZ_CONNS && in.left > 0; conns++) {
		/* The daemon's own user, or one of two others. */
		how = fuzz_u8(&in);
		uid = geteuid() + (how & 0x7f) % 3 * 1000;
		len = fuzz_u16(&in);
		inlen = fuzz_u16(&in);
		stream = fuzz_bytes(&in, len, &len);
		input = fuzz_bytes(&in, inlen, &inlen);
		if (how & 0x80) {
			lines = control_lines(stream, len, &len);
			control_session(uid, lines, len, input, inlen);
			free(lines);
		} else
			control_session(uid, stream, len, input, inlen);
	}
	fuzz_daemon_stop();
	return 0;
}
