/*
 * Video playback: MJPEG from stdin, split into JPEGs, sorted into sources,
 * composited as a grid and handed to a sink on a fixed-rate clock.
 *
 * The clock starts with the first picture and ticks at -r frames a second;
 * every tick shows the latest picture of each source, repeating the grid when
 * nothing new came, so the output (a y4m file says its frame rate) keeps the
 * wall clock's time.  Input read ahead of the clock waits in a small queue
 * and stdin is not read until it is empty: a file piped in plays at the
 * output rate instead of being swallowed whole (sources.c says which frames
 * wait and which replace each other).  At the end of stdin, what was read is
 * still shown, one tick at a time, before the program exits.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "log.h"
#include "mjpeg.h"
#include "play.h"
#include "xmalloc.h"

#define VIDEO_READ	65536		/* bytes read from stdin at a time */
#define VIDEO_REPORT	2000000		/* -V report interval, microseconds */

/* The sinks; adding one is one row. */
static const struct vout_sink *video_sinks[] = {
	&out_tty_sink,
	&out_y4m_sink,
	&out_mjpeg_sink,
};

/* A JPEG read ahead of the clock; owns data. */
struct video_item {
	uint8_t	*data;
	size_t	 len;
};

struct video {
	const struct vout_sink	*sink;
	void			*state;
	const char		*spec;

	struct mjpeg_splitter	*splitter;
	struct sources		*sources;
	struct canvas		*canvas;
	struct grid_tile	 tiles[PLAY_MAX_TILES];
	int			 ntiles;
	int			 changed;

	struct video_item	*queue;		/* FIFO of JPEGs read ahead */
	size_t			 qhead;
	size_t			 qlen;
	size_t			 qsize;

	int			 eof;
	int			 started;
	uint64_t		 period;
	uint64_t		 next_tick;
	uint64_t		 last_report;
	uint64_t		 emitted;
};

static volatile sig_atomic_t video_quit;

static void	video_signal(int);
static void	video_push(const uint8_t *, size_t, void *);
static void	video_drain_queue(struct video *, uint64_t);
static int	video_emit(struct video *);
static int	video_read(struct video *);
static void	video_report(struct video *, uint64_t, int);

static void
video_signal(int sig)
{
	if (sig != SIGWINCH)
		video_quit = 1;
}

/* The sink named by spec ("name" or "name:ARG"); *arg is after the colon. */
const struct vout_sink *
video_find_sink(const char *spec, const char **arg)
{
	const char	*colon;
	size_t		 n, i;

	colon = strchr(spec, ':');
	n = colon == NULL ? strlen(spec) : (size_t)(colon - spec);
	*arg = colon == NULL ? NULL : colon + 1;
	for (i = 0; i < sizeof video_sinks / sizeof video_sinks[0]; i++) {
		if (strlen(video_sinks[i]->name) == n &&
		    strncmp(video_sinks[i]->name, spec, n) == 0)
			return video_sinks[i];
	}
	return NULL;
}

/* The splitter's callback: keep a copy of the JPEG until the clock is due. */
static void
video_push(const uint8_t *p, size_t len, void *arg)
{
	struct video		*v = arg;
	struct video_item	*it;
	size_t			 i;

	if (v->qhead + v->qlen == v->qsize) {
		/* Move what is left to the front before growing. */
		for (i = 0; i < v->qlen; i++)
			v->queue[i] = v->queue[v->qhead + i];
		v->qhead = 0;
		if (v->qlen == v->qsize) {
			v->qsize = v->qsize == 0 ? 16 : v->qsize * 2;
			v->queue = xreallocarray(v->queue, v->qsize,
			    sizeof *v->queue);
		}
	}
	it = &v->queue[v->qhead + v->qlen++];
	it->data = xmalloc(len);
	memcpy(it->data, p, len);
	it->len = len;
}

/* Give queued JPEGs to their sources until one has to wait. */
static void
video_drain_queue(struct video *v, uint64_t now)
{
	struct video_item	*it;

	while (v->qlen > 0) {
		it = &v->queue[v->qhead];
		if (sources_offer(v->sources, it->data, it->len, now) ==
		    SOURCES_HOLD)
			break;
		free(it->data);
		v->qhead++;
		v->qlen--;
		v->changed = 1;
	}
	if (v->qlen == 0)
		v->qhead = 0;
	if (!v->started && sources_stats(v->sources)->frames > 0) {
		v->started = 1;
		v->next_tick = now;
	}
}

/* One tick: the grid to the sink; 0, or -1 with errno set. */
static int
video_emit(struct video *v)
{
	int	w, h;

	v->sink->size(v->state, &w, &h);
	if (v->canvas == NULL || ((w + 1) & ~1) != v->canvas->w ||
	    ((h + 1) & ~1) != v->canvas->h) {
		canvas_free(v->canvas);
		v->canvas = canvas_new(w, h);
		v->changed = 1;
	}
	if (v->changed) {
		v->ntiles = sources_compose(v->sources, v->canvas,
		    !v->sink->text_labels, v->tiles);
	}
	if (v->sink->frame(v->state, v->canvas, v->tiles, v->ntiles,
	    v->changed) == -1)
		return -1;
	v->changed = 0;
	v->emitted++;
	return 0;
}

/* Read what stdin has; 0, or -1 on a read error. */
static int
video_read(struct video *v)
{
	uint8_t	buf[VIDEO_READ];
	ssize_t	n;

	n = read(STDIN_FILENO, buf, sizeof buf);
	if (n == -1) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		return -1;
	}
	if (n == 0) {
		v->eof = 1;
		return 0;
	}
	mjpeg_splitter_feed(v->splitter, buf, (size_t)n, video_push, v);
	return 0;
}

static void
video_report(struct video *v, uint64_t now, int last)
{
	const struct mjpeg_stats	*ms;
	const struct sources_stats	*ss;

	if (log_getverbose() < 1)
		return;
	if (!last)
		sources_report(v->sources, now - v->last_report);
	v->last_report = now;
	ms = mjpeg_splitter_stats(v->splitter);
	ss = sources_stats(v->sources);
	log_info("%s: %llu JPEGs, %llu shown frames, %llu bad, "
	    "%llu truncated, %llu oversized, %llu garbage bytes, "
	    "%llu replaced unshown", last ? "total" : "input",
	    (unsigned long long)ms->frames, (unsigned long long)v->emitted,
	    (unsigned long long)ss->bad, (unsigned long long)ms->truncated,
	    (unsigned long long)ms->oversized,
	    (unsigned long long)ms->garbage, (unsigned long long)ss->drops);
}

/*
 * Play stdin on the sink until stdin ends (and what was read is shown), the
 * reader of the output goes away, or a signal asks to stop: 0.  1 after an
 * error, which has been logged.
 */
int
video_run(const struct vout_sink *sink, const char *arg,
    const struct vout_params *params)
{
	struct video		 v;
	struct sigaction	 sa;
	struct pollfd		 pfd;
	uint64_t		 now;
	char			*cause = NULL;
	int			 timeout, rc = 1;

	memset(&v, 0, sizeof v);
	v.sink = sink;
	v.spec = arg != NULL ? arg : sink->name;
	v.period = 1000000 / (uint64_t)params->fps;

	/* libswscale's advice about alignment is not for our users. */
	av_log_set_level(AV_LOG_ERROR);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = video_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (sink->open(&v.state, arg, params, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return 1;
	}
	v.splitter = mjpeg_splitter_new(0);
	v.sources = sources_new();
	v.last_report = mono_usec();

	while (!video_quit) {
		now = mono_usec();
		video_drain_queue(&v, now);
		if (v.started && sources_expire(v.sources, now))
			v.changed = 1;
		if (v.started && now >= v.next_tick) {
			if (video_emit(&v) == -1) {
				/* A reader that left, or no stdout at all. */
				if (errno == EPIPE || errno == EBADF)
					rc = 0;
				else
					log_warn("%s", v.spec);
				goto out;
			}
			v.next_tick += v.period;
			if (v.next_tick < now)
				v.next_tick = now;
			continue;
		}
		if (v.eof && v.qlen == 0 && !sources_unshown(v.sources))
			break;
		if (now - v.last_report >= VIDEO_REPORT)
			video_report(&v, now, 0);

		timeout = -1;
		if (v.started)
			timeout = (int)((v.next_tick - now + 999) / 1000);
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (v.eof || v.qlen > 0)
			pfd.fd = -1;	/* only the clock to wait for */
		if (poll(&pfd, 1, timeout) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("poll");
			goto out;
		}
		if (pfd.revents != 0 && video_read(&v) == -1) {
			log_warn("stdin");
			goto out;
		}
	}
	rc = 0;
out:
	video_report(&v, mono_usec(), 1);
	sink->close(v.state);
	while (v.qlen > 0) {
		free(v.queue[v.qhead++].data);
		v.qlen--;
	}
	free(v.queue);
	canvas_free(v.canvas);
	sources_free(v.sources);
	mjpeg_splitter_free(v.splitter);
	return rc;
}
