/*
 * UDP sockets for media: the node's port (the -l address, the same number
 * as the TCP listener), where RTP and RTCP from other nodes arrive
 * multiplexed (RFC 5761), and one port for each plain-RTP participant.
 *
 * A node's media for rooms on other nodes leaves from sockets of its own
 * on the wildcard address (a worker's far sockets, far.c), so that a node
 * listening on loopback (the default) can still send to a hub elsewhere;
 * the hub answers to where those packets come from (media.c, report.c), as
 * symmetric RTP does, which also gets through NAT.
 *
 * A socket reads datagrams in batches (recvmmsg) until the kernel has no
 * more, and hands each to its callback with the sender's address and the
 * arrival time: the kernel's (SO_TIMESTAMPNS), when it took the datagram,
 * not when the batch was read, so that a jitter buffer does not take a
 * tick that kept the loop busy for network jitter.  What the callbacks
 * send while a batch is handled is held and sent when it is done: each
 * run of datagrams of one size to one address goes as one send with
 * UDP_SEGMENT (UDP GSO), one trip through the kernel's stack where there
 * were as many as the run is long (the kernel's per-datagram cost is what
 * limits forwarding).  Sending never blocks and never fails loudly: a
 * datagram the kernel will not take is lost like any other on the
 * network, and an ICMP error from a peer that is not listening yet
 * changes nothing (the sockets are not connected, so the kernel does not
 * report one).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meetd.h"

#define UDP_BATCH	32
#define UDP_MAX_DGRAM	2048
#define UDP_RCVBUF	(2 * 1024 * 1024)
#define UDP_RUNS	4	/* held runs a socket, at most */
#define UDP_RUN_SEGS	64	/* datagrams in one GSO send */
#define UDP_RUN_BYTES	65000	/* one IP datagram's worth */

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

/* Datagrams of one size (the last may be shorter) to one address. */
struct udp_run {
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	size_t			 seg;
	size_t			 len;
	int			 n;
	int			 closed;	/* a shorter one ended it */
	uint8_t			 buf[UDP_RUN_BYTES];
};

struct udp_sock {
	int			 fd;
	struct event		*ev;
	udp_input_cb		 input;
	void			*arg;
	struct udp_run		*runs;		/* UDP_RUNS, while held */
	int			 nruns;
	struct udp_sock		*next_held;
};

/* Every thread (control, each worker) batches its own sends. */
__thread struct udp_sock *udp_node;	/* a worker's on the node's port */
static __thread int	 udp_holding;	/* inside a batch: sends are held */
static __thread struct udp_sock *udp_held; /* sockets with held runs */
static int		 udp_gso = 1;	/* 0 once the kernel refused it */
/* Aligned: SRTP opens datagrams in place and wants them so (srtpctx.h). */
static __thread uint8_t	 udp_bufs[UDP_BATCH][UDP_MAX_DGRAM]
    __attribute__((aligned(8)));
static __thread union {
	struct cmsghdr	hdr;
	char		buf[CMSG_SPACE(sizeof(struct timespec))];
} udp_ctls[UDP_BATCH];

static void	udp_flush(struct udp_sock *);

static void	udp_read(evutil_socket_t, short, void *);
static uint64_t	udp_arrival(struct msghdr *, uint64_t, int64_t);

struct udp_sock *
udp_open(const struct sockaddr *sa, socklen_t salen, udp_input_cb input,
    void *arg, char **cause)
{
	int	fd;

	if ((fd = udp_bind(sa, salen, cause)) == -1)
		return NULL;
	return udp_wrap(fd, input, arg);
}

/*
 * A socket bound to sa, for any thread to read later (udp_wrap): its fd,
 * or -1 and *cause.
 */
int
udp_bind(const struct sockaddr *sa, socklen_t salen, char **cause)
{
	char	addr[ADDR_HOST_MAX + 8];
	int	fd, size = UDP_RCVBUF;

	sockaddr_string(sa, addr, sizeof addr);
	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		xasprintf(cause, "udp socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, sa, salen) != 0) {
		xasprintf(cause, "udp bind %s: %s", addr, strerror(errno));
		close(fd);
		return -1;
	}
	/* A burst of video must not overflow a small default buffer. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return fd;
}

/* A bound socket, read in this thread's loop from now on. */
struct udp_sock *
udp_wrap(int fd, udp_input_cb input, void *arg)
{
	struct udp_sock	*u;
	int		 on = 1;

	/* Arrival times from the kernel; without them, the batch's. */
	(void)setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
	u = xcalloc(1, sizeof *u);
	u->fd = fd;
	u->input = input;
	u->arg = arg;
	u->ev = event_new(base, fd, EV_READ | EV_PERSIST, udp_read, u);
	event_add(u->ev, NULL);
	return u;
}

void
udp_close(struct udp_sock *u)
{
	if (u == NULL)
		return;
	if (u->nruns > 0)
		udp_flush(u);	/* unlinks it from udp_held */
	event_free(u->ev);
	close(u->fd);
	free(u->runs);
	free(u);
}

int
udp_local(struct udp_sock *u, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof *ss;
	return getsockname(u->fd, (struct sockaddr *)ss, len);
}

/*
 * When the kernel took a datagram, on the monotonic clock: its timestamp
 * is wall-clock time, so it moves by the offset between the clocks now
 * (real_to_mono), and is never later than now nor more than a second
 * before (a clock stepped meanwhile).
 */
static uint64_t
udp_arrival(struct msghdr *m, uint64_t now, int64_t real_to_mono)
{
	struct cmsghdr	*c;
	struct timespec	 ts;
	int64_t		 at;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET ||
		    c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof ts))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof ts);
		at = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 +
		    real_to_mono;
		if (at > (int64_t)now || at + 1000000 < (int64_t)now)
			return now;
		return (uint64_t)at;
	}
	return now;
}

static void
udp_read(evutil_socket_t fd, short events, void *arg)
{
	struct udp_sock		*u = arg;
	struct mmsghdr		 msgs[UDP_BATCH];
	struct iovec		 iov[UDP_BATCH];
	struct sockaddr_storage	 from[UDP_BATCH];
	uint8_t			(*bufs)[UDP_MAX_DGRAM] = udp_bufs;
	uint64_t		 now;
	int64_t			 real_to_mono;
	int			 n, i, rounds;

	(void)events;
	/* Bounded, so that one busy port cannot starve the loop. */
	for (rounds = 0; rounds < 8; rounds++) {
		for (i = 0; i < UDP_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof bufs[i];
			memset(&msgs[i], 0, sizeof msgs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof from[i];
			msgs[i].msg_hdr.msg_control = udp_ctls[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof udp_ctls[i].buf;
		}
		n = recvmmsg(fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = mono_usec();
		real_to_mono = (int64_t)now - (int64_t)now_usec();
		udp_holding = 1;
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				media_node_drops[DROP_MALFORMED]++;
				continue;
			}
			u->input(u, bufs[i], msgs[i].msg_len,
			    (struct sockaddr *)&from[i],
			    msgs[i].msg_hdr.msg_namelen, udp_arrival(
			    &msgs[i].msg_hdr, now, real_to_mono), u->arg);
		}
		udp_holding = 0;
		udp_flush_all();
		if (n < UDP_BATCH)
			return;
	}
}

/* Send one run: one GSO send, or its datagrams one by one. */
static void
udp_send_run(struct udp_sock *u, struct udp_run *r)
{
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctl;
	uint16_t	 seg;
	size_t		 off;

	if (r->n > 1 && __atomic_load_n(&udp_gso, __ATOMIC_RELAXED)) {
		memset(&msg, 0, sizeof msg);
		iov.iov_base = r->buf;
		iov.iov_len = r->len;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_name = &r->to;
		msg.msg_namelen = r->tolen;
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof ctl.buf;
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof seg);
		seg = (uint16_t)r->seg;
		memcpy(CMSG_DATA(c), &seg, sizeof seg);
		if (sendmsg(u->fd, &msg, MSG_DONTWAIT) != -1)
			return;
		if (errno != EIO && errno != EINVAL && errno != ENOPROTOOPT)
			return;		/* lost, as any datagram may be */
		log_info("udp: no UDP GSO here (%s): one send a datagram",
		    strerror(errno));
		__atomic_store_n(&udp_gso, 0, __ATOMIC_RELAXED);
	}
	for (off = 0; off < r->len; off += r->seg)
		(void)sendto(u->fd, r->buf + off, r->len - off < r->seg ?
		    r->len - off : r->seg, MSG_DONTWAIT,
		    (struct sockaddr *)&r->to, r->tolen);
}

static void
udp_flush(struct udp_sock *u)
{
	struct udp_sock	**p;
	int		  i;

	for (i = 0; i < u->nruns; i++)
		udp_send_run(u, &u->runs[i]);
	u->nruns = 0;
	for (p = &udp_held; *p != NULL; p = &(*p)->next_held) {
		if (*p == u) {
			*p = u->next_held;
			break;
		}
	}
	u->next_held = NULL;
}

/* Send what the batch held. */
void
udp_flush_all(void)
{
	while (udp_held != NULL)
		udp_flush(udp_held);
}

/* Hold buf for the end of the batch: 0, or -1 when it cannot be held. */
static int
udp_hold(struct udp_sock *u, const struct sockaddr *sa, socklen_t salen,
    const void *buf, size_t len)
{
	uint8_t	*space;

	if ((space = udp_hold_space(u, sa, salen, len)) == NULL)
		return -1;
	memcpy(space, buf, len);
	return 0;
}

/*
 * Room for a datagram of len bytes to sa, held for the end of the batch:
 * the caller writes it there (no copy of its own).  NULL when nothing is
 * held now (outside a batch) or it cannot be: then udp_send.
 */
uint8_t *
udp_hold_space(struct udp_sock *u, const struct sockaddr *sa,
    socklen_t salen, size_t len)
{
	struct udp_run	*r = NULL;
	uint8_t		*space;
	int		 i;

	if (!udp_holding || u == NULL || salen == 0 || len == 0 ||
	    len > UDP_MAX_DGRAM || salen > sizeof(struct sockaddr_storage))
		return NULL;
	if (u->runs == NULL)
		u->runs = xcalloc(UDP_RUNS, sizeof *u->runs);
	for (i = 0; i < u->nruns; i++) {
		r = &u->runs[i];
		if (r->tolen == salen && memcmp(&r->to, sa, salen) == 0)
			break;
	}
	if (i < u->nruns && (r->closed || len > r->seg ||
	    r->n == UDP_RUN_SEGS || r->len + len > sizeof r->buf)) {
		/* This run is full: it goes now, and a new one starts. */
		udp_send_run(u, r);
		r->n = 0;
		r->len = 0;
		r->closed = 0;
		r->seg = len;
	} else if (i == u->nruns) {
		if (u->nruns == UDP_RUNS) {
			udp_flush(u);
			i = 0;
		}
		r = &u->runs[i];
		memcpy(&r->to, sa, salen);
		r->tolen = salen;
		r->n = 0;
		r->len = 0;
		r->closed = 0;
		r->seg = len;
		if (u->nruns++ == 0) {
			u->next_held = udp_held;
			udp_held = u;
		}
	}
	space = r->buf + r->len;
	r->len += len;
	r->n++;
	if (len < r->seg)
		r->closed = 1;
	return space;
}

/* 0, or -1 when the datagram is lost here (a full socket buffer, ...). */
int
udp_send(struct udp_sock *u, const struct sockaddr *sa, socklen_t salen,
    const void *buf, size_t len)
{
	if (u == NULL || salen == 0)
		return -1;
	if (udp_holding && udp_hold(u, sa, salen, buf, len) == 0)
		return 0;
	/* EAGAIN, ECONNREFUSED, ...: lost, as on any network. */
	if (sendto(u->fd, buf, len, MSG_DONTWAIT, sa, salen) == -1)
		return -1;
	return 0;
}

/* The same IP address (either family), whatever the port. */
int
sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof a6->sin6_addr) == 0;
	}
	return 0;
}

int
sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

void
sockaddr_set_port(struct sockaddr_storage *ss, int port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

int
sockaddr_same(const struct sockaddr *a, const struct sockaddr *b)
{
	return sockaddr_same_host(a, b) && sockaddr_port(a) == sockaddr_port(b);
}

void
sockaddr_string(const struct sockaddr *sa, char *buf, size_t len)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t salen;

	salen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, salen, host, sizeof host, serv, sizeof serv,
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, len, "?");
	else if (strchr(host, ':') != NULL)
		snprintf(buf, len, "[%s]:%s", host, serv);
	else
		snprintf(buf, len, "%s:%s", host, serv);
}

/* The address alone, without the port (for limits per address). */
void
sockaddr_host(const struct sockaddr *sa, char *buf, size_t len)
{
	socklen_t salen;

	salen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if (getnameinfo(sa, salen, buf, (socklen_t)len, NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
}
