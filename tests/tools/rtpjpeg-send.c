/*
 * rtpjpeg-send: a test tool that sends MJPEG from stdin as RTP/JPEG (RFC
 * 2435, static payload type 26) to a UDP address, so that ffmpeg or
 * GStreamer can check lib/rfc2435.c's packets from the outside.
 *
 *	rtpjpeg-send [-m MAXPAYLOAD] [-q QUALITY] [-r FPS] HOST PORT
 *
 * Images RFC 2435 cannot carry as they are go through jpeg_normalize at
 * QUALITY (default 80).  Frames leave FPS (default 25) a second, stamped on
 * the 90 kHz clock; payloads are at most MAXPAYLOAD bytes (default 1200).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jpeg-normalize.h"
#include "log.h"
#include "mjpeg.h"
#include "rfc2435.h"
#include "xmalloc.h"

#define RTP_HDR		12
#define RTP_PT_JPEG	26

struct sender {
	int		 fd;
	size_t		 max;
	int		 quality;
	long		 fps;
	uint16_t	 seq;
	uint32_t	 ts;
	uint32_t	 ssrc;
	uint64_t	 frames;
	uint64_t	 packets;
	uint64_t	 normalized;
	uint64_t	 refused;
};

static void	usage(void) __attribute__((noreturn));
static int	send_connect(const char *, const char *);
static void	send_frame(const uint8_t *, size_t, void *);
static void	send_payload(const uint8_t *, size_t, int, void *);
static void	send_pace(long);
static long	send_number(int, const char *, long, long);

static void
usage(void)
{
	fprintf(stderr, "usage: rtpjpeg-send [-m maxpayload] [-q quality] "
	    "[-r fps] host port\n");
	exit(1);
}

static int
send_connect(const char *host, const char *port)
{
	struct addrinfo	 hints, *res, *ai;
	int		 fd = -1, error;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0)
		fatalx("%s:%s: %s", host, port, gai_strerror(error));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		fatal("%s:%s", host, port);
	return fd;
}

/* One image from the splitter: normalized if it must be, then sent. */
static void
send_frame(const uint8_t *p, size_t len, void *arg)
{
	struct sender		*s = arg;
	struct jpeg_rtp_info	 info;
	uint8_t			*norm = NULL;
	size_t			 nlen;
	char			 err[256];

	if (jpeg_rtp_info(p, len, &info, err, sizeof err) != 0) {
		log_debug("frame %llu: %s: re-encoding",
		    (unsigned long long)s->frames, err);
		norm = jpeg_normalize(p, len, s->quality, &nlen, err,
		    sizeof err);
		if (norm == NULL ||
		    jpeg_rtp_info(norm, nlen, &info, err, sizeof err) != 0) {
			log_warnx("frame %llu: %s",
			    (unsigned long long)s->frames, err);
			s->refused++;
			free(norm);
			return;
		}
		s->normalized++;
	}
	if (rfc2435_packetize(&info, s->max, send_payload, s) == -1)
		fatalx("cannot packetize with payloads of %zu", s->max);
	free(norm);
	s->frames++;
	s->ts += 90000 / s->fps;
	send_pace(s->fps);
}

static void
send_payload(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct sender	*s = arg;
	uint8_t		 pkt[RTP_HDR + 65536];

	pkt[0] = 0x80;				/* version 2 */
	pkt[1] = (marker ? 0x80 : 0) | RTP_PT_JPEG;
	pkt[2] = s->seq >> 8;
	pkt[3] = s->seq & 0xff;
	pkt[4] = s->ts >> 24;
	pkt[5] = (s->ts >> 16) & 0xff;
	pkt[6] = (s->ts >> 8) & 0xff;
	pkt[7] = s->ts & 0xff;
	pkt[8] = s->ssrc >> 24;
	pkt[9] = (s->ssrc >> 16) & 0xff;
	pkt[10] = (s->ssrc >> 8) & 0xff;
	pkt[11] = s->ssrc & 0xff;
	memcpy(pkt + RTP_HDR, p, len);
	s->seq++;
	/* A receiver not there yet refuses: UDP loses it, so may we. */
	if (send(s->fd, pkt, RTP_HDR + len, 0) == -1 &&
	    errno != ECONNREFUSED)
		fatal("send");
	s->packets++;
}

static void
send_pace(long fps)
{
	struct timespec	ts;

	ts.tv_sec = 0;
	ts.tv_nsec = 1000000000L / fps;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The value of option -opt, which must lie between min and max. */
static long
send_number(int opt, const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		fatalx("-%c %s: not a number from %ld to %ld", opt, s, min, max);
	return v;
}

int
main(int argc, char **argv)
{
	struct sender		 s;
	struct mjpeg_splitter	*sp;
	uint8_t			 buf[65536];
	ssize_t			 n;
	int			 ch;

	log_init("rtpjpeg-send", 0, 0);
	memset(&s, 0, sizeof s);
	s.max = 1200;
	s.quality = 80;
	s.fps = 25;
	while ((ch = getopt(argc, argv, "m:q:r:v")) != -1) {
		switch (ch) {
		case 'm':
			s.max = send_number(ch, optarg, RFC2435_MIN_PAYLOAD,
			    65000);
			break;
		case 'q':
			s.quality = send_number(ch, optarg, 1, 100);
			break;
		case 'r':
			s.fps = send_number(ch, optarg, 1, 1000);
			break;
		case 'v':
			log_setverbose(log_getverbose() + 1);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();

	s.fd = send_connect(argv[0], argv[1]);
	s.ssrc = (uint32_t)getpid() * 2654435761U;
	s.seq = s.ssrc >> 16;
	sp = mjpeg_splitter_new(0);
	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("stdin");
		}
		mjpeg_splitter_feed(sp, buf, (size_t)n, send_frame, &s);
	}
	mjpeg_splitter_free(sp);
	close(s.fd);
	log_info("%llu frames (%llu re-encoded, %llu refused), %llu packets",
	    (unsigned long long)s.frames, (unsigned long long)s.normalized,
	    (unsigned long long)s.refused, (unsigned long long)s.packets);
	return 0;
}
