/*
 * The nodes loadgen drives.  meetd is driven through its real interface:
 * meetctl, run as a child for each request (create, rtp, end), its JSON
 * read back for the port each plain-RTP participant sends to.  A reference
 * relay is a shell command that loadgen starts with the destinations
 * appended, which prints the address it listens on as its first line and
 * forwards what it gets there to every destination; loadgen ends it.
 *
 * Every child is waited for, with a time limit: a node that does not
 * answer fails the run rather than hang it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "xmalloc.h"

#include "loadgen.h"

#define NODE_ARGS	24
#define NODE_TIMEOUT_MS	20000
#define NODE_OUT	65536

static const char	*node_meetctl = "meetctl";
static const char	*node_socket;

static int	node_wait(pid_t, int);
static int	node_read(int, char *, size_t, int, int);
static int	meetctl_run(char *, size_t, ...);

void
node_meetctl_init(const char *path, const char *sock)
{
	if (path != NULL)
		node_meetctl = path;
	node_socket = sock;
}

/* Wait for our child up to ms; its exit status, or -1 (then killed). */
static int
node_wait(pid_t pid, int ms)
{
	int	status, waited = 0;
	pid_t	r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r == -1 && errno != EINTR)
			return -1;
		if (waited >= ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(2000);
		waited += 2;
	}
}

/*
 * Read fd into buf (NUL-terminated) until EOF, or the first newline when
 * line is set, for up to ms: the bytes read, or -1 on timeout.
 */
static int
node_read(int fd, char *buf, size_t len, int line, int ms)
{
	struct pollfd	pfd;
	size_t		off = 0;
	ssize_t		n;
	int		r;

	pfd.fd = fd;
	pfd.events = POLLIN;
	while (off + 1 < len) {
		if ((r = poll(&pfd, 1, ms)) == 0)
			return -1;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if ((n = read(fd, buf + off, len - off - 1)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		buf[off] = '\0';
		if (line && memchr(buf, '\n', off) != NULL)
			break;
	}
	buf[off] = '\0';
	return (int)off;
}

/* meetctl -S SOCKET ARGS... (NULL-terminated): its exit status, or -1. */
static int
meetctl_run(char *out, size_t outlen, ...)
{
	const char	*argv[NODE_ARGS];
	va_list		 ap;
	pid_t		 pid;
	int		 p[2], argc = 0, r;

	argv[argc++] = node_meetctl;
	argv[argc++] = "-S";
	argv[argc++] = node_socket;
	va_start(ap, outlen);
	while (argc < NODE_ARGS - 1 &&
	    (argv[argc] = va_arg(ap, const char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		/* execvp's argv is not const, though it is not written. */
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		fprintf(stderr, "loadgen: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (node_read(p[0], out, outlen, 0, NODE_TIMEOUT_MS) < 0)
		kill(pid, SIGKILL);
	close(p[0]);
	r = node_wait(pid, NODE_TIMEOUT_MS);
	return r;
}

int
node_room_create(const char *room, const char *host)
{
	char	out[4096];
	int	r;

	r = meetctl_run(out, sizeof out, "create", room, "--as", host, NULL);
	if (r != 0) {
		fprintf(stderr, "loadgen: meetctl create %s --as %s: exit "
		    "%d\n", room, host, r);
		return -1;
	}
	return 0;
}

int
node_rtp_add(const char *host, const char *name, const struct sockaddr_in
    *peer, const char *video_from, struct sockaddr_in *send_to)
{
	char		 out[NODE_OUT], addr[64], ip[INET_ADDRSTRLEN];
	json_t		*o;
	json_error_t	 err;
	const char	*s;
	int		 r;

	inet_ntop(AF_INET, &peer->sin_addr, ip, sizeof ip);
	snprintf(addr, sizeof addr, "%s:%u", ip, ntohs(peer->sin_port));
	if (video_from != NULL)
		r = meetctl_run(out, sizeof out, "-s", host, "-j", "rtp",
		    "--as", name, "--peer", addr, "--video", "jpeg",
		    "--video-from", video_from, NULL);
	else
		r = meetctl_run(out, sizeof out, "-s", host, "-j", "rtp",
		    "--as", name, "--peer", addr, NULL);
	if (r != 0) {
		fprintf(stderr, "loadgen: meetctl rtp --as %s: exit %d\n",
		    name, r);
		return -1;
	}
	if ((o = json_loads(out, JSON_DISABLE_EOF_CHECK, &err)) == NULL) {
		fprintf(stderr, "loadgen: meetctl rtp --as %s: %s\n", name,
		    err.text);
		return -1;
	}
	s = json_string_value(json_object_get(o, "send_to"));
	r = s != NULL ? udpio_parse_addr(s, send_to) : -1;
	if (r != 0)
		fprintf(stderr, "loadgen: meetctl rtp --as %s: no IPv4 "
		    "send_to in %s\n", name, out);
	json_decref(o);
	return r;
}

void
node_room_end(const char *host)
{
	char	out[4096];

	if (meetctl_run(out, sizeof out, "-s", host, "end", NULL) != 0)
		fprintf(stderr, "loadgen: meetctl -s %s end failed\n", host);
}

int
node_relay_start(struct node *n, const struct sockaddr_in *dests, int ndests)
{
	char	*cmd, *c, line[256], ip[INET_ADDRSTRLEN];
	pid_t	 pid;
	int	 p[2], i;

	xasprintf(&cmd, "exec %s", n->command);
	for (i = 0; i < ndests; i++) {
		inet_ntop(AF_INET, &dests[i].sin_addr, ip, sizeof ip);
		xasprintf(&c, "%s %s:%u", cmd, ip, ntohs(dests[i].sin_port));
		free(cmd);
		cmd = c;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		free(cmd);
		return -1;
	}
	if ((pid = fork()) == -1) {
		free(cmd);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	close(p[1]);
	n->pid = pid;
	n->ours = 1;
	if (node_read(p[0], line, sizeof line, 1, 5000) <= 0 ||
	    udpio_parse_addr(strtok(line, "\n"), &n->relay_addr) != 0) {
		fprintf(stderr, "loadgen: %s: no ADDR:PORT on its first "
		    "line\n", n->command);
		close(p[0]);
		node_relay_stop(n);
		return -1;
	}
	close(p[0]);
	return 0;
}

void
node_relay_stop(struct node *n)
{
	if (!n->ours || n->pid <= 0)
		return;
	kill(n->pid, SIGTERM);
	node_wait(n->pid, 3000);
	n->pid = 0;
	n->ours = 0;
}
