/*
 * send and recv as the control thread runs them: a session's pipes, from
 * the command that brings them to the end of the stream.
 *
 * meetctl passes its stdin (send) or stdout (recv).  Control asks the node
 * hosting the session's room for what the stream needs, as operations of
 * the node protocol (nodeop.h): media_track gives a send its SSRC,
 * media_sub subscribes a recv (and, for a room on another node, names the
 * session's mix and the room's tracks).  Then the pipe goes, as an fd in a
 * message, to the media worker of the session's member: the room's worker
 * when the room is here, the peer's (media_far_worker) when it is on
 * another node.  Control never reads or writes the pipe and never sees a
 * packet.  The worker tells control when the pipe ended and how
 * (MEDIA_REPORT_SEND_DONE, _RECV_DONE); control then finishes the command
 * with that status and those messages and undoes the operation
 * (media_untrack, media_unsub).  A command given up first (meetctl went
 * away, the session ended) stops the worker's stream with a message.
 *
 * For a room on another node, control also passes on to that worker what
 * the room's events say of its streams: tracks that start and stop, and
 * whether the session is muted.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"
#include "nodeop.h"

struct stream {
	uint64_t		 id;		/* a recv's sub id too */
	struct session		*session;
	struct cmdq		*q;
	int			 send;		/* 0: recv */
	enum media_kind		 kind;
	char			 from[NAME_MAX_LEN + 1]; /* "": all */
	int			 fd;		/* -1 once the worker's */
	int			 regular;
	int			 rate;
	int			 channels;
	uint32_t		 ssrc;		/* send: the hosting node's */
	int			 asked;		/* an operation waits */
	int			 subscribed;	/* recv: on the hosting node */
	int			 running;	/* its worker has the pipe */
	TAILQ_ENTRY(stream)	 entry;
};

static uint64_t	stream_ids;

static struct stream *stream_new(struct cmdq *, int, enum media_kind);
static void	stream_free(struct stream *);
static void	stream_finish(struct stream *, int);
static void	stream_cancel(struct cmdq *);
static void	stream_registered(const struct nodeop_reply *, void *);
static void	stream_subscribed(const struct nodeop_reply *, void *);
static int	stream_hand_over(struct stream *);

static struct stream *
stream_new(struct cmdq *q, int send, enum media_kind kind)
{
	struct stream	*st;

	st = xcalloc(1, sizeof *st);
	st->id = ++stream_ids;
	st->session = q->session;
	st->q = q;
	st->send = send;
	st->kind = kind;
	st->fd = -1;
	TAILQ_INSERT_TAIL(&q->session->streams, st, entry);
	q->data = st;
	q->on_cancel = stream_cancel;
	return st;
}

/* A stream that could not start: q keeps its pipe, st goes. */
static void
stream_unstart(struct cmdq *q, struct stream *st)
{
	TAILQ_REMOVE(&st->session->streams, st, entry);
	q->data = NULL;
	q->on_cancel = NULL;
	if (st->send)
		q->in_fd = st->fd;
	else
		q->out_fd = st->fd;
	free(st);
}

/*
 * Start send for q's session: 0 when it runs (the command finishes later),
 * or -1 and *cause.
 */
int
stream_send_start(struct cmdq *q, enum media_kind kind, int rate,
    int channels, char **cause)
{
	struct stream		*st;
	struct nodeop_req	 req;
	struct stat		 sb;

	if (q->in_fd == -1 || fstat(q->in_fd, &sb) != 0) {
		xasprintf(cause, "no standard input to read");
		return -1;
	}
	if (isatty(q->in_fd)) {
		xasprintf(cause, "stdin is a terminal: pipe media into it");
		return -1;
	}
	st = stream_new(q, 1, kind);
	st->fd = q->in_fd;
	q->in_fd = -1;
	st->regular = S_ISREG(sb.st_mode);
	st->rate = rate;
	st->channels = channels;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_TRACK;
	req.u.media_track.kind = kind;
	st->asked = 1;
	if (nodeop_call(q->session, &req, stream_registered, st,
	    cause) != 0) {
		stream_unstart(q, st);
		return -1;
	}
	return 0;
}

/*
 * The hosting node answered media_track: the stream's SSRC (never 0), or
 * why not.  When the room is here this runs inside stream_send_start.
 */
static void
stream_registered(const struct nodeop_reply *rep, void *arg)
{
	struct stream	*st = arg;

	st->asked = 0;
	if (rep->code != EXIT_DONE) {
		cmdq_error(st->q, "send: %s", rep->error);
		stream_finish(st, rep->code);
		return;
	}
	st->ssrc = rep->u.media_track.ssrc;
	if (stream_hand_over(st) != 0) {
		cmdq_error(st->q, "send: the node is shutting down");
		stream_finish(st, EXIT_REFUSED);
	}
}

int
stream_recv_start(struct cmdq *q, enum media_kind kind, const char *from,
    int rate, int channels, char **cause)
{
	struct stream		*st;
	struct nodeop_req	 req;

	if (q->out_fd == -1) {
		xasprintf(cause, "no standard output to write");
		return -1;
	}
	if (isatty(q->out_fd)) {
		xasprintf(cause, "stdout is a terminal: pipe it into a "
		    "program (meet-play)");
		return -1;
	}
	st = stream_new(q, 0, kind);
	st->fd = q->out_fd;
	q->out_fd = -1;
	snprintf(st->from, sizeof st->from, "%s", from != NULL ? from : "");
	st->rate = rate;
	st->channels = channels;
	memset(&req, 0, sizeof req);
	req.type = NODEOP_MEDIA_SUB;
	req.u.media_sub.kind = kind;
	req.u.media_sub.sub = st->id;
	snprintf(req.u.media_sub.from, sizeof req.u.media_sub.from, "%s",
	    st->from);
	st->asked = 1;
	if (nodeop_call(q->session, &req, stream_subscribed, st,
	    cause) != 0) {
		stream_unstart(q, st);
		return -1;
	}
	return 0;
}

/* The worker that holds s's member: its room's, or its peer's. */
static struct worker *
stream_worker(struct session *s)
{
	if (s->member != NULL)
		return s->member->room->worker;
	if (s->peer != NULL)
		return media_far_worker(s->peer);
	return NULL;
}

/*
 * A session in a room on another node: its worker learns of it (again,
 * with where the hosting node's port is now) before one of its streams.
 */
static void
stream_far_tell(struct session *s, struct worker *w)
{
	struct media_msg_far_join	msg;

	memset(&msg, 0, sizeof msg);
	msg.session = s->id;
	msg.node = s->peer->id;
	snprintf(msg.peer, sizeof msg.peer, "%s", s->peer->addr);
	snprintf(msg.room, sizeof msg.room, "%s", s->room);
	snprintf(msg.name, sizeof msg.name, "%s", s->name);
	if (s->peer->media_len <= sizeof msg.hub) {
		memcpy(&msg.hub, &s->peer->media_addr, s->peer->media_len);
		msg.hub_len = s->peer->media_len;
	}
	msg.audio_muted = s->muted_audio;
	msg.video_muted = s->muted_video;
	media_tell(w, MEDIA_MSG_FAR_JOIN, &msg, sizeof msg);
	s->media_far = 1;
}

static void
stream_far_track(struct session *s, const char *name, enum media_kind kind,
    uint32_t ssrc, int on)
{
	struct media_msg_far_track	msg;

	memset(&msg, 0, sizeof msg);
	msg.session = s->id;
	snprintf(msg.name, sizeof msg.name, "%s", name);
	msg.kind = kind;
	msg.ssrc = ssrc;
	msg.on = on;
	media_tell(stream_worker(s), MEDIA_MSG_FAR_TRACK, &msg, sizeof msg);
}

/*
 * The hosting node took the subscription, or said why not.  For a room on
 * another node the reply names the session's mix and the room's tracks;
 * when the room is here this runs inside stream_recv_start.
 */
static void
stream_subscribed(const struct nodeop_reply *rep, void *arg)
{
	const struct op_media_sub_reply	*r = &rep->u.media_sub;
	struct stream			*st = arg;
	struct session			*s = st->session;
	struct media_msg_far_mix	 mix;
	struct worker			*w;
	size_t				 i;

	st->asked = 0;
	if (rep->code != EXIT_DONE) {
		cmdq_error(st->q, "recv: %s", rep->error);
		stream_finish(st, rep->code);
		return;
	}
	st->subscribed = 1;
	if (s->peer != NULL && (w = stream_worker(s)) != NULL) {
		stream_far_tell(s, w);
		if (r->mix_ssrc != 0) {
			memset(&mix, 0, sizeof mix);
			mix.session = s->id;
			mix.ssrc = r->mix_ssrc;
			media_tell(w, MEDIA_MSG_FAR_MIX, &mix, sizeof mix);
		}
		for (i = 0; i < r->ntracks; i++)
			stream_far_track(s, r->tracks[i].name,
			    r->tracks[i].kind, r->tracks[i].ssrc, 1);
	}
	if (stream_hand_over(st) != 0) {
		cmdq_error(st->q, "recv: the node is shutting down");
		stream_finish(st, EXIT_REFUSED);
	}
}

/* The pipe to the session's worker: 0, or -1 when there is none. */
static int
stream_hand_over(struct stream *st)
{
	struct session		*s = st->session;
	struct media_msg_send	 send;
	struct media_msg_recv	 recv;
	struct worker		*w;

	if ((w = stream_worker(s)) == NULL)
		return -1;
	if (s->peer != NULL && st->send)
		stream_far_tell(s, w);
	if (st->send) {
		memset(&send, 0, sizeof send);
		send.stream = st->id;
		send.session = s->id;
		send.kind = st->kind;
		send.ssrc = st->ssrc;
		send.fd = st->fd;
		send.regular = st->regular;
		send.rate = st->rate;
		send.channels = st->channels;
		media_tell(w, MEDIA_MSG_SEND, &send, sizeof send);
	} else {
		memset(&recv, 0, sizeof recv);
		recv.stream = st->id;
		recv.session = s->id;
		recv.kind = st->kind;
		snprintf(recv.from, sizeof recv.from, "%s", st->from);
		recv.fd = st->fd;
		recv.rate = st->rate;
		recv.channels = st->channels;
		media_tell(w, MEDIA_MSG_RECV, &recv, sizeof recv);
	}
	st->fd = -1;
	st->running = 1;
	return 0;
}

static void
stream_free(struct stream *st)
{
	struct session			*s = st->session;
	struct nodeop_req		 req;
	struct media_msg_stream_stop	 stop;
	char				*cause;

	TAILQ_REMOVE(&s->streams, st, entry);
	if (st->asked)
		nodeop_forget(st);
	/* A pipe the worker has and still runs: it stops. */
	if (st->running) {
		memset(&stop, 0, sizeof stop);
		stop.stream = st->id;
		stop.session = s->id;
		media_tell(stream_worker(s), st->send ? MEDIA_MSG_SEND_STOP :
		    MEDIA_MSG_RECV_STOP, &stop, sizeof stop);
	}
	/* Tell the room the stream is over (the reply is not waited for). */
	memset(&req, 0, sizeof req);
	if (st->send && st->ssrc != 0) {
		req.type = NODEOP_MEDIA_UNTRACK;
		req.u.media_untrack.ssrc = st->ssrc;
		if (nodeop_call(s, &req, NULL, NULL, &cause) != 0)
			free(cause);
	} else if (!st->send && st->subscribed && (s->member != NULL ||
	    (s->peer != NULL && s->state == SESSION_JOINED))) {
		req.type = NODEOP_MEDIA_UNSUB;
		req.u.media_unsub.sub = st->id;
		if (nodeop_call(s, &req, NULL, NULL, &cause) != 0)
			free(cause);
	}
	if (st->fd != -1)
		close(st->fd);
	free(st);
}

static void
stream_finish(struct stream *st, int code)
{
	struct cmdq	*q = st->q;

	q->data = NULL;
	q->on_cancel = NULL;
	stream_free(st);
	cmdq_finish(q, code);
}

/* meetctl went away: the stream stops. */
static void
stream_cancel(struct cmdq *q)
{
	struct stream	*st = q->data;

	if (st != NULL)
		stream_free(st);
}

/* The stream a worker's report is about, or NULL when it is over. */
static struct stream *
stream_find(uint64_t session, uint64_t id)
{
	struct session	*s;
	struct stream	*st;

	if ((s = session_find_id(session)) == NULL)
		return NULL;
	TAILQ_FOREACH(st, &s->streams, entry) {
		if (st->id == id)
			return st;
	}
	return NULL;
}

/* A worker's MEDIA_REPORT_SEND_DONE: the pipe ended, and how. */
void
stream_send_done(const struct media_report_stream_done *msg)
{
	struct stream	*st;
	const char	*line, *nl;
	char		 error[MEDIA_ERROR_LEN];

	if ((st = stream_find(msg->session, msg->stream)) == NULL || !st->send)
		return;
	st->running = 0;	/* it has let the pipe go */
	memcpy(error, msg->error, sizeof error);
	error[sizeof error - 1] = '\0';
	for (line = error; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL) {
			cmdq_error(st->q, "%s", line);
			break;
		}
		cmdq_error(st->q, "%.*s", (int)(nl - line), line);
	}
	stream_finish(st, msg->code);
}

/* A worker's MEDIA_REPORT_RECV_DONE: the reader went away. */
void
stream_recv_done(const struct media_report_stream_done *msg)
{
	struct stream	*st;

	if ((st = stream_find(msg->session, msg->stream)) == NULL || st->send)
		return;
	st->running = 0;
	stream_finish(st, msg->code);
}

/* The session leaves: its streams end as if the pipes had closed. */
void
stream_session_gone(struct session *s)
{
	struct media_msg_far_leave	 msg;
	struct stream			*st;
	struct worker			*w;

	while ((st = TAILQ_FIRST(&s->streams)) != NULL) {
		/* The room has gone or is going: nothing to undo there. */
		st->ssrc = 0;
		st->subscribed = 0;
		stream_finish(st, EXIT_DONE);
	}
	if (s->media_far && (w = stream_worker(s)) != NULL) {
		memset(&msg, 0, sizeof msg);
		msg.session = s->id;
		media_tell(w, MEDIA_MSG_FAR_LEAVE, &msg, sizeof msg);
	}
	s->media_far = 0;
}

/*
 * Events reaching session s: mutes that concern it, and, for a room on
 * another node, the room's tracks, for the worker that receives them.
 */
void
stream_event(struct session *s, json_t *ev)
{
	struct media_msg_far_muted	 msg;
	const char			*type, *name, *media;
	enum media_kind			 kind;
	int				 on;

	type = json_string_value(json_object_get(ev, "event"));
	name = json_string_value(json_object_get(ev, "name"));
	if (type == NULL || name == NULL)
		return;
	if ((on = strcmp(type, "muted") == 0) || strcmp(type, "unmuted") == 0) {
		media = json_string_value(json_object_get(ev, "media"));
		if (strcmp(name, s->name) != 0 || media == NULL)
			return;
		kind = strcmp(media, "audio") == 0 ? MEDIA_AUDIO : MEDIA_VIDEO;
		if (kind == MEDIA_AUDIO)
			s->muted_audio = on;
		else
			s->muted_video = on;
		if (s->media_far && s->peer != NULL) {
			memset(&msg, 0, sizeof msg);
			msg.session = s->id;
			msg.kind = kind;
			msg.on = on;
			media_tell(stream_worker(s), MEDIA_MSG_FAR_MUTED, &msg,
			    sizeof msg);
		}
		return;
	}
	if (s->peer == NULL || !s->media_far)
		return;
	if (strncmp(type, "audio-", 6) == 0)
		kind = MEDIA_AUDIO;
	else if (strncmp(type, "video-", 6) == 0)
		kind = MEDIA_VIDEO;
	else if (strncmp(type, "screen-", 7) == 0)
		kind = MEDIA_SCREEN;
	else
		return;
	on = strstr(type, "-on") != NULL;
	stream_far_track(s, name, kind, on ? (uint32_t)json_integer_value(
	    json_object_get(ev, "ssrc")) : 0, on);
}
