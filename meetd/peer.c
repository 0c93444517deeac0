/*
 * Peers: the links this node opens to nodes that host rooms its sessions
 * join.  There is one peer per remote node, shared by every session that
 * uses it, and by rooms HOST.
 *
 * A link is TLS; before anything of meet's goes out (not even the hello),
 * the far node's key must be the one this node expects for its address:
 * the one --fingerprint pinned, else the one in the known-nodes file, else
 * (first contact) it is written there.  A node that shows another key is
 * refused, and never retried.
 *
 * When a link drops, the peer reconnects with backoff (doubling up to
 * [node] reconnect_max) and, once the far node answers hello as the same
 * node (the same key, the same run), says which sessions it still has
 * (resume).  If that does not happen within [node] link_grace, or the far
 * node restarted, the sessions get a disconnected event and end.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

#include "meetd.h"

static TAILQ_HEAD(, peer) peers = TAILQ_HEAD_INITIALIZER(peers);

static void	peer_connect(struct peer *);
static void	peer_secure(struct link *, void *);
static int	peer_check_key(struct peer *, const char *, char *, size_t);
static void	peer_frame(struct link *, int, json_t *, void *);
static void	peer_closed(struct link *, const char *, void *);
static void	peer_down(struct peer *, const char *);
static void	peer_retry(evutil_socket_t, short, void *);
static void	peer_grace(evutil_socket_t, short, void *);
static void	peer_idle(evutil_socket_t, short, void *);
static void	peer_fail_requests(struct peer *, const char *);
static void	peer_disconnect_all(struct peer *, const char *);
static void	peer_resumed(json_t *, void *);
static void	peer_send(struct peer *, struct peer_req *);
static void	peer_check_idle(struct peer *);

/*
 * Find or open the peer for a node; NULL and *cause when it cannot be.  pin,
 * when not NULL, is the fingerprint the node's key must have.
 */
struct peer *
peer_get(const struct node_addr *na, const char *pin, char **cause)
{
	struct peer	*p;
	char		 addr[ADDR_HOST_MAX + 8];

	node_addr_format(na, addr, sizeof addr);
	TAILQ_FOREACH(p, &peers, entry) {
		if (strcmp(p->addr, addr) != 0 || p->bye)
			continue;
		if (pin != NULL && ((p->fp[0] != '\0' &&
		    strcmp(p->fp, pin) != 0) || (p->pin[0] != '\0' &&
		    strcmp(p->pin, pin) != 0))) {
			xasprintf(cause, "the node at %s has key %s, not %s "
			    "(--fingerprint)", addr, p->fp[0] != '\0' ?
			    p->fp : p->pin, pin);
			return NULL;
		}
		return p;
	}
	if (shutting_down) {
		xasprintf(cause, "meetd is shutting down");
		return NULL;
	}
	p = xcalloc(1, sizeof *p);
	snprintf(p->addr, sizeof p->addr, "%s", addr);
	p->na = *na;
	if (pin != NULL)
		snprintf(p->pin, sizeof p->pin, "%s", pin);
	p->id = next_id();
	media_node_master(p->media_out);
	p->backoff = 0.1;
	TAILQ_INIT(&p->sent);
	TAILQ_INIT(&p->queued);
	TAILQ_INIT(&p->sessions);
	p->retry = timer_new(peer_retry, p);
	p->grace = timer_new(peer_grace, p);
	p->idle = timer_new(peer_idle, p);
	TAILQ_INSERT_TAIL(&peers, p, entry);
	peer_connect(p);
	return p;
}

/*
 * Open the link: the name is resolved by libevent's resolver, so that a slow
 * DNS server cannot stall the node, and TLS starts once TCP is up.
 */
static void
peer_connect(struct peer *p)
{
	struct bufferevent	*bev;
	char			 why[512];

	p->state = PEER_CONNECTING;
	bev = bufferevent_openssl_socket_new(base, -1, tls_new(0),
	    BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		peer_down(p, "cannot make a TLS connection");
		return;
	}
	p->link = link_new(bev, p->addr, p->na.host, 0, peer_secure,
	    peer_frame, peer_closed, p);
	if (bufferevent_socket_connect_hostname(bev, dns, AF_UNSPEC,
	    p->na.host, p->na.port) != 0) {
		snprintf(why, sizeof why, "%s: %s", p->na.host,
		    strerror(errno));
		link_close(p->link, why);
	}
}

/*
 * Is fp the key the node at p's address should have?  0, or -1 and why.
 * On first contact the key is remembered.
 */
static int
peer_check_key(struct peer *p, const char *fp, char *why, size_t len)
{
	char	 known[NODEKEY_FP_LEN + 1], *cause;
	int	 r;

	if (p->fp[0] != '\0' && strcmp(p->fp, fp) != 0) {
		snprintf(why, len, "the node at %s now has key %s, not %s as "
		    "before", p->addr, fp, p->fp);
		return -1;
	}
	if (p->pin[0] != '\0' && strcmp(p->pin, fp) != 0) {
		snprintf(why, len, "the node at %s has key %s, not %s "
		    "(--fingerprint)", p->addr, fp, p->pin);
		return -1;
	}
	r = knownnodes_lookup(p->addr, known, sizeof known, &cause);
	if (r == -1) {
		snprintf(why, len, "%s", cause);
		free(cause);
		return -1;
	}
	if (r == 1 && strcmp(known, fp) != 0) {
		snprintf(why, len, "the node at %s has key %s, not %s as %s "
		    "says; if its key really changed, remove that line", p->addr,
		    fp, known, knownnodes_path());
		return -1;
	}
	if (r == 0) {
		if (knownnodes_add(p->addr, fp, &cause) != 0) {
			log_warnx("%s", cause);
			free(cause);
		} else
			log_info("first link to %s: its key %s is now in %s",
			    p->addr, fp, knownnodes_path());
	}
	snprintf(p->fp, sizeof p->fp, "%s", fp);
	return 0;
}

/* TLS is up: if the key is right, say hello. */
static void
peer_secure(struct link *l, void *arg)
{
	struct peer	*p = arg;
	json_t		*hello;
	char		 why[1024], key[48];

	if (peer_check_key(p, l->fp, why, sizeof why) != 0) {
		log_warnx("link to %s refused: %s", p->addr, why);
		p->bye = 1;	/* a wrong key does not become right */
		link_close(l, why);
		return;
	}
	/* Media goes to the UDP port of the number the link reached. */
	p->media_len = sizeof p->media_addr;
	if (getpeername(bufferevent_getfd(l->bev),
	    (struct sockaddr *)&p->media_addr, &p->media_len) != 0)
		p->media_len = 0;
	/* The master of what this node sends the hub, over TLS. */
	media_node_master_b64(p->media_out, key);
	hello = json_pack("{s:i,s:s,s:s,s:i,s:s}", "version", PROTO_VERSION,
	    "instance", node_id, "name", cfg->node_name, "media_port",
	    p->media_len != 0 ? media_far_port(p,
	    p->media_addr.ss_family) : listen_port(), "media_key", key);
	link_send(l, FRAME_HELLO, hello);
	json_decref(hello);
	explicit_bzero(key, sizeof key);
}

/* The far node answered hello: resume sessions, send what waited. */
static void
peer_hello(struct peer *p, json_t *body)
{
	struct peer_req	*r;
	struct session	*s;
	json_t		*v, *ids, *req;
	const char	*far;
	char		*cause, why[512];

	v = json_object_get(body, "version");
	far = json_string_value(json_object_get(body, "instance"));
	if (!json_is_integer(v) || json_integer_value(v) != PROTO_VERSION) {
		snprintf(why, sizeof why, "the node at %s speaks protocol "
		    "version %lld; this node speaks %d", p->addr,
		    json_is_integer(v) ? (long long)json_integer_value(v) : 0,
		    PROTO_VERSION);
		p->bye = 1;
		link_close(p->link, why);
		return;
	}
	if (far == NULL || strlen(far) != 32 ||
	    media_node_master_parse(json_string_value(json_object_get(body,
	    "media_key")), p->media_in) != 0) {
		link_close(p->link, "bad hello");
		return;
	}
	/* SRTP: the workers have this node's keys before any media. */
	media_node_keys(p->id, p->media_in, p->media_out);
	p->media_keyed = 1;
	link_ready(p->link);
	if (p->node[0] != '\0' && strcmp(p->node, far) != 0)
		peer_disconnect_all(p, "the node hosting the room restarted");
	snprintf(p->node, sizeof p->node, "%s", far);
	if (p->was_up)
		log_info("link to %s is back", p->addr);
	else
		log_info("link to %s is up", p->addr);
	p->state = PEER_UP;
	p->backoff = 0.1;
	evtimer_del(p->grace);

	/* Always say which sessions are still here, even none. */
	ids = json_array();
	TAILQ_FOREACH(s, &p->sessions, pentry) {
		if (s->state != SESSION_JOINING)
			json_array_append_new(ids, json_string(s->wire));
	}
	req = json_pack("{s:s,s:o}", "op", "resume", "sessions", ids);
	if (peer_request(p, req, peer_resumed, p, &cause) != 0) {
		log_warnx("link to %s: %s", p->addr, cause);
		free(cause);
	}
	json_decref(req);
	p->was_up = 1;

	while ((r = TAILQ_FIRST(&p->queued)) != NULL) {
		TAILQ_REMOVE(&p->queued, r, entry);
		peer_send(p, r);
	}
	file_peer_up(p);
}

/* The host's answer to resume: sessions it no longer knows end. */
static void
peer_resumed(json_t *reply, void *arg)
{
	struct peer	*p = arg;
	struct session	*s, *s1;
	json_t		*alive, *v;
	size_t		 i;
	int		 found;

	if (reply == NULL)
		return;
	alive = json_object_get(reply, "alive");
	TAILQ_FOREACH_SAFE(s, &p->sessions, pentry, s1) {
		if (s->state == SESSION_JOINING)
			continue;
		found = 0;
		json_array_foreach(alive, i, v) {
			if (json_is_string(v) &&
			    strcmp(json_string_value(v), s->wire) == 0)
				found = 1;
		}
		if (!found)
			session_end(s, "disconnected",
			    "the room's node no longer knows this session");
	}
}

static void
peer_send(struct peer *p, struct peer_req *r)
{
	json_object_set_new(r->req, "id", json_integer((json_int_t)r->id));
	link_send(p->link, FRAME_REQUEST, r->req);
	TAILQ_INSERT_TAIL(&p->sent, r, entry);
}

/*
 * Send a request; cb gets the reply (or a made-up one with code 1 when the
 * link fails first), exactly once, never from inside this call.  -1 and
 * *cause when the link is down.
 */
int
peer_request(struct peer *p, json_t *req, peer_cb cb, void *arg, char **cause)
{
	struct peer_req	*r;

	if (p->state == PEER_DOWN || p->bye) {
		if (!p->was_up)
			xasprintf(cause, "cannot reach %s: %s", p->addr,
			    p->why);
		else
			xasprintf(cause, "the link to %s is down (%s)%s",
			    p->addr, p->why, p->bye ? "" : "; reconnecting");
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	r->id = ++p->next_req;
	r->req = json_deep_copy(req);
	r->cb = cb;
	r->arg = arg;
	if (p->state == PEER_UP)
		peer_send(p, r);
	else
		TAILQ_INSERT_TAIL(&p->queued, r, entry);
	return 0;
}

static void
peer_req_free(struct peer_req *r)
{
	json_decref(r->req);
	free(r);
}

static void
peer_reply(struct peer *p, json_t *body)
{
	struct peer_req	*r;
	json_t		*v;

	v = json_object_get(body, "id");
	if (!json_is_integer(v))
		return;
	TAILQ_FOREACH(r, &p->sent, entry) {
		if (r->id == (uint64_t)json_integer_value(v))
			break;
	}
	if (r == NULL) {
		log_warnx("link %s: reply to unknown request", p->addr);
		return;
	}
	TAILQ_REMOVE(&p->sent, r, entry);
	r->cb(body, r->arg);
	peer_req_free(r);
}

static void
peer_event(struct peer *p, json_t *body)
{
	struct session	*s;
	json_t		*ev, *v;

	v = json_object_get(body, "session");
	ev = json_object_get(body, "event");
	if (!json_is_string(v) || !json_is_object(ev) ||
	    !json_is_string(json_object_get(ev, "event"))) {
		log_warnx("link %s: malformed event", p->addr);
		return;
	}
	TAILQ_FOREACH(s, &p->sessions, pentry) {
		if (strcmp(s->wire, json_string_value(v)) == 0)
			break;
	}
	if (s == NULL) {
		log_debug("link %s: event for a session that is gone",
		    p->addr);
		return;
	}
	session_deliver(s, ev, json_is_true(json_object_get(body, "end")));
}

static void
peer_frame(struct link *l, int type, json_t *body, void *arg)
{
	struct peer	*p = arg;
	const char	*why;

	if (p->state != PEER_UP && type != FRAME_HELLO &&
	    type != FRAME_ERROR) {
		link_close(l, "frame before hello");
		return;
	}
	switch (type) {
	case FRAME_HELLO:
		peer_hello(p, body);
		break;
	case FRAME_REPLY:
		peer_reply(p, body);
		break;
	case FRAME_EVENT:
		peer_event(p, body);
		break;
	case FRAME_BYE:
	case FRAME_ERROR:
		why = json_string_value(json_object_get(body,
		    type == FRAME_BYE ? "reason" : "error"));
		log_info("link to %s: %s: %s", p->addr,
		    type == FRAME_BYE ? "node going away" : "refused",
		    why != NULL ? why : "no reason");
		p->bye = 1;
		link_close(l, why != NULL ? why : "node going away");
		break;
	default:
		link_close(l, "unexpected frame type");
		break;
	}
}

static void
peer_closed(struct link *l, const char *why, void *arg)
{
	struct peer	*p = arg;

	(void)l;
	peer_down(p, why);
}

/* Fail every request not answered yet. */
static void
peer_fail_requests(struct peer *p, const char *why)
{
	struct peer_req	*r;
	json_t		*reply;
	char		*err;

	if (p->was_up)
		xasprintf(&err, "link to %s lost: %s\n", p->addr, why);
	else
		xasprintf(&err, "cannot reach %s: %s\n", p->addr, why);
	reply = json_pack("{s:i,s:s}", "code", EXIT_REFUSED, "err", err);
	free(err);
	while ((r = TAILQ_FIRST(&p->sent)) != NULL ||
	    (r = TAILQ_FIRST(&p->queued)) != NULL) {
		if (r == TAILQ_FIRST(&p->sent))
			TAILQ_REMOVE(&p->sent, r, entry);
		else
			TAILQ_REMOVE(&p->queued, r, entry);
		r->cb(reply, r->arg);
		peer_req_free(r);
	}
	json_decref(reply);
}

static void
peer_disconnect_all(struct peer *p, const char *why)
{
	struct session	*s, *s1;

	TAILQ_FOREACH_SAFE(s, &p->sessions, pentry, s1) {
		if (s->state != SESSION_JOINING)
			session_end(s, "disconnected", why);
	}
}

static void
peer_down(struct peer *p, const char *why)
{
	if (p->link != NULL) {
		link_free(p->link);
		p->link = NULL;
	}
	snprintf(p->why, sizeof p->why, "%s", why);
	if (p->state == PEER_UP || p->was_up)
		log_warnx("link to %s down: %s", p->addr, why);
	else
		log_warnx("cannot reach %s: %s", p->addr, why);
	p->state = PEER_DOWN;
	peer_fail_requests(p, why);
	if (p->bye || shutting_down)
		peer_disconnect_all(p, why);
	else if (!TAILQ_EMPTY(&p->sessions) && p->was_up) {
		if (!evtimer_pending(p->grace, NULL))
			timer_start(p->grace, cfg->link_grace);
		timer_start(p->retry, p->backoff);
		p->backoff *= 2;
		if (p->backoff > cfg->reconnect_max)
			p->backoff = cfg->reconnect_max;
	}
	peer_check_idle(p);
}

static void
peer_retry(evutil_socket_t fd, short events, void *arg)
{
	struct peer	*p = arg;

	(void)fd;
	(void)events;
	if (p->state == PEER_DOWN && !p->bye)
		peer_connect(p);
}

static void
peer_grace(evutil_socket_t fd, short events, void *arg)
{
	struct peer	*p = arg;
	char		 why[512];

	(void)fd;
	(void)events;
	if (p->state == PEER_UP)
		return;
	snprintf(why, sizeof why, "no link to %s for %g s", p->addr,
	    cfg->link_grace);
	evtimer_del(p->retry);
	p->bye = 1;
	peer_disconnect_all(p, why);
	peer_check_idle(p);
}

/* Free the peer later if nothing uses it any more. */
static void
peer_check_idle(struct peer *p)
{
	if (TAILQ_EMPTY(&p->sessions) && TAILQ_EMPTY(&p->sent) &&
	    TAILQ_EMPTY(&p->queued))
		event_active(p->idle, EV_TIMEOUT, 0);
}

static void
peer_idle(evutil_socket_t fd, short events, void *arg)
{
	struct peer	*p = arg;

	(void)fd;
	(void)events;
	if (!TAILQ_EMPTY(&p->sessions) || !TAILQ_EMPTY(&p->sent) ||
	    !TAILQ_EMPTY(&p->queued))
		return;
	if (p->link != NULL && p->link->closing)
		return;		/* peer_closed comes, and checks again */
	TAILQ_REMOVE(&peers, p, entry);
	xfer_forget_owner(p);
	if (p->media_keyed)
		media_node_gone(p->id);
	explicit_bzero(p->media_in, sizeof p->media_in);
	explicit_bzero(p->media_out, sizeof p->media_out);
	if (p->link != NULL)
		link_free(p->link);
	event_free(p->retry);
	event_free(p->grace);
	event_free(p->idle);
	log_debug("peer %s freed", p->addr);
	free(p);
}

void
peer_attach_session(struct peer *p, struct session *s)
{
	s->peer = p;
	TAILQ_INSERT_TAIL(&p->sessions, s, pentry);
}

void
peer_detach_session(struct session *s)
{
	struct peer	*p = s->peer;

	TAILQ_REMOVE(&p->sessions, s, pentry);
	s->peer = NULL;
	peer_check_idle(p);
}

/* Shutting down: leave every remote room, say goodbye, close. */
void
peer_close_all(void)
{
	struct peer	*p;
	struct session	*s, *s1;
	json_t		*bye;

	bye = json_pack("{s:s}", "reason", "node shutting down");
	TAILQ_FOREACH(p, &peers, entry) {
		evtimer_del(p->retry);
		evtimer_del(p->grace);
		if (p->state == PEER_UP)
			link_send(p->link, FRAME_BYE, bye);
		p->bye = 1;
		TAILQ_FOREACH_SAFE(s, &p->sessions, pentry, s1)
			session_end(s, "disconnected", "meetd is shutting down");
		peer_fail_requests(p, "meetd is shutting down");
		/*
		 * Nothing uses the peer now: it is freed once its link has
		 * closed (after the goodbye has left), or at once.  Ending
		 * the sessions did not free it while requests were pending.
		 */
		if (p->link != NULL)
			link_close(p->link, "shutting down");
		else
			peer_check_idle(p);
	}
	json_decref(bye);
}

json_t *
peer_list(void)
{
	struct peer	*p;
	struct session	*s;
	json_t		*a = json_array();
	const char	*state;
	int		 n;

	TAILQ_FOREACH(p, &peers, entry) {
		n = 0;
		TAILQ_FOREACH(s, &p->sessions, pentry)
			n++;
		state = p->state == PEER_UP ? "up" :
		    p->state == PEER_CONNECTING ? "connecting" : "down";
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:s?}",
		    "node", p->addr, "direction", "out", "state", state,
		    "sessions", n, "fingerprint", p->fp[0] != '\0' ? p->fp :
		    NULL));
	}
	return a;
}

u_int
peer_count(void)
{
	struct peer	*p;
	u_int		 n = 0;

	TAILQ_FOREACH(p, &peers, entry)
		n++;
	return n;
}
