/*
 * A room's media as the control thread sees it (DESIGN.md section 3): what
 * control tells the room's media worker (media.c runs there) and what it
 * does with what the workers tell it.  Control keeps the room's state: who
 * is there, who sends what, who is muted, whether it is recorded; each
 * change goes to the worker as a message.  The worker's news comes back as
 * messages too: events for the room, media for sessions on this node, a
 * plain-RTP participant that went quiet, the address a node's media comes
 * from.  Messages carry ids, never pointers into the other thread's state,
 * and a message about something that is gone by the time it arrives is
 * dropped.
 *
 * Control also gives out the SSRCs of the streams this node receives, so
 * that SSRC mod workers names the worker of the room (worker.c steers the
 * node's datagrams that way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mixer.h"

#include "meetd.h"

#define SSRC_BUCKETS	1024
#define NODE_BACKLOG	4096	/* datagrams on their way to control */

struct ssrc_entry {
	uint32_t		 ssrc;
	TAILQ_ENTRY(ssrc_entry)	 entry;
};
static TAILQ_HEAD(, ssrc_entry) ssrc_table[SSRC_BUCKETS];
static int			ssrc_table_ready;
static u_int			node_backlog;	/* atomic */

static TAILQ_HEAD(, ssrc_entry) *
ssrc_bucket(uint32_t ssrc)
{
	int	i;

	if (!ssrc_table_ready) {
		for (i = 0; i < SSRC_BUCKETS; i++)
			TAILQ_INIT(&ssrc_table[i]);
		ssrc_table_ready = 1;
	}
	return (void *)&ssrc_table[(ssrc * 2654435761u) >> 22];
}

static int
ssrc_taken(uint32_t ssrc)
{
	struct ssrc_entry	*e;

	TAILQ_FOREACH(e, ssrc_bucket(ssrc), entry) {
		if (e->ssrc == ssrc)
			return 1;
	}
	return 0;
}

/*
 * An SSRC no stream of this node uses, never 0 ("none yet"); for room r's
 * streams, one that its worker's socket gets.
 */
uint32_t
media_new_ssrc(struct room *r)
{
	struct ssrc_entry	*e;
	uint32_t		 ssrc, n = nworkers > 0 ? nworkers : 1, want;

	want = r != NULL && r->worker != NULL ? worker_index(r->worker) : 0;
	do {
		ssrc = arc4random();
		if (r != NULL)
			ssrc = ssrc - ssrc % n + want;
	} while (ssrc == 0 || (r != NULL && ssrc % n != want) ||
	    ssrc_taken(ssrc));
	e = xmalloc(sizeof *e);
	e->ssrc = ssrc;
	TAILQ_INSERT_TAIL(ssrc_bucket(ssrc), e, entry);
	return ssrc;
}

void
media_free_ssrc(uint32_t ssrc)
{
	struct ssrc_entry	*e;

	if (ssrc == 0)
		return;
	TAILQ_FOREACH(e, ssrc_bucket(ssrc), entry) {
		if (e->ssrc == ssrc) {
			TAILQ_REMOVE(ssrc_bucket(ssrc), e, entry);
			free(e);
			return;
		}
	}
}

struct media_msg *
media_msg_new(enum media_msg_type type, size_t len)
{
	struct media_msg	*msg;

	msg = xcalloc(1, sizeof *msg + len);
	msg->type = type;
	msg->len = len;
	return msg;
}

void
media_msg_free(struct media_msg *msg)
{
	if (msg == NULL)
		return;
	json_decref(msg->ev);
	free(msg->why);
	free(msg);
}

static struct media_msg *
media_msg_room(enum media_msg_type type, struct room *r, struct member *m)
{
	struct media_msg	*msg;

	msg = media_msg_new(type, 0);
	msg->room = r->id;
	msg->member = m != NULL ? m->id : 0;
	return msg;
}

static void
media_tell(struct room *r, struct media_msg *msg)
{
	if (r->worker == NULL) {
		media_msg_free(msg);
		return;
	}
	worker_post(r->worker, media_apply, msg);
}

/* m is in the room now (created, joined, admitted): its worker learns. */
void
media_member_joined(struct member *m)
{
	struct media_msg	*msg;

	if (m->media_told)
		return;
	m->media_told = 1;
	msg = media_msg_room(MEDIA_MSG_MEMBER, m->room, m);
	snprintf(msg->name, sizeof msg->name, "%s", m->name);
	snprintf(msg->text, sizeof msg->text, "%s", m->room->name);
	msg->session = m->session != NULL ? m->session->id : 0;
	if (m->remote != NULL) {
		msg->id = m->remote->id;
		memcpy(&msg->addr, &m->remote->media_addr, sizeof msg->addr);
		msg->addrlen = m->remote->media_len;
	}
	msg->flags = (m->audio_muted ? MEDIA_MSG_AUDIO_MUTED : 0) |
	    (m->video_muted ? MEDIA_MSG_VIDEO_MUTED : 0);
	msg->ssrc = m->mix_ssrc;
	media_tell(m->room, msg);
}

/* m leaves the room: its streams and subscriptions go, without events. */
void
media_member_gone(struct member *m)
{
	int	i;

	if (m->media_told)
		media_tell(m->room, media_msg_room(MEDIA_MSG_MEMBER_GONE,
		    m->room, m));
	m->media_told = 0;
	for (i = 0; i < 3; i++) {
		/* A plain-RTP peer's own SSRCs were never given out here. */
		if (!m->rtp)
			media_free_ssrc(m->track_ssrc[i]);
		m->track_ssrc[i] = 0;
	}
	media_free_ssrc(m->mix_ssrc);
	media_free_ssrc(m->rtp_ssrc[0]);
	media_free_ssrc(m->rtp_ssrc[1]);
	m->mix_ssrc = m->rtp_ssrc[0] = m->rtp_ssrc[1] = 0;
	m->audio = m->video = m->screen = 0;
}

void
media_room_gone(struct room *r)
{
	media_tell(r, media_msg_room(MEDIA_MSG_ROOM_GONE, r, NULL));
	worker_release(r->worker);
	r->worker = NULL;
	r->recording = 0;
}

static const char *
media_on_event(enum media_kind kind, int on)
{
	if (kind == MEDIA_AUDIO)
		return on ? "audio-on" : "audio-off";
	if (kind == MEDIA_VIDEO)
		return on ? "video-on" : "video-off";
	return on ? "screen-on" : "screen-off";
}

static int *
media_sending(struct member *m, enum media_kind kind)
{
	return kind == MEDIA_AUDIO ? &m->audio : kind == MEDIA_VIDEO ?
	    &m->video : &m->screen;
}

/* {event, name, ssrc} to the whole room. */
static void
media_announce(struct member *m, enum media_kind kind, int on,
    uint32_t ssrc, const char *why)
{
	json_t	*ev;

	if (on)
		log_info("room %s: %s %s on (ssrc %08x)", m->room->name,
		    m->name, media_kind_name(kind), ssrc);
	else
		log_info("room %s: %s %s off (%s)", m->room->name, m->name,
		    media_kind_name(kind), why);
	ev = room_event(m->room, media_on_event(kind, on));
	json_object_set_new(ev, "name", json_string(m->name));
	if (ssrc != 0)
		json_object_set_new(ev, "ssrc", json_integer(ssrc));
	room_broadcast(m->room, ev);
	json_decref(ev);
}

/* send from a session (media_track): the stream's SSRC, or -1. */
int
media_send_open(struct member *m, enum media_kind kind, uint32_t *ssrc,
    char **cause)
{
	struct media_msg	*msg;
	struct member		*o;

	if (*media_sending(m, kind)) {
		xasprintf(cause, "%s already sends %s", m->name,
		    media_kind_name(kind));
		return -1;
	}
	if (kind == MEDIA_SCREEN) {
		TAILQ_FOREACH(o, &m->room->members, entry) {
			if (o->screen) {
				xasprintf(cause, "%s is already presenting in "
				    "%s", o->name, m->room->name);
				return -1;
			}
		}
	}
	*ssrc = m->track_ssrc[kind] = media_new_ssrc(m->room);
	*media_sending(m, kind) = 1;
	msg = media_msg_room(MEDIA_MSG_TRACK, m->room, m);
	msg->kind = kind;
	msg->ssrc = *ssrc;
	msg->on = 1;
	msg->flags = MEDIA_MSG_WALLCLOCK;
	media_tell(m->room, msg);
	media_announce(m, kind, 1, *ssrc, NULL);
	return 0;
}

/* The end of a send (media_untrack): 0, or -1 when m sends no such. */
int
media_send_close(struct member *m, uint32_t ssrc)
{
	struct media_msg	*msg;
	enum media_kind		 kind;

	for (kind = MEDIA_AUDIO; kind <= MEDIA_SCREEN; kind++) {
		if (ssrc != 0 && m->track_ssrc[kind] == ssrc)
			break;
	}
	if (kind > MEDIA_SCREEN)
		return -1;
	msg = media_msg_room(MEDIA_MSG_TRACK, m->room, m);
	msg->kind = kind;
	msg->ssrc = ssrc;
	media_tell(m->room, msg);
	media_free_ssrc(ssrc);
	m->track_ssrc[kind] = 0;
	*media_sending(m, kind) = 0;
	media_announce(m, kind, 0, ssrc, "the input ended");
	return 0;
}

/* A packet a session here sends into its room here (uplink.c). */
void
media_send_packet(struct member *m, uint32_t ssrc, const uint8_t *pkt,
    size_t len)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_PACKET, len);
	msg->room = m->room->id;
	msg->member = m->id;
	msg->session = m->session != NULL ? m->session->id : 0;
	msg->ssrc = ssrc;
	memcpy(msg->data, pkt, len);
	media_tell(m->room, msg);
}

/*
 * The streams members of the room but except send, one call of cb each,
 * for the answer to media_sub.
 */
void
media_room_tracks(struct room *r, struct member *except,
    void (*cb)(struct member *, enum media_kind, uint32_t, void *), void *arg)
{
	struct member	*m;
	enum media_kind	 kind;

	TAILQ_FOREACH(m, &r->members, entry) {
		if (m == except)
			continue;
		for (kind = MEDIA_AUDIO; kind <= MEDIA_SCREEN; kind++) {
			if (*media_sending(m, kind) && m->track_ssrc[kind] != 0)
				cb(m, kind, m->track_ssrc[kind], arg);
		}
	}
}

/* recv: m wants kind (from one member, or everyone). */
int
media_sub_add(struct member *m, uint64_t id, enum media_kind kind,
    const char *from, char **cause)
{
	struct media_msg	*msg;

	if (from != NULL && *from != '\0' && name_valid(from) != 0) {
		xasprintf(cause, "bad name: %s", from);
		return -1;
	}
	/* A member on another node gets its mix under an SSRC of its own. */
	if (kind == MEDIA_AUDIO && m->remote != NULL && m->mix_ssrc == 0)
		m->mix_ssrc = media_new_ssrc(m->room);
	msg = media_msg_room(MEDIA_MSG_SUB, m->room, m);
	msg->id = id;
	msg->kind = kind;
	msg->on = 1;
	msg->ssrc = m->mix_ssrc;
	snprintf(msg->name, sizeof msg->name, "%s", from != NULL ? from : "");
	media_tell(m->room, msg);
	return 0;
}

void
media_sub_remove(struct member *m, uint64_t id)
{
	struct media_msg	*msg;

	msg = media_msg_room(MEDIA_MSG_SUB, m->room, m);
	msg->id = id;
	media_tell(m->room, msg);
}

/* Self (by is m's name) or the host mutes or unmutes m's audio or video. */
void
media_set_muted(struct member *m, enum media_kind kind, int on,
    const char *by)
{
	struct media_msg	*msg;
	json_t			*ev;
	int			*flag;

	flag = kind == MEDIA_AUDIO ? &m->audio_muted : &m->video_muted;
	if (*flag == on)
		return;
	*flag = on;
	msg = media_msg_room(MEDIA_MSG_MUTED, m->room, m);
	msg->kind = kind;
	msg->on = on;
	media_tell(m->room, msg);
	ev = room_event(m->room, on ? "muted" : "unmuted");
	json_object_set_new(ev, "name", json_string(m->name));
	json_object_set_new(ev, "media", json_string(kind == MEDIA_AUDIO ?
	    "audio" : "video"));
	json_object_set_new(ev, "by", json_string(by));
	room_broadcast(m->room, ev);
	json_decref(ev);
}

/* Where a node's media comes from changed: every worker learns. */
void
media_remote_moved(struct remote *rem)
{
	struct media_msg	*msg;
	u_int			 i;

	for (i = 0; i < nworkers; i++) {
		msg = media_msg_new(MEDIA_MSG_REMOTE, 0);
		msg->id = rem->id;
		memcpy(&msg->addr, &rem->media_addr, sizeof msg->addr);
		msg->addrlen = rem->media_len;
		worker_post(worker_get(i), media_apply, msg);
	}
}

/* The peer p, opened on r's worker, is m's (m NULL: close it). */
void
media_peer_attach(struct room *r, struct member *m, struct rtp_peer *p)
{
	struct media_msg	*msg;

	msg = media_msg_room(MEDIA_MSG_PEER, r, m);
	msg->ptr = p;
	if (r->worker == NULL) {
		rtp_peer_free(p);	/* never started: nothing runs it */
		media_msg_free(msg);
		return;
	}
	media_tell(r, msg);
}

/* -------- Recording, asked of the room's worker. -------- */

struct media_record_call {
	uint64_t	 room;
	const char	*path;
	const char	*by;
	char		*cause;
	int		 result;
	json_t		*status;
};

static void
media_record_start_task(void *arg)
{
	struct media_record_call	*c = arg;
	struct room_media		*rm;

	if ((rm = media_room_find(c->room)) == NULL) {
		xasprintf(&c->cause, "nobody is in the room");
		c->result = -1;
		return;
	}
	c->result = record_start(rm, c->path, c->by, &c->cause);
}

int
media_record_start(struct room *r, const char *path, const char *by,
    char **cause)
{
	struct media_record_call	c;

	if (r->worker == NULL) {
		xasprintf(cause, "the node is shutting down");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.room = r->id;
	c.path = path;
	c.by = by;
	worker_call(r->worker, media_record_start_task, &c);
	if (c.result != 0) {
		*cause = c.cause;
		return -1;
	}
	r->recording = 1;
	return 0;
}

void
media_record_stop(struct room *r, const char *by)
{
	struct media_msg	*msg;

	msg = media_msg_room(MEDIA_MSG_RECORD_STOP, r, NULL);
	snprintf(msg->name, sizeof msg->name, "%s", by != NULL ? by : "");
	media_tell(r, msg);
	r->recording = 0;
}

static void
media_record_status_task(void *arg)
{
	struct media_record_call	*c = arg;
	struct room_media		*rm;

	if ((rm = media_room_find(c->room)) != NULL)
		c->status = record_status(rm);
}

json_t *
media_record_status(struct room *r)
{
	struct media_record_call	c;

	memset(&c, 0, sizeof c);
	c.room = r->id;
	if (r->worker != NULL)
		worker_call(r->worker, media_record_status_task, &c);
	return c.status;
}

/* An event of the room for its recording's subtitle track. */
void
media_record_event(struct room *r, json_t *ev)
{
	struct media_msg	*msg;

	msg = media_msg_room(MEDIA_MSG_RECORD_EVENT, r, NULL);
	msg->ev = json_deep_copy(ev);	/* the worker's alone */
	media_tell(r, msg);
}

/* -------- Stats, asked of every worker. -------- */

struct media_stats_call {
	json_t		*streams;
	uint64_t	 drops[DROP_MAX];
};

static void
media_stats_task(void *arg)
{
	struct media_stats_call	*c = arg;
	int			 i;

	c->streams = media_stats();
	for (i = 0; i < DROP_MAX; i++)
		c->drops[i] = media_node_drops[i];
}

/* Every media stream of this node; *drops: the node's port's drops. */
json_t *
media_stats_all(uint64_t *drops)
{
	struct media_stats_call	 c;
	struct session		*s;
	json_t			*a, *o;
	u_int			 w;
	int			 i;

	a = json_array();
	for (i = 0; i < DROP_MAX; i++)
		drops[i] = media_node_drops[i];
	for (w = 0; w < nworkers; w++) {
		memset(&c, 0, sizeof c);
		worker_call(worker_get(w), media_stats_task, &c);
		json_array_extend(a, c.streams);
		json_decref(c.streams);
		for (i = 0; i < DROP_MAX; i++)
			drops[i] += c.drops[i];
	}
	TAILQ_FOREACH(s, &sessions, entry) {
		json_array_extend(a, o = uplink_stats(s));
		json_decref(o);
		json_array_extend(a, o = downlink_stats(s));
		json_decref(o);
	}
	return a;
}

/* -------- Datagrams for control. -------- */

/*
 * Media of a room on another node for sessions here, on control's sockets
 * (udp_out) or passed on by a worker: RTCP from the room's node, or RTP
 * for downlink.c.  Anything else is dropped and counted.
 */
void
media_control_input(struct udp_sock *u, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen, uint64_t now, void *arg)
{
	struct rtp_header	 h;

	(void)u;
	(void)fromlen;
	(void)arg;
	if (rtp_is_rtcp(buf, len)) {
		report_sessions_input(buf, len, from);
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		media_node_drops[DROP_MALFORMED]++;
		return;
	}
	if (downlink_input(buf, len, &h, from, now) == 0)
		return;
	media_node_drops[DROP_UNKNOWN]++;
}

/* -------- What workers tell control. -------- */

static struct room *
media_room_by_id(uint64_t id)
{
	struct room	*r;

	TAILQ_FOREACH(r, &rooms, entry) {
		if (r->id == id)
			return r;
	}
	return NULL;
}

static struct member *
media_member_by_id(struct room *r, uint64_t id)
{
	struct member	*m;

	TAILQ_FOREACH(m, &r->members, entry) {
		if (m->id == id)
			return m;
	}
	return NULL;
}

static void
media_control_apply(void *arg)
{
	struct media_msg	*msg = arg;
	struct room		*r = NULL;
	struct member		*m = NULL;
	struct session		*s = NULL;
	struct remote		*rem;

	if (msg->room != 0 && (r = media_room_by_id(msg->room)) != NULL &&
	    msg->member != 0)
		m = media_member_by_id(r, msg->member);
	if (msg->session != 0)
		s = session_find_id(msg->session);
	switch (msg->type) {
	case MEDIA_MSG_EVENT:
		if (r != NULL)
			room_broadcast(r, msg->ev);
		break;
	case MEDIA_MSG_PEER_TRACK:
		if (m == NULL || *media_sending(m, msg->kind))
			break;
		*media_sending(m, msg->kind) = 1;
		m->track_ssrc[msg->kind] = msg->ssrc;
		media_announce(m, msg->kind, 1, msg->ssrc, NULL);
		break;
	case MEDIA_MSG_LEAVE:
		if (m != NULL)
			room_leave(m, msg->why);
		break;
	case MEDIA_MSG_LATCH:
		rem = remote_find_id(msg->id);
		if (rem == NULL || msg->addrlen > sizeof rem->media_addr)
			break;
		memcpy(&rem->media_addr, &msg->addr, msg->addrlen);
		rem->media_len = msg->addrlen;
		media_remote_moved(rem);
		break;
	case MEDIA_MSG_MIX:
		if (s != NULL)
			downlink_mix(s, (const int16_t *)msg->data);
		break;
	case MEDIA_MSG_SOLO:
		if (s != NULL)
			downlink_solo(s, msg->name, (const int16_t *)msg->data);
		break;
	case MEDIA_MSG_VIDEO:
		if (s != NULL)
			downlink_video(s, msg->name, msg->data, msg->len);
		break;
	case MEDIA_MSG_RECORDING:
		if (r != NULL)
			r->recording = msg->on;
		break;
	case MEDIA_MSG_NODE_PACKET:
		__atomic_sub_fetch(&node_backlog, 1, __ATOMIC_RELAXED);
		media_control_input(NULL, msg->data, msg->len,
		    (struct sockaddr *)&msg->addr, msg->addrlen, msg->now,
		    NULL);
		break;
	default:
		break;
	}
	media_msg_free(msg);
}

/* -------- Worker side: telling control. -------- */

static void
media_post(struct media_msg *msg)
{
	control_post(media_control_apply, msg);
}

/* ev (taken) to the room: control broadcasts it. */
void
media_post_event(struct room_media *rm, json_t *ev)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_EVENT, 0);
	msg->room = rm->id;
	msg->ev = ev;
	media_post(msg);
}

void
media_post_peer_track(struct media_member *m, enum media_kind kind,
    uint32_t ssrc)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_PEER_TRACK, 0);
	msg->room = m->rm->id;
	msg->member = m->id;
	msg->kind = kind;
	msg->ssrc = ssrc;
	media_post(msg);
}

void
media_post_leave(struct media_member *m, const char *why)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_LEAVE, 0);
	msg->room = m->rm->id;
	msg->member = m->id;
	msg->why = xstrdup(why);
	media_post(msg);
}

void
media_post_latch(uint64_t remote, const struct sockaddr *sa, socklen_t len)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_LATCH, 0);
	msg->id = remote;
	memcpy(&msg->addr, sa, len);
	msg->addrlen = len;
	media_post(msg);
}

static void
media_post_data(enum media_msg_type type, uint64_t session, const char *name,
    const void *data, size_t len)
{
	struct media_msg	*msg;

	msg = media_msg_new(type, len);
	msg->session = session;
	if (name != NULL)
		snprintf(msg->name, sizeof msg->name, "%s", name);
	memcpy(msg->data, data, len);
	media_post(msg);
}

void
media_post_mix(uint64_t session, const int16_t *pcm)
{
	media_post_data(MEDIA_MSG_MIX, session, NULL, pcm,
	    MIXER_FRAME * sizeof *pcm);
}

void
media_post_solo(uint64_t session, const char *from, const int16_t *pcm)
{
	media_post_data(MEDIA_MSG_SOLO, session, from, pcm,
	    MIXER_FRAME * sizeof *pcm);
}

void
media_post_video(uint64_t session, const char *from, const uint8_t *jpeg,
    size_t len)
{
	media_post_data(MEDIA_MSG_VIDEO, session, from, jpeg, len);
}

void
media_post_recording(struct room_media *rm, int on)
{
	struct media_msg	*msg;

	msg = media_msg_new(MEDIA_MSG_RECORDING, 0);
	msg->room = rm->id;
	msg->on = on;
	media_post(msg);
}

/* A datagram on a worker's socket that is not for its rooms. */
void
media_post_packet(const uint8_t *buf, size_t len, const struct sockaddr *from,
    socklen_t fromlen, uint64_t now)
{
	struct media_msg	*msg;

	/* A flood of datagrams for nobody must not queue without end. */
	if (__atomic_add_fetch(&node_backlog, 1, __ATOMIC_RELAXED) >
	    NODE_BACKLOG) {
		__atomic_sub_fetch(&node_backlog, 1, __ATOMIC_RELAXED);
		media_node_drops[DROP_UNKNOWN]++;
		return;
	}
	msg = media_msg_new(MEDIA_MSG_NODE_PACKET, len);
	memcpy(msg->data, buf, len);
	if (fromlen <= sizeof msg->addr) {
		memcpy(&msg->addr, from, fromlen);
		msg->addrlen = fromlen;
	}
	msg->now = now;
	media_post(msg);
}
