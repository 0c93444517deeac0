/*
 * Rooms hosted by this node and their members.
 *
 * A member is a participant on the roster, in the lobby or joined.  It is
 * reached through its local session or, for one joined from another node,
 * through that node's remote; member_deliver hides which.  Nothing of one
 * room reaches another: every event goes to the members of the room it was
 * made for, and nowhere else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "meetd.h"
#include "token.h"

struct rooms	rooms = TAILQ_HEAD_INITIALIZER(rooms);
static uint64_t	room_arrivals;

static struct member *member_new(struct room *,
		    const struct room_params *, struct session *,
		    struct remote *);
static void	member_free(struct member *);
static void	room_free(struct room *);
static void	room_notify(struct room *, const char *, const char *,
		    struct member *);
static struct member *room_next_host(struct room *);
static int	room_check_token(struct room *, const struct room_params *,
		    int *, char **);
static void	room_tell_hosts(struct room *, json_t *);
static void	room_node_string(struct remote *, char *, size_t);

struct room *
room_find(const char *name)
{
	struct room	*r;

	TAILQ_FOREACH(r, &rooms, entry) {
		if (strcmp(r->name, name) == 0)
			return r;
	}
	return NULL;
}

u_int
room_count(void)
{
	struct room	*r;
	u_int		 n = 0;

	TAILQ_FOREACH(r, &rooms, entry)
		n++;
	return n;
}

struct member *
room_member(struct room *r, const char *name)
{
	struct member	*m;

	TAILQ_FOREACH(m, &r->members, entry) {
		if (strcmp(m->name, name) == 0)
			return m;
	}
	return NULL;
}

const char *
member_role(struct member *m)
{
	if (m->state == MEMBER_WAITING)
		return "waiting";
	if (m->room->host == m)
		return "host";
	return m->cohost ? "co-host" : "participant";
}

/* The host, or a co-host: may run what only the host may. */
int
member_is_host(struct member *m)
{
	return m->room->host == m || m->cohost;
}

/* The lobby is the business of the host and its co-hosts: tell them. */
static void
room_tell_hosts(struct room *r, json_t *ev)
{
	struct member	*m, *m1;

	TAILQ_FOREACH_SAFE(m, &r->members, entry, m1) {
		if (m->state == MEMBER_JOINED && member_is_host(m))
			member_deliver(m, ev, 0);
	}
}

/*
 * The HS256 key of this node's join tokens (TOKEN_SECRET_LEN bytes).  It
 * is derived from the node key: tokens outlive a restart with the same
 * key, a new key voids them all, and another node's do not verify here.
 */
int
room_token_secret(uint8_t *secret)
{
	return nodekey_derive("meet join tokens v1", secret,
	    TOKEN_SECRET_LEN);
}

/*
 * A join that shows a token: it must be this node's, unexpired, for this
 * room and this name.  0 with *cohost from its host claim, or -1 with why.
 */
static int
room_check_token(struct room *r, const struct room_params *p, int *cohost,
    char **cause)
{
	struct token_claims	 c;
	uint8_t			 secret[TOKEN_SECRET_LEN];
	char			*why;
	int			 rc;

	if (room_token_secret(secret) != 0) {
		xasprintf(cause, "token refused: this node has no key to "
		    "check it with");
		return -1;
	}
	rc = token_verify(p->token, secret, sizeof secret,
	    (int64_t)(now_usec() / 1000000), r->name, p->name, &c, &why);
	OPENSSL_cleanse(secret, sizeof secret);
	if (rc != 0) {
		xasprintf(cause, "token refused: %s", why);
		free(why);
		return -1;
	}
	*cohost = c.host;
	return 0;
}

/* {ts, event, room}: the caller owns it. */
json_t *
room_event(struct room *r, const char *type)
{
	return events_new(type, r->name);
}

static struct member *
member_new(struct room *r, const struct room_params *p, struct session *s,
    struct remote *rem)
{
	struct member	*m;

	m = xcalloc(1, sizeof *m);
	m->room = r;
	snprintf(m->name, sizeof m->name, "%s", p->name);
	m->id = next_id();
	m->joined = now_usec();
	m->order = ++room_arrivals;
	if (s != NULL) {
		m->session = s;
		s->member = m;
	} else if (rem != NULL) {
		m->remote = rem;
		snprintf(m->rsid, sizeof m->rsid, "%s", p->rsid);
		TAILQ_INSERT_TAIL(&rem->members, m, rentry);
	}
	TAILQ_INSERT_TAIL(&r->members, m, entry);
	return m;
}

static void
member_free(struct member *m)
{
	struct room	*r = m->room;

	media_member_gone(m);
	if (m->state == MEMBER_JOINED)
		r->njoined--;
	else
		r->nwaiting--;
	TAILQ_REMOVE(&r->members, m, entry);
	if (m->remote != NULL)
		TAILQ_REMOVE(&m->remote->members, m, rentry);
	if (m->session != NULL)
		m->session->member = NULL;
	if (r->host == m)
		r->host = NULL;
	free(m);
}

/*
 * Give ev to the member; end set means the member is out of the room (its
 * session ends).  The caller keeps its reference to ev.
 */
void
member_deliver(struct member *m, json_t *ev, int end)
{
	struct session	*s;

	if ((s = m->session) != NULL) {
		if (end) {
			m->session = NULL;
			s->member = NULL;
		}
		session_deliver(s, ev, end);
	} else if (m->remote != NULL)
		remote_send_event(m->remote, m->rsid, ev, end);
}

/* Every joined member gets ev. */
void
room_broadcast(struct room *r, json_t *ev)
{
	struct member	*m, *m1;

	if (r->recording)
		media_record_event(r, ev);
	TAILQ_FOREACH_SAFE(m, &r->members, entry, m1) {
		if (m->state == MEMBER_JOINED)
			member_deliver(m, ev, 0);
	}
}

/* Broadcast a simple event about a member. */
static void
room_notify(struct room *r, const char *type, const char *reason,
    struct member *about)
{
	json_t	*ev;

	ev = room_event(r, type);
	json_object_set_new(ev, "name", json_string(about->name));
	if (reason != NULL)
		json_object_set_new(ev, "reason", json_string(reason));
	room_broadcast(r, ev);
	json_decref(ev);
}

static void
room_free(struct room *r)
{
	size_t	i;

	spool_room_end(r);
	media_room_gone(r);
	TAILQ_REMOVE(&rooms, r, entry);
	for (i = 0; i < r->hcount; i++)
		json_decref(r->history[(r->hfirst + i) % r->hsize].ev);
	free(r->history);
	free(r->password);
	log_info("room %s closed", r->name);
	free(r);
}

/*
 * This node, as an error for a participant here (rem NULL) or on the node
 * of rem names it: that one did not type this node's address, so it is told
 * the node's name and the address it reached.
 */
static void
room_node_string(struct remote *rem, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof ss;
	char			 addr[ADDR_HOST_MAX + 8];
	evutil_socket_t		 fd;

	if (rem == NULL) {
		snprintf(buf, len, "this node");
		return;
	}
	if (rem->link != NULL && (fd = bufferevent_getfd(rem->link->bev)) !=
	    -1 && getsockname(fd, (struct sockaddr *)&ss, &sslen) == 0) {
		sockaddr_string((struct sockaddr *)&ss, addr, sizeof addr);
		snprintf(buf, len, "node %s at %s", cfg->node_name, addr);
	} else
		snprintf(buf, len, "node %s", cfg->node_name);
}

/*
 * Put a participant into a room: create it (as host) or join it.  The
 * member is reached through session s on this node, or through rem.
 * Returns 0 when joined, 1 when waiting in the lobby, or -1 when refused,
 * with *cause and the exit status in *code (EXIT_REFUSED, or
 * EXIT_NOT_ADMITTED for a password, a token, a lock or a full room).  A
 * valid join token skips the lobby and the password, never the lock or
 * the size limit.
 */
int
room_enter(const struct room_params *p, struct session *s,
    struct remote *rem, struct member **mp, int *code, char **cause)
{
	struct room	*r;
	struct member	*m;
	json_t		*ev;
	char		 node[NAME_MAX_LEN + ADDR_HOST_MAX + 32];
	int		 max, cohost = 0;

	r = room_find(p->room);
	if (p->create) {
		if (r != NULL) {
			xasprintf(cause, "room %s already exists", p->room);
			*code = EXIT_REFUSED;
			return -1;
		}
		if (room_count() >= (u_int)cfg->max_rooms) {
			room_node_string(rem, node, sizeof node);
			xasprintf(cause, "%s has its maximum of %d rooms", node,
			    cfg->max_rooms);
			*code = EXIT_REFUSED;
			return -1;
		}
		r = xcalloc(1, sizeof *r);
		snprintf(r->name, sizeof r->name, "%s", p->room);
		TAILQ_INIT(&r->members);
		r->lobby = p->lobby;
		r->max = p->max;
		r->token_only = p->token_only;
		if (p->password != NULL)
			r->password = xstrdup(p->password);
		r->created = now_usec();
		r->hsize = cfg->chat_history > 0 ? (size_t)cfg->chat_history :
		    1;
		r->history = xcalloc(r->hsize, sizeof *r->history);
		r->id = next_id();
		r->worker = worker_take();
		TAILQ_INSERT_TAIL(&rooms, r, entry);
		m = member_new(r, p, s, rem);
		m->state = MEMBER_JOINED;
		r->njoined++;
		r->host = m;
		media_member_joined(m);
		log_info("room %s created by %s", r->name, m->name);
		*mp = m;
		room_notify(r, "joined", NULL, m);
		return 0;
	}

	if (r == NULL) {
		room_node_string(rem, node, sizeof node);
		xasprintf(cause, "no room %s on %s", p->room, node);
		*code = EXIT_REFUSED;
			return -1;
	}
	/* A token stands for the host's approval: no lobby, no password. */
	if (p->token != NULL && room_check_token(r, p, &cohost, cause) != 0) {
		*code = EXIT_NOT_ADMITTED;
		return -1;
	}
	if (p->token == NULL && r->token_only) {
		xasprintf(cause, "%s needs a join token (--token)", r->name);
		*code = EXIT_NOT_ADMITTED;
		return -1;
	}
	if (room_member(r, p->name) != NULL) {
		xasprintf(cause, "the name %s is taken in %s", p->name,
		    r->name);
		*code = EXIT_REFUSED;
			return -1;
	}
	if (p->token == NULL && r->password != NULL && (p->password == NULL ||
	    strcmp(p->password, r->password) != 0)) {
		if (p->password == NULL)
			xasprintf(cause, "%s needs a password (-p)", r->name);
		else
			xasprintf(cause, "wrong password for %s", r->name);
		*code = EXIT_NOT_ADMITTED;
		return -1;
	}
	if (r->locked) {
		xasprintf(cause, "%s is locked", r->name);
		*code = EXIT_NOT_ADMITTED;
		return -1;
	}
	max = r->max > 0 ? r->max : cfg->max_participants;
	if (max > 0 && r->njoined + r->nwaiting >= (u_int)max) {
		xasprintf(cause, "%s is full (%d participants)", r->name, max);
		*code = EXIT_NOT_ADMITTED;
		return -1;
	}

	m = member_new(r, p, s, rem);
	m->cohost = cohost;
	*mp = m;
	if (r->lobby && p->token == NULL) {
		m->state = MEMBER_WAITING;
		r->nwaiting++;
		log_info("room %s: %s is waiting in the lobby", r->name,
		    m->name);
		ev = room_event(r, "knock");
		json_object_set_new(ev, "name", json_string(m->name));
		room_tell_hosts(r, ev);
		json_decref(ev);
		return 1;
	}
	m->state = MEMBER_JOINED;
	r->njoined++;
	media_member_joined(m);
	log_info("room %s: %s joined%s", r->name, m->name, p->token == NULL ?
	    "" : cohost ? " with a co-host token" : " with a token");
	room_notify(r, "joined", NULL, m);
	return 0;
}

/*
 * A plain-RTP participant, added by a member: it has no session and no
 * node, so it joins at once, within the room's lock and size limits.
 */
struct member *
room_add_plain(struct room *r, const char *name, char **cause)
{
	struct room_params	 p;
	struct member		*m;
	int			 max;

	if (room_member(r, name) != NULL) {
		xasprintf(cause, "the name %s is taken in %s", name, r->name);
		return NULL;
	}
	if (r->locked) {
		xasprintf(cause, "%s is locked", r->name);
		return NULL;
	}
	max = r->max > 0 ? r->max : cfg->max_participants;
	if (max > 0 && r->njoined + r->nwaiting >= (u_int)max) {
		xasprintf(cause, "%s is full (%d participants)", r->name, max);
		return NULL;
	}
	memset(&p, 0, sizeof p);
	p.room = r->name;
	p.name = name;
	m = member_new(r, &p, NULL, NULL);
	m->state = MEMBER_JOINED;
	r->njoined++;
	media_member_joined(m);
	log_info("room %s: %s joined (plain RTP)", r->name, m->name);
	room_notify(r, "joined", NULL, m);
	return m;
}

/* Admit (admit set) or turn away a member waiting in the lobby. */
int
room_admit(struct member *m, int admit)
{
	struct room	*r = m->room;
	json_t		*ev;

	if (m->state != MEMBER_WAITING)
		return -1;
	ev = room_event(r, admit ? "admitted" : "denied");
	json_object_set_new(ev, "name", json_string(m->name));
	if (!admit) {
		log_info("room %s: %s was turned away", r->name, m->name);
		member_deliver(m, ev, 1);
		json_decref(ev);
		member_free(m);
		return 0;
	}
	/* Presence counts from admission: go to the end of the order. */
	m->state = MEMBER_JOINED;
	r->nwaiting--;
	r->njoined++;
	m->joined = now_usec();
	m->order = ++room_arrivals;
	TAILQ_REMOVE(&r->members, m, entry);
	TAILQ_INSERT_TAIL(&r->members, m, entry);
	media_member_joined(m);
	log_info("room %s: %s was admitted", r->name, m->name);
	member_deliver(m, ev, 0);
	json_decref(ev);
	room_notify(r, "joined", NULL, m);
	return 0;
}

/* The joined member present longest, or NULL. */
static struct member *
room_next_host(struct room *r)
{
	struct member	*m;

	TAILQ_FOREACH(m, &r->members, entry) {
		if (m->state == MEMBER_JOINED)
			return m;
	}
	return NULL;
}

/*
 * A member leaves (reason: left, gave up, disconnected).  The host role
 * passes on to whoever has been present longest; an empty room ends.
 */
void
room_leave(struct member *m, const char *reason)
{
	struct room	*r = m->room;
	json_t		*ev;
	int		 was_host = (r->host == m);

	if (m->state == MEMBER_WAITING) {
		ev = room_event(r, "gave-up");
		json_object_set_new(ev, "name", json_string(m->name));
		room_tell_hosts(r, ev);
		member_deliver(m, ev, 1);
		json_decref(ev);
		member_free(m);
		return;
	}
	ev = room_event(r, "left");
	json_object_set_new(ev, "name", json_string(m->name));
	json_object_set_new(ev, "reason", json_string(reason));
	member_deliver(m, ev, 1);
	log_info("room %s: %s left (%s)", r->name, m->name, reason);
	member_free(m);
	room_broadcast(r, ev);
	json_decref(ev);

	if (r->njoined == 0) {
		room_end(r, NULL, "everyone left");
		return;
	}
	if (was_host && (r->host = room_next_host(r)) != NULL) {
		log_info("room %s: %s is now the host", r->name,
		    r->host->name);
		room_notify(r, "host", NULL, r->host);
	}
}

/* The host removes a joined member. */
void
room_kick(struct member *by, struct member *m)
{
	struct room	*r = m->room;
	json_t		*ev;

	ev = room_event(r, "kicked");
	json_object_set_new(ev, "name", json_string(m->name));
	json_object_set_new(ev, "by", json_string(by->name));
	member_deliver(m, ev, 1);
	log_info("room %s: %s removed by %s", r->name, m->name, by->name);
	member_free(m);
	room_broadcast(r, ev);
	json_decref(ev);
}

/* End the meeting: everyone, joined or waiting, is told and removed. */
void
room_end(struct room *r, const char *by, const char *reason)
{
	struct member	*m;
	json_t		*ev;

	ev = room_event(r, "ended");
	if (by != NULL)
		json_object_set_new(ev, "by", json_string(by));
	if (reason != NULL)
		json_object_set_new(ev, "reason", json_string(reason));
	while ((m = TAILQ_FIRST(&r->members)) != NULL) {
		member_deliver(m, ev, 1);
		member_free(m);
	}
	json_decref(ev);
	room_free(r);
}

void
room_end_all(const char *reason)
{
	struct room	*r;

	while ((r = TAILQ_FIRST(&rooms)) != NULL)
		room_end(r, NULL, reason);
}

/*
 * A chat message from a member, to the room or (to set) one member.  It is
 * kept in the history with who may read it back.
 */
void
room_chat(struct room *r, json_t *ev, struct member *from, struct member *to)
{
	struct chat_line	*l;

	if (cfg->chat_history > 0) {
		if (r->hcount == r->hsize) {
			json_decref(r->history[r->hfirst].ev);
			r->hfirst = (r->hfirst + 1) % r->hsize;
			r->hcount--;
		}
		l = &r->history[(r->hfirst + r->hcount) % r->hsize];
		l->ev = json_incref(ev);
		l->from = from->id;
		l->to = to != NULL ? to->id : 0;
		r->hcount++;
	}
	if (to == NULL) {
		room_broadcast(r, ev);
		return;
	}
	member_deliver(to, ev, 0);
	if (to != from)
		member_deliver(from, ev, 0);
}

/* SIGHUP changed [chat] history: keep the newest lines that still fit. */
void
room_resize_history(struct room *r, size_t size)
{
	struct chat_line	*h;
	size_t			 i, keep, skip;

	if (size == 0)
		size = 1;
	keep = r->hcount < size ? r->hcount : size;
	skip = r->hcount - keep;
	h = xcalloc(size, sizeof *h);
	for (i = 0; i < r->hcount; i++) {
		if (i < skip)
			json_decref(r->history[(r->hfirst + i) % r->hsize].ev);
		else
			h[i - skip] = r->history[(r->hfirst + i) % r->hsize];
	}
	free(r->history);
	r->history = h;
	r->hsize = size;
	r->hfirst = 0;
	r->hcount = keep;
}

/* What rooms shows of a room. */
json_t *
room_summary(struct room *r)
{
	return json_pack("{s:s,s:s?,s:i,s:i,s:b,s:b,s:b,s:b,s:b,s:i}",
	    "name", r->name, "host", r->host != NULL ? r->host->name : NULL,
	    "participants", (int)r->njoined, "waiting", (int)r->nwaiting,
	    "lobby", r->lobby, "locked", r->locked, "password",
	    r->password != NULL, "token_only", r->token_only, "recording",
	    r->recording, "worker",
	    r->worker != NULL ? (int)worker_index(r->worker) : -1);
}
