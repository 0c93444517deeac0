/*
 * RTCP between nodes (RFC 3550 section 6, multiplexed on the node's port as
 * RFC 5761 allows): once a second each node sends, for what it sends, a
 * sender report, and for what it receives, report blocks.  The hosting node
 * reports to each member's node on the tracks it receives from it, under
 * the SSRC of that member's mix; the member's node reports on the mix
 * under the SSRC of its first send.  Either side learns the round trip from
 * the blocks about its own streams (LSR and DLSR) and the loss the far end
 * saw.  Plain-RTP participants are not sent reports (their tools expect
 * RTCP on another port), so their streams show only local counters.
 *
 * Both sides run on each media worker, on its timer: the hosting side for
 * its rooms (from the node's port), the session side for the sessions
 * here in rooms on other nodes that it holds (far.c, from its far socket).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include "byteorder.h"
#include "rtcp.h"

#include "meetd.h"

#define REPORT_INTERVAL	1.0
#define REPORT_MAX	1400

static __thread struct event	*report_timer;

struct report_ctx {
	const struct sockaddr	*from;
	uint64_t		 now;	/* wall clock, usec */
	int			 ours;	/* a sender this thread knows */
};

/* A report block on a stream we receive. */
static void
report_block(struct rtcp_report_block *rb, struct mstats *st, uint64_t now)
{
	uint32_t	dlsr = 0;

	if (st->lsr != 0)
		dlsr = rtcp_dlsr(st->lsr_at, now);
	rtcp_report_block_fill(rb, &st->rs, st->lsr, dlsr);
}

static void
report_sender(struct rtcp_sender_info *si, struct mstats *st, uint32_t ts)
{
	si->ntp = rtcp_ntp_from_usec(now_usec());
	si->rtp_ts = ts;
	si->packets = (uint32_t)st->packets;
	si->octets = (uint32_t)st->bytes;
}

static void
report_loss(struct mstats *st, const struct rtcp_report_block *rb,
    double rtt)
{
	st->far_loss = rb->fraction * 100.0 / 256;
	if (rtt >= 0)
		st->rtt = rtt * 1000;
}

static double
report_rtt(const struct rtcp_report_block *rb, uint64_t now)
{
	return rtcp_rtt(rtcp_ntp_middle(rtcp_ntp_from_usec(now)), rb->lsr,
	    rb->dlsr);
}

static void
report_parse(const uint8_t *buf, size_t len, struct report_ctx *ctx,
    void (*cb)(const struct rtcp_packet *, void *))
{
	if (rtcp_parse(buf, len, NULL, NULL) < 0) {
		media_node_drops[DROP_MALFORMED]++;
		ctx->ours = 1;		/* nobody's: dropped here */
		return;
	}
	rtcp_parse(buf, len, cb, ctx);
}

/* -------- The hosting node's side, on a media worker. -------- */

/* The hosting node, to the node of a member from elsewhere. */
static void
report_member(struct media_member *m, uint64_t now)
{
	struct rtcp_report_block	 rb[RTCP_MAX_COUNT];
	struct rtcp_sender_info		 si;
	struct track			*t;
	struct sockaddr			*to;
	socklen_t			 tolen;
	uint8_t				 buf[REPORT_MAX];
	size_t				 nrb = 0, len;

	to = (struct sockaddr *)&m->remote->media_addr;
	tolen = m->remote->media_len;
	TAILQ_FOREACH(t, &m->rm->tracks, entry) {
		if (t->member != m || !t->st.rs.started || nrb == RTCP_MAX_COUNT)
			continue;
		report_block(&rb[nrb++], &t->st, now);
		if (t->latched) {
			to = (struct sockaddr *)&t->from;
			tolen = t->fromlen;
		}
	}
	if (m->mix_ssrc == 0 || (nrb == 0 && m->mix_st.packets == 0))
		return;
	if (m->mix_st.packets > 0) {
		report_sender(&si, &m->mix_st, m->rm->mix_ts);
		len = rtcp_write_sr(buf, sizeof buf, m->mix_ssrc, &si, rb, nrb);
	} else
		len = rtcp_write_rr(buf, sizeof buf, m->mix_ssrc, rb, nrb);
	if (len > 0)
		media_node_send(udp_node, to, tolen, m->remote->id, buf, len);
}

static void
report_tick(evutil_socket_t fd, short events, void *arg)
{
	struct room_media	*rm;
	struct media_member	*m;
	uint64_t		 now = now_usec();

	(void)fd;
	(void)events;
	(void)arg;
	for (rm = media_room_next(NULL); rm != NULL;
	    rm = media_room_next(rm)) {
		TAILQ_FOREACH(m, &rm->members, entry) {
			if (m->remote != NULL && m->remote->media_len != 0)
				report_member(m, now);
		}
	}
	for (rm = far_room_next(NULL); rm != NULL; rm = far_room_next(rm)) {
		TAILQ_FOREACH(m, &rm->members, entry)
			report_far_member(m, now);
	}
	udp_flush_all();
}

void
report_start(void)
{
	report_timer = event_new(base, -1, EV_PERSIST, report_tick, NULL);
	timer_start(report_timer, REPORT_INTERVAL);
}

void
report_stop(void)
{
	if (report_timer != NULL)
		event_free(report_timer);
	report_timer = NULL;
}

/* A member of a room here whose mix has this SSRC. */
static struct media_member *
report_mix_member(uint32_t ssrc)
{
	struct room_media	*rm;
	struct media_member	*m;

	for (rm = media_room_next(NULL); rm != NULL;
	    rm = media_room_next(rm)) {
		TAILQ_FOREACH(m, &rm->members, entry) {
			if (m->mix_ssrc == ssrc && m->remote != NULL)
				return m;
		}
	}
	return NULL;
}

static void
report_hosted(const struct rtcp_packet *p, void *arg)
{
	struct report_ctx	*ctx = arg;
	struct media_member	*m;
	struct track		*t;
	socklen_t		 len;
	double			 rtt;
	size_t			 i;

	if (p->type != RTCP_SR && p->type != RTCP_RR)
		return;
	len = ctx->from->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	/* Who sends: a track of a member's node, or a member's mix. */
	if ((t = media_track_find(p->ssrc)) != NULL) {
		ctx->ours = 1;
		if (t->member->remote != NULL)
			media_remote_latch(t->member->remote, ctx->from, len);
		if (p->type == RTCP_SR) {
			t->st.lsr = rtcp_ntp_middle(p->si.ntp);
			t->st.lsr_at = ctx->now;
		}
	} else if ((m = report_mix_member(p->ssrc)) != NULL) {
		ctx->ours = 1;
		media_remote_latch(m->remote, ctx->from, len);
	} else
		return;
	/* Blocks about a member's mix: its tracks share the round trip. */
	for (i = 0; i < p->nrb; i++) {
		if ((m = report_mix_member(p->rb[i].ssrc)) == NULL)
			continue;
		rtt = report_rtt(&p->rb[i], ctx->now);
		report_loss(&m->mix_st, &p->rb[i], rtt);
		if (rtt < 0)
			continue;
		TAILQ_FOREACH(t, &m->rm->tracks, entry) {
			if (t->member == m)
				t->st.rtt = rtt * 1000;
		}
	}
}

/*
 * SRTCP from another node to a room here: opened with the key of the node
 * that sends what its first SSRC names (a track of its member, or the mix
 * a member of it gets, under which a node with no send reports).  0, or -1
 * when it is dropped (and counted).
 */
int
report_open_hosted(uint8_t *buf, size_t *len)
{
	struct track		*t;
	struct media_member	*m;
	uint64_t		 node;
	int			 r;

	if (*len < 8) {
		media_node_drops[DROP_MALFORMED]++;
		return -1;
	}
	if ((t = media_track_find(get32(buf + 4))) != NULL &&
	    t->member->remote != NULL)
		node = t->member->remote->id;
	else if ((m = report_mix_member(get32(buf + 4))) != NULL)
		node = m->remote->id;
	else {
		media_node_drops[DROP_UNKNOWN]++;
		return -1;
	}
	if ((r = nodesrtp_unprotect(node, buf, len)) != 0) {
		media_node_drops[nodesrtp_drop_reason(r)]++;
		return -1;
	}
	return 0;
}

/* RTCP on a worker's socket: 0, or -1 when it is for control. */
int
report_input(const uint8_t *buf, size_t len, const struct sockaddr *from,
    uint64_t now)
{
	struct report_ctx	ctx;

	(void)now;
	ctx.from = from;
	ctx.now = now_usec();
	ctx.ours = 0;
	report_parse(buf, len, &ctx, report_hosted);
	return ctx.ours ? 0 : -1;
}

/* -------- A session's side, for a room on another node. -------- */

/*
 * A session's view of a far room, to the node hosting it: a sender report
 * for each of its sends, with a block on its mix; or, with no send, a
 * receiver report under the mix's SSRC, which also shows the hosting node
 * where to send (symmetric RTP).
 */
void
report_far_member(struct media_member *m, uint64_t now)
{
	struct room_media		*rm = m->rm;
	struct rtcp_report_block	 rb[1];
	struct rtcp_sender_info		 si;
	struct uplink_info		 ui;
	struct track			*t, *mix = NULL;
	uint8_t				 buf[REPORT_MAX];
	size_t				 len = 0, n, nrb = 0;
	int				 i;

	if (rm->hub_len == 0)
		return;
	TAILQ_FOREACH(t, &rm->tracks, entry) {
		if (t->member == m && t->kind == MEDIA_MIX)
			mix = t;
	}
	if (mix != NULL && mix->st.rs.started)
		report_block(&rb[nrb++], &mix->st, now);
	for (i = 0; uplink_info(m, i, &ui) == 0; i++) {
		report_sender(&si, ui.st, ui.ts);
		n = rtcp_write_sr(buf + len, sizeof buf - len, ui.ssrc, &si,
		    i == 0 ? rb : NULL, i == 0 ? nrb : 0);
		if (n == 0)
			break;
		len += n;
	}
	if (len == 0 && mix != NULL)
		len = rtcp_write_rr(buf, sizeof buf, mix->ssrc, rb, nrb);
	if (len > 0)
		media_node_send(far_sock(rm->hub.ss_family),
		    (struct sockaddr *)&rm->hub, rm->hub_len, rm->node, buf,
		    len);
}

static void
report_far_packet(const struct rtcp_packet *p, void *arg)
{
	struct report_ctx	*ctx = arg;
	struct room_media	*rm;
	struct media_member	*m;
	struct track		*t;
	struct mstats		*st;
	size_t			 i;

	if (p->type != RTCP_SR && p->type != RTCP_RR)
		return;
	for (rm = far_room_next(NULL); rm != NULL; rm = far_room_next(rm)) {
		if (rm->hub_len == 0 || !sockaddr_same_host(ctx->from,
		    (struct sockaddr *)&rm->hub))
			continue;
		/* The hosting node's report on a session's mix. */
		TAILQ_FOREACH(t, &rm->tracks, entry) {
			if (p->type == RTCP_SR && t->kind == MEDIA_MIX &&
			    t->ssrc == p->ssrc) {
				t->st.lsr = rtcp_ntp_middle(p->si.ntp);
				t->st.lsr_at = ctx->now;
			}
		}
		/* Its blocks on what the sessions send. */
		for (i = 0; i < p->nrb; i++) {
			TAILQ_FOREACH(m, &rm->members, entry) {
				if ((st = uplink_mstats(m,
				    p->rb[i].ssrc)) != NULL)
					report_loss(st, &p->rb[i], report_rtt(
					    &p->rb[i], ctx->now));
			}
		}
	}
}

/* RTCP on a far socket, from the hosting node of a room of sessions here. */
void
report_far_input(const uint8_t *buf, size_t len, const struct sockaddr *from)
{
	struct report_ctx	ctx;

	/* Opened already (far_input): only the hub's keys open it. */

	ctx.from = from;
	ctx.now = now_usec();
	ctx.ours = 0;
	report_parse(buf, len, &ctx, report_far_packet);
}
