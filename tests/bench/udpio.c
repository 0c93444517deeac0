/*
 * UDP for loadgen: receiving sockets with the kernel's receive timestamp
 * (SO_TIMESTAMPNS) and drop counter (SO_RXQ_OVFL) on every datagram, read
 * a batch at a time with recvmmsg; and one sending socket that sends
 * batches with sendmmsg, writing each datagram's send stamp just before
 * the call so that what the stamp measures starts as late as it can.
 *
 * Latency is measured from that stamp to the kernel's receive timestamp,
 * which is taken when the datagram reaches the receiving socket, not when
 * loadgen gets round to reading it: loadgen's own delays in reading do
 * not count, its delays in sending (the datagrams of a batch before this
 * one) do.  IPv4 only.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

#define UDPIO_BUF	(4 * 1024 * 1024)
#define UDPIO_CMSG	128

static uint16_t	udpio_port(int);

uint64_t
udpio_mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t
udpio_real_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int
udpio_bind(const struct in_addr *addr, uint16_t port)
{
	struct sockaddr_in	sin;
	int			fd, on = 1, size = UDPIO_BUF, e;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* Bursts of a fast relay must not overflow loadgen's side. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) != 0)
		goto fail;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = *addr;
	sin.sin_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static uint16_t
udpio_port(int fd)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;

	if (getsockname(fd, (struct sockaddr *)&sin, &len) != 0)
		return 0;
	return ntohs(sin.sin_port);
}

int
udpio_bind_pair(const struct in_addr *addr, int want_video, int *afd,
    int *vfd, uint16_t *port)
{
	int		tries, busy[64], nbusy = 0, a, v = -1, i, r = -1;
	uint16_t	p = 0;

	/* Ports whose P + 2 is taken stay open until the end, not tried twice. */
	for (tries = 0; tries < 64; tries++) {
		if ((a = udpio_bind(addr, 0)) == -1)
			break;
		p = udpio_port(a);
		if (p == 0 || p > 65533) {
			busy[nbusy++] = a;
			continue;
		}
		if (!want_video) {
			r = 0;
			break;
		}
		if ((v = udpio_bind(addr, (uint16_t)(p + 2))) != -1) {
			r = 0;
			break;
		}
		busy[nbusy++] = a;
	}
	for (i = 0; i < nbusy; i++)
		close(busy[i]);
	if (r == 0) {
		*afd = a;
		*vfd = v;
		*port = p;
	}
	return r;
}

int
udpio_sender(const struct in_addr *addr)
{
	struct sockaddr_in	sin;
	int			fd, size = UDPIO_BUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr = *addr;
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
udpio_recv(int fd, struct udpio_msg *out, uint32_t *ovfl)
{
	static uint8_t		 bufs[UDPIO_BATCH][LG_MAX_PKT];
	static uint8_t		 ctl[UDPIO_BATCH][UDPIO_CMSG];
	struct mmsghdr		 mm[UDPIO_BATCH];
	struct iovec		 iov[UDPIO_BATCH];
	struct cmsghdr		*c;
	struct timespec		 ts;
	uint64_t		 now = 0;
	int			 n, i;

	memset(mm, 0, sizeof mm);
	for (i = 0; i < UDPIO_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_control = ctl[i];
		mm[i].msg_hdr.msg_controllen = sizeof ctl[i];
	}
	n = recvmmsg(fd, mm, UDPIO_BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		out[i].buf = bufs[i];
		out[i].len = mm[i].msg_len;
		out[i].rx_ns = 0;
		for (c = CMSG_FIRSTHDR(&mm[i].msg_hdr); c != NULL;
		    c = CMSG_NXTHDR(&mm[i].msg_hdr, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SCM_TIMESTAMPNS &&
			    c->cmsg_len >= CMSG_LEN(sizeof ts)) {
				memcpy(&ts, CMSG_DATA(c), sizeof ts);
				out[i].rx_ns = (uint64_t)ts.tv_sec *
				    1000000000ULL + (uint64_t)ts.tv_nsec;
			} else if (c->cmsg_type == SO_RXQ_OVFL &&
			    c->cmsg_len >= CMSG_LEN(sizeof *ovfl))
				memcpy(ovfl, CMSG_DATA(c), sizeof *ovfl);
		}
		if (out[i].rx_ns == 0) {
			if (now == 0)
				now = udpio_real_ns();
			out[i].rx_ns = now;
		}
		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			out[i].len = 0;		/* too big: not ours */
	}
	return n;
}

int
udpio_send(int fd, struct udpio_out *o, int n, uint64_t *stamp_ns)
{
	struct mmsghdr	mm[UDPIO_BATCH];
	struct iovec	iov[UDPIO_BATCH];
	uint64_t	now;
	int		i, done = 0, r, refused = 0;

	if (n > UDPIO_BATCH)
		n = UDPIO_BATCH;
	memset(mm, 0, sizeof mm);
	now = udpio_real_ns();
	for (i = 0; i < n; i++) {
		if (o[i].stamp_at >= 0)
			jpeg_stamp_put(o[i].buf + o[i].stamp_at,
			    o[i].stamp_cam, now);
		iov[i].iov_base = o[i].buf;
		iov[i].iov_len = o[i].len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &o[i].to;
		mm[i].msg_hdr.msg_namelen = sizeof o[i].to;
	}
	*stamp_ns = now;
	while (done < n) {
		r = sendmmsg(fd, mm + done, (unsigned)(n - done), MSG_DONTWAIT);
		if (r > 0) {
			done += r;
			continue;
		}
		if (r == -1 && errno == EINTR)
			continue;
		/* Refused (a full buffer, ...): lost, as on a network. */
		refused++;
		done++;
	}
	return refused;
}

/* "A.B.C.D:PORT" */
int
udpio_parse_addr(const char *s, struct sockaddr_in *sin)
{
	char	 host[64], *colon, *end;
	long	 port;

	if (strlen(s) >= sizeof host)
		return -1;
	strcpy(host, s);
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' && *end != '\n')
		return -1;
	if (port < 1 || port > 65535)
		return -1;
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	return 0;
}
