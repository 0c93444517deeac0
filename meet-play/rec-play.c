/*
 * meet-play REC.mkv: a recording played back in real time, from -s seconds
 * in: the mix to an audio sink, every camera and screen as the grid to a
 * video sink, and each chat line printed at its time.
 *
 * The program keeps its own clock, the recording's time line started at
 * -s: neither sink paces it (ALSA's file plugin takes everything at once,
 * and a file sink has no time at all).  Packets are read half a second
 * ahead (four and a half with a chat track: meetd writes a line late, and
 * it may name a reserved track before its pictures) and wait in a queue
 * each, so that a late line does not wait behind pictures: the mix is
 * decoded a little ahead of its time and written PLAY_LEAD ahead of the
 * clock, a gap in it (nobody talked) filled with silence as the clock
 * goes, once reading has passed it; pictures and chat lines wait for their
 * time.  The grid is composited on the clock's ticks (-r a second, black
 * until a source sends its first picture), each source showing its latest
 * picture, and a source that sends nothing for three seconds leaves it as
 * in live playback.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rec.h"
#include "xmalloc.h"

#define PLAY_LEAD	60000	/* audio written ahead of the clock, usec */
#define PLAY_DECODE	200000	/* the mix decoded ahead of what is written */
#define PLAY_AHEAD	500000	/* packets read ahead of the clock */
#define PLAY_SKEW	100000	/* how far tracks may be out of order */
#define PLAY_QMAX	8192	/* packets queued at most */
#define PLAY_WAIT	50000	/* the longest sleep */
#define PLAY_CHUNK	960	/* audio frames written at a time */
#define PLAY_TEXT_ROWS	4	/* chat lines under the grid on a tty */

struct play {
	const struct rec_play_opts *o;
	struct rec		*r;
	struct rec_queue	*vq;		/* pictures */
	struct rec_queue	*cq;		/* chat lines */
	struct rec_queue	*aq;		/* the mix */
	AVPacket		*pkt;
	int			 eof;
	int			 any;		/* a packet after the start */
	int			 done;		/* stop now: rc says how */
	int			 rc;
	int64_t			 t0;		/* program clock at the start */
	int64_t			 read_pos;	/* latest packet read */
	int64_t			 ahead;		/* how far to read ahead */
	int64_t			 end;		/* where the media ends */

	const struct aout_sink	*asink;		/* NULL: no sound */
	void			*astate;
	struct rec_audio	*audio;
	int16_t			*abuf;
	int			 drained;	/* the decoder's tail is out */

	const struct vout_sink	*vsink;		/* NULL: no video */
	void			*vstate;
	struct sources		*sources;
	struct canvas		*canvas;
	struct grid_tile	 tiles[PLAY_MAX_TILES];
	int			 ntiles;
	int			 changed;
	int64_t			 period;
	int64_t			 next_tick;

	FILE			*chat;		/* NULL: the video sink shows it */
	int64_t			 line_usec;	/* time of the lines printed */
};

static volatile sig_atomic_t play_quit;

static void	play_signal(int);
static int64_t	play_now(const struct play *);
static int	play_open_audio(struct play *);
static int	play_open_video(struct play *);
static void	play_read(struct play *, int64_t);
static void	play_due(struct play *, int64_t);
static void	play_line(const char *, void *);
static void	play_name(const char *, void *);
static void	play_audio(struct play *, int64_t);
static void	play_tick(struct play *);
static void	play_fail(struct play *, int);
static void	play_sleep(struct play *, int64_t);
static void	play_close(struct play *, int);

static void
play_signal(int sig)
{
	(void)sig;
	play_quit = 1;
}

/* The clock: where on the recording's time line playing has come to. */
static int64_t
play_now(const struct play *p)
{
	return p->o->start + ((int64_t)mono_usec() - p->t0);
}

/* Stop with status 1 for err (logged), or quietly when the reader left. */
static void
play_fail(struct play *p, int err)
{
	p->done = 1;
	if (err == EPIPE || err == EBADF) {
		p->rc = 0;
		return;
	}
	p->rc = 1;
}

static int
play_open_audio(struct play *p)
{
	const struct rec_play_opts	*o = p->o;
	struct aout_params		 ap;
	size_t				 startq;
	char				*cause = NULL;

	if (o->asink == NULL || p->r->mix == -1)
		return 0;
	if ((p->audio = rec_audio_new(p->r, AV_SAMPLE_FMT_S16, 8, o->start,
	    &cause)) == NULL) {
		/* The pictures and the chat can still be played. */
		log_warnx("%s; playing without sound", cause);
		free(cause);
		return 0;
	}
	ap.rate = (unsigned int)rec_audio_rate(p->audio);
	ap.channels = (unsigned int)rec_audio_channels(p->audio);
	if (o->asink->open(&p->astate, o->aarg, &ap, &startq, &cause) == -1) {
		rec_audio_free(p->audio);
		p->audio = NULL;
		if (o->aexplicit) {
			log_warnx("%s", cause);
			free(cause);
			return -1;
		}
		/* Nobody asked for the sound card: play on without it. */
		log_warnx("%s: %s; playing without sound", o->asink->name,
		    cause);
		free(cause);
		return 0;
	}
	p->asink = o->asink;
	p->abuf = xcalloc(PLAY_CHUNK, sizeof *p->abuf * ap.channels);
	return 0;
}

static int
play_open_video(struct play *p)
{
	const struct rec_play_opts	*o = p->o;
	struct vout_params		 vp = o->vp;
	char				*cause = NULL;

	if (o->vsink == NULL)
		return 0;
	if (o->vsink->text != NULL && p->r->chat != -1)
		vp.text_rows = PLAY_TEXT_ROWS;
	if (o->vsink->open(&p->vstate, o->varg, &vp, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return -1;
	}
	p->vsink = o->vsink;
	p->sources = sources_new();
	p->period = REC_USEC / vp.fps;
	p->next_tick = o->start;
	p->changed = 1;
	return 0;
}

/* Read until the packets read are PLAY_AHEAD ahead of the clock. */
static void
play_read(struct play *p, int64_t now)
{
	struct rec_stream	*st;
	char			 key[32];
	int64_t			 t, end;

	while (!p->eof && p->read_pos < now + p->ahead &&
	    rec_queue_len(p->vq) < PLAY_QMAX) {
		if (!rec_read(p->r, p->pkt)) {
			p->eof = 1;
			break;
		}
		st = &p->r->st[p->pkt->stream_index];
		t = rec_packet_usec(p->r, p->pkt);
		end = st->kind == REC_CHAT ? t : rec_packet_end(p->r, p->pkt);
		if (t > p->read_pos)
			p->read_pos = t;
		if (end > p->o->start) {
			p->any = 1;
			if (end > p->end)
				p->end = end;
		}
		switch (st->kind) {
		case REC_MIX:
			if (p->audio != NULL)
				rec_queue_push(p->aq, p->pkt, t);
			break;
		case REC_VIDEO:
			if (p->sources == NULL)
				break;
			if (t < p->o->start) {
				/* The picture on show at the start. */
				rec_source_key(p->pkt->stream_index, key,
				    sizeof key);
				sources_put(p->sources, key, st->label,
				    p->pkt->data, (size_t)p->pkt->size,
				    (uint64_t)(t > 0 ? t : 0));
				p->changed = 1;
			} else
				rec_queue_push(p->vq, p->pkt, t);
			break;
		case REC_CHAT:
			/* Names for the reserved tracks, before their time. */
			rec_chat_lines(p->pkt, play_name, p->r);
			if (t >= p->o->start)
				rec_queue_push(p->cq, p->pkt, t);
			break;
		default:
			break;
		}
		av_packet_unref(p->pkt);
	}
}

/* A chat line as it is read: it may name reserved tracks. */
static void
play_name(const char *line, void *arg)
{
	rec_chat_apply(arg, line);
}

/* A chat line at its time: printed, or shown by the video sink. */
static void
play_line(const char *line, void *arg)
{
	struct play	*p = arg;
	char		 buf[4200];

	rec_chat_format(p->line_usec, line, buf, sizeof buf);
	if (p->chat == NULL) {
		p->vsink->text(p->vstate, buf);
		return;
	}
	if (fprintf(p->chat, "%s\n", buf) < 0 || fflush(p->chat) != 0) {
		if (errno != EPIPE)
			log_warn("chat");
		play_fail(p, errno);
	}
}

/* Handle the queued packets whose time has come. */
static void
play_due(struct play *p, int64_t now)
{
	struct rec_stream	*st;
	AVPacket		*pkt;
	char			 key[32];
	int64_t			 t;

	while ((pkt = rec_queue_peek(p->vq, &t)) != NULL && t <= now) {
		st = &p->r->st[pkt->stream_index];
		rec_source_key(pkt->stream_index, key, sizeof key);
		sources_put(p->sources, key, st->label, pkt->data,
		    (size_t)pkt->size, (uint64_t)t);
		p->changed = 1;
		rec_queue_drop(p->vq);
	}
	while (!p->done && (pkt = rec_queue_peek(p->cq, &t)) != NULL &&
	    t <= now) {
		p->line_usec = t;
		rec_chat_lines(pkt, play_line, p);
		rec_queue_drop(p->cq);
	}
}

/*
 * Decode the mix a little ahead and write it up to PLAY_LEAD ahead of the
 * clock.  Where there is nothing to decode for a time that reading has
 * passed, nobody talked: silence, a little at a time.
 */
static void
play_audio(struct play *p, int64_t now)
{
	struct rec_audio	*a = p->audio;
	AVPacket		*pkt;
	int64_t			 want, known, t;
	char			*cause = NULL;
	void			*data[1];
	int			 rate, n;

	while ((pkt = rec_queue_peek(p->aq, &t)) != NULL &&
	    t <= now + PLAY_LEAD + PLAY_DECODE) {
		rec_audio_packet(a, pkt);
		rec_queue_drop(p->aq);
	}
	if (p->eof && pkt == NULL && !p->drained) {
		rec_audio_packet(a, NULL);
		p->drained = 1;
	}
	/* Up to where the mix is known: decoded, or absent. */
	if (pkt != NULL)
		known = t;
	else if (p->eof)
		known = p->end;
	else
		known = p->read_pos - PLAY_SKEW;
	rate = rec_audio_rate(a);
	want = av_rescale(now + PLAY_LEAD - p->o->start, rate, REC_USEC);
	known = av_rescale(known - p->o->start, rate, REC_USEC);
	if (rec_audio_end(a) < want && known > rec_audio_end(a))
		rec_audio_pad(a, want < known ? want : known);
	data[0] = p->abuf;
	while (rec_audio_taken(a) < want && rec_audio_avail(a) > 0) {
		n = want - rec_audio_taken(a) > PLAY_CHUNK ? PLAY_CHUNK :
		    (int)(want - rec_audio_taken(a));
		n = rec_audio_take(a, data, n);
		if (p->asink->write(p->astate, p->abuf, (size_t)n,
		    &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
			play_fail(p, EIO);
			return;
		}
	}
}

/* One tick of the grid. */
static void
play_tick(struct play *p)
{
	int	w, h;

	if (sources_expire(p->sources, (uint64_t)p->next_tick))
		p->changed = 1;
	p->vsink->size(p->vstate, &w, &h);
	if (p->canvas == NULL || ((w + 1) & ~1) != p->canvas->w ||
	    ((h + 1) & ~1) != p->canvas->h) {
		canvas_free(p->canvas);
		p->canvas = canvas_new(w, h);
		p->changed = 1;
	}
	if (p->changed)
		p->ntiles = sources_compose(p->sources, p->canvas,
		    !p->vsink->text_labels, p->tiles);
	if (p->vsink->frame(p->vstate, p->canvas, p->tiles, p->ntiles,
	    p->changed) == -1) {
		if (errno != EPIPE && errno != EBADF)
			log_warn("%s", p->o->varg != NULL ? p->o->varg :
			    p->vsink->name);
		play_fail(p, errno);
		return;
	}
	p->changed = 0;
}

/* Sleep until the next thing to do, at most PLAY_WAIT. */
static void
play_sleep(struct play *p, int64_t now)
{
	struct timespec	 ts;
	AVPacket	*pkt;
	int64_t		 wake, t;

	wake = now + PLAY_WAIT;
	if ((pkt = rec_queue_peek(p->vq, &t)) != NULL && t < wake)
		wake = t;
	if ((pkt = rec_queue_peek(p->cq, &t)) != NULL && t < wake)
		wake = t;
	if (p->vsink != NULL && p->next_tick < wake)
		wake = p->next_tick;
	if (p->audio != NULL && now + 20000 < wake)
		wake = now + 20000;
	if (!p->eof && p->read_pos - p->ahead < wake)
		wake = p->read_pos - p->ahead;
	if (p->eof && p->end < wake)
		wake = p->end;
	if (wake <= now)
		return;
	ts.tv_sec = (wake - now) / REC_USEC;
	ts.tv_nsec = (long)((wake - now) % REC_USEC) * 1000;
	(void)nanosleep(&ts, NULL);
}

static void
play_close(struct play *p, int drain)
{
	if (p->asink != NULL)
		p->asink->close(p->astate, drain);
	if (p->vsink != NULL)
		p->vsink->close(p->vstate);
	rec_audio_free(p->audio);
	free(p->abuf);
	canvas_free(p->canvas);
	sources_free(p->sources);
	rec_queue_free(p->vq);
	rec_queue_free(p->cq);
	rec_queue_free(p->aq);
	av_packet_free(&p->pkt);
	rec_close(p->r);
}

/*
 * Play a recording until its end or a signal: 0.  1 after an error, which
 * has been logged.
 */
int
rec_play_run(const struct rec_play_opts *o)
{
	struct play		 p;
	struct sigaction	 sa;
	char			*cause = NULL;
	int64_t			 now;

	memset(&p, 0, sizeof p);
	p.o = o;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = play_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (rec_open(&p.r, o->path, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return 1;
	}
	rec_discard_unused(p.r);
	if ((p.pkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	p.vq = rec_queue_new();
	p.cq = rec_queue_new();
	p.aq = rec_queue_new();
	p.rc = 1;
	if (play_open_audio(&p) == -1 || play_open_video(&p) == -1)
		goto out;
	/* The chat is printed, unless the video goes to stdout. */
	p.chat = stdout;
	if (p.vsink != NULL && p.vsink->text != NULL && p.r->chat != -1)
		p.chat = NULL;
	else if (p.vsink != NULL && o->varg != NULL &&
	    strcmp(o->varg, "-") == 0)
		p.chat = stderr;

	rec_name_slots(p.r, o->start);
	rec_seek(p.r, o->start);
	p.read_pos = o->start - PLAY_SKEW;
	p.ahead = p.r->chat != -1 ? REC_CHAT_LATE : PLAY_AHEAD;
	p.end = o->start;
	p.t0 = (int64_t)mono_usec();
	while (!p.done) {
		if (play_quit)
			break;
		now = play_now(&p);
		play_read(&p, now);
		if (p.eof && !p.any) {
			if (o->start > 0)
				log_warnx("%s: nothing after %.2f s",
				    o->path, o->start / 1e6);
			else
				log_warnx("%s: no media and no chat in it",
				    o->path);
			goto out;
		}
		play_due(&p, now);
		if (p.audio != NULL && !p.done)
			play_audio(&p, now);
		if (p.vsink != NULL && !p.done && now >= p.next_tick &&
		    (!p.eof || p.next_tick < p.end)) {
			play_tick(&p);
			p.next_tick += p.period;
			/*
			 * Far behind (a stopped terminal): catch up, but
			 * not in a stream, whose frames keep its time.
			 */
			if (!p.vsink->timed && p.next_tick + REC_USEC < now)
				p.next_tick = now;
			continue;
		}
		if (p.eof && rec_queue_len(p.vq) == 0 &&
		    rec_queue_len(p.cq) == 0 &&
		    rec_queue_len(p.aq) == 0 && now >= p.end)
			break;
		if (!p.done)
			play_sleep(&p, now);
	}
	if (!p.done)
		p.rc = 0;
out:
	play_close(&p, p.rc == 0 && !play_quit);
	return p.rc;
}
