/*
 * Messages between the control thread and the media workers (media.h):
 * how they travel and how each side runs them.  A message is a copy of
 * one struct of its kind in an envelope that says which kind and how big;
 * it goes on the other thread's task queue (worker.c, lib/taskq.c), and
 * the dispatcher there checks the size against the kind before it hands
 * the struct to the one function for that kind.  Neither side ever sees
 * the other's state: what a message names (a room, a member, a session)
 * is found again by id, and is dropped when it is gone.
 *
 * Control learns what the workers report through the callbacks it set
 * with media_reports_set: the media plane never calls the layers above.
 * And control may ask a worker a question and wait for the answer (a
 * recording's start and status, stats): the media_call_* functions, each
 * on a struct of values that the worker fills; a worker never waits.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meetd.h"

struct media_envelope {
	int		 type;
	size_t		 len;
	max_align_t	 body[];
};

/* Sizes by kind; a kind with a tail gives its fixed part. */
struct media_size {
	size_t		 size;
	size_t		 tail;		/* offset of its length, or 0 */
};
#define FIXED(s)	{ sizeof(struct s), 0 }
#define TAILED(s)	{ sizeof(struct s), offsetof(struct s, len) }

static const struct media_size media_msg_sizes[MEDIA_MSG_MAX] = {
	[MEDIA_MSG_MEMBER] = FIXED(media_msg_member),
	[MEDIA_MSG_MEMBER_GONE] = FIXED(media_msg_member_gone),
	[MEDIA_MSG_ROOM_GONE] = FIXED(media_msg_room_gone),
	[MEDIA_MSG_MUTED] = FIXED(media_msg_muted),
	[MEDIA_MSG_SUB] = FIXED(media_msg_sub),
	[MEDIA_MSG_UNSUB] = FIXED(media_msg_unsub),
	[MEDIA_MSG_TRACK] = FIXED(media_msg_track),
	[MEDIA_MSG_UNTRACK] = FIXED(media_msg_untrack),
	[MEDIA_MSG_REMOTE] = FIXED(media_msg_remote),
	[MEDIA_MSG_RECORD_STOP] = FIXED(media_msg_record_stop),
	[MEDIA_MSG_RECORD_EVENT] = TAILED(media_msg_record_event),
	[MEDIA_MSG_RTP_PEER] = FIXED(media_msg_rtp_peer),
	[MEDIA_MSG_SEND] = FIXED(media_msg_send),
	[MEDIA_MSG_SEND_STOP] = FIXED(media_msg_stream_stop),
	[MEDIA_MSG_RECV] = FIXED(media_msg_recv),
	[MEDIA_MSG_RECV_STOP] = FIXED(media_msg_stream_stop),
	[MEDIA_MSG_FAR_SOCKET] = FIXED(media_msg_far_socket),
	[MEDIA_MSG_FAR_JOIN] = FIXED(media_msg_far_join),
	[MEDIA_MSG_FAR_LEAVE] = FIXED(media_msg_far_leave),
	[MEDIA_MSG_FAR_TRACK] = FIXED(media_msg_far_track),
	[MEDIA_MSG_FAR_MIX] = FIXED(media_msg_far_mix),
	[MEDIA_MSG_FAR_MUTED] = FIXED(media_msg_far_muted),
	[MEDIA_MSG_NODE_KEYS] = FIXED(media_msg_node_keys)
};
static const struct media_size media_report_sizes[MEDIA_REPORT_MAX] = {
	[MEDIA_REPORT_TALKING] = FIXED(media_report_talking),
	[MEDIA_REPORT_RECORDING] = FIXED(media_report_recording),
	[MEDIA_REPORT_RECORD_STATE] = FIXED(media_report_record_state),
	[MEDIA_REPORT_PEER_TRACK] = FIXED(media_report_peer_track),
	[MEDIA_REPORT_LEAVE] = FIXED(media_report_leave),
	[MEDIA_REPORT_LATCH] = FIXED(media_report_latch),
	[MEDIA_REPORT_SEND_DONE] = FIXED(media_report_stream_done),
	[MEDIA_REPORT_RECV_DONE] = FIXED(media_report_stream_done)
};

static const struct media_reports	*media_reports;

static struct media_envelope *media_envelope(int, const void *, size_t);
static int	media_size_ok(const struct media_size *, int, int,
		    const struct media_envelope *);
static void	media_msg_dispatch(void *);
static void	media_report_dispatch(void *);

static struct media_envelope *
media_envelope(int type, const void *body, size_t len)
{
	struct media_envelope	*env;

	env = xmalloc(sizeof *env + len);
	env->type = type;
	env->len = len;
	memcpy(env->body, body, len);
	return env;
}

/* Does env hold a whole message of its kind? */
static int
media_size_ok(const struct media_size *sizes, int max, int type,
    const struct media_envelope *env)
{
	const struct media_size	*ms;
	size_t			 tail;

	if (type < 0 || type >= max)
		return 0;
	ms = &sizes[type];
	if (env->len < ms->size)
		return 0;
	if (ms->tail == 0)
		return env->len == ms->size;
	memcpy(&tail, (const uint8_t *)env->body + ms->tail, sizeof tail);
	return tail <= env->len - ms->size && env->len == ms->size + tail;
}

/* A message of type to worker w: body (len bytes) is copied. */
void
media_tell(struct worker *w, enum media_msg_type type, const void *body,
    size_t len)
{
	if (w == NULL)
		return;
	worker_post(w, media_msg_dispatch, media_envelope(type, body, len));
}

/* The same message to every worker. */
void
media_tell_all(enum media_msg_type type, const void *body, size_t len)
{
	u_int	i;

	for (i = 0; i < nworkers; i++)
		media_tell(worker_get(i), type, body, len);
}

/* On a worker: one message from control. */
static void
media_msg_dispatch(void *arg)
{
	struct media_envelope	*env = arg;
	const void		*body = env->body;

	if (!media_size_ok(media_msg_sizes, MEDIA_MSG_MAX, env->type, env))
		fatalx("media message %d: %zu bytes", env->type, env->len);
	switch ((enum media_msg_type)env->type) {
	case MEDIA_MSG_MEMBER:
		media_member_add(body);
		break;
	case MEDIA_MSG_MEMBER_GONE:
		media_member_remove(body);
		break;
	case MEDIA_MSG_ROOM_GONE:
		media_room_remove(body);
		break;
	case MEDIA_MSG_MUTED:
		media_member_muted(body);
		break;
	case MEDIA_MSG_SUB:
		media_sub_open(body);
		break;
	case MEDIA_MSG_UNSUB:
		media_sub_close(body);
		break;
	case MEDIA_MSG_TRACK:
		media_track_start(body);
		break;
	case MEDIA_MSG_UNTRACK:
		media_track_stop(body);
		break;
	case MEDIA_MSG_REMOTE:
		media_remote_move(body);
		break;
	case MEDIA_MSG_RECORD_STOP:
		media_record_stop_msg(body);
		break;
	case MEDIA_MSG_RECORD_EVENT:
		media_record_event_msg(body);
		break;
	case MEDIA_MSG_RTP_PEER:
		rtp_peer_start(body);
		break;
	case MEDIA_MSG_SEND:
		uplink_open(body);
		break;
	case MEDIA_MSG_SEND_STOP:
		uplink_stop(body);
		break;
	case MEDIA_MSG_RECV:
		downlink_open(body);
		break;
	case MEDIA_MSG_RECV_STOP:
		downlink_stop(body);
		break;
	case MEDIA_MSG_FAR_SOCKET:
		far_socket(body);
		break;
	case MEDIA_MSG_FAR_JOIN:
		far_join(body);
		break;
	case MEDIA_MSG_FAR_LEAVE:
		far_leave(body);
		break;
	case MEDIA_MSG_FAR_TRACK:
		far_track(body);
		break;
	case MEDIA_MSG_FAR_MIX:
		far_mix(body);
		break;
	case MEDIA_MSG_FAR_MUTED:
		far_muted(body);
		break;
	case MEDIA_MSG_NODE_KEYS:
		nodesrtp_keys(body);
		break;
	case MEDIA_MSG_MAX:
		break;
	}
	free(env);
}

/* Control's handlers for what workers report. */
void
media_reports_set(const struct media_reports *r)
{
	media_reports = r;
}

/* From a worker: a report of type to control; body is copied. */
void
media_report(enum media_report_type type, const void *body, size_t len)
{
	control_post(media_report_dispatch, media_envelope(type, body, len));
}

/* On control: one report from a worker. */
static void
media_report_dispatch(void *arg)
{
	struct media_envelope		*env = arg;
	const struct media_reports	*r = media_reports;
	const void			*body = env->body;

	if (!media_size_ok(media_report_sizes, MEDIA_REPORT_MAX, env->type,
	    env))
		fatalx("media report %d: %zu bytes", env->type, env->len);
	switch ((enum media_report_type)env->type) {
	case MEDIA_REPORT_TALKING:
		r->talking(body);
		break;
	case MEDIA_REPORT_RECORDING:
		r->recording(body);
		break;
	case MEDIA_REPORT_RECORD_STATE:
		r->record_state(body);
		break;
	case MEDIA_REPORT_PEER_TRACK:
		r->peer_track(body);
		break;
	case MEDIA_REPORT_LEAVE:
		r->leave(body);
		break;
	case MEDIA_REPORT_LATCH:
		r->latch(body);
		break;
	case MEDIA_REPORT_SEND_DONE:
		r->send_done(body);
		break;
	case MEDIA_REPORT_RECV_DONE:
		r->recv_done(body);
		break;
	case MEDIA_REPORT_MAX:
		break;
	}
	free(env);
}

/* -------- What a worker reports, one function a kind. -------- */

void
media_post_talking(struct media_member *m, int on)
{
	struct media_report_talking	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = m->rm->id;
	msg.member = m->id;
	msg.on = on;
	media_report(MEDIA_REPORT_TALKING, &msg, sizeof msg);
}

void
media_post_recording(struct room_media *rm, int on)
{
	struct media_report_recording	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = rm->id;
	msg.on = on;
	media_report(MEDIA_REPORT_RECORDING, &msg, sizeof msg);
}

/* The recording at path started, stopped or failed: by, why may be NULL. */
void
media_post_record_state(struct room_media *rm, const char *path,
    const char *state, const char *by, const char *why)
{
	struct media_report_record_state	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = rm->id;
	snprintf(msg.state, sizeof msg.state, "%s", state);
	snprintf(msg.path, sizeof msg.path, "%s", path);
	snprintf(msg.by, sizeof msg.by, "%s", by != NULL ? by : "");
	snprintf(msg.why, sizeof msg.why, "%s", why != NULL ? why : "");
	media_report(MEDIA_REPORT_RECORD_STATE, &msg, sizeof msg);
}

void
media_post_peer_track(struct media_member *m, enum media_kind kind,
    uint32_t ssrc)
{
	struct media_report_peer_track	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = m->rm->id;
	msg.member = m->id;
	msg.kind = kind;
	msg.ssrc = ssrc;
	media_report(MEDIA_REPORT_PEER_TRACK, &msg, sizeof msg);
}

void
media_post_leave(struct media_member *m, const char *why)
{
	struct media_report_leave	msg;

	memset(&msg, 0, sizeof msg);
	msg.room = m->rm->id;
	msg.member = m->id;
	snprintf(msg.why, sizeof msg.why, "%s", why);
	media_report(MEDIA_REPORT_LEAVE, &msg, sizeof msg);
}

void
media_post_latch(uint64_t remote, const struct sockaddr *sa, socklen_t len)
{
	struct media_report_latch	msg;

	if (len > sizeof msg.addr)
		return;
	memset(&msg, 0, sizeof msg);
	msg.remote = remote;
	memcpy(&msg.addr, sa, len);
	msg.len = len;
	media_report(MEDIA_REPORT_LATCH, &msg, sizeof msg);
}

/*
 * A session's send or recv ended (type says which), with the command's
 * exit status and, for a send, the lines that say what went wrong.
 */
void
media_post_stream_done(enum media_report_type type, uint64_t stream,
    uint64_t session, int code, const char *error)
{
	struct media_report_stream_done	msg;

	memset(&msg, 0, sizeof msg);
	msg.stream = stream;
	msg.session = session;
	msg.code = code;
	snprintf(msg.error, sizeof msg.error, "%s", error != NULL ? error : "");
	media_report(type, &msg, sizeof msg);
}

/* -------- Calls: control waits for the worker's answer. -------- */

static void
media_call_record_start_task(void *arg)
{
	struct media_call_record	*c = arg;
	struct room_media		*rm;
	char				*cause = NULL;

	if ((rm = media_room_find(c->room)) == NULL) {
		snprintf(c->cause, sizeof c->cause, "nobody is in the room");
		c->result = -1;
		return;
	}
	c->result = record_start(rm, c->has_path ? c->path : NULL, c->by,
	    &cause);
	if (c->result != 0) {
		snprintf(c->cause, sizeof c->cause, "%s", cause);
		free(cause);
	}
}

/* Start recording room c->room: 0, or -1 and c->cause. */
int
media_call_record_start(struct worker *w, struct media_call_record *c)
{
	worker_call(w, media_call_record_start_task, c);
	return c->result;
}

struct media_call_status {
	uint64_t	 room;
	json_t		*status;
};

static void
media_call_record_status_task(void *arg)
{
	struct media_call_status	*c = arg;
	struct room_media		*rm;

	if ((rm = media_room_find(c->room)) != NULL)
		c->status = record_status(rm);
}

/* The recording of room on w, or NULL when it is not recorded. */
json_t *
media_call_record_status(struct worker *w, uint64_t room)
{
	struct media_call_status	c;

	memset(&c, 0, sizeof c);
	c.room = room;
	worker_call(w, media_call_record_status_task, &c);
	return c.status;
}

struct media_call_streams {
	json_t		*streams;
	uint64_t	 drops[DROP_MAX];
};

static void
media_call_stats_task(void *arg)
{
	struct media_call_streams	*c = arg;
	int				 i;

	c->streams = media_stats();
	for (i = 0; i < DROP_MAX; i++)
		c->drops[i] = media_node_drops[i];
}

/* The streams of w's rooms; what its sockets dropped is added to drops. */
json_t *
media_call_stats(struct worker *w, uint64_t *drops)
{
	struct media_call_streams	c;
	int				i;

	memset(&c, 0, sizeof c);
	worker_call(w, media_call_stats_task, &c);
	for (i = 0; i < DROP_MAX; i++)
		drops[i] += c.drops[i];
	return c.streams;
}
