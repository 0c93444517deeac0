/*
 * A room's media on the node hosting it (DESIGN.md section 3), on the
 * room's media worker (worker.c): everything here runs on that thread and
 * is that worker's alone.  Control tells it who is in the room and what
 * they send and want (media-control.c, as messages: the handlers at the
 * end of this file); it reports what the room should hear of (a talker, a
 * recording) with messages too (media-msg.c).
 *
 * Every stream a member sends into the room is a track: audio, camera or
 * screen, with an SSRC this node gives out.  Packets reach a track from
 * the worker's socket on the node's UDP port (a member on another node),
 * from a session's send pipe read on this same worker (uplink.c) or from
 * a plain-RTP participant's port.
 *
 * Video and screen packets are forwarded as they are: once to each other
 * node that has a member wanting them, to plain-RTP participants, and, for
 * sessions on this node, through one depacketizer per track whose whole
 * frames go to their recv pipes (downlink.c, on this thread).  They never
 * go back to their sender and never leave their room.  Audio goes into the
 * track's jitter buffer for the mixer (mix.c); a member on another node
 * that asked for one speaker alone (recv -a -F) gets that speaker's
 * packets forwarded too.
 *
 * What a member wants is a list of subscriptions, one per recv.  A member
 * that is a session here is also found by the session's id, like those of
 * rooms on other nodes (far.c): that is where its pipes are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jitterbuf.h"
#include "mixer.h"
#include "mjpeg.h"
#include "opuscodec.h"
#include "rfc2435.h"

#include "meetd.h"

#define TRACK_BUCKETS		256
#define SESSION_BUCKETS		64
#define TRACK_JB_FRAMES		50	/* one second of 20 ms frames */
#define TRACK_MAX_FRAME		(4 * 1024 * 1024)

/* What one worker holds: its rooms, their tracks, the other nodes. */
struct media_worker {
	TAILQ_HEAD(, track)		 track_hash[TRACK_BUCKETS];
	TAILQ_HEAD(, room_media)	 rooms;
	TAILQ_HEAD(, media_remote)	 remotes;
	TAILQ_HEAD(, media_member)	 session_hash[SESSION_BUCKETS];
};
static __thread struct media_worker *mw;
/* What each address may send this worker ([media] rate_per_source). */
#define MEDIA_RATE_SOURCES	4096
static __thread struct ratelimit_table *media_rate_sources;

static void	media_video(struct track *, const uint8_t *, size_t,
		    const struct rtp_header *, uint64_t);
static void	media_solo(struct track *, const uint8_t *, size_t,
		    const struct rtp_header *, uint64_t);
static void	media_outs_forget(uint64_t);
static void	media_stats_outs(json_t *, struct track *, uint64_t);
static void	media_frame(const uint8_t *, size_t, void *);
static void	media_room_free(struct room_media *);
static void	media_hosted_input(uint8_t *, size_t, const struct sockaddr *,
		    socklen_t, uint64_t);

static TAILQ_HEAD(, track) *
track_bucket(uint32_t ssrc)
{
	return (void *)&mw->track_hash[ssrc % TRACK_BUCKETS];
}

struct track *
media_track_find(uint32_t ssrc)
{
	struct track	*t;

	TAILQ_FOREACH(t, track_bucket(ssrc), hentry) {
		if (t->ssrc == ssrc)
			return t;
	}
	return NULL;
}

/* The worker starts: its tables, its socket on the node's port. */
void
media_worker_begin(int fd)
{
	int	i;

	mw = xcalloc(1, sizeof *mw);
	for (i = 0; i < TRACK_BUCKETS; i++)
		TAILQ_INIT(&mw->track_hash[i]);
	for (i = 0; i < SESSION_BUCKETS; i++)
		TAILQ_INIT(&mw->session_hash[i]);
	TAILQ_INIT(&mw->rooms);
	TAILQ_INIT(&mw->remotes);
	udp_node = udp_wrap(fd, media_node_packet, NULL);
	far_worker_begin();
	report_start();
}

/* The worker stops: rooms still here (the node is going) end quietly. */
void
media_worker_end(void)
{
	struct room_media	*rm;
	struct media_remote	*r;

	report_stop();
	far_worker_end();
	while ((rm = TAILQ_FIRST(&mw->rooms)) != NULL)
		media_room_free(rm);
	while ((r = TAILQ_FIRST(&mw->remotes)) != NULL) {
		TAILQ_REMOVE(&mw->remotes, r, entry);
		free(r);
	}
	nodesrtp_end();
	ratelimit_table_free(media_rate_sources);
	media_rate_sources = NULL;
	udp_close(udp_node);
	udp_node = NULL;
	free(mw);
	mw = NULL;
}

struct room_media *
media_room_find(uint64_t id)
{
	struct room_media	*rm;

	TAILQ_FOREACH(rm, &mw->rooms, entry) {
		if (rm->id == id)
			return rm;
	}
	return NULL;
}

/* Each room of this worker, for report.c. */
struct room_media *
media_room_next(struct room_media *rm)
{
	return rm == NULL ? TAILQ_FIRST(&mw->rooms) : TAILQ_NEXT(rm, entry);
}

struct media_member *
media_member_find(struct room_media *rm, uint64_t id)
{
	struct media_member	*m;

	TAILQ_FOREACH(m, &rm->members, entry) {
		if (m->id == id)
			return m;
	}
	return NULL;
}

struct media_member *
media_member_named(struct room_media *rm, const char *name)
{
	struct media_member	*m;

	TAILQ_FOREACH(m, &rm->members, entry) {
		if (strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

static TAILQ_HEAD(, media_member) *
media_session_bucket(uint64_t id)
{
	return (void *)&mw->session_hash[id % SESSION_BUCKETS];
}

/*
 * The member of a session here, in a room here or on another node (far.c):
 * where its sends and recvs run.  A session is one member at a time.
 */
void
media_session_add(struct media_member *m)
{
	TAILQ_INSERT_TAIL(media_session_bucket(m->session), m, sentry);
}

void
media_session_remove(struct media_member *m)
{
	if (m->session != 0)
		TAILQ_REMOVE(media_session_bucket(m->session), m, sentry);
}

struct media_member *
media_session_find(uint64_t id)
{
	struct media_member	*m;

	if (id == 0)
		return NULL;
	TAILQ_FOREACH(m, media_session_bucket(id), sentry) {
		if (m->session == id)
			return m;
	}
	return NULL;
}

/* The room's media, made when control first tells of a member. */
static struct room_media *
media_room_get(uint64_t id, const char *name)
{
	struct room_media	*rm;
	struct mixer_params	 mp;

	if ((rm = media_room_find(id)) != NULL)
		return rm;
	rm = xcalloc(1, sizeof *rm);
	rm->id = id;
	snprintf(rm->name, sizeof rm->name, "%s", name);
	TAILQ_INIT(&rm->members);
	TAILQ_INIT(&rm->tracks);
	TAILQ_INIT(&rm->encs);
	mixer_params_default(&mp);
	mp.k = (u_int)cfg->mix_talkers;
	if ((rm->mixer = mixer_new(&mp)) == NULL)
		fatalx("mixer_new: bad parameters");
	rm->mix_ts = arc4random();
	TAILQ_INSERT_TAIL(&mw->rooms, rm, entry);
	return rm;
}

struct track *
media_member_track(struct media_member *m, enum media_kind kind)
{
	struct track	*t;

	TAILQ_FOREACH(t, &m->rm->tracks, entry) {
		if (t->member == m && t->kind == kind)
			return t;
	}
	return NULL;
}

/*
 * A new stream from m, with ssrc from control (0: a plain-RTP participant's,
 * learned from its first packet, and not in the node's table).  wallclock:
 * its RTP time is the sender's wall clock (a meet node's), so receivers can
 * tag capture times; l16: audio in L16, not Opus.
 */
struct track *
media_track_open(struct media_member *m, enum media_kind kind, uint32_t ssrc,
    int wallclock, int l16)
{
	struct room_media	*rm = m->rm;
	struct track		*t;
	char			*why;

	if (media_member_track(m, kind) != NULL ||
	    (ssrc != 0 && media_track_find(ssrc) != NULL))
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->rm = rm;
	t->member = m;
	snprintf(t->name, sizeof t->name, "%s", m->name);
	t->kind = kind;
	t->wallclock = wallclock;
	t->l16 = l16;
	mstats_init(&t->st, 0, kind == MEDIA_AUDIO ? 48000 : 90000, 1);
	if (kind == MEDIA_AUDIO) {
		t->jb = jitterbuf_new(48000, TRACK_JB_FRAMES,
		    l16 ? 1920 : OPUSCODEC_MAX_PACKET, &why);
		if (t->jb == NULL)
			fatalx("jitterbuf_new: %s", why);
		if (!l16 && (t->dec = opuscodec_dec_new(&why)) == NULL)
			fatalx("opuscodec_dec_new: %s", why);
		if (mixer_add(rm->mixer, m->id) != 0)
			fatalx("mixer_add: %s is there twice", m->name);
		m->audio = 1;
	} else if (kind == MEDIA_VIDEO)
		m->video = 1;
	else
		m->screen = 1;
	if (m->remote != NULL) {
		memcpy(&t->from, &m->remote->media_addr, sizeof t->from);
		t->fromlen = m->remote->media_len;
	}
	TAILQ_INIT(&t->outs);
	TAILQ_INSERT_TAIL(&rm->tracks, t, entry);
	if (ssrc != 0) {
		t->ssrc = ssrc;
		rtp_source_init(&t->st.rs, t->ssrc);
		TAILQ_INSERT_TAIL(track_bucket(t->ssrc), t, hentry);
		t->hashed = 1;
	}
	return t;
}

/* A plain-RTP participant's track learns its SSRC from a first packet. */
void
media_track_set_ssrc(struct track *t, uint32_t ssrc)
{
	t->ssrc = ssrc;
	rtp_source_init(&t->st.rs, ssrc);
}

/* The stream ended (control told the room, if it was to be told). */
void
media_track_close(struct track *t)
{
	struct media_member	*m = t->member;
	struct track_out	*o;

	if (t->kind == MEDIA_AUDIO) {
		mixer_remove(t->rm->mixer, m->id);
		m->audio = 0;
	} else if (t->kind == MEDIA_VIDEO)
		m->video = 0;
	else
		m->screen = 0;
	if (m->rtp != NULL)
		rtp_peer_track_gone(m->rtp, t);
	TAILQ_REMOVE(&t->rm->tracks, t, entry);
	if (t->hashed)
		TAILQ_REMOVE(track_bucket(t->ssrc), t, hentry);
	/* Its SRTP contexts go: an SSRC given out again starts afresh. */
	if (m->remote != NULL)
		nodesrtp_forget(m->remote->id, t->ssrc);
	while ((o = TAILQ_FIRST(&t->outs)) != NULL) {
		TAILQ_REMOVE(&t->outs, o, entry);
		nodesrtp_forget(o->remote, t->ssrc);
		free(o);
	}
	jitterbuf_free(t->jb);
	opuscodec_dec_free(t->dec);
	rfc2435_depack_free(t->dp);
	free(t);
}

/*
 * Does m want kind from the member called from?  Audio: one speaker alone
 * (recv -a -F); the mix is media_wants_mix.
 */
static int
member_wants(struct media_member *m, enum media_kind kind, const char *from)
{
	struct media_sub	*s;

	if (kind == MEDIA_SCREEN)
		kind = MEDIA_VIDEO;
	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->kind == kind && ((s->from[0] == '\0' &&
		    kind != MEDIA_AUDIO) || strcmp(s->from, from) == 0))
			return 1;
	}
	return 0;
}

/* Would m take the room's mix this tick? */
int
media_wants_mix(struct media_member *m)
{
	struct media_sub	*s;

	if (m->rtp != NULL)
		return 1;
	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->kind == MEDIA_AUDIO && s->from[0] == '\0')
			return 1;
	}
	return 0;
}

/*
 * A packet for track t, already parsed as h and checked to come from where
 * t does.  now is its arrival (usec, monotonic).
 */
void
media_track_input(struct track *t, const uint8_t *pkt, size_t len,
    const struct rtp_header *h, uint64_t now)
{
	struct media_member	*m = t->member;
	enum rtp_seq_result	 r;
	enum jitterbuf_push	 jr;
	uint32_t		 arrival;

	arrival = (uint32_t)(now * t->st.clock / 1000000);
	r = rtp_source_update(&t->st.rs, h, arrival);
	if (r == RTP_SEQ_DUPLICATE) {
		mstats_drop(&t->st, DROP_DUPLICATE, 1);
		return;
	}
	if (r == RTP_SEQ_JUMP) {
		mstats_drop(&t->st, DROP_MALFORMED, 1);
		return;
	}
	mstats_packet(&t->st, len, now);
	if (t->kind != MEDIA_AUDIO && h->marker)
		mstats_frame(&t->st, now);
	if ((t->kind == MEDIA_AUDIO && m->audio_muted) ||
	    (t->kind != MEDIA_AUDIO && m->video_muted)) {
		mstats_drop(&t->st, DROP_MUTED, 1);
		return;
	}
	if (t->kind != MEDIA_AUDIO) {
		/* RFC 2435's main header: width and height in 8 pixels. */
		if (h->payload_len >= 8 && h->payload[6] != 0) {
			t->width = h->payload[6] * 8;
			t->height = h->payload[7] * 8;
		}
		media_video(t, pkt, len, h, now);
		return;
	}
	jr = jitterbuf_push(t->jb, h->seq, h->ts, h->payload, h->payload_len,
	    now);
	switch (jr) {
	case JITTERBUF_STORED:
		mstats_frame(&t->st, now);
		if (!t->rm->running)
			mix_start(t->rm);
		break;
	case JITTERBUF_DUPLICATE:
		mstats_drop(&t->st, DROP_DUPLICATE, 1);
		break;
	case JITTERBUF_LATE:
		mstats_drop(&t->st, DROP_LATE, 1);
		break;
	case JITTERBUF_DISCARDED:
		mstats_drop(&t->st, DROP_MALFORMED, 1);
		break;
	}
	media_solo(t, pkt, len, h, now);
}

static void
media_send_remotes(struct track *t, const uint8_t *pkt, size_t len,
    enum media_kind want, int frame_end, uint64_t now)
{
	static __thread uint64_t gen;
	struct media_member	*m;
	struct track_out	*o;

	/* Once to each node, however many of its members want it. */
	gen++;
	TAILQ_FOREACH(m, &t->rm->members, entry) {
		if (m == t->member || m->remote == NULL ||
		    m->remote->media_len == 0 || m->remote->sent_gen == gen ||
		    !member_wants(m, want, t->member->name))
			continue;
		m->remote->sent_gen = gen;
		TAILQ_FOREACH(o, &t->outs, entry) {
			if (o->remote == m->remote->id)
				break;
		}
		if (o == NULL) {
			o = xcalloc(1, sizeof *o);
			o->remote = m->remote->id;
			mstats_init(&o->st, t->ssrc, t->st.clock, 0);
			TAILQ_INSERT_TAIL(&t->outs, o, entry);
		}
		if (media_node_send(udp_node, (struct sockaddr *)
		    &m->remote->media_addr, m->remote->media_len,
		    m->remote->id, pkt, len) != 0) {
			mstats_drop(&o->st, DROP_SEND, 1);
			continue;
		}
		mstats_packet(&o->st, len, now);
		if (frame_end)
			mstats_frame(&o->st, now);
	}
}

/* Node remote is gone from this worker: what went to it is forgotten. */
static void
media_outs_forget(uint64_t remote)
{
	struct room_media	*rm;
	struct track		*t;
	struct track_out	*o, *o1;

	TAILQ_FOREACH(rm, &mw->rooms, entry) {
		TAILQ_FOREACH(t, &rm->tracks, entry) {
			TAILQ_FOREACH_SAFE(o, &t->outs, entry, o1) {
				if (o->remote != remote)
					continue;
				TAILQ_REMOVE(&t->outs, o, entry);
				free(o);
			}
		}
	}
}

/* A speaker's packet for other nodes' recv -a -F: rare, so counted. */
static void
media_solo(struct track *t, const uint8_t *pkt, size_t len,
    const struct rtp_header *h, uint64_t now)
{
	if (t->rm->solo_subs > 0)
		media_send_remotes(t, pkt, len, MEDIA_AUDIO, h->marker, now);
}

static void
media_video(struct track *t, const uint8_t *pkt, size_t len,
    const struct rtp_header *h, uint64_t now)
{
	struct media_member	*m;
	int			 local = 0;

	media_send_remotes(t, pkt, len, MEDIA_VIDEO, h->marker, now);
	TAILQ_FOREACH(m, &t->rm->members, entry) {
		if (m == t->member)
			continue;
		if (m->rtp != NULL)
			rtp_peer_video(m->rtp, t, pkt, len, h, now);
		else if (m->session != 0 && member_wants(m, MEDIA_VIDEO,
		    t->member->name))
			local = 1;
	}
	if (!local && t->rm->rec == NULL)
		return;
	if (t->dp == NULL)
		t->dp = rfc2435_depack_new(TRACK_MAX_FRAME);
	t->cur_ts = h->ts;
	rfc2435_depack_push(t->dp, h->payload, h->payload_len, h->ts, h->seq,
	    h->marker, media_frame, t);
}

/*
 * The source a JPEG is tagged with: the name, and for a screen NAME/screen
 * (names hold no '/'), so that a grid gives it a tile of its own.
 */
const char *
media_source_name(const char *name, enum media_kind kind, char *buf,
    size_t len)
{
	if (kind != MEDIA_SCREEN)
		return name;
	snprintf(buf, len, "%s/screen", name);
	return buf;
}

/* The capture time of a frame: from a meet sender's RTP time, or now. */
uint64_t
media_capture_time(int wallclock, uint32_t ts)
{
	uint64_t	now = now_usec();
	uint32_t	nowts;
	int64_t		behind;

	if (!wallclock)
		return now;
	nowts = (uint32_t)(now * 9 / 100);
	behind = (int32_t)(nowts - ts);
	return now - (uint64_t)(behind * 100 / 9);
}

/* A whole frame of track t for the sessions here that want it. */
static void
media_frame(const uint8_t *jpeg, size_t len, void *arg)
{
	struct track		*t = arg;
	struct media_member	*m;
	uint8_t			*tagged;
	size_t			 tlen;
	char			 src[NAME_MAX_LEN + 8];
	uint64_t		 capture;

	capture = media_capture_time(t->wallclock, t->cur_ts);
	if (t->rm->rec != NULL)
		record_video(t->rm, t, jpeg, len, capture);
	tagged = mjpeg_tag_set(jpeg, len, media_source_name(t->member->name,
	    t->kind, src, sizeof src), capture, &tlen);
	if (tagged == NULL)
		return;
	TAILQ_FOREACH(m, &t->rm->members, entry) {
		if (m != t->member && m->session != 0 &&
		    member_wants(m, MEDIA_VIDEO, t->member->name))
			downlink_video(m, t->member->name, tagged, tlen);
	}
	free(tagged);
}

static void
media_sub_free(struct media_member *m, struct media_sub *s)
{
	if (s->kind == MEDIA_AUDIO && s->from[0] != '\0' &&
	    m->rm->solo_subs > 0)
		m->rm->solo_subs--;
	TAILQ_REMOVE(&m->subs, s, entry);
	free(s);
}

static void
media_member_free(struct media_member *m)
{
	struct room_media	*rm = m->rm;
	struct media_sub	*s;
	struct track		*t, *t1;

	uplink_free_all(m);
	downlink_free_all(m);
	media_session_remove(m);
	while ((s = TAILQ_FIRST(&m->subs)) != NULL)
		media_sub_free(m, s);
	TAILQ_FOREACH_SAFE(t, &rm->tracks, entry, t1) {
		if (t->member == m)
			media_track_close(t);
	}
	rtp_peer_free(m->rtp);
	/* Its mix's SRTP contexts (the mix, and RTCP under it) go too. */
	if (m->remote != NULL && m->mix_ssrc != 0)
		nodesrtp_forget(m->remote->id, m->mix_ssrc);
	if (m->remote != NULL && --m->remote->refs == 0) {
		media_outs_forget(m->remote->id);
		TAILQ_REMOVE(&mw->remotes, m->remote, entry);
		free(m->remote);
	}
	if (rm->talker == m->id)
		rm->talker = 0;
	TAILQ_REMOVE(&rm->members, m, entry);
	free(m);
}

static void
media_room_free(struct room_media *rm)
{
	struct media_member	*m;

	record_stop(rm, NULL, NULL);
	while ((m = TAILQ_FIRST(&rm->members)) != NULL)
		media_member_free(m);
	mix_free(rm);
	mixer_free(rm->mixer);
	TAILQ_REMOVE(&mw->rooms, rm, entry);
	free(rm);
}

/* This worker's view of a node its members come from. */
static struct media_remote *
media_remote_get(uint64_t id, const struct sockaddr_storage *addr,
    socklen_t len)
{
	struct media_remote	*r;

	TAILQ_FOREACH(r, &mw->remotes, entry) {
		if (r->id == id)
			return r;
	}
	r = xcalloc(1, sizeof *r);
	r->id = id;
	memcpy(&r->media_addr, addr, sizeof r->media_addr);
	r->media_len = len;
	TAILQ_INSERT_TAIL(&mw->remotes, r, entry);
	return r;
}

/* What track t sent on to each other node (a speaker alone, or video). */
static void
media_stats_outs(json_t *a, struct track *t, uint64_t now)
{
	struct track_out	*o;
	struct media_remote	*r;
	char			 peer[ADDR_HOST_MAX + 8];

	TAILQ_FOREACH(o, &t->outs, entry) {
		peer[0] = '\0';
		TAILQ_FOREACH(r, &mw->remotes, entry) {
			if (r->id == o->remote && r->media_len != 0)
				sockaddr_string((struct sockaddr *)
				    &r->media_addr, peer, sizeof peer);
		}
		json_array_append_new(a, mstats_json(&o->st, "out",
		    t->rm->name, t->member->name, t->kind, t->ssrc, peer,
		    now));
	}
}

/* The streams of this worker's rooms, for stats. */
json_t *
media_stats(void)
{
	struct room_media	*rm;
	struct media_member	*m;
	struct track		*t;
	json_t			*a, *o;
	char			 peer[ADDR_HOST_MAX + 8];
	uint64_t		 now = mono_usec();

	a = json_array();
	TAILQ_FOREACH(rm, &mw->rooms, entry) {
		TAILQ_FOREACH(t, &rm->tracks, entry) {
			peer[0] = '\0';
			if (t->fromlen != 0)
				sockaddr_string((struct sockaddr *)&t->from,
				    peer, sizeof peer);
			if (t->dp != NULL)
				mstats_depack(&t->st, t->dp);
			json_array_append_new(a, mstats_json(&t->st, "in",
			    rm->name, t->member->name, t->kind, t->ssrc, peer,
			    now));
			media_stats_outs(a, t, now);
		}
		TAILQ_FOREACH(m, &rm->members, entry) {
			if (m->rtp != NULL) {
				json_array_extend(a, o = rtp_peer_stats(m->rtp));
				json_decref(o);
			} else if (m->mix_ssrc != 0 && m->remote != NULL) {
				sockaddr_string((struct sockaddr *)
				    &m->remote->media_addr, peer, sizeof peer);
				json_array_append_new(a, mstats_json(
				    &m->mix_st, "out", rm->name, m->name,
				    MEDIA_MIX, m->mix_ssrc, peer, now));
			} else if (m->session != 0) {
				json_array_extend(a, o = downlink_stats(m));
				json_decref(o);
			}
		}
	}
	json_array_extend(a, o = far_stats());
	json_decref(o);
	return a;
}

/*
 * Every packet for another node leaves the worker here: media of a room
 * here for the members of another node, and the sends, mixes' reports
 * and the like of sessions here in a room on another node.  0, or -1 when
 * it was lost here.
 */
int
media_node_send(struct udp_sock *u, const struct sockaddr *to,
    socklen_t tolen, uint64_t node, const uint8_t *pkt, size_t len)
{
	/* libsrtp wants the packet 32-bit aligned (srtpctx.h). */
	uint8_t	buf[MEDIA_PACKET + SRTPCTX_TRAILER_MAX]
	    __attribute__((aligned(8)));
	int	r;

	/* SRTP with node's key for this stream (nodesrtp.c): a copy each. */
	if (len > MEDIA_PACKET) {
		media_node_drops[DROP_SEND]++;
		return -1;
	}
	memcpy(buf, pkt, len);
	if ((r = nodesrtp_protect(node, buf, &len, sizeof buf)) != 0) {
		media_node_drops[DROP_SEND]++;
		return -1;
	}
	return udp_send(u, to, tolen, buf, len);
}

/*
 * Every datagram from another node is first handled here, whichever
 * socket it came to: the node's port (arg NULL: for the rooms here), or a
 * far socket (far.c: for the sessions here in rooms on other nodes).
 */
void
media_node_packet(struct udp_sock *u, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen, uint64_t now, void *arg)
{
	double	rate;

	(void)u;
	/*
	 * Before anything else: one address may not crowd out the rest.
	 * Its packets are spread over the workers by SSRC, so each worker
	 * allows its share of the rate.
	 */
	if (media_rate_sources == NULL)
		media_rate_sources = ratelimit_table_new(MEDIA_RATE_SOURCES);
	rate = (double)cfg->rate_per_source / (nworkers > 0 ? nworkers : 1);
	if (!ratelimit_source(media_rate_sources, from, rate,
	    rate * cfg->rate_burst, now)) {
		media_node_drops[DROP_RATE]++;
		return;
	}
	if (far_is_socket(arg))
		far_input(buf, len, from, fromlen, now);
	else
		media_hosted_input(buf, len, from, fromlen, now);
}

/*
 * A datagram on the node's port: RTCP (report.c), or the RTP of a track of
 * a room here sent from another node (from the IP of that node's link, and
 * once its first packet fixed the port, from that port alone).  Nothing
 * else is for this port: what comes for a room on another node comes to
 * the far socket of the worker that holds it.
 */
static void
media_hosted_input(uint8_t *buf, size_t len, const struct sockaddr *from,
    socklen_t fromlen, uint64_t now)
{
	struct rtp_header	 h;
	struct track		*t;
	int			 r;

	if (rtp_is_rtcp(buf, len)) {
		if (report_open_hosted(buf, &len) == 0 &&
		    report_input(buf, len, from, now) != 0)
			media_node_drops[DROP_UNKNOWN]++;
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		media_node_drops[DROP_MALFORMED]++;
		return;
	}
	if ((t = media_track_find(h.ssrc)) == NULL) {
		media_node_drops[DROP_UNKNOWN]++;
		return;
	}
	/*
	 * A stream is taken only from the node it was set up for: its
	 * address (and once latched its port), then its key.
	 */
	if (t->member->remote == NULL || t->fromlen == 0 ||
	    !sockaddr_same_host(from, (struct sockaddr *)&t->from) ||
	    (t->latched && !sockaddr_same(from, (struct sockaddr *)&t->from))) {
		mstats_drop(&t->st, DROP_SOURCE, 1);
		return;
	}
	if (!tokenbucket_take(&t->rl, cfg->rate_per_stream,
	    cfg->rate_per_stream * cfg->rate_burst, now)) {
		mstats_drop(&t->st, DROP_RATE, 1);
		return;
	}
	if ((r = nodesrtp_unprotect(t->member->remote->id, buf, &len)) != 0) {
		mstats_drop(&t->st, nodesrtp_drop_reason(r), 1);
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		mstats_drop(&t->st, DROP_MALFORMED, 1);
		return;
	}
	/* Only a packet that opened may fix the port. */
	if (!t->latched) {
		memcpy(&t->from, from, fromlen);
		t->fromlen = fromlen;
		t->latched = 1;
		media_remote_latch(t->member->remote, from, fromlen);
	}
	media_track_input(t, buf, len, &h, now);
}

/*
 * Media to a node's members goes back where its media comes from (its
 * packets leave from a wildcard socket, maybe through NAT), once a packet
 * from the link's host shows it.  Every worker and control hear of it.
 */
void
media_remote_latch(struct media_remote *r, const struct sockaddr *from,
    socklen_t fromlen)
{
	if (r->media_len != 0 && !sockaddr_same_host(from,
	    (struct sockaddr *)&r->media_addr))
		return;
	if (fromlen > sizeof r->media_addr)
		return;
	if (r->media_len == fromlen && memcmp(&r->media_addr, from,
	    fromlen) == 0)
		return;
	memcpy(&r->media_addr, from, fromlen);
	r->media_len = fromlen;
	media_post_latch(r->id, from, fromlen);
}

/* -------- What control says, one function a message. -------- */

/* The member a message names, or NULL when it (or its room) is gone. */
static struct media_member *
media_msg_member(uint64_t room, uint64_t member)
{
	struct room_media	*rm;

	if ((rm = media_room_find(room)) == NULL)
		return NULL;
	return media_member_find(rm, member);
}

void
media_member_add(const struct media_msg_member *msg)
{
	struct room_media	*rm;
	struct media_member	*m;

	rm = media_room_get(msg->room, msg->room_name);
	if (media_member_find(rm, msg->member) != NULL)
		return;
	m = xcalloc(1, sizeof *m);
	m->rm = rm;
	m->id = msg->member;
	snprintf(m->name, sizeof m->name, "%s", msg->name);
	m->session = msg->session;
	m->audio_muted = msg->audio_muted;
	m->video_muted = msg->video_muted;
	m->mix_ssrc = msg->mix_ssrc;
	mstats_init(&m->mix_st, m->mix_ssrc, 48000, 0);
	TAILQ_INIT(&m->subs);
	TAILQ_INIT(&m->uplinks);
	TAILQ_INIT(&m->downlinks);
	if (m->session != 0)
		media_session_add(m);
	if (msg->remote != 0) {
		m->remote = media_remote_get(msg->remote, &msg->remote_addr,
		    msg->remote_len);
		m->remote->refs++;
	}
	TAILQ_INSERT_TAIL(&rm->members, m, entry);
}

void
media_member_remove(const struct media_msg_member_gone *msg)
{
	struct media_member	*m;

	if ((m = media_msg_member(msg->room, msg->member)) != NULL)
		media_member_free(m);
}

void
media_room_remove(const struct media_msg_room_gone *msg)
{
	struct room_media	*rm;

	if ((rm = media_room_find(msg->room)) != NULL)
		media_room_free(rm);
}

void
media_member_muted(const struct media_msg_muted *msg)
{
	struct media_member	*m;

	if ((m = media_msg_member(msg->room, msg->member)) == NULL)
		return;
	if (msg->kind == MEDIA_AUDIO)
		m->audio_muted = msg->on;
	else
		m->video_muted = msg->on;
}

void
media_sub_open(const struct media_msg_sub *msg)
{
	struct media_member	*m;
	struct media_sub	*s;

	if ((m = media_msg_member(msg->room, msg->member)) == NULL)
		return;
	s = xcalloc(1, sizeof *s);
	s->id = msg->sub;
	s->kind = msg->kind;
	snprintf(s->from, sizeof s->from, "%s", msg->from);
	TAILQ_INSERT_TAIL(&m->subs, s, entry);
	if (s->kind == MEDIA_AUDIO && s->from[0] != '\0')
		m->rm->solo_subs++;
	if (s->kind == MEDIA_AUDIO && m->mix_ssrc == 0 && msg->mix_ssrc != 0) {
		m->mix_ssrc = msg->mix_ssrc;
		mstats_init(&m->mix_st, m->mix_ssrc, 48000, 0);
	}
}

void
media_sub_close(const struct media_msg_unsub *msg)
{
	struct media_member	*m;
	struct media_sub	*s;

	if ((m = media_msg_member(msg->room, msg->member)) == NULL)
		return;
	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->id == msg->sub) {
			media_sub_free(m, s);
			return;
		}
	}
}

/* A send of a member's: its RTP time is a meet node's wall clock. */
void
media_track_start(const struct media_msg_track *msg)
{
	struct media_member	*m;

	if ((m = media_msg_member(msg->room, msg->member)) == NULL)
		return;
	if (media_track_open(m, msg->kind, msg->ssrc, 1, 0) == NULL)
		log_warnx("room %s: %s: a second %s stream", m->rm->name,
		    m->name, media_kind_name(msg->kind));
}

void
media_track_stop(const struct media_msg_untrack *msg)
{
	struct media_member	*m;
	struct track		*t;

	if ((m = media_msg_member(msg->room, msg->member)) == NULL)
		return;
	if ((t = media_track_find(msg->ssrc)) != NULL && t->member == m)
		media_track_close(t);
}

void
media_remote_move(const struct media_msg_remote *msg)
{
	struct media_remote	*r;

	TAILQ_FOREACH(r, &mw->remotes, entry) {
		if (r->id != msg->remote || msg->len == 0 ||
		    msg->len > sizeof r->media_addr)
			continue;
		memcpy(&r->media_addr, &msg->addr, msg->len);
		r->media_len = msg->len;
	}
}

void
media_record_stop_msg(const struct media_msg_record_stop *msg)
{
	struct room_media	*rm;

	if ((rm = media_room_find(msg->room)) != NULL)
		record_stop(rm, msg->by[0] != '\0' ? msg->by : NULL, NULL);
}

void
media_record_event_msg(const struct media_msg_record_event *msg)
{
	struct room_media	*rm;
	json_t			*ev;

	if ((rm = media_room_find(msg->room)) == NULL || rm->rec == NULL)
		return;
	if ((ev = json_loadb(msg->json, msg->len, 0, NULL)) == NULL)
		return;
	record_event(rm, ev);
	json_decref(ev);
}
