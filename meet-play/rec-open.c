/*
 * Opening a recording: the file is checked to be Matroska, its streams are
 * sorted into the mix, speakers, cameras and screens, and the chat
 * (rec.h's kinds), and packets are read with their times on the recording's
 * time line, in microseconds since the recording started.
 *
 * A recording cut short (meetd killed, a disk that filled) is read up to
 * where it stops: a read error ends the reading as the end of the file
 * does, and a packet the demuxer marks as damaged is skipped.
 *
 * Seeking goes by the index of a track that has one: meetd's files have
 * cues for the cameras that sent pictures only, and a file cut short has
 * none, in which case the demuxer builds an index as it reads.  Where no
 * seek works, the file is opened again and read from the start.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rec.h"
#include "xmalloc.h"

#define REC_PREROLL	250000	/* read this long before a start (Opus) */

static const char *rec_meta(AVDictionary *, const char *);
static int	rec_is_slot(const char *, const char *);
static void	rec_sort(struct rec *);
static void	rec_name_stream(struct rec *, int, const char *);
static int	rec_looks_matroska(const char *);
static void	rec_name_line(const char *, void *);
static int	rec_seek_stream(const struct rec *);
static int	rec_rewind(struct rec *);
static char	*rec_meta_dup(AVDictionary *, const char *);

/* A metadata value, NULL when absent (Matroska tags are any case). */
static const char *
rec_meta(AVDictionary *d, const char *key)
{
	AVDictionaryEntry	*e;

	if ((e = av_dict_get(d, key, NULL, 0)) == NULL)
		return NULL;
	return e->value;
}

/* A metadata value the caller owns, NULL when absent. */
static char *
rec_meta_dup(AVDictionary *d, const char *key)
{
	const char	*v;

	return (v = rec_meta(d, key)) == NULL ? NULL : xstrdup(v);
}

/*
 * A track reserved for someone who joins later: meet_name is there but
 * empty, or the title is "speaker slot N", "camera slot N" and so on.
 */
static int
rec_is_slot(const char *title, const char *mname)
{
	const char	*p;

	if (mname != NULL && *mname == '\0')
		return 1;
	if ((p = strstr(title, " slot ")) == NULL)
		return 0;
	p += 6;
	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
	}
	return 1;
}

/* Who a speaker, camera or screen track is, and its label on the grid. */
static void
rec_name_stream(struct rec *r, int i, const char *mname)
{
	struct rec_stream	*st = &r->st[i];
	const char		*slash;

	if (mname != NULL && *mname != '\0')
		st->name = xstrdup(mname);
	else if (!st->slot && *st->title != '\0') {
		slash = strchr(st->title, '/');
		st->name = slash == NULL ? xstrdup(st->title) :
		    xstrndup(st->title, (size_t)(slash - st->title));
	}
	if (st->kind != REC_VIDEO)
		return;
	if (!st->slot && *st->title != '\0')
		st->label = xstrdup(st->title);
	else if (st->name != NULL)
		xasprintf(&st->label, "%s%s", st->name,
		    st->screen ? "/screen" : "");
	else if (*st->title != '\0')
		st->label = xstrdup(st->title);
	else
		xasprintf(&st->label, "video %d", i);
}

/*
 * The mix is the stream with meet_role=mix, else the first audio stream; the
 * chat the subrip stream with meet_role=chat, else the first one.  Every
 * MJPEG stream is a camera or a screen.
 */
static void
rec_sort(struct rec *r)
{
	AVStream		*s;
	struct rec_stream	*st;
	const char		*role, *mname, *t;
	int			 i, text;

	for (i = 0; i < r->nst; i++) {
		s = r->fmt->streams[i];
		role = rec_meta(s->metadata, "meet_role");
		if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO &&
		    r->mix == -1 && role != NULL && strcmp(role, "mix") == 0)
			r->mix = i;
		text = s->codecpar->codec_id == AV_CODEC_ID_SUBRIP ||
		    s->codecpar->codec_id == AV_CODEC_ID_TEXT;
		if (text && r->chat == -1 && role != NULL &&
		    strcmp(role, "chat") == 0)
			r->chat = i;
	}
	for (i = 0; i < r->nst && (r->mix == -1 || r->chat == -1); i++) {
		s = r->fmt->streams[i];
		if (r->mix == -1 &&
		    s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
			r->mix = i;
		if (r->chat == -1 && (s->codecpar->codec_id ==
		    AV_CODEC_ID_SUBRIP || s->codecpar->codec_id ==
		    AV_CODEC_ID_TEXT))
			r->chat = i;
	}

	for (i = 0; i < r->nst; i++) {
		s = r->fmt->streams[i];
		st = &r->st[i];
		role = rec_meta(s->metadata, "meet_role");
		mname = rec_meta(s->metadata, "meet_name");
		t = rec_meta(s->metadata, "title");
		st->title = xstrdup(t == NULL ? "" : t);
		st->kind = REC_OTHER;
		if (i == r->mix)
			st->kind = REC_MIX;
		else if (i == r->chat)
			st->kind = REC_CHAT;
		else if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
			st->kind = REC_SPEAKER;
		else if (s->codecpar->codec_id == AV_CODEC_ID_MJPEG) {
			st->kind = REC_VIDEO;
			r->nvideo++;
		}
		st->screen = (role != NULL && strcmp(role, "screen") == 0) ||
		    (strlen(st->title) > 7 && strcmp(st->title +
		    strlen(st->title) - 7, "/screen") == 0);
		if (role == NULL || *role == '\0') {
			switch (st->kind) {
			case REC_MIX:
				role = "mix";
				break;
			case REC_CHAT:
				role = "chat";
				break;
			case REC_SPEAKER:
				role = "speaker";
				break;
			case REC_VIDEO:
				role = st->screen ? "screen" : "camera";
				break;
			default:
				role = "";
				break;
			}
		}
		st->role = xstrdup(role);
		if (st->kind == REC_SPEAKER || st->kind == REC_VIDEO) {
			st->slot = rec_is_slot(st->title, mname);
			if (st->slot)
				r->slots = 1;
			rec_name_stream(r, i, mname);
		}
	}
}

/* Whether a file starts as EBML does: a Matroska file cut in its header. */
static int
rec_looks_matroska(const char *path)
{
	static const uint8_t	ebml[4] = { 0x1a, 0x45, 0xdf, 0xa3 };
	uint8_t			buf[4];
	int			fd, ok = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (read(fd, buf, sizeof buf) == (ssize_t)sizeof buf &&
	    memcmp(buf, ebml, sizeof ebml) == 0)
		ok = 1;
	close(fd);
	return ok;
}

/*
 * Open a recording: 0 and *rp (the caller frees it with rec_close), or -1
 * and an allocated *cause that names the file and what is wrong with it.
 */
int
rec_open(struct rec **rp, const char *path, char **cause)
{
	struct rec	*r = NULL;
	struct stat	 sb;
	int		 err, rc = -1;

	*rp = NULL;
	if (stat(path, &sb) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		xasprintf(cause, "%s: is a directory", path);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size == 0) {
		xasprintf(cause, "%s: empty file", path);
		goto out;
	}
	r = xcalloc(1, sizeof *r);
	r->path = xstrdup(path);
	r->mix = r->chat = -1;
	/* A damaged file is expected, not worth libavformat's complaints. */
	av_log_set_level(log_getverbose() > 1 ? AV_LOG_WARNING :
	    AV_LOG_QUIET);
	if ((err = avformat_open_input(&r->fmt, path, NULL, NULL)) < 0) {
		r->fmt = NULL;
		if (rec_looks_matroska(path) && (err == AVERROR_INVALIDDATA ||
		    err == AVERROR_EOF || err == AVERROR(EIO)))
			xasprintf(cause, "%s: Matroska file cut short "
			    "before its first track", path);
		else if (err == AVERROR_INVALIDDATA)
			xasprintf(cause, "%s: not a Matroska file", path);
		else
			xasprintf(cause, "%s: %s", path, av_err2str(err));
		goto out;
	}
	if (strncmp(r->fmt->iformat->name, "matroska", 8) != 0) {
		xasprintf(cause, "%s: not a Matroska file (%s)", path,
		    r->fmt->iformat->long_name != NULL ?
		    r->fmt->iformat->long_name : r->fmt->iformat->name);
		goto out;
	}
	r->nst = (int)r->fmt->nb_streams;
	r->st = xcalloc(r->nst == 0 ? 1 : (size_t)r->nst, sizeof *r->st);
	rec_sort(r);
	if (r->mix == -1 && r->nvideo == 0 && r->chat == -1) {
		xasprintf(cause, "%s: no streams meet-play knows (audio, "
		    "MJPEG video or a subrip chat)", path);
		goto out;
	}
	r->room = rec_meta_dup(r->fmt->metadata, "meet_room");
	r->start = rec_meta_dup(r->fmt->metadata, "meet_start");
	r->participants = rec_meta_dup(r->fmt->metadata,
	    "meet_participants");
	*rp = r;
	rc = 0;
out:
	if (rc == -1)
		rec_close(r);
	return rc;
}

void
rec_close(struct rec *r)
{
	int	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nst; i++) {
		free(r->st[i].title);
		free(r->st[i].role);
		free(r->st[i].name);
		free(r->st[i].label);
	}
	free(r->st);
	free(r->room);
	free(r->start);
	free(r->participants);
	avformat_close_input(&r->fmt);
	free(r->path);
	free(r);
}

/* Playing needs the mix, the video and the chat: the rest is not read. */
void
rec_discard_unused(struct rec *r)
{
	int	i;

	for (i = 0; i < r->nst; i++) {
		if (r->st[i].kind == REC_OTHER ||
		    r->st[i].kind == REC_SPEAKER)
			r->fmt->streams[i]->discard = AVDISCARD_ALL;
	}
}

/* The track read that has the most of an index, -1 if none has one. */
static int
rec_seek_stream(const struct rec *r)
{
	AVStream	*s;
	int		 i, n, best = -1, most = 0;

	for (i = 0; i < r->nst; i++) {
		s = r->fmt->streams[i];
		if (s->discard >= AVDISCARD_ALL || (r->st[i].kind != REC_MIX &&
		    r->st[i].kind != REC_VIDEO))
			continue;
		if ((n = avformat_index_get_entries_count(s)) > most) {
			most = n;
			best = i;
		}
	}
	return best;
}

/*
 * Back to the start: the file is opened again (seeking back needs an index
 * too), the tracks read and skipped as before.  0, or -1 when it cannot be
 * and reading goes on from where it was.
 */
static int
rec_rewind(struct rec *r)
{
	AVFormatContext	*fmt = NULL;
	int		 i;

	if (avformat_open_input(&fmt, r->path, NULL, NULL) < 0)
		return -1;
	if ((int)fmt->nb_streams != r->nst) {
		avformat_close_input(&fmt);
		return -1;
	}
	for (i = 0; i < r->nst; i++)
		fmt->streams[i]->discard = r->fmt->streams[i]->discard;
	avformat_close_input(&r->fmt);
	r->fmt = fmt;
	r->cut = 0;
	return 0;
}

/*
 * Go to a little before usec (the Opus decoder needs a run-up; the caller
 * drops what comes before usec), or failing that to the start.  0, or -1
 * when neither works and reading goes on from where it was.
 */
int
rec_seek(struct rec *r, int64_t usec)
{
	AVPacket	*pkt;
	int64_t		 target;
	int		 s;

	if (usec <= 0)
		return 0;
	target = usec > REC_PREROLL ? usec - REC_PREROLL : 0;
	if ((s = rec_seek_stream(r)) == -1) {
		/* No cues: a packet read starts the demuxer's index. */
		if ((pkt = av_packet_alloc()) == NULL)
			fatalx("out of memory");
		if (rec_read(r, pkt))
			av_packet_unref(pkt);
		av_packet_free(&pkt);
		s = rec_seek_stream(r);
	}
	if (s != -1 && av_seek_frame(r->fmt, s, av_rescale_q(target,
	    AV_TIME_BASE_Q, r->fmt->streams[s]->time_base),
	    AVSEEK_FLAG_BACKWARD) >= 0)
		return 0;
	log_debug("%s: cannot seek, reading from the start", r->path);
	return rec_rewind(r);
}

/*
 * The next packet of a stream that is not discarded: 1, or 0 at the end of
 * the file or where a damaged file stops.  The caller unrefs the packet.
 */
int
rec_read(struct rec *r, AVPacket *pkt)
{
	int	err;

	for (;;) {
		if ((err = av_read_frame(r->fmt, pkt)) < 0) {
			if (err == AVERROR(EAGAIN))
				continue;
			if (err != AVERROR_EOF) {
				r->cut = 1;
				log_debug("%s: reading stops: %s", r->path,
				    av_err2str(err));
			}
			return 0;
		}
		if (pkt->stream_index < 0 || pkt->stream_index >= r->nst ||
		    r->fmt->streams[pkt->stream_index]->discard >=
		    AVDISCARD_ALL || (pkt->flags & AV_PKT_FLAG_CORRUPT) ||
		    rec_packet_usec(r, pkt) == AV_NOPTS_VALUE) {
			if (pkt->flags & AV_PKT_FLAG_CORRUPT)
				log_debug("%s: damaged packet skipped",
				    r->path);
			av_packet_unref(pkt);
			continue;
		}
		return 1;
	}
}

/* A packet's time since the recording started, AV_NOPTS_VALUE if none. */
int64_t
rec_packet_usec(const struct rec *r, const AVPacket *pkt)
{
	int64_t	ts;

	ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
	if (ts == AV_NOPTS_VALUE)
		return AV_NOPTS_VALUE;
	return av_rescale_q(ts, r->fmt->streams[pkt->stream_index]->time_base,
	    AV_TIME_BASE_Q);
}

/* Where a packet's media ends: its time and its duration. */
int64_t
rec_packet_end(const struct rec *r, const AVPacket *pkt)
{
	int64_t	t;

	t = rec_packet_usec(r, pkt);
	if (pkt->duration > 0)
		t += av_rescale_q(pkt->duration,
		    r->fmt->streams[pkt->stream_index]->time_base,
		    AV_TIME_BASE_Q);
	return t;
}

/* The duration the file declares (absent from a cut file), -1 if none. */
int64_t
rec_declared_usec(const struct rec *r)
{
	if (r->fmt->duration == AV_NOPTS_VALUE || r->fmt->duration <= 0)
		return -1;
	return r->fmt->duration;
}

/*
 * The key of a video track's source on the grid: the track, not its
 * label, which changes when someone takes a reserved track.
 */
void
rec_source_key(int i, char *buf, size_t size)
{
	snprintf(buf, size, "track %d", i);
}

/* A participant took a reserved track. */
void
rec_set_name(struct rec *r, int i, const char *name)
{
	struct rec_stream	*st = &r->st[i];

	free(st->name);
	free(st->label);
	st->name = xstrdup(name);
	st->label = NULL;
	if (st->kind == REC_VIDEO)
		xasprintf(&st->label, "%s%s", name,
		    st->screen ? "/screen" : "");
	st->slot = 0;
}

static void
rec_name_line(const char *line, void *arg)
{
	rec_chat_apply(arg, line);
}

/*
 * Before playing from usec, learn who took the reserved tracks from the
 * chat lines before it, which a seek would skip: only the chat is read.
 * The file is left at its start.
 */
void
rec_name_slots(struct rec *r, int64_t usec)
{
	enum AVDiscard	*saved;
	AVPacket	*pkt;
	int		 i;

	if (!r->slots || r->chat == -1 || usec <= 0)
		return;
	saved = xcalloc((size_t)r->nst, sizeof *saved);
	for (i = 0; i < r->nst; i++) {
		saved[i] = r->fmt->streams[i]->discard;
		if (i != r->chat)
			r->fmt->streams[i]->discard = AVDISCARD_ALL;
	}
	if ((pkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	while (rec_read(r, pkt)) {
		if (rec_packet_usec(r, pkt) >= usec) {
			av_packet_unref(pkt);
			break;
		}
		rec_chat_lines(pkt, rec_name_line, r);
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	for (i = 0; i < r->nst; i++)
		r->fmt->streams[i]->discard = saved[i];
	free(saved);
	if (rec_rewind(r) == -1)
		log_debug("%s: cannot read it again from the start", r->path);
}
