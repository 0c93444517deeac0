/*
 * A room's media on the node hosting it (DESIGN.md section 3).
 *
 * Every stream a member sends into the room is a track: audio, camera or
 * screen, with an SSRC this node gives out.  Packets reach a track from
 * the node's UDP port (a member on another node), straight from uplink.c
 * (a session on this node) or from a plain-RTP participant's port.
 *
 * Video and screen packets are forwarded as they are: once to each other
 * node that has a member wanting them, to plain-RTP participants, and, for
 * sessions on this node, through one depacketizer per track whose whole
 * frames go to their recv pipes.  They never go back to their sender and
 * never leave their room.  Audio goes into the track's jitter buffer for
 * the mixer (mix.c); a member on another node that asked for one speaker
 * alone (recv -a -F) gets that speaker's packets forwarded too.
 *
 * What a member on another node wants is a list of subscriptions, one per
 * recv there; what a session on this node wants is read off its recv
 * commands (downlink.c).
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
#define TRACK_JB_FRAMES		50	/* one second of 20 ms frames */
#define TRACK_MAX_FRAME		(4 * 1024 * 1024)

static TAILQ_HEAD(, track) track_hash[TRACK_BUCKETS];
static int		   track_hash_ready;

static void	media_video(struct track *, const uint8_t *, size_t,
		    const struct rtp_header *, uint64_t);
static void	media_solo(struct track *, const uint8_t *, size_t);
static void	media_frame(const uint8_t *, size_t, void *);
static void	media_event(struct member *, const char *, struct track *);

static TAILQ_HEAD(, track) *
track_bucket(uint32_t ssrc)
{
	int	i;

	if (!track_hash_ready) {
		for (i = 0; i < TRACK_BUCKETS; i++)
			TAILQ_INIT(&track_hash[i]);
		track_hash_ready = 1;
	}
	return (void *)&track_hash[ssrc % TRACK_BUCKETS];
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

/* An SSRC no stream of this node uses: never 0, which means "none yet". */
uint32_t
media_new_ssrc(void)
{
	struct room	*r;
	struct member	*m;
	uint32_t	 ssrc;
	int		 taken;

	for (;;) {
		ssrc = arc4random();
		if (ssrc == 0 || media_track_find(ssrc) != NULL)
			continue;
		taken = 0;
		TAILQ_FOREACH(r, &rooms, entry) {
			TAILQ_FOREACH(m, &r->members, entry) {
				if (m->mix_ssrc == ssrc)
					taken = 1;
			}
		}
		if (!taken)
			return ssrc;
	}
}

/* The room's media, made at need. */
struct room_media *
media_room(struct room *r)
{
	struct room_media	*rm;
	struct mixer_params	 mp;

	if (r->media != NULL)
		return r->media;
	rm = xcalloc(1, sizeof *rm);
	rm->room = r;
	TAILQ_INIT(&rm->tracks);
	TAILQ_INIT(&rm->encs);
	mixer_params_default(&mp);
	mp.k = (u_int)cfg->mix_talkers;
	if ((rm->mixer = mixer_new(&mp)) == NULL)
		fatalx("mixer_new: bad parameters");
	rm->mix_ts = arc4random();
	r->media = rm;
	return rm;
}

struct track *
media_member_track(struct member *m, enum media_kind kind)
{
	struct track	*t;

	if (m->room->media == NULL)
		return NULL;
	TAILQ_FOREACH(t, &m->room->media->tracks, entry) {
		if (t->member == m && t->kind == kind)
			return t;
	}
	return NULL;
}

/* {event, name, ssrc} to the whole room. */
static void
media_event(struct member *m, const char *type, struct track *t)
{
	json_t	*ev;

	ev = room_event(m->room, type);
	json_object_set_new(ev, "name", json_string(m->name));
	if (t != NULL && t->ssrc != 0)
		json_object_set_new(ev, "ssrc", json_integer(t->ssrc));
	room_broadcast(m->room, ev);
	json_decref(ev);
}

/*
 * A new stream from m.  wallclock: its RTP time is the sender's wall
 * clock (a meet node's), so receivers can tag capture times; l16: audio
 * in L16, not Opus.  Plain-RTP participants' tracks get their SSRC when
 * the first packet names it (rtp-peer.c): they pass hashed 0.
 */
struct track *
media_track_open(struct member *m, enum media_kind kind, int wallclock,
    int l16, char **cause)
{
	struct room_media	*rm;
	struct member		*o;
	struct track		*t;
	char			*why;

	if (media_member_track(m, kind) != NULL) {
		xasprintf(cause, "%s already sends %s", m->name,
		    media_kind_name(kind));
		return NULL;
	}
	if (kind == MEDIA_SCREEN) {
		TAILQ_FOREACH(o, &m->room->members, entry) {
			if (o->screen) {
				xasprintf(cause, "%s is already presenting in "
				    "%s", o->name, m->room->name);
				return NULL;
			}
		}
	}
	rm = media_room(m->room);
	t = xcalloc(1, sizeof *t);
	t->rm = rm;
	t->member = m;
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
	TAILQ_INSERT_TAIL(&rm->tracks, t, entry);
	if (m->rtp == NULL) {
		t->ssrc = media_new_ssrc();
		rtp_source_init(&t->st.rs, t->ssrc);
		TAILQ_INSERT_TAIL(track_bucket(t->ssrc), t, hentry);
		t->hashed = 1;
	}
	log_info("room %s: %s %s on (ssrc %08x)", m->room->name, m->name,
	    media_kind_name(kind), t->ssrc);
	media_event(m, kind == MEDIA_AUDIO ? "audio-on" : kind == MEDIA_VIDEO ?
	    "video-on" : "screen-on", t);
	return t;
}

/* A plain-RTP participant's track learns its SSRC from a first packet. */
void
media_track_set_ssrc(struct track *t, uint32_t ssrc)
{
	t->ssrc = ssrc;
	rtp_source_init(&t->st.rs, ssrc);
}

/* The stream ended; why (NULL: quietly, its member is going) for the room. */
void
media_track_close(struct track *t, const char *why)
{
	struct member	*m = t->member;
	const char	*type;

	if (t->kind == MEDIA_AUDIO) {
		mixer_remove(t->rm->mixer, m->id);
		m->audio = 0;
		type = "audio-off";
	} else if (t->kind == MEDIA_VIDEO) {
		m->video = 0;
		type = "video-off";
	} else {
		m->screen = 0;
		type = "screen-off";
	}
	TAILQ_REMOVE(&t->rm->tracks, t, entry);
	if (t->hashed)
		TAILQ_REMOVE(track_bucket(t->ssrc), t, hentry);
	if (why != NULL) {
		log_info("room %s: %s %s off (%s)", m->room->name, m->name,
		    media_kind_name(t->kind), why);
		media_event(m, type, t);
	}
	jitterbuf_free(t->jb);
	opuscodec_dec_free(t->dec);
	rfc2435_depack_free(t->dp);
	free(t);
}

static int
sub_wants(struct member *m, enum media_kind kind, const char *from)
{
	struct media_sub	*s;

	/* Audio of one speaker only for recv -a -F (the mix is mixed). */
	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->kind == kind && ((s->from[0] == '\0' &&
		    kind != MEDIA_AUDIO) || strcmp(s->from, from) == 0))
			return 1;
	}
	return 0;
}

/* Does m want kind (audio: its mix) from member from? */
static int
member_wants(struct member *m, enum media_kind kind, const char *from)
{
	if (m->state != MEMBER_JOINED)
		return 0;
	if (m->session != NULL)
		return downlink_wants(m->session, kind, from);
	return sub_wants(m, kind, from);
}

/* Would m take the room's mix this tick? */
int
media_wants_mix(struct member *m)
{
	struct media_sub	*s;

	if (m->state != MEMBER_JOINED)
		return 0;
	if (m->rtp != NULL)
		return 1;
	if (m->session != NULL)
		return downlink_wants(m->session, MEDIA_MIX, NULL);
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
	struct member		*m = t->member;
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
	media_solo(t, pkt, len);
}

static void
media_send_remotes(struct track *t, const uint8_t *pkt, size_t len,
    enum media_kind want)
{
	static uint64_t	 gen;
	struct member	*m;

	/* Once to each node, however many of its members want it. */
	gen++;
	TAILQ_FOREACH(m, &t->rm->room->members, entry) {
		if (m == t->member || m->remote == NULL ||
		    m->remote->media_len == 0 || m->remote->sent_gen == gen ||
		    !member_wants(m, want, t->member->name))
			continue;
		m->remote->sent_gen = gen;
		udp_send(udp_node, (struct sockaddr *)&m->remote->media_addr,
		    m->remote->media_len, pkt, len);
	}
}

/* A speaker's packet for other nodes' recv -a -F: rare, so counted. */
static void
media_solo(struct track *t, const uint8_t *pkt, size_t len)
{
	if (t->rm->solo_subs > 0)
		media_send_remotes(t, pkt, len, MEDIA_AUDIO);
}

static void
media_video(struct track *t, const uint8_t *pkt, size_t len,
    const struct rtp_header *h, uint64_t now)
{
	struct member	*m;
	int		 local = 0;

	(void)now;
	media_send_remotes(t, pkt, len, MEDIA_VIDEO);
	TAILQ_FOREACH(m, &t->rm->room->members, entry) {
		if (m == t->member || m->state != MEMBER_JOINED)
			continue;
		if (m->rtp != NULL)
			rtp_peer_video(m->rtp, t, pkt, len, h);
		else if (m->session != NULL && downlink_wants(m->session,
		    MEDIA_VIDEO, t->member->name))
			local = 1;
	}
	if (!local && !record_active(t->rm->room))
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
	struct track	*t = arg;
	struct member	*m;
	uint8_t		*tagged;
	size_t		 tlen;
	char		 src[NAME_MAX_LEN + 8];
	uint64_t	 capture;

	capture = media_capture_time(t->wallclock, t->cur_ts);
	if (record_active(t->rm->room))
		record_video(t->rm->room, t, jpeg, len, capture);
	tagged = mjpeg_tag_set(jpeg, len, media_source_name(t->member->name,
	    t->kind, src, sizeof src), capture, &tlen);
	if (tagged == NULL)
		return;
	TAILQ_FOREACH(m, &t->rm->room->members, entry) {
		if (m != t->member && m->session != NULL &&
		    m->state == MEMBER_JOINED)
			downlink_video(m->session, t->member->name, tagged,
			    tlen);
	}
	free(tagged);
}

int
media_sub_add(struct member *m, uint64_t id, enum media_kind kind,
    const char *from, char **cause)
{
	struct media_sub	*s;

	if (from != NULL && *from != '\0' && name_valid(from) != 0) {
		xasprintf(cause, "bad name: %s", from);
		return -1;
	}
	s = xcalloc(1, sizeof *s);
	s->id = id;
	s->kind = kind;
	snprintf(s->from, sizeof s->from, "%s", from != NULL ? from : "");
	TAILQ_INSERT_TAIL(&m->subs, s, entry);
	if (kind == MEDIA_AUDIO && s->from[0] != '\0')
		media_room(m->room)->solo_subs++;
	if (kind == MEDIA_AUDIO && m->mix_ssrc == 0)
		m->mix_ssrc = media_new_ssrc();
	return 0;
}

static void
media_sub_free(struct member *m, struct media_sub *s)
{
	if (s->kind == MEDIA_AUDIO && s->from[0] != '\0' &&
	    m->room->media != NULL && m->room->media->solo_subs > 0)
		m->room->media->solo_subs--;
	TAILQ_REMOVE(&m->subs, s, entry);
	free(s);
}

void
media_sub_remove(struct member *m, uint64_t id)
{
	struct media_sub	*s;

	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->id == id) {
			media_sub_free(m, s);
			return;
		}
	}
}

/* Self (by is m's name) or the host mutes or unmutes m's audio or video. */
void
media_set_muted(struct member *m, enum media_kind kind, int on,
    const char *by)
{
	json_t	*ev;
	int	*flag;

	flag = kind == MEDIA_AUDIO ? &m->audio_muted : &m->video_muted;
	if (*flag == on)
		return;
	*flag = on;
	ev = room_event(m->room, on ? "muted" : "unmuted");
	json_object_set_new(ev, "name", json_string(m->name));
	json_object_set_new(ev, "media", json_string(kind == MEDIA_AUDIO ?
	    "audio" : "video"));
	json_object_set_new(ev, "by", json_string(by));
	room_broadcast(m->room, ev);
	json_decref(ev);
}

/* m leaves the room: its streams and subscriptions go, without events. */
void
media_member_gone(struct member *m)
{
	struct media_sub	*s;
	struct track		*t, *t1;

	while ((s = TAILQ_FIRST(&m->subs)) != NULL)
		media_sub_free(m, s);
	if (m->rtp != NULL) {
		rtp_peer_free(m->rtp);
		m->rtp = NULL;
	}
	if (m->room->media == NULL)
		return;
	TAILQ_FOREACH_SAFE(t, &m->room->media->tracks, entry, t1) {
		if (t->member == m)
			media_track_close(t, NULL);
	}
}

void
media_room_free(struct room *r)
{
	struct room_media	*rm = r->media;
	struct track		*t;

	if (rm == NULL)
		return;
	record_stop(r, NULL, NULL);
	while ((t = TAILQ_FIRST(&rm->tracks)) != NULL)
		media_track_close(t, NULL);
	mix_free(rm);
	mixer_free(rm->mixer);
	free(rm);
	r->media = NULL;
}

/* Every media stream of this node, for stats. */
json_t *
media_stats(void)
{
	struct room	*r;
	struct member	*m;
	struct track	*t;
	struct session	*s;
	json_t		*a, *o;
	char		 peer[ADDR_HOST_MAX + 8];
	uint64_t	 now = mono_usec();

	a = json_array();
	TAILQ_FOREACH(r, &rooms, entry) {
		if (r->media != NULL) {
			TAILQ_FOREACH(t, &r->media->tracks, entry) {
				peer[0] = '\0';
				if (t->fromlen != 0)
					sockaddr_string((struct sockaddr *)
					    &t->from, peer, sizeof peer);
				if (t->dp != NULL)
					mstats_depack(&t->st, t->dp);
				json_array_append_new(a, mstats_json(&t->st,
				    "in", r->name, t->member->name, t->kind,
				    t->ssrc, peer, now));
			}
		}
		TAILQ_FOREACH(m, &r->members, entry) {
			if (m->rtp != NULL) {
				json_array_extend(a, o = rtp_peer_stats(m->rtp));
				json_decref(o);
			} else if (m->mix_ssrc != 0 && m->remote != NULL) {
				sockaddr_string((struct sockaddr *)
				    &m->remote->media_addr, peer, sizeof peer);
				json_array_append_new(a, mstats_json(
				    &m->mix_st, "out", r->name, m->name,
				    MEDIA_MIX, m->mix_ssrc, peer, now));
			}
		}
	}
	TAILQ_FOREACH(s, &sessions, entry) {
		json_array_extend(a, o = uplink_stats(s));
		json_decref(o);
		json_array_extend(a, o = downlink_stats(s));
		json_decref(o);
	}
	return a;
}

/*
 * A datagram on the node's port: RTCP (report.c), the RTP of a track of a
 * room here sent from another node (from the IP of that node's link, and
 * once its first packet fixed the port, from that port alone), or media of
 * a room on another node for sessions here (downlink.c).  Anything else is
 * dropped and counted.
 */
void
udp_node_input(struct udp_sock *u, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen, uint64_t now, void *arg)
{
	struct rtp_header	 h;
	struct track		*t;

	(void)u;
	(void)arg;
	if (rtp_is_rtcp(buf, len)) {
		report_input(buf, len, from, now);
		return;
	}
	if (rtp_parse(buf, len, &h) != 0) {
		media_node_drops[DROP_MALFORMED]++;
		return;
	}
	if ((t = media_track_find(h.ssrc)) != NULL) {
		if (t->member->remote == NULL || t->fromlen == 0 ||
		    !sockaddr_same_host(from, (struct sockaddr *)&t->from) ||
		    (t->latched && !sockaddr_same(from,
		    (struct sockaddr *)&t->from))) {
			mstats_drop(&t->st, DROP_SOURCE, 1);
			return;
		}
		if (!t->latched) {
			memcpy(&t->from, from, fromlen);
			t->fromlen = fromlen;
			t->latched = 1;
			media_remote_latch(t->member->remote, from, fromlen);
		}
		media_track_input(t, buf, len, &h, now);
		return;
	}
	if (downlink_input(buf, len, &h, from, now) == 0)
		return;
	media_node_drops[DROP_UNKNOWN]++;
}

/*
 * Media to a node's members goes back where its media comes from (its
 * packets leave from a wildcard socket, maybe through NAT), once a packet
 * from the link's host shows it.
 */
void
media_remote_latch(struct remote *r, const struct sockaddr *from,
    socklen_t fromlen)
{
	if (r->media_len != 0 && !sockaddr_same_host(from,
	    (struct sockaddr *)&r->media_addr))
		return;
	if (fromlen > sizeof r->media_addr)
		return;
	memcpy(&r->media_addr, from, fromlen);
	r->media_len = fromlen;
}
