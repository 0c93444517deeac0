/*
 * mjpeg-tag: a test tool that puts meet's COM tag on MJPEG streams and
 * interleaves them, as meetctl recv -v does with the sources of a room.
 *
 *	mjpeg-tag [-o USEC] NAME:FILE ...
 *
 * Each FILE ("-" for stdin) is split into JPEGs; the JPEGs go to stdout one
 * from each stream in turn, tagged src=NAME and ts=now (CLOCK_REALTIME
 * microseconds) minus USEC, so a test can make frames look old.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mjpeg.h"
#include "xmalloc.h"

struct stream {
	const char	 *name;
	uint8_t		**frames;
	size_t		 *lens;
	size_t		  n;
};

static void	tag_collect(const uint8_t *, size_t, void *);
static void	tag_read(struct stream *, const char *);
static void	tag_write(const uint8_t *, size_t);
static uint64_t	tag_now(void);

static void
tag_collect(const uint8_t *p, size_t len, void *arg)
{
	struct stream	*s = arg;

	s->frames = xreallocarray(s->frames, s->n + 1, sizeof *s->frames);
	s->lens = xreallocarray(s->lens, s->n + 1, sizeof *s->lens);
	s->frames[s->n] = xmalloc(len);
	memcpy(s->frames[s->n], p, len);
	s->lens[s->n++] = len;
}

static void
tag_read(struct stream *s, const char *path)
{
	struct mjpeg_splitter	*sp;
	uint8_t			 buf[65536];
	ssize_t			 n;
	int			 fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1)
		fatal("%s", path);
	sp = mjpeg_splitter_new(0);
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("%s", path);
		}
		mjpeg_splitter_feed(sp, buf, (size_t)n, tag_collect, s);
	}
	mjpeg_splitter_free(sp);
	if (fd != STDIN_FILENO)
		close(fd);
}

static void
tag_write(const uint8_t *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("stdout");
		}
		p += n;
		len -= (size_t)n;
	}
}

static uint64_t
tag_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int
main(int argc, char **argv)
{
	struct stream	*streams;
	uint8_t		*out;
	uint64_t	 offset = 0;
	size_t		 i, len, round, left;
	char		*colon;
	int		 ch, n;

	log_init("mjpeg-tag", 0, 0);
	while ((ch = getopt(argc, argv, "o:")) != -1) {
		switch (ch) {
		case 'o':
			offset = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: mjpeg-tag [-o USEC] "
			    "NAME:FILE ...\n");
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		fatalx("usage: mjpeg-tag [-o USEC] NAME:FILE ...");
	n = argc;
	streams = xcalloc((size_t)n, sizeof *streams);
	for (ch = 0; ch < n; ch++) {
		if ((colon = strchr(argv[ch], ':')) == NULL)
			fatalx("not NAME:FILE: %s", argv[ch]);
		*colon = '\0';
		streams[ch].name = argv[ch];
		tag_read(&streams[ch], colon + 1);
	}
	for (round = 0;; round++) {
		left = 0;
		for (ch = 0; ch < n; ch++) {
			if (round >= streams[ch].n)
				continue;
			left++;
			out = mjpeg_tag_set(streams[ch].frames[round],
			    streams[ch].lens[round], streams[ch].name,
			    tag_now() - offset, &len);
			if (out == NULL)
				fatalx("not a JPEG in %s", streams[ch].name);
			tag_write(out, len);
			free(out);
		}
		if (left == 0)
			break;
	}
	for (ch = 0; ch < n; ch++) {
		for (i = 0; i < streams[ch].n; i++)
			free(streams[ch].frames[i]);
		free(streams[ch].frames);
		free(streams[ch].lens);
	}
	free(streams);
	return 0;
}
