/*
 * A session's node asks for the node protocol's operations (nodeop.h).
 * nodeop_call runs one for a session wherever its room is: when the room is
 * on this node, the hosting side's handler runs at once (nodeop_run) and
 * the callback has its reply before nodeop_call returns; when it is on
 * another, the request goes over the peer's link and the callback has the
 * reply, or the link's failure, exactly once, later.
 *
 * Whoever waits for a reply and goes away first calls nodeop_forget.  A
 * forgotten media_track or media_sub whose reply says it was done is undone
 * at once (media_untrack, media_unsub): otherwise the hosting node would
 * keep a stream or a subscription that nobody here knows of.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeop.h"

struct nodeop_call {
	struct nodeop_req	 req;
	struct peer		*peer;		/* alive until it replies */
	char			 session[SESSION_WIRE_LEN + 1];
	nodeop_cb		 cb;		/* NULL: no answer wanted */
	void			*arg;
	int			 forgotten;
	TAILQ_ENTRY(nodeop_call) entry;
};
static TAILQ_HEAD(, nodeop_call) nodeop_calls =
    TAILQ_HEAD_INITIALIZER(nodeop_calls);

static int	nodeop_send(struct peer *, const char *,
		    const struct nodeop_req *, nodeop_cb, void *, char **);
static void	nodeop_replied(json_t *, void *);
static void	nodeop_undo(struct nodeop_call *, const struct nodeop_reply *);

/*
 * Ask the node hosting s's room to do req for s; cb (which may be NULL)
 * gets the reply.  -1 and *cause when req is not valid or cannot be sent.
 */
int
nodeop_call(struct session *s, const struct nodeop_req *req, nodeop_cb cb,
    void *arg, char **cause)
{
	struct nodeop_reply	rep;

	if (nodeop_check(req, cause) != 0)
		return -1;
	if (s->member != NULL) {
		nodeop_run(s->member, req, &rep);
		if (cb != NULL)
			cb(&rep, arg);
		nodeop_reply_clear(&rep);
		return 0;
	}
	if (s->peer == NULL) {
		xasprintf(cause, "%s is not in a room", s->name);
		return -1;
	}
	return nodeop_send(s->peer, s->wire, req, cb, arg, cause);
}

/* The request on the link, for the far node's member of session sid. */
static int
nodeop_send(struct peer *p, const char *sid, const struct nodeop_req *req,
    nodeop_cb cb, void *arg, char **cause)
{
	struct nodeop_call	*call;
	json_t			*body;
	int			 rc;

	call = xcalloc(1, sizeof *call);
	call->req = *req;
	call->peer = p;
	snprintf(call->session, sizeof call->session, "%s", sid);
	call->cb = cb;
	call->arg = arg;
	body = nodeop_request_pack(req);
	msgfield_add_string(body, "session", sid);
	rc = peer_request(p, body, nodeop_replied, call, cause);
	json_decref(body);
	if (rc != 0) {
		free(call);
		return -1;
	}
	TAILQ_INSERT_TAIL(&nodeop_calls, call, entry);
	return 0;
}

/* arg is going away: replies to calls made for it find nobody. */
void
nodeop_forget(void *arg)
{
	struct nodeop_call	*call;

	TAILQ_FOREACH(call, &nodeop_calls, entry) {
		if (call->arg == arg && !call->forgotten) {
			call->forgotten = 1;
			call->arg = NULL;
		}
	}
}

static void
nodeop_replied(json_t *body, void *arg)
{
	struct nodeop_call	*call = arg;
	struct nodeop_reply	 rep;
	const char		*name = nodeop_name(call->req.type);
	char			*cause;

	TAILQ_REMOVE(&nodeop_calls, call, entry);
	if (nodeop_reply_unpack(body, call->req.type, &rep, &cause) != 0) {
		log_warnx("link to %s: %s", call->peer->addr, cause);
		nodeop_reply_fail(&rep, EXIT_REFUSED, "the node hosting the "
		    "room gave a malformed answer to %s", name);
		free(cause);
	}
	if (call->forgotten)
		nodeop_undo(call, &rep);
	else if (call->cb != NULL)
		call->cb(&rep, call->arg);
	else if (rep.code != EXIT_DONE)
		log_debug("link to %s: %s: %s", call->peer->addr, name,
		    rep.error);
	nodeop_reply_clear(&rep);
	free(call);
}

/* A forgotten call was done: take back what it opened. */
static void
nodeop_undo(struct nodeop_call *call, const struct nodeop_reply *rep)
{
	struct nodeop_req	 undo;
	char			*cause;

	if (rep->code != EXIT_DONE)
		return;
	memset(&undo, 0, sizeof undo);
	switch (call->req.type) {
	case NODEOP_MEDIA_TRACK:
		undo.type = NODEOP_MEDIA_UNTRACK;
		undo.u.media_untrack.ssrc = rep->u.media_track.ssrc;
		break;
	case NODEOP_MEDIA_SUB:
		undo.type = NODEOP_MEDIA_UNSUB;
		undo.u.media_unsub.sub = call->req.u.media_sub.sub;
		break;
	default:
		return;
	}
	log_debug("link to %s: %s answered after its caller went: %s",
	    call->peer->addr, nodeop_name(call->req.type),
	    nodeop_name(undo.type));
	if (nodeop_send(call->peer, call->session, &undo, NULL, NULL,
	    &cause) != 0)
		free(cause);
}
