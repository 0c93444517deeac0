/*
 * meet-cap: capture video or audio from a device, a test source or a file
 * and write it to stdout in meet's pipe formats (DESIGN.md section 4): MJPEG
 * for video, raw S16LE interleaved PCM for audio, paced in real time from
 * the program's own clock.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "log.h"
#include "xmalloc.h"

#define CAP_DEFAULT_WIDTH	640
#define CAP_DEFAULT_HEIGHT	480
#define CAP_DEFAULT_FPS		30.0
#define CAP_DEFAULT_QUALITY	80
#define CAP_DEFAULT_RATE	48000
#define CAP_DEFAULT_CHANNELS	1
#define CAP_BLOCKS_PER_SEC	50	/* 20 ms audio blocks */
#define CAP_MAX_DIM		4096
#define CAP_MAX_CHANNELS	8
#define CAP_MAX_RATE		384000

struct cap_opts {
	const char	*video;
	const char	*audio;
	const char	*size;
	const char	*rate;
	int		 quality;	/* -1: not given */
	long long	 frames;	/* -1: not given */
	double		 seconds;	/* 0: not given */
	int		 channels;	/* -1: not given */
	int		 bench;
};

enum cap_write {
	CAP_WRITE_OK,
	CAP_WRITE_CLOSED	/* the reader went away: end quietly */
};

static const struct option cap_longopts[] = {
	{ "audio",	required_argument,	NULL, 'a' },
	{ "bench",	no_argument,		NULL, 'B' },
	{ "channels",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "frames",	required_argument,	NULL, 'n' },
	{ "quality",	required_argument,	NULL, 'q' },
	{ "rate",	required_argument,	NULL, 'r' },
	{ "size",	required_argument,	NULL, 's' },
	{ "time",	required_argument,	NULL, 't' },
	{ "video",	required_argument,	NULL, 'v' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

static void	usage(FILE *);
static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long long parse_int(const char *, const char *, long long,
		    long long);
static double	parse_double(const char *, const char *, double, double);
static void	parse_size(const char *, int *, int *);
static enum cap_write cap_write_all(const void *, size_t);
static void	cap_sleep_until(const struct timespec *, double);
static double	cap_elapsed(const struct timespec *);
static int	cap_video(const struct cap_opts *);
static int	cap_audio(const struct cap_opts *);

static void
usage(FILE *f)
{
	fprintf(f, "usage: meet-cap -v SOURCE [-B] [-s WxH] [-r FPS] "
	    "[-q QUALITY] [-n FRAMES] [-t SECONDS]\n"
	    "       meet-cap -a SOURCE [-B] [-r RATE] [-c CH] "
	    "[-t SECONDS]\n");
}

static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", log_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

static long long
parse_int(const char *opt, const char *s, long long min, long long max)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		usage_error("%s: %s: must be a number from %lld to %lld", opt,
		    s, min, max);
	return v;
}

static double
parse_double(const char *opt, const char *s, double min, double max)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > max)
		usage_error("%s: %s: must be a number from %g to %g", opt, s,
		    min, max);
	return v;
}

/* WxH, both even so 4:2:0 chroma covers the image exactly. */
static void
parse_size(const char *s, int *w, int *h)
{
	char	*end, *x;
	long	 lw, lh;

	if ((x = strchr(s, 'x')) == NULL)
		usage_error("-s: %s: must be WIDTHxHEIGHT", s);
	errno = 0;
	lw = strtol(s, &end, 10);
	if (end != x || x == s || errno != 0)
		usage_error("-s: %s: must be WIDTHxHEIGHT", s);
	lh = strtol(x + 1, &end, 10);
	if (*end != '\0' || end == x + 1 || errno != 0)
		usage_error("-s: %s: must be WIDTHxHEIGHT", s);
	if (lw < 16 || lh < 16 || lw > CAP_MAX_DIM || lh > CAP_MAX_DIM ||
	    lw % 2 != 0 || lh % 2 != 0)
		usage_error("-s: %s: width and height must be even, from 16 "
		    "to %d", s, CAP_MAX_DIM);
	*w = lw;
	*h = lh;
}

/*
 * Write everything; a reader that has gone (EPIPE, or no stdout at all) is
 * no error for a filter, it is the end.
 */
static enum cap_write
cap_write_all(const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == EBADF)
				return CAP_WRITE_CLOSED;
			fatal("stdout");
		}
		p += n;
		len -= n;
	}
	return CAP_WRITE_OK;
}

/* Sleep until start + offset seconds on the monotonic clock. */
static void
cap_sleep_until(const struct timespec *start, double offset)
{
	struct timespec	 when;
	long long	 ns;

	ns = (long long)start->tv_nsec + llround(offset * 1e9);
	when.tv_sec = start->tv_sec + ns / 1000000000LL;
	when.tv_nsec = ns % 1000000000LL;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when,
	    NULL) == EINTR)
		;
}

static double
cap_elapsed(const struct timespec *start)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) +
	    (now.tv_nsec - start->tv_nsec) / 1e9;
}

static int
cap_video(const struct cap_opts *o)
{
	const struct cap_video_source	*src;
	struct cap_vparams		 p;
	struct cap_frame		 f;
	struct timespec			 start;
	const char			*arg;
	char				*cause = NULL;
	void				*state = NULL;
	unsigned long long		 k, limit = ULLONG_MAX;
	int				 r, by_clock = 0, status = 1;

	if ((src = cap_video_find(o->video, &arg)) == NULL)
		usage_error("-v: %s: unknown video source", o->video);
	p.width = CAP_DEFAULT_WIDTH;
	p.height = CAP_DEFAULT_HEIGHT;
	if (o->size != NULL)
		parse_size(o->size, &p.width, &p.height);
	p.fps = CAP_DEFAULT_FPS;
	if (o->rate != NULL)
		p.fps = parse_double("-r", o->rate, 0, 1000);
	p.quality = o->quality != -1 ? o->quality : CAP_DEFAULT_QUALITY;

	if (src->open(&state, arg, &p, &cause) != 0) {
		log_warnx("%s", cause);
		goto out;
	}
	if (o->frames != -1)
		limit = o->frames;
	/* Paced by us, -t is a frame count; otherwise it is the clock's. */
	if (o->seconds > 0) {
		if (p.fps > 0 && !src->self_paced) {
			if ((unsigned long long)llround(o->seconds * p.fps) <
			    limit)
				limit = llround(o->seconds * p.fps);
		} else
			by_clock = 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (k = 0; k < limit; k++) {
		if (p.fps > 0 && !src->self_paced)
			cap_sleep_until(&start, k / p.fps);
		if (by_clock && cap_elapsed(&start) >= o->seconds)
			break;
		if ((r = src->next(state, &f, &cause)) == -1) {
			log_warnx("%s", cause);
			goto out;
		}
		if (r == 0)
			break;
		if (cap_write_all(f.data, f.len) == CAP_WRITE_CLOSED)
			break;
	}
	if (o->bench)
		log_info("%llu frames of %dx%d in %.3f s: %.1f per second", k,
		    p.width, p.height, cap_elapsed(&start),
		    k / cap_elapsed(&start));
	status = 0;
out:
	free(cause);
	if (state != NULL)
		src->close(state);
	return status;
}

static int
cap_audio(const struct cap_opts *o)
{
	const struct cap_audio_source	*src;
	struct cap_aparams		 p;
	struct timespec			 start;
	const char			*arg;
	char				*cause = NULL;
	void				*state = NULL;
	int16_t				*buf = NULL;
	unsigned long long		 k, done = 0, total = ULLONG_MAX;
	size_t				 n;
	long				 r;
	int				 status = 1;

	if ((src = cap_audio_find(o->audio, &arg)) == NULL)
		usage_error("-a: %s: unknown audio source", o->audio);
	p.rate = CAP_DEFAULT_RATE;
	if (o->rate != NULL)
		p.rate = parse_int("-r", o->rate, 1, CAP_MAX_RATE);
	p.channels = o->channels != -1 ? o->channels : CAP_DEFAULT_CHANNELS;
	if (o->seconds > 0)
		total = llround(o->seconds * p.rate);

	if (src->open(&state, arg, &p, &cause) != 0) {
		log_warnx("%s", cause);
		goto out;
	}
	buf = xreallocarray(NULL, p.rate / CAP_BLOCKS_PER_SEC + 1,
	    p.channels * sizeof *buf);

	/*
	 * Block k covers frames k * rate / 50 up to (k + 1) * rate / 50, so
	 * rates that are no multiple of 50 still keep time exactly.
	 */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (k = 0; done < total; k++) {
		cap_sleep_until(&start, (double)k / CAP_BLOCKS_PER_SEC);
		n = (k + 1) * p.rate / CAP_BLOCKS_PER_SEC -
		    k * p.rate / CAP_BLOCKS_PER_SEC;
		if (n > total - done)
			n = total - done;
		if ((r = src->read(state, buf, n, &cause)) == -1) {
			log_warnx("%s", cause);
			goto out;
		}
		if (cap_write_all(buf, (size_t)r * p.channels * sizeof *buf) ==
		    CAP_WRITE_CLOSED)
			break;
		done += r;
		if ((size_t)r < n)
			break;
	}
	if (o->bench)
		log_info("%llu frames at %d Hz in %.3f s", done, p.rate,
		    cap_elapsed(&start));
	status = 0;
out:
	free(cause);
	free(buf);
	if (state != NULL)
		src->close(state);
	return status;
}

int
main(int argc, char **argv)
{
	struct cap_opts	o;
	int		ch;

	log_init("meet-cap", 0, 0);
	memset(&o, 0, sizeof o);
	o.quality = -1;
	o.frames = -1;
	o.channels = -1;
	while ((ch = getopt_long(argc, argv, "a:Bc:hn:q:r:s:t:v:V",
	    cap_longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			o.audio = optarg;
			break;
		case 'B':
			o.bench = 1;
			break;
		case 'c':
			o.channels = parse_int("-c", optarg, 1,
			    CAP_MAX_CHANNELS);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			o.frames = parse_int("-n", optarg, 1, LLONG_MAX);
			break;
		case 'q':
			o.quality = parse_int("-q", optarg, 1, 100);
			break;
		case 'r':
			o.rate = optarg;
			break;
		case 's':
			o.size = optarg;
			break;
		case 't':
			o.seconds = parse_double("-t", optarg, 0.001, 1e9);
			break;
		case 'v':
			o.video = optarg;
			break;
		case 'V':
			printf("meet-cap %s\n", MEET_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		usage_error("%s: unexpected argument", argv[optind]);
	if ((o.video == NULL) == (o.audio == NULL))
		usage_error("one of -v or -a is needed");
	if (o.audio != NULL && (o.size != NULL || o.quality != -1 ||
	    o.frames != -1))
		usage_error("-s, -q and -n are for video (-v)");
	if (o.video != NULL && o.channels != -1)
		usage_error("-c is for audio (-a)");

	/* A closed pipe shows as EPIPE from write(2), which ends quietly. */
	signal(SIGPIPE, SIG_IGN);
	return o.video != NULL ? cap_video(&o) : cap_audio(&o);
}
