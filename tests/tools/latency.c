/*
 * latency: mouth-to-ear delay through meetd.  Writes 48 kHz mono PCM to
 * stdout in real time, 20 ms at a time, with a click (5 ms of a loud 1 kHz
 * tone) at the start of a write every INTERVAL ms, and reads PCM from FILE
 * (a FIFO fed by meetctl recv -a), finding each click's onset.  Each click
 * found is matched with the last one sent before it; the delay is from the
 * write to the read that brought it.  Prints every delay with -v, then
 * "clicks N of M p50 MS p99 MS max MS", all on stderr (stdout is the PCM).
 *
 *	mkfifo f; meetctl -s bob recv -a > f &
 *	latency [-n CLICKS] [-i INTERVAL_MS] [-v] f | meetctl -s alice send -a
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RATE		48000
#define CHUNK		960
#define CLICK		240
#define THRESHOLD	8000
#define QUIET		(RATE / 5)	/* samples of quiet before an onset */
#define MAX_CLICKS	10000

static uint64_t
now_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: latency [-v] [-n clicks] [-i interval_ms] "
	    "file\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static double	 delays[MAX_CLICKS];
	static uint64_t	 sent[MAX_CLICKS];
	int16_t		 out[CHUNK], in[4096];
	uint64_t	 start, next, now, quiet = 0, end = 0;
	size_t		 nsent = 0, nfound = 0, i, chunks = 0;
	ssize_t		 n;
	struct pollfd	 pfd;
	int		 ch, fd, verbose = 0, clicks = 20, interval = 500;
	int		 every, j;

	while ((ch = getopt(argc, argv, "vn:i:")) != -1) {
		switch (ch) {
		case 'v':
			verbose = 1;
			break;
		case 'n':
			clicks = atoi(optarg);
			break;
		case 'i':
			interval = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1 || clicks < 1 || clicks > MAX_CLICKS ||
	    interval < 100)
		usage();
	if ((fd = open(argv[optind], O_RDONLY | O_NONBLOCK)) == -1) {
		fprintf(stderr, "latency: %s: %s\n", argv[optind],
		    strerror(errno));
		return 1;
	}
	every = interval * RATE / 1000 / CHUNK;
	start = next = now_usec();
	for (;;) {
		now = now_usec();
		if (now >= next && nsent < (size_t)clicks) {
			memset(out, 0, sizeof out);
			/* The first second is quiet: let the room start. */
			if (chunks >= 50 && chunks % (size_t)every == 0) {
				for (j = 0; j < CLICK; j++)
					out[j] = (int16_t)(20000 *
					    sin(2 * M_PI * 1000 * j / RATE));
				sent[nsent++] = now_usec();
			}
			if (write(1, out, sizeof out) != sizeof out)
				return 1;
			chunks++;
			next += 1000000 * CHUNK / RATE;
			if (nsent == (size_t)clicks)
				end = now + 2000000;
		}
		if (end != 0 && now > end)
			break;
		pfd.fd = fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, 1);
		while ((n = read(fd, in, sizeof in)) > 0) {
			now = now_usec();
			for (i = 0; i < (size_t)n / 2; i++) {
				if (abs(in[i]) < THRESHOLD) {
					quiet++;
					continue;
				}
				if (quiet >= QUIET && nsent > 0 &&
				    nfound < MAX_CLICKS) {
					delays[nfound] = (double)(now -
					    sent[nsent - 1]) / 1000;
					if (verbose)
						fprintf(stderr, "click %zu: "
						    "%.1f ms\n", nfound,
						    delays[nfound]);
					nfound++;
				}
				quiet = 0;
			}
		}
		if (n == 0 && nsent > 0)
			break;		/* the writer went */
	}
	(void)start;
	if (nfound == 0) {
		fprintf(stderr, "clicks 0 of %zu\n", nsent);
		return 1;
	}
	qsort(delays, nfound, sizeof delays[0], cmp);
	fprintf(stderr, "clicks %zu of %zu p50 %.1f p99 %.1f max %.1f\n", nfound,
	    nsent, delays[nfound / 2], delays[(nfound * 99) / 100],
	    delays[nfound - 1]);
	return 0;
}
