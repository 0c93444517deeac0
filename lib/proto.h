/*
 * The framing shared by the control socket (meetctl <-> meetd) and node links
 * (meetd <-> meetd): an 8-byte header and a body.
 *
 *	0      2      3      4              8
 *	+------+------+------+--------------+-----------------+
 *	| "ME" | type | 0    | length (BE)  | body            |
 *	+------+------+------+--------------+-----------------+
 *
 * Control bodies are JSON objects; bulk bodies are raw bytes.  A frame whose
 * magic, flags, type or length is wrong ends that connection only.
 */
#ifndef MEET_PROTO_H
#define MEET_PROTO_H

#define PROTO_VERSION	2	/* 2: TLS links, keys, typed operations */
#define FRAME_HEADER	8
#define FRAME_MAX	(1024 * 1024)	/* largest body */
#define FRAME_MAGIC0	'M'
#define FRAME_MAGIC1	'E'

enum frame_type {
	/* 1-15: any connection. */
	FRAME_HELLO = 1,	/* {version, instance?, name?, media_port?} */
	FRAME_ERROR = 2,	/* {error}: the sender closes next */
	FRAME_PING = 3,		/* {} */
	FRAME_PONG = 4,		/* {} */

	/* 16-31: meetctl and meetd. */
	FRAME_COMMAND = 16,	/* {argv, session?, json, fds} + SCM_RIGHTS */
	FRAME_OUTPUT = 17,	/* {fd: 1|2, data} */
	FRAME_EXIT = 18,	/* {code} */
	FRAME_FILE = 19,	/* {id, op, path, to?}: meetctl opens, */
				/* renames or removes a file for meetd */
	FRAME_FILE_RESULT = 20,	/* {id, error?} + the fd of an open */

	/* 32-47: node links. */
	FRAME_REQUEST = 32,	/* {id, op, ...} */
	FRAME_REPLY = 33,	/* {id, code, out?, err?, ...} */
	FRAME_EVENT = 34,	/* {member, event, end} */
	FRAME_BYE = 35,		/* {reason}: the node is going away */
	FRAME_CHUNK = 36,	/* raw: xfer (8), offset (8), data */
	FRAME_ACK = 37,		/* {xfer, have} */
	FRAME_ABORT = 38,	/* {xfer, error} */

	FRAME_TYPE_MAX = 63
};

/* Exit status of meetctl, as CLI.md fixes it. */
#define EXIT_DONE	0
#define EXIT_REFUSED	1
#define EXIT_USAGE	2
#define EXIT_UNREACHABLE 3
#define EXIT_NOT_ADMITTED 4

#endif
