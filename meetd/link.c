/*
 * A node link: one TLS 1.3 connection between two nodes, carrying frames.
 *
 * From its first byte a link is TLS (tls.c); when the handshake is done the
 * owner (peer.c or remote.c) hears the fingerprint of the far node's key
 * and decides whether to go on.  Until the owner says the link is ready
 * (its hello was answered), frames are small and the whole exchange has
 * [node] handshake_timeout seconds, so that a stranger cannot make the node
 * hold much for long; incoming links not ready yet are also counted, in
 * all and per address, and listen.c refuses more than [node]
 * max_handshakes of them.
 *
 * Both ends ping every [node] keepalive seconds and close a link that has
 * been silent for keepalive_timeout, so that a dead peer is found even when
 * TCP does not notice.  The owner hears about frames and about the close;
 * the close is always reported from a callback of its own, never from
 * inside the owner's call, so the owner may free the link there.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "frame.h"
#include "meetd.h"

#define LINK_OUT_MAX	(16 * 1024 * 1024)
#define LINK_HELLO_MAX	4096		/* a frame before the link is ready */
#define LINK_DRAIN	1.0		/* seconds for a last frame to leave */

static TAILQ_HEAD(, link) link_pending = TAILQ_HEAD_INITIALIZER(link_pending);

static void	link_read(struct bufferevent *, void *);
static void	link_write(struct bufferevent *, void *);
static void	link_event(struct bufferevent *, short, void *);
static void	link_tick(evutil_socket_t, short, void *);
static void	link_closed(evutil_socket_t, short, void *);
static void	link_deadline(evutil_socket_t, short, void *);
static void	link_drained(struct link *);
static void	link_drain_timeout(evutil_socket_t, short, void *);
static void	link_unpend(struct link *);
static void	link_secure(struct link *);
static void	link_error(struct bufferevent *, char *, size_t);

struct link_close {
	struct link	*link;
	char		*why;
};

/*
 * A link over bev, a TLS bufferevent still in its handshake.  on_secure is
 * called once the far node has shown its key (l->fp), on_frame for each
 * frame after that, on_close once.  incoming: we accepted it (it counts
 * against the handshake limits until link_ready).
 */
struct link *
link_new(struct bufferevent *bev, const char *addr, const char *host,
    int incoming, void (*on_secure)(struct link *, void *),
    void (*on_frame)(struct link *, int, json_t *, void *),
    void (*on_close)(struct link *, const char *, void *), void *arg)
{
	struct link	*l;

	l = xcalloc(1, sizeof *l);
	l->bev = bev;
	snprintf(l->addr, sizeof l->addr, "%s", addr);
	snprintf(l->host, sizeof l->host, "%s", host);
	l->incoming = incoming;
	l->on_secure = on_secure;
	l->on_frame = on_frame;
	l->on_close = on_close;
	l->arg = arg;
	l->last_rx = mono_usec();
	l->max_frame = LINK_HELLO_MAX;
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	bufferevent_setcb(bev, link_read, link_write, link_event, l);
	bufferevent_setwatermark(bev, EV_READ, 0, FRAME_HEADER +
	    LINK_HELLO_MAX);
	/* Transfers refill the output when it drains below this. */
	bufferevent_setwatermark(bev, EV_WRITE, 128 * 1024, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	l->keepalive = event_new(base, -1, EV_PERSIST, link_tick, l);
	l->deadline = timer_new(link_deadline, l);
	timer_start(l->deadline, cfg->handshake_timeout);
	TAILQ_INSERT_TAIL(&link_pending, l, pentry);
	l->pending = 1;
	return l;
}

/* The owner has the far node's hello: full-size frames from now on. */
void
link_ready(struct link *l)
{
	link_unpend(l);
	evtimer_del(l->deadline);
	l->max_frame = FRAME_MAX;
	bufferevent_setwatermark(l->bev, EV_READ, 0, FRAME_HEADER + FRAME_MAX);
}

static void
link_unpend(struct link *l)
{
	if (l->pending) {
		TAILQ_REMOVE(&link_pending, l, pentry);
		l->pending = 0;
	}
}

/*
 * May another incoming link from host start its handshake?  0, or -1 and
 * why in buf.
 */
int
link_may_accept(const char *host, char *buf, size_t len)
{
	struct link	*l;
	int		 all = 0, here = 0;

	TAILQ_FOREACH(l, &link_pending, pentry) {
		if (!l->incoming)
			continue;
		all++;
		if (strcmp(l->host, host) == 0)
			here++;
	}
	if (all >= cfg->max_handshakes) {
		snprintf(buf, len, "%d links are in their handshake "
		    "([node] max_handshakes)", all);
		return -1;
	}
	if (here >= cfg->max_handshakes_per_address) {
		snprintf(buf, len, "%d links from %s are in their handshake "
		    "([node] max_handshakes_per_address)", here, host);
		return -1;
	}
	return 0;
}

static void
link_deadline(evutil_socket_t fd, short events, void *arg)
{
	struct link	*l = arg;
	char		 why[128];

	(void)fd;
	(void)events;
	snprintf(why, sizeof why, "no %s within %g s", l->secure ?
	    "hello" : "TLS handshake", cfg->handshake_timeout);
	log_info("link %s: %s", l->addr, why);
	link_close(l, why);
}

void
link_free(struct link *l)
{
	if (l == NULL)
		return;
	link_unpend(l);
	xfer_link_gone(l);
	event_free(l->keepalive);
	event_free(l->deadline);
	if (l->drain != NULL)
		event_free(l->drain);
	free(l->why);
	bufferevent_free(l->bev);
	free(l);
}

void
link_send(struct link *l, int type, json_t *body)
{
	struct evbuffer	*out;
	uint8_t		*p;
	size_t		 len;

	if (l->closing)
		return;
	if ((p = frame_pack(type, body, &len)) == NULL) {
		log_warnx("link %s: frame too large, not sent", l->addr);
		return;
	}
	out = bufferevent_get_output(l->bev);
	if (evbuffer_get_length(out) + len > LINK_OUT_MAX) {
		free(p);
		link_close(l, "peer is not reading");
		return;
	}
	evbuffer_add(out, p, len);
	free(p);
}

/* Close the link; the owner hears of it from the event loop. */
void
link_close(struct link *l, const char *why)
{
	struct link_close	*lc;

	if (l->closing)
		return;
	l->closing = 1;
	bufferevent_disable(l->bev, EV_READ);
	event_del(l->keepalive);
	evtimer_del(l->deadline);
	lc = xcalloc(1, sizeof *lc);
	lc->link = l;
	lc->why = xstrdup(why);
	event_base_once(base, -1, EV_TIMEOUT, link_closed, lc, NULL);
}

/*
 * A last frame (an error, a goodbye) should reach the far end: wait for the
 * output to drain through TLS, for at most LINK_DRAIN seconds.
 */
static void
link_closed(evutil_socket_t fd, short events, void *arg)
{
	struct link_close	*lc = arg;
	struct link		*l = lc->link;

	(void)fd;
	(void)events;
	l->why = lc->why;
	free(lc);
	if (!l->secure ||
	    evbuffer_get_length(bufferevent_get_output(l->bev)) == 0) {
		link_drained(l);
		return;
	}
	bufferevent_setwatermark(l->bev, EV_WRITE, 0, 0);
	l->drain = evtimer_new(base, link_drain_timeout, l);
	timer_start(l->drain, LINK_DRAIN);
}

static void
link_drain_timeout(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	link_drained(arg);
}

/* Tell the owner, once; it may free l. */
static void
link_drained(struct link *l)
{
	char	*why = l->why;

	if (why == NULL)
		return;
	l->why = NULL;
	if (l->drain != NULL)
		evtimer_del(l->drain);
	l->on_close(l, why, l->arg);
	free(why);
}

static void
link_read(struct bufferevent *bev, void *arg)
{
	struct link		*l = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct frame_header	 h;
	uint8_t			 hdr[FRAME_HEADER], *body;
	char			 err[256], why[300];
	json_t			*o;

	while (!l->closing && evbuffer_get_length(in) >= FRAME_HEADER) {
		evbuffer_copyout(in, hdr, FRAME_HEADER);
		if (frame_header_parse(hdr, &h, err, sizeof err) != 0) {
			log_warnx("link %s: %s", l->addr, err);
			snprintf(why, sizeof why, "bad frame: %s", err);
			link_close(l, why);
			return;
		}
		if (h.length > l->max_frame) {
			log_warnx("link %s: a frame of %zu bytes before hello",
			    l->addr, h.length);
			link_close(l, "frame too large before hello");
			return;
		}
		if (evbuffer_get_length(in) < FRAME_HEADER + h.length)
			return;
		evbuffer_drain(in, FRAME_HEADER);
		body = evbuffer_pullup(in, (ssize_t)h.length);
		l->last_rx = mono_usec();
		if (h.type == FRAME_CHUNK) {	/* raw bytes, not JSON */
			xfer_input_chunk(l, body, h.length);
			evbuffer_drain(in, h.length);
			continue;
		}
		o = frame_body_parse(body, h.length, err, sizeof err);
		evbuffer_drain(in, h.length);
		if (o == NULL) {
			log_warnx("link %s: %s", l->addr, err);
			link_close(l, err);
			return;
		}
		if (h.type == FRAME_PING)
			link_send(l, FRAME_PONG, NULL);
		else if (h.type == FRAME_ACK)
			xfer_input_ack(l, o);
		else if (h.type == FRAME_ABORT)
			xfer_input_abort(l, o);
		else if (h.type != FRAME_PONG)
			l->on_frame(l, h.type, o, l->arg);
		json_decref(o);
	}
}

static void
link_write(struct bufferevent *bev, void *arg)
{
	struct link	*l = arg;

	if (l->closing) {
		if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
			link_drained(l);
		return;
	}
	xfer_link_writable(l);
}

static void
link_event(struct bufferevent *bev, short what, void *arg)
{
	struct link	*l = arg;
	struct evbuffer	*out;
	char		 why[256];

	if (what & BEV_EVENT_CONNECTED) {
		link_secure(l);
		return;
	}
	if (l->closing) {
		link_drained(l);	/* nothing more will leave */
		return;
	}
	/*
	 * Nor will it when the link is not closing yet: after an EOF or an
	 * error libevent's TLS bufferevent writes nothing more, so what waits
	 * is dropped, and the owner hears of the close now rather than when
	 * LINK_DRAIN has passed.
	 */
	out = bufferevent_get_output(bev);
	evbuffer_drain(out, evbuffer_get_length(out));
	if (what & BEV_EVENT_EOF)
		link_close(l, l->secure ? "closed by the other node" :
		    "closed by the other node during the TLS handshake");
	else if (what & BEV_EVENT_ERROR) {
		link_error(bev, why, sizeof why);
		link_close(l, why);
	}
}

/* What went wrong, from OpenSSL's queue or else the socket. */
static void
link_error(struct bufferevent *bev, char *buf, size_t len)
{
	unsigned long	 e;
	char		 s[256];

	if ((e = bufferevent_get_openssl_error(bev)) != 0) {
		ERR_error_string_n(e, s, sizeof s);
		snprintf(buf, len, "TLS: %.200s", s);
		while (bufferevent_get_openssl_error(bev) != 0)
			;
		return;
	}
	if ((e = (unsigned long)bufferevent_socket_get_dns_error(bev)) != 0) {
		snprintf(buf, len, "%.200s", evutil_gai_strerror((int)e));
		return;
	}
	snprintf(buf, len, "%s",
	    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

/* The handshake is done: the owner hears whose key the far end holds. */
static void
link_secure(struct link *l)
{
	struct timeval	 tv;
	SSL		*ssl = bufferevent_openssl_get_ssl(l->bev);
	int		 one = 1;

	if (tls_peer_fingerprint(ssl, l->fp, sizeof l->fp) != 0) {
		link_close(l, "the other node showed no key");
		return;
	}
	/*
	 * Frames are small and each is waited for: without this, a hello
	 * written right after TLS's last flight waits ~40 ms for an ACK
	 * (Nagle against delayed ACKs).  Bulk transfers fill whole segments
	 * anyway.
	 */
	if (setsockopt(bufferevent_getfd(l->bev), IPPROTO_TCP, TCP_NODELAY,
	    &one, sizeof one) != 0)
		log_debug("link %s: TCP_NODELAY: %s", l->addr,
		    strerror(errno));
	l->secure = 1;
	l->last_rx = mono_usec();
	tv.tv_sec = (time_t)cfg->keepalive;
	tv.tv_usec = (suseconds_t)((cfg->keepalive - (double)tv.tv_sec) * 1e6);
	event_add(l->keepalive, &tv);
	l->on_secure(l, l->arg);
}

static void
link_tick(evutil_socket_t fd, short events, void *arg)
{
	struct link	*l = arg;
	double		 silent;
	char		 why[128];

	(void)fd;
	(void)events;
	silent = (double)(mono_usec() - l->last_rx) / 1e6;
	if (silent > cfg->keepalive_timeout) {
		snprintf(why, sizeof why, "no keepalive for %.1f s", silent);
		log_warnx("link %s: %s", l->addr, why);
		link_close(l, why);
		return;
	}
	link_send(l, FRAME_PING, NULL);
}
