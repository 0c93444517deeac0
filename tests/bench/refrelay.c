/*
 * refrelay: the reference relay of make bench (issue 7), the smallest
 * fan-out relay there is: what the kernel allows, the line meetd's
 * forwarding is measured against.  Every datagram that reaches its port
 * goes, untouched, to every destination.
 *
 *	refrelay [-m gso|sendmmsg] [-l ADDR:PORT] [-b BATCH] DEST...
 *
 * It takes datagrams in batches with recvmmsg (blocking until one comes,
 * then whatever else is queued, up to BATCH, default 64), and sends them:
 *
 *	gso		each run of same-size datagrams of the batch (the last
 *			may be shorter) to each destination as one send with
 *			UDP_SEGMENT (UDP GSO): one trip through the stack per
 *			destination and run;
 *	sendmmsg	every datagram to every destination as its own
 *			message, one sendmmsg for the lot.
 *
 * It listens on ADDR:PORT (default 127.0.0.1:0) with the receive buffer
 * meetd asks for (2 MiB) and prints the address it got as its first line
 * on stdout, which is how loadgen finds it.  Sends never block: what the
 * kernel refuses is counted, and the counts go to stderr when it ends
 * (SIGTERM or SIGINT).  IPv4 only.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT		103
#endif

#define RELAY_BATCH		64
#define RELAY_MAX_DEST		1024
#define RELAY_DGRAM		2048
#define RELAY_RCVBUF		(2 * 1024 * 1024)
#define RELAY_GSO_SEGS		64	/* the kernel takes up to 64 or 128 */
#define RELAY_GSO_BYTES		65000	/* one IP datagram's worth */
#define RELAY_MMSG		1024	/* UIO_MAXIOV */

enum relay_mode {
	RELAY_GSO,
	RELAY_SENDMMSG
};

struct relay {
	int			 fd;
	enum relay_mode		 mode;
	int			 batch;
	struct sockaddr_in	 dest[RELAY_MAX_DEST];
	int			 ndest;
	unsigned long long	 in;		/* datagrams received */
	unsigned long long	 out;		/* datagrams sent */
	unsigned long long	 sends;		/* system calls that sent */
	unsigned long long	 refused;	/* datagrams refused */
	unsigned long long	 batches;
};

static volatile sig_atomic_t	quit;

static void	usage(void) __attribute__((noreturn));
static void	on_signal(int);
static int	relay_addr(const char *, struct sockaddr_in *);
static void	relay_gso(struct relay *, struct mmsghdr *, struct iovec *,
		    int);
static void	relay_sendmmsg(struct relay *, struct mmsghdr *,
		    struct iovec *, int);

static void
usage(void)
{
	fprintf(stderr, "usage: refrelay [-m gso|sendmmsg] [-l addr:port] "
	    "[-b batch] dest...\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
relay_addr(const char *s, struct sockaddr_in *sin)
{
	char	host[64], *colon, *end;
	long	port;

	if (strlen(s) >= sizeof host)
		return -1;
	strcpy(host, s);
	if ((colon = strrchr(host, ':')) == NULL)
		return -1;
	*colon++ = '\0';
	port = strtol(colon, &end, 10);
	if (*colon == '\0' || *end != '\0' || port < 0 || port > 65535)
		return -1;
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

/*
 * One sendmsg per destination for each run of datagrams of one size (the
 * last of a run may be shorter: GSO cuts at the size, the tail is what is
 * left), as many as one IP datagram and the kernel's segment limit allow.
 */
static void
relay_gso(struct relay *r, struct mmsghdr *mm, struct iovec *iov, int n)
{
	union {
		char		buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr	align;
	}			 ctl;
	struct msghdr		 msg;
	struct cmsghdr		*c;
	size_t			 size, total;
	uint16_t		 seg;
	int			 i = 0, j, d;

	while (i < n) {
		size = mm[i].msg_len;
		total = size;
		for (j = i + 1; j < n && j - i < RELAY_GSO_SEGS &&
		    total + mm[j].msg_len <= RELAY_GSO_BYTES; j++) {
			if (mm[j].msg_len > size)
				break;
			iov[j].iov_len = mm[j].msg_len;
			total += mm[j].msg_len;
			if (mm[j].msg_len < size) {
				j++;		/* a shorter one ends the run */
				break;
			}
		}
		iov[i].iov_len = size;
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = &iov[i];
		msg.msg_iovlen = (size_t)(j - i);
		if (j - i > 1) {
			memset(&ctl, 0, sizeof ctl);
			msg.msg_control = ctl.buf;
			msg.msg_controllen = sizeof ctl.buf;
			c = CMSG_FIRSTHDR(&msg);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof seg);
			seg = (uint16_t)size;
			memcpy(CMSG_DATA(c), &seg, sizeof seg);
		}
		for (d = 0; d < r->ndest; d++) {
			msg.msg_name = &r->dest[d];
			msg.msg_namelen = sizeof r->dest[d];
			if (sendmsg(r->fd, &msg, MSG_DONTWAIT) == -1)
				r->refused += (unsigned long long)(j - i);
			else {
				r->out += (unsigned long long)(j - i);
				r->sends++;
			}
		}
		i = j;
	}
}

/* Every datagram to every destination, destination by destination. */
static void
relay_sendmmsg(struct relay *r, struct mmsghdr *mm, struct iovec *iov,
    int n)
{
	static struct mmsghdr	out[RELAY_MMSG];
	struct iovec		one[RELAY_BATCH];
	int			i, d, k = 0, done, s;

	for (i = 0; i < n; i++) {
		one[i].iov_base = iov[i].iov_base;
		one[i].iov_len = mm[i].msg_len;
	}
	for (d = 0; d < r->ndest; d++) {
		for (i = 0; i < n; i++) {
			memset(&out[k], 0, sizeof out[k]);
			out[k].msg_hdr.msg_name = &r->dest[d];
			out[k].msg_hdr.msg_namelen = sizeof r->dest[d];
			out[k].msg_hdr.msg_iov = &one[i];
			out[k].msg_hdr.msg_iovlen = 1;
			if (++k < RELAY_MMSG && !(d == r->ndest - 1 &&
			    i == n - 1))
				continue;
			for (done = 0; done < k; ) {
				s = sendmmsg(r->fd, out + done,
				    (unsigned)(k - done), MSG_DONTWAIT);
				if (s > 0) {
					done += s;
					r->out += (unsigned long long)s;
					r->sends++;
				} else if (s == -1 && errno == EINTR)
					continue;
				else {
					r->refused++;
					done++;
				}
			}
			k = 0;
		}
	}
}

int
main(int argc, char **argv)
{
	static uint8_t		 bufs[RELAY_BATCH][RELAY_DGRAM];
	static struct relay	 r;
	struct mmsghdr		 mm[RELAY_BATCH];
	struct iovec		 iov[RELAY_BATCH];
	struct sockaddr_in	 sin;
	struct sigaction	 sa;
	socklen_t		 len;
	char			 ip[INET_ADDRSTRLEN], *end;
	const char		*listen = "127.0.0.1:0";
	int			 ch, i, n, size = RELAY_RCVBUF;

	r.mode = RELAY_GSO;
	r.batch = RELAY_BATCH;
	while ((ch = getopt(argc, argv, "b:l:m:")) != -1) {
		switch (ch) {
		case 'b':
			r.batch = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || r.batch < 1 ||
			    r.batch > RELAY_BATCH)
				usage();
			break;
		case 'l':
			listen = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "gso") == 0)
				r.mode = RELAY_GSO;
			else if (strcmp(optarg, "sendmmsg") == 0)
				r.mode = RELAY_SENDMMSG;
			else
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > RELAY_MAX_DEST)
		usage();
	for (i = 0; i < argc; i++) {
		if (relay_addr(argv[i], &r.dest[r.ndest++]) != 0) {
			fprintf(stderr, "refrelay: %s: not ADDR:PORT\n",
			    argv[i]);
			return 2;
		}
	}
	if (relay_addr(listen, &sin) != 0) {
		fprintf(stderr, "refrelay: -l %s: not ADDR:PORT\n", listen);
		return 2;
	}
	if ((r.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(r.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0 ||
	    bind(r.fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		fprintf(stderr, "refrelay: %s: %s\n", listen, strerror(errno));
		return 1;
	}
	len = sizeof sin;
	getsockname(r.fd, (struct sockaddr *)&sin, &len);
	printf("%s:%u\n", inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof ip),
	    ntohs(sin.sin_port));
	fflush(stdout);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;	/* no SA_RESTART: recvmmsg returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (!quit) {
		memset(mm, 0, sizeof mm);
		for (i = 0; i < r.batch; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof bufs[i];
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(r.fd, mm, (unsigned)r.batch, MSG_WAITFORONE,
		    NULL);
		if (n <= 0)
			continue;
		r.in += (unsigned long long)n;
		r.batches++;
		if (r.mode == RELAY_GSO)
			relay_gso(&r, mm, iov, n);
		else
			relay_sendmmsg(&r, mm, iov, n);
	}
	fprintf(stderr, "refrelay: %s, %d destinations: %llu in (%llu "
	    "batches), %llu out in %llu sends, %llu refused\n",
	    r.mode == RELAY_GSO ? "gso" : "sendmmsg", r.ndest, r.in,
	    r.batches, r.out, r.sends, r.refused);
	return 0;
}
