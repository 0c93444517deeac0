/*
 * The node protocol's operations on the wire (nodeop.h says what they are):
 * for each, how its request and its reply are packed into JSON and read
 * back, field by field with msgfield, and the checks its values must pass
 * however they came.  Nothing here knows rooms or links.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgfield.h"
#include "text.h"

#include "nodeop.h"

#define NODEOP_WIRE_ERROR	1024	/* a reason from the far end, read */

static void	op_media_track_pack(json_t *, const struct nodeop_req *);
static int	op_media_track_unpack(struct msgfield *, struct nodeop_req *);
static int	op_media_track_check(const struct nodeop_req *, char **);
static void	op_media_track_reply_pack(json_t *,
		    const struct nodeop_reply *);
static int	op_media_track_reply_unpack(struct msgfield *,
		    struct nodeop_reply *);
static void	op_media_untrack_pack(json_t *, const struct nodeop_req *);
static int	op_media_untrack_unpack(struct msgfield *, struct nodeop_req *);
static int	op_media_untrack_check(const struct nodeop_req *, char **);
static void	op_media_sub_pack(json_t *, const struct nodeop_req *);
static int	op_media_sub_unpack(struct msgfield *, struct nodeop_req *);
static int	op_media_sub_check(const struct nodeop_req *, char **);
static void	op_media_sub_reply_pack(json_t *, const struct nodeop_reply *);
static int	op_media_sub_reply_unpack(struct msgfield *,
		    struct nodeop_reply *);
static void	op_media_unsub_pack(json_t *, const struct nodeop_req *);
static int	op_media_unsub_unpack(struct msgfield *, struct nodeop_req *);
static int	op_media_unsub_check(const struct nodeop_req *, char **);

/* What each operation is on the wire; a NULL function: no fields. */
struct nodeop_entry {
	const char	*name;
	int		 joined;	/* only for a member out of the lobby */
	void		(*pack)(json_t *, const struct nodeop_req *);
	int		(*unpack)(struct msgfield *, struct nodeop_req *);
	int		(*check)(const struct nodeop_req *, char **);
	void		(*reply_pack)(json_t *, const struct nodeop_reply *);
	int		(*reply_unpack)(struct msgfield *,
			    struct nodeop_reply *);
};
static const struct nodeop_entry nodeop_table[NODEOP_MAX] = {
	[NODEOP_MEDIA_TRACK] = {
		.name = "media_track", .joined = 1,
		.pack = op_media_track_pack, .unpack = op_media_track_unpack,
		.check = op_media_track_check,
		.reply_pack = op_media_track_reply_pack,
		.reply_unpack = op_media_track_reply_unpack
	},
	[NODEOP_MEDIA_UNTRACK] = {
		.name = "media_untrack",
		.pack = op_media_untrack_pack,
		.unpack = op_media_untrack_unpack,
		.check = op_media_untrack_check
	},
	[NODEOP_MEDIA_SUB] = {
		.name = "media_sub", .joined = 1,
		.pack = op_media_sub_pack, .unpack = op_media_sub_unpack,
		.check = op_media_sub_check,
		.reply_pack = op_media_sub_reply_pack,
		.reply_unpack = op_media_sub_reply_unpack
	},
	[NODEOP_MEDIA_UNSUB] = {
		.name = "media_unsub",
		.pack = op_media_unsub_pack, .unpack = op_media_unsub_unpack,
		.check = op_media_unsub_check
	},
	[NODEOP_LEAVE] = {
		.name = "leave"
	}
};

/* Kinds by enum media_kind, as the wire names them. */
static const char *const nodeop_kinds[] = { "audio", "video", "screen" };
#define NODEOP_NKINDS	3
_Static_assert(MEDIA_AUDIO == 0 && MEDIA_VIDEO == 1 && MEDIA_SCREEN == 2,
    "nodeop_kinds is indexed by enum media_kind");

const char *
nodeop_name(enum nodeop_type type)
{
	if (type >= NODEOP_MAX)
		return "?";
	return nodeop_table[type].name;
}

/* Is name an operation (type may be NULL)?  0 when it is. */
int
nodeop_find(const char *name, enum nodeop_type *type)
{
	int	i;

	for (i = 0; i < NODEOP_MAX; i++) {
		if (strcmp(nodeop_table[i].name, name) == 0) {
			if (type != NULL)
				*type = (enum nodeop_type)i;
			return 0;
		}
	}
	return -1;
}

int
nodeop_needs_joined(enum nodeop_type type)
{
	return type < NODEOP_MAX && nodeop_table[type].joined;
}

/* The values of req make sense: 0, or -1 and *cause. */
int
nodeop_check(const struct nodeop_req *req, char **cause)
{
	if (req->type >= NODEOP_MAX) {
		xasprintf(cause, "no such operation (%d)", (int)req->type);
		return -1;
	}
	if (nodeop_table[req->type].check == NULL)
		return 0;
	return nodeop_table[req->type].check(req, cause);
}

/* Read a kind into an enum media_kind. */
static int
nodeop_get_kind(struct msgfield *mf, const char *key, enum media_kind *kind)
{
	int	i;

	if (msgfield_enum(mf, key, nodeop_kinds, NODEOP_NKINDS, &i) != 0)
		return -1;
	*kind = (enum media_kind)i;
	return 0;
}

static void
op_media_track_pack(json_t *o, const struct nodeop_req *req)
{
	msgfield_add_enum(o, "kind", nodeop_kinds, NODEOP_NKINDS,
	    (int)req->u.media_track.kind);
}

static int
op_media_track_unpack(struct msgfield *mf, struct nodeop_req *req)
{
	return nodeop_get_kind(mf, "kind", &req->u.media_track.kind);
}

static int
op_media_track_check(const struct nodeop_req *req, char **cause)
{
	enum media_kind	kind = req->u.media_track.kind;

	if (kind != MEDIA_AUDIO && kind != MEDIA_VIDEO &&
	    kind != MEDIA_SCREEN) {
		xasprintf(cause, "media_track: kind %s is not audio, video or "
		    "screen", media_kind_name(kind));
		return -1;
	}
	return 0;
}

static void
op_media_track_reply_pack(json_t *o, const struct nodeop_reply *rep)
{
	msgfield_add_u32(o, "ssrc", rep->u.media_track.ssrc);
}

static int
op_media_track_reply_unpack(struct msgfield *mf, struct nodeop_reply *rep)
{
	if (msgfield_u32(mf, "ssrc", &rep->u.media_track.ssrc) != 0)
		return -1;
	if (rep->u.media_track.ssrc == 0)
		return msgfield_fail(mf, "%s: ssrc 0 is no stream", mf->what);
	return 0;
}

static void
op_media_untrack_pack(json_t *o, const struct nodeop_req *req)
{
	msgfield_add_u32(o, "ssrc", req->u.media_untrack.ssrc);
}

static int
op_media_untrack_unpack(struct msgfield *mf, struct nodeop_req *req)
{
	return msgfield_u32(mf, "ssrc", &req->u.media_untrack.ssrc);
}

static int
op_media_untrack_check(const struct nodeop_req *req, char **cause)
{
	if (req->u.media_untrack.ssrc == 0) {
		xasprintf(cause, "media_untrack: ssrc 0 is no stream");
		return -1;
	}
	return 0;
}

static void
op_media_sub_pack(json_t *o, const struct nodeop_req *req)
{
	const struct op_media_sub	*op = &req->u.media_sub;

	msgfield_add_enum(o, "kind", nodeop_kinds, NODEOP_NKINDS,
	    (int)op->kind);
	msgfield_add_u64(o, "sub", op->sub);
	if (op->from[0] != '\0')
		msgfield_add_string(o, "from", op->from);
}

static int
op_media_sub_unpack(struct msgfield *mf, struct nodeop_req *req)
{
	struct op_media_sub	*op = &req->u.media_sub;

	nodeop_get_kind(mf, "kind", &op->kind);
	msgfield_u64(mf, "sub", &op->sub);
	op->from[0] = '\0';
	if (msgfield_has(mf, "from"))
		msgfield_name(mf, "from", op->from);
	return msgfield_error(mf) != NULL ? -1 : 0;
}

static int
op_media_sub_check(const struct nodeop_req *req, char **cause)
{
	const struct op_media_sub	*op = &req->u.media_sub;

	if (op->kind != MEDIA_AUDIO && op->kind != MEDIA_VIDEO) {
		xasprintf(cause, "media_sub: kind %s is not audio or video",
		    media_kind_name(op->kind));
		return -1;
	}
	if (op->sub == 0 || op->sub > INT64_MAX) {
		xasprintf(cause, "media_sub: sub %llu is no recv",
		    (unsigned long long)op->sub);
		return -1;
	}
	if (op->from[0] != '\0' && name_valid(op->from) != 0) {
		xasprintf(cause, "media_sub: from is not a valid name");
		return -1;
	}
	return 0;
}

static void
op_media_sub_reply_pack(json_t *o, const struct nodeop_reply *rep)
{
	const struct op_media_sub_reply	*r = &rep->u.media_sub;
	const struct op_track		*t;
	json_t				*a, *to;
	size_t				 i;

	msgfield_add_u32(o, "mix_ssrc", r->mix_ssrc);
	a = json_array();
	for (i = 0; i < r->ntracks; i++) {
		t = &r->tracks[i];
		to = json_object();
		msgfield_add_string(to, "name", t->name);
		msgfield_add_enum(to, "kind", nodeop_kinds, NODEOP_NKINDS,
		    (int)t->kind);
		msgfield_add_u32(to, "ssrc", t->ssrc);
		json_array_append_new(a, to);
	}
	json_object_set_new(o, "tracks", a);
}

/* One element of a media_sub reply's tracks. */
static int
op_media_sub_reply_track(struct msgfield *mf, size_t i, json_t *v,
    struct op_track *t)
{
	struct msgfield	 tf;
	char		 what[sizeof mf->what + 32];

	snprintf(what, sizeof what, "%s: tracks[%zu]", mf->what, i);
	msgfield_init(&tf, v, what);
	msgfield_name(&tf, "name", t->name);
	nodeop_get_kind(&tf, "kind", &t->kind);
	if (msgfield_u32(&tf, "ssrc", &t->ssrc) == 0 && t->ssrc == 0)
		msgfield_fail(&tf, "%s: ssrc 0 is no stream", what);
	if (msgfield_end(&tf) != 0)
		return msgfield_fail(mf, "%s", msgfield_error(&tf));
	return 0;
}

static int
op_media_sub_reply_unpack(struct msgfield *mf, struct nodeop_reply *rep)
{
	struct op_media_sub_reply	*r = &rep->u.media_sub;
	json_t				*a, *v;
	size_t				 i;

	if (msgfield_u32(mf, "mix_ssrc", &r->mix_ssrc) != 0 ||
	    msgfield_array(mf, "tracks", NODEOP_MAX_TRACKS, &a) != 0)
		return -1;
	if (json_array_size(a) == 0)
		return 0;
	r->tracks = xcalloc(json_array_size(a), sizeof *r->tracks);
	json_array_foreach(a, i, v) {
		if (op_media_sub_reply_track(mf, i, v, &r->tracks[i]) != 0)
			return -1;	/* nodeop_reply_clear frees */
		r->ntracks++;
	}
	return 0;
}

static void
op_media_unsub_pack(json_t *o, const struct nodeop_req *req)
{
	msgfield_add_u64(o, "sub", req->u.media_unsub.sub);
}

static int
op_media_unsub_unpack(struct msgfield *mf, struct nodeop_req *req)
{
	return msgfield_u64(mf, "sub", &req->u.media_unsub.sub);
}

static int
op_media_unsub_check(const struct nodeop_req *req, char **cause)
{
	if (req->u.media_unsub.sub == 0 ||
	    req->u.media_unsub.sub > INT64_MAX) {
		xasprintf(cause, "media_unsub: sub %llu is no recv",
		    (unsigned long long)req->u.media_unsub.sub);
		return -1;
	}
	return 0;
}

/*
 * A request's op and fields (the caller adds the envelope: id, session).
 * The request is not checked here: nodeop_call checks it first.
 */
json_t *
nodeop_request_pack(const struct nodeop_req *req)
{
	const struct nodeop_entry	*e = &nodeop_table[req->type];
	json_t				*o;

	o = json_object();
	msgfield_add_string(o, "op", e->name);
	if (e->pack != NULL)
		e->pack(o, req);
	return o;
}

/*
 * Read a request {id, op, session, fields...} into req, with its checks:
 * 0, or -1 and *cause.  id and session are the envelope's: not read here.
 */
int
nodeop_request_unpack(json_t *body, struct nodeop_req *req, char **cause)
{
	const struct nodeop_entry	*e;
	struct msgfield			 mf;
	const char			*op;
	enum nodeop_type		 type;

	memset(req, 0, sizeof *req);
	op = json_string_value(json_object_get(body, "op"));
	if (op == NULL || nodeop_find(op, &type) != 0) {
		xasprintf(cause, "request: %s", op == NULL ? "no op" :
		    "unknown op");
		return -1;
	}
	e = &nodeop_table[type];
	req->type = type;
	msgfield_init(&mf, body, e->name);
	msgfield_skip(&mf, "id");
	msgfield_skip(&mf, "op");
	msgfield_skip(&mf, "session");
	if (e->unpack != NULL)
		e->unpack(&mf, req);
	if (msgfield_end(&mf) != 0) {
		*cause = xstrdup(msgfield_error(&mf));
		return -1;
	}
	return nodeop_check(req, cause);
}

void
nodeop_reply_init(struct nodeop_reply *rep, enum nodeop_type type)
{
	memset(rep, 0, sizeof *rep);
	rep->type = type;
	rep->code = EXIT_DONE;
}

/* Free what the reply's fields hold; it is empty after. */
void
nodeop_reply_clear(struct nodeop_reply *rep)
{
	if (rep->type == NODEOP_MEDIA_SUB)
		free(rep->u.media_sub.tracks);
	memset(&rep->u, 0, sizeof rep->u);
}

/* The operation was not done: code, and why. */
void
nodeop_reply_fail(struct nodeop_reply *rep, int code, const char *fmt, ...)
{
	va_list	ap;

	nodeop_reply_clear(rep);
	rep->code = code != EXIT_DONE ? code : EXIT_REFUSED;
	va_start(ap, fmt);
	vsnprintf(rep->error, sizeof rep->error, fmt, ap);
	va_end(ap);
}

/* A reply's code, error and fields (remote_reply adds the id). */
json_t *
nodeop_reply_pack(const struct nodeop_reply *rep)
{
	const struct nodeop_entry	*e = &nodeop_table[rep->type];
	json_t				*o;

	o = json_object();
	msgfield_add_int(o, "code", rep->code);
	if (rep->code != EXIT_DONE)
		msgfield_add_string(o, "error", rep->error);
	else if (e->reply_pack != NULL)
		e->reply_pack(o, rep);
	return o;
}

/*
 * The reason of a refusal, shown to a user: the far node's text only when
 * it is plain text, so that it cannot drive the user's terminal.
 */
static void
nodeop_reply_reason(struct nodeop_reply *rep, const char *s)
{
	char	err[128];
	size_t	len;

	len = strlen(s);
	if (len > 0 && s[len - 1] == '\n')
		len--;		/* the link's own failure is a line */
	if (len >= sizeof rep->error) {
		len = sizeof rep->error - 1;
		while (len > 0 && ((uint8_t)s[len] & 0xc0) == 0x80)
			len--;	/* cut on a character boundary */
	}
	memcpy(rep->error, s, len);
	rep->error[len] = '\0';
	if (len == 0)
		snprintf(rep->error, sizeof rep->error, "%s refused, with no "
		    "reason", nodeop_name(rep->type));
	else if (text_check(rep->error, sizeof rep->error, err,
	    sizeof err) != 0)
		snprintf(rep->error, sizeof rep->error, "%s refused, with a "
		    "reason that is not plain text", nodeop_name(rep->type));
}

/*
 * Read a reply to an operation of the given type into rep: 0, or -1 and
 * *cause when it is malformed (rep then holds nothing to free).  A reply
 * the link made up when it failed carries err instead of error.
 */
int
nodeop_reply_unpack(json_t *body, enum nodeop_type type,
    struct nodeop_reply *rep, char **cause)
{
	const struct nodeop_entry	*e = &nodeop_table[type];
	struct msgfield			 mf;
	const char			*why = "";
	char				 what[64];

	nodeop_reply_init(rep, type);
	snprintf(what, sizeof what, "%s reply", e->name);
	msgfield_init(&mf, body, what);
	msgfield_skip(&mf, "id");
	if (msgfield_int(&mf, "code", 0, 255, &rep->code) != 0)
		rep->code = EXIT_REFUSED;
	else if (rep->code != EXIT_DONE) {
		if (msgfield_has(&mf, "error"))
			msgfield_string(&mf, "error", NODEOP_WIRE_ERROR, &why);
		else if (msgfield_has(&mf, "err"))
			msgfield_string(&mf, "err", NODEOP_WIRE_ERROR, &why);
		nodeop_reply_reason(rep, why);
	} else if (e->reply_unpack != NULL)
		e->reply_unpack(&mf, rep);
	if (msgfield_end(&mf) != 0) {
		*cause = xstrdup(msgfield_error(&mf));
		nodeop_reply_clear(rep);
		return -1;
	}
	return 0;
}
