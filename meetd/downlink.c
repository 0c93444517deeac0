/*
 * recv: a local session's view of its room, written to the stdout meetctl
 * passed.  Audio is the session's mix (or one speaker, -F) as PCM at the
 * rate and channels asked; video is every other participant's frames (or
 * one's) as MJPEG, each image tagged with its source and capture time.
 *
 * The pipe is never waited for: each recv has a bounded queue (outq.c)
 * that loses its oldest audio or whole frames when the reader falls behind,
 * counted as slow-reader drops, and nothing else notices.
 *
 * Each recv's wants are a subscription on the hosting node (the media_sub
 * and media_unsub operations, nodeop.h, wherever the room is).  When the
 * room is on this node, its media worker (media.c, mix.c) posts frames
 * here.  When it is on another, the hosting node sends RTP to this node's
 * UDP port: the session's own mix (Opus, an SSRC of its own, told in the
 * reply to media_sub), and the packets of the room's tracks that some recv
 * here wants, as they are.  Those tracks are learned from the room's
 * audio-on, video-on and screen-on events and from media_sub's reply; one
 * view of each is kept per peer node, shared by its sessions.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mixer.h"
#include "mjpeg.h"
#include "opuscodec.h"
#include "outq.h"
#include "pcmconv.h"
#include "rfc2435.h"

#include "meetd.h"
#include "nodeop.h"

#define DOWNLINK_MAX_FRAME	(4 * 1024 * 1024)
#define DOWNLINK_MAX_PLC	5	/* lost frames concealed in a row */

struct downlink {
	struct session		*session;
	struct cmdq		*q;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	char			 from[NAME_MAX_LEN + 1];	/* "" all */
	uint64_t		 id;
	int			 fd;
	struct event		*wev;
	struct outq		*oq;
	struct pcmconv		*conv;
	int			 subscribed;	/* on the hosting node */
	int			 asked;		/* media_sub sent */
	struct mstats		 st;
	TAILQ_ENTRY(downlink)	 entry;
};

/* A track of a room on another node, as this node receives it. */
struct rtrack {
	struct peer		*peer;
	char			 room[NAME_MAX_LEN + 1];
	char			 name[NAME_MAX_LEN + 1];
	enum media_kind		 kind;
	uint32_t		 ssrc;
	struct rfc2435_depack	*dp;
	struct opuscodec_dec	*dec;
	uint16_t		 next_seq;
	int			 started;
	uint32_t		 cur_ts;
	struct mstats		 st;
	TAILQ_ENTRY(rtrack)	 entry;
};
static TAILQ_HEAD(, rtrack) rtracks = TAILQ_HEAD_INITIALIZER(rtracks);

static void	downlink_write(evutil_socket_t, short, void *);
static void	downlink_finish(struct downlink *, int);
static void	downlink_cancel(struct cmdq *);
static void	downlink_subscribed(const struct nodeop_reply *, void *);
static void	rtrack_add(struct peer *, const char *, const char *,
		    enum media_kind, uint32_t);

static uint64_t	downlink_ids;

/* A recv that could not start: q keeps its stdout, dl goes. */
static void
downlink_unstart(struct cmdq *q, struct downlink *dl)
{
	TAILQ_REMOVE(&dl->session->downlinks, dl, entry);
	q->data = NULL;
	q->on_cancel = NULL;
	q->out_fd = dl->fd;
	event_free(dl->wev);
	outq_free(dl->oq);
	pcmconv_free(dl->conv);
	free(dl);
}

int
downlink_start(struct cmdq *q, enum media_kind kind, const char *from,
    int rate, int channels, char **cause)
{
	struct session		*s = q->session;
	struct downlink		*dl;
	struct nodeop_req	 req;
	size_t			 max_bytes = 0, max_msgs = 0;

	if (q->out_fd == -1) {
		xasprintf(cause, "no standard output to write");
		return -1;
	}
	if (isatty(q->out_fd)) {
		xasprintf(cause, "stdout is a terminal: pipe it into a "
		    "program (meet-play)");
		return -1;
	}
	dl = xcalloc(1, sizeof *dl);
	dl->session = s;
	dl->q = q;
	dl->kind = kind;
	snprintf(dl->from, sizeof dl->from, "%s", from != NULL ? from : "");
	dl->id = ++downlink_ids;
	mstats_init(&dl->st, 0, kind == MEDIA_AUDIO ? 48000 : 90000, 0);
	if (kind == MEDIA_AUDIO) {
		if ((dl->conv = pcmconv_out_new(rate, channels, cause)) ==
		    NULL) {
			free(dl);
			return -1;
		}
		max_bytes = (size_t)(cfg->recv_audio_buffer * rate *
		    channels * 2);
		if (max_bytes < 1920)
			max_bytes = 1920;
	} else
		max_msgs = (size_t)cfg->recv_video_frames;
	dl->oq = outq_new(max_bytes, max_msgs);
	dl->fd = q->out_fd;
	q->out_fd = -1;
	(void)fcntl(dl->fd, F_SETFL, fcntl(dl->fd, F_GETFL) | O_NONBLOCK);
	dl->wev = event_new(base, dl->fd, EV_WRITE, downlink_write, dl);
	TAILQ_INSERT_TAIL(&s->downlinks, dl, entry);
	q->data = dl;
	q->on_cancel = downlink_cancel;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_SUB;
	req.u.media_sub.kind = kind;
	req.u.media_sub.sub = dl->id;
	snprintf(req.u.media_sub.from, sizeof req.u.media_sub.from, "%s",
	    dl->from);
	dl->asked = 1;
	if (nodeop_call(s, &req, downlink_subscribed, dl, cause) != 0) {
		downlink_unstart(q, dl);
		return -1;
	}
	return 0;
}

/*
 * The hosting node took the subscription, or said why not.  For a room on
 * another node the reply names the session's mix and the room's tracks;
 * when the room is here this runs inside downlink_start.
 */
static void
downlink_subscribed(const struct nodeop_reply *rep, void *arg)
{
	const struct op_media_sub_reply	*r = &rep->u.media_sub;
	struct downlink			*dl = arg;
	struct session			*s = dl->session;
	size_t				 i;

	dl->asked = 0;
	if (rep->code != EXIT_DONE) {
		cmdq_error(dl->q, "recv: %s", rep->error);
		downlink_finish(dl, rep->code);
		return;
	}
	dl->subscribed = 1;
	if (s->peer == NULL)
		return;
	if (r->mix_ssrc != 0) {
		s->mix_ssrc = r->mix_ssrc;
		/* Show the hub at once where to send (symmetric RTP). */
		report_session(s, now_usec());
	}
	for (i = 0; i < r->ntracks; i++)
		rtrack_add(s->peer, s->room, r->tracks[i].name,
		    r->tracks[i].kind, r->tracks[i].ssrc);
}

static void
downlink_push(struct downlink *dl, const void *data, size_t len)
{
	uint64_t	now;

	if (!dl->subscribed)
		return;
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

/* Does session s (on this node) want kind from name? */
int
downlink_wants(struct session *s, enum media_kind kind, const char *name)
{
	struct downlink	*dl;

	TAILQ_FOREACH(dl, &s->downlinks, entry) {
		if (!dl->subscribed)
			continue;
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

/* s's mix, one 20 ms frame of 48 kHz mono. */
void
downlink_mix(struct session *s, const int16_t *pcm)
{
	struct downlink	*dl, *dl1;

	TAILQ_FOREACH_SAFE(dl, &s->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_AUDIO && dl->from[0] == '\0')
			downlink_audio(dl, pcm);
	}
}

/* One speaker's frame, for recv -a -F NAME. */
void
downlink_solo(struct session *s, const char *name, const int16_t *pcm)
{
	struct downlink	*dl, *dl1;

	TAILQ_FOREACH_SAFE(dl, &s->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_AUDIO && strcmp(dl->from, name) == 0)
			downlink_audio(dl, pcm);
	}
}

/* A whole tagged JPEG from name. */
void
downlink_video(struct session *s, const char *name, const uint8_t *jpeg,
    size_t len)
{
	struct downlink	*dl, *dl1;

	if (strcmp(s->name, name) == 0)
		return;
	TAILQ_FOREACH_SAFE(dl, &s->downlinks, entry, dl1) {
		if (dl->kind == MEDIA_VIDEO && (dl->from[0] == '\0' ||
		    strcmp(dl->from, name) == 0))
			downlink_push(dl, jpeg, len);
	}
}

static void
downlink_free(struct downlink *dl)
{
	struct session		*s = dl->session;
	struct nodeop_req	 req;
	char			*cause;

	TAILQ_REMOVE(&s->downlinks, dl, entry);
	if (dl->asked)
		nodeop_forget(dl);
	/* The room learns the recv is over (the reply is not waited for). */
	if (dl->subscribed && (s->member != NULL ||
	    (s->peer != NULL && s->state == SESSION_JOINED))) {
		memset(&req, 0, sizeof req);
		req.type = NODEOP_MEDIA_UNSUB;
		req.u.media_unsub.sub = dl->id;
		if (nodeop_call(s, &req, NULL, NULL, &cause) != 0)
			free(cause);
	}
	event_free(dl->wev);
	close(dl->fd);
	outq_free(dl->oq);
	pcmconv_free(dl->conv);
	free(dl);
}

static void
downlink_finish(struct downlink *dl, int code)
{
	struct cmdq	*q = dl->q;

	q->data = NULL;
	q->on_cancel = NULL;
	downlink_free(dl);
	cmdq_finish(q, code);
}

static void
downlink_cancel(struct cmdq *q)
{
	struct downlink	*dl = q->data;

	if (dl != NULL)
		downlink_free(dl);
}

static void
rtrack_free(struct rtrack *rt)
{
	TAILQ_REMOVE(&rtracks, rt, entry);
	rfc2435_depack_free(rt->dp);
	opuscodec_dec_free(rt->dec);
	free(rt);
}

/* The session leaves: its recvs end, and views nobody needs go. */
void
downlink_session_gone(struct session *s)
{
	struct downlink	*dl;
	struct rtrack	*rt, *rt1;
	struct session	*o;
	int		 used;

	while ((dl = TAILQ_FIRST(&s->downlinks)) != NULL) {
		dl->subscribed = 0;	/* the room is gone or going */
		downlink_finish(dl, EXIT_DONE);
	}
	opuscodec_dec_free(s->mix_dec);
	s->mix_dec = NULL;
	if (s->peer == NULL)
		return;
	TAILQ_FOREACH_SAFE(rt, &rtracks, entry, rt1) {
		if (rt->peer != s->peer || strcmp(rt->room, s->room) != 0)
			continue;
		used = 0;
		TAILQ_FOREACH(o, &s->peer->sessions, pentry) {
			if (o != s && strcmp(o->room, s->room) == 0)
				used = 1;
		}
		if (!used)
			rtrack_free(rt);
	}
}

static void
rtrack_add(struct peer *p, const char *room, const char *name,
    enum media_kind kind, uint32_t ssrc)
{
	struct rtrack	*rt;

	if (name == NULL || ssrc == 0)
		return;
	TAILQ_FOREACH(rt, &rtracks, entry) {
		if (rt->peer == p && rt->ssrc == ssrc)
			return;
	}
	rt = xcalloc(1, sizeof *rt);
	rt->peer = p;
	snprintf(rt->room, sizeof rt->room, "%s", room);
	snprintf(rt->name, sizeof rt->name, "%s", name);
	rt->kind = kind;
	rt->ssrc = ssrc;
	mstats_init(&rt->st, ssrc, kind == MEDIA_AUDIO ? 48000 : 90000, 1);
	TAILQ_INSERT_TAIL(&rtracks, rt, entry);
}

/* Events reaching session s: mutes that concern it, and tracks. */
void
downlink_event(struct session *s, json_t *ev)
{
	struct rtrack	*rt, *rt1;
	const char	*type, *name, *media;
	enum media_kind	 kind;
	int		 on;

	type = json_string_value(json_object_get(ev, "event"));
	name = json_string_value(json_object_get(ev, "name"));
	if (type == NULL || name == NULL)
		return;
	if ((on = strcmp(type, "muted") == 0) || strcmp(type, "unmuted") == 0) {
		media = json_string_value(json_object_get(ev, "media"));
		if (strcmp(name, s->name) != 0 || media == NULL)
			return;
		if (strcmp(media, "audio") == 0)
			s->muted_audio = on;
		else
			s->muted_video = on;
		return;
	}
	if (s->peer == NULL)
		return;
	if (strncmp(type, "audio-", 6) == 0)
		kind = MEDIA_AUDIO;
	else if (strncmp(type, "video-", 6) == 0)
		kind = MEDIA_VIDEO;
	else if (strncmp(type, "screen-", 7) == 0)
		kind = MEDIA_SCREEN;
	else
		return;
	if (strstr(type, "-on") != NULL) {
		rtrack_add(s->peer, s->room, name, kind, (uint32_t)
		    json_integer_value(json_object_get(ev, "ssrc")));
		return;
	}
	TAILQ_FOREACH_SAFE(rt, &rtracks, entry, rt1) {
		if (rt->peer == s->peer && rt->kind == kind &&
		    strcmp(rt->room, s->room) == 0 &&
		    strcmp(rt->name, name) == 0)
			rtrack_free(rt);
	}
}

/* Sessions of the room a view belongs to. */
#define RTRACK_SESSIONS(rt, s)						\
	TAILQ_FOREACH((s), &(rt)->peer->sessions, pentry)		\
		if (strcmp((s)->room, (rt)->room) == 0 &&		\
		    (s)->state == SESSION_JOINED)

static void
rtrack_frame(const uint8_t *jpeg, size_t len, void *arg)
{
	struct rtrack	*rt = arg;
	struct session	*s;
	uint8_t		*tagged;
	size_t		 tlen;
	char		 src[NAME_MAX_LEN + 8];

	tagged = mjpeg_tag_set(jpeg, len, media_source_name(rt->name,
	    rt->kind, src, sizeof src), media_capture_time(1, rt->cur_ts),
	    &tlen);
	if (tagged == NULL)
		return;
	RTRACK_SESSIONS(rt, s)
		downlink_video(s, rt->name, tagged, tlen);
	free(tagged);
}

/* Decode in arrival order, concealing a short gap; no jitter buffer. */
static int
downlink_decode(struct opuscodec_dec *dec, int *started, uint16_t *next,
    const struct rtp_header *h, int16_t *pcm, void (*out)(const int16_t *,
    void *), void *arg)
{
	int16_t		conceal[OPUSCODEC_FRAME];
	uint16_t	gap;
	int		i;

	if (*started) {
		gap = (uint16_t)(h->seq - *next);
		if (gap >= 0x8000)
			return -1;	/* late or duplicate: too late */
		for (i = 0; i < gap && i < DOWNLINK_MAX_PLC; i++) {
			if (i == gap - 1)
				opuscodec_decode_fec(dec, h->payload,
				    h->payload_len, conceal);
			else
				opuscodec_plc(dec, conceal);
			out(conceal, arg);
		}
	}
	*started = 1;
	*next = (uint16_t)(h->seq + 1);
	if (opuscodec_decode(dec, h->payload, h->payload_len, pcm) < 0)
		return -1;
	out(pcm, arg);
	return 0;
}

static void
downlink_mix_out(const int16_t *pcm, void *arg)
{
	downlink_mix(arg, pcm);
}

static void
downlink_solo_out(const int16_t *pcm, void *arg)
{
	struct rtrack	*rt = arg;
	struct session	*s;

	RTRACK_SESSIONS(rt, s)
		if (strcmp(s->name, rt->name) != 0)
			downlink_solo(s, rt->name, pcm);
}

/*
 * A packet on the node's port that no track here knows: perhaps media of a
 * room on another node for sessions here.  0 when it was one of those.
 */
int
downlink_input(uint8_t *pkt, size_t len, const struct rtp_header *h,
    const struct sockaddr *from, uint64_t now)
{
	struct session	*s;
	struct rtrack	*rt;
	int16_t		 pcm[OPUSCODEC_FRAME];
	char		*cause;

	(void)pkt;
	TAILQ_FOREACH(s, &sessions, entry) {
		if (s->mix_ssrc != h->ssrc || s->peer == NULL)
			continue;
		if (!sockaddr_same_host(from,
		    (struct sockaddr *)&s->peer->media_addr)) {
			mstats_drop(&s->mix_st, DROP_SOURCE, 1);
			return 0;
		}
		if (!s->mix_st.rs.started)
			mstats_init(&s->mix_st, h->ssrc, 48000, 1);
		rtp_source_update(&s->mix_st.rs, h,
		    (uint32_t)(now * 48 / 1000));
		mstats_packet(&s->mix_st, len, now);
		if (s->mix_dec == NULL &&
		    (s->mix_dec = opuscodec_dec_new(&cause)) == NULL)
			fatalx("opus decoder: %s", cause);
		if (downlink_decode(s->mix_dec, &s->mix_started, &s->mix_seq,
		    h, pcm, downlink_mix_out, s) != 0)
			mstats_drop(&s->mix_st, DROP_LATE, 1);
		return 0;
	}
	TAILQ_FOREACH(rt, &rtracks, entry) {
		if (rt->ssrc == h->ssrc && sockaddr_same_host(from,
		    (struct sockaddr *)&rt->peer->media_addr))
			break;
	}
	if (rt == NULL)
		return -1;
	rtp_source_update(&rt->st.rs, h, (uint32_t)(now * rt->st.clock /
	    1000000));
	mstats_packet(&rt->st, len, now);
	if (rt->kind == MEDIA_AUDIO) {
		if (rt->dec == NULL &&
		    (rt->dec = opuscodec_dec_new(&cause)) == NULL)
			fatalx("opus decoder: %s", cause);
		if (downlink_decode(rt->dec, &rt->started, &rt->next_seq, h,
		    pcm, downlink_solo_out, rt) != 0)
			mstats_drop(&rt->st, DROP_LATE, 1);
		return 0;
	}
	if (h->marker)
		mstats_frame(&rt->st, now);
	if (rt->dp == NULL)
		rt->dp = rfc2435_depack_new(DOWNLINK_MAX_FRAME);
	rt->cur_ts = h->ts;
	rfc2435_depack_push(rt->dp, h->payload, h->payload_len, h->ts, h->seq,
	    h->marker, rtrack_frame, rt);
	return 0;
}

/* What stats shows: recvs, the mixes and tracks coming from elsewhere. */
json_t *
downlink_stats(struct session *s)
{
	struct downlink	*dl;
	struct rtrack	*rt;
	json_t		*a;
	char		 peer[ADDR_HOST_MAX + 8];
	uint64_t	 now = mono_usec();

	a = json_array();
	TAILQ_FOREACH(dl, &s->downlinks, entry) {
		json_array_append_new(a, mstats_json(&dl->st, "out", s->room,
		    s->name, dl->kind, 0, dl->from[0] != '\0' ? dl->from :
		    "recv", now));
	}
	if (s->peer == NULL)
		return a;
	sockaddr_string((struct sockaddr *)&s->peer->media_addr, peer,
	    sizeof peer);
	if (s->mix_ssrc != 0)
		json_array_append_new(a, mstats_json(&s->mix_st, "in", s->room,
		    s->name, MEDIA_MIX, s->mix_ssrc, peer, now));
	/* Views of the room's tracks: once, with the first session. */
	TAILQ_FOREACH(rt, &rtracks, entry) {
		struct session	*first = NULL, *o;

		if (rt->peer != s->peer || strcmp(rt->room, s->room) != 0)
			continue;
		TAILQ_FOREACH(o, &sessions, entry) {
			if (o->peer == rt->peer &&
			    strcmp(o->room, rt->room) == 0) {
				first = o;
				break;
			}
		}
		if (first != s || rt->st.packets == 0)
			continue;
		if (rt->dp != NULL)
			mstats_depack(&rt->st, rt->dp);
		json_array_append_new(a, mstats_json(&rt->st, "in", rt->room,
		    rt->name, rt->kind, rt->ssrc, peer, now));
	}
	return a;
}
