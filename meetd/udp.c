/*
 * UDP sockets for media: the node's port (the -l address, the same number
 * as the TCP listener), where RTP and RTCP from other nodes arrive
 * multiplexed (RFC 5761), and one port for each plain-RTP participant.
 *
 * A node's media for rooms on other nodes leaves from a socket of its own
 * on the wildcard address (udp_out), so that a node listening on loopback
 * (the default) can still send to a hub elsewhere; the hub answers to
 * where those packets come from (media.c, report.c), as symmetric RTP does,
 * which also gets through NAT.
 *
 * A socket reads datagrams in batches (recvmmsg) until the kernel has no
 * more, and hands each to its callback with the sender's address and the
 * arrival time.  Sending never blocks and never fails loudly: a datagram the
 * kernel will not take is lost like any other on the network, and an ICMP
 * error from a peer that is not listening yet changes nothing (the sockets
 * are not connected, so the kernel does not report one).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"

#define UDP_BATCH	32
#define UDP_MAX_DGRAM	2048
#define UDP_RCVBUF	(2 * 1024 * 1024)

struct udp_sock {
	int		 fd;
	struct event	*ev;
	udp_input_cb	 input;
	void		*arg;
};

struct udp_sock	*udp_node;
static struct udp_sock	*udp_out4;
static struct udp_sock	*udp_out6;

static void	udp_read(evutil_socket_t, short, void *);

struct udp_sock *
udp_open(const struct sockaddr *sa, socklen_t salen, udp_input_cb input,
    void *arg, char **cause)
{
	struct udp_sock	*u;
	char		 addr[ADDR_HOST_MAX + 8];
	int		 fd, size = UDP_RCVBUF;

	sockaddr_string(sa, addr, sizeof addr);
	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		xasprintf(cause, "udp socket: %s", strerror(errno));
		return NULL;
	}
	if (bind(fd, sa, salen) != 0) {
		xasprintf(cause, "udp bind %s: %s", addr, strerror(errno));
		close(fd);
		return NULL;
	}
	/* A burst of video must not overflow a small default buffer. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
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
	event_free(u->ev);
	close(u->fd);
	free(u);
}

int
udp_local(struct udp_sock *u, struct sockaddr_storage *ss, socklen_t *len)
{
	*len = sizeof *ss;
	return getsockname(u->fd, (struct sockaddr *)ss, len);
}

static void
udp_read(evutil_socket_t fd, short events, void *arg)
{
	struct udp_sock		*u = arg;
	struct mmsghdr		 msgs[UDP_BATCH];
	struct iovec		 iov[UDP_BATCH];
	struct sockaddr_storage	 from[UDP_BATCH];
	static uint8_t		 bufs[UDP_BATCH][UDP_MAX_DGRAM];
	uint64_t		 now;
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
		}
		n = recvmmsg(fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		now = mono_usec();
		for (i = 0; i < n; i++) {
			if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
				media_node_drops[DROP_MALFORMED]++;
				continue;
			}
			u->input(u, bufs[i], msgs[i].msg_len,
			    (struct sockaddr *)&from[i],
			    msgs[i].msg_hdr.msg_namelen, now, u->arg);
		}
		if (n < UDP_BATCH)
			return;
	}
}

/* 0, or -1 when the datagram is lost here (a full socket buffer, ...). */
int
udp_send(struct udp_sock *u, const struct sockaddr *sa, socklen_t salen,
    const void *buf, size_t len)
{
	if (u == NULL || salen == 0)
		return -1;
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

static int
sockaddr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
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

/* The socket for media to another node in family af (created at need). */
struct udp_sock *
udp_out(int af)
{
	struct udp_sock		**u = af == AF_INET6 ? &udp_out6 : &udp_out4;
	struct sockaddr_storage	  ss;
	socklen_t		  len;
	char			 *cause;

	if (*u != NULL)
		return *u;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)af;
	len = af == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if ((*u = udp_open((struct sockaddr *)&ss, len, udp_node_input, NULL,
	    &cause)) == NULL) {
		log_warnx("media to other nodes: %s", cause);
		free(cause);
	}
	return *u;
}

void
udp_out_close(void)
{
	udp_close(udp_out4);
	udp_close(udp_out6);
	udp_out4 = udp_out6 = NULL;
}
