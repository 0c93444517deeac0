/*
 * Plain-RTP participants (DESIGN.md section 2): a member of a room that is
 * just an RTP endpoint, such as ffmpeg or GStreamer.  It gets a UDP port of
 * its own on the hosting node (send_to) and an SDP to receive with.  It
 * hears its mix-minus at --peer's port and sees, at the port two above, the
 * current talker's video or --video-from NAME's, under one SSRC of its own
 * with sequence numbers and timestamps that run on across switches (a
 * switch waits for the first packet of a frame).
 *
 * What arrives at send_to from --peer's address is its audio (Opus or L16)
 * and, with payload type 26, its video.  Each of the two is bound to where
 * it first came from: the first packet of a kind latches its source address
 * and port (ffmpeg sends from an ephemeral port, not from --peer's) and its
 * SSRC, and nothing from elsewhere or under another SSRC is taken for it
 * after that, whoever sends it.  With --srtp both ways are SRTP
 * (AES_CM_128_HMAC_SHA1_80, RFC 4568's inline key, which the node makes):
 * what does not authenticate is dropped before it latches anything.
 *
 * RTCP (RFC 3550): once a second the node sends, for each stream it sends
 * the peer, a sender report with a block on the stream the peer sends of
 * that kind, to the RTCP port of the SDP (the RTP port + 1); reports from
 * the peer give the round trip and the loss it sees.  Its RTCP is taken
 * from its host only, at the ports of the SDP, one above a latched RTP
 * port, or one of two other ports that a good report latched first.
 * Drops are counted by reason: on the port for what is not the peer's, on
 * the stream for a second SSRC.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "mixer.h"
#include "rtcp.h"
#include "srtpctx.h"

#include "meetd.h"

#define RTP_PEER_VIDEO_STEP	6000	/* 90 kHz ticks at a switch: 15 fps */
#define RTP_PEER_RTCP_MAX	512	/* an SR, a block and a CNAME */
#define RTP_PEER_CNAME		"meetd"
#define RTP_PEER_RTCP_SOURCES	2	/* other ports RTCP may latch */

/* Its two kinds of stream, each way. */
enum {
	RTP_PEER_AUDIO,
	RTP_PEER_VIDEO,
	RTP_PEER_KINDS
};

/* What the peer sends, of one kind. */
struct rtp_peer_in {
	struct track		*track;		/* NULL: no packet yet */
	struct sockaddr_storage	 from;		/* latched there */
	socklen_t		 fromlen;	/* 0: not yet */
};

/* What the node sends the peer, of one kind. */
struct rtp_peer_out {
	uint32_t		 ssrc;
	uint16_t		 seq;
	struct mstats		 st;
	struct srtpctx		*srtp;		/* --srtp */
	struct sockaddr_storage	 to;		/* RTP: --peer's port, or + 2 */
	struct sockaddr_storage	 rtcp_to;	/* and + 1 */
	uint32_t		 last_ts;	/* of the last packet sent */
	uint64_t		 last_at;	/* when, usec, monotonic */
};

struct rtp_peer {
	struct media_member	*m;
	struct udp_sock		*sock;
	char			 send_to[ADDR_HOST_MAX + 8];
	socklen_t		 to_len;
	int			 l16;
	int			 video;
	char			 video_from[NAME_MAX_LEN + 1];
	uint64_t		 last_rx;	/* usec, monotonic */
	struct event		*timer;
	int			 srtp;		/* --srtp */
	struct srtpctx		*srtp_in;	/* what it sends, any SSRC */

	struct rtp_peer_in	 in[RTP_PEER_KINDS];
	struct rtp_peer_out	 out[RTP_PEER_KINDS];
	struct sockaddr_storage	 rtcp_from[RTP_PEER_RTCP_SOURCES];
	socklen_t		 rtcp_fromlen[RTP_PEER_RTCP_SOURCES];
	uint32_t		 v_src;		/* the track it sees */
	int32_t			 v_ts_off;
	int			 v_started;
	uint64_t		 drops[DROP_MAX];	/* at its port */
};

static int	 rtp_peer_srtp(struct rtp_peer *, const struct srtpctx_key *);
static void	 rtp_peer_input(struct udp_sock *, uint8_t *, size_t,
		    const struct sockaddr *, socklen_t, uint64_t, void *);
static int	 rtp_peer_rtcp_from(struct rtp_peer *,
		    const struct sockaddr *);
static void	 rtp_peer_rtcp_input(struct rtp_peer *, uint8_t *, size_t,
		    const struct sockaddr *, socklen_t);
static void	 rtp_peer_rtcp_packet(const struct rtcp_packet *, void *);
static void	 rtp_peer_report(struct rtp_peer *, int, uint64_t,
		    uint64_t);
static void	 rtp_peer_timer(evutil_socket_t, short, void *);
static enum media_drop rtp_peer_srtp_drop(int);
static void	 rtp_peer_send(struct rtp_peer *, int, uint8_t *, size_t,
		    size_t, uint64_t);
static struct track *rtp_peer_source(struct rtp_peer *);

/*
 * On the worker: its SRTP contexts, used here only.  0, or -1 and none:
 * a peer with --srtp and no contexts takes and sends nothing.
 */
static int
rtp_peer_srtp(struct rtp_peer *p, const struct srtpctx_key *key)
{
	char	*cause = NULL;
	int	 k;

	p->srtp = 1;
	if ((p->srtp_in = srtpctx_new(key, SRTPCTX_IN_ANY, 0,
	    &cause)) == NULL)
		goto fail;
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		if ((p->out[k].srtp = srtpctx_new(key, SRTPCTX_OUT,
		    p->out[k].ssrc, &cause)) == NULL)
			goto fail;
	}
	return 0;
fail:
	log_warnx("room %s: %s: %s", p->m->rm->name, p->m->name, cause);
	free(cause);
	srtpctx_free(p->srtp_in);
	p->srtp_in = NULL;
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		srtpctx_free(p->out[k].srtp);
		p->out[k].srtp = NULL;
	}
	return -1;
}

/* On the worker: the member (media.c made it first) is a plain-RTP peer. */
void
rtp_peer_start(const struct media_msg_rtp_peer *mp)
{
	struct room_media	*rm;
	struct media_member	*m = NULL;
	struct rtp_peer		*p;
	struct rtp_peer_out	*o;
	int			 k;

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
	p->to_len = mp->to_len;
	p->l16 = mp->l16;
	p->video = mp->video;
	snprintf(p->video_from, sizeof p->video_from, "%s", mp->video_from);
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		o = &p->out[k];
		memcpy(&o->to, k == RTP_PEER_AUDIO ? &mp->audio_to :
		    &mp->video_to, sizeof o->to);
		memcpy(&o->rtcp_to, &o->to, sizeof o->rtcp_to);
		sockaddr_set_port(&o->rtcp_to,
		    sockaddr_port((struct sockaddr *)&o->to) + 1);
		o->ssrc = k == RTP_PEER_AUDIO ? mp->audio_ssrc :
		    mp->video_ssrc;
		o->seq = (uint16_t)arc4random();
		mstats_init(&o->st, o->ssrc, k == RTP_PEER_AUDIO ? 48000 :
		    90000, 0);
	}
	p->last_rx = mono_usec();
	p->timer = event_new(base, -1, EV_PERSIST, rtp_peer_timer, p);
	timer_start(p->timer, 1.0);
	m->rtp = p;
	/* Without its contexts it would take and send nothing: it leaves. */
	if (mp->srtp && rtp_peer_srtp(p, &mp->srtp_key) != 0)
		media_post_leave(m, "SRTP could not start");
}

void
rtp_peer_free(struct rtp_peer *p)
{
	int	k;

	if (p == NULL)
		return;
	if (p->timer != NULL)
		event_free(p->timer);
	udp_close(p->sock);
	srtpctx_free(p->srtp_in);
	for (k = 0; k < RTP_PEER_KINDS; k++)
		srtpctx_free(p->out[k].srtp);
	free(p);
}

/* A track of the peer's is gone (media.c frees it). */
void
rtp_peer_track_gone(struct rtp_peer *p, struct track *t)
{
	int	k;

	for (k = 0; k < RTP_PEER_KINDS; k++) {
		if (p->in[k].track == t)
			p->in[k].track = NULL;
	}
}

/*
 * Once a second: RTCP, and [media] rtp_timeout (a peer silent that long
 * leaves).
 */
static void
rtp_peer_timer(evutil_socket_t fd, short events, void *arg)
{
	struct rtp_peer	*p = arg;
	uint64_t	 mono = mono_usec(), now = now_usec();
	int		 k;

	(void)fd;
	(void)events;
	for (k = 0; k < RTP_PEER_KINDS; k++)
		rtp_peer_report(p, k, now, mono);
	if (cfg->rtp_timeout > 0 && mono - p->last_rx >
	    (uint64_t)(cfg->rtp_timeout * 1e6)) {
		media_post_leave(p->m, "no RTP for too long");
		event_del(p->timer);	/* control ends it */
	}
}

/* Why a packet that did not unprotect is dropped. */
static enum media_drop
rtp_peer_srtp_drop(int error)
{
	switch (error) {
	case SRTPCTX_ERR_AUTH:
		return DROP_AUTH;
	case SRTPCTX_ERR_REPLAY:
		return DROP_REPLAY;
	case SRTPCTX_ERR_SSRC:
		return DROP_SOURCE;
	default:
		return DROP_MALFORMED;
	}
}

static void
rtp_peer_input(struct udp_sock *u, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen, uint64_t now, void *arg)
{
	struct rtp_peer		*p = arg;
	struct rtp_peer_in	*in;
	struct rtp_header	 h;
	enum media_kind		 kind;
	uint8_t			 copy[MEDIA_PACKET + 512]
				     __attribute__((aligned(8)));
	int			 error;

	(void)u;
	if (!sockaddr_same_host(from, (struct sockaddr *)&p->out[0].to)) {
		p->drops[DROP_SOURCE]++;
		return;
	}
	/* libsrtp wants the packet 32-bit aligned. */
	if (p->srtp && ((uintptr_t)buf & 3) != 0) {
		if (len > sizeof copy) {
			p->drops[DROP_MALFORMED]++;
			return;
		}
		memcpy(copy, buf, len);
		buf = copy;
	}
	if (rtp_is_rtcp(buf, len)) {
		rtp_peer_rtcp_input(p, buf, len, from, fromlen);
		return;
	}
	if (len < RTP_HEADER_LEN) {
		p->drops[DROP_MALFORMED]++;
		return;
	}
	kind = (buf[1] & 0x7f) == MEDIA_PT_JPEG ? MEDIA_VIDEO : MEDIA_AUDIO;
	in = &p->in[kind == MEDIA_AUDIO ? RTP_PEER_AUDIO : RTP_PEER_VIDEO];
	/* Latched: one source address and port, whoever claims the SSRC. */
	if (in->fromlen != 0 && !sockaddr_same(from,
	    (struct sockaddr *)&in->from)) {
		p->drops[DROP_SOURCE]++;
		return;
	}
	if (p->srtp) {
		/* Without its context nothing can authenticate. */
		error = p->srtp_in == NULL ? SRTPCTX_ERR_AUTH :
		    srtpctx_unprotect(p->srtp_in, buf, &len);
		if (error != 0) {
			p->drops[rtp_peer_srtp_drop(error)]++;
			return;
		}
	}
	if (rtp_parse(buf, len, &h) != 0) {
		p->drops[DROP_MALFORMED]++;
		return;
	}
	if (in->track == NULL) {
		if ((in->track = media_track_open(p->m, kind, 0, 0,
		    p->l16)) == NULL) {
			p->drops[DROP_SOURCE]++;
			return;
		}
		media_track_set_ssrc(in->track, h.ssrc);
		media_post_peer_track(p->m, kind, h.ssrc);
	}
	if (in->track->ssrc != h.ssrc) {
		mstats_drop(&in->track->st, DROP_SOURCE, 1);
		return;
	}
	if (in->fromlen == 0) {
		memcpy(&in->from, from, fromlen);
		in->fromlen = fromlen;
	}
	p->last_rx = now;
	media_track_input(in->track, buf, len, &h, now);
}

/*
 * Where its RTCP may come from: its host, at the ports of the SDP (where
 * it receives), one above the ports its streams latched (where an RTP
 * sender's reports leave from), or a port that RTCP latched (GStreamer
 * reports from an ephemeral port).  1 when known; 0 when not, and then
 * -1 as well when there is no room left to latch it.
 */
static int
rtp_peer_rtcp_from(struct rtp_peer *p, const struct sockaddr *from)
{
	int	port = sockaddr_port(from), base_port, k, latched, i;

	base_port = sockaddr_port((struct sockaddr *)&p->out[0].to);
	if (port >= base_port && port <= base_port + (p->video ? 3 : 1))
		return 1;
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		if (p->in[k].fromlen == 0)
			continue;
		latched = sockaddr_port((struct sockaddr *)&p->in[k].from);
		if (port == latched || port == latched + 1)
			return 1;
	}
	for (i = 0; i < RTP_PEER_RTCP_SOURCES; i++) {
		if (p->rtcp_fromlen[i] != 0 && sockaddr_same(from,
		    (struct sockaddr *)&p->rtcp_from[i]))
			return 1;
	}
	for (i = 0; i < RTP_PEER_RTCP_SOURCES; i++) {
		if (p->rtcp_fromlen[i] == 0)
			return 0;
	}
	return -1;
}

/* Its RTCP: authenticated with --srtp, and only a good one latches. */
static void
rtp_peer_rtcp_input(struct rtp_peer *p, uint8_t *buf, size_t len,
    const struct sockaddr *from, socklen_t fromlen)
{
	int	known, error, i;

	if ((known = rtp_peer_rtcp_from(p, from)) == -1) {
		p->drops[DROP_SOURCE]++;
		return;
	}
	if (p->srtp) {
		error = p->srtp_in == NULL ? SRTPCTX_ERR_AUTH :
		    srtpctx_unprotect_rtcp(p->srtp_in, buf, &len);
		if (error != 0) {
			p->drops[rtp_peer_srtp_drop(error)]++;
			return;
		}
	}
	/* A malformed compound packet gets no callback at all. */
	if (rtcp_parse(buf, len, rtp_peer_rtcp_packet, p) < 0) {
		p->drops[DROP_MALFORMED]++;
		return;
	}
	for (i = 0; !known && i < RTP_PEER_RTCP_SOURCES; i++) {
		if (p->rtcp_fromlen[i] == 0) {
			memcpy(&p->rtcp_from[i], from, fromlen);
			p->rtcp_fromlen[i] = fromlen;
			known = 1;
		}
	}
}

/*
 * One packet of the peer's RTCP: its SR on a stream it sends is what our
 * blocks on that stream echo (LSR); its blocks on what we send give the
 * round trip (RFC 3550 section 6.4.1) and the loss it sees.
 */
static void
rtp_peer_rtcp_packet(const struct rtcp_packet *pk, void *arg)
{
	struct rtp_peer		*p = arg;
	struct rtp_peer_out	*o;
	struct track		*t;
	uint64_t		 now = now_usec();
	double			 rtt;
	size_t			 i;
	int			 k;

	if (pk->type != RTCP_SR && pk->type != RTCP_RR)
		return;
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		t = p->in[k].track;
		if (pk->type == RTCP_SR && t != NULL && t->ssrc == pk->ssrc) {
			t->st.lsr = rtcp_ntp_middle(pk->si.ntp);
			t->st.lsr_at = now;
		}
	}
	for (i = 0; i < pk->nrb; i++) {
		for (k = 0; k < RTP_PEER_KINDS; k++) {
			o = &p->out[k];
			if (pk->rb[i].ssrc != o->ssrc)
				continue;
			o->st.far_loss = pk->rb[i].fraction * 100.0 / 256;
			rtt = rtcp_rtt(rtcp_ntp_middle(rtcp_ntp_from_usec(now)),
			    pk->rb[i].lsr, pk->rb[i].dlsr);
			if (rtt < 0)
				continue;
			o->st.rtt = rtt * 1000;
			if ((t = p->in[k].track) != NULL)
				t->st.rtt = o->st.rtt;
		}
	}
}

/*
 * Kind k's report: an SR when the node sends that kind (an RR when it only
 * receives it), a block on the peer's stream of that kind, and a CNAME.
 */
static void
rtp_peer_report(struct rtp_peer *p, int k, uint64_t now, uint64_t mono)
{
	struct rtp_peer_out		*o = &p->out[k];
	struct track			*t = p->in[k].track;
	struct rtcp_report_block	 rb;
	struct rtcp_sender_info		 si;
	uint8_t				 buf[RTP_PEER_RTCP_MAX]
					     __attribute__((aligned(8)));
	size_t				 len, n, nrb = 0, room;
	uint32_t			 dlsr = 0;

	if ((k == RTP_PEER_VIDEO && !p->video && t == NULL) ||
	    (p->srtp && o->srtp == NULL))
		return;
	if (t != NULL && t->st.rs.started) {
		if (t->st.lsr != 0)
			dlsr = rtcp_dlsr(t->st.lsr_at, now);
		rtcp_report_block_fill(&rb, &t->st.rs, t->st.lsr, dlsr);
		nrb = 1;
	}
	room = sizeof buf - SRTPCTX_TRAILER_MAX;
	if (o->st.packets > 0) {
		si.ntp = rtcp_ntp_from_usec(now);
		/* The RTP time of now, from that of the last packet. */
		si.rtp_ts = o->last_ts + (uint32_t)((mono - o->last_at) *
		    o->st.clock / 1000000);
		si.packets = (uint32_t)o->st.packets;
		si.octets = (uint32_t)o->st.bytes;
		len = rtcp_write_sr(buf, room, o->ssrc, &si, &rb, nrb);
	} else if (nrb > 0)
		len = rtcp_write_rr(buf, room, o->ssrc, &rb, nrb);
	else
		return;
	if (len == 0 || (n = rtcp_write_sdes(buf + len, room - len, o->ssrc,
	    RTP_PEER_CNAME)) == 0)
		return;
	len += n;
	if (p->srtp &&
	    srtpctx_protect_rtcp(o->srtp, buf, &len, sizeof buf) != 0)
		return;
	(void)udp_send(p->sock, (struct sockaddr *)&o->rtcp_to, p->to_len,
	    buf, len);
}

/*
 * A packet of kind k for the peer, written in buf (size bytes of room):
 * protected with --srtp, sent, and counted.
 */
static void
rtp_peer_send(struct rtp_peer *p, int k, uint8_t *buf, size_t len,
    size_t size, uint64_t now)
{
	struct rtp_peer_out	*o = &p->out[k];

	if (p->srtp && (o->srtp == NULL ||
	    srtpctx_protect(o->srtp, buf, &len, size) != 0)) {
		mstats_drop(&o->st, DROP_SEND, 1);
		return;
	}
	if (udp_send(p->sock, (struct sockaddr *)&o->to, p->to_len, buf,
	    len) != 0) {
		mstats_drop(&o->st, DROP_SEND, 1);
		return;
	}
	mstats_packet(&o->st, len, now);
	o->last_at = now;
}

/* Its mix this tick: Opus (packet) or L16 (pcm, as two 10 ms packets). */
void
rtp_peer_mix(struct rtp_peer *p, const uint8_t *opus, size_t opus_len,
    const int16_t *pcm, uint32_t ts)
{
	struct rtp_peer_out	*o = &p->out[RTP_PEER_AUDIO];
	struct rtp_header	 h;
	uint8_t			 pkt[MEDIA_PACKET + 512]
				     __attribute__((aligned(8)));
	uint8_t			 payload[960];
	size_t			 len, i, half;
	uint64_t		 now = mono_usec();

	memset(&h, 0, sizeof h);
	h.version = RTP_VERSION;
	h.ssrc = o->ssrc;
	if (!p->l16) {
		if (opus == NULL || opus_len == 0)
			return;
		h.pt = MEDIA_PT_OPUS;
		h.seq = o->seq++;
		h.ts = ts;
		h.payload = opus;
		h.payload_len = opus_len;
		if ((len = rtp_write(pkt, sizeof pkt - SRTPCTX_TRAILER_MAX,
		    &h)) == 0)
			return;
		o->last_ts = ts;
		rtp_peer_send(p, RTP_PEER_AUDIO, pkt, len, sizeof pkt, now);
		return;
	}
	h.pt = MEDIA_PT_L16;
	for (half = 0; half < 2; half++) {
		for (i = 0; i < MIXER_FRAME / 2; i++)
			put16(payload + 2 * i,
			    (uint16_t)pcm[half * MIXER_FRAME / 2 + i]);
		h.seq = o->seq++;
		h.ts = ts + (uint32_t)(half * MIXER_FRAME / 2);
		h.payload = payload;
		h.payload_len = sizeof payload;
		if ((len = rtp_write(pkt, sizeof pkt - SRTPCTX_TRAILER_MAX,
		    &h)) == 0)
			return;
		o->last_ts = h.ts;
		rtp_peer_send(p, RTP_PEER_AUDIO, pkt, len, sizeof pkt, now);
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
	struct rtp_peer_out	*o = &p->out[RTP_PEER_VIDEO];
	struct track		*want;
	uint8_t			 buf[MEDIA_PACKET + 2048]
				     __attribute__((aligned(8)));
	uint8_t			*out = NULL;
	uint32_t		 ts;
	int			 frame_start;

	if (!p->video || len + SRTPCTX_TRAILER_MAX > sizeof buf ||
	    h->payload_len < 4)
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
		p->v_ts_off = (int32_t)(o->last_ts + RTP_PEER_VIDEO_STEP -
		    h->ts);
		if (!p->v_started)
			p->v_ts_off = (int32_t)(arc4random() - h->ts);
		p->v_src = t->ssrc;
		p->v_started = 1;
	}
	ts = h->ts + (uint32_t)p->v_ts_off;
	o->last_ts = ts;
	/*
	 * In the clear it is rewritten where it is held for the batch's send:
	 * one copy.  SRTP wants an aligned packet with room for its tag.
	 */
	if (!p->srtp)
		out = udp_hold_space(p->sock, (struct sockaddr *)&o->to,
		    p->to_len, len);
	if (out == NULL)
		out = buf;
	memcpy(out, pkt, len);
	put16(out + 2, o->seq++);
	put32(out + 4, ts);
	put32(out + 8, o->ssrc);
	if (out == buf)
		rtp_peer_send(p, RTP_PEER_VIDEO, buf, len, sizeof buf, now);
	else {
		mstats_packet(&o->st, len, now);
		o->last_at = now;
	}
	if (h->marker)
		mstats_frame(&o->st, now);
}

json_t *
rtp_peer_stats(struct rtp_peer *p)
{
	struct rtp_peer_out	*o;
	json_t			*a, *x;
	uint64_t		 now = mono_usec();
	char			 peer[ADDR_HOST_MAX + 8];
	int			 k;

	a = json_array();
	for (k = 0; k < RTP_PEER_KINDS; k++) {
		o = &p->out[k];
		if (k == RTP_PEER_VIDEO && !p->video)
			continue;
		sockaddr_string((struct sockaddr *)&o->to, peer, sizeof peer);
		x = mstats_json(&o->st, "out", p->m->rm->name, p->m->name,
		    k == RTP_PEER_AUDIO ? MEDIA_MIX : MEDIA_VIDEO, o->ssrc,
		    peer, now);
		json_array_append_new(a, x);
	}
	/* What arrived at its port and was not its media. */
	x = json_pack("{s:s,s:s,s:s,s:s,s:o}", "dir", "in", "room",
	    p->m->rm->name, "name", p->m->name, "kind", "port", "drops",
	    mstats_drops_json(p->drops));
	json_object_set_new(x, "peer", json_string(p->send_to));
	json_object_set_new(x, "srtp", json_boolean(p->srtp));
	json_array_append_new(a, x);
	return a;
}
