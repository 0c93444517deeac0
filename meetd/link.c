/*
 * A node link: one TCP connection between two nodes, carrying frames.  Both
 * ends ping every [node] keepalive seconds and close a link that has been
 * silent for keepalive_timeout, so that a dead peer is found even when TCP
 * does not notice.  The owner (peer.c or remote.c) hears about frames and
 * about the close; the close is always reported from a callback of its own,
 * never from inside the owner's call, so the owner may free the link there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "meetd.h"

#define LINK_OUT_MAX	(16 * 1024 * 1024)

static void	link_read(struct bufferevent *, void *);
static void	link_write(struct bufferevent *, void *);
static void	link_event(struct bufferevent *, short, void *);
static void	link_tick(evutil_socket_t, short, void *);
static void	link_closed(evutil_socket_t, short, void *);

struct link_close {
	struct link	*link;
	char		*why;
};

struct link *
link_new(struct bufferevent *bev, const char *addr,
    void (*on_frame)(struct link *, int, json_t *, void *),
    void (*on_close)(struct link *, const char *, void *), void *arg)
{
	struct link	*l;
	struct timeval	 tv;

	l = xcalloc(1, sizeof *l);
	l->bev = bev;
	snprintf(l->addr, sizeof l->addr, "%s", addr);
	l->on_frame = on_frame;
	l->on_close = on_close;
	l->arg = arg;
	l->last_rx = mono_usec();
	bufferevent_setcb(bev, link_read, link_write, link_event, l);
	bufferevent_setwatermark(bev, EV_READ, 0, FRAME_HEADER + FRAME_MAX);
	/* Transfers refill the output when it drains below this. */
	bufferevent_setwatermark(bev, EV_WRITE, 128 * 1024, 0);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	l->keepalive = event_new(base, -1, EV_PERSIST, link_tick, l);
	tv.tv_sec = (time_t)cfg->keepalive;
	tv.tv_usec = (suseconds_t)((cfg->keepalive - (double)tv.tv_sec) * 1e6);
	event_add(l->keepalive, &tv);
	return l;
}

void
link_free(struct link *l)
{
	if (l == NULL)
		return;
	xfer_link_gone(l);
	event_free(l->keepalive);
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
	lc = xcalloc(1, sizeof *lc);
	lc->link = l;
	lc->why = xstrdup(why);
	event_base_once(base, -1, EV_TIMEOUT, link_closed, lc, NULL);
}

static void
link_closed(evutil_socket_t fd, short events, void *arg)
{
	struct link_close	*lc = arg;
	struct link		*l = lc->link;

	(void)fd;
	(void)events;
	/*
	 * A last frame (an error, a goodbye) goes out if the socket takes
	 * it; libevent keeps the buffer's front frozen while it owns writes.
	 */
	evbuffer_unfreeze(bufferevent_get_output(l->bev), 1);
	evbuffer_write(bufferevent_get_output(l->bev),
	    bufferevent_getfd(l->bev));
	l->on_close(l, lc->why, l->arg);
	free(lc->why);
	free(lc);
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
	(void)bev;
	xfer_link_writable(arg);
}

static void
link_event(struct bufferevent *bev, short what, void *arg)
{
	struct link	*l = arg;
	char		 why[256];

	(void)bev;
	if (what & BEV_EVENT_EOF)
		link_close(l, "closed by the other node");
	else if (what & BEV_EVENT_ERROR) {
		snprintf(why, sizeof why, "%s",
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		link_close(l, why);
	}
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
