/*
 * Plain-RTP participants (DESIGN.md section 2): a member of a room that is
 * just an RTP endpoint, such as ffmpeg or GStreamer.  It gets a UDP port of
 * its own on the hosting node (send_to) and an SDP to receive with.  What
 * arrives there from its address (any source port: ffmpeg sends from
 * ephemeral ports) is its audio (Opus or L16) and, with payload type 26,
 * its video; the first SSRC of each is its own, and packets with another
 * are dropped.  It hears its mix-minus at --peer's port and sees, at the
 * port two above, the current talker's video or --video-from NAME's, under
 * one SSRC of its own with sequence numbers and timestamps that run on
 * across switches (a switch waits for the first packet of a frame).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "mixer.h"

#include "meetd.h"

#define RTP_PEER_VIDEO_STEP	6000	/* 90 kHz ticks at a switch: 15 fps */

struct rtp_peer {
	struct media_member	*m;
	struct udp_sock		*sock;
	char			 send_to[ADDR_HOST_MAX + 8];
	struct sockaddr_storage	 audio_to;
	struct sockaddr_storage	 video_to;
	socklen_t		 to_len;
	int			 l16;
	int			 video;
	char			 video_from[NAME_MAX_LEN + 1];
	struct track		*atrack;	/* what it sends */
	struct track		*vtrack;
	uint64_t		 last_rx;	/* usec, monotonic */
	struct event		*timer;

	uint32_t		 a_ssrc;	/* what it gets */
	uint16_t		 a_seq;
	struct mstats		 a_st;
	uint32_t		 v_ssrc;
	uint16_t		 v_seq;
	uint32_t		 v_src;		/* the track it sees */
	int32_t			 v_ts_off;
	uint32_t		 v_last_ts;
	int			 v_started;
	struct mstats		 v_st;
	uint64_t		 drops[DROP_MAX];
};

static void	rtp_peer_input(struct udp_sock *, uint8_t *, size_t,
		    const struct sockaddr *, socklen_t, uint64_t, void *);
static void	rtp_peer_timer(evutil_socket_t, short, void *);

/* The SDP a peer reads to receive what the node sends it. */
static char *
rtp_peer_sdp(const struct media_msg_rtp_peer *mp, const char *room,
    const char *host, int port)
{
	const char	*ip = strchr(host, ':') != NULL ? "IP6" : "IP4";
	char		*sdp, *video = NULL;

	if (mp->video)
		xasprintf(&video, "m=video %d RTP/AVP %d\r\n"
		    "a=rtpmap:%d JPEG/90000\r\n"
		    "a=recvonly\r\n", port + 2, MEDIA_PT_JPEG, MEDIA_PT_JPEG);
	xasprintf(&sdp, "v=0\r\n"
	    "o=- %u 1 IN %s %s\r\n"
	    "s=meet room %s\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "m=audio %d RTP/AVP %d\r\n"
	    "a=rtpmap:%d %s\r\n"
	    "a=recvonly\r\n"
	    "%s",
	    arc4random(), ip, host, room, ip, host, port,
	    mp->l16 ? MEDIA_PT_L16 : MEDIA_PT_OPUS,
	    mp->l16 ? MEDIA_PT_L16 : MEDIA_PT_OPUS,
	    mp->l16 ? "L16/48000/1" : "opus/48000/2",
	    video != NULL ? video : "");
	free(video);
	return sdp;
}

/*
 * The peer's port, on the node's address in the family of where it
 * listens: its fd, or -1 and *cause.  Opened here, read on the room's
 * worker once the fd is handed over.
 */
static int
rtp_peer_port(const struct sockaddr_storage *to, const char *peer,
    char *send_to, size_t len, char **cause)
{
	struct sockaddr_storage	 local;
	socklen_t		 local_len;
	int			 fd;

	if (listen_udp_address(&local, &local_len) != 0 ||
	    local.ss_family != to->ss_family) {
		xasprintf(cause, "--peer %s: this node does not listen on "
		    "that address family", peer);
		return -1;
	}
	sockaddr_set_port(&local, 0);
	if ((fd = udp_bind((struct sockaddr *)&local, local_len,
	    cause)) == -1)
		return -1;
	local_len = sizeof local;
	if (getsockname(fd, (struct sockaddr *)&local, &local_len) != 0) {
		xasprintf(cause, "--peer %s: cannot read the port's address",
		    peer);
		close(fd);
		return -1;
	}
	sockaddr_string((struct sockaddr *)&local, send_to, len);
	return fd;
}

/*
 * rtp --as NAME --peer ADDR:PORT on the hosting node, for q->member: 0 and
 * the SDP printed, or -1 and *cause.  Control checks and adds the member
 * and opens its port; the room's worker runs the peer from then on.
 */
int
rtp_peer_add(struct cmdq *q, char **cause)
{
	struct member			*by = q->member, *m;
	struct room			*r = by->room;
	struct media_msg_rtp_peer	 mp;
	struct node_addr		 na;
	const char			*name, *peer, *audio, *video, *from;
	char				 err[256], *sdp;

	name = cmdq_get(q, 'A');
	peer = cmdq_get(q, 'P');
	audio = cmdq_get(q, 'a');
	video = cmdq_get(q, 'v');
	from = cmdq_get(q, 'f');
	if (name == NULL || peer == NULL) {
		xasprintf(cause, "--as NAME and --peer ADDR:PORT are needed");
		return -1;
	}
	if (name_valid(name) != 0) {
		xasprintf(cause, "bad name: %s", name);
		return -1;
	}
	if (audio != NULL && strcmp(audio, "opus") != 0 &&
	    strcmp(audio, "l16") != 0) {
		xasprintf(cause, "--audio is opus or l16, not %s", audio);
		return -1;
	}
	if (video != NULL && strcmp(video, "jpeg") != 0) {
		xasprintf(cause, "--video is jpeg, not %s", video);
		return -1;
	}
	if (from != NULL && name_valid(from) != 0) {
		xasprintf(cause, "bad name: %s", from);
		return -1;
	}
	if (r->lobby && r->host != by) {
		xasprintf(cause, "%s has a lobby: only the host (%s) may add "
		    "participants", r->name, r->host != NULL ?
		    r->host->name : "none");
		return -1;
	}
	if (node_addr_parse(peer, 0, &na, err, sizeof err) != 0 ||
	    na.port == 0 || na.port > 65533) {
		xasprintf(cause, "--peer %s: %s", peer, na.port == 0 ||
		    na.port > 65533 ? "give a port (up to 65533)" : err);
		return -1;
	}
	memset(&mp, 0, sizeof mp);
	if (node_addr_resolve(&na, AF_UNSPEC, SOCK_DGRAM, AI_NUMERICHOST,
	    &mp.audio_to, &mp.to_len, err, sizeof err) != 0) {
		xasprintf(cause, "--peer %s: a numeric address is needed (%s)",
		    peer, err);
		return -1;
	}
	memcpy(&mp.video_to, &mp.audio_to, sizeof mp.video_to);
	sockaddr_set_port(&mp.video_to, na.port + 2);
	mp.l16 = audio != NULL && strcmp(audio, "l16") == 0;
	mp.video = video != NULL;
	snprintf(mp.video_from, sizeof mp.video_from, "%s",
	    from != NULL ? from : "");
	if (r->worker == NULL) {
		xasprintf(cause, "the node is shutting down");
		return -1;
	}
	mp.fd = rtp_peer_port(&mp.audio_to, peer, mp.send_to,
	    sizeof mp.send_to, cause);
	if (mp.fd == -1)
		return -1;
	if ((m = room_add_plain(r, name, cause)) == NULL) {
		close(mp.fd);
		return -1;
	}
	mp.audio_ssrc = m->rtp_ssrc[0] = media_new_ssrc(NULL);
	mp.video_ssrc = m->rtp_ssrc[1] = media_new_ssrc(NULL);
	m->rtp = 1;

	sdp = rtp_peer_sdp(&mp, r->name, na.host, na.port);
	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s,s:s,s:i,s:o?}", "name", name,
		    "sdp", sdp, "send_to", mp.send_to, "audio_port", na.port,
		    "video_port", mp.video ? json_integer(na.port + 2) :
		    NULL));
	else
		cmdq_write(q, 1, sdp, strlen(sdp));
	free(sdp);
	log_info("room %s: %s is a plain-RTP participant at %s, sending to "
	    "%s", r->name, name, peer, mp.send_to);
	/* From here on its port is the worker's. */
	media_peer_attach(r, m, &mp);
	return 0;
}

/* On the worker: the member (media.c made it first) is a plain-RTP peer. */
void
rtp_peer_start(const struct media_msg_rtp_peer *mp)
{
	struct room_media	*rm;
	struct media_member	*m = NULL;
	struct rtp_peer		*p;

	if ((rm = media_room_find(mp->room)) != NULL)
		m = media_member_find(rm, mp->member);
	if (m == NULL || m->rtp != NULL) {
		close(mp->fd);		/* it left before it started */
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->m = m;
	p->sock = udp_wrap(mp->fd, rtp_peer_input, p);
	snprintf(p->send_to, sizeof p->send_to, "%s", mp->send_to);
	memcpy(&p->audio_to, &mp->audio_to, sizeof p->audio_to);
	memcpy(&p->video_to, &mp->video_to, sizeof p->video_to);
	p->to_len = mp->to_len;
	p->l16 = mp->l16;
	p->video = mp->video;
	snprintf(p->video_from, sizeof p->video_from, "%s", mp->video_from);
	p->a_ssrc = mp->audio_ssrc;
	p->v_ssrc = mp->video_ssrc;
	p->a_seq = (uint16_t)arc4random();
	p->v_seq = (uint16_t)arc4random();
	mstats_init(&p->a_st, p->a_ssrc, 48000, 0);
	mstats_init(&p->v_st, p->v_ssrc, 90000, 0);
	p->last_rx = mono_usec();
	p->timer = event_new(base, -1, EV_PERSIST, rtp_peer_timer, p);
	timer_start(p->timer, 1.0);
	m->rtp = p;
}

void
rtp_peer_free(struct rtp_peer *p)
{
	if (p == NULL)
		return;
	if (p->timer != NULL)
		event_free(p->timer);
	udp_close(p->sock);
	free(p);
}

/* A track of the peer's is gone (media.c frees it). */
void
rtp_peer_track_gone(struct rtp_peer *p, struct track *t)
{
	if (p->atrack == t)
		p->atrack = NULL;
	if (p->vtrack == t)
		p->vtrack = NULL;
}

/* [media] rtp_timeout: a peer silent that long leaves. */
static void
rtp_peer_timer(evutil_socket_t fd, short events, void *arg)
{
	struct rtp_peer	*p = arg;

	(void)fd;
	(void)events;
	if (cfg->rtp_timeout > 0 && mono_usec() - p->last_rx >
	    (uint64_t)(cfg->rtp_timeout * 1e6)) {
		media_post_leave(p->m, "no RTP for too long");
		event_del(p->timer);	/* control ends it */
	}
}

static void
rtp_peer_input(struct udp_sock *u, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen, uint64_t now, void *arg)
{
	struct rtp_peer		*p = arg;
	struct rtp_header	 h;
	struct track		**tp;
	enum media_kind		 kind;

	(void)u;
	(void)fromlen;
	if (p->m == NULL ||
	    !sockaddr_same_host(from, (struct sockaddr *)&p->audio_to)) {
		p->drops[DROP_SOURCE]++;
		return;
	}
	if (rtp_is_rtcp(buf, len))
		return;		/* its reports: not used yet */
	if (rtp_parse(buf, len, &h) != 0) {
		p->drops[DROP_MALFORMED]++;
		return;
	}
	p->last_rx = now;
	kind = h.pt == MEDIA_PT_JPEG ? MEDIA_VIDEO : MEDIA_AUDIO;
	tp = kind == MEDIA_AUDIO ? &p->atrack : &p->vtrack;
	if (*tp == NULL) {
		if ((*tp = media_track_open(p->m, kind, 0, 0,
		    p->l16)) == NULL) {
			p->drops[DROP_SOURCE]++;
			return;
		}
		media_track_set_ssrc(*tp, h.ssrc);
		media_post_peer_track(p->m, kind, h.ssrc);
	}
	if ((*tp)->ssrc != h.ssrc) {
		mstats_drop(&(*tp)->st, DROP_SOURCE, 1);
		return;
	}
	media_track_input(*tp, buf, len, &h, now);
}

/* Its mix this tick: Opus (packet) or L16 (pcm, as two 10 ms packets). */
void
rtp_peer_mix(struct rtp_peer *p, const uint8_t *opus, size_t opus_len,
    const int16_t *pcm, uint32_t ts)
{
	struct rtp_header	h;
	uint8_t			pkt[MEDIA_PACKET + 512], payload[960];
	size_t			len, i, half;
	uint64_t		now = mono_usec();

	memset(&h, 0, sizeof h);
	h.version = RTP_VERSION;
	h.ssrc = p->a_ssrc;
	if (!p->l16) {
		if (opus == NULL || opus_len == 0)
			return;
		h.pt = MEDIA_PT_OPUS;
		h.seq = p->a_seq++;
		h.ts = ts;
		h.payload = opus;
		h.payload_len = opus_len;
		if ((len = rtp_write(pkt, sizeof pkt, &h)) == 0)
			return;
		if (udp_send(p->sock, (struct sockaddr *)&p->audio_to,
		    p->to_len, pkt, len) != 0)
			mstats_drop(&p->a_st, DROP_SEND, 1);
		else
			mstats_packet(&p->a_st, len, now);
		return;
	}
	h.pt = MEDIA_PT_L16;
	for (half = 0; half < 2; half++) {
		for (i = 0; i < MIXER_FRAME / 2; i++)
			put16(payload + 2 * i,
			    (uint16_t)pcm[half * MIXER_FRAME / 2 + i]);
		h.seq = p->a_seq++;
		h.ts = ts + (uint32_t)(half * MIXER_FRAME / 2);
		h.payload = payload;
		h.payload_len = sizeof payload;
		if ((len = rtp_write(pkt, sizeof pkt, &h)) == 0)
			return;
		if (udp_send(p->sock, (struct sockaddr *)&p->audio_to,
		    p->to_len, pkt, len) != 0)
			mstats_drop(&p->a_st, DROP_SEND, 1);
		else
			mstats_packet(&p->a_st, len, now);
	}
}

/* Whose video the peer sees now: NAME, the last talker, or anyone's. */
static struct track *
rtp_peer_source(struct rtp_peer *p)
{
	struct room_media	*rm = p->m->rm;
	struct track		*t, *any = NULL;

	TAILQ_FOREACH(t, &rm->tracks, entry) {
		if (t->kind == MEDIA_AUDIO || t->member == p->m)
			continue;
		if (p->video_from[0] != '\0') {
			if (strcmp(t->member->name, p->video_from) == 0)
				return t;
			continue;
		}
		if (t->member->id == rm->talker)
			return t;
		if (any == NULL)
			any = t;
	}
	return any;
}

/* A video packet of the room: the peer's if it comes from whom it sees. */
void
rtp_peer_video(struct rtp_peer *p, struct track *t, const uint8_t *pkt,
    size_t len, const struct rtp_header *h, uint64_t now)
{
	struct track	*want;
	uint8_t		 buf[MEDIA_PACKET + 2048], *out;
	uint32_t	 ts;
	int		 frame_start, held;

	if (!p->video || len > sizeof buf || h->payload_len < 4)
		return;
	if ((want = rtp_peer_source(p)) != t)
		return;
	/* RFC 2435: a 24-bit fragment offset of 0 starts a frame. */
	frame_start = h->payload[1] == 0 && h->payload[2] == 0 &&
	    h->payload[3] == 0;
	if (t->ssrc != p->v_src) {
		if (!frame_start)
			return;
		/* Switch: the new source's time runs on from the old. */
		p->v_ts_off = (int32_t)(p->v_last_ts + RTP_PEER_VIDEO_STEP -
		    h->ts);
		if (!p->v_started)
			p->v_ts_off = (int32_t)(arc4random() - h->ts);
		p->v_src = t->ssrc;
		p->v_started = 1;
	}
	ts = h->ts + (uint32_t)p->v_ts_off;
	p->v_last_ts = ts;
	/* Rewritten where it is held for the batch's send: one copy. */
	out = udp_hold_space(p->sock, (struct sockaddr *)&p->video_to,
	    p->to_len, len);
	held = out != NULL;
	if (!held)
		out = buf;
	memcpy(out, pkt, len);
	put16(out + 2, p->v_seq++);
	put32(out + 4, ts);
	put32(out + 8, p->v_ssrc);
	if (!held && udp_send(p->sock, (struct sockaddr *)&p->video_to,
	    p->to_len, out, len) != 0) {
		mstats_drop(&p->v_st, DROP_SEND, 1);
		return;
	}
	mstats_packet(&p->v_st, len, now);
	if (h->marker)
		mstats_frame(&p->v_st, now);
}

json_t *
rtp_peer_stats(struct rtp_peer *p)
{
	json_t		*a, *o;
	uint64_t	 now = mono_usec();
	char		 peer[ADDR_HOST_MAX + 8];

	a = json_array();
	sockaddr_string((struct sockaddr *)&p->audio_to, peer, sizeof peer);
	json_array_append_new(a, mstats_json(&p->a_st, "out",
	    p->m->rm->name, p->m->name, MEDIA_MIX, p->a_ssrc, peer, now));
	if (p->video) {
		sockaddr_string((struct sockaddr *)&p->video_to, peer,
		    sizeof peer);
		json_array_append_new(a, mstats_json(&p->v_st, "out",
		    p->m->rm->name, p->m->name, MEDIA_VIDEO, p->v_ssrc, peer,
		    now));
	}
	/* What arrived at its port and was not its media. */
	o = json_pack("{s:s,s:s,s:s,s:s,s:o}", "dir", "in", "room",
	    p->m->rm->name, "name", p->m->name, "kind", "port", "drops",
	    mstats_drops_json(p->drops));
	json_object_set_new(o, "peer", json_string(p->send_to));
	json_array_append_new(a, o);
	return a;
}
