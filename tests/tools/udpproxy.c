/*
 * udpproxy: a UDP relay the regress tests put on the media path to stand in
 * for a bad network, losing and delaying datagrams (there is no tc netem in
 * this kernel).
 *
 *	udpproxy [-L LOSS] [-d DELAY_MS] [-j JITTER_MS] [-s SEED]
 *	    [-D up|down|both] [-p PORTFILE] LISTEN_ADDR:PORT TARGET_ADDR:PORT
 *
 * Each client address that sends to LISTEN gets a socket of its own towards
 * TARGET, made on its first datagram; whatever arrives on that socket goes
 * back to that client from LISTEN, as through a NAT.  "up" is client to
 * target, "down" target to client.
 *
 * -L drops LOSS percent (0 to 100, decimals allowed) of the datagrams going
 * the ways -D names (default up), drawn at random from SEED so that a run
 * can be repeated; -d and -j do not change which are lost.  -d and -j hold
 * every datagram, both ways whatever -D says, DELAY_MS plus a uniform
 * random 0 to JITTER_MS; jitter may reorder them.  LISTEN port 0 picks a
 * free port; the bound port is written to PORTFILE (or stdout) once bound.
 *
 * SIGTERM or SIGINT prints "udpproxy: up N forwarded M dropped, down N
 * forwarded M dropped" on stderr and exits 0.  Datagrams the kernel refused
 * and those still held at exit count as dropped, so forwarded plus dropped
 * is what arrived.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "log.h"
#include "xmalloc.h"

#define UP		0	/* client to target */
#define DOWN		1	/* target to client */
#define PROXY_CLIENTS	256	/* client addresses at once */
#define PROXY_HELD	65536	/* datagrams held back at once */
#define PROXY_DGRAM	65536	/* larger than any UDP payload */
#define PROXY_BATCH	64	/* reads from one socket a wakeup */
#define PROXY_MAX_MS	60000.0	/* longest -d or -j */
#define PROXY_WARNINGS	10	/* send failures worth a message */

/* A client address and its own socket towards the target. */
struct client {
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 fd;
};

/* A datagram held back until due; owned by the heap until sent. */
struct held {
	int64_t		 due;	/* monotonic ns */
	uint64_t	 order;	/* arrival, to keep equal dues in order */
	int		 dir;
	int		 client;
	size_t		 len;
	uint8_t		 data[];
};

struct stats {
	unsigned long long	 forwarded;
	unsigned long long	 dropped;
};

static volatile sig_atomic_t	 got_term;
static struct client		 clients[PROXY_CLIENTS];
static int			 nclients;
static int			 lfd;
static struct sockaddr_storage	 target;
static socklen_t		 targetlen;
static double			 loss;		/* percent */
static int			 lossy[2];	/* -D */
static int64_t			 delay_ns, jitter_ns;
static uint64_t			 rng_loss, rng_delay;
static struct held		**heap;		/* min-heap on (due, order) */
static size_t			 nheld;
static uint64_t			 order_next;
static struct stats		 stats[2];
static int			 warnings;

static void	usage(void) __attribute__((noreturn));
static void	badarg(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static double	proxy_number(int, const char *, double);
static void	proxy_signal(int);
static int64_t	proxy_now(void);
static uint64_t	rng_next(uint64_t *);
static double	rng_unit(uint64_t *);
static void	proxy_resolve(const char *, int, int,
		    struct sockaddr_storage *, socklen_t *);
static int	proxy_bind(const char *, int *);
static void	proxy_write_port(const char *, int);
static int	proxy_client(const struct sockaddr_storage *, socklen_t);
static void	proxy_receive(int, int, int);
static void	proxy_pass(int, int, const uint8_t *, size_t);
static void	proxy_send(int, int, const uint8_t *, size_t);
static int	held_before(const struct held *, const struct held *);
static void	heap_push(struct held *);
static struct held *heap_pop(void);
static void	proxy_flush(int64_t);
static void	proxy_loop(void);

static void
usage(void)
{
	fprintf(stderr, "usage: udpproxy [-L loss] [-d delay_ms] "
	    "[-j jitter_ms] [-s seed] [-D up|down|both]\n"
	    "                [-p portfile] listen_addr:port "
	    "target_addr:port\n");
	exit(2);
}

/* A bad argument: say which and exit as usage does. */
static void
badarg(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", log_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* A number from 0 to max, decimals allowed, or a usage error. */
static double
proxy_number(int opt, const char *s, double max)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	/* NaN fails both comparisons. */
	if (end == s || *end != '\0' || errno != 0 || !(v >= 0 && v <= max))
		badarg("-%c %s: not a number from 0 to %g", opt, s, max);
	return v;
}

static void
proxy_signal(int sig)
{
	(void)sig;
	got_term = 1;
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

/* splitmix64: small, and the same on every libc, so -s repeats runs. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t	z;

	z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

/* "HOST:PORT" into a socket address of the family given (or any). */
static void
proxy_resolve(const char *s, int passive, int family,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct node_addr	 na;
	char			 err[256];

	if (node_addr_parse(s, -1, &na, err, sizeof err) != 0)
		badarg("%s", err);
	if (na.port == -1)
		badarg("%s: no port", s);
	if (node_addr_resolve(&na, family, SOCK_DGRAM, passive ? AI_PASSIVE :
	    0, ss, sslen, err, sizeof err) != 0)
		badarg("%s: %s", s, err);
}

/* Bind the listening socket; the socket, and the bound port in *port. */
static int
proxy_bind(const char *addr, int *port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 host[NI_MAXHOST], serv[16];
	int			 fd;

	proxy_resolve(addr, 1, AF_UNSPEC, &ss, &sslen);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		fatal("socket");
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0)
		fatal("bind %s", addr);
	sslen = sizeof ss;
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

/* The client of this address, made on its first datagram; -1 when full. */
static int
proxy_client(const struct sockaddr_storage *ss, socklen_t sslen)
{
	struct client	*c;
	int		 i, fd;

	for (i = 0; i < nclients; i++) {
		c = &clients[i];
		if (c->addrlen == sslen && memcmp(&c->addr, ss, sslen) == 0)
			return i;
	}
	if (nclients == PROXY_CLIENTS) {
		if (warnings++ < PROXY_WARNINGS)
			log_warnx("more than %d clients", PROXY_CLIENTS);
		return -1;
	}
	/* Unconnected, so that ICMP errors do not fail later sends. */
	fd = socket(target.ss_family,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("socket");
		return -1;
	}
	c = &clients[nclients];
	memcpy(&c->addr, ss, sslen);
	c->addrlen = sslen;
	c->fd = fd;
	return nclients++;
}

/*
 * Read what is waiting on fd: the listening socket (up, client unknown) or
 * a client's upstream socket (down).  Bounded so no socket starves others.
 */
static void
proxy_receive(int fd, int dir, int client)
{
	static uint8_t		 buf[PROXY_DGRAM];
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	ssize_t			 n;
	int			 i, c;

	for (i = 0; i < PROXY_BATCH; i++) {
		sslen = sizeof ss;
		n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&ss,
		    &sslen);
		if (n == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("recvfrom");
			return;
		}
		c = dir == UP ? proxy_client(&ss, sslen) : client;
		if (c == -1) {
			stats[dir].dropped++;
			continue;
		}
		proxy_pass(dir, c, buf, (size_t)n);
	}
}

/* Lose a datagram, hold it back, or send it now. */
static void
proxy_pass(int dir, int c, const uint8_t *buf, size_t len)
{
	struct held	*h;
	int64_t		 wait;

	if (lossy[dir] && loss > 0 && rng_unit(&rng_loss) * 100 < loss) {
		stats[dir].dropped++;
		return;
	}
	if (delay_ns == 0 && jitter_ns == 0) {
		proxy_send(dir, c, buf, len);
		return;
	}
	if (nheld == PROXY_HELD) {
		if (warnings++ < PROXY_WARNINGS)
			log_warnx("more than %d datagrams held", PROXY_HELD);
		stats[dir].dropped++;
		return;
	}
	wait = delay_ns;
	if (jitter_ns > 0)
		wait += (int64_t)(rng_unit(&rng_delay) *
		    (double)(jitter_ns + 1));
	h = xmalloc(sizeof *h + len);
	h->due = proxy_now() + wait;
	h->order = order_next++;
	h->dir = dir;
	h->client = c;
	h->len = len;
	memcpy(h->data, buf, len);
	heap_push(h);
}

static void
proxy_send(int dir, int c, const uint8_t *buf, size_t len)
{
	struct client	*cl = &clients[c];
	ssize_t		 n;

	if (dir == UP)
		n = sendto(cl->fd, buf, len, 0, (struct sockaddr *)&target,
		    targetlen);
	else
		n = sendto(lfd, buf, len, 0, (struct sockaddr *)&cl->addr,
		    cl->addrlen);
	if (n == -1) {
		if (warnings++ < PROXY_WARNINGS)
			log_warn("sendto (%s)", dir == UP ? "up" : "down");
		stats[dir].dropped++;
		return;
	}
	stats[dir].forwarded++;
}

static int
held_before(const struct held *a, const struct held *b)
{
	return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void
heap_push(struct held *h)
{
	size_t	i = nheld++, parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (!held_before(h, heap[parent]))
			break;
		heap[i] = heap[parent];
		i = parent;
	}
	heap[i] = h;
}

/* The earliest datagram, now the caller's. */
static struct held *
heap_pop(void)
{
	struct held	*top = heap[0], *last = heap[--nheld];
	size_t		 i = 0, child;

	while ((child = 2 * i + 1) < nheld) {
		if (child + 1 < nheld && held_before(heap[child + 1],
		    heap[child]))
			child++;
		if (!held_before(heap[child], last))
			break;
		heap[i] = heap[child];
		i = child;
	}
	heap[i] = last;
	return top;
}

/* Send every held datagram that is due. */
static void
proxy_flush(int64_t now)
{
	struct held	*h;

	while (nheld > 0 && heap[0]->due <= now) {
		h = heap_pop();
		proxy_send(h->dir, h->client, h->data, h->len);
		free(h);
	}
}

static void
proxy_loop(void)
{
	struct pollfd	 pfd[1 + PROXY_CLIENTS];
	struct timespec	 ts, *tsp;
	sigset_t	 empty;
	int64_t		 wait;
	int		 i, n;

	sigemptyset(&empty);
	while (!got_term) {
		proxy_flush(proxy_now());
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < nclients; i++) {
			pfd[1 + i].fd = clients[i].fd;
			pfd[1 + i].events = POLLIN;
		}
		n = 1 + nclients;
		tsp = NULL;
		if (nheld > 0) {
			if ((wait = heap[0]->due - proxy_now()) < 0)
				wait = 0;
			ts.tv_sec = wait / 1000000000;
			ts.tv_nsec = wait % 1000000000;
			tsp = &ts;
		}
		/* Signals are blocked but here, so none is missed. */
		if (ppoll(pfd, (nfds_t)n, tsp, &empty) == -1) {
			if (errno == EINTR)
				continue;
			fatal("ppoll");
		}
		if (pfd[0].revents != 0)
			proxy_receive(lfd, UP, -1);
		/* Clients made just now are not in pfd: i < n. */
		for (i = 1; i < n; i++) {
			if (pfd[i].revents != 0)
				proxy_receive(pfd[i].fd, DOWN, i - 1);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sigaction	 sa;
	struct held		*h;
	sigset_t		 set;
	const char		*portfile = NULL;
	char			*end;
	uint64_t		 seed;
	int			 ch, port;

	log_init("udpproxy", 0, 0);
	seed = (uint64_t)proxy_now() ^ (uint64_t)getpid() << 32;
	lossy[UP] = 1;
	while ((ch = getopt(argc, argv, "D:L:d:j:p:s:")) != -1) {
		switch (ch) {
		case 'D':
			lossy[UP] = strcmp(optarg, "up") == 0 ||
			    strcmp(optarg, "both") == 0;
			lossy[DOWN] = strcmp(optarg, "down") == 0 ||
			    strcmp(optarg, "both") == 0;
			if (!lossy[UP] && !lossy[DOWN])
				badarg("-D %s: not up, down or both", optarg);
			break;
		case 'L':
			loss = proxy_number(ch, optarg, 100);
			break;
		case 'd':
			delay_ns = (int64_t)(proxy_number(ch, optarg,
			    PROXY_MAX_MS) * 1e6);
			break;
		case 'j':
			jitter_ns = (int64_t)(proxy_number(ch, optarg,
			    PROXY_MAX_MS) * 1e6);
			break;
		case 'p':
			portfile = optarg;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (end == optarg || *end != '\0' || errno != 0 ||
			    *optarg == '-')
				badarg("-s %s: not a seed", optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2)
		usage();
	/* Two streams, so that -j does not change which datagrams are lost. */
	rng_loss = seed;
	rng_delay = seed ^ 0xd1b54a32d192ed03ULL;
	heap = xcalloc(PROXY_HELD, sizeof *heap);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = proxy_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	proxy_resolve(argv[optind + 1], 0, AF_UNSPEC, &target, &targetlen);
	lfd = proxy_bind(argv[optind], &port);
	proxy_write_port(portfile, port);
	proxy_loop();

	/* What is still held never arrives. */
	while (nheld > 0) {
		h = heap_pop();
		stats[h->dir].dropped++;
		free(h);
	}
	free(heap);
	fprintf(stderr, "%s: up %llu forwarded %llu dropped, "
	    "down %llu forwarded %llu dropped\n", log_progname(),
	    stats[UP].forwarded, stats[UP].dropped, stats[DOWN].forwarded,
	    stats[DOWN].dropped);
	return 0;
}
