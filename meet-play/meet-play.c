/*
 * meet-play: the playback filter.  Reads the pipe formats of DESIGN.md on
 * stdin and plays them: PCM to a sound device or file (-a), MJPEG from one or
 * several sources to a grid on the terminal, a y4m stream or MJPEG (-v).
 * Given a recording, it plays it back, tells what is in it (-i) or renders
 * it as one video (-o).  This file parses the command line and hands over
 * to audio.c or video.c for the pipes, and to rec-play.c, rec-info.c or
 * rec-render.c for a recording.
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
#include <unistd.h>

#include "log.h"
#include "play.h"
#include "rec.h"

#define OPT_VERSION	256
#define OPT_START	257
#define OPT_SIZE	258
#define RENDER_FPS	15	/* -o's frame rate unless -r says */

static const struct option play_options[] = {
	{ "audio",	optional_argument,	NULL,	'a' },
	{ "video",	optional_argument,	NULL,	'v' },
	{ "rate",	required_argument,	NULL,	'r' },
	{ "channels",	required_argument,	NULL,	'c' },
	{ "size",	required_argument,	NULL,	OPT_SIZE },
	{ "start",	required_argument,	NULL,	OPT_START },
	{ "info",	no_argument,		NULL,	'i' },
	{ "json",	no_argument,		NULL,	'j' },
	{ "output",	required_argument,	NULL,	'o' },
	{ "verbose",	no_argument,		NULL,	'V' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	OPT_VERSION },
	{ NULL,		0,			NULL,	0 }
};

/* What the command line asked for. */
struct play_args {
	int		 audio;		/* -a given */
	int		 video;		/* -v given */
	const char	*aspec;		/* the sink after -a, NULL if none */
	const char	*vspec;
	const char	*rate;
	const char	*channels;
	const char	*s;		/* -s: a size or a start, by mode */
	const char	*size;		/* --size */
	const char	*start;		/* --start */
	const char	*output;
	int		 info;
	int		 json;
};

static void	usage(FILE *);
static void	usage_error(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static long	number(const char *, const char *, long, long);
static void	parse_size(const char *, int *, int *);
static int64_t	parse_seconds(const char *);
static const char *sink_arg(int, char **, int);
static int	play_audio(const char *, const char *, const char *);
static int	play_video(const char *, const char *, const char *);
static int	play_pipe(struct play_args *, int, char **);
static int	play_recording(struct play_args *, const char *);

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: meet-play -a [alsa[:DEVICE]|file:PATH] [-V] [-r RATE] "
	    "[-c CH]\n"
	    "       meet-play -v [tty|y4m:PATH|mjpeg:PATH] [-V] [-r FPS] "
	    "[-s WxH]\n"
	    "       meet-play [-V] [-a SINK] [-v SINK] [-r FPS] [-s SECONDS] "
	    "RECORDING.mkv\n"
	    "       meet-play -i [-j] RECORDING.mkv\n"
	    "       meet-play -o OUT.mp4 [-V] [-r FPS] [-s SECONDS] "
	    "RECORDING.mkv\n");
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

/* -s or --start for a recording: seconds in, as microseconds. */
static int64_t
parse_seconds(const char *s)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < 0 || v > 1e7)
		usage_error("start must be a number of seconds: %s", s);
	return (int64_t)llround(v * 1e6);
}

/*
 * The sink named after -a (audio) or -v in the next argument, taken from
 * argv when it is one: "-a file:x.wav REC.mkv" gives -a its sink and leaves
 * the recording.  NULL when the next argument is no sink.
 */
static const char *
sink_arg(int argc, char **argv, int audio)
{
	const char	*next, *arg;

	if (optind >= argc || argv[optind][0] == '-')
		return NULL;
	next = argv[optind];
	if ((audio ? (const void *)audio_find_sink(next, &arg) :
	    (const void *)video_find_sink(next, &arg)) == NULL)
		return NULL;
	optind++;
	return next;
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
	vp.text_rows = 0;
	if (size != NULL)
		parse_size(size, &vp.width, &vp.height);
	return video_run(sink, arg, &vp);
}

/* The pipes on stdin: -a or -v, with at most one argument, the sink. */
static int
play_pipe(struct play_args *pa, int argc, char **argv)
{
	const char	*spec;

	if (pa->start != NULL)
		usage_error("--start is for a recording");
	if (pa->audio && pa->video)
		usage_error("-a and -v cannot go together");
	if (!pa->audio && !pa->video)
		usage_error("-a, -v or a recording is needed");
	spec = pa->audio ? pa->aspec : pa->vspec;
	if (spec != NULL && argc > 0)
		usage_error("unexpected argument: %s", argv[0]);
	if (argc > 1)
		usage_error("unexpected argument: %s", argv[1]);
	if (argc == 1)
		spec = argv[0];
	if (pa->audio) {
		if (pa->s != NULL || pa->size != NULL)
			usage_error("-s is for video");
		return play_audio(spec == NULL ? "alsa" : spec, pa->rate,
		    pa->channels);
	}
	if (pa->channels != NULL)
		usage_error("-c is for audio");
	return play_video(spec == NULL ? "tty" : spec, pa->rate,
	    pa->size != NULL ? pa->size : pa->s);
}

/* A recording: played (to the sinks of -a and -v), -i, or -o. */
static int
play_recording(struct play_args *pa, const char *path)
{
	struct rec_play_opts	 o;
	const char		*arg;
	int64_t			 start = 0;
	int			 fps;

	if (pa->channels != NULL)
		usage_error("-c is for audio from stdin");
	if (pa->s != NULL && pa->start != NULL)
		usage_error("-s and --start say the same thing");
	if (pa->s != NULL || pa->start != NULL)
		start = parse_seconds(pa->s != NULL ? pa->s : pa->start);
	if (pa->json && !pa->info)
		usage_error("-j is for -i");
	if (pa->info) {
		if (pa->output != NULL || pa->audio || pa->video ||
		    pa->rate != NULL || pa->s != NULL || pa->start != NULL ||
		    pa->size != NULL)
			usage_error("-i takes no other option but -j");
		return rec_info_run(path, pa->json);
	}
	if (pa->output != NULL) {
		if (pa->audio || pa->video || pa->size != NULL)
			usage_error("-o renders 1280x720 and takes no sink");
		if (*pa->output == '\0')
			usage_error("-o needs a file name");
		fps = pa->rate == NULL ? RENDER_FPS :
		    (int)number("frame rate", pa->rate, 1, 60);
		return rec_render_run(path, pa->output, start, fps);
	}

	memset(&o, 0, sizeof o);
	o.path = path;
	o.start = start;
	o.aexplicit = pa->aspec != NULL;
	o.asink = audio_find_sink(pa->aspec != NULL ? pa->aspec : "alsa",
	    &arg);
	o.aarg = arg;
	/* Without -v, the grid goes to the terminal if stdout is one. */
	if (pa->vspec != NULL || isatty(STDOUT_FILENO)) {
		o.vsink = video_find_sink(pa->vspec != NULL ? pa->vspec :
		    "tty", &arg);
		o.varg = arg;
		if (o.vsink->takes_path && (arg == NULL || *arg == '\0'))
			usage_error("%s needs a path: %s:PATH (- for stdout)",
			    o.vsink->name, o.vsink->name);
		if (!o.vsink->takes_path && arg != NULL)
			usage_error("%s takes no argument: %s", o.vsink->name,
			    pa->vspec);
		if (!o.vsink->takes_path && pa->size != NULL)
			usage_error("--size is not for %s, which fits the "
			    "window", o.vsink->name);
	} else if (pa->size != NULL)
		usage_error("--size is for a video sink");
	if (o.asink->takes_path && (o.aarg == NULL || *o.aarg == '\0'))
		usage_error("%s needs a path: %s:PATH", o.asink->name,
		    o.asink->name);
	o.vp.fps = pa->rate == NULL ? 25 :
	    (int)number("frame rate", pa->rate, 1, 240);
	o.vp.width = 1280;
	o.vp.height = 720;
	if (pa->size != NULL)
		parse_size(pa->size, &o.vp.width, &o.vp.height);
	return rec_play_run(&o);
}

int
main(int argc, char **argv)
{
	struct play_args	 pa;
	const char		*arg;
	int			 ch, verbose = 0;

	log_init("meet-play", 0, 0);
	memset(&pa, 0, sizeof pa);
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":avr:c:s:ijo:Vh", play_options,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			pa.audio = 1;
			pa.aspec = optarg != NULL ? optarg :
			    sink_arg(argc, argv, 1);
			break;
		case 'v':
			pa.video = 1;
			pa.vspec = optarg != NULL ? optarg :
			    sink_arg(argc, argv, 0);
			break;
		case 'r':
			pa.rate = optarg;
			break;
		case 'c':
			pa.channels = optarg;
			break;
		case 's':
			pa.s = optarg;
			break;
		case OPT_SIZE:
			pa.size = optarg;
			break;
		case OPT_START:
			pa.start = optarg;
			break;
		case 'i':
			pa.info = 1;
			break;
		case 'j':
			pa.json = 1;
			break;
		case 'o':
			pa.output = optarg;
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

	/*
	 * A recording is the one argument that names no sink.  -a or -v
	 * whose sink did not follow it take the argument as their sink, as
	 * they always have for the pipes on stdin.
	 */
	if (pa.info || pa.output != NULL) {
		if (argc == 0)
			usage_error("%s needs a recording",
			    pa.info ? "-i" : "-o");
		if (argc > 1)
			usage_error("unexpected argument: %s", argv[1]);
		return play_recording(&pa, argv[0]);
	}
	if (argc == 0 || (pa.audio && pa.aspec == NULL) ||
	    (pa.video && pa.vspec == NULL))
		return play_pipe(&pa, argc, argv);
	if (argc > 1)
		usage_error("unexpected argument: %s", argv[1]);
	if (audio_find_sink(argv[0], &arg) != NULL ||
	    video_find_sink(argv[0], &arg) != NULL)
		usage_error("unexpected argument: %s", argv[0]);
	return play_recording(&pa, argv[0]);
}
