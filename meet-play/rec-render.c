/*
 * meet-play -o OUT.mp4: a recording rendered as one video to share.  The
 * grid of every camera and screen (the grid and sources of live playback,
 * labels drawn in) at 1280x720, RENDER_FPS frames a second, encoded as
 * H.264 (libx264, preset veryfast, CRF 23, yuv420p in limited range), and
 * the mix as AAC, muxed with libavformat (MP4 with +faststart: the index
 * first, so it plays while it downloads).
 *
 * Nothing is paced: output frame k shows, for each source, its latest
 * picture at start + k / fps on the recording's time line.  Video packets
 * wait in a queue until reading has gone RENDER_SLACK past their frame, so
 * tracks a little out of order in the file still land in the right frame,
 * and REC_CHAT_LATE with a chat track, whose line naming a reserved track
 * meetd may write after the track's first pictures.
 * A recording with no video gives black frames (the file stays a video, as
 * sharing sites want), one with no audio no audio track.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>

#include "log.h"
#include "rec.h"
#include "xmalloc.h"

#define RENDER_W	1280
#define RENDER_H	720
#define RENDER_SLACK	200000	/* usec a frame waits for late packets */
#define RENDER_CRF	"23"
#define RENDER_PRESET	"veryfast"
#define RENDER_GOP	4	/* seconds between key frames */
#define RENDER_PROGRESS	250000	/* usec between progress lines */

struct render {
	struct rec		*r;
	const char		*out;
	int64_t			 start;
	int			 fps;
	AVPacket		*pkt;		/* read from the recording */
	AVPacket		*opkt;		/* from an encoder */
	struct rec_queue	*q;
	int			 any;
	int64_t			 slack;		/* video waits this long */
	int64_t			 read_pos;
	int64_t			 end;

	AVFormatContext		*oc;
	int			 created;	/* out exists: remove on error */
	int			 failed;

	AVCodecContext		*venc;
	AVStream		*vst;
	AVFrame			*vframe;
	struct sources		*sources;
	struct canvas		*canvas;
	struct grid_tile	 tiles[PLAY_MAX_TILES];
	int			 changed;
	int64_t			 frames;	/* video frames sent */
	uint8_t			 luma[256];	/* full range to limited */
	uint8_t			 chroma[256];

	struct rec_audio	*audio;
	AVCodecContext		*aenc;
	AVStream		*ast;
	AVFrame			*aframe;
	int64_t			 samples;	/* audio samples sent */

	int			 progress;	/* stderr is a terminal */
	uint64_t		 last_progress;
	int64_t			 total;		/* declared duration, or -1 */
};

static volatile sig_atomic_t render_quit;

static void	render_signal(int);
static int	render_video_encoder(struct render *, char **);
static int	render_audio_encoder(struct render *, char **);
static int	render_open(struct render *, char **);
static int	render_drain(struct render *, AVCodecContext *, AVStream *);
static void	render_picture(struct render *);
static void	render_progress(struct render *, int64_t);
static int	render_frames(struct render *, int64_t);
static int	render_audio(struct render *, int);
static int	render_mix(struct render *, const AVPacket *, int64_t);
static void	render_name(const char *, void *);
static int	render_read(struct render *);
static int	render_finish(struct render *);
static void	render_free(struct render *);

static void
render_signal(int sig)
{
	(void)sig;
	render_quit = 1;
}

static int
render_video_encoder(struct render *rd, char **cause)
{
	const AVCodec	*codec;
	int		 err, i;

	if ((codec = avcodec_find_encoder_by_name("libx264")) == NULL &&
	    (codec = avcodec_find_encoder(AV_CODEC_ID_H264)) == NULL) {
		*cause = xstrdup("libavcodec has no H.264 encoder");
		return -1;
	}
	if ((rd->venc = avcodec_alloc_context3(codec)) == NULL ||
	    (rd->vframe = av_frame_alloc()) == NULL)
		fatalx("out of memory");
	rd->venc->width = RENDER_W;
	rd->venc->height = RENDER_H;
	rd->venc->time_base = (AVRational){ 1, rd->fps };
	rd->venc->framerate = (AVRational){ rd->fps, 1 };
	rd->venc->pix_fmt = AV_PIX_FMT_YUV420P;
	rd->venc->gop_size = rd->fps * RENDER_GOP;
	rd->venc->color_range = AVCOL_RANGE_MPEG;
	rd->venc->colorspace = AVCOL_SPC_SMPTE170M;
	rd->venc->color_primaries = AVCOL_PRI_SMPTE170M;
	rd->venc->color_trc = AVCOL_TRC_SMPTE170M;
	(void)av_opt_set(rd->venc->priv_data, "preset", RENDER_PRESET, 0);
	(void)av_opt_set(rd->venc->priv_data, "crf", RENDER_CRF, 0);
	if (rd->oc->oformat->flags & AVFMT_GLOBALHEADER)
		rd->venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if ((err = avcodec_open2(rd->venc, codec, NULL)) < 0) {
		xasprintf(cause, "%s: %s", codec->name, av_err2str(err));
		return -1;
	}
	if ((rd->vst = avformat_new_stream(rd->oc, NULL)) == NULL ||
	    avcodec_parameters_from_context(rd->vst->codecpar, rd->venc) < 0)
		fatalx("out of memory");
	rd->vst->time_base = rd->venc->time_base;
	rd->vst->avg_frame_rate = rd->venc->framerate;

	rd->vframe->format = AV_PIX_FMT_YUV420P;
	rd->vframe->width = RENDER_W;
	rd->vframe->height = RENDER_H;
	rd->vframe->color_range = AVCOL_RANGE_MPEG;
	if (av_frame_get_buffer(rd->vframe, 0) < 0)
		fatalx("out of memory");
	/* The canvas is in full range (JPEG's); H.264 players want limited. */
	for (i = 0; i < 256; i++) {
		rd->luma[i] = (uint8_t)((i * 219 + 16 * 255 + 127) / 255);
		rd->chroma[i] = (uint8_t)((i * 224 + 16 * 255 + 127) / 255);
	}
	rd->canvas = canvas_new(RENDER_W, RENDER_H);
	rd->sources = sources_new();
	rd->changed = 1;
	return 0;
}

static int
render_audio_encoder(struct render *rd, char **cause)
{
	const AVCodec	*codec;
	int		 err, ch;

	if (rd->r->mix == -1)
		return 0;
	if ((rd->audio = rec_audio_new(rd->r, AV_SAMPLE_FMT_FLTP, 2,
	    rd->start, cause)) == NULL)
		return -1;
	if ((codec = avcodec_find_encoder_by_name("aac")) == NULL) {
		*cause = xstrdup("libavcodec has no AAC encoder");
		return -1;
	}
	if ((rd->aenc = avcodec_alloc_context3(codec)) == NULL ||
	    (rd->aframe = av_frame_alloc()) == NULL)
		fatalx("out of memory");
	ch = rec_audio_channels(rd->audio);
	rd->aenc->sample_fmt = AV_SAMPLE_FMT_FLTP;
	rd->aenc->sample_rate = rec_audio_rate(rd->audio);
	av_channel_layout_default(&rd->aenc->ch_layout, ch);
	rd->aenc->bit_rate = 64000 * ch;
	rd->aenc->time_base = (AVRational){ 1, rd->aenc->sample_rate };
	if (rd->oc->oformat->flags & AVFMT_GLOBALHEADER)
		rd->aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if ((err = avcodec_open2(rd->aenc, codec, NULL)) < 0) {
		xasprintf(cause, "%s: %d Hz: %s", codec->name,
		    rd->aenc->sample_rate, av_err2str(err));
		return -1;
	}
	if ((rd->ast = avformat_new_stream(rd->oc, NULL)) == NULL ||
	    avcodec_parameters_from_context(rd->ast->codecpar, rd->aenc) < 0)
		fatalx("out of memory");
	rd->ast->time_base = rd->aenc->time_base;

	rd->aframe->format = AV_SAMPLE_FMT_FLTP;
	rd->aframe->sample_rate = rd->aenc->sample_rate;
	rd->aframe->nb_samples = rd->aenc->frame_size > 0 ?
	    rd->aenc->frame_size : 1024;
	if (av_channel_layout_copy(&rd->aframe->ch_layout,
	    &rd->aenc->ch_layout) < 0 ||
	    av_frame_get_buffer(rd->aframe, 0) < 0)
		fatalx("out of memory");
	return 0;
}

/* The output file, its streams and encoders; 0, or -1 and *cause. */
static int
render_open(struct render *rd, char **cause)
{
	AVDictionary	*opts = NULL;
	const char	*name;
	char		 title[128];
	int		 err;

	if (avformat_alloc_output_context2(&rd->oc, NULL, NULL, rd->out) < 0 &&
	    avformat_alloc_output_context2(&rd->oc, NULL, "mp4",
	    rd->out) < 0)
		fatalx("out of memory");
	name = rd->oc->oformat->name;
	if (avformat_query_codec(rd->oc->oformat, AV_CODEC_ID_H264,
	    FF_COMPLIANCE_NORMAL) != 1) {
		xasprintf(cause, "%s: cannot hold H.264 (%s; try .mp4)",
		    rd->out, name);
		return -1;
	}
	if (render_video_encoder(rd, cause) == -1 ||
	    render_audio_encoder(rd, cause) == -1)
		return -1;
	if (rd->r->room != NULL) {
		snprintf(title, sizeof title, "meet room %s", rd->r->room);
		av_dict_set(&rd->oc->metadata, "title", title, 0);
	}
	if (rd->r->start != NULL)
		av_dict_set(&rd->oc->metadata, "creation_time", rd->r->start,
		    0);
	if ((err = avio_open(&rd->oc->pb, rd->out, AVIO_FLAG_WRITE)) < 0) {
		xasprintf(cause, "%s: %s", rd->out, av_err2str(err));
		return -1;
	}
	rd->created = 1;
	if (strstr(name, "mp4") != NULL || strstr(name, "mov") != NULL)
		av_dict_set(&opts, "movflags", "+faststart", 0);
	err = avformat_write_header(rd->oc, &opts);
	av_dict_free(&opts);
	if (err < 0) {
		xasprintf(cause, "%s: %s", rd->out, av_err2str(err));
		return -1;
	}
	return 0;
}

/* Write what the encoder has ready; 0, or -1 (logged). */
static int
render_drain(struct render *rd, AVCodecContext *enc, AVStream *st)
{
	int	err;

	for (;;) {
		err = avcodec_receive_packet(enc, rd->opkt);
		if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
			return 0;
		if (err < 0) {
			log_warnx("%s: %s", enc->codec->name, av_err2str(err));
			return -1;
		}
		av_packet_rescale_ts(rd->opkt, enc->time_base, st->time_base);
		rd->opkt->stream_index = st->index;
		if ((err = av_interleaved_write_frame(rd->oc, rd->opkt)) < 0) {
			log_warnx("%s: %s", rd->out, av_err2str(err));
			return -1;
		}
	}
}

/* Composite the grid into the frame to encode, in limited range. */
static void
render_picture(struct render *rd)
{
	const uint8_t	*src, *lut;
	uint8_t		*dst;
	int		 i, x, y, w, h;

	sources_compose(rd->sources, rd->canvas, 1, rd->tiles);
	if (av_frame_make_writable(rd->vframe) < 0)
		fatalx("out of memory");
	for (i = 0; i < 3; i++) {
		w = i == 0 ? RENDER_W : RENDER_W / 2;
		h = i == 0 ? RENDER_H : RENDER_H / 2;
		lut = i == 0 ? rd->luma : rd->chroma;
		for (y = 0; y < h; y++) {
			src = rd->canvas->plane[i] +
			    (size_t)y * rd->canvas->stride[i];
			dst = rd->vframe->data[i] +
			    (size_t)y * rd->vframe->linesize[i];
			for (x = 0; x < w; x++)
				dst[x] = lut[src[x]];
		}
	}
}

/*
 * How far rendering has come, on a terminal: over the line before.  The
 * duration a file declares may count the last chat line's four seconds.
 */
static void
render_progress(struct render *rd, int64_t at)
{
	if (rd->total > rd->start)
		fprintf(stderr, "\r%s: %s: %.1f of %.1f s\033[K",
		    log_progname(), rd->out, (at - rd->start) / 1e6,
		    (rd->total - rd->start) / 1e6);
	else
		fprintf(stderr, "\r%s: %s: %.1f s\033[K", log_progname(),
		    rd->out, (at - rd->start) / 1e6);
}

/* Encode the video frames whose time is before limit; 0, or -1. */
static int
render_frames(struct render *rd, int64_t limit)
{
	AVPacket		*pkt;
	uint64_t		 now;
	char			 key[32];
	int64_t			 at, t;
	int			 err;

	for (;;) {
		at = rd->start + av_rescale(rd->frames, REC_USEC, rd->fps);
		if (at >= limit || render_quit)
			return 0;
		/* The pictures that came by this frame's time. */
		while ((pkt = rec_queue_peek(rd->q, &t)) != NULL && t <= at) {
			rec_source_key(pkt->stream_index, key, sizeof key);
			if (sources_put(rd->sources, key,
			    rd->r->st[pkt->stream_index].label, pkt->data,
			    (size_t)pkt->size, (uint64_t)t) == 0)
				rd->changed = 1;
			rec_queue_drop(rd->q);
		}
		if (sources_expire(rd->sources, (uint64_t)at))
			rd->changed = 1;
		if (rd->changed)
			render_picture(rd);
		rd->changed = 0;
		rd->vframe->pts = rd->frames++;
		if ((err = avcodec_send_frame(rd->venc, rd->vframe)) < 0) {
			log_warnx("%s: %s", rd->venc->codec->name,
			    av_err2str(err));
			return -1;
		}
		if (render_drain(rd, rd->venc, rd->vst) == -1)
			return -1;
		now = mono_usec();
		if (rd->progress &&
		    now - rd->last_progress >= RENDER_PROGRESS) {
			rd->last_progress = now;
			render_progress(rd, at);
		}
	}
}

/*
 * Encode the mix in whole AAC frames, and the rest as a last short one
 * when last; 0, or -1.
 */
static int
render_audio(struct render *rd, int last)
{
	int	n, err, size = rd->aenc->frame_size > 0 ?
		    rd->aenc->frame_size : 1024;

	while (rec_audio_avail(rd->audio) >= size ||
	    (last && rec_audio_avail(rd->audio) > 0)) {
		if (av_frame_make_writable(rd->aframe) < 0)
			fatalx("out of memory");
		n = rec_audio_take(rd->audio, (void **)rd->aframe->data, size);
		rd->aframe->nb_samples = n;
		rd->aframe->pts = rd->samples;
		rd->samples += n;
		if ((err = avcodec_send_frame(rd->aenc, rd->aframe)) < 0) {
			log_warnx("%s: %s", rd->aenc->codec->name,
			    av_err2str(err));
			return -1;
		}
		if (render_drain(rd, rd->aenc, rd->ast) == -1)
			return -1;
	}
	return 0;
}

/*
 * Decode and encode a packet of the mix at t.  A long gap before it (nobody
 * talked) is filled with silence a second at a time, not all at once, the
 * video keeping up.
 */
static int
render_mix(struct render *rd, const AVPacket *pkt, int64_t t)
{
	int64_t	at, step, upto;

	step = rec_audio_rate(rd->audio);
	at = av_rescale(t - rd->start, step, REC_USEC);
	while (rec_audio_end(rd->audio) + step < at && !render_quit) {
		rec_audio_pad(rd->audio, rec_audio_end(rd->audio) + step);
		if (render_audio(rd, 0) == -1)
			return -1;
		upto = rd->start + av_rescale(rec_audio_end(rd->audio),
		    REC_USEC, step);
		if (upto > rd->read_pos - rd->slack)
			upto = rd->read_pos - rd->slack;
		if (render_frames(rd, upto) == -1)
			return -1;
	}
	if (render_quit)
		return 0;
	rec_audio_packet(rd->audio, pkt);
	return render_audio(rd, 0);
}

static void
render_name(const char *line, void *arg)
{
	rec_chat_apply(arg, line);
}

/* Read and encode the recording; 0, or -1 after an error (logged). */
static int
render_read(struct render *rd)
{
	struct rec_stream	*st;
	char			 key[32];
	int64_t			 t, end;

	while (!render_quit && rec_read(rd->r, rd->pkt)) {
		st = &rd->r->st[rd->pkt->stream_index];
		t = rec_packet_usec(rd->r, rd->pkt);
		end = st->kind == REC_CHAT ? t :
		    rec_packet_end(rd->r, rd->pkt);
		if (end > rd->start) {
			rd->any = 1;
			if (end > rd->end)
				rd->end = end;
		}
		if (t > rd->read_pos)
			rd->read_pos = t;
		switch (st->kind) {
		case REC_MIX:
			if (rd->audio != NULL &&
			    render_mix(rd, rd->pkt, t) == -1)
				return -1;
			break;
		case REC_VIDEO:
			if (t < rd->start) {
				/* The picture on show at the start. */
				rec_source_key(rd->pkt->stream_index, key,
				    sizeof key);
				sources_put(rd->sources, key, st->label,
				    rd->pkt->data, (size_t)rd->pkt->size,
				    (uint64_t)(t > 0 ? t : 0));
				rd->changed = 1;
			} else
				rec_queue_push(rd->q, rd->pkt, t);
			break;
		case REC_CHAT:
			/* Only for the names of the reserved tracks. */
			rec_chat_lines(rd->pkt, render_name, rd->r);
			break;
		default:
			break;
		}
		av_packet_unref(rd->pkt);
		if (render_frames(rd, rd->read_pos - rd->slack) == -1)
			return -1;
	}
	av_packet_unref(rd->pkt);
	return 0;
}

/* The last frames, the encoders' tails and the trailer; 0, or -1. */
static int
render_finish(struct render *rd)
{
	int	err;

	if (render_quit) {
		/* Stopped: end the file where the video has come to. */
		rd->end = rd->start + av_rescale(rd->frames, REC_USEC,
		    rd->fps);
	}
	if (rd->audio != NULL) {
		if (!render_quit) {
			rec_audio_packet(rd->audio, NULL);
			rec_audio_pad(rd->audio, av_rescale(rd->end -
			    rd->start, rec_audio_rate(rd->audio), REC_USEC));
		}
		if (render_audio(rd, 1) == -1 ||
		    avcodec_send_frame(rd->aenc, NULL) < 0 ||
		    render_drain(rd, rd->aenc, rd->ast) == -1)
			return -1;
	}
	if (render_frames(rd, rd->end) == -1 ||
	    avcodec_send_frame(rd->venc, NULL) < 0 ||
	    render_drain(rd, rd->venc, rd->vst) == -1)
		return -1;
	if ((err = av_write_trailer(rd->oc)) < 0) {
		log_warnx("%s: %s", rd->out, av_err2str(err));
		return -1;
	}
	if (rd->oc->pb->error < 0 || (err = avio_closep(&rd->oc->pb)) < 0) {
		log_warnx("%s: %s", rd->out, av_err2str(rd->oc->pb != NULL ?
		    rd->oc->pb->error : err));
		return -1;
	}
	return 0;
}

static void
render_free(struct render *rd)
{
	if (rd->oc != NULL) {
		if (rd->oc->pb != NULL)
			avio_closep(&rd->oc->pb);
		avformat_free_context(rd->oc);
	}
	if (rd->failed && rd->created)
		(void)unlink(rd->out);
	avcodec_free_context(&rd->venc);
	avcodec_free_context(&rd->aenc);
	av_frame_free(&rd->vframe);
	av_frame_free(&rd->aframe);
	rec_audio_free(rd->audio);
	sources_free(rd->sources);
	canvas_free(rd->canvas);
	rec_queue_free(rd->q);
	av_packet_free(&rd->pkt);
	av_packet_free(&rd->opkt);
	rec_close(rd->r);
}

/*
 * Render the recording at path to out from start on, fps frames a second:
 * 0, or 1 after an error (logged; a half-written out is removed).
 */
int
rec_render_run(const char *path, const char *out, int64_t start, int fps)
{
	struct render		 rd;
	struct sigaction	 sa;
	struct stat		 in_sb, out_sb;
	char			*cause = NULL;

	memset(&rd, 0, sizeof rd);
	rd.out = out;
	rd.start = start;
	rd.fps = fps;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = render_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (rec_open(&rd.r, path, &cause) == -1)
		goto fail;
	if (stat(out, &out_sb) == 0 && stat(path, &in_sb) == 0 &&
	    in_sb.st_dev == out_sb.st_dev && in_sb.st_ino == out_sb.st_ino) {
		xasprintf(&cause, "%s: is the recording itself", out);
		goto fail;
	}
	rec_discard_unused(rd.r);
	if ((rd.pkt = av_packet_alloc()) == NULL ||
	    (rd.opkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	rd.q = rec_queue_new();
	if (render_open(&rd, &cause) == -1)
		goto fail;
	rd.progress = isatty(STDERR_FILENO);
	rd.last_progress = mono_usec();
	rd.total = rec_declared_usec(rd.r);

	rec_name_slots(rd.r, start);
	rec_seek(rd.r, start);
	rd.read_pos = rd.end = start;
	rd.slack = rd.r->chat != -1 ? REC_CHAT_LATE : RENDER_SLACK;
	if (render_read(&rd) == -1)
		goto failed;
	if (!rd.any && !render_quit) {
		if (start > 0)
			log_warnx("%s: nothing after %.2f s", path,
			    start / 1e6);
		else
			log_warnx("%s: no media and no chat in it", path);
		goto failed;
	}
	if (render_finish(&rd) == -1)
		goto failed;
	if (rd.progress && rd.frames > 0)
		fprintf(stderr, "\r%s: %s: %.1f s, done\033[K\n",
		    log_progname(), out, (rd.end - rd.start) / 1e6);
	if (render_quit) {
		log_warnx("%s: stopped, it holds the first %.1f s", out,
		    (rd.end - rd.start) / 1e6);
		render_free(&rd);
		return 1;
	}
	render_free(&rd);
	return 0;

fail:
	log_warnx("%s", cause);
	free(cause);
failed:
	if (rd.progress && rd.frames > 0)
		fprintf(stderr, "\n");
	rd.failed = 1;
	render_free(&rd);
	return 1;
}
