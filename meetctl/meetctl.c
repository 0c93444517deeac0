/*
 * meetctl: the thin client of meetd.  It connects to the control socket,
 * sends its argv with its standard input passed along, prints what the
 * daemon sends back and exits with the daemon's status.  It knows no
 * command: meetd parses and runs them all.  When a command needs a file of
 * the user's (file send, file get), meetd asks meetctl to open, rename or
 * remove it, so that it happens with the user's rights and working
 * directory.
 *
 * meetd may refuse a client at any time, even before it has read a byte
 * (permission, too many waiting, too large a frame): it sends an error
 * frame and closes.  A write that fails because meetd has gone is then not
 * the end: the error frame is still there to read, and meetctl reports it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "frame.h"
#include "log.h"
#include "proto.h"
#include "xmalloc.h"

static void	usage(void) __attribute__((noreturn));
static const char *socket_path(const char *);
static int	connect_socket(const char *);
static int	send_frame(int, int, json_t *, const int *, int);
static int	read_full(int, void *, size_t);
static void	write_all(int, const char *, size_t);
static void	write_errors(const char *, size_t);
static int	file_op(int, json_t *);

static void
usage(void)
{
	fprintf(stderr, "usage: meetctl [-j] [-S SOCKET] [-s SESSION] "
	    "COMMAND [ARGS]\n");
	exit(EXIT_USAGE);
}

/* -S, $MEET_SOCKET, $XDG_RUNTIME_DIR/meet/meetd.sock, /run/meet/... */
static const char *
socket_path(const char *given)
{
	static char	 path[4096];
	const char	*s;
	struct stat	 st;

	if (given != NULL)
		return given;
	if ((s = getenv("MEET_SOCKET")) != NULL && *s != '\0')
		return s;
	if ((s = getenv("XDG_RUNTIME_DIR")) != NULL && *s != '\0') {
		snprintf(path, sizeof path, "%s/meet/meetd.sock", s);
		/* A system meetd serves users who run none of their own. */
		if (stat(path, &st) == 0)
			return path;
	}
	return "/run/meet/meetd.sock";
}

static int
connect_socket(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_warnx("%s: socket path too long", path);
		exit(EXIT_UNREACHABLE);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
		log_warnx("cannot reach meetd at %s: %s", path,
		    strerror(errno));
		exit(EXIT_UNREACHABLE);
	}
	return fd;
}

/*
 * Send a frame, with nfds descriptors passed as SCM_RIGHTS.  0, or -1 and
 * errno when meetd has gone (what it said last is read next).
 */
static int
send_frame(int s, int type, json_t *body, const int *fds, int nfds)
{
	struct msghdr	 msg;
	struct cmsghdr	*cm;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(2 * sizeof(int))];
	} cmsgbuf;
	uint8_t		*p;
	size_t		 len, off = 0;
	ssize_t		 n;

	if ((p = frame_pack(type, body, &len)) == NULL)
		fatalx("command too long");
	while (off < len) {
		memset(&msg, 0, sizeof msg);
		iov.iov_base = p + off;
		iov.iov_len = len - off;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (nfds > 0 && nfds <= 2 && off == 0) {
			msg.msg_control = cmsgbuf.buf;
			msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
			memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
		}
		if ((n = sendmsg(s, &msg, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE && errno != ECONNRESET)
				fatal("sendmsg");
			free(p);
			return -1;
		}
		off += (size_t)n;
	}
	free(p);
	return 0;
}

static int
read_full(int fd, void *buf, size_t len)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < len) {
		n = read(fd, (char *)buf + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static void
write_all(int fd, const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* Nobody reads our output any more: done. */
			if (fd == STDOUT_FILENO)
				exit(EXIT_DONE);
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Do what meetd asks of a file, and answer (with the fd of an open): 0, or
 * -1 and errno as send_frame.
 */
static int
file_op(int s, json_t *o)
{
	const char	*op, *path, *to;
	json_t		*r;
	int		 fd = -1, err = 0, sent;

	op = json_string_value(json_object_get(o, "op"));
	path = json_string_value(json_object_get(o, "path"));
	to = json_string_value(json_object_get(o, "to"));
	if (op == NULL || path == NULL)
		err = EINVAL;
	else if (strcmp(op, "read") == 0) {
		/* Non-blocking, so that a FIFO with no writer cannot hang
		 * us; meetd refuses what is not a regular file. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd != -1)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	}
	else if (strcmp(op, "write") == 0)
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	else if (strcmp(op, "rename") == 0 && to != NULL)
		err = rename(path, to) == 0 ? 0 : errno;
	else if (strcmp(op, "unlink") == 0)
		err = unlink(path) == 0 ? 0 : errno;
	else
		err = EINVAL;
	if (op != NULL && (strcmp(op, "read") == 0 ||
	    strcmp(op, "write") == 0) && fd == -1)
		err = errno;
	r = json_pack("{s:O,s:s?}", "id", json_object_get(o, "id"), "error",
	    err != 0 ? strerror(err) : NULL);
	sent = send_frame(s, FRAME_FILE_RESULT, r, &fd, fd != -1 ? 1 : 0);
	json_decref(r);
	if (fd != -1)
		close(fd);
	return sent;
}

/* Each line of an error reads "meetctl: what went wrong". */
static void
write_errors(const char *p, size_t len)
{
	static int	 line_start = 1;
	const char	*nl;
	size_t		 n;

	while (len > 0) {
		if (line_start)
			write_all(STDERR_FILENO, "meetctl: ", 9);
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) + 1 : len;
		write_all(STDERR_FILENO, p, n);
		line_start = (nl != NULL);
		p += n;
		len -= n;
	}
}

int
main(int argc, char **argv)
{
	struct frame_header	 h;
	const char		*path = NULL, *session = NULL;
	uint8_t			 hdr[FRAME_HEADER], *body;
	char			 err[256];
	json_t			*o, *av, *v;
	const char		*data;
	int			 ch, json = 0, s, i, fds[2], nfds = 0;
	int			 gone = 0;	/* errno of a failed write */
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "session", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	log_init("meetctl", 0, 0);
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "+jS:s:Vh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'S':
			path = optarg;
			break;
		case 's':
			session = optarg;
			break;
		case 'V':
			printf("meetctl %s\n", MEET_VERSION);
			return EXIT_DONE;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	s = connect_socket(socket_path(path));
	o = json_pack("{s:i}", "version", PROTO_VERSION);
	if (send_frame(s, FRAME_HELLO, o, NULL, 0) != 0)
		gone = errno;
	json_decref(o);
	av = json_array();
	for (i = 0; i < argc; i++) {
		if ((v = json_string(argv[i])) == NULL) {
			log_warnx("argument %d is not valid UTF-8", i + 1);
			json_decref(av);
			return EXIT_USAGE;
		}
		json_array_append_new(av, v);
	}
	/* stdin then stdout, for the commands that stream (send, recv). */
	fds[0] = fcntl(STDIN_FILENO, F_GETFD) != -1 ? STDIN_FILENO : -1;
	fds[1] = fcntl(STDOUT_FILENO, F_GETFD) != -1 ? STDOUT_FILENO : -1;
	if (fds[0] == -1 && fds[1] != -1)
		fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fds[0] != -1)
		nfds = fds[1] != -1 ? 2 : 1;
	o = json_pack("{s:o,s:s?,s:b,s:i,s:b}", "argv", av, "session",
	    session, "json", json, "fds", nfds, "tty",
	    isatty(STDERR_FILENO));
	if (!gone && send_frame(s, FRAME_COMMAND, o, fds, nfds) != 0)
		gone = errno;
	json_decref(o);

	for (;;) {
		if (read_full(s, hdr, sizeof hdr) != 0)
			break;
		if (frame_header_parse(hdr, &h, err, sizeof err) != 0) {
			log_warnx("bad reply from meetd: %s", err);
			return EXIT_REFUSED;
		}
		body = xmalloc(h.length + 1);
		if (read_full(s, body, h.length) != 0) {
			free(body);
			break;
		}
		o = frame_body_parse(body, h.length, err, sizeof err);
		free(body);
		if (o == NULL) {
			log_warnx("bad reply from meetd: %s", err);
			return EXIT_REFUSED;
		}
		switch (h.type) {
		case FRAME_OUTPUT:
			v = json_object_get(o, "data");
			data = json_string_value(v);
			if (data == NULL)
				break;
			i = (int)json_integer_value(json_object_get(o, "fd"));
			if (i == 2)
				write_errors(data, json_string_length(v));
			else if (i == 3)	/* progress: as it is */
				write_all(STDERR_FILENO, data,
				    json_string_length(v));
			else
				write_all(STDOUT_FILENO, data,
				    json_string_length(v));
			break;
		case FRAME_FILE:
			if (!gone && file_op(s, o) != 0)
				gone = errno;
			break;
		case FRAME_EXIT:
			i = (int)json_integer_value(json_object_get(o, "code"));
			json_decref(o);
			return i;
		case FRAME_ERROR:
			/* meetd's reason, as it gave it: it names the cause. */
			data = json_string_value(json_object_get(o, "error"));
			log_warnx("%s", data != NULL ? data :
			    "meetd refused, and did not say why");
			json_decref(o);
			return EXIT_REFUSED;
		default:
			break;
		}
		json_decref(o);
	}
	if (gone) {
		/* It went before it answered, and left no word. */
		log_warnx("lost meetd: %s", strerror(gone));
		return EXIT_UNREACHABLE;
	}
	log_warnx("lost the connection to meetd");
	return EXIT_REFUSED;
}
