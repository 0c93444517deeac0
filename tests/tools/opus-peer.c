/*
 * opus-peer: a plain-RTP participant that speaks Opus, for regress tests of
 * the mixer: it sends a tone for a while and keeps what the node sends
 * back, so that a test can tell what it heard and how it came.
 *
 *	opus-peer -b BIND_ADDR:PORT [-f HZ] [-a AMP] [-s START] [-e END]
 *	    [-p FROM:TO] [-t SECONDS] [-o PCM] [-l RXLOG] [-L TXLOG]
 *	    TARGET_ADDR:PORT
 *
 * From its socket on BIND it sends, between START and END seconds after
 * it starts (default 0 and SECONDS), one RTP packet every 20 ms (paced by
 * the clock, not by the socket), payload type 111: a sine of HZ (440) at
 * amplitude AMP (8000), 40 dB quieter from FROM to TO seconds (a pause
 * between words), encoded with libopus (lib/opuscodec.c: 32 kbit/s, FEC,
 * 20 ms frames).  For SECONDS (10) it reads what comes back: every
 * RTP packet's sequence number, timestamp, payload length and a 64-bit
 * FNV-1a hash of its payload go to RXLOG as "rx SEQ TS LEN HASH", and the
 * payload, decoded (a gap in sequence numbers concealed first, at most 5
 * frames of it), to PCM as 48 kHz mono S16LE.  Every payload it sends goes
 * to TXLOG as "tx SEQ TS LEN HASH".  RTCP is ignored.  At the end "sent N
 * received M" is printed on stdout.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opuscodec.h"
#include "rtp.h"

#define PEER_PT		111
#define PEER_FRAME_NS	20000000LL
#define PEER_MAX_GAP	5
#define PEER_BITRATE	32000

static void	usage(void) __attribute__((noreturn));
static void	peer_addr(const char *, struct sockaddr_storage *,
		    socklen_t *);
static int64_t	peer_now(void);
static uint64_t	peer_hash(const uint8_t *, size_t);
static void	peer_receive(int, struct opuscodec_dec *, FILE *, FILE *);

static uint64_t	 received;
static int	 have_seq;
static uint16_t	 last_seq;

static void
usage(void)
{
	fprintf(stderr, "usage: opus-peer -b BIND_ADDR:PORT [-f HZ] [-a AMP] "
	    "[-s START] [-e END] [-p FROM:TO] [-t SECONDS] [-o PCM] "
	    "[-l RXLOG] [-L TXLOG] TARGET_ADDR:PORT\n");
	exit(2);
}

static void
peer_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo	 hints, *ai;
	char		 host[256];
	const char	*colon;
	int		 error;

	if ((colon = strrchr(s, ':')) == NULL ||
	    (size_t)(colon - s) >= sizeof host)
		usage();
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((error = getaddrinfo(host, colon + 1, &hints, &ai)) != 0) {
		fprintf(stderr, "opus-peer: %s: %s\n", s, gai_strerror(error));
		exit(1);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static int64_t
peer_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint64_t
peer_hash(const uint8_t *p, size_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Everything waiting on the socket. */
static void
peer_receive(int fd, struct opuscodec_dec *dec, FILE *pcm, FILE *rxlog)
{
	struct rtp_header	h;
	uint8_t			buf[2048];
	int16_t			frame[OPUSCODEC_FRAME];
	ssize_t			n;
	uint16_t		gap;
	int			i;

	while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
		if (rtp_is_rtcp(buf, (size_t)n) ||
		    rtp_parse(buf, (size_t)n, &h) != 0)
			continue;
		received++;
		if (rxlog != NULL)
			fprintf(rxlog, "rx %u %u %zu %016llx\n", h.seq, h.ts,
			    h.payload_len, (unsigned long long)peer_hash(
			    h.payload, h.payload_len));
		if (pcm == NULL)
			continue;
		if (have_seq) {
			gap = (uint16_t)(h.seq - last_seq - 1);
			for (i = 0; gap < 0x8000 && i < gap &&
			    i < PEER_MAX_GAP; i++) {
				if (opuscodec_plc(dec, frame) > 0)
					fwrite(frame, sizeof frame, 1, pcm);
			}
		}
		have_seq = 1;
		last_seq = h.seq;
		if (opuscodec_decode(dec, h.payload, h.payload_len,
		    frame) < 0 && opuscodec_plc(dec, frame) < 0)
			continue;
		fwrite(frame, sizeof frame, 1, pcm);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage	 bind_ss, to_ss;
	socklen_t		 bind_len = 0, to_len;
	struct opuscodec_enc	*enc;
	struct opuscodec_dec	*dec;
	struct rtp_header	 h;
	struct pollfd		 pfd;
	FILE			*pcm = NULL, *rxlog = NULL, *txlog = NULL;
	int16_t			 frame[OPUSCODEC_FRAME];
	uint8_t			 payload[OPUSCODEC_MAX_PACKET], pkt[1500];
	double			 hz = 440, amp = 8000, start = 0, end = -1;
	double			 seconds = 10, pause_from = -1, pause_to = -1;
	double			 a, at;
	int64_t			 t0, next, stop, now, wait;
	uint64_t		 sent = 0, sample = 0;
	uint32_t		 ssrc, ts;
	uint16_t		 seq;
	size_t			 len;
	char			*cause;
	int			 c, fd, n, i;

	while ((c = getopt(argc, argv, "a:b:e:f:L:l:o:p:s:t:")) != -1) {
		switch (c) {
		case 'a':
			amp = strtod(optarg, NULL);
			break;
		case 'b':
			peer_addr(optarg, &bind_ss, &bind_len);
			break;
		case 'e':
			end = strtod(optarg, NULL);
			break;
		case 'f':
			hz = strtod(optarg, NULL);
			break;
		case 'L':
			if ((txlog = fopen(optarg, "w")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'l':
			if ((rxlog = fopen(optarg, "w")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'o':
			if ((pcm = fopen(optarg, "w")) == NULL) {
				perror(optarg);
				return 1;
			}
			break;
		case 'p':
			if (sscanf(optarg, "%lf:%lf", &pause_from,
			    &pause_to) != 2)
				usage();
			break;
		case 's':
			start = strtod(optarg, NULL);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1 || bind_len == 0 || seconds <= 0 || amp < 0 ||
	    amp > 32767 || hz <= 0 || hz >= 24000)
		usage();
	if (end < 0)
		end = seconds;
	peer_addr(argv[0], &to_ss, &to_len);

	if ((fd = socket(bind_ss.ss_family, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&bind_ss, bind_len) != 0) {
		perror("opus-peer: socket");
		return 1;
	}
	if ((enc = opuscodec_enc_new(PEER_BITRATE, 10, &cause)) == NULL ||
	    (dec = opuscodec_dec_new(&cause)) == NULL) {
		fprintf(stderr, "opus-peer: %s\n", cause);
		return 1;
	}

	srandom((unsigned)getpid());
	ssrc = (uint32_t)random();
	seq = (uint16_t)random();
	ts = (uint32_t)random();
	t0 = peer_now();
	next = t0 + (int64_t)(start * 1e9);
	stop = t0 + (int64_t)(seconds * 1e9);
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((now = peer_now()) < stop) {
		if (now >= next && next < t0 + (int64_t)(end * 1e9)) {
			at = (double)(next - t0) / 1e9;
			a = at >= pause_from && at < pause_to ? amp / 100 : amp;
			for (i = 0; i < OPUSCODEC_FRAME; i++, sample++)
				frame[i] = (int16_t)lrint(a * sin(2 * M_PI *
				    hz * (double)sample / OPUSCODEC_RATE));
			if ((n = opuscodec_encode(enc, frame, payload,
			    sizeof payload)) <= 0) {
				fprintf(stderr, "opus-peer: encode failed\n");
				return 1;
			}
			memset(&h, 0, sizeof h);
			h.version = RTP_VERSION;
			h.pt = PEER_PT;
			h.seq = seq++;
			h.ts = ts;
			h.ssrc = ssrc;
			h.payload = payload;
			h.payload_len = (size_t)n;
			ts += OPUSCODEC_FRAME;
			if ((len = rtp_write(pkt, sizeof pkt, &h)) != 0 &&
			    sendto(fd, pkt, len, 0, (struct sockaddr *)&to_ss,
			    to_len) != -1) {
				sent++;
				if (txlog != NULL)
					fprintf(txlog, "tx %u %u %d %016llx\n",
					    h.seq, h.ts, n, (unsigned long long)
					    peer_hash(payload, (size_t)n));
			}
			next += PEER_FRAME_NS;
			continue;
		}
		wait = (next < stop ? next : stop) - now;
		if (next >= t0 + (int64_t)(end * 1e9))
			wait = stop - now;
		if (poll(&pfd, 1, (int)(wait / 1000000) + 1) > 0)
			peer_receive(fd, dec, pcm, rxlog);
	}
	peer_receive(fd, dec, pcm, rxlog);
	printf("sent %llu received %llu\n", (unsigned long long)sent,
	    (unsigned long long)received);
	if ((pcm != NULL && fclose(pcm) != 0) ||
	    (rxlog != NULL && fclose(rxlog) != 0) ||
	    (txlog != NULL && fclose(txlog) != 0)) {
		perror("opus-peer");
		return 1;
	}
	opuscodec_enc_free(enc);
	opuscodec_dec_free(dec);
	close(fd);
	return 0;
}
