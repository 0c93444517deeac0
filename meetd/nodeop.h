/*
 * The node protocol's operations: what a session's node asks of the node
 * that hosts the session's room, as typed requests with typed replies.
 * The command table is for what users type; these are for what nodes ask.
 *
 * On a link a request is FRAME_REQUEST {id, op, session, fields...} and its
 * reply FRAME_REPLY {id, code, error?, fields...}: code is an exit status
 * (EXIT_DONE when it was done, EXIT_USAGE for a malformed request,
 * EXIT_REFUSED for one that could not be done), error says why when it was
 * not, and the reply's fields come only with EXIT_DONE.  session is the
 * session's wire id, naming the member among those of the link's node
 * (remote_member).  Every field is read with its type and range checked
 * (msgfield.h), and a field nobody reads is an error, both ways.  When the
 * room is on this node the same handler runs with the same checks, without
 * the trip through JSON.
 *
 *	op		request			reply
 *	media_track	kind			ssrc
 *	media_untrack	ssrc			-
 *	media_sub	kind, sub, from?	mix_ssrc, tracks
 *	media_unsub	sub			-
 *	leave		-			-
 *
 * kind is "audio", "video" or "screen" ("audio" or "video" for media_sub);
 * ssrc a stream's RTP SSRC, never 0; sub the id the session's node gives a
 * recv, never 0; from the name of the one participant a recv wants.
 * mix_ssrc is the SSRC of the member's own mix (0 when it has none), and
 * tracks the streams other members of the room send, [{name, kind, ssrc}].
 * leave takes the member out of its room (a join given up in the lobby).
 * A session's node undoes a media_track or media_sub whose reply comes
 * after the send or recv that asked is gone (nodeop-call.c).
 *
 * The link's other requests are not operations here: join and resume
 * (remote.c), the file_* requests of shared files (spool.c), and cmd, which
 * carries to the room's node a command a user typed (say, who, rooms HOST)
 * and relays its output.
 */
#ifndef MEETD_NODEOP_H
#define MEETD_NODEOP_H

#include "msgfield.h"

#include "meetd.h"

enum nodeop_type {
	NODEOP_MEDIA_TRACK,
	NODEOP_MEDIA_UNTRACK,
	NODEOP_MEDIA_SUB,
	NODEOP_MEDIA_UNSUB,
	NODEOP_LEAVE,
	NODEOP_MAX
};

#define NODEOP_ERROR		256	/* a reply's reason, with its NUL */
#define NODEOP_MAX_TRACKS	4096	/* a media_sub reply's tracks */

/* media_track: a stream the member starts sending. */
struct op_media_track {
	enum media_kind		 kind;
};
struct op_media_track_reply {
	uint32_t		 ssrc;		/* the stream's, never 0 */
};

/* media_untrack: the stream is over. */
struct op_media_untrack {
	uint32_t		 ssrc;
};

/* media_sub: a recv of the member's session wants the room's media. */
struct op_media_sub {
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	uint64_t		 sub;		/* the recv's id */
	char			 from[NAME_MAX_LEN + 1];	/* "": all */
};
struct op_track {
	char			 name[NAME_MAX_LEN + 1];
	enum media_kind		 kind;
	uint32_t		 ssrc;
};
struct op_media_sub_reply {
	uint32_t		 mix_ssrc;	/* 0: none */
	struct op_track		*tracks;	/* owned by the reply */
	size_t			 ntracks;
};

/* media_unsub: the recv is over. */
struct op_media_unsub {
	uint64_t		 sub;
};

struct nodeop_req {
	enum nodeop_type	 type;
	union {
		struct op_media_track	 media_track;
		struct op_media_untrack	 media_untrack;
		struct op_media_sub	 media_sub;
		struct op_media_unsub	 media_unsub;
	} u;
};
struct nodeop_reply {
	enum nodeop_type	 type;
	int			 code;		/* exit status */
	char			 error[NODEOP_ERROR];	/* "" when done */
	union {
		struct op_media_track_reply	 media_track;
		struct op_media_sub_reply	 media_sub;
	} u;
};

/* nodeop.c: the operations' wire forms. */
const char	*nodeop_name(enum nodeop_type);
int		 nodeop_find(const char *, enum nodeop_type *);
int		 nodeop_needs_joined(enum nodeop_type);
int		 nodeop_check(const struct nodeop_req *, char **);
json_t		*nodeop_request_pack(const struct nodeop_req *);
int		 nodeop_request_unpack(json_t *, struct nodeop_req *, char **);
void		 nodeop_reply_init(struct nodeop_reply *, enum nodeop_type);
void		 nodeop_reply_fail(struct nodeop_reply *, int, const char *,
		     ...) __attribute__((format(printf, 3, 4)));
void		 nodeop_reply_clear(struct nodeop_reply *);
json_t		*nodeop_reply_pack(const struct nodeop_reply *);
int		 nodeop_reply_unpack(json_t *, enum nodeop_type,
		     struct nodeop_reply *, char **);

/* nodeop-host.c: the hosting node runs them. */
void		 nodeop_run(struct member *, const struct nodeop_req *,
		     struct nodeop_reply *);
void		 nodeop_from_remote(struct remote *, uint64_t, json_t *);

/* nodeop-call.c: a session's node asks for them. */
typedef void (*nodeop_cb)(const struct nodeop_reply *, void *);
int		 nodeop_call(struct session *, const struct nodeop_req *,
		     nodeop_cb, void *, char **);
void		 nodeop_forget(void *);

#endif
