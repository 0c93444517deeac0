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
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <string.h>

#include "rtcp.h"

#include "meetd.h"

#define REPORT_INTERVAL	1.0
#define REPORT_MAX	1400

static struct event	*report_timer;

static void	report_tick(evutil_socket_t, short, void *);

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

/* The hosting node, to the node of a member from elsewhere. */
static void
report_member(struct member *m, uint64_t now)
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
	TAILQ_FOREACH(t, &m->room->media->tracks, entry) {
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
		report_sender(&si, &m->mix_st, m->room->media->mix_ts);
		len = rtcp_write_sr(buf, sizeof buf, m->mix_ssrc, &si, rb, nrb);
	} else
		len = rtcp_write_rr(buf, sizeof buf, m->mix_ssrc, rb, nrb);
	if (len > 0)
		udp_send(udp_node, to, tolen, buf, len);
}

/* A session's node, to the node hosting its room. */
void
report_session(struct session *s, uint64_t now)
{
	struct rtcp_report_block	 rb[1];
	struct rtcp_sender_info		 si;
	struct uplink_info		 ui;
	uint8_t				 buf[REPORT_MAX];
	size_t				 len = 0, n, nrb = 0;
	int				 i;

	if (s->peer == NULL || s->peer->media_len == 0)
		return;
	if (s->mix_ssrc != 0 && s->mix_st.rs.started)
		report_block(&rb[nrb++], &s->mix_st, now);
	for (i = 0; uplink_info(s, i, &ui) == 0; i++) {
		report_sender(&si, ui.st, ui.ts);
		n = rtcp_write_sr(buf + len, sizeof buf - len, ui.ssrc, &si,
		    i == 0 ? rb : NULL, i == 0 ? nrb : 0);
		if (n == 0)
			break;
		len += n;
	}
	/* An empty report still tells the hub where our media comes from. */
	if (len == 0 && s->mix_ssrc != 0)
		len = rtcp_write_rr(buf, sizeof buf, s->mix_ssrc, rb, nrb);
	if (len > 0)
		udp_send(udp_out(s->peer->media_addr.ss_family),
		    (struct sockaddr *)&s->peer->media_addr,
		    s->peer->media_len, buf, len);
}

static void
report_tick(evutil_socket_t fd, short events, void *arg)
{
	struct room	*r;
	struct member	*m;
	struct session	*s;
	uint64_t	 now = now_usec();

	(void)fd;
	(void)events;
	(void)arg;
	TAILQ_FOREACH(r, &rooms, entry) {
		if (r->media == NULL)
			continue;
		TAILQ_FOREACH(m, &r->members, entry) {
			if (m->remote != NULL && m->remote->media_len != 0)
				report_member(m, now);
		}
	}
	TAILQ_FOREACH(s, &sessions, entry)
		report_session(s, now);
}

struct report_ctx {
	const struct sockaddr	*from;
	uint64_t		 now;	/* wall clock, usec */
};

/* A stream of ours that a block reports on: where its numbers go. */
static void
report_about(const struct rtcp_report_block *rb, uint64_t now)
{
	struct room	*r;
	struct member	*m;
	struct track	*t;
	struct mstats	*st;
	double		 rtt;

	rtt = rtcp_rtt(rtcp_ntp_middle(rtcp_ntp_from_usec(now)), rb->lsr,
	    rb->dlsr);
	if ((st = uplink_mstats(rb->ssrc)) != NULL) {
		if (rtt >= 0)
			st->rtt = rtt * 1000;
		st->far_loss = rb->fraction * 100.0 / 256;
		return;
	}
	TAILQ_FOREACH(r, &rooms, entry) {
		TAILQ_FOREACH(m, &r->members, entry) {
			if (m->mix_ssrc != rb->ssrc)
				continue;
			m->mix_st.far_loss = rb->fraction * 100.0 / 256;
			if (rtt < 0)
				return;
			m->mix_st.rtt = rtt * 1000;
			/* One path: its tracks share the round trip. */
			if (r->media != NULL) {
				TAILQ_FOREACH(t, &r->media->tracks, entry) {
					if (t->member == m)
						t->st.rtt = rtt * 1000;
				}
			}
			return;
		}
	}
}

/* A sender report: remember it for the blocks we send back. */
static void
report_sr(uint32_t ssrc, const struct rtcp_sender_info *si, uint64_t now)
{
	struct track	*t;
	struct session	*s;
	struct mstats	*st = NULL;

	if ((t = media_track_find(ssrc)) != NULL)
		st = &t->st;
	else {
		TAILQ_FOREACH(s, &sessions, entry) {
			if (s->mix_ssrc == ssrc && s->peer != NULL) {
				st = &s->mix_st;
				break;
			}
		}
	}
	if (st == NULL)
		return;
	st->lsr = rtcp_ntp_middle(si->ntp);
	st->lsr_at = now;
}

/* A report from a member's node: where its media comes from. */
static void
report_latch(uint32_t ssrc, const struct sockaddr *from)
{
	struct track	*t;
	struct room	*r;
	struct member	*m;
	socklen_t	 len;

	len = from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	if ((t = media_track_find(ssrc)) != NULL) {
		if (t->member->remote != NULL)
			media_remote_latch(t->member->remote, from, len);
		return;
	}
	TAILQ_FOREACH(r, &rooms, entry) {
		TAILQ_FOREACH(m, &r->members, entry) {
			if (m->mix_ssrc == ssrc && m->remote != NULL) {
				media_remote_latch(m->remote, from, len);
				return;
			}
		}
	}
}

static void
report_packet(const struct rtcp_packet *p, void *arg)
{
	struct report_ctx	*ctx = arg;
	size_t			 i;

	if (p->type == RTCP_SR || p->type == RTCP_RR)
		report_latch(p->ssrc, ctx->from);
	if (p->type == RTCP_SR)
		report_sr(p->ssrc, &p->si, ctx->now);
	if (p->type != RTCP_SR && p->type != RTCP_RR)
		return;
	for (i = 0; i < p->nrb; i++)
		report_about(&p->rb[i], ctx->now);
}

void
report_input(const uint8_t *buf, size_t len, const struct sockaddr *from,
    uint64_t now)
{
	struct report_ctx	ctx;

	(void)now;
	ctx.from = from;
	ctx.now = now_usec();
	if (rtcp_parse(buf, len, NULL, NULL) < 0) {
		media_node_drops[DROP_MALFORMED]++;
		return;
	}
	rtcp_parse(buf, len, report_packet, &ctx);
}
