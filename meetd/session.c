/*
 * Local sessions: one participant identity each, made by create or join and
 * ended by leave, kick, end, denial or a lost link.  A session belongs to
 * the Unix user whose meetctl made it: other users see it only as a count,
 * and cannot act as it (root aside).  A session keeps the events its room
 * sends it, so that events and wait can read back, and the commands that
 * wait for events (join, events -f, wait) hang on it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meetd.h"

struct sessions	sessions = TAILQ_HEAD_INITIALIZER(sessions);

/* By id too: media workers name sessions by id in every frame they post. */
#define SESSION_BUCKETS	256
static TAILQ_HEAD(, session) session_ids[SESSION_BUCKETS];
static int		      session_ids_ready;

static void	session_wire_new(char *);

static TAILQ_HEAD(, session) *
session_bucket(uint64_t id)
{
	int	i;

	if (!session_ids_ready) {
		for (i = 0; i < SESSION_BUCKETS; i++)
			TAILQ_INIT(&session_ids[i]);
		session_ids_ready = 1;
	}
	return (void *)&session_ids[id % SESSION_BUCKETS];
}

struct session *
session_find(const char *name)
{
	struct session	*s;

	TAILQ_FOREACH(s, &sessions, entry) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

struct session *
session_find_id(uint64_t id)
{
	struct session	*s;

	TAILQ_FOREACH(s, session_bucket(id), hentry) {
		if (s->id == id)
			return s;
	}
	return NULL;
}

/* May a meetctl run by uid see and act as s?  Its own user and root may. */
int
session_permits(struct session *s, uid_t uid)
{
	return uid == 0 || s->uid == uid;
}

u_int
session_count(void)
{
	struct session	*s;
	u_int		 n = 0;

	TAILQ_FOREACH(s, &sessions, entry)
		n++;
	return n;
}

/*
 * A session's id on the wire, to the node hosting its room: 128 random bits
 * as hex, so that nobody can guess another's (the hub also binds it to the
 * key of the node that made it).
 */
static void
session_wire_new(char *buf)
{
	uint8_t	b[SESSION_WIRE_LEN / 2];
	int	i;

	arc4random_buf(b, sizeof b);
	for (i = 0; i < (int)sizeof b; i++)
		snprintf(buf + 2 * i, 3, "%02x", b[i]);
}

/* Is s such an id? */
int
session_wire_valid(const char *s)
{
	size_t	i;

	if (s == NULL || strlen(s) != SESSION_WIRE_LEN)
		return 0;
	for (i = 0; i < SESSION_WIRE_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * A new session in state joining; where is "" for a room on this node, and
 * uid the user whose meetctl made it, the only one besides root that may
 * act as it.
 */
struct session *
session_new(const char *name, const char *room, const char *where, uid_t uid)
{
	struct session	*s;

	s = xcalloc(1, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	snprintf(s->room, sizeof s->room, "%s", room);
	snprintf(s->where, sizeof s->where, "%s", where);
	s->id = next_id();
	session_wire_new(s->wire);
	s->uid = uid;
	s->state = SESSION_JOINING;
	s->created = now_usec();
	s->logsize = (size_t)cfg->session_events;
	s->log = xcalloc(s->logsize, sizeof *s->log);
	TAILQ_INIT(&s->waiters);
	TAILQ_INIT(&s->streams);
	TAILQ_INSERT_TAIL(&sessions, s, entry);
	TAILQ_INSERT_TAIL(session_bucket(s->id), s, hentry);
	return s;
}

const char *
session_state_name(struct session *s)
{
	switch (s->state) {
	case SESSION_JOINING:
		return "joining";
	case SESSION_WAITING:
		return "waiting";
	case SESSION_JOINED:
		return "joined";
	}
	return "?";
}

const char *
session_room_string(struct session *s, char *buf, size_t len)
{
	if (s->where[0] == '\0')
		snprintf(buf, len, "%s", s->room);
	else
		snprintf(buf, len, "%s@%s", s->room, s->where);
	return buf;
}

void
session_add_waiter(struct session *s, struct cmdq *q)
{
	TAILQ_INSERT_TAIL(&s->waiters, q, wentry);
}

void
session_remove_waiter(struct session *s, struct cmdq *q)
{
	struct cmdq	*w;

	TAILQ_FOREACH(w, &s->waiters, wentry) {
		if (w == q) {
			TAILQ_REMOVE(&s->waiters, q, wentry);
			break;
		}
	}
	q->on_event = NULL;
}

/*
 * An event for the session: keep it, tell whoever waits, and when end is
 * set (the session is out of its room) end the session.
 */
void
session_deliver(struct session *s, json_t *ev, int end)
{
	struct session_event	*slot;
	struct cmdq		*q, *q1;
	const char		*type;

	slot = &s->log[s->next_seq % s->logsize];
	json_decref(slot->ev);
	slot->ev = json_incref(ev);
	slot->seq = s->next_seq++;
	slot->taken = 0;

	stream_event(s, ev);
	type = json_string_value(json_object_get(ev, "event"));
	if (type != NULL && strcmp(type, "admitted") == 0)
		s->state = SESSION_JOINED;
	if (s->owner_event != NULL)
		s->owner_event(s, ev, s->owner);

	TAILQ_FOREACH_SAFE(q, &s->waiters, wentry, q1) {
		if (q->on_event != NULL && q->on_event(q, ev, end))
			continue;	/* q finished and is gone */
	}
	if (end)
		session_free(s);
}

/* End a session with an event of its own (disconnected, ...). */
void
session_end(struct session *s, const char *type, const char *reason)
{
	json_t	*ev;

	ev = events_new(type, s->room);
	json_object_set_new(ev, "name", json_string(s->name));
	if (reason != NULL)
		json_object_set_new(ev, "reason", json_string(reason));
	session_deliver(s, ev, 1);
	json_decref(ev);
}

void
session_free(struct session *s)
{
	struct cmdq	*q, *q1;
	size_t		 i;

	/* Its owner lets go of it first: nothing below calls back to it. */
	if (s->owner_gone != NULL)
		s->owner_gone(s, s->owner);
	s->owner_event = NULL;
	s->owner_gone = NULL;
	/* Its streams end before it leaves the room. */
	stream_session_gone(s);
	/* Waiters that did not finish on the last event are told now. */
	TAILQ_FOREACH_SAFE(q, &s->waiters, wentry, q1) {
		session_remove_waiter(s, q);
		q->session = NULL;
		cmdq_error(q, "session %s ended", s->name);
		cmdq_finish(q, EXIT_REFUSED);
	}
	if (s->member != NULL) {
		s->member->session = NULL;
		room_leave(s->member, "left");
	}
	if (s->peer != NULL)
		peer_detach_session(s);
	TAILQ_REMOVE(&sessions, s, entry);
	TAILQ_REMOVE(session_bucket(s->id), s, hentry);
	for (i = 0; i < s->logsize; i++)
		json_decref(s->log[i].ev);
	free(s->log);
	log_debug("session %s ended", s->name);
	free(s);
}
