/*
 * Remotes: the nodes whose sessions joined rooms on this node, seen through
 * the links they opened to us.
 *
 * A remote is a node's key: what its links create (members, their
 * sessions' resumes, file transfers) belongs to the key that made them, and
 * another key, whatever it says in its hello, reaches none of it.
 *
 * A remote outlives its link: when the link drops, its members stay on the
 * roster, away, for [node] link_grace seconds, and events for them wait in a
 * bounded backlog.  If the node comes back (the same key, the same run of
 * it) and says which sessions it still has (resume), the room sees
 * "reconnected" and the backlog flows; if not, the members leave as
 * disconnected.  The same key in a new run is a node that restarted: its
 * old members leave.
 */
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>

#include "meetd.h"
#include "nodeop.h"

#define REMOTE_BACKLOG	1000

static TAILQ_HEAD(, remote) remotes = TAILQ_HEAD_INITIALIZER(remotes);

static void	remote_secure(struct link *, void *);
static void	remote_frame(struct link *, int, json_t *, void *);
static void	remote_closed(struct link *, const char *, void *);
static void	remote_grace(evutil_socket_t, short, void *);
static void	remote_media_addr(struct remote *, struct link *, json_t *);
static void	remote_free(struct remote *);
static void	remote_hello(struct remote *, struct link *, json_t *);
static void	remote_request(struct remote *, json_t *);
static void	remote_join(struct remote *, uint64_t, json_t *);
static void	remote_resume(struct remote *, uint64_t, json_t *);
static void	remote_drop_members(struct remote *, const char *);

/* A link from addr (host: its address alone); TLS starts at once. */
void
remote_accept(int fd, const char *addr, const char *host)
{
	struct bufferevent	*bev;
	struct remote		*r;
	int			 one = 1;

	/* The handshake's flights are small and waited for: see link.c. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	bev = bufferevent_openssl_socket_new(base, fd, tls_new(1),
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL) {
		close(fd);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->id = next_id();
	media_node_master(r->media_out);
	TAILQ_INIT(&r->members);
	r->backlog = json_array();
	r->grace = timer_new(remote_grace, r);
	r->link = link_new(bev, addr, host, 1, remote_secure, remote_frame,
	    remote_closed, r);
	TAILQ_INSERT_TAIL(&remotes, r, entry);
	log_debug("link from %s", addr);
}

static void
remote_free(struct remote *r)
{
	if (r->instance[0] != '\0')
		media_node_gone(r->id);
	explicit_bzero(r->media_in, sizeof r->media_in);
	explicit_bzero(r->media_out, sizeof r->media_out);
	spool_remote_gone(r);
	TAILQ_REMOVE(&remotes, r, entry);
	if (r->link != NULL)
		link_free(r->link);
	event_free(r->grace);
	json_decref(r->backlog);
	free(r);
}

static int
remote_instance_valid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != 32)
		return 0;
	for (i = 0; i < 32; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/*
 * Media for the node's members goes to the link's address at the UDP port
 * its hello names (its own -l port; the link itself comes from another).
 */
static void
remote_media_addr(struct remote *r, struct link *l, json_t *body)
{
	json_t	*v;
	int	 port;

	r->media_len = sizeof r->media_addr;
	v = json_object_get(body, "media_port");
	port = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	if (port <= 0 || port > 65535 || getpeername(
	    bufferevent_getfd(l->bev), (struct sockaddr *)&r->media_addr,
	    &r->media_len) != 0) {
		r->media_len = 0;
		return;
	}
	if (r->media_addr.ss_family != AF_INET &&
	    r->media_addr.ss_family != AF_INET6)
		r->media_len = 0;
	else
		sockaddr_set_port(&r->media_addr, port);
}

/* TLS is up: the far node's key is l->fp; its hello comes next. */
static void
remote_secure(struct link *l, void *arg)
{
	(void)l;
	(void)arg;
}

/* Refuse a hello with a reason the other node can show. */
static void
remote_refuse(struct link *l, const char *why)
{
	json_t	*o;

	o = json_pack("{s:s}", "error", why);
	link_send(l, FRAME_ERROR, o);
	json_decref(o);
	log_warnx("link from %s: %s", l->addr, why);
	link_close(l, why);
}

/*
 * The first frame on a link says which run of the node (its key) this is.
 * If we know that key and that run (its last link dropped), the new link
 * takes over the old remote; if we know the key in another run, that node
 * restarted and what it had here is gone.
 */
static void
remote_hello(struct remote *r, struct link *l, json_t *body)
{
	struct remote	*old, *old1;
	json_t		*v, *hello;
	const char	*instance, *name;
	char		 why[256], key[48];
	uint8_t		 in[MEDIA_NODE_MASTER];

	v = json_object_get(body, "version");
	instance = json_string_value(json_object_get(body, "instance"));
	name = json_string_value(json_object_get(body, "name"));
	if (!json_is_integer(v) || json_integer_value(v) != PROTO_VERSION) {
		snprintf(why, sizeof why, "protocol version %lld is not "
		    "spoken here: this node speaks version %d (upgrade meet "
		    "on one side)", json_is_integer(v) ?
		    (long long)json_integer_value(v) : 0, PROTO_VERSION);
		remote_refuse(l, why);
		return;
	}
	if (!remote_instance_valid(instance) || (name != NULL &&
	    name_valid(name) != 0) || media_node_master_parse(
	    json_string_value(json_object_get(body, "media_key")), in) != 0) {
		remote_refuse(l, "bad hello");
		return;
	}
	TAILQ_FOREACH_SAFE(old, &remotes, entry, old1) {
		if (old == r || strcmp(old->fp, l->fp) != 0)
			continue;
		if (strcmp(old->instance, instance) == 0)
			break;
		/* The same key, a new run: the node restarted. */
		log_info("node %s (%s) restarted: its participants leave",
		    old->name, old->fp);
		if (old->link != NULL) {
			link_close(old->link, "the node restarted");
			old->link->arg = NULL;	/* remote_closed frees it */
			old->link = NULL;
		}
		remote_drop_members(old, "their node restarted");
		remote_free(old);
	}
	link_ready(l);
	if (old != NULL) {
		/* The node is back: its old remote takes this link. */
		if (old->link != NULL)
			link_close(old->link, "replaced by a new link");
		old->link = l;
		l->arg = old;
		r->link = NULL;
		remote_free(r);
		r = old;
		evtimer_del(r->grace);
		r->resumed = 0;
		log_info("link from %s (%s) is back", l->addr, r->name);
	} else {
		snprintf(r->fp, sizeof r->fp, "%s", l->fp);
		snprintf(r->instance, sizeof r->instance, "%s", instance);
		snprintf(r->name, sizeof r->name, "%s",
		    name != NULL ? name : "?");
		r->resumed = 1;
		log_info("link from %s (node %s, key %s)", l->addr, r->name,
		    r->fp);
	}
	remote_media_addr(r, l, body);
	media_remote_moved(r);
	/*
	 * SRTP: its master for what it sends here, ours for what we send
	 * it (the same for as long as this remote lasts); the workers have
	 * both before any of its media can flow.
	 */
	memcpy(r->media_in, in, sizeof r->media_in);
	explicit_bzero(in, sizeof in);
	media_node_keys(r->id, r->media_in, r->media_out);
	media_node_master_b64(r->media_out, key);
	hello = json_pack("{s:i,s:s,s:s,s:i,s:s}", "version", PROTO_VERSION,
	    "instance", node_id, "name", cfg->node_name, "media_port",
	    listen_port(), "media_key", key);
	link_send(l, FRAME_HELLO, hello);
	json_decref(hello);
	explicit_bzero(key, sizeof key);
}

static void
remote_frame(struct link *l, int type, json_t *body, void *arg)
{
	struct remote	*r = arg;
	const char	*why;

	if (r->instance[0] == '\0') {
		if (type != FRAME_HELLO) {
			log_warnx("link from %s: frame before hello", l->addr);
			link_close(l, "frame before hello");
			return;
		}
		remote_hello(r, l, body);
		return;
	}
	switch (type) {
	case FRAME_REQUEST:
		remote_request(r, body);
		break;
	case FRAME_BYE:
		why = json_string_value(json_object_get(body, "reason"));
		log_info("link from %s: node %s going away: %s", l->addr,
		    r->name, why != NULL ? why : "no reason");
		remote_drop_members(r, "their node shut down");
		link_close(l, "node going away");
		break;
	default:
		log_warnx("link from %s: unexpected frame type %d", l->addr,
		    type);
		link_close(l, "unexpected frame type");
		break;
	}
}

static void
remote_request(struct remote *r, json_t *body)
{
	json_t		*v;
	const char	*op;
	uint64_t	 id;

	v = json_object_get(body, "id");
	op = json_string_value(json_object_get(body, "op"));
	if (!json_is_integer(v) || op == NULL) {
		log_warnx("link from %s: malformed request", r->link->addr);
		link_close(r->link, "malformed request");
		return;
	}
	id = (uint64_t)json_integer_value(v);
	if (strcmp(op, "join") == 0)
		remote_join(r, id, body);
	else if (strcmp(op, "cmd") == 0)
		cmd_from_remote(r, id, body);
	else if (strcmp(op, "resume") == 0)
		remote_resume(r, id, body);
	else if (nodeop_find(op, NULL) == 0)
		nodeop_from_remote(r, id, body);
	else if (strncmp(op, "file_", 5) != 0 ||
	    spool_request(r, id, op, body) != 0) {
		v = json_pack("{s:s}", "error", "unknown request");
		remote_reply(r, id, EXIT_REFUSED, NULL, NULL, v);
		json_decref(v);
	}
}

/* A session of that node creates or joins a room here. */
static void
remote_join(struct remote *r, uint64_t id, json_t *body)
{
	struct room_params	 p;
	struct member		*m;
	struct evbuffer		*err;
	json_t			*v, *extra;
	char			*cause = NULL;
	int			 code, rc;

	memset(&p, 0, sizeof p);
	p.room = json_string_value(json_object_get(body, "room"));
	p.name = json_string_value(json_object_get(body, "name"));
	p.password = json_string_value(json_object_get(body, "password"));
	p.create = json_is_true(json_object_get(body, "create"));
	p.lobby = json_is_true(json_object_get(body, "lobby"));
	p.token_only = json_is_true(json_object_get(body, "token_only"));
	/* Checked by room_enter; one that is no string counts as none. */
	p.token = json_string_value(json_object_get(body, "token"));
	v = json_object_get(body, "max");
	p.max = json_is_integer(v) ? (int)json_integer_value(v) : 0;
	p.rsid = json_string_value(json_object_get(body, "session"));
	if (p.room == NULL || name_valid(p.room) != 0 || p.name == NULL ||
	    name_valid(p.name) != 0 || !session_wire_valid(p.rsid) ||
	    remote_member(r, p.rsid) != NULL || p.max < 0) {
		xasprintf(&cause, "malformed join request");
		code = EXIT_REFUSED;
		rc = -1;
	} else {
		log_debug("link from %s: session %s of node %s asks to join "
		    "%s as %s", r->link->addr, p.rsid, r->fp, p.room, p.name);
		rc = room_enter(&p, NULL, r, &m, &code, &cause);
	}
	if (rc == -1) {
		err = evbuffer_new();
		evbuffer_add_printf(err, "%s\n", cause);
		remote_reply(r, id, code, NULL, err, NULL);
		evbuffer_free(err);
		free(cause);
		return;
	}
	extra = json_pack("{s:s}", "state", rc == 1 ? "waiting" : "joined");
	remote_reply(r, id, 0, NULL, NULL, extra);
	json_decref(extra);
}

/* After a reconnect: the sessions the node still has. */
static void
remote_resume(struct remote *r, uint64_t id, json_t *body)
{
	struct member	*m, *m1;
	json_t		*list, *alive, *v, *extra, *frame;
	size_t		 i;
	int		 found;

	list = json_object_get(body, "sessions");
	alive = json_array();
	TAILQ_FOREACH_SAFE(m, &r->members, rentry, m1) {
		found = 0;
		json_array_foreach(list, i, v) {
			if (json_is_string(v) &&
			    strcmp(json_string_value(v), m->rsid) == 0)
				found = 1;
		}
		if (!found) {
			room_leave(m, "disconnected");
			continue;
		}
		json_array_append_new(alive, json_string(m->rsid));
	}
	/* What happened while away goes first, then the news. */
	r->resumed = 1;
	json_array_foreach(r->backlog, i, frame)
		link_send(r->link, FRAME_EVENT, frame);
	json_array_clear(r->backlog);
	TAILQ_FOREACH_SAFE(m, &r->members, rentry, m1) {
		if (!m->away)
			continue;
		m->away = 0;
		v = room_event(m->room, "reconnected");
		json_object_set_new(v, "name", json_string(m->name));
		room_broadcast(m->room, v);
		json_decref(v);
	}
	extra = json_pack("{s:o}", "alive", alive);
	remote_reply(r, id, 0, NULL, NULL, extra);
	json_decref(extra);
}

/* The member that node r's session sid is here; NULL when none. */
struct member *
remote_member(struct remote *r, const char *sid)
{
	struct member	*m;

	if (sid == NULL)
		return NULL;
	TAILQ_FOREACH(m, &r->members, rentry) {
		if (strcmp(m->rsid, sid) == 0)
			return m;
	}
	return NULL;
}

void
remote_send_event(struct remote *r, const char *sid, json_t *ev, int end)
{
	json_t	*frame;

	frame = json_pack("{s:s,s:O,s:b}", "session", sid, "event", ev,
	    "end", end);
	if (r->link != NULL && r->resumed)
		link_send(r->link, FRAME_EVENT, frame);
	else {
		if (json_array_size(r->backlog) == REMOTE_BACKLOG) {
			json_array_remove(r->backlog, 0);
			log_warnx("node %s away: its oldest waiting event was "
			    "dropped", r->name);
		}
		json_array_append(r->backlog, frame);
	}
	json_decref(frame);
}

void
remote_reply(struct remote *r, uint64_t id, int code, struct evbuffer *out,
    struct evbuffer *err, json_t *extra)
{
	json_t	*body;

	if (r->link == NULL)
		return;
	body = json_pack("{s:I,s:i}", "id", (json_int_t)id, "code", code);
	if (out != NULL && evbuffer_get_length(out) > 0)
		json_object_set_new(body, "out", json_stringn((char *)
		    evbuffer_pullup(out, -1), evbuffer_get_length(out)));
	if (err != NULL && evbuffer_get_length(err) > 0)
		json_object_set_new(body, "err", json_stringn((char *)
		    evbuffer_pullup(err, -1), evbuffer_get_length(err)));
	if (extra != NULL)
		json_object_update_missing(body, extra);	/* id stays */
	link_send(r->link, FRAME_REPLY, body);
	json_decref(body);
}

static void
remote_drop_members(struct remote *r, const char *why)
{
	struct member	*m;

	(void)why;
	while ((m = TAILQ_FIRST(&r->members)) != NULL)
		room_leave(m, "disconnected");
}

static void
remote_closed(struct link *l, const char *why, void *arg)
{
	struct remote	*r = arg;
	struct member	*m;

	if (r == NULL || l != r->link) {
		link_free(l);	/* a link that was replaced */
		return;
	}
	link_free(l);
	r->link = NULL;
	if (TAILQ_EMPTY(&r->members) || shutting_down) {
		remote_drop_members(r, why);
		remote_free(r);
		return;
	}
	log_warnx("link from node %s lost: %s; its participants are kept "
	    "for %g s", r->name, why, cfg->link_grace);
	TAILQ_FOREACH(m, &r->members, rentry)
		m->away = 1;
	r->resumed = 0;
	timer_start(r->grace, cfg->link_grace);
}

static void
remote_grace(evutil_socket_t fd, short events, void *arg)
{
	struct remote	*r = arg;

	(void)fd;
	(void)events;
	log_warnx("node %s did not come back within %g s: its participants "
	    "are dropped", r->name, cfg->link_grace);
	remote_drop_members(r, "no link");
	remote_free(r);
}

/*
 * Shutting down: say goodbye on every link.  A remote whose link is down
 * has no link to close and free it, and its grace timer will not fire: it
 * goes now.
 */
void
remote_close_all(void)
{
	struct remote	*r, *r1;
	json_t		*bye;

	bye = json_pack("{s:s}", "reason", "node shutting down");
	TAILQ_FOREACH_SAFE(r, &remotes, entry, r1) {
		evtimer_del(r->grace);
		if (r->link != NULL) {
			link_send(r->link, FRAME_BYE, bye);
			link_close(r->link, "shutting down");
		} else {
			remote_drop_members(r, "the node is shutting down");
			remote_free(r);
		}
	}
	json_decref(bye);
}

struct remote *
remote_find_id(uint64_t id)
{
	struct remote	*r;

	TAILQ_FOREACH(r, &remotes, entry) {
		if (r->id == id)
			return r;
	}
	return NULL;
}

json_t *
remote_list(void)
{
	struct remote	*r;
	struct member	*m;
	json_t		*a = json_array();
	int		 n;

	TAILQ_FOREACH(r, &remotes, entry) {
		if (r->instance[0] == '\0')
			continue;
		n = 0;
		TAILQ_FOREACH(m, &r->members, rentry)
			n++;
		json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:i,s:s}",
		    "node", r->link != NULL ? r->link->addr : r->name,
		    "direction", "in", "state", r->link != NULL ? "up" :
		    "away", "participants", n, "fingerprint", r->fp));
	}
	return a;
}

u_int
remote_count(void)
{
	struct remote	*r;
	u_int		 n = 0;

	TAILQ_FOREACH(r, &remotes, entry)
		n++;
	return n;
}
