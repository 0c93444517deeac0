/*
 * tcpproxy: a TCP proxy the regress tests put between two nodes, so that
 * they can break a link on demand and heal it again.
 *
 *	tcpproxy -l ADDR:PORT -t HOST:PORT [-b BYTES_PER_SEC] [-p PORTFILE]
 *
 * It listens on -l (port 0 picks one), prints the bound port to PORTFILE (or
 * stdout) once listening, and forwards every accepted connection to -t,
 * bytes unchanged both ways, through buffers of a fixed size: a side that
 * does not read stops the other side being read.
 *
 * With -b, each direction of each connection moves at most BYTES_PER_SEC
 * on average: a token bucket, filled at that rate and holding at most a
 * twentieth of a second's worth, limits what is read from each side.
 *
 *	SIGUSR1	cut: close every connection at once, both sides, and from
 *		then on accept each new connection and close it straight away
 *	SIGUSR2	restore: forward new connections again
 *	SIGTERM	exit
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "xmalloc.h"

#define PROXY_MAX	64		/* connections at once */
#define PROXY_BUF	65536		/* bytes held per direction */
#define PROXY_BURST_DIV	20		/* a bucket holds 1/20 s of bytes */
#define PROXY_WAKE	4096		/* wait for this many tokens at most */

/* Bytes read from one side, waiting to be written to the other. */
struct pipe_buf {
	char	data[PROXY_BUF];
	size_t	off;
	size_t	len;
	int	eof;		/* the reading side is done */
	int	shut;		/* and the writing side was told */
	double	tokens;		/* -b: bytes that may be read now */
	int64_t	filled;		/* -b: when tokens were last added, ns */
};

/* One proxied connection: fd[0] accepted, fd[1] towards the target. */
struct conn {
	int		 fd[2];
	int		 connecting;	/* fd[1] not connected yet */
	int		 slot;		/* in the poll array, -1: not */
	struct pipe_buf	 buf[2];	/* buf[i]: read from fd[i] */
};

static volatile sig_atomic_t	 got_cut, got_restore, got_term;
static struct conn		*conns[PROXY_MAX];
static struct node_addr		 target;
static double			 rate;	/* -b, bytes a second; 0: none */
static double			 burst;	/* the most a bucket holds */

static void	usage(void) __attribute__((noreturn));
static void	proxy_signal(int);
static void	proxy_nonblock(int);
static int	proxy_listen(const char *, int *);
static void	proxy_write_port(const char *, int);
static void	proxy_accept(int, int);
static int	proxy_connect(int *, int *);
static void	proxy_close(struct conn **);
static void	proxy_cut(void);
static int	proxy_move(struct conn *, int);
static void	proxy_loop(int);
static int64_t	proxy_now(void);
static void	proxy_fill(struct pipe_buf *, int64_t);
static size_t	proxy_allowed(const struct pipe_buf *);
static int64_t	proxy_wait(const struct pipe_buf *);

static void
usage(void)
{
	fprintf(stderr, "usage: tcpproxy -l ADDR:PORT -t HOST:PORT "
	    "[-b BYTES_PER_SEC] [-p PORTFILE]\n");
	exit(2);
}

/* The monotonic clock in nanoseconds. */
static int64_t
proxy_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		fatal("clock_gettime");
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Add the tokens earned since the bucket was last filled. */
static void
proxy_fill(struct pipe_buf *b, int64_t now)
{
	if (rate == 0)
		return;
	if (now > b->filled) {
		b->tokens += rate * (double)(now - b->filled) / 1e9;
		if (b->tokens > burst)
			b->tokens = burst;
	}
	b->filled = now;
}

/* How many bytes may be read into b now. */
static size_t
proxy_allowed(const struct pipe_buf *b)
{
	size_t	space = sizeof b->data - b->len;

	if (rate == 0 || b->tokens >= (double)space)
		return space;
	if (b->tokens < 1)
		return 0;
	return (size_t)b->tokens;
}

/*
 * Nanoseconds until the bucket holds enough to be worth a read (a few
 * kilobytes, or the whole bucket when it is smaller); 0 when it does now.
 */
static int64_t
proxy_wait(const struct pipe_buf *b)
{
	double	want;

	want = burst < PROXY_WAKE ? burst : PROXY_WAKE;
	if (want < 1)
		want = 1;
	if (b->tokens >= want)
		return 0;
	return (int64_t)((want - b->tokens) * 1e9 / rate) + 1;
}

static void
proxy_signal(int sig)
{
	if (sig == SIGUSR1)
		got_cut = 1;
	else if (sig == SIGUSR2)
		got_restore = 1;
	else
		got_term = 1;
}

static void
proxy_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		fatal("fcntl");
}

/* Listen on addr; the listening socket, and the bound port in *port. */
static int
proxy_listen(const char *addr, int *port)
{
	struct node_addr	 na;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 err[256], serv[16], host[NI_MAXHOST];
	int			 fd, one = 1;

	if (node_addr_parse(addr, 0, &na, err, sizeof err) != 0)
		fatalx("-l %s", err);
	if (node_addr_resolve(&na, AF_UNSPEC, SOCK_STREAM, AI_PASSIVE, &ss,
	    &sslen, err, sizeof err) != 0)
		fatalx("-l %s: %s", addr, err);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		fatal("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0)
		fatal("bind %s", addr);
	sslen = sizeof ss;
	if (listen(fd, 64) != 0)
		fatal("listen");
	proxy_nonblock(fd);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, sslen, host, sizeof host,
	    serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		fatalx("cannot read the bound address");
	*port = atoi(serv);
	return fd;
}

/* Write the port whole or not at all: a test polls for the file. */
static void
proxy_write_port(const char *path, int port)
{
	FILE	*f;
	char	*tmp;

	if (path == NULL) {
		printf("%d\n", port);
		fflush(stdout);
		return;
	}
	xasprintf(&tmp, "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		fatal("%s", tmp);
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0)
		fatal("%s", tmp);
	if (rename(tmp, path) != 0)
		fatal("rename %s", path);
	free(tmp);
}

/* Start connecting to the target: 0, or -1 when it failed at once. */
static int
proxy_connect(int *fdp, int *connecting)
{
	struct addrinfo	 hints, *res;
	char		 serv[16];
	int		 fd, r;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof serv, "%d", target.port);
	if ((r = getaddrinfo(target.host, serv, &hints, &res)) != 0) {
		log_warnx("%s: %s", target.host, gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		freeaddrinfo(res);
		return -1;
	}
	proxy_nonblock(fd);
	*connecting = 0;
	if (connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			log_warn("connect %s:%d", target.host, target.port);
			close(fd);
			freeaddrinfo(res);
			return -1;
		}
		*connecting = 1;
	}
	freeaddrinfo(res);
	*fdp = fd;
	return 0;
}

static void
proxy_accept(int lfd, int cut)
{
	struct conn	*c;
	int		 fd, i, one = 1;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
		for (i = 0; i < PROXY_MAX; i++) {
			if (conns[i] == NULL)
				break;
		}
		if (cut || i == PROXY_MAX) {
			if (!cut)
				log_warnx("too many connections");
			close(fd);
			continue;
		}
		proxy_nonblock(fd);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		c = xcalloc(1, sizeof *c);
		c->fd[0] = fd;
		c->slot = -1;
		c->buf[0].tokens = c->buf[1].tokens = burst;
		c->buf[0].filled = c->buf[1].filled = proxy_now();
		if (proxy_connect(&c->fd[1], &c->connecting) != 0) {
			close(fd);
			free(c);
			continue;
		}
		setsockopt(c->fd[1], IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
		conns[i] = c;
	}
	if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
		log_warn("accept");
}

static void
proxy_close(struct conn **cp)
{
	struct conn	*c = *cp;

	close(c->fd[0]);
	close(c->fd[1]);
	free(c);
	*cp = NULL;
}

/* Cut: close every connection at once, both sides. */
static void
proxy_cut(void)
{
	int	i;

	for (i = 0; i < PROXY_MAX; i++) {
		if (conns[i] != NULL)
			proxy_close(&conns[i]);
	}
}

/*
 * Move what can be moved from fd[from] to the other side without blocking.
 * 0 while the connection lives, -1 when it is finished or failed.
 */
static int
proxy_move(struct conn *c, int from)
{
	struct pipe_buf	*b = &c->buf[from];
	int		 to = !from;
	size_t		 room;
	ssize_t		 n;

	proxy_fill(b, proxy_now());
	if (!b->eof && (room = proxy_allowed(b)) > 0) {
		/* Compact so that the free space is one piece. */
		if (b->off > 0) {
			memmove(b->data, b->data + b->off, b->len);
			b->off = 0;
		}
		n = read(c->fd[from], b->data + b->len, room);
		if (n == 0)
			b->eof = 1;
		else if (n > 0) {
			b->len += (size_t)n;
			if (rate != 0)
				b->tokens -= (double)n;
		} else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	while (b->len > 0) {
		n = write(c->fd[to], b->data + b->off, b->len);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -1;
		}
		b->off += (size_t)n;
		b->len -= (size_t)n;
	}
	if (b->len == 0)
		b->off = 0;
	if (b->eof && b->len == 0 && !b->shut) {
		shutdown(c->fd[to], SHUT_WR);
		b->shut = 1;
	}
	if (c->buf[0].shut && c->buf[1].shut)
		return -1;
	return 0;
}

static void
proxy_loop(int lfd)
{
	struct pollfd	 pfd[1 + 2 * PROXY_MAX];
	struct conn	*c;
	struct timespec	 ts, *tsp;
	sigset_t	 empty;
	socklen_t	 len;
	int64_t		 now, wait, soonest;
	int		 cut = 0, i, j, n, err;

	sigemptyset(&empty);
	while (!got_term) {
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		n = 1;
		soonest = -1;
		now = proxy_now();
		for (i = 0; i < PROXY_MAX; i++) {
			if ((c = conns[i]) == NULL)
				continue;
			c->slot = n;
			for (j = 0; j < 2; j++) {
				pfd[n].fd = c->fd[j];
				pfd[n].events = 0;
				pfd[n].revents = 0;
				if (c->connecting) {
					/* Nothing moves until it is up. */
					if (j == 1)
						pfd[n].events = POLLOUT;
				} else {
					proxy_fill(&c->buf[j], now);
					if (!c->buf[j].eof &&
					    c->buf[j].len < PROXY_BUF) {
						wait = rate == 0 ? 0 :
						    proxy_wait(&c->buf[j]);
						if (wait == 0)
							pfd[n].events |= POLLIN;
						else if (soonest == -1 ||
						    wait < soonest)
							soonest = wait;
					}
					if (c->buf[!j].len > 0)
						pfd[n].events |= POLLOUT;
				}
				n++;
			}
		}
		/* Wake when the emptiest bucket has refilled enough. */
		tsp = NULL;
		if (soonest != -1) {
			ts.tv_sec = soonest / 1000000000;
			ts.tv_nsec = soonest % 1000000000;
			tsp = &ts;
		}
		/* Signals are blocked but here, so none is missed. */
		if (ppoll(pfd, (nfds_t)n, tsp, &empty) == -1 &&
		    errno != EINTR)
			fatal("ppoll");
		if (got_term)
			break;
		if (got_cut) {
			got_cut = 0;
			got_restore = 0;
			cut = 1;
			proxy_cut();
			log_info("cut");
			continue;
		}
		if (got_restore) {
			got_restore = 0;
			cut = 0;
			log_info("restored");
		}
		if (pfd[0].revents & POLLIN)
			proxy_accept(lfd, cut);

		for (i = 0; i < PROXY_MAX; i++) {
			if ((c = conns[i]) == NULL || c->slot == -1)
				continue;	/* none, or accepted just now */
			n = c->slot;
			if (pfd[n].revents == 0 && pfd[n + 1].revents == 0)
				continue;
			if (c->connecting && pfd[n + 1].revents == 0) {
				/* The client gave up before the target answered. */
				proxy_close(&conns[i]);
				continue;
			}
			if (!c->connecting &&
			    (pfd[n].revents | pfd[n + 1].revents) & POLLERR) {
				proxy_close(&conns[i]);
				continue;
			}
			if (c->connecting) {
				len = sizeof err;
				if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR,
				    &err, &len) != 0 || err != 0) {
					log_warnx("connect %s:%d: %s",
					    target.host, target.port,
					    strerror(err));
					proxy_close(&conns[i]);
					continue;
				}
				c->connecting = 0;
			}
			if (proxy_move(c, 0) != 0 || proxy_move(c, 1) != 0)
				proxy_close(&conns[i]);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	sigset_t		 set;
	const char		*laddr = NULL, *taddr = NULL, *portfile = NULL;
	char			*end;
	char			 err[256];
	long long		 bps;
	int			 ch, lfd, port;

	log_init("tcpproxy", 0, 0);
	while ((ch = getopt(argc, argv, "b:l:t:p:")) != -1) {
		switch (ch) {
		case 'b':
			errno = 0;
			bps = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    bps < 1 || bps > 1000000000000LL)
				fatalx("-b %s: not a rate in bytes a second",
				    optarg);
			rate = (double)bps;
			burst = rate / PROXY_BURST_DIV;
			if (burst < 1)
				burst = 1;
			break;
		case 'l':
			laddr = optarg;
			break;
		case 't':
			taddr = optarg;
			break;
		case 'p':
			portfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || laddr == NULL || taddr == NULL)
		usage();
	if (node_addr_parse(taddr, ADDR_DEFAULT_PORT, &target, err,
	    sizeof err) != 0)
		fatalx("-t %s", err);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = proxy_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	lfd = proxy_listen(laddr, &port);
	proxy_write_port(portfile, port);
	proxy_loop(lfd);
	proxy_cut();
	close(lfd);
	return 0;
}
