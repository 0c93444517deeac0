/*
 * rtp-inject: sends hand-made RTP and RTCP datagrams, bad or good, at a UDP
 * address, so that a regress test can check that a node drops the bad ones
 * and counts them.  The packets are written here byte by byte, not with
 * lib/rtp.c, so that a mistake there cannot hide itself.
 *
 *	rtp-inject [-b BIND_ADDR:PORT] [-i INTERVAL_MS] [-n COUNT] [-s SEED]
 *	    TARGET_ADDR:PORT KIND [ARGS]
 *
 * KIND is one of:
 *
 *	garbage		random bytes, 1 to 1400 of them, the first of which
 *			is not the first byte of RTP version 2
 *	short		version 2 RTP that ends before its header does, in
 *			turn: a fixed header cut to 1 to 11 bytes; a 12-byte
 *			header with 15 CSRCs; a header extension longer than
 *			the packet; a padding count larger than the payload
 *	rtp SSRC PT [SEQ]
 *			well-formed RTP from SSRC (decimal or 0x hex) with
 *			payload type PT, sequence numbers up by one from SEQ
 *			(default random), timestamps up by 960 (20 ms at
 *			48 kHz), and 160-byte Opus payloads: a CELT 20 ms
 *			TOC, the silence flag, then zeros
 *	rtcp-garbage	version 2 RTCP, packet types 200 to 204, whose
 *			lengths lie, in turn: a length word past the end of
 *			the datagram; a true one followed by 1 to 3 bytes; a
 *			report count the length leaves no room for; a header
 *			cut before its length word ends
 *
 * COUNT (default 1) datagrams leave INTERVAL_MS apart (default 20 for rtp,
 * 1 for the others, gentle on a receiver's socket buffer), from BIND_ADDR
 * when given.  -s seeds the random parts.  At the end "sent N" is printed
 * on stdout.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "byteorder.h"
#include "log.h"

#define INJECT_MAX	1400	/* largest datagram made */
#define RTP_FIXED	12	/* fixed RTP header */
#define OPUS_PAYLOAD	160
#define OPUS_TS_STEP	960	/* 20 ms at 48 kHz */

struct kind {
	const char	*name;
	int		 minargs;
	int		 maxargs;
	long		 interval;	/* ms, by default */
	size_t		(*make)(uint8_t *, uint64_t);
};

static uint64_t	 rng;
static uint32_t	 rtp_ssrc, rtp_ts;
static uint16_t	 rtp_seq;
static uint8_t	 rtp_pt;

static void	usage(void) __attribute__((noreturn));
static void	badarg(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static unsigned long long inject_number(const char *, const char *,
		    unsigned long long);
static uint32_t	rng_next(void);
static void	rng_fill(uint8_t *, size_t);
static void	rtp_fixed(uint8_t *, uint8_t, uint8_t, uint16_t, uint32_t,
		    uint32_t);
static size_t	make_garbage(uint8_t *, uint64_t);
static size_t	make_short(uint8_t *, uint64_t);
static size_t	make_rtp(uint8_t *, uint64_t);
static size_t	make_rtcp(uint8_t *, uint64_t);
static void	inject_resolve(const char *, int, int,
		    struct sockaddr_storage *, socklen_t *);
static void	inject_pace(struct timespec *, long);

static const struct kind kinds[] = {
	{ "garbage",		0, 0, 1,  make_garbage },
	{ "short",		0, 0, 1,  make_short },
	{ "rtp",		2, 3, 20, make_rtp },
	{ "rtcp-garbage",	0, 0, 1,  make_rtcp },
};

static void
usage(void)
{
	fprintf(stderr, "usage: rtp-inject [-b bind_addr:port] "
	    "[-i interval_ms] [-n count] [-s seed]\n"
	    "                  target_addr:port "
	    "garbage | short | rtp ssrc pt [seq] | rtcp-garbage\n");
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

/* Decimal, or hex after 0x (not octal: "010" is ten), from 0 to max. */
static unsigned long long
inject_number(const char *what, const char *s, unsigned long long max)
{
	unsigned long long	 v;
	char			*end;
	int			 hex;

	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 10);
	if (end == s || *end != '\0' || errno != 0 || *s == '-' ||
	    *s == '+' || *s == ' ' || v > max)
		badarg("%s %s: not a number from 0 to %llu", what, s, max);
	return v;
}

/* splitmix64's top half: the same on every libc, so -s repeats runs. */
static uint32_t
rng_next(void)
{
	uint64_t	z;

	z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

static void
rng_fill(uint8_t *p, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)rng_next();
}

/* The fixed header: version 2, flags and CSRC count in b0, no marker. */
static void
rtp_fixed(uint8_t *p, uint8_t b0, uint8_t pt, uint16_t seq, uint32_t ts,
    uint32_t ssrc)
{
	p[0] = 0x80 | b0;
	p[1] = pt & 0x7f;
	put16(p + 2, seq);
	put32(p + 4, ts);
	put32(p + 8, ssrc);
}

static size_t
make_garbage(uint8_t *p, uint64_t i)
{
	size_t	len = 1 + rng_next() % INJECT_MAX;

	(void)i;
	rng_fill(p, len);
	/* Version 2 is 0x80 to 0xbf; this flip lands in 0x00 to 0x3f. */
	if (p[0] >> 6 == 2)
		p[0] ^= 0x80;
	return len;
}

static size_t
make_short(uint8_t *p, uint64_t i)
{
	size_t	n, len;
	uint8_t	pt = 96 + rng_next() % 32;

	switch (i % 4) {
	case 0:
		/* The fixed header, cut. */
		rtp_fixed(p, 0, pt, rng_next(), rng_next(), rng_next());
		return 1 + rng_next() % (RTP_FIXED - 1);
	case 1:
		/* 15 CSRCs, 60 bytes of them, and none there. */
		rtp_fixed(p, 15, pt, rng_next(), rng_next(), rng_next());
		return RTP_FIXED;
	case 2:
		/* X: an extension of n words, fewer bytes than that. */
		rtp_fixed(p, 0x10, pt, rng_next(), rng_next(), rng_next());
		n = 1 + rng_next() % 255;
		put16(p + RTP_FIXED, 0xbede);
		put16(p + RTP_FIXED + 2, n);
		len = RTP_FIXED + 4 + rng_next() % (4 * n);
		rng_fill(p + RTP_FIXED + 4, len - RTP_FIXED - 4);
		return len;
	default:
		/* P: n payload bytes, the last claiming more than n. */
		rtp_fixed(p, 0x20, pt, rng_next(), rng_next(), rng_next());
		n = 1 + rng_next() % 100;
		len = RTP_FIXED + n;
		rng_fill(p + RTP_FIXED, n);
		p[len - 1] = n + 1 + rng_next() % (255 - n);
		return len;
	}
}

static size_t
make_rtp(uint8_t *p, uint64_t i)
{
	rtp_fixed(p, 0, rtp_pt, rtp_seq + i, rtp_ts + i * OPUS_TS_STEP,
	    rtp_ssrc);
	/*
	 * TOC 0xf8: config 31 (CELT, fullband, 20 ms), mono, one frame.
	 * 0xff 0xfe sets CELT's silence flag, after which a decoder reads
	 * nothing more, so the zeros after it decode to silence too.
	 */
	memset(p + RTP_FIXED, 0, OPUS_PAYLOAD);
	p[RTP_FIXED] = 0xf8;
	p[RTP_FIXED + 1] = 0xff;
	p[RTP_FIXED + 2] = 0xfe;
	return RTP_FIXED + OPUS_PAYLOAD;
}

static size_t
make_rtcp(uint8_t *p, uint64_t i)
{
	size_t	words, len;
	uint8_t	type = 200 + rng_next() % 5;

	switch (i % 4) {
	case 0:
		/* A length word past the end of the datagram. */
		words = 1 + rng_next() % 16;
		len = 4 * words;
		rng_fill(p, len);
		p[0] = 0x80 | (p[0] & 0x1f);
		p[1] = type;
		put16(p + 2, words + rng_next() % 1000);
		return len;
	case 1:
		/* An RR with no blocks, true, then a cut header. */
		len = 8 + 1 + rng_next() % 3;
		rng_fill(p, len);
		p[0] = 0x80;
		p[1] = 201;
		put16(p + 2, 1);
		p[8] = 0x80;
		return len;
	case 2:
		/* An SR or RR true to the datagram, no room for blocks. */
		type = 200 + rng_next() % 2;
		len = type == 200 ? 28 : 8;
		rng_fill(p, len);
		p[0] = 0x80 | (1 + rng_next() % 31);
		p[1] = type;
		put16(p + 2, len / 4 - 1);
		return len;
	default:
		/* A header that ends in or before its length word. */
		len = 2 + rng_next() % 2;
		p[0] = 0x80;
		p[1] = type;
		p[2] = 0;
		return len;
	}
}

/* "HOST:PORT" into a socket address of the family given (or any). */
static void
inject_resolve(const char *s, int passive, int family,
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

/* Move *next on by ms and sleep until then: the pace does not drift. */
static void
inject_pace(struct timespec *next, long ms)
{
	next->tv_nsec += ms % 1000 * 1000000;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000;
	next->tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next,
	    NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	const struct kind	*k = NULL;
	struct sockaddr_storage	 to, from;
	socklen_t		 tolen, fromlen;
	struct timespec		 next;
	uint8_t			 buf[INJECT_MAX];
	const char		*bind_addr = NULL;
	unsigned long long	 count = 1, sent;
	long			 interval = -1;
	size_t			 len, i;
	int			 ch, fd, nargs;

	log_init("rtp-inject", 0, 0);
	clock_gettime(CLOCK_REALTIME, &next);
	rng = (uint64_t)next.tv_nsec ^ (uint64_t)next.tv_sec << 20 ^
	    (uint64_t)getpid() << 40;
	while ((ch = getopt(argc, argv, "b:i:n:s:")) != -1) {
		switch (ch) {
		case 'b':
			bind_addr = optarg;
			break;
		case 'i':
			interval = inject_number("-i", optarg, 60000);
			break;
		case 'n':
			count = inject_number("-n", optarg, 1000000000);
			break;
		case 's':
			rng = inject_number("-s", optarg, UINT64_MAX);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		usage();
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(argv[1], kinds[i].name) == 0)
			k = &kinds[i];
	}
	nargs = argc - 2;
	if (k == NULL || nargs < k->minargs || nargs > k->maxargs)
		usage();
	if (interval == -1)
		interval = k->interval;
	if (k->make == make_rtp) {
		rtp_ssrc = inject_number("SSRC", argv[2], UINT32_MAX);
		rtp_pt = inject_number("PT", argv[3], 127);
		rtp_seq = nargs == 3 ? inject_number("SEQ", argv[4], 65535) :
		    rng_next();
		rtp_ts = rng_next();
	}

	inject_resolve(argv[0], 0, AF_UNSPEC, &to, &tolen);
	if ((fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("socket");
	if (bind_addr != NULL) {
		inject_resolve(bind_addr, 1, to.ss_family, &from, &fromlen);
		if (bind(fd, (struct sockaddr *)&from, fromlen) != 0)
			fatal("bind %s", bind_addr);
	}

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (sent = 0; sent < count; sent++) {
		if (sent > 0)
			inject_pace(&next, interval);
		len = k->make(buf, sent);
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&to,
		    tolen) == -1)
			fatal("sendto %s", argv[0]);
	}
	close(fd);
	printf("sent %llu\n", sent);
	return 0;
}
