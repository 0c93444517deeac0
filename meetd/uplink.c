/*
 * send: a session's audio, camera or screen into its room, on the media
 * worker of the session's member (media.c for a room here, far.c for a
 * room on another node).  Control asks the hosting node for the stream's
 * SSRC and hands this worker the pipe (MEDIA_MSG_SEND, stream.c); from
 * then on the pipe is read, split, encoded and packetized here, and the
 * packets go where they are for: straight into the room's track when the
 * room is on this worker, or to the hosting node from this worker's socket
 * (media_node_send).  When the pipe ends the worker says so to control
 * (MEDIA_REPORT_SEND_DONE), with what went wrong, for the command's answer.
 *
 * Audio PCM is converted to 48 kHz mono, cut into 20 ms frames and encoded
 * with Opus (in-band FEC, DTX: a frame the encoder says need not go is not
 * sent).  MJPEG is split into images; an image RFC 2435 cannot carry is
 * re-encoded once with TurboJPEG; each is cut into payloads of at most
 * MEDIA_PAYLOAD bytes.  Video RTP time is the wall clock at 90 kHz, so that
 * receivers can tag each frame with its capture time.  A regular file is
 * read at the pace of real time: audio by its samples, video at
 * UPLINK_FILE_FPS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jpeg-normalize.h"
#include "mjpeg.h"
#include "opuscodec.h"
#include "pcmconv.h"
#include "rfc2435.h"

#include "meetd.h"

#define UPLINK_READ		65536
#define UPLINK_AHEAD		60000	/* usec of audio read ahead of time */
#define UPLINK_FILE_FPS		25
#define UPLINK_MAX_FRAME	(8 * 1024 * 1024)

struct uplink {
	struct media_member	*m;
	uint64_t		 stream;	/* control's id */
	enum media_kind		 kind;
	int			 fd;
	int			 regular;	/* a file: paced by a timer */
	struct event		*rev;
	struct event		*pace;
	uint32_t		 ssrc;
	uint16_t		 seq;
	uint32_t		 ts;
	uint64_t		 start;		/* usec, monotonic */
	struct mstats		 st;
	char			 error[MEDIA_ERROR_LEN]; /* to say */

	struct pcmconv		*conv;		/* audio */
	struct opuscodec_enc	*enc;
	int16_t			*pcm;		/* a read's worth, 48 kHz */
	size_t			 pcmmax;
	int16_t			 frame[OPUSCODEC_FRAME];
	size_t			 have;
	uint64_t		 samples;	/* 48 kHz, since start */
	int			 spurt;		/* next packet starts one */

	struct mjpeg_splitter	*split;		/* video */
	uint64_t		 sent_frames;
	char			 jpeg_error[128];
	uint64_t		 shown[DROP_MAX];	/* on the track */

	TAILQ_ENTRY(uplink)	 entry;
};

static const struct timeval uplink_now = { 0, 0 };
static const struct timeval uplink_soon = { 0, 1000 };

static void	uplink_read(evutil_socket_t, short, void *);
static void	uplink_finish(struct uplink *, int);
static void	uplink_free(struct uplink *);
static void	uplink_jpeg(const uint8_t *, size_t, void *);
static void	uplink_say(struct uplink *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	uplink_show_drops(struct uplink *);

/* Control's MEDIA_MSG_SEND: the pipe is this worker's to read now. */
void
uplink_open(const struct media_msg_send *msg)
{
	struct media_member	*m;
	struct uplink		*ul;
	char			*why;

	if ((m = media_session_find(msg->session)) == NULL) {
		/* Gone before the pipe arrived: its command is over. */
		close(msg->fd);
		media_post_stream_done(MEDIA_REPORT_SEND_DONE, msg->stream,
		    msg->session, EXIT_DONE, NULL);
		return;
	}
	ul = xcalloc(1, sizeof *ul);
	ul->m = m;
	ul->stream = msg->stream;
	ul->kind = msg->kind;
	ul->fd = msg->fd;
	ul->regular = msg->regular;
	ul->ssrc = msg->ssrc;
	ul->seq = (uint16_t)arc4random();
	ul->ts = arc4random();
	ul->spurt = 1;
	mstats_init(&ul->st, ul->ssrc, ul->kind == MEDIA_AUDIO ? 48000 : 90000,
	    0);
	TAILQ_INSERT_TAIL(&m->uplinks, ul, entry);
	if (ul->kind == MEDIA_AUDIO) {
		ul->conv = pcmconv_in_new(msg->rate, msg->channels, &why);
		if (ul->conv == NULL) {
			uplink_say(ul, "send: %s", why);
			free(why);
			uplink_finish(ul, EXIT_REFUSED);
			return;
		}
		ul->pcmmax = pcmconv_in_max(ul->conv, UPLINK_READ);
		ul->pcm = xreallocarray(NULL, ul->pcmmax, sizeof *ul->pcm);
		ul->enc = opuscodec_enc_new(cfg->opus_bitrate, 10, &why);
		if (ul->enc == NULL) {
			uplink_say(ul, "send: opus: %s", why);
			free(why);
			uplink_finish(ul, EXIT_REFUSED);
			return;
		}
	} else
		ul->split = mjpeg_splitter_new(UPLINK_MAX_FRAME);
	(void)fcntl(ul->fd, F_SETFL, fcntl(ul->fd, F_GETFL) | O_NONBLOCK);
	ul->rev = event_new(base, ul->fd, EV_READ | EV_PERSIST, uplink_read,
	    ul);
	ul->pace = evtimer_new(base, uplink_read, ul);
	ul->start = mono_usec();
	if (ul->regular)
		evtimer_add(ul->pace, &uplink_now);
	else
		event_add(ul->rev, NULL);
}

/* Control's MEDIA_MSG_SEND_STOP: meetctl went away, or the session. */
void
uplink_stop(const struct media_msg_stream_stop *msg)
{
	struct media_member	*m;
	struct uplink		*ul;

	if ((m = media_session_find(msg->session)) == NULL)
		return;
	TAILQ_FOREACH(ul, &m->uplinks, entry) {
		if (ul->stream == msg->stream) {
			uplink_free(ul);
			return;
		}
	}
}

/* A line for the command's answer (stderr), as control will print it. */
static void
uplink_say(struct uplink *ul, const char *fmt, ...)
{
	va_list	ap;
	size_t	len = strlen(ul->error);

	if (len > 0 && len + 1 < sizeof ul->error)
		ul->error[len++] = '\n';
	va_start(ap, fmt);
	vsnprintf(ul->error + len, sizeof ul->error - len, fmt, ap);
	va_end(ap);
}

/* One RTP packet of ours: into the room's track, or to its node. */
static void
uplink_packet(struct uplink *ul, const uint8_t *payload, size_t len,
    uint32_t ts, int marker, uint8_t pt)
{
	struct room_media	*rm = ul->m->rm;
	struct rtp_header	 h;
	struct track		*t;
	uint8_t			 pkt[MEDIA_PACKET + 2048];
	size_t			 n;
	uint64_t		 now = mono_usec();

	memset(&h, 0, sizeof h);
	h.version = RTP_VERSION;
	h.pt = pt;
	h.marker = marker;
	h.seq = ul->seq++;
	h.ts = ts;
	h.ssrc = ul->ssrc;
	h.payload = payload;
	h.payload_len = len;
	if ((n = rtp_write(pkt, sizeof pkt, &h)) == 0)
		return;
	mstats_packet(&ul->st, n, now);
	if (rm->far) {
		if (media_node_send(far_sock(rm->hub.ss_family),
		    (struct sockaddr *)&rm->hub, rm->hub_len, rm->node, pkt,
		    n) != 0)
			mstats_drop(&ul->st, DROP_SEND, 1);
		return;
	}
	/* The room is here: the packet is its track's input, as parsed. */
	if ((t = media_track_find(ul->ssrc)) == NULL || t->member != ul->m ||
	    rtp_parse(pkt, n, &h) != 0)
		return;
	media_track_input(t, pkt, n, &h, now);
}

static void
uplink_audio_frame(struct uplink *ul)
{
	uint8_t	pkt[OPUSCODEC_MAX_PACKET];
	int	len;

	ul->have = 0;
	ul->samples += OPUSCODEC_FRAME;
	ul->ts += OPUSCODEC_FRAME;
	if (ul->m->audio_muted) {
		mstats_drop(&ul->st, DROP_MUTED, 1);
		ul->spurt = 1;
		return;
	}
	len = opuscodec_encode(ul->enc, ul->frame, pkt, sizeof pkt);
	mstats_frame(&ul->st, mono_usec());
	if (len <= OPUSCODEC_DTX_LEN) {
		ul->spurt = 1;		/* silence: DTX sends nothing */
		return;
	}
	uplink_packet(ul, pkt, (size_t)len, ul->ts - OPUSCODEC_FRAME,
	    ul->spurt, MEDIA_PT_OPUS);
	ul->spurt = 0;
}

static void
uplink_audio(struct uplink *ul, const uint8_t *buf, size_t len)
{
	size_t	 n, i;

	n = pcmconv_in(ul->conv, buf, len, ul->pcm, ul->pcmmax);
	for (i = 0; i < n; i++) {
		ul->frame[ul->have++] = ul->pcm[i];
		if (ul->have == OPUSCODEC_FRAME)
			uplink_audio_frame(ul);
	}
}

struct uplink_emit {
	struct uplink	*ul;
	uint32_t	 ts;
};

static void
uplink_emit(const uint8_t *payload, size_t len, int marker, void *arg)
{
	struct uplink_emit	*e = arg;

	uplink_packet(e->ul, payload, len, e->ts, marker, MEDIA_PT_JPEG);
}

/* One image from the splitter: normalized if it must be, then sent. */
static void
uplink_jpeg(const uint8_t *jpeg, size_t len, void *arg)
{
	struct uplink		*ul = arg;
	struct jpeg_rtp_info	 info;
	struct uplink_emit	 e;
	uint8_t			*fixed = NULL;
	size_t			 flen;
	char			 err[128];

	if (ul->m->video_muted) {
		mstats_drop(&ul->st, DROP_MUTED, 1);
		return;
	}
	if (jpeg_rtp_info(jpeg, len, &info, err, sizeof err) != 0) {
		fixed = jpeg_normalize(jpeg, len, cfg->video_quality, &flen,
		    err, sizeof err);
		if (fixed == NULL || jpeg_rtp_info(fixed, flen, &info, err,
		    sizeof err) != 0) {
			mstats_drop(&ul->st, DROP_BAD_JPEG, 1);
			snprintf(ul->jpeg_error, sizeof ul->jpeg_error, "%s",
			    err);
			free(fixed);
			return;
		}
	}
	e.ul = ul;
	e.ts = (uint32_t)(now_usec() * 9 / 100);
	if (rfc2435_packetize(&info, MEDIA_PAYLOAD, uplink_emit, &e) < 0)
		mstats_drop(&ul->st, DROP_BAD_JPEG, 1);
	else {
		ul->sent_frames++;
		mstats_frame(&ul->st, mono_usec());
	}
	free(fixed);
}

/*
 * What send -v drops before any packet (images too large or broken, bytes
 * that are no JPEG) shows in stats on the stream's row: its own for a room
 * on another node, the room's track when the room is here.
 */
static void
uplink_show_drops(struct uplink *ul)
{
	static const enum media_drop	 why[] = {
		DROP_TOO_LARGE, DROP_BAD_JPEG, DROP_NOT_JPEG
	};
	struct track			*t;
	size_t				 i;

	if (ul->m->rm->far || (t = media_track_find(ul->ssrc)) == NULL ||
	    t->member != ul->m)
		return;
	for (i = 0; i < sizeof why / sizeof why[0]; i++) {
		mstats_drop(&t->st, why[i], ul->st.drops[why[i]] -
		    ul->shown[why[i]]);
		ul->shown[why[i]] = ul->st.drops[why[i]];
	}
}

/* Hold off reading while the input runs ahead of real time. */
static int
uplink_ahead(struct uplink *ul)
{
	uint64_t	now = mono_usec(), due;
	struct timeval	tv;

	if (ul->kind == MEDIA_AUDIO)
		due = ul->start + ul->samples * 1000000 / 48000;
	else if (ul->regular)
		due = ul->start + ul->sent_frames * 1000000 / UPLINK_FILE_FPS;
	else
		return 0;
	if (due <= now + (ul->regular ? 0 : UPLINK_AHEAD))
		return 0;
	event_del(ul->rev);
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)(due - now);
	if (tv.tv_usec > 999999)
		tv.tv_usec = 999999;
	evtimer_add(ul->pace, &tv);
	return 1;
}

static void
uplink_eof(struct uplink *ul)
{
	const struct mjpeg_stats	*ms;
	size_t				 pending;

	if (ul->kind == MEDIA_AUDIO) {
		if (ul->have > 0) {
			memset(ul->frame + ul->have, 0, (OPUSCODEC_FRAME -
			    ul->have) * sizeof ul->frame[0]);
			uplink_audio_frame(ul);
		}
		if ((pending = pcmconv_in_pending(ul->conv)) > 0) {
			mstats_drop(&ul->st, DROP_MID_SAMPLE, 1);
			uplink_say(ul, "send: the input ended mid-sample "
			    "(%zu byte%s dropped)", pending,
			    pending == 1 ? "" : "s");
		}
		uplink_finish(ul, EXIT_DONE);
		return;
	}
	ms = mjpeg_splitter_stats(ul->split);
	if (ms->oversized > 0)
		uplink_say(ul, "send: %llu image%s over the limit of %d MiB "
		    "an image (the largest %llu bytes) %s dropped",
		    (unsigned long long)ms->oversized, ms->oversized == 1 ?
		    "" : "s", UPLINK_MAX_FRAME / (1024 * 1024),
		    (unsigned long long)ms->largest, ms->oversized == 1 ?
		    "was" : "were");
	if (ms->garbage > 0)
		uplink_say(ul, "send: %llu bytes were not JPEG and were "
		    "skipped", (unsigned long long)ms->garbage);
	if (ms->truncated > 0)
		uplink_say(ul, "send: %llu images were cut short and "
		    "dropped", (unsigned long long)ms->truncated);
	if (ul->jpeg_error[0] != '\0')
		uplink_say(ul, "send: %llu images could not be sent (%s)",
		    (unsigned long long)ul->st.drops[DROP_BAD_JPEG],
		    ul->jpeg_error);
	if (ul->sent_frames == 0) {
		uplink_say(ul, "send: no image was sent");
		uplink_finish(ul, EXIT_REFUSED);
		return;
	}
	uplink_finish(ul, EXIT_DONE);
}

static void
uplink_read(evutil_socket_t fd, short events, void *arg)
{
	struct uplink			*ul = arg;
	const struct mjpeg_stats	*ms;
	uint8_t				 buf[UPLINK_READ];
	ssize_t				 n;
	size_t				 want = sizeof buf;
	int				 rounds;

	(void)fd;
	(void)events;
	/* Back from a pause (uplink_ahead): read the pipe as it fills. */
	if (!ul->regular && !event_pending(ul->rev, EV_READ, NULL))
		event_add(ul->rev, NULL);
	for (rounds = 0; rounds < 16; rounds++) {
		if (uplink_ahead(ul))
			return;
		/* A file: a frame's worth of audio at a time. */
		if (ul->regular && ul->kind == MEDIA_AUDIO)
			want = 8192;
		n = read(ul->fd, buf, want);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			uplink_eof(ul);
			return;
		}
		if (ul->kind == MEDIA_AUDIO)
			uplink_audio(ul, buf, (size_t)n);
		else {
			mjpeg_splitter_feed(ul->split, buf, (size_t)n,
			    uplink_jpeg, ul);
			/* Bytes outside images; images cut short, too big. */
			ms = mjpeg_splitter_stats(ul->split);
			ul->st.drops[DROP_NOT_JPEG] = ms->garbage;
			ul->st.drops[DROP_INCOMPLETE] = ms->truncated;
			ul->st.drops[DROP_TOO_LARGE] = ms->oversized;
			uplink_show_drops(ul);
		}
	}
	if (ul->regular)
		evtimer_add(ul->pace, &uplink_soon);
}

static void
uplink_free(struct uplink *ul)
{
	TAILQ_REMOVE(&ul->m->uplinks, ul, entry);
	if (ul->rev != NULL)
		event_free(ul->rev);
	if (ul->pace != NULL)
		event_free(ul->pace);
	close(ul->fd);
	pcmconv_free(ul->conv);
	opuscodec_enc_free(ul->enc);
	mjpeg_splitter_free(ul->split);
	free(ul->pcm);
	free(ul);
}

/* The send is over: control hears how, for the command's answer. */
static void
uplink_finish(struct uplink *ul, int code)
{
	media_post_stream_done(MEDIA_REPORT_SEND_DONE, ul->stream,
	    ul->m->session, code, ul->error);
	uplink_free(ul);
}

/* Its member goes (it left, the room ended): its sends end with it. */
void
uplink_free_all(struct media_member *m)
{
	struct uplink	*ul;

	while ((ul = TAILQ_FIRST(&m->uplinks)) != NULL)
		uplink_finish(ul, EXIT_DONE);
}

/* What stats shows: sends to a room on another node. */
json_t *
uplink_stats(struct media_member *m)
{
	struct uplink	*ul;
	json_t		*a;
	char		 peer[ADDR_HOST_MAX + 8];
	uint64_t	 now = mono_usec();

	a = json_array();
	if (!m->rm->far)
		return a;	/* the room's track shows it */
	sockaddr_string((struct sockaddr *)&m->rm->hub, peer, sizeof peer);
	TAILQ_FOREACH(ul, &m->uplinks, entry) {
		json_array_append_new(a, mstats_json(&ul->st, "out",
		    m->rm->name, m->name, ul->kind, ul->ssrc, peer, now));
	}
	return a;
}

/* The i-th send of m that has sent, for its sender reports. */
int
uplink_info(struct media_member *m, int i, struct uplink_info *ui)
{
	struct uplink	*ul;

	TAILQ_FOREACH(ul, &m->uplinks, entry) {
		if (ul->st.packets == 0 || i-- > 0)
			continue;
		ui->ssrc = ul->ssrc;
		ui->st = &ul->st;
		if (ul->kind == MEDIA_AUDIO)
			ui->ts = ul->ts;
		else
			ui->ts = (uint32_t)(now_usec() * 9 / 100);
		return 0;
	}
	return -1;
}

/* The counters of m's send whose stream is ssrc, or NULL. */
struct mstats *
uplink_mstats(struct media_member *m, uint32_t ssrc)
{
	struct uplink	*ul;

	TAILQ_FOREACH(ul, &m->uplinks, entry) {
		if (ul->ssrc == ssrc)
			return &ul->st;
	}
	return NULL;
}
