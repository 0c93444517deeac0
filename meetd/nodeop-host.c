/*
 * The hosting node's side of the node protocol (nodeop.h): one handler per
 * operation, run for a member of a room on this node.  nodeop_run is the
 * one way in, whether the member's session is on this node (nodeop_call
 * runs it at once) or on another (nodeop_from_remote, for a request that
 * came over that node's link): the same checks, the same handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeop.h"

typedef void (*nodeop_handler)(struct member *, const struct nodeop_req *,
    struct nodeop_reply *);

static void	nodeop_media_track(struct member *, const struct nodeop_req *,
		    struct nodeop_reply *);
static void	nodeop_media_untrack(struct member *,
		    const struct nodeop_req *, struct nodeop_reply *);
static void	nodeop_media_sub(struct member *, const struct nodeop_req *,
		    struct nodeop_reply *);
static void	nodeop_media_unsub(struct member *, const struct nodeop_req *,
		    struct nodeop_reply *);
static void	nodeop_leave(struct member *, const struct nodeop_req *,
		    struct nodeop_reply *);
static void	nodeop_add_track(struct member *, enum media_kind, uint32_t,
		    void *);

static const nodeop_handler nodeop_handlers[NODEOP_MAX] = {
	[NODEOP_MEDIA_TRACK] = nodeop_media_track,
	[NODEOP_MEDIA_UNTRACK] = nodeop_media_untrack,
	[NODEOP_MEDIA_SUB] = nodeop_media_sub,
	[NODEOP_MEDIA_UNSUB] = nodeop_media_unsub,
	[NODEOP_LEAVE] = nodeop_leave
};

/*
 * Run req for member m into rep (which the caller clears).  m may be gone
 * when this returns (leave).
 */
void
nodeop_run(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	char	*cause;

	nodeop_reply_init(rep, req->type);
	if (nodeop_check(req, &cause) != 0) {
		nodeop_reply_fail(rep, EXIT_USAGE, "%s", cause);
		free(cause);
		return;
	}
	if (nodeop_needs_joined(req->type) && m->state != MEMBER_JOINED) {
		nodeop_reply_fail(rep, EXIT_REFUSED, "%s is waiting in the "
		    "lobby of %s", m->name, m->room->name);
		return;
	}
	nodeop_handlers[req->type](m, req, rep);
}

/*
 * A request from node r for one of its members.  A request that is not
 * well formed is answered with why, and logged: a node that sends one is
 * broken or hostile.
 */
void
nodeop_from_remote(struct remote *r, uint64_t id, json_t *body)
{
	struct nodeop_req	 req;
	struct nodeop_reply	 rep;
	struct member		*m;
	json_t			*o;
	char			*cause;

	if (nodeop_request_unpack(body, &req, &cause) != 0) {
		log_warnx("link from %s: %s", r->link->addr, cause);
		nodeop_reply_init(&rep, req.type);
		nodeop_reply_fail(&rep, EXIT_USAGE, "%s", cause);
		free(cause);
	} else if ((m = remote_member(r, json_string_value(
	    json_object_get(body, "session")))) == NULL) {
		nodeop_reply_init(&rep, req.type);
		nodeop_reply_fail(&rep, EXIT_REFUSED, "%s: no such participant "
		    "here", nodeop_name(req.type));
	} else
		nodeop_run(m, &req, &rep);
	o = nodeop_reply_pack(&rep);
	remote_reply(r, id, rep.code, NULL, NULL, o);
	json_decref(o);
	nodeop_reply_clear(&rep);
}

static void
nodeop_media_track(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	char	*cause;

	if (media_send_open(m, req->u.media_track.kind,
	    &rep->u.media_track.ssrc, &cause) != 0) {
		nodeop_reply_fail(rep, EXIT_REFUSED, "%s", cause);
		free(cause);
	}
}

static void
nodeop_media_untrack(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	uint32_t	ssrc = req->u.media_untrack.ssrc;

	if (media_send_close(m, ssrc) != 0)
		nodeop_reply_fail(rep, EXIT_REFUSED, "%s sends no stream %08x",
		    m->name, ssrc);
}

/* One stream of the room into a media_sub reply (media_room_tracks). */
static void
nodeop_add_track(struct member *m, enum media_kind kind, uint32_t ssrc,
    void *arg)
{
	struct op_media_sub_reply	*r = arg;
	struct op_track			*t;

	if (r->ntracks == NODEOP_MAX_TRACKS) {
		log_warnx("room %s: more than %d streams; %s's %s is not told",
		    m->room->name, NODEOP_MAX_TRACKS, m->name,
		    media_kind_name(kind));
		return;
	}
	r->tracks = xreallocarray(r->tracks, r->ntracks + 1,
	    sizeof *r->tracks);
	t = &r->tracks[r->ntracks++];
	snprintf(t->name, sizeof t->name, "%s", m->name);
	t->kind = kind;
	t->ssrc = ssrc;
}

static void
nodeop_media_sub(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	const struct op_media_sub	*op = &req->u.media_sub;
	char				*cause;

	if (media_sub_add(m, op->sub, op->kind, op->from, &cause) != 0) {
		nodeop_reply_fail(rep, EXIT_REFUSED, "%s", cause);
		free(cause);
		return;
	}
	rep->u.media_sub.mix_ssrc = m->mix_ssrc;
	media_room_tracks(m->room, m, nodeop_add_track, &rep->u.media_sub);
}

static void
nodeop_media_unsub(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	(void)rep;
	media_sub_remove(m, req->u.media_unsub.sub);
}

/* The member's node gave up for it (a join left in the lobby). */
static void
nodeop_leave(struct member *m, const struct nodeop_req *req,
    struct nodeop_reply *rep)
{
	(void)req;
	(void)rep;
	room_leave(m, m->state == MEMBER_WAITING ? "gave up" : "left");
}
