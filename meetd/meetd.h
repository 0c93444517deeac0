/*
 * meetd: the structures of the daemon and the functions its files share.
 *
 * A node holds rooms (room.c) and local sessions (session.c).  A session is
 * one participant identity created by meetctl; it is a member of a room on
 * this node, or of a room on another node that it reaches through a peer
 * (peer.c, the outgoing side of a node link).  The hosting node sees such a
 * member through a remote (remote.c, the incoming side).  Commands (cmd*.c)
 * come from meetctl over the control socket (control.c, client.c) or from a
 * peer node, and run where the room is.
 */
#ifndef MEETD_H
#define MEETD_H

#include <sys/queue.h>
#include <sys/types.h>

#include <getopt.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#include "addr.h"
#include "log.h"
#include "proto.h"
#include "text.h"
#include "timestamp.h"
#include "xmalloc.h"

#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

struct client;
struct cmdq;
struct link;
struct member;
struct peer;
struct remote;
struct room;
struct session;
struct sha256;

/* config.c */
struct config {
	char		*path;		/* the file read, NULL for defaults */
	char		*node_name;
	char		*listen;	/* ADDR:PORT for links and media */
	char		*socket;	/* control socket, NULL: path rules */
	char		*socket_group;
	double		 link_grace;
	double		 keepalive;
	double		 keepalive_timeout;
	double		 reconnect_max;
	int		 max_rooms;
	int		 max_participants;
	int		 max_sessions;
	int		 chat_history;
	int		 chat_max_length;
	int		 session_events;
	char		*spool;
	int64_t		 file_max_size;
	int64_t		 file_quota;
	double		 file_keep;
	int		 verbose;
};
extern struct config	*cfg;
struct config	*config_defaults(void);
int		 config_load(const char *, struct config **, char **);
void		 config_free(struct config *);
void		 config_apply_reload(struct config *, struct config *);

/* server.c */
extern struct event_base *base;
extern char		 node_id[33];
extern uint64_t		 start_usec;
extern int		 shutting_down;
uint64_t	 next_id(void);
struct event	*timer_new(void (*)(evutil_socket_t, short, void *), void *);
void		 timer_start(struct event *, double);

/* listen.c */
extern char	 listen_address[ADDR_HOST_MAX + 8];
int		 listen_start(const char *, char **);
void		 listen_stop(void);

/* control.c */
extern char	*control_path;
int		 control_start(const char *, const char *, char **);
void		 control_stop(void);
const char	*control_default_path(void);

/* client.c */
void	 client_accept(int, uid_t);
void	 client_output(struct client *, int, const char *, size_t);
void	 client_exit(struct client *, int);
void	 client_set_cmd(struct client *, struct cmdq *);
typedef void (*client_file_cb)(int, const char *, void *);
void	 client_file(struct client *, const char *, const char *, const char *,
	    client_file_cb, void *);
int	 client_is_tty(struct client *);
void	 client_close_all(void);
u_int	 client_count(void);

/* cmd.c */
#define CMD_SESSION	0x1	/* acts for a local session */
#define CMD_ROOM	0x2	/* runs on the node hosting the room */
#define CMD_JOINED	0x4	/* only once admitted */
#define CMD_HOST	0x8	/* only the room's host */
#define CMD_REMOTE	0x10	/* a peer node may run it with no member */
#define CMD_TEXT	0x20	/* options only before the arguments */
#define CMD_WAIT	(-1)	/* exec: the command finishes later */
#define CMD_MAXOPTS	128

struct cmd_entry {
	const char		*name;
	const char		*usage;
	const char		*optstring;
	const struct option	*longopts;
	int			 lower;	/* positional arguments */
	int			 upper;	/* -1: no limit */
	int			 flags;
	int			(*exec)(struct cmdq *);
	/* Runs first on meetctl's node, before a room command goes to the
	 * room's node: 0 to go on, CMD_WAIT when it took over, or a status. */
	int			(*local)(struct cmdq *);
};

struct cmdq {
	const struct cmd_entry	*entry;
	json_t			*argv;	/* as given, for forwarding */
	int			 argc;	/* positional arguments */
	char			**args;
	char			*opts[CMD_MAXOPTS];
	int			 json;

	/* Where the answer goes: a client, or a node that asked. */
	struct client		*client;
	struct remote		*remote;
	uint64_t		 reqid;
	struct evbuffer		*out;
	struct evbuffer		*err;
	int			 in_fd;	/* the client's stdin, or -1 */

	struct session		*session;	/* acting local session */
	struct member		*member;	/* acting member (host side) */

	/* A command that waits: called when an event reaches the session
	 * (return 1 when it finished q), and when it is given up. */
	void			(*done)(struct cmdq *, int);	/* internal */
	void			*done_arg;
	int			(*on_event)(struct cmdq *, json_t *, int);
	void			(*on_cancel)(struct cmdq *);
	void			*data;
	struct event		*timer;
	TAILQ_ENTRY(cmdq)	 wentry;
};
extern const struct cmd_entry *cmd_table[];
void	 cmd_from_client(struct client *, json_t *, int);
void	 cmd_from_remote(struct remote *, uint64_t, json_t *);
void	 cmdq_print(struct cmdq *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 cmdq_error(struct cmdq *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 cmdq_json(struct cmdq *, json_t *);
void	 cmdq_write(struct cmdq *, int, const char *, size_t);
void	 cmdq_finish(struct cmdq *, int);
void	 cmdq_cancel(struct cmdq *);
int	 cmdq_has(struct cmdq *, int);
typedef void (*cmd_call_cb)(int, const char *, const char *, void *);
int	 cmd_room_call(struct session *, json_t *, int, cmd_call_cb, void *,
	    char **);
int	 cmd_peer_call(struct peer *, uint64_t, json_t *, int, cmd_call_cb,
	    void *, char **);
void	 cmd_call_forget(void *);
const char *cmdq_get(struct cmdq *, int);

/* cmd-file.c */
void	 file_peer_up(struct peer *);

/* events.c */
json_t	*events_new(const char *, const char *);
void	 events_print(struct cmdq *, json_t *);
int	 events_match(json_t *, const char *, const char *);

/* session.c */
enum session_state {
	SESSION_JOINING,	/* asked to join; no answer yet */
	SESSION_WAITING,	/* in a lobby */
	SESSION_JOINED
};
struct session_event {
	uint64_t	 seq;
	json_t		*ev;
	int		 taken;		/* returned by a wait */
};
struct session {
	char			 name[NAME_MAX_LEN + 1];
	uint64_t		 id;
	enum session_state	 state;
	char			 room[NAME_MAX_LEN + 1];
	char			 where[ADDR_HOST_MAX + 8];	/* "" here */
	uint64_t		 created;

	struct member		*member;	/* a room on this node */
	struct peer		*peer;		/* a room on another */
	uint64_t		 remote_id;	/* member id there */

	struct session_event	*log;		/* ring of events */
	size_t			 logsize;
	uint64_t		 next_seq;
	struct cmdq		*joining;	/* a join waiting for entry */
	int			 give_up;	/* its client went away */
	TAILQ_HEAD(, cmdq)	 waiters;

	TAILQ_ENTRY(session)	 entry;
	TAILQ_ENTRY(session)	 pentry;	/* on peer->sessions */
};
TAILQ_HEAD(sessions, session);
extern struct sessions	 sessions;
struct session	*session_find(const char *);
struct session	*session_find_id(uint64_t);
struct session	*session_new(const char *, const char *, const char *);
void		 session_deliver(struct session *, json_t *, int);
void		 session_end(struct session *, const char *, const char *);
void		 session_free(struct session *);
void		 session_add_waiter(struct session *, struct cmdq *);
void		 session_remove_waiter(struct session *, struct cmdq *);
const char	*session_state_name(struct session *);
const char	*session_room_string(struct session *, char *, size_t);
u_int		 session_count(void);

/* room.c */
enum member_state {
	MEMBER_WAITING,
	MEMBER_JOINED
};
struct member {
	struct room		*room;
	char			 name[NAME_MAX_LEN + 1];
	uint64_t		 id;
	enum member_state	 state;
	uint64_t		 joined;	/* wall clock, usec */
	uint64_t		 order;		/* arrival order */

	struct session		*session;	/* on this node */
	struct remote		*remote;	/* on another node */
	uint64_t		 rsid;		/* its session id there */
	int			 away;		/* link down, in grace */

	int			 audio;		/* sending audio */
	int			 video;
	int			 audio_muted_by_host;
	int			 video_muted_by_host;

	TAILQ_ENTRY(member)	 entry;
	TAILQ_ENTRY(member)	 rentry;	/* on remote->members */
};
struct chat_line {
	json_t			*ev;
	uint64_t		 from;		/* member ids */
	uint64_t		 to;		/* 0: the whole room */
};
struct room {
	char			 name[NAME_MAX_LEN + 1];
	TAILQ_HEAD(, member)	 members;	/* in order of arrival */
	struct member		*host;
	int			 lobby;
	int			 locked;
	char			*password;
	int			 max;
	u_int			 njoined;
	u_int			 nwaiting;
	uint64_t		 created;

	struct chat_line	*history;	/* ring */
	size_t			 hsize;
	size_t			 hfirst;
	size_t			 hcount;

	TAILQ_ENTRY(room)	 entry;
};
TAILQ_HEAD(rooms, room);
extern struct rooms	 rooms;
struct room_params {
	const char	*room;
	const char	*name;
	const char	*password;
	int		 create;
	int		 lobby;
	int		 max;
	uint64_t	 rsid;		/* session id on a remote node */
};
int		 room_enter(const struct room_params *, struct session *,
		     struct remote *, struct member **, int *, char **);
void		 room_leave(struct member *, const char *);
void		 room_end(struct room *, const char *, const char *);
void		 room_end_all(const char *);
int		 room_admit(struct member *, int);
void		 room_kick(struct member *, struct member *);
void		 room_broadcast(struct room *, json_t *);
void		 room_chat(struct room *, json_t *, struct member *,
		     struct member *);
struct room	*room_find(const char *);
struct member	*room_member(struct room *, const char *);
json_t		*room_event(struct room *, const char *);
json_t		*room_summary(struct room *);
void		 member_deliver(struct member *, json_t *, int);
const char	*member_role(struct member *);
u_int		 room_count(void);
void		 room_resize_history(struct room *, size_t);

/* link.c */
struct link {
	struct bufferevent	*bev;
	struct event		*keepalive;
	uint64_t		 last_rx;
	char			 addr[ADDR_HOST_MAX + 8];
	void			(*on_frame)(struct link *, int, json_t *,
				    void *);
	void			(*on_close)(struct link *, const char *,
				    void *);
	void			*arg;
	int			 closing;
};
struct link	*link_new(struct bufferevent *, const char *,
		     void (*)(struct link *, int, json_t *, void *),
		     void (*)(struct link *, const char *, void *), void *);
void		 link_send(struct link *, int, json_t *);
void		 link_close(struct link *, const char *);
void		 link_free(struct link *);

/* transfer.c */
struct xfer {
	uint64_t		 id;
	char			 label[24];	/* as stats shows it */
	int			 sending;
	int			 local;		/* fd to dst_fd on this node */
	struct link		*link;		/* NULL while away */
	int			 fd;
	int			 dst_fd;
	uint64_t		 size;
	uint64_t		 sent;		/* sending */
	uint64_t		 acked;
	uint64_t		 have;		/* receiving */
	uint64_t		 hashed;	/* fed to the hash, in order */
	struct sha256		*hash;
	double			 cwnd;		/* chunks */
	double			 ssthresh;
	uint64_t		 stalls;
	struct event		*timer;
	int			 finished;
	void			*owner;		/* remote or peer it runs for */
	void			(*done)(struct xfer *, const char *);
	void			*arg;
	TAILQ_ENTRY(xfer)	 entry;
};
struct xfer	*xfer_new(uint64_t, int, int, uint64_t,
		     void (*)(struct xfer *, const char *), void *);
struct xfer	*xfer_local(int, int, uint64_t,
		     void (*)(struct xfer *, const char *), void *);
void		 xfer_free(struct xfer *);
uint64_t	 xfer_new_id(void);
struct xfer	*xfer_by_id(uint64_t);
void		 xfer_attach(struct xfer *, struct link *, uint64_t);
void		 xfer_abort(struct xfer *, const char *);
void		 xfer_sha256(struct xfer *, char *);
uint64_t	 xfer_progress(struct xfer *);
void		 xfer_link_gone(struct link *);
void		 xfer_link_writable(struct link *);
void		 xfer_input_chunk(struct link *, const uint8_t *, size_t);
void		 xfer_input_ack(struct link *, json_t *);
void		 xfer_input_abort(struct link *, json_t *);
json_t		*xfer_list(void);
struct xfer	*xfer_by_owner(void *);
void		 xfer_forget_owner(void *);
void		 xfer_foreach_owner(void *, void (*)(struct xfer *, void *),
		     void *);

/* spool.c */
struct shared_file {
	char			 id[17];
	char			 name[FILENAME_MAX_LEN + 1];	/* sanitized */
	char			*original;
	uint64_t		 size;
	char			 sha256[65];
	struct room		*room;		/* NULL once it ended */
	uint64_t		 from;		/* member ids */
	uint64_t		 to;		/* 0: the whole room */
	char			 from_name[NAME_MAX_LEN + 1];
	char			 to_name[NAME_MAX_LEN + 1];
	char			*path;
	char			*part;
	int			 fd;		/* while it arrives */
	struct xfer		*xfer;		/* from another node */
	int			 complete;
	uint64_t		 shared;
	struct event		*expire;
	TAILQ_ENTRY(shared_file) entry;
};
struct shared_file *spool_find(struct room *, const char *);
int		 spool_visible(struct shared_file *, struct member *);
struct shared_file *spool_begin(struct member *, struct member *,
		     const char *, uint64_t, char **);
void		 spool_abort(struct shared_file *);
int		 spool_commit(struct shared_file *, const char *, const char *,
		     char **);
json_t		*spool_json(struct shared_file *);
json_t		*spool_list(struct room *, struct member *);
void		 spool_room_end(struct room *);
void		 spool_free_all(void);
int		 spool_request(struct remote *, uint64_t, const char *,
		     json_t *);
void		 spool_remote_gone(struct remote *);

/* peer.c */
enum peer_state {
	PEER_CONNECTING,
	PEER_UP,
	PEER_DOWN
};
typedef void (*peer_cb)(json_t *, void *);
struct peer_req {
	uint64_t		 id;
	json_t			*req;
	peer_cb			 cb;
	void			*arg;
	TAILQ_ENTRY(peer_req)	 entry;
};
struct peer {
	char			 addr[ADDR_HOST_MAX + 8];
	struct node_addr	 na;
	struct link		*link;
	struct bufferevent	*connecting;	/* before the link */
	char			 why[256];	/* last failure */
	enum peer_state		 state;
	char			 node[33];	/* far node's id */
	int			 was_up;
	int			 bye;
	double			 backoff;
	struct event		*retry;
	struct event		*grace;
	struct event		*idle;		/* deferred free check */
	uint64_t		 next_req;
	TAILQ_HEAD(, peer_req)	 sent;
	TAILQ_HEAD(, peer_req)	 queued;
	TAILQ_HEAD(, session)	 sessions;
	TAILQ_ENTRY(peer)	 entry;
};
struct peer	*peer_get(const struct node_addr *, char **);
int		 peer_request(struct peer *, json_t *, peer_cb, void *,
		     char **);
void		 peer_attach_session(struct peer *, struct session *);
void		 peer_detach_session(struct session *);
void		 peer_close_all(void);
json_t		*peer_list(void);
u_int		 peer_count(void);

/* remote.c */
struct remote {
	char			 node[33];
	char			 name[NAME_MAX_LEN + 1];
	struct link		*link;		/* NULL while away */
	struct event		*grace;
	json_t			*backlog;	/* events while away */
	int			 resumed;	/* backlog may flow */
	TAILQ_HEAD(, member)	 members;
	TAILQ_ENTRY(remote)	 entry;
};
void		 remote_accept(int, const char *);
void		 remote_send_event(struct remote *, uint64_t, json_t *, int);
void		 remote_reply(struct remote *, uint64_t, int, struct evbuffer *,
		     struct evbuffer *, json_t *);
void		 remote_close_all(void);
json_t		*remote_list(void);
u_int		 remote_count(void);

#endif
