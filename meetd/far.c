/*
 * Rooms on other nodes, as the sessions here see them (a far room), on a
 * media worker.  All of a peer's media runs on one worker (control picks
 * it, media_far_worker): the worker has a socket of its own for media
 * with other nodes, one per address family, whose port control names in
 * the link's hello (media_far_port), so the hosting node sends what is
 * for this node's sessions to that socket, and this node's sends leave
 * from it too (the hosting node answers to where they come from).  Nothing
 * for a far room comes through control, and nothing needs steering.
 *
 * A far room is a room_media with far set: its members are the sessions
 * here that are in it (each with its sends, its recvs and its mix); its
 * tracks are the streams the hosting node forwards here, learned from the
 * room's events (control passes them on, MEDIA_MSG_FAR_TRACK), and each
 * session's mix.  One view of each track is kept per far room, shared by
 * its sessions, as the hosting node sends each packet once per node.
 * Audio is decoded in arrival order, concealing short gaps (the hosting
 * node's jitter buffer already did its work); video is depacketized into
 * whole frames and tagged, for the recv pipes of the sessions that want
 * it (downlink.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "mjpeg.h"
#include "opuscodec.h"
#include "rfc2435.h"

#include "meetd.h"

#define FAR_BUCKETS		64
#define FAR_MAX_FRAME		(4 * 1024 * 1024)
#define FAR_MAX_PLC		5	/* lost frames concealed in a row */

struct far_worker {
	TAILQ_HEAD(, room_media) rooms;
	TAILQ_HEAD(, track)	 track_hash[FAR_BUCKETS];
	struct udp_sock		*sock4;
	struct udp_sock		*sock6;
};
static __thread struct far_worker *fw;

/* The udp callback's argument that says "a far socket" (media.c). */
static int	far_socket_tag;

static struct room_media *far_room_get(const char *, const char *);
static void	far_room_free(struct room_media *);
static struct track *far_track_new(struct room_media *, struct media_member *,
		    const char *, enum media_kind, uint32_t);
static void	far_track_free(struct track *);
static void	far_member_free(struct media_member *);
static void	far_frame(const uint8_t *, size_t, void *);

static TAILQ_HEAD(, track) *
far_bucket(uint32_t ssrc)
{
	return (void *)&fw->track_hash[ssrc % FAR_BUCKETS];
}

void
far_worker_begin(void)
{
	int	i;

	fw = xcalloc(1, sizeof *fw);
	TAILQ_INIT(&fw->rooms);
	for (i = 0; i < FAR_BUCKETS; i++)
		TAILQ_INIT(&fw->track_hash[i]);
}

void
far_worker_end(void)
{
	struct room_media	*rm;

	while ((rm = TAILQ_FIRST(&fw->rooms)) != NULL)
		far_room_free(rm);
	udp_close(fw->sock4);
	udp_close(fw->sock6);
	free(fw);
	fw = NULL;
}

/* Each far room of this worker, for report.c. */
struct room_media *
far_room_next(struct room_media *rm)
{
	return rm == NULL ? TAILQ_FIRST(&fw->rooms) : TAILQ_NEXT(rm, entry);
}

/* This worker's socket for media with other nodes in family af. */
struct udp_sock *
far_sock(int af)
{
	return af == AF_INET6 ? fw->sock6 : fw->sock4;
}

/* Control's MEDIA_MSG_FAR_SOCKET: the socket is this worker's to read. */
void
far_socket(const struct media_msg_far_socket *msg)
{
	struct udp_sock	**u = msg->af == AF_INET6 ? &fw->sock6 : &fw->sock4;

	if (*u != NULL) {
		close(msg->fd);		/* one a family is enough */
		return;
	}
	*u = udp_wrap(msg->fd, media_node_packet, &far_socket_tag);
}

/* Is arg, a udp callback's, that of a far socket? */
int
far_is_socket(const void *arg)
{
	return arg == &far_socket_tag;
}

static struct room_media *
far_room_get(const char *peer, const char *room)
{
	struct room_media	*rm;

	TAILQ_FOREACH(rm, &fw->rooms, entry) {
		if (strcmp(rm->peer, peer) == 0 && strcmp(rm->name, room) == 0)
			return rm;
	}
	rm = xcalloc(1, sizeof *rm);
	rm->far = 1;
	snprintf(rm->peer, sizeof rm->peer, "%s", peer);
	snprintf(rm->name, sizeof rm->name, "%s", room);
	TAILQ_INIT(&rm->members);
	TAILQ_INIT(&rm->tracks);
	TAILQ_INIT(&rm->encs);
	TAILQ_INSERT_TAIL(&fw->rooms, rm, entry);
	return rm;
}

static void
far_room_free(struct room_media *rm)
{
	struct media_member	*m;
	struct track		*t;

	while ((m = TAILQ_FIRST(&rm->members)) != NULL)
		far_member_free(m);
	while ((t = TAILQ_FIRST(&rm->tracks)) != NULL)
		far_track_free(t);
	TAILQ_REMOVE(&fw->rooms, rm, entry);
	free(rm);
}

/*
 * Control's MEDIA_MSG_FAR_JOIN: a session here is in a room on another
 * node.  Sent again with each of its streams, so the hosting node's
 * address is as the link last found it.
 */
void
far_join(const struct media_msg_far_join *msg)
{
	struct room_media	*rm;
	struct media_member	*m;

	if (msg->hub_len > sizeof rm->hub)
		return;
	if ((m = media_session_find(msg->session)) != NULL) {
		rm = m->rm;
		if (rm->far && msg->hub_len != 0) {
			memcpy(&rm->hub, &msg->hub, msg->hub_len);
			rm->hub_len = msg->hub_len;
		}
		return;
	}
	rm = far_room_get(msg->peer, msg->room);
	rm->node = msg->node;
	if (msg->hub_len != 0) {
		memcpy(&rm->hub, &msg->hub, msg->hub_len);
		rm->hub_len = msg->hub_len;
	}
	m = xcalloc(1, sizeof *m);
	m->rm = rm;
	snprintf(m->name, sizeof m->name, "%s", msg->name);
	m->session = msg->session;
	m->audio_muted = msg->audio_muted;
	m->video_muted = msg->video_muted;
	TAILQ_INIT(&m->subs);
	TAILQ_INIT(&m->uplinks);
	TAILQ_INIT(&m->downlinks);
	TAILQ_INSERT_TAIL(&rm->members, m, entry);
	media_session_add(m);
}

static void
far_member_free(struct media_member *m)
{
	struct room_media	*rm = m->rm;
	struct track		*t, *t1;

	uplink_free_all(m);
	downlink_free_all(m);
	TAILQ_FOREACH_SAFE(t, &rm->tracks, entry, t1) {
		if (t->member == m)
			far_track_free(t);
	}
	media_session_remove(m);
	TAILQ_REMOVE(&rm->members, m, entry);
	free(m);
}

/* Control's MEDIA_MSG_FAR_LEAVE: the last session of a room takes it. */
void
far_leave(const struct media_msg_far_leave *msg)
{
	struct media_member	*m;
	struct room_media	*rm;

	if ((m = media_session_find(msg->session)) == NULL || !m->rm->far)
		return;
	rm = m->rm;
	far_member_free(m);
	if (TAILQ_EMPTY(&rm->members))
		far_room_free(rm);
}

void
far_muted(const struct media_msg_far_muted *msg)
{
	struct media_member	*m;

	if ((m = media_session_find(msg->session)) == NULL || !m->rm->far)
		return;
	if (msg->kind == MEDIA_AUDIO)
		m->audio_muted = msg->on;
	else
		m->video_muted = msg->on;
}

static struct track *
far_track_new(struct room_media *rm, struct media_member *m, const char *name,
    enum media_kind kind, uint32_t ssrc)
{
	struct track	*t;

	t = xcalloc(1, sizeof *t);
	t->rm = rm;
	t->member = m;
	snprintf(t->name, sizeof t->name, "%s", name);
	t->kind = kind;
	t->ssrc = ssrc;
	t->wallclock = 1;	/* a meet node sent it */
	mstats_init(&t->st, ssrc, kind == MEDIA_AUDIO || kind == MEDIA_MIX ?
	    48000 : 90000, 1);
	TAILQ_INSERT_TAIL(&rm->tracks, t, entry);
	TAILQ_INSERT_TAIL(far_bucket(ssrc), t, hentry);
	t->hashed = 1;
	return t;
}

static void
far_track_free(struct track *t)
{
	nodesrtp_forget(t->rm->node, t->ssrc);
	TAILQ_REMOVE(&t->rm->tracks, t, entry);
	if (t->hashed)
		TAILQ_REMOVE(far_bucket(t->ssrc), t, hentry);
	opuscodec_dec_free(t->dec);
	rfc2435_depack_free(t->dp);
	free(t);
}

/*
 * Control's MEDIA_MSG_FAR_TRACK: a stream of the room started (from its
 * event or the answer to a recv) or stopped.  Every session of the room
 * hears of it; the view is made once.
 */
void
far_track(const struct media_msg_far_track *msg)
{
	struct media_member	*m;
	struct room_media	*rm;
	struct track		*t, *t1;

	if ((m = media_session_find(msg->session)) == NULL || !m->rm->far)
		return;
	rm = m->rm;
	if (msg->on) {
		if (msg->ssrc == 0 || msg->kind > MEDIA_SCREEN)
			return;
		TAILQ_FOREACH(t, &rm->tracks, entry) {
			if (t->ssrc == msg->ssrc)
				return;
		}
		far_track_new(rm, NULL, msg->name, msg->kind, msg->ssrc);
		return;
	}
	TAILQ_FOREACH_SAFE(t, &rm->tracks, entry, t1) {
		if (t->member == NULL && t->kind == msg->kind &&
		    strcmp(t->name, msg->name) == 0)
			far_track_free(t);
	}
}

/*
 * Control's MEDIA_MSG_FAR_MIX: the SSRC the hosting node sends the
 * session's mix under.  A report goes at once, so that the hosting node
 * learns where to send it (symmetric RTP) before the first second is up.
 */
void
far_mix(const struct media_msg_far_mix *msg)
{
	struct media_member	*m;
	struct track		*t;

	if ((m = media_session_find(msg->session)) == NULL || !m->rm->far ||
	    msg->ssrc == 0)
		return;
	TAILQ_FOREACH(t, &m->rm->tracks, entry) {
		if (t->member == m && t->kind == MEDIA_MIX) {
			if (t->ssrc == msg->ssrc)
				break;
			far_track_free(t);
			t = NULL;
			break;
		}
	}
	if (t == NULL)
		far_track_new(m->rm, m, m->name, MEDIA_MIX, msg->ssrc);
	report_far_member(m, now_usec());
	udp_flush_all();
}

/*
 * A recv of a session in far room rm started or ended.  The hosting node
 * sends a track here only while a recv here wants it, so a track nobody
 * wants any more will come back after a gap that is no loss: note which
 * tracks are wanted, and have the ones wanted again start their counts
 * (and their decoding) afresh with their next packet.
 */
void
far_wants_changed(struct room_media *rm)
{
	struct media_member	*m;
	struct track		*t;
	int			 wanted;

	TAILQ_FOREACH(t, &rm->tracks, entry) {
		wanted = 0;
		if (t->member != NULL)
			wanted = downlink_wants(t->member, MEDIA_MIX, NULL);
		else {
			TAILQ_FOREACH(m, &rm->members, entry) {
				if (downlink_wants(m, t->kind, t->name))
					wanted = 1;
			}
		}
		if (t->wanted && !wanted)
			t->resync = 1;
		t->wanted = wanted;
	}
}

/* The far track of ssrc from the node at from, or NULL. */
static struct track *
far_track_find(uint32_t ssrc, const struct sockaddr *from, int *foreign)
{
	struct track	*t;

	*foreign = 0;
	TAILQ_FOREACH(t, far_bucket(ssrc), hentry) {
		if (t->ssrc != ssrc)
			continue;
		if (t->rm->hub_len != 0 && sockaddr_same_host(from,
		    (struct sockaddr *)&t->rm->hub))
			return t;
		*foreign = 1;
	}
	return NULL;
}

/* Decode in arrival order, concealing a short gap; no jitter buffer. */
static int
far_decode(struct track *t, const struct rtp_header *h,
    void (*out)(struct track *, const int16_t *))
{
	int16_t		pcm[OPUSCODEC_FRAME], conceal[OPUSCODEC_FRAME];
	uint16_t	gap;
	int		i;
	char		*cause;

	if (t->dec == NULL && (t->dec = opuscodec_dec_new(&cause)) == NULL)
		fatalx("opus decoder: %s", cause);
	if (t->decoding) {
		gap = (uint16_t)(h->seq - t->next_seq);
		if (gap >= 0x8000)
			return -1;	/* late or duplicate: too late */
		for (i = 0; i < gap && i < FAR_MAX_PLC; i++) {
			if (i == gap - 1)
				opuscodec_decode_fec(t->dec, h->payload,
				    h->payload_len, conceal);
			else
				opuscodec_plc(t->dec, conceal);
			out(t, conceal);
		}
	}
	t->decoding = 1;
	t->next_seq = (uint16_t)(h->seq + 1);
	if (opuscodec_decode(t->dec, h->payload, h->payload_len, pcm) < 0)
		return -1;
	out(t, pcm);
	return 0;
}

static void
far_mix_out(struct track *t, const int16_t *pcm)
{
	downlink_mix(t->member, pcm);
}

static void
far_solo_out(struct track *t, const int16_t *pcm)
{
	struct media_member	*m;

	TAILQ_FOREACH(m, &t->rm->members, entry) {
		if (strcmp(m->name, t->name) != 0)
			downlink_solo(m, t->name, pcm);
	}
}

/* A whole frame of a far track, tagged, for the sessions that want it. */
static void
far_frame(const uint8_t *jpeg, size_t len, void *arg)
{
	struct track		*t = arg;
	struct media_member	*m;
	uint8_t			*tagged;
	size_t			 tlen;
	char			 src[NAME_MAX_LEN + 8];

	tagged = mjpeg_tag_set(jpeg, len, media_source_name(t->name, t->kind,
	    src, sizeof src), media_capture_time(1, t->cur_ts), &tlen);
	if (tagged == NULL)
		return;
	TAILQ_FOREACH(m, &t->rm->members, entry)
		downlink_video(m, t->name, tagged, tlen);
	free(tagged);
}

static void
far_track_input(struct track *t, const uint8_t *pkt, size_t len,
    const struct rtp_header *h, uint64_t now)
{
	(void)pkt;
	if (t->resync) {
		mstats_resync(&t->st);
		t->decoding = 0;
		t->resync = 0;
	}
	rtp_source_update(&t->st.rs, h, (uint32_t)(now * t->st.clock /
	    1000000));
	mstats_packet(&t->st, len, now);
	switch (t->kind) {
	case MEDIA_MIX:
		if (far_decode(t, h, far_mix_out) != 0)
			mstats_drop(&t->st, DROP_LATE, 1);
		break;
	case MEDIA_AUDIO:
		if (far_decode(t, h, far_solo_out) != 0)
			mstats_drop(&t->st, DROP_LATE, 1);
		break;
	case MEDIA_VIDEO:
	case MEDIA_SCREEN:
		if (h->marker)
			mstats_frame(&t->st, now);
		if (t->dp == NULL)
			t->dp = rfc2435_depack_new(FAR_MAX_FRAME);
		t->cur_ts = h->ts;
		rfc2435_depack_push(t->dp, h->payload, h->payload_len, h->ts,
		    h->seq, h->marker, far_frame, t);
		break;
	}
}

/*
 * A datagram on a far socket, from the node hosting a room of sessions
 * here (media_node_packet had it first): RTCP about what they send and
 * receive, or the RTP of a track or a mix.
 */
void
far_input(uint8_t *buf, size_t len, const struct sockaddr *from,
    socklen_t fromlen, uint64_t now)
{
	struct rtp_header	 h;
	struct track		*t;
	int			 foreign, r;

	(void)fromlen;
	/*
	 * A room's media is taken only from its hub: its address, then the
	 * key its hello gave for what it sends here.  RTCP names the stream
	 * it is about first: the mix of a session here.
	 */
	if (rtp_is_rtcp(buf, len)) {
		if (len < 8 || (t = far_track_find(get32(buf + 4), from,
		    &foreign)) == NULL) {
			media_node_drops[DROP_UNKNOWN]++;
			return;
		}
		if ((r = nodesrtp_unprotect(t->rm->node, buf, &len)) != 0) {
			mstats_drop(&t->st, nodesrtp_drop_reason(r), 1);
			return;
		}
		report_far_input(buf, len, from);
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		media_node_drops[DROP_MALFORMED]++;
		return;
	}
	if ((t = far_track_find(h.ssrc, from, &foreign)) == NULL) {
		media_node_drops[foreign ? DROP_SOURCE : DROP_UNKNOWN]++;
		return;
	}
	if (!tokenbucket_take(&t->rl, cfg->rate_per_stream,
	    cfg->rate_per_stream * cfg->rate_burst, now)) {
		mstats_drop(&t->st, DROP_RATE, 1);
		return;
	}
	if ((r = nodesrtp_unprotect(t->rm->node, buf, &len)) != 0) {
		mstats_drop(&t->st, nodesrtp_drop_reason(r), 1);
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		mstats_drop(&t->st, DROP_MALFORMED, 1);
		return;
	}
	far_track_input(t, buf, len, &h, now);
}

/* What stats shows of the far rooms: sends, recvs, mixes, tracks. */
json_t *
far_stats(void)
{
	struct room_media	*rm;
	struct media_member	*m;
	struct track		*t;
	json_t			*a, *o;
	char			 peer[ADDR_HOST_MAX + 8];
	uint64_t		 now = mono_usec();

	a = json_array();
	TAILQ_FOREACH(rm, &fw->rooms, entry) {
		peer[0] = '\0';
		if (rm->hub_len != 0)
			sockaddr_string((struct sockaddr *)&rm->hub, peer,
			    sizeof peer);
		TAILQ_FOREACH(m, &rm->members, entry) {
			json_array_extend(a, o = uplink_stats(m));
			json_decref(o);
			json_array_extend(a, o = downlink_stats(m));
			json_decref(o);
			TAILQ_FOREACH(t, &rm->tracks, entry) {
				if (t->member == m)
					json_array_append_new(a, mstats_json(
					    &t->st, "in", rm->name, m->name,
					    MEDIA_MIX, t->ssrc, peer, now));
			}
		}
		TAILQ_FOREACH(t, &rm->tracks, entry) {
			if (t->member != NULL || t->st.packets == 0)
				continue;
			if (t->dp != NULL)
				mstats_depack(&t->st, t->dp);
			json_array_append_new(a, mstats_json(&t->st, "in",
			    rm->name, t->name, t->kind, t->ssrc, peer, now));
		}
	}
	return a;
}
