/*
 * recv: a session's view of its room, written to the stdout meetctl
 * passed, on the media worker of the session's member.  Audio is the
 * session's mix (or one speaker, -F) as PCM at the rate and channels
 * asked; video is every other participant's frames (or one's) as MJPEG,
 * each image tagged with its source and capture time.
 *
 * Control subscribes the recv on the hosting node (stream.c) and hands
 * this worker the pipe (MEDIA_MSG_RECV).  What fills it is made on the
 * same thread: for a room here, by the room's tick (mix.c) and its
 * depacketizers (media.c); for a room on another node, by the decoders and
 * depacketizers of what that node sends here (far.c).  When the reader
 * goes away the worker tells control (MEDIA_REPORT_RECV_DONE).
 *
 * The pipe is never waited for: each recv has a bounded queue (outq.c)
 * that loses its oldest audio or whole frames when the reader falls behind,
 * counted as slow-reader drops, and nothing else notices.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mixer.h"
#include "outq.h"
#include "pcmconv.h"

#include "meetd.h"

struct downlink {
	struct media_member	*m;
	uint64_t		 stream;	/* and its sub id */
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	char			 from[NAME_MAX_LEN + 1];	/* "" all */
	int			 fd;
	struct event		*wev;
	struct outq		*oq;
	struct pcmconv		*conv;
	struct mstats		 st;
	TAILQ_ENTRY(downlink)	 entry;
};

static void	downlink_write(evutil_socket_t, short, void *);
static void	downlink_finish(struct downlink *, int);
static void	downlink_free(struct downlink *);

/* Control's MEDIA_MSG_RECV: the pipe is this worker's to write now. */
void
downlink_open(const struct media_msg_recv *msg)
{
	struct media_member	*m;
	struct downlink		*dl;
	size_t			 max_bytes = 0, max_msgs = 0;
	char			*why;

	if ((m = media_session_find(msg->session)) == NULL) {
		close(msg->fd);
		media_post_stream_done(MEDIA_REPORT_RECV_DONE, msg->stream,
		    msg->session, EXIT_DONE, NULL);
		return;
	}
	dl = xcalloc(1, sizeof *dl);
	dl->m = m;
	dl->stream = msg->stream;
	dl->kind = msg->kind;
	snprintf(dl->from, sizeof dl->from, "%s", msg->from);
	dl->fd = msg->fd;
	mstats_init(&dl->st, 0, dl->kind == MEDIA_AUDIO ? 48000 : 90000, 0);
	if (dl->kind == MEDIA_AUDIO) {
		if ((dl->conv = pcmconv_out_new(msg->rate, msg->channels,
		    &why)) == NULL) {
			free(why);	/* control checked the format */
			close(dl->fd);
			media_post_stream_done(MEDIA_REPORT_RECV_DONE,
			    dl->stream, m->session, EXIT_REFUSED, NULL);
			free(dl);
			return;
		}
		max_bytes = (size_t)(cfg->recv_audio_buffer * msg->rate *
		    msg->channels * 2);
		if (max_bytes < 1920)
			max_bytes = 1920;
	} else
		max_msgs = (size_t)cfg->recv_video_frames;
	dl->oq = outq_new(max_bytes, max_msgs);
	(void)fcntl(dl->fd, F_SETFL, fcntl(dl->fd, F_GETFL) | O_NONBLOCK);
	dl->wev = event_new(base, dl->fd, EV_WRITE, downlink_write, dl);
	TAILQ_INSERT_TAIL(&m->downlinks, dl, entry);
	if (m->rm->far)
		far_wants_changed(m->rm);
}

/* Control's MEDIA_MSG_RECV_STOP: meetctl went away, or the session. */
void
downlink_stop(const struct media_msg_stream_stop *msg)
{
	struct media_member	*m;
	struct downlink		*dl;

	if ((m = media_session_find(msg->session)) == NULL)
		return;
	TAILQ_FOREACH(dl, &m->downlinks, entry) {
		if (dl->stream == msg->stream) {
			downlink_free(dl);
			return;
		}
	}
}

static void
downlink_push(struct downlink *dl, const void *data, size_t len)
{
	uint64_t	now;

	now = mono_usec();
	/* outq_push says how many old messages made room. */
	mstats_drop(&dl->st, DROP_SLOW_READER, outq_push(dl->oq, data, len));
	mstats_packet(&dl->st, len, now);
	if (dl->kind == MEDIA_VIDEO)
		mstats_frame(&dl->st, now);
	if (!event_pending(dl->wev, EV_WRITE, NULL))
		downlink_write(dl->fd, EV_WRITE, dl);
}

static void
downlink_write(evutil_socket_t fd, short events, void *arg)
{
	struct downlink	*dl = arg;

	(void)fd;
	(void)events;
	if (outq_write(dl->oq, dl->fd) == -1) {
		/* The reader closed the pipe: recv is over. */
		downlink_finish(dl, errno == EPIPE ? EXIT_DONE : EXIT_REFUSED);
		return;
	}
	if (!outq_empty(dl->oq))
		event_add(dl->wev, NULL);
}

/* Does m's session want kind from name (MEDIA_MIX: its mix)? */
int
downlink_wants(struct media_member *m, enum media_kind kind, const char *name)
{
	struct downlink	*dl;

	TAILQ_FOREACH(dl, &m->downlinks, entry) {
		if (kind == MEDIA_MIX && dl->kind == MEDIA_AUDIO &&
		    dl->from[0] == '\0')
			return 1;
		if (kind == MEDIA_AUDIO && dl->kind == MEDIA_AUDIO &&
		    name != NULL && strcmp(dl->from, name) == 0)
			return 1;
		if ((kind == MEDIA_VIDEO || kind == MEDIA_SCREEN) &&
		    dl->kind == MEDIA_VIDEO && (dl->from[0] == '\0' ||
		    (name != NULL && strcmp(dl->from, name) == 0)))
			return 1;
	}
	return 0;
}

static void
downlink_audio(struct downlink *dl, const int16_t *pcm)
{
	uint8_t	buf[MIXER_FRAME * 2 * 2];
	size_t	n;

	n = pcmconv_out(dl->conv, pcm, MIXER_FRAME, buf, sizeof buf);
	if (n > 0)
		downlink_push(dl, buf, n);
}

/* m's mix, one 20 ms frame of 48 kHz mono. */
void
downlink_mix(struct media_member *m, const int16_t *pcm)
{
	struct downlink	*dl, *dl1;

	TAILQ_FOREACH_SAFE(dl, &m->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_AUDIO && dl->from[0] == '\0')
			downlink_audio(dl, pcm);
	}
}

/* One speaker's frame, for recv -a -F NAME. */
void
downlink_solo(struct media_member *m, const char *name, const int16_t *pcm)
{
	struct downlink	*dl, *dl1;

	TAILQ_FOREACH_SAFE(dl, &m->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_AUDIO && strcmp(dl->from, name) == 0)
			downlink_audio(dl, pcm);
	}
}

/* A whole tagged JPEG from name; never m's own. */
void
downlink_video(struct media_member *m, const char *name, const uint8_t *jpeg,
    size_t len)
{
	struct downlink	*dl, *dl1;

	if (strcmp(m->name, name) == 0)
		return;
	TAILQ_FOREACH_SAFE(dl, &m->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_VIDEO && (dl->from[0] == '\0' ||
		    strcmp(dl->from, name) == 0))
			downlink_push(dl, jpeg, len);
	}
}

static void
downlink_free(struct downlink *dl)
{
	struct room_media	*rm = dl->m->rm;

	TAILQ_REMOVE(&dl->m->downlinks, dl, entry);
	if (rm->far)
		far_wants_changed(rm);
	event_free(dl->wev);
	close(dl->fd);
	outq_free(dl->oq);
	pcmconv_free(dl->conv);
	free(dl);
}

/* The recv is over: control hears how, to finish the command. */
static void
downlink_finish(struct downlink *dl, int code)
{
	media_post_stream_done(MEDIA_REPORT_RECV_DONE, dl->stream,
	    dl->m->session, code, NULL);
	downlink_free(dl);
}

/* Its member goes (it left, the room ended): its recvs end with it. */
void
downlink_free_all(struct media_member *m)
{
	struct downlink	*dl;

	while ((dl = TAILQ_FIRST(&m->downlinks)) != NULL)
		downlink_finish(dl, EXIT_DONE);
}

/* What stats shows: m's recvs. */
json_t *
downlink_stats(struct media_member *m)
{
	struct downlink	*dl;
	json_t		*a;
	uint64_t	 now = mono_usec();

	a = json_array();
	TAILQ_FOREACH(dl, &m->downlinks, entry) {
		json_array_append_new(a, mstats_json(&dl->st, "out",
		    m->rm->name, m->name, dl->kind, 0, dl->from[0] != '\0' ?
		    dl->from : "recv", now));
	}
	return a;
}
