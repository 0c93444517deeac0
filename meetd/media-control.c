/*
 * A room's media as the control thread decides it (DESIGN.md sections 3
 * and 10): this is the rooms layer's side of the media plane, which it
 * reaches only through messages (media.h).  Control keeps the room's
 * state: who is there, who sends what, who is muted, whether it is
 * recorded; each change goes to the room's worker as a message.  What the
 * workers report (a talker, a recording's state, a plain-RTP participant's
 * stream or its silence, the address a node's media comes from, a
 * session's pipe that ended) comes back to the handlers media_control_start
 * sets, which make of it the room's events and decisions.
 *
 * Control also gives out the SSRCs of the streams this node receives, so
 * that SSRC mod workers names the worker of the room (worker.c steers the
 * node's datagrams that way), and picks the worker that runs each peer's
 * media, with the socket other nodes send it to (media_far_worker).
 */
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mixer.h"

#include "meetd.h"

#define SSRC_BUCKETS	1024

struct ssrc_entry {
	uint32_t		 ssrc;
	TAILQ_ENTRY(ssrc_entry)	 entry;
};
static TAILQ_HEAD(, ssrc_entry) ssrc_table[SSRC_BUCKETS];
static int			ssrc_table_ready;

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

/* A message for r's worker; dropped once r has none (it is ending). */
static void
media_tell_room(struct room *r, enum media_msg_type type, const void *msg,
    size_t len)
{
	if (r->worker != NULL)
		media_tell(r->worker, type, msg, len);
}

/* m is in the room now (created, joined, admitted): its worker learns. */
void
media_member_joined(struct member *m)
{
	struct media_msg_member	msg;

	if (m->media_told)
		return;
	m->media_told = 1;
	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	snprintf(msg.room_name, sizeof msg.room_name, "%s", m->room->name);
	snprintf(msg.name, sizeof msg.name, "%s", m->name);
	msg.session = m->session != NULL ? m->session->id : 0;
	if (m->remote != NULL) {
		msg.remote = m->remote->id;
		memcpy(&msg.remote_addr, &m->remote->media_addr,
		    sizeof msg.remote_addr);
		msg.remote_len = m->remote->media_len;
	}
	msg.audio_muted = m->audio_muted;
	msg.video_muted = m->video_muted;
	msg.mix_ssrc = m->mix_ssrc;
	media_tell_room(m->room, MEDIA_MSG_MEMBER, &msg, sizeof msg);
}

/* m leaves the room: its streams and subscriptions go, without events. */
void
media_member_gone(struct member *m)
{
	struct media_msg_member_gone	msg;
	int				i;

	if (m->media_told) {
		memset(&msg, 0, sizeof msg);
		msg.room = m->room->id;
		msg.member = m->id;
		media_tell_room(m->room, MEDIA_MSG_MEMBER_GONE, &msg,
		    sizeof msg);
	}
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
	struct media_msg_room_gone	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = r->id;
	media_tell_room(r, MEDIA_MSG_ROOM_GONE, &msg, sizeof msg);
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
	struct media_msg_track	 msg;
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
	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	msg.kind = kind;
	msg.ssrc = *ssrc;
	media_tell_room(m->room, MEDIA_MSG_TRACK, &msg, sizeof msg);
	media_announce(m, kind, 1, *ssrc, NULL);
	return 0;
}

/* The end of a send (media_untrack): 0, or -1 when m sends no such. */
int
media_send_close(struct member *m, uint32_t ssrc)
{
	struct media_msg_untrack	msg;
	enum media_kind			kind;

	for (kind = MEDIA_AUDIO; kind <= MEDIA_SCREEN; kind++) {
		if (ssrc != 0 && m->track_ssrc[kind] == ssrc)
			break;
	}
	if (kind > MEDIA_SCREEN)
		return -1;
	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	msg.ssrc = ssrc;
	media_tell_room(m->room, MEDIA_MSG_UNTRACK, &msg, sizeof msg);
	media_free_ssrc(ssrc);
	m->track_ssrc[kind] = 0;
	*media_sending(m, kind) = 0;
	media_announce(m, kind, 0, ssrc, "the input ended");
	return 0;
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
	struct media_msg_sub	msg;

	if (from != NULL && *from != '\0' && name_valid(from) != 0) {
		xasprintf(cause, "bad name: %s", from);
		return -1;
	}
	/* A member on another node gets its mix under an SSRC of its own. */
	if (kind == MEDIA_AUDIO && m->remote != NULL && m->mix_ssrc == 0)
		m->mix_ssrc = media_new_ssrc(m->room);
	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	msg.sub = id;
	msg.kind = kind;
	msg.mix_ssrc = m->mix_ssrc;
	snprintf(msg.from, sizeof msg.from, "%s", from != NULL ? from : "");
	media_tell_room(m->room, MEDIA_MSG_SUB, &msg, sizeof msg);
	return 0;
}

void
media_sub_remove(struct member *m, uint64_t id)
{
	struct media_msg_unsub	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	msg.sub = id;
	media_tell_room(m->room, MEDIA_MSG_UNSUB, &msg, sizeof msg);
}

/* Self (by is m's name) or the host mutes or unmutes m's audio or video. */
void
media_set_muted(struct member *m, enum media_kind kind, int on,
    const char *by)
{
	struct media_msg_muted	 msg;
	json_t			*ev;
	int			*flag;

	flag = kind == MEDIA_AUDIO ? &m->audio_muted : &m->video_muted;
	if (*flag == on)
		return;
	*flag = on;
	memset(&msg, 0, sizeof msg);
	msg.room = m->room->id;
	msg.member = m->id;
	msg.kind = kind;
	msg.on = on;
	media_tell_room(m->room, MEDIA_MSG_MUTED, &msg, sizeof msg);
	ev = room_event(m->room, on ? "muted" : "unmuted");
	json_object_set_new(ev, "name", json_string(m->name));
	json_object_set_new(ev, "media", json_string(kind == MEDIA_AUDIO ?
	    "audio" : "video"));
	json_object_set_new(ev, "by", json_string(by));
	room_broadcast(m->room, ev);
	json_decref(ev);
}

/*
 * The SRTP masters of node (a remote's id or a peer's): in, what it sends
 * here; out, what this node sends it.  Every worker learns them before
 * any of the node's media can flow (nodesrtp.c), and forgets them with it.
 */
void
media_node_keys(uint64_t node, const uint8_t *in, const uint8_t *out)
{
	struct media_msg_node_keys	msg;

	memset(&msg, 0, sizeof msg);
	msg.node = node;
	memcpy(msg.in, in, sizeof msg.in);
	memcpy(msg.out, out, sizeof msg.out);
	media_tell_all(MEDIA_MSG_NODE_KEYS, &msg, sizeof msg);
	explicit_bzero(&msg, sizeof msg);
}

void
media_node_gone(uint64_t node)
{
	struct media_msg_node_keys	msg;

	memset(&msg, 0, sizeof msg);
	msg.node = node;
	msg.gone = 1;
	media_tell_all(MEDIA_MSG_NODE_KEYS, &msg, sizeof msg);
}

/* A master for what this node sends another, new for each link's owner. */
void
media_node_master(uint8_t *key)
{
	arc4random_buf(key, MEDIA_NODE_MASTER);
}

/* A master as a hello carries it: base64; buf has room for 45 bytes. */
void
media_node_master_b64(const uint8_t *key, char *buf)
{
	EVP_EncodeBlock((unsigned char *)buf, key, MEDIA_NODE_MASTER);
}

/* The master of a hello's field s: 0, or -1 when it is none. */
int
media_node_master_parse(const char *s, uint8_t *key)
{
	uint8_t	buf[48];

	if (s == NULL || strlen(s) != 44 || s[43] != '=' || s[42] == '=')
		return -1;
	if (EVP_DecodeBlock(buf, (const unsigned char *)s, 44) != 33)
		return -1;
	memcpy(key, buf, MEDIA_NODE_MASTER);
	explicit_bzero(buf, sizeof buf);
	return 0;
}

/* Where a node's media comes from changed: every worker learns. */
void
media_remote_moved(struct remote *rem)
{
	struct media_msg_remote	msg;

	memset(&msg, 0, sizeof msg);
	msg.remote = rem->id;
	memcpy(&msg.addr, &rem->media_addr, sizeof msg.addr);
	msg.len = rem->media_len;
	media_tell_all(MEDIA_MSG_REMOTE, &msg, sizeof msg);
}

/* Plain-RTP member m's port (mp->fd) goes to its room's worker. */
void
media_peer_attach(struct room *r, struct member *m,
    struct media_msg_rtp_peer *mp)
{
	mp->room = r->id;
	mp->member = m->id;
	if (r->worker == NULL) {
		close(mp->fd);		/* never started: nothing runs it */
		return;
	}
	media_tell(r->worker, MEDIA_MSG_RTP_PEER, mp, sizeof *mp);
}

/* -------- Recording, asked of the room's worker. -------- */

int
media_record_start(struct room *r, const char *path, const char *by,
    char **cause)
{
	struct media_call_record	c;

	if (r->worker == NULL) {
		xasprintf(cause, "the node is shutting down");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.room = r->id;
	if (path != NULL && strlen(path) >= sizeof c.path) {
		xasprintf(cause, "the path is too long");
		return -1;
	}
	c.has_path = path != NULL;
	snprintf(c.path, sizeof c.path, "%s", path != NULL ? path : "");
	snprintf(c.by, sizeof c.by, "%s", by);
	if (media_call_record_start(r->worker, &c) != 0) {
		*cause = xstrdup(c.cause);
		return -1;
	}
	r->recording = 1;
	return 0;
}

void
media_record_stop(struct room *r, const char *by)
{
	struct media_msg_record_stop	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = r->id;
	snprintf(msg.by, sizeof msg.by, "%s", by != NULL ? by : "");
	media_tell_room(r, MEDIA_MSG_RECORD_STOP, &msg, sizeof msg);
	r->recording = 0;
}

json_t *
media_record_status(struct room *r)
{
	if (r->worker == NULL)
		return NULL;
	return media_call_record_status(r->worker, r->id);
}

/* An event of the room for its recording's subtitle track. */
void
media_record_event(struct room *r, json_t *ev)
{
	struct media_msg_record_event	*msg;
	char				*text;
	size_t				 len, size;

	if ((text = json_dumps(ev, JSON_COMPACT)) == NULL)
		return;
	len = strlen(text);
	size = sizeof *msg + len;
	msg = xcalloc(1, size);
	msg->room = r->id;
	msg->len = len;
	memcpy(msg->json, text, len);
	media_tell_room(r, MEDIA_MSG_RECORD_EVENT, msg, size);
	free(msg);
	free(text);
}

/* -------- Stats, asked of every worker. -------- */

/* Every media stream of this node; *drops: the node's port's drops. */
json_t *
media_stats_all(uint64_t *drops)
{
	json_t	*a, *o;
	u_int	 w;
	int	 i;

	a = json_array();
	for (i = 0; i < DROP_MAX; i++)
		drops[i] = 0;
	for (w = 0; w < nworkers; w++) {
		json_array_extend(a, o = media_call_stats(worker_get(w),
		    drops));
		json_decref(o);
	}
	return a;
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

/* -------- What workers report, on control. -------- */

static void
media_on_talking(const struct media_report_talking *msg)
{
	struct room	*r;
	struct member	*m;
	json_t		*ev;

	if ((r = media_room_by_id(msg->room)) == NULL ||
	    (m = media_member_by_id(r, msg->member)) == NULL)
		return;
	ev = room_event(r, msg->on ? "talking" : "stopped-talking");
	json_object_set_new(ev, "name", json_string(m->name));
	room_broadcast(r, ev);
	json_decref(ev);
}

static void
media_on_recording(const struct media_report_recording *msg)
{
	struct room	*r;

	if ((r = media_room_by_id(msg->room)) != NULL)
		r->recording = msg->on;
}

static void
media_on_record_state(const struct media_report_record_state *msg)
{
	struct room	*r;
	json_t		*ev;

	if ((r = media_room_by_id(msg->room)) == NULL)
		return;
	ev = room_event(r, "recording");
	json_object_set_new(ev, "state", json_string(msg->state));
	json_object_set_new(ev, "path", json_string(msg->path));
	if (msg->by[0] != '\0')
		json_object_set_new(ev, "by", json_string(msg->by));
	if (msg->why[0] != '\0')
		json_object_set_new(ev, "reason", json_string(msg->why));
	room_broadcast(r, ev);
	json_decref(ev);
}

static void
media_on_peer_track(const struct media_report_peer_track *msg)
{
	struct room	*r;
	struct member	*m;

	if ((r = media_room_by_id(msg->room)) == NULL ||
	    (m = media_member_by_id(r, msg->member)) == NULL ||
	    msg->kind > MEDIA_SCREEN || *media_sending(m, msg->kind))
		return;
	*media_sending(m, msg->kind) = 1;
	m->track_ssrc[msg->kind] = msg->ssrc;
	media_announce(m, msg->kind, 1, msg->ssrc, NULL);
}

static void
media_on_leave(const struct media_report_leave *msg)
{
	struct room	*r;
	struct member	*m;

	if ((r = media_room_by_id(msg->room)) != NULL &&
	    (m = media_member_by_id(r, msg->member)) != NULL)
		room_leave(m, msg->why);
}

static void
media_on_latch(const struct media_report_latch *msg)
{
	struct remote	*rem;

	rem = remote_find_id(msg->remote);
	if (rem == NULL || msg->len > sizeof rem->media_addr)
		return;
	memcpy(&rem->media_addr, &msg->addr, msg->len);
	rem->media_len = msg->len;
	media_remote_moved(rem);
}

static const struct media_reports media_control_reports = {
	.talking = media_on_talking,
	.recording = media_on_recording,
	.record_state = media_on_record_state,
	.peer_track = media_on_peer_track,
	.leave = media_on_leave,
	.latch = media_on_latch,
	.send_done = stream_send_done,
	.recv_done = stream_recv_done
};

/* Before the workers start: what they report comes here. */
void
media_control_start(void)
{
	media_reports_set(&media_control_reports);
}

/* -------- Media with other nodes: each peer's on one worker. -------- */

/*
 * The worker that runs a peer's media: its sessions' sends, recvs and
 * mixes, and the socket the hosting node sends them to.  Always the same
 * for a peer's address, so that the hosting node, which sends all of a
 * node's media to one address, reaches one worker.
 */
struct worker *
media_far_worker(const struct peer *p)
{
	const char	*c;
	uint32_t	 h = 2166136261u;

	if (nworkers == 0)
		return NULL;
	for (c = p->addr; *c != '\0'; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	return worker_get(h % nworkers);
}

/* Ports of the workers' far sockets, by worker and family (0: none yet). */
static int	*media_far_ports;

/*
 * The UDP port p's hosting node should send this node's media to, in
 * family af: the far socket of p's worker, opened here (the first time)
 * and handed to it.  0 when there is none.
 */
int
media_far_port(const struct peer *p, int af)
{
	struct media_msg_far_socket	 msg;
	struct worker			*w;
	struct sockaddr_storage		 ss;
	socklen_t			 len;
	int				 fd, *port;
	char				*cause;

	if ((w = media_far_worker(p)) == NULL ||
	    (af != AF_INET && af != AF_INET6))
		return 0;
	if (media_far_ports == NULL)
		media_far_ports = xcalloc(2 * nworkers,
		    sizeof *media_far_ports);
	port = &media_far_ports[2 * worker_index(w) + (af == AF_INET6)];
	if (*port != 0)
		return *port;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = (sa_family_t)af;
	len = af == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if ((fd = udp_bind((struct sockaddr *)&ss, len, &cause)) == -1) {
		log_warnx("media to other nodes: %s", cause);
		free(cause);
		return 0;
	}
	len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
	    sockaddr_port((struct sockaddr *)&ss) <= 0) {
		log_warn("media to other nodes: getsockname");
		close(fd);
		return 0;
	}
	*port = sockaddr_port((struct sockaddr *)&ss);
	memset(&msg, 0, sizeof msg);
	msg.af = af;
	msg.fd = fd;
	media_tell(w, MEDIA_MSG_FAR_SOCKET, &msg, sizeof msg);
	return *port;
}
