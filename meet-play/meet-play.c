/*
 * meet-play: the playback filter.  Reads the pipe formats of DESIGN.md on
 * stdin and plays them: PCM to a sound device or file (-a), MJPEG from one or
 * several sources to a grid on the terminal, a y4m stream or MJPEG (-v).
 * This file parses the command line and hands over to audio.c or video.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "play.h"

#define OPT_VERSION	256

static const struct option play_options[] = {
	{ "audio",	no_argument,		NULL,	'a' },
	{ "video",	no_argument,		NULL,	'v' },
	{ "rate",	required_argument,	NULL,	'r' },
	{ "channels",	required_argument,	NULL,	'c' },
	{ "size",	required_argument,	NULL,	's' },
	{ "verbose",	no_argument,		NULL,	'V' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	OPT_VERSION },
	{ NULL,		0,			NULL,	0 }
};

static void	usage(FILE *);
static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long	number(const char *, const char *, long, long);
static void	parse_size(const char *, int *, int *);
static int	play_audio(const char *, const char *, const char *);
static int	play_video(const char *, const char *, const char *);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: meet-play -a [alsa[:DEVICE]|file:PATH] [-V] [-r RATE] "
	    "[-c CH]\n"
	    "       meet-play -v [tty|y4m:PATH|mjpeg:PATH] [-V] [-r FPS] "
	    "[-s WxH]\n");
}

/* A usage error: the message, the usage lines, and status 2. */
static void
usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "meet-play: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(2);
}

static long
number(const char *what, const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		usage_error("%s must be a number from %ld to %ld: %s", what,
		    min, max, s);
	return v;
}

static void
parse_size(const char *s, int *w, int *h)
{
	const char	*x;
	char		 buf[32];

	if ((x = strchr(s, 'x')) == NULL || (size_t)(x - s) >= sizeof buf)
		usage_error("size must be WIDTHxHEIGHT: %s", s);
	memcpy(buf, s, (size_t)(x - s));
	buf[x - s] = '\0';
	*w = (int)number("width", buf, 16, PLAY_MAX_SIZE);
	*h = (int)number("height", x + 1, 16, PLAY_MAX_SIZE);
}

static int
play_audio(const char *spec, const char *rate, const char *channels)
{
	const struct aout_sink	*sink;
	struct aout_params	 ap;
	const char		*arg;

	if ((sink = audio_find_sink(spec, &arg)) == NULL)
		usage_error("unknown audio sink: %s", spec);
	if (sink->takes_path && (arg == NULL || *arg == '\0'))
		usage_error("%s needs a path: %s:PATH", sink->name,
		    sink->name);
	ap.rate = rate == NULL ? 48000 :
	    (unsigned int)number("rate", rate, 1000, 384000);
	ap.channels = channels == NULL ? 1 :
	    (unsigned int)number("channels", channels, 1, 32);
	return audio_run(sink, arg, &ap);
}

static int
play_video(const char *spec, const char *rate, const char *size)
{
	const struct vout_sink	*sink;
	struct vout_params	 vp;
	const char		*arg;

	if ((sink = video_find_sink(spec, &arg)) == NULL)
		usage_error("unknown video sink: %s", spec);
	if (sink->takes_path && (arg == NULL || *arg == '\0'))
		usage_error("%s needs a path: %s:PATH (- for stdout)",
		    sink->name, sink->name);
	if (!sink->takes_path && arg != NULL)
		usage_error("%s takes no argument: %s", sink->name, spec);
	if (!sink->takes_path && size != NULL)
		usage_error("-s is not for %s, which fits the window",
		    sink->name);
	vp.fps = rate == NULL ? 25 : (int)number("frame rate", rate, 1, 240);
	vp.width = 1280;
	vp.height = 720;
	if (size != NULL)
		parse_size(size, &vp.width, &vp.height);
	return video_run(sink, arg, &vp);
}

int
main(int argc, char **argv)
{
	const char	*rate = NULL, *channels = NULL, *size = NULL;
	const char	*spec = NULL;
	int		 ch, mode = 0, verbose = 0;

	log_init("meet-play", 0, 0);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":avr:c:s:Vh", play_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
		case 'v':
			if (mode != 0 && mode != ch)
				usage_error("-a and -v cannot go together");
			mode = ch;
			break;
		case 'r':
			rate = optarg;
			break;
		case 'c':
			channels = optarg;
			break;
		case 's':
			size = optarg;
			break;
		case 'V':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("meet-play %s\n", MEET_VERSION);
			return 0;
		case ':':
			usage_error("option needs an argument: %s",
			    argv[optind - 1]);
		default:
			usage_error("unknown option: %s", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	log_setverbose(verbose);

	/* Output to a reader that went away ends the program quietly. */
	signal(SIGPIPE, SIG_IGN);

	/* With -a or -v, one optional argument names the sink. */
	if (mode != 0) {
		if (argc > 1)
			usage_error("unexpected argument: %s", argv[1]);
		if (argc == 1)
			spec = argv[0];
	} else if (argc > 0)
		usage_error("unexpected argument: %s", argv[0]);
	else
		usage_error("-a or -v is needed");

	if (mode == 'a') {
		if (size != NULL)
			usage_error("-s is for video");
		return play_audio(spec == NULL ? "alsa" : spec, rate,
		    channels);
	}
	if (channels != NULL)
		usage_error("-c is for audio");
	return play_video(spec == NULL ? "tty" : spec, rate, size);
}
