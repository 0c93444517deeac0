/*
 * The page's server, on [web] listen: one HTTP/1.1 request a connection
 * (the page's files, compiled in, and shared files for download), or the
 * WebSocket upgrade, after which the connection carries the page's JSON
 * messages to a browser participant (web-client.c) and its events back.
 *
 * Browsers are strangers until they speak WebSocket, and even then they
 * only ask for what any participant may: a connection that has not sent
 * its request has [web] handshake_timeout to do so, at most [web]
 * max_handshakes of those are held, and at most [web] max_connections in
 * all; a request head is at most HTTP_HEAD_MAX bytes (lib/http.c), a
 * message at most [web] max_message; what the node sends a browser that
 * stops reading is bounded, and past the bound the browser is dropped, so
 * that it delays nobody else.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "http.h"
#include "meetd.h"
#include "web.h"
#include "websocket.h"

#define WEB_OUT_MAX	(1024 * 1024)	/* queued for a browser, at most */
#define WEB_CLOSE_WAIT	2.0		/* for a close frame to go out */
#define WEB_PING_EVERY	15.0		/* seconds */
#define WEB_IDLE_MAX	45.0		/* heard nothing: it is gone */
#define WEB_SEND_WAIT	30		/* a response's write timeout */

enum web_state {
	WEB_HTTP,		/* waiting for its request */
	WEB_OPEN,		/* a WebSocket */
	WEB_FETCHING,		/* a download waits for its file */
	WEB_CLOSING		/* its last bytes are going out */
};

struct web_conn {
	uint64_t		 id;
	struct bufferevent	*bev;
	char			 addr[ADDR_HOST_MAX + 8];
	enum web_state		 state;
	int			 handshake;	/* counted in web_nhandshakes */
	int			 lingering;	/* written all, reads to EOF */
	struct event		*timer;		/* deadline, ping, close */
	uint64_t		 last_rx;	/* usec */
	struct ws_reader	 reader;
	char			 secret[WEB_SECRET_LEN + 1];
	struct web_client	*client;	/* once open */
	struct web_fetch	*fetch;		/* fetching */
	TAILQ_ENTRY(web_conn)	 entry;
};
static TAILQ_HEAD(, web_conn) web_conns = TAILQ_HEAD_INITIALIZER(web_conns);
static struct evconnlistener	*web_listener;
static char			 web_bound[ADDR_HOST_MAX + 8];
static u_int			 web_nconns;
static u_int			 web_nhandshakes;
static struct http_request	 web_req;	/* one at a time */

static void	web_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	web_refuse(int, const char *);
static void	web_read(struct bufferevent *, void *);
static void	web_written(struct bufferevent *, void *);
static void	web_event(struct bufferevent *, short, void *);
static void	web_timer(evutil_socket_t, short, void *);
static void	web_settle(struct web_conn *);
static void	web_free(struct web_conn *);
static void	web_fail(struct web_conn *, const char *);
static void	web_http_input(struct web_conn *);
static void	web_route(struct web_conn *, const struct http_request *);
static void	web_respond_head(struct web_conn *, int, const char *,
		    const char *, uint64_t);
static void	web_respond(struct web_conn *, int, const char *,
		    const char *, const void *, size_t, int);
static void	web_error(struct web_conn *, int, const char *, int);
static void	web_upgrade(struct web_conn *, const struct http_request *);
static int	web_origin_ok(const struct http_request *);
static void	web_download(struct web_conn *, const char *, int);
static void	web_send_file(struct web_conn *, int, const char *, uint64_t,
		    int);
static void	web_ws_input(struct web_conn *);
static void	web_send_frame(struct web_conn *, int, const void *, size_t);

int
web_start(const char *addr, int tolerant, char **cause)
{
	struct node_addr	 na;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 err[256];

	if (*addr == '\0') {
		log_info("web: off ([web] listen is empty)");
		return 0;
	}
	if (cfg->web_certificate != NULL && web_tls_init(cfg->web_certificate,
	    cfg->web_certificate_key, cause) != 0)
		return -1;
	if (node_addr_parse(addr, WEB_DEFAULT_PORT, &na, err,
	    sizeof err) != 0) {
		xasprintf(cause, "[web] listen %s", err);
		return -1;
	}
	if (node_addr_resolve(&na, AF_UNSPEC, SOCK_STREAM, AI_PASSIVE, &ss,
	    &sslen, err, sizeof err) != 0) {
		xasprintf(cause, "[web] listen %s: %s", addr, err);
		return -1;
	}
	web_listener = evconnlistener_new_bind(base, web_accept, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    64, (struct sockaddr *)&ss, (int)sslen);
	if (web_listener == NULL) {
		/*
		 * Nodes on one machine all have the default: the first has
		 * the page, the others go on without one.
		 */
		if (tolerant && errno == EADDRINUSE) {
			log_warnx("web: %s is in use: no page on this node "
			    "(set [web] listen)", addr);
			return 0;
		}
		xasprintf(cause, "[web] listen on %s: %s", addr,
		    strerror(errno));
		return -1;
	}
	sslen = sizeof ss;
	if (getsockname(evconnlistener_get_fd(web_listener),
	    (struct sockaddr *)&ss, &sslen) != 0) {
		xasprintf(cause, "[web] listen on %s: cannot read the bound "
		    "address", addr);
		evconnlistener_free(web_listener);
		web_listener = NULL;
		return -1;
	}
	sockaddr_string((struct sockaddr *)&ss, web_bound, sizeof web_bound);
	log_info("web: the page is at %s://%s/", web_tls_on() ? "https" :
	    "http", web_bound);
	return 0;
}

/* Shutting down: every browser is told, and every connection closed. */
void
web_stop(void)
{
	struct web_conn	*c, *c1;

	if (web_listener != NULL) {
		evconnlistener_free(web_listener);
		web_listener = NULL;
	}
	TAILQ_FOREACH_SAFE(c, &web_conns, entry, c1) {
		if (c->state == WEB_OPEN) {
			web_close(c, WS_CLOSE_GOING_AWAY, "meetd is shutting "
			    "down");
			/* As far as one write goes: the loop is ending. */
			if (!web_tls_on())
				evbuffer_write(bufferevent_get_output(c->bev),
				    bufferevent_getfd(c->bev));
		}
		web_free(c);
	}
	web_bound[0] = '\0';
	web_tls_free();
}

/* "ADDR:PORT" of the page, "" when there is none. */
const char *
web_address(void)
{
	return web_bound;
}

u_int
web_conn_count(void)
{
	return web_nconns;
}

uint64_t
web_conn_id(struct web_conn *c)
{
	return c->id;
}

const char *
web_conn_secret(struct web_conn *c)
{
	return c->secret;
}

const char *
web_conn_addr(struct web_conn *c)
{
	return c->addr;
}

struct web_client *
web_conn_client(struct web_conn *c)
{
	return c->client;
}

struct web_conn *
web_conn_find(uint64_t id)
{
	struct web_conn	*c;

	TAILQ_FOREACH(c, &web_conns, entry) {
		if (c->id == id)
			return c;
	}
	return NULL;
}

/* Past a limit: a short answer, as far as one write goes, and close. */
static void
web_refuse(int fd, const char *why)
{
	char	buf[512];
	int	n;

	if (web_tls_on()) {
		close(fd);	/* plain words would be noise to TLS */
		return;
	}
	n = snprintf(buf, sizeof buf, "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\nRetry-After: 5\r\n\r\n%s\n",
	    strlen(why) + 1, why);
	if (send(fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) == -1)
		log_debug("web: refusal not sent: %s", strerror(errno));
	close(fd);
}

static void
web_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct web_conn	*c;
	struct ssl_st	*ssl;
	char		 addr[ADDR_HOST_MAX + 8];
	int		 one = 1;

	(void)l;
	(void)salen;
	(void)arg;
	sockaddr_string(sa, addr, sizeof addr);
	if (shutting_down) {
		close(fd);
		return;
	}
	if (web_nconns >= (u_int)cfg->web_max_connections) {
		log_warnx("web: %s refused: %u connections ([web] "
		    "max_connections)", addr, web_nconns);
		web_refuse(fd, "too many connections");
		return;
	}
	if (web_nhandshakes >= (u_int)cfg->web_max_handshakes) {
		log_warnx("web: %s refused: %u connections have not sent their "
		    "request ([web] max_handshakes)", addr, web_nhandshakes);
		web_refuse(fd, "too many connections waiting");
		return;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
		log_debug("web: TCP_NODELAY: %s", strerror(errno));

	c = xcalloc(1, sizeof *c);
	c->id = next_id();
	snprintf(c->addr, sizeof c->addr, "%s", addr);
	c->state = WEB_HTTP;
	c->handshake = 1;
	web_nhandshakes++;
	web_nconns++;
	if (web_tls_on()) {
		/* The handshake is within the request's deadline. */
		if ((ssl = web_tls_new()) == NULL)
			fatalx("SSL_new: %s", tls_error_string());
		c->bev = bufferevent_openssl_socket_new(base, fd, ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
		if (c->bev != NULL)
			bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	} else
		c->bev = bufferevent_socket_new(base, fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatalx("bufferevent_socket_new");
	/* The head is read up to its limit and no further. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_HEAD_MAX);
	bufferevent_setcb(c->bev, web_read, web_written, web_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->timer = timer_new(web_timer, c);
	timer_start(c->timer, cfg->web_handshake_timeout);
	TAILQ_INSERT_TAIL(&web_conns, c, entry);
	log_debug("web: connection %llu from %s", (unsigned long long)c->id,
	    addr);
}

/* No longer waiting for a request: off the handshake count. */
static void
web_settle(struct web_conn *c)
{
	if (c->handshake) {
		c->handshake = 0;
		web_nhandshakes--;
	}
}

static void
web_free(struct web_conn *c)
{
	log_debug("web: connection %llu from %s closed",
	    (unsigned long long)c->id, c->addr);
	if (c->client != NULL) {
		web_client_free(c->client);	/* its participant leaves */
		c->client = NULL;
	}
	if (c->fetch != NULL) {
		web_fetch_cancel(c->fetch);	/* nobody waits for it now */
		c->fetch = NULL;
	}
	web_settle(c);
	web_nconns--;
	TAILQ_REMOVE(&web_conns, c, entry);
	event_free(c->timer);
	bufferevent_free(c->bev);
	ws_reader_free(&c->reader);
	free(c);
}

/*
 * Drop c without a word (it does not read, or it is gone): it is freed from
 * the loop, so that whoever called may still use it until they return.
 */
static void
web_fail(struct web_conn *c, const char *why)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);

	if (c->state == WEB_CLOSING && evbuffer_get_length(out) == 0)
		return;		/* already on its way out */
	log_warnx("web: %s: %s", c->addr, why);
	c->state = WEB_CLOSING;
	c->lingering = 1;	/* nothing more is read or written */
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	evbuffer_drain(out, evbuffer_get_length(out));
	timer_start(c->timer, 0);
}

static void
web_read(struct bufferevent *bev, void *arg)
{
	struct web_conn	*c = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);

	switch (c->state) {
	case WEB_HTTP:
		web_http_input(c);
		break;
	case WEB_OPEN:
		c->last_rx = now_usec();
		web_ws_input(c);
		break;
	case WEB_FETCHING:
	case WEB_CLOSING:
		evbuffer_drain(in, evbuffer_get_length(in));
		break;
	}
}

/*
 * Everything queued went out: a connection that is closing says it is done
 * writing and reads what is left until the peer closes, or for a moment.
 * Closed at once with unread input, the kernel would reset it, and the
 * peer might lose the answer it was just sent.
 */
static void
web_written(struct bufferevent *bev, void *arg)
{
	struct web_conn	*c = arg;

	if (c->state != WEB_CLOSING || c->lingering)
		return;
	c->lingering = 1;
	/* Under TLS the socket is not ours to half-close. */
	if (web_tls_on() || shutdown(bufferevent_getfd(bev), SHUT_WR) != 0) {
		web_free(c);
		return;
	}
	bufferevent_setwatermark(bev, EV_READ, 0, 0);
	bufferevent_enable(bev, EV_READ);
	timer_start(c->timer, WEB_CLOSE_WAIT);
}

static void
web_event(struct bufferevent *bev, short what, void *arg)
{
	struct web_conn	*c = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		return;		/* TLS is up: the request comes next */
	if (what & BEV_EVENT_TIMEOUT)
		log_warnx("web: %s: a response did not go out in %d seconds",
		    c->addr, WEB_SEND_WAIT);
	web_free(c);
}

static void
web_timer(evutil_socket_t fd, short events, void *arg)
{
	struct web_conn	*c = arg;
	double		 idle;

	(void)fd;
	(void)events;
	switch (c->state) {
	case WEB_HTTP:
		log_warnx("web: %s sent no request within %g seconds ([web] "
		    "handshake_timeout)", c->addr, cfg->web_handshake_timeout);
		/* Under TLS the handshake may not be done: no words then. */
		if (web_tls_on())
			web_free(c);
		else
			web_error(c, 408, "no request in time", 0);
		break;
	case WEB_OPEN:
		idle = (double)(now_usec() - c->last_rx) / 1e6;
		if (idle > WEB_IDLE_MAX) {
			web_fail(c, "the browser has said nothing for a while: "
			    "gone");
			break;
		}
		web_send_frame(c, WS_OP_PING, NULL, 0);
		if (c->state == WEB_OPEN)
			timer_start(c->timer, WEB_PING_EVERY);
		break;
	case WEB_FETCHING:
		break;		/* web-fetch.c keeps the time */
	case WEB_CLOSING:
		web_free(c);
		break;
	}
}

/* --- HTTP ------------------------------------------------------------ */

static void
web_http_input(struct web_conn *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	size_t		 len = evbuffer_get_length(in);
	char		 err[256];
	int		 n, status;

	n = http_parse(&web_req, (char *)evbuffer_pullup(in, -1), len,
	    &status, err, sizeof err);
	if (n == 0)
		return;
	if (n < 0) {
		log_warnx("web: %s: bad request: %s", c->addr, err);
		web_error(c, status, err, 0);
		return;
	}
	evbuffer_drain(in, (size_t)n);
	web_route(c, &web_req);
}

static void
web_route(struct web_conn *c, const struct http_request *req)
{
	const struct web_file	*f;
	char			 path[1024];
	int			 head;

	head = strcmp(req->method, "HEAD") == 0;
	if (!head && strcmp(req->method, "GET") != 0) {
		web_error(c, 405, "only GET and HEAD", head);
		return;
	}
	if (http_target_path(req->target, path, sizeof path) != 0) {
		web_error(c, 400, "bad path", head);
		return;
	}
	if (strcmp(path, "/ws") == 0) {
		web_upgrade(c, req);
		return;
	}
	if (strncmp(path, "/files/", 7) == 0) {
		web_download(c, path + 7, head);
		return;
	}
	if (strcmp(path, "/") == 0)
		snprintf(path, sizeof path, "/index.html");
	for (f = web_files; f->path != NULL; f++) {
		if (strcmp(f->path, path) == 0) {
			web_respond(c, 200, f->type, NULL, f->data, f->len,
			    head);
			return;
		}
	}
	web_error(c, 404, "no such page", head);
}

/*
 * The head of the answer, after which the connection closes once all is
 * out: status and headers (extra, when given, are whole lines with their
 * CRLF) for a body of len bytes.
 */
static void
web_respond_head(struct web_conn *c, int status, const char *type,
    const char *extra, uint64_t len)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	struct timeval	 tv = { WEB_SEND_WAIT, 0 };

	web_settle(c);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %llu\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: no-referrer\r\n"
	    "Content-Security-Policy: default-src 'self'; "
	    "img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
	    "connect-src 'self'; frame-ancestors 'none'\r\n"
	    "%s"
	    "Connection: close\r\n\r\n",
	    status, http_reason(status), type, (unsigned long long)len,
	    extra != NULL ? extra : "");
	c->state = WEB_CLOSING;
	event_del(c->timer);
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_set_timeouts(c->bev, NULL, &tv);
}

/* A whole answer: the head, and the body unless it is for HEAD. */
static void
web_respond(struct web_conn *c, int status, const char *type,
    const char *extra, const void *body, size_t len, int head)
{
	web_respond_head(c, status, type, extra, len);
	if (!head && len > 0)
		evbuffer_add(bufferevent_get_output(c->bev), body, len);
}

static void
web_error(struct web_conn *c, int status, const char *why, int head)
{
	char	body[512];
	int	n;

	n = snprintf(body, sizeof body, "%d %s: %s\n", status,
	    http_reason(status), why);
	web_respond(c, status, "text/plain; charset=utf-8",
	    status == 405 ? "Allow: GET, HEAD\r\n" : status == 426 ?
	    "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" : NULL,
	    body, (size_t)n, head);
}

/*
 * A browser sends Origin with every WebSocket: only the page's own may
 * open one, so that another site a person visits cannot join meetings in
 * their name through their browser.  Programs that send no Origin are no
 * browser's victims and may.
 */
static int
web_origin_ok(const struct http_request *req)
{
	const char	*origin = http_header(req, "Origin");
	const char	*host = http_header(req, "Host");
	char		 want[ADDR_HOST_MAX + 32];

	if (origin == NULL)
		return 1;
	if (host == NULL || http_header_count(req, "Origin") != 1)
		return 0;
	snprintf(want, sizeof want, "http://%s", host);
	if (strcasecmp(origin, want) == 0)
		return 1;
	snprintf(want, sizeof want, "https://%s", host);
	return strcasecmp(origin, want) == 0;
}

static void
web_upgrade(struct web_conn *c, const struct http_request *req)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	const char	*key, *version;
	char		 accept[WS_ACCEPT_LEN + 1];
	uint8_t		 r[WEB_SECRET_LEN / 2];
	int		 i;

	if (strcmp(req->method, "GET") != 0 || req->minor < 1) {
		web_error(c, 400, "a WebSocket opens with GET over HTTP/1.1",
		    0);
		return;
	}
	if (!http_header_has_token(req, "Upgrade", "websocket") ||
	    !http_header_has_token(req, "Connection", "upgrade")) {
		web_error(c, 426, "this address speaks WebSocket", 0);
		return;
	}
	version = http_header(req, "Sec-WebSocket-Version");
	if (version == NULL || strcmp(version, "13") != 0) {
		web_error(c, 426, "WebSocket version 13 only", 0);
		return;
	}
	key = http_header(req, "Sec-WebSocket-Key");
	if (http_header_count(req, "Sec-WebSocket-Key") != 1 ||
	    ws_accept(key, accept) != 0) {
		web_error(c, 400, "bad Sec-WebSocket-Key", 0);
		return;
	}
	if (!web_origin_ok(req)) {
		log_warnx("web: %s: WebSocket from another site (%s) refused",
		    c->addr, http_header(req, "Origin"));
		web_error(c, 403, "this page's WebSocket is for this page", 0);
		return;
	}
	evbuffer_add_printf(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
	web_settle(c);
	c->state = WEB_OPEN;
	c->last_rx = now_usec();
	ws_reader_init(&c->reader, (size_t)cfg->web_max_message,
	    (size_t)cfg->web_max_message, 1);
	/* A whole frame fits in the input, and no more is read. */
	bufferevent_setwatermark(c->bev, EV_READ, 0,
	    (size_t)cfg->web_max_message + WS_HEADER_MAX);
	arc4random_buf(r, sizeof r);
	for (i = 0; i < (int)sizeof r; i++)
		snprintf(c->secret + 2 * i, 3, "%02x", r[i]);
	timer_start(c->timer, WEB_PING_EVERY);
	log_info("web: browser from %s (connection %llu)", c->addr,
	    (unsigned long long)c->id);
	c->client = web_client_new(c);
	/* Frames sent right behind the request are already here. */
	if (c->state == WEB_OPEN &&
	    evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		web_ws_input(c);
}

/*
 * GET /files/SECRET/ID: a shared file, for the participant of SECRET: at
 * once from this node's spool, or, for a room on another node, once it is
 * fetched from there (web-fetch.c).
 */
static void
web_download(struct web_conn *c, const char *rest, int head)
{
	struct web_conn	*owner;
	const char	*slash = strchr(rest, '/');
	char		 name[FILENAME_MAX_LEN + 1], err[512];
	uint64_t	 size;
	int		 fd, r;

	/* A shared file's id is 16 hex digits (spool.c). */
	if (slash == NULL || slash - rest != WEB_SECRET_LEN ||
	    strlen(slash + 1) != 16 ||
	    strspn(slash + 1, "0123456789abcdef") != 16) {
		web_error(c, 404, "no such file", head);
		return;
	}
	TAILQ_FOREACH(owner, &web_conns, entry) {
		if (owner->state == WEB_OPEN && owner->client != NULL &&
		    CRYPTO_memcmp(owner->secret, rest, WEB_SECRET_LEN) == 0)
			break;
	}
	if (owner == NULL) {
		web_error(c, 404, "no such file (the page that asked has "
		    "closed)", head);
		return;
	}
	r = web_client_file(owner->client, slash + 1, &fd, name, sizeof name,
	    &size, err, sizeof err);
	if (r == -1) {
		web_error(c, 404, err, head);
		return;
	}
	if (r == 0) {
		log_info("web: %s downloads %s (%llu bytes)", owner->addr,
		    name, (unsigned long long)size);
		web_send_file(c, fd, name, size, head);
		return;
	}
	if (head) {
		web_error(c, 405, "a file of another node's room is fetched "
		    "only to be downloaded: GET it", head);
		return;
	}
	c->fetch = web_fetch_start(c, web_client_session(owner->client),
	    slash + 1, err, sizeof err);
	if (c->fetch == NULL) {
		web_error(c, 502, err, 0);
		return;
	}
	log_info("web: %s downloads file %s of another node's room",
	    owner->addr, slash + 1);
	web_settle(c);
	c->state = WEB_FETCHING;
	event_del(c->timer);
}

/* The file a download waited for, in fd (given to c), or why not. */
void
web_download_ready(struct web_conn *c, int fd, const char *name,
    uint64_t size)
{
	c->fetch = NULL;
	c->state = WEB_HTTP;	/* answering its request */
	web_send_file(c, fd, name, size, 0);
}

void
web_download_failed(struct web_conn *c, int status, const char *why)
{
	c->fetch = NULL;
	c->state = WEB_HTTP;
	web_error(c, status, why, 0);
}

/* A shared file as the answer: fd is taken, and closed once it is sent. */
static void
web_send_file(struct web_conn *c, int fd, const char *name, uint64_t size,
    int head)
{
	char		 extra[4 * FILENAME_MAX_LEN + 256];
	const char	*p;
	size_t		 i, off;

	/* The name twice: plain ASCII, and exactly (RFC 6266, 8187). */
	off = (size_t)snprintf(extra, sizeof extra,
	    "Content-Disposition: attachment; filename=\"");
	for (i = 0; name[i] != '\0'; i++) {
		extra[off++] = ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] > 0x7e || name[i] == '"' ||
		    name[i] == '\\') ? '_' : name[i];
	}
	off += (size_t)snprintf(extra + off, sizeof extra - off,
	    "\"; filename*=UTF-8''");
	for (p = name; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			extra[off++] = *p;
		else
			off += (size_t)snprintf(extra + off, sizeof extra - off,
			    "%%%02X", (unsigned char)*p);
	}
	snprintf(extra + off, sizeof extra - off, "\r\n");
	web_respond_head(c, 200, "application/octet-stream", extra, size);
	if (head || size == 0) {
		close(fd);
		return;
	}
	if (evbuffer_add_file(bufferevent_get_output(c->bev), fd, 0,
	    (ev_off_t)size) != 0) {
		close(fd);
		web_fail(c, "cannot send a shared file");
	}
}

/* --- WebSocket ------------------------------------------------------- */

static void
web_ws_input(struct web_conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct ws_message	 m;
	struct ws_frame		 f;
	enum ws_event		 ev;
	size_t			 len, used, n;
	uint8_t			 hdr[WS_HEADER_MAX], *data;
	uint16_t		 code;
	char			 err[128];

	while (c->state == WEB_OPEN && (len = evbuffer_get_length(in)) > 0) {
		/*
		 * Only a whole frame is made contiguous, as its header says;
		 * until then the reader sees the header alone, and refuses
		 * it or waits.
		 */
		n = (size_t)evbuffer_copyout(in, hdr, sizeof hdr);
		if (ws_frame_parse(hdr, n, &f, &code, err, sizeof err) > 0 &&
		    f.length <= len && len - f.length >= f.header) {
			n = f.header + (size_t)f.length;
			data = evbuffer_pullup(in, (ev_ssize_t)n);
		} else
			data = hdr;
		ev = ws_read(&c->reader, data, n, &used, &m);
		switch (ev) {
		case WS_MORE:
			return;
		case WS_FRAGMENT:
			break;
		case WS_MESSAGE:
			if (m.opcode == WS_OP_TEXT)
				web_client_message(c->client,
				    (const char *)m.data, m.len);
			else
				web_close(c, WS_CLOSE_UNSUPPORTED, "binary "
				    "messages are for media, which this node "
				    "does not take from a browser yet");
			break;
		case WS_PING:
			web_send_frame(c, WS_OP_PONG, m.data, m.len);
			break;
		case WS_PONG:
			break;
		case WS_CLOSE:
			log_debug("web: %s closes (%u %s)", c->addr,
			    (unsigned)m.code, m.reason);
			web_close(c, m.code, NULL);
			break;
		case WS_ERROR:
			log_warnx("web: %s: %s", c->addr, m.error);
			web_close(c, m.code, m.error);
			break;
		}
		/* m's data lived in the input until now. */
		evbuffer_drain(in, used);
	}
	if (c->state == WEB_CLOSING)
		evbuffer_drain(in, evbuffer_get_length(in));
}

static void
web_send_frame(struct web_conn *c, int opcode, const void *data, size_t len)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	uint8_t		 h[WS_HEADER_MAX];
	size_t		 n;

	if (c->state != WEB_OPEN && opcode != WS_OP_CLOSE)
		return;
	n = ws_header_write(h, 1, opcode, len, NULL);
	evbuffer_add(out, h, n);
	if (len > 0)
		evbuffer_add(out, data, len);
	/* A browser that stops reading is dropped, not waited for. */
	if (evbuffer_get_length(out) > WEB_OUT_MAX)
		web_fail(c, "the browser is not reading what it is sent: "
		    "dropped");
}

/* A JSON object to the page, as one text message; takes the reference. */
void
web_send_json(struct web_conn *c, json_t *o)
{
	char	*s;

	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return;
	web_send_frame(c, WS_OP_TEXT, s, strlen(s));
	free(s);
}

/*
 * Close a WebSocket with a code and a reason: the close frame goes out,
 * then the connection closes (the server closes TCP first, RFC 6455 7.1.1);
 * the browser's own close frame is not awaited.  Never frees c.
 */
void
web_close(struct web_conn *c, uint16_t code, const char *reason)
{
	uint8_t	p[WS_CONTROL_MAX];
	size_t	n;

	if (c->state != WEB_OPEN)
		return;
	n = ws_close_payload(p, code, reason);
	c->state = WEB_CLOSING;
	web_send_frame(c, WS_OP_CLOSE, p, n);
	if (c->state != WEB_CLOSING)
		return;
	bufferevent_disable(c->bev, EV_READ);
	timer_start(c->timer, WEB_CLOSE_WAIT);
}
