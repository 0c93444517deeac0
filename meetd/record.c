/*
 * Recording a meeting on the node hosting it (DESIGN.md section 5): one
 * Matroska file written with libavformat as the meeting goes, or, for a
 * .flac, .wav or .ogg path, the mix alone with libsndfile.
 *
 * The file holds, in this order: the room's mix (Opus, encoded here from
 * the mixer's full mix), one Opus track per speaker (their packets as they
 * leave the jitter buffer, copied), one MJPEG track per camera and per
 * screen (whole images as they were sent, copied), and the chat and the
 * room's events as a subtitle track.  Matroska declares its tracks up
 * front, so tracks for those who start speaking or showing video later are
 * reserved at the start ([record] slots of each kind) and taken in turn; the
 * subtitle track says who took which.  Clusters last at most a second and
 * every packet is flushed, so a crash loses seconds, not the file.  When the
 * recording stops, record-finish.c copies the file into what a player
 * expects, without the tracks nobody used.
 *
 * Timestamps come from the media: audio from the mixer's 20 ms ticks, video
 * from each frame's capture time, both since the recording started.  A
 * write that fails (a full disk) ends the recording with an event; the
 * meeting goes on.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <sndfile.h>

#include "byteorder.h"
#include "mixer.h"
#include "opuscodec.h"

#include "meetd.h"
#include "record-finish.h"

#define RECORD_SCREEN_SLOTS	4
#define RECORD_LINE_MS		4000	/* how long a chat line shows */
/*
 * The size a video track declares before its first image is known: tiny,
 * because a decoder that sees images half the declared height takes them
 * for the fields of interlaced MJPEG (and 640x480 over 320x240 did that).
 */
#define RECORD_PLACEHOLDER_W	8
#define RECORD_PLACEHOLDER_H	8
#define RECORD_MAX_GAP		(10 * 60 * 48000)	/* sndfile silence */

struct rec_slot {
	char		 name[NAME_MAX_LEN + 1];	/* "" while free */
	int		 stream;
	int64_t		 last;		/* pts */
	uint64_t	 tick;		/* of the mixer, at the last */
	struct opuscodec_enc *enc;	/* for an L16 speaker */
	uint64_t	 packets;	/* written */
	int		 width;		/* of the first image, 0 if unknown */
	int		 height;
};

struct recorder {
	struct room_media	*rm;
	char			*path;
	char			 by[NAME_MAX_LEN + 1];
	uint64_t		 start_mono;
	uint64_t		 start_wall;

	AVFormatContext		*fmt;		/* Matroska */
	int			 mix_stream;
	int64_t			 mix_last;
	struct opuscodec_enc	*mix_enc;
	struct rec_slot		*speakers;
	struct rec_slot		*cameras;
	struct rec_slot		*screens;
	int			 nslots;
	int			 chat_stream;
	int64_t			 chat_last;
	uint64_t		 chat_lines;
	uint64_t		 no_slot;	/* media with no track left */

	SNDFILE			*snd;		/* audio only */
	uint64_t		 snd_frames;	/* written, 48 kHz */
};

static void	record_fail(struct recorder *, const char *);
static int	record_line(struct recorder *, const char *);
static struct record_finish *record_plan(struct recorder *, const char *);
static void	record_plan_slots(struct record_finish *,
		    const struct rec_slot *, int, int *, uint64_t *);

/* The Opus identification header Matroska carries (RFC 7845 5.1). */
static int
record_opus_head(AVCodecParameters *par)
{
	uint8_t	*h;

	if ((h = av_mallocz(19 + AV_INPUT_BUFFER_PADDING_SIZE)) == NULL)
		return -1;
	memcpy(h, "OpusHead", 8);
	h[8] = 1;			/* version */
	h[9] = 1;			/* channels */
	h[10] = 312 & 0xff;		/* pre-skip, little-endian */
	h[11] = 312 >> 8;
	h[12] = 48000 & 0xff;		/* input rate */
	h[13] = (48000 >> 8) & 0xff;
	h[14] = (48000 >> 16) & 0xff;
	h[15] = 0;
	par->extradata = h;
	par->extradata_size = 19;
	return 0;
}

static AVStream *
record_stream(struct recorder *rec, enum AVMediaType type, enum AVCodecID id,
    const char *title, const char *role, const char *name)
{
	AVStream	*st;

	if ((st = avformat_new_stream(rec->fmt, NULL)) == NULL)
		return NULL;
	st->codecpar->codec_type = type;
	st->codecpar->codec_id = id;
	if (type == AVMEDIA_TYPE_AUDIO) {
		st->codecpar->sample_rate = 48000;
		av_channel_layout_default(&st->codecpar->ch_layout, 1);
		st->codecpar->initial_padding = 312;
		st->time_base = (AVRational){ 1, 48000 };
		if (record_opus_head(st->codecpar) != 0)
			return NULL;
	} else if (type == AVMEDIA_TYPE_VIDEO) {
		st->codecpar->width = RECORD_PLACEHOLDER_W;
		st->codecpar->height = RECORD_PLACEHOLDER_H;
		/* What RFC 2435 carries most; a track unused stays readable. */
		st->codecpar->format = AV_PIX_FMT_YUVJ420P;
		st->time_base = (AVRational){ 1, 1000 };
	} else
		st->time_base = (AVRational){ 1, 1000 };
	av_dict_set(&st->metadata, "title", title, 0);
	av_dict_set(&st->metadata, "meet_role", role, 0);
	av_dict_set(&st->metadata, "meet_name", name, 0);
	return st;
}

/* Tracks for the members here now, then free slots. */
static int
record_slots(struct recorder *rec, struct rec_slot **slots, int n,
    enum media_kind kind, const char *role, const char *what)
{
	struct media_member	*m;
	struct track		*t;
	AVStream		*st;
	char			 title[NAME_MAX_LEN + 32];
	int		 i = 0;

	*slots = xcalloc((size_t)n, sizeof **slots);
	if (kind != MEDIA_SCREEN) {
		TAILQ_FOREACH(m, &rec->rm->members, entry) {
			if (i == n)
				continue;
			snprintf((*slots)[i].name, sizeof (*slots)[i].name,
			    "%s", m->name);
			i++;
		}
	}
	for (i = 0; i < n; i++) {
		if ((*slots)[i].name[0] != '\0')
			snprintf(title, sizeof title, "%s%s", (*slots)[i].name,
			    kind == MEDIA_SCREEN ? "/screen" : "");
		else
			snprintf(title, sizeof title, "%s slot %d", what,
			    i + 1);
		st = record_stream(rec, kind == MEDIA_AUDIO ?
		    AVMEDIA_TYPE_AUDIO : AVMEDIA_TYPE_VIDEO, kind ==
		    MEDIA_AUDIO ? AV_CODEC_ID_OPUS : AV_CODEC_ID_MJPEG, title,
		    role, (*slots)[i].name);
		if (st == NULL)
			return -1;
		/* A camera already on: its real size. */
		if (kind == MEDIA_VIDEO && (*slots)[i].name[0] != '\0' &&
		    (m = media_member_named(rec->rm, (*slots)[i].name)) !=
		    NULL &&
		    (t = media_member_track(m, MEDIA_VIDEO)) != NULL &&
		    t->width != 0) {
			st->codecpar->width = t->width;
			st->codecpar->height = t->height;
		}
		(*slots)[i].stream = st->index;
		(*slots)[i].last = -1;
	}
	return 0;
}

static int
record_open_mkv(struct recorder *rec, char **cause)
{
	struct media_member	*m;
	AVStream	*st;
	AVDictionary	*opts = NULL;
	char		 ts[TIMESTAMP_LEN], names[4096], title[NAME_MAX_LEN + 16];
	size_t		 off = 0;
	int		 r, n;

	if ((r = avformat_alloc_output_context2(&rec->fmt, NULL, "matroska",
	    rec->path)) < 0 || rec->fmt == NULL) {
		xasprintf(cause, "matroska: %s", av_err2str(r));
		return -1;
	}
	n = 0;
	names[0] = '\0';
	TAILQ_FOREACH(m, &rec->rm->members, entry) {
		n++;
		if (off < sizeof names)
			off += (size_t)snprintf(names + off,
			    sizeof names - off, "%s%s", off == 0 ? "" : ",",
			    m->name);
	}
	rec->nslots = n + cfg->record_slots;
	rec->mix_last = -1;
	timestamp_iso(rec->start_wall, ts);
	snprintf(title, sizeof title, "meet room %s", rec->rm->name);
	av_dict_set(&rec->fmt->metadata, "title", title, 0);
	av_dict_set(&rec->fmt->metadata, "meet_room", rec->rm->name, 0);
	av_dict_set(&rec->fmt->metadata, "meet_start", ts, 0);
	av_dict_set(&rec->fmt->metadata, "meet_participants", names, 0);
	av_dict_set(&rec->fmt->metadata, "meet_node", cfg->node_name, 0);
	av_dict_set(&rec->fmt->metadata, "meet_version", MEET_VERSION, 0);

	if ((st = record_stream(rec, AVMEDIA_TYPE_AUDIO, AV_CODEC_ID_OPUS,
	    "mix", "mix", "")) == NULL)
		goto nomem;
	st->disposition = AV_DISPOSITION_DEFAULT;
	rec->mix_stream = st->index;
	if (record_slots(rec, &rec->speakers, rec->nslots, MEDIA_AUDIO,
	    "speaker", "speaker") != 0 ||
	    record_slots(rec, &rec->cameras, rec->nslots, MEDIA_VIDEO,
	    "camera", "camera") != 0 ||
	    record_slots(rec, &rec->screens, RECORD_SCREEN_SLOTS,
	    MEDIA_SCREEN, "screen", "screen") != 0)
		goto nomem;
	if ((st = record_stream(rec, AVMEDIA_TYPE_SUBTITLE,
	    AV_CODEC_ID_SUBRIP, "chat", "chat", "")) == NULL)
		goto nomem;
	st->disposition = AV_DISPOSITION_DEFAULT;	/* players show it */
	rec->chat_stream = st->index;

	if ((r = avio_open(&rec->fmt->pb, rec->path, AVIO_FLAG_WRITE)) < 0) {
		xasprintf(cause, "cannot write %s: %s", rec->path,
		    av_err2str(r));
		return -1;
	}
	/* Progressive: short clusters, each packet flushed, little held. */
	av_dict_set(&opts, "cluster_time_limit", "1000", 0);
	rec->fmt->flags |= AVFMT_FLAG_FLUSH_PACKETS;
	rec->fmt->max_interleave_delta = 200000;
	r = avformat_write_header(rec->fmt, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		xasprintf(cause, "%s: %s", rec->path, av_err2str(r));
		return -1;
	}
	avio_flush(rec->fmt->pb);
	if ((rec->mix_enc = opuscodec_enc_new(cfg->opus_bitrate, 0,
	    cause)) == NULL)
		return -1;
	/* A first packet at once: even a recording stopped at once plays. */
	snprintf(title, sizeof title, "* recording started");
	return record_line(rec, title);

nomem:
	xasprintf(cause, "%s: out of memory", rec->path);
	return -1;
}

static int
record_open_snd(struct recorder *rec, int format, char **cause)
{
	SF_INFO	info;

	memset(&info, 0, sizeof info);
	info.samplerate = 48000;
	info.channels = 1;
	info.format = format;
	if (!sf_format_check(&info)) {
		xasprintf(cause, "%s: libsndfile cannot write this format",
		    rec->path);
		return -1;
	}
	if ((rec->snd = sf_open(rec->path, SFM_WRITE, &info)) == NULL) {
		xasprintf(cause, "cannot write %s: %s", rec->path,
		    sf_strerror(NULL));
		return -1;
	}
	return 0;
}

/*
 * The format a path asks for: 0 Matroska, a libsndfile format, or -1 for
 * a name that says another (x.mp4 must not quietly get Matroska).
 */
static int
record_format(const char *path)
{
	const char	*dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return -1;
	if (strcasecmp(dot, ".mkv") == 0 || strcasecmp(dot, ".mka") == 0)
		return 0;
	if (strcasecmp(dot, ".wav") == 0)
		return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	if (strcasecmp(dot, ".flac") == 0)
		return SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	if (strcasecmp(dot, ".ogg") == 0 || strcasecmp(dot, ".opus") == 0)
		return SF_FORMAT_OGG | SF_FORMAT_OPUS;
	return -1;
}

/*
 * Where a recording may go: under the record directory, whoever asks (the
 * request may come from another node), and never over a file that is there.
 */
static int
record_path_ok(const char *path, char **cause)
{
	const char	*p;
	size_t		 n = strlen(cfg->record_dir);

	if (*path == '/' && (strncmp(path, cfg->record_dir, n) != 0 ||
	    path[n] != '/')) {
		xasprintf(cause, "%s is outside the record directory %s", path,
		    cfg->record_dir);
		return -1;
	}
	for (p = path; (p = strstr(p, "..")) != NULL; p += 2) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' ||
		    p[2] == '\0')) {
			xasprintf(cause, "%s: no .. in a recording's path",
			    path);
			return -1;
		}
	}
	return 0;
}

/* mkdir -p for the record directory. */
static int
record_mkdir(const char *dir, char **cause)
{
	char	*p, *s;

	s = xstrdup(dir);
	for (p = s + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(s, 0755);
		*p = '/';
	}
	if (mkdir(s, 0755) != 0 && errno != EEXIST) {
		xasprintf(cause, "record directory %s: %s", s, strerror(errno));
		free(s);
		return -1;
	}
	free(s);
	return 0;
}

static void
record_free(struct recorder *rec)
{
	int	i;

	if (rec->fmt != NULL) {
		if (rec->fmt->pb != NULL)
			avio_closep(&rec->fmt->pb);
		avformat_free_context(rec->fmt);
	}
	if (rec->snd != NULL)
		sf_close(rec->snd);
	for (i = 0; rec->speakers != NULL && i < rec->nslots; i++)
		opuscodec_enc_free(rec->speakers[i].enc);
	free(rec->speakers);
	free(rec->cameras);
	free(rec->screens);
	opuscodec_enc_free(rec->mix_enc);
	free(rec->path);
	free(rec);
}

/* The room's recording event: state of the file at path, by whom, why. */
void
record_announce(struct room_media *rm, const char *path, const char *state,
    const char *by, const char *why)
{
	media_post_record_state(rm, path, state, by, why);
}

/*
 * Start recording room r to path (NULL: the record directory's
 * ROOM-YYYYmmdd-HHMMSS.mkv).  0, or -1 and *cause; the meeting goes on
 * either way.
 */
int
record_start(struct room_media *rm, const char *path, const char *by,
    char **cause)
{
	struct recorder		*rec;
	struct stat		 sb;
	struct tm		 tm;
	time_t			 t;
	char			 stamp[32];
	int			 format;

	if (rm->rec != NULL) {
		xasprintf(cause, "%s is already being recorded to %s",
		    rm->name, rm->rec->path);
		return -1;
	}
	rec = xcalloc(1, sizeof *rec);
	rec->rm = rm;
	snprintf(rec->by, sizeof rec->by, "%s", by);
	if ((path != NULL && record_path_ok(path, cause) != 0) ||
	    record_mkdir(cfg->record_dir, cause) != 0) {
		free(rec);
		return -1;
	}
	if (path == NULL) {
		t = time(NULL);
		gmtime_r(&t, &tm);
		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
		xasprintf(&rec->path, "%s/%s-%s.mkv", cfg->record_dir,
		    rm->name, stamp);
	} else if (*path != '/')
		xasprintf(&rec->path, "%s/%s", cfg->record_dir, path);
	else
		rec->path = xstrdup(path);
	rec->start_mono = mono_usec();
	rec->start_wall = now_usec();
	if ((format = record_format(rec->path)) == -1) {
		xasprintf(cause, "%s: name it .mkv (the meeting), or .flac, "
		    ".wav or .ogg (its mix)", rec->path);
		record_free(rec);
		return -1;
	}
	/* Never over what is there (and never a FIFO, which would block). */
	if (lstat(rec->path, &sb) == 0 || errno != ENOENT) {
		xasprintf(cause, "%s: %s", rec->path, errno == ENOENT ||
		    lstat(rec->path, &sb) == 0 ? "a file is already there" :
		    strerror(errno));
		record_free(rec);
		return -1;
	}
	if ((format == 0 ? record_open_mkv(rec, cause) :
	    record_open_snd(rec, format, cause)) != 0) {
		unlink(rec->path);	/* what we made, if anything */
		record_free(rec);
		return -1;
	}
	rm->rec = rec;
	log_info("room %s: recording to %s (by %s)", rm->name, rec->path,
	    by);
	record_announce(rm, rec->path, "started", by, NULL);
	return 0;
}

/*
 * Stop: finish the file (why NULL) or give up on it (a failure).  A
 * Matroska file is closed here and handed to record_finish, which says it
 * stopped once the copy players get is in its place.
 */
void
record_stop(struct room_media *rm, const char *by, const char *why)
{
	struct recorder		*rec;
	struct record_finish	*fin = NULL;
	int			 r;

	if ((rec = rm->rec) == NULL)
		return;
	rm->rec = NULL;
	if (rec->fmt != NULL && why == NULL) {
		fin = record_plan(rec, by);
		if ((r = av_write_trailer(rec->fmt)) == 0)
			r = avio_closep(&rec->fmt->pb);
		if (r < 0) {
			/* The file is as a crash leaves it: no copy. */
			log_warnx("room %s: recording to %s: %s", rm->name,
			    rec->path, av_err2str(r));
			record_finish_free(fin);
			fin = NULL;
		}
	}
	if (why != NULL)
		log_warnx("room %s: recording to %s failed: %s", rm->name,
		    rec->path, why);
	media_post_recording(rm, 0);
	if (fin != NULL)
		record_finish_start(fin);
	else {
		if (why == NULL)
			log_info("room %s: recording to %s stopped", rm->name,
			    rec->path);
		record_announce(rm, rec->path, why == NULL ? "stopped" :
		    "failed", by, why);
	}
	record_free(rec);
}

/*
 * What record_finish keeps of rec's tracks: each one something was written
 * to, and the mix and chat always; the mix and the camera that sent the most
 * images (else the screen that did) are the tracks players pick.
 */
static struct record_finish *
record_plan(struct recorder *rec, const char *by)
{
	struct record_finish	*fin;
	int			 video = -1;
	uint64_t		 most = 0;

	fin = record_finish_new(rec->path, rec->rm->id, rec->rm->name, by,
	    (int64_t)((now_usec() - rec->start_wall) / 1000),
	    (int)rec->fmt->nb_streams);
	fin->tracks[rec->mix_stream].keep = 1;
	fin->tracks[rec->mix_stream].is_default = 1;
	fin->tracks[rec->chat_stream].keep = 1;
	fin->tracks[rec->chat_stream].is_default = 1;	/* players show it */
	fin->chat_stream = rec->chat_stream;
	record_plan_slots(fin, rec->speakers, rec->nslots, NULL, NULL);
	record_plan_slots(fin, rec->cameras, rec->nslots, &video, &most);
	if (video == -1)
		record_plan_slots(fin, rec->screens, RECORD_SCREEN_SLOTS,
		    &video, &most);
	else
		record_plan_slots(fin, rec->screens, RECORD_SCREEN_SLOTS,
		    NULL, NULL);
	if (video != -1)
		fin->tracks[video].is_default = 1;
	return fin;
}

/* Keep the slots that were written to; *best, the one with most packets. */
static void
record_plan_slots(struct record_finish *fin, const struct rec_slot *slots,
    int n, int *best, uint64_t *most)
{
	struct record_finish_track	*t;
	int				 i;

	for (i = 0; i < n; i++) {
		if (slots[i].packets == 0)
			continue;
		t = &fin->tracks[slots[i].stream];
		t->keep = 1;
		t->width = slots[i].width;
		t->height = slots[i].height;
		if (best != NULL && slots[i].packets > *most) {
			*best = slots[i].stream;
			*most = slots[i].packets;
		}
	}
}

static void
record_fail(struct recorder *rec, const char *why)
{
	record_stop(rec->rm, NULL, why);
}

/* {recording, path, by, since, seconds} or NULL when not recording. */
json_t *
record_status(struct room_media *rm)
{
	struct recorder	*rec;
	char		 ts[TIMESTAMP_LEN];

	if ((rec = rm->rec) == NULL)
		return NULL;
	timestamp_iso(rec->start_wall, ts);
	return json_pack("{s:b,s:s,s:s,s:s,s:f,s:s}", "recording", 1, "path",
	    rec->path, "by", rec->by, "since", ts, "seconds",
	    (double)(mono_usec() - rec->start_mono) / 1e6, "format",
	    rec->fmt != NULL ? "matroska" : "audio");
}

/* Write one packet; a failure ends the recording (0 or -1). */
static int
record_write(struct recorder *rec, int stream, const uint8_t *data,
    size_t len, int64_t pts, int64_t duration)
{
	AVPacket	*pkt;
	int		 r;

	if ((pkt = av_packet_alloc()) == NULL)
		return -1;
	if (av_new_packet(pkt, (int)len) < 0) {
		av_packet_free(&pkt);
		return -1;
	}
	memcpy(pkt->data, data, len);
	pkt->stream_index = stream;
	pkt->pts = pkt->dts = pts;
	pkt->duration = duration;
	/* Our units (48 kHz audio, ms for the rest); the muxer's may differ. */
	av_packet_rescale_ts(pkt, rec->fmt->streams[stream]->codecpar->
	    codec_type == AVMEDIA_TYPE_AUDIO ? (AVRational){ 1, 48000 } :
	    (AVRational){ 1, 1000 }, rec->fmt->streams[stream]->time_base);
	pkt->flags |= AV_PKT_FLAG_KEY;
	r = av_interleaved_write_frame(rec->fmt, pkt);
	av_packet_free(&pkt);
	if (r < 0) {
		record_fail(rec, r == AVERROR(ENOSPC) ? "the disk is full" :
		    av_err2str(r));
		return -1;
	}
	return 0;
}

/*
 * The time of an audio packet, 48 kHz since the start: one frame after the
 * last when the stream had a frame the tick before (so that a tick that
 * runs late leaves no hole), else the tick's own time on the 20 ms grid
 * (after a pause, where the hole is real).
 */
static int64_t
record_audio_pts(struct recorder *rec, uint64_t mono, int64_t last,
    int follows)
{
	int64_t	pts;

	if (last >= 0 && follows)
		return last + MIXER_FRAME;
	pts = (int64_t)((mono - rec->start_mono) * 48 / 1000);
	pts -= pts % MIXER_FRAME;
	if (last >= 0 && pts <= last)
		pts = last + MIXER_FRAME;
	return pts;
}

/*
 * The room's mix this tick (NULL: silence), at tick time mono; restarted
 * when it is the first since the mix paused (nobody sent audio), a gap
 * that an audio-only file fills with silence.  A late tick is no gap.
 */
void
record_mix(struct room_media *rm, const int16_t *pcm, uint64_t mono,
    int restarted)
{
	struct recorder	*rec = rm->rec;
	static const int16_t silence[MIXER_FRAME];
	uint8_t		 pkt[OPUSCODEC_MAX_PACKET];
	uint64_t	 due, gap;
	int64_t		 pts;
	int		 len;

	if (pcm == NULL)
		pcm = silence;
	if (rec->snd != NULL) {
		/* Silence where nobody sent: the file keeps time. */
		due = (mono - rec->start_mono) * 48 / 1000;
		if (restarted && due > rec->snd_frames + MIXER_FRAME) {
			gap = due - rec->snd_frames - MIXER_FRAME;
			if (gap > RECORD_MAX_GAP)
				gap = RECORD_MAX_GAP;
			rec->snd_frames += gap;
			while (gap > 0) {
				len = gap > MIXER_FRAME ? MIXER_FRAME :
				    (int)gap;
				if (sf_write_short(rec->snd, silence, len) !=
				    len)
					goto fail;
				gap -= (uint64_t)len;
			}
		}
		if (sf_write_short(rec->snd, pcm, MIXER_FRAME) != MIXER_FRAME)
			goto fail;
		rec->snd_frames += MIXER_FRAME;
		return;
	}
	len = opuscodec_encode(rec->mix_enc, pcm, pkt, sizeof pkt);
	if (len <= 0)
		return;
	pts = record_audio_pts(rec, mono, rec->mix_last, !restarted);
	rec->mix_last = pts;
	record_write(rec, rec->mix_stream, pkt, (size_t)len, pts,
	    MIXER_FRAME);
	return;

fail:
	record_fail(rec, sf_error(rec->snd) == SF_ERR_SYSTEM ?
	    strerror(errno) : sf_strerror(rec->snd));
}

/* The slot of name among slots, taking a free one at need. */
static struct rec_slot *
record_slot(struct recorder *rec, struct rec_slot *slots, int n,
    const char *name, const char *kind)
{
	char	 text[256];
	int	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(slots[i].name, name) == 0)
			return &slots[i];
	}
	for (i = 0; i < n; i++) {
		if (slots[i].name[0] != '\0')
			continue;
		snprintf(slots[i].name, sizeof slots[i].name, "%s", name);
		snprintf(text, sizeof text, "* %s takes %s track %d", name,
		    kind, slots[i].stream);
		if (record_line(rec, text) != 0)
			return NULL;	/* the recording failed */
		return &slots[i];
	}
	if (rec->no_slot++ == 0)
		log_warnx("room %s: no %s track left in the recording for %s",
		    rec->rm->name, kind, name);
	return NULL;
}

/* A speaker's frame this tick: its Opus packet, or (L16) its PCM. */
void
record_speaker(struct room_media *rm, struct track *t, const uint8_t *opus,
    size_t len, const int16_t *pcm, uint64_t mono, uint64_t tick)
{
	struct recorder	*rec = rm->rec;
	struct rec_slot	*slot;
	uint8_t		 pkt[OPUSCODEC_MAX_PACKET];
	char		*cause;
	int		 n;

	if (rec->fmt == NULL || (slot = record_slot(rec, rec->speakers,
	    rec->nslots, t->member->name, "audio")) == NULL)
		return;
	if (opus == NULL) {
		if (slot->enc == NULL && (slot->enc = opuscodec_enc_new(
		    cfg->opus_bitrate, 0, &cause)) == NULL) {
			free(cause);
			return;
		}
		if ((n = opuscodec_encode(slot->enc, pcm, pkt,
		    sizeof pkt)) <= 0)
			return;
		opus = pkt;
		len = (size_t)n;
	}
	slot->last = record_audio_pts(rec, mono, slot->last,
	    slot->tick + 1 == tick);
	slot->tick = tick;
	if (record_write(rec, slot->stream, opus, len, slot->last,
	    MIXER_FRAME) == 0)
		slot->packets++;
}

/* A whole image of a camera or screen, captured at wall (usec). */
void
record_video(struct room_media *rm, struct track *t, const uint8_t *jpeg,
    size_t len, uint64_t wall)
{
	struct recorder	*rec = rm->rec;
	struct rec_slot	*slot;
	int64_t		 pts;

	if (rec->fmt == NULL || wall < rec->start_wall)
		return;
	if (t->kind == MEDIA_SCREEN)
		slot = record_slot(rec, rec->screens, RECORD_SCREEN_SLOTS,
		    t->member->name, "screen");
	else
		slot = record_slot(rec, rec->cameras, rec->nslots,
		    t->member->name, "camera");
	if (slot == NULL)
		return;
	pts = (int64_t)((wall - rec->start_wall) / 1000);
	if (slot->last >= 0 && pts <= slot->last)
		pts = slot->last + 1;
	slot->last = pts;
	if (slot->packets == 0 && t->width != 0) {
		/* The size the finished file's track declares. */
		slot->width = t->width;
		slot->height = t->height;
	}
	if (record_write(rec, slot->stream, jpeg, len, pts, 0) == 0)
		slot->packets++;
}

/*
 * A line of the subtitle track, now, shown for RECORD_LINE_MS: written to
 * the file at once, so that a crash keeps it; lines close together overlap,
 * as chat does, and record_finish ends the last ones with the recording.
 * 0, or -1 when the recording failed.
 */
static int
record_line(struct recorder *rec, const char *text)
{
	int64_t	pts;
	int	r;

	if (rec->fmt == NULL)
		return 0;
	pts = (int64_t)((now_usec() - rec->start_wall) / 1000);
	if (pts <= rec->chat_last)
		pts = rec->chat_last + 1;
	rec->chat_last = pts;
	if (text[0] != '*')
		rec->chat_lines++;
	if (record_write(rec, rec->chat_stream, (const uint8_t *)text,
	    strlen(text), pts, RECORD_LINE_MS) != 0)
		return -1;
	/*
	 * Media may not flow (nobody speaks), and a line would wait in the
	 * interleaving queue, then in the open cluster, for packets after it:
	 * both are flushed to the file now.  Lines are few.
	 */
	if ((r = av_interleaved_write_frame(rec->fmt, NULL)) < 0 ||
	    (r = av_write_frame(rec->fmt, NULL)) < 0) {
		record_fail(rec, r == AVERROR(ENOSPC) ? "the disk is full" :
		    av_err2str(r));
		return -1;
	}
	avio_flush(rec->fmt->pb);
	return 0;
}

/* An event of the room, as the subtitle track shows it. */
void
record_event(struct room_media *rm, json_t *ev)
{
	struct recorder	*rec = rm->rec;
	const char	*type, *name, *from;
	char		*line = NULL;

	type = json_string_value(json_object_get(ev, "event"));
	name = json_string_value(json_object_get(ev, "name"));
	from = json_string_value(json_object_get(ev, "from"));
	if (type == NULL)
		return;
	/* Not "<alice>": subtitle renderers take that for markup. */
	if (strcmp(type, "chat") == 0 && from != NULL)
		xasprintf(&line, "%s: %s", from, json_string_value(
		    json_object_get(ev, "text")));
	else if (strcmp(type, "reaction") == 0 && from != NULL)
		xasprintf(&line, "* %s reacts %s", from, json_string_value(
		    json_object_get(ev, "emoji")));
	else if ((strcmp(type, "joined") == 0 || strcmp(type, "left") == 0 ||
	    strcmp(type, "kicked") == 0) && name != NULL)
		xasprintf(&line, "* %s %s", name, type);
	else if ((strcmp(type, "muted") == 0 || strcmp(type, "unmuted") == 0)
	    && name != NULL)
		xasprintf(&line, "* %s %s %s", name, type, json_string_value(
		    json_object_get(ev, "media")));
	else if ((strcmp(type, "screen-on") == 0 ||
	    strcmp(type, "screen-off") == 0) && name != NULL)
		xasprintf(&line, "* %s %s sharing a screen", name,
		    strcmp(type, "screen-on") == 0 ? "starts" : "stops");
	if (line != NULL) {
		record_line(rec, line);
		free(line);
	}
}
