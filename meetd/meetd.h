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
#include <sys/socket.h>
#include <sys/types.h>

#include <getopt.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <jansson.h>

#include "addr.h"
#include "log.h"
#include "media.h"
#include "proto.h"
#include "rtp.h"
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

#define NODEKEY_FP_LEN	71	/* "sha256:" and 64 hex digits */

struct link;
struct member;
struct peer;
struct remote;
struct room;
struct session;
struct sha256;

/* config.c */
#define WEB_DEFAULT_PORT	7780	/* the page's, [web] listen */
#define WEB_LISTEN_DEFAULT	"127.0.0.1:7780"
struct config {
	char		*path;		/* the file read, NULL for defaults */
	char		*node_name;
	char		*listen;	/* ADDR:PORT for links and media */
	char		*socket;	/* control socket, NULL: path rules */
	char		*socket_group;
	double		 command_timeout;	/* a client's time to send */
	int		 max_pending;	/* clients with no command yet */
	int		 max_pending_per_user;
	double		 link_grace;
	double		 keepalive;
	double		 keepalive_timeout;
	double		 reconnect_max;
	char		*node_key;	/* PEM; NULL: the default path */
	char		*known_nodes;	/* NULL: the default path */
	double		 handshake_timeout;	/* TLS and hello */
	int		 max_handshakes;	/* links not past hello */
	int		 max_handshakes_per_address;
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
	int		 workers;	/* media workers, 0: one a core */
	int		 mix_talkers;
	int		 opus_bitrate;
	int		 opus_complexity;	/* of the mix encoders */
	int		 video_quality;
	double		 recv_audio_buffer;
	int		 recv_video_frames;
	double		 rtp_timeout;
	int		 rate_per_source;	/* packets/s, 0: no limit */
	int		 rate_per_stream;
	double		 rate_burst;		/* seconds of the rate */
	char		*record_dir;
	int		 record_slots;
	int		 record_anyone;
	char		*web_listen;	/* the page's ADDR:PORT, "": off */
	char		*web_certificate;	/* PEM, NULL: plain HTTP */
	char		*web_certificate_key;
	int		 web_max_connections;
	int		 web_max_handshakes;	/* not yet upgraded */
	double		 web_handshake_timeout;
	int		 web_max_message;	/* bytes from a browser */
	int		 verbose;
};
/* Each thread has its own copy: a worker's is replaced on reload. */
extern __thread struct config *cfg;
struct config	*config_defaults(void);
struct config	*config_copy(const struct config *);
int		 config_load(const char *, struct config **, char **);
void		 config_free(struct config *);
void		 config_apply_reload(struct config *, struct config *);

/* server.c */
extern __thread struct event_base *base;	/* this thread's loop */
extern struct evdns_base *dns;		/* control's resolver */
extern char		 node_id[33];
extern uint64_t		 start_usec;
extern int		 shutting_down;
uint64_t	 next_id(void);
struct event	*timer_new(void (*)(evutil_socket_t, short, void *), void *);
void		 timer_start(struct event *, double);

/* nodekey.c: the node's long-term key, its identity. */
struct evp_pkey_st;
char		*nodekey_state_dir(void);
char		*nodekey_default_path(const char *, const char *);
int		 nodekey_load(const char *, char **);
void		 nodekey_free(void);
struct evp_pkey_st *nodekey_get(void);
const char	*nodekey_path(void);
const char	*nodekey_own_fingerprint(void);
int		 nodekey_fingerprint(struct evp_pkey_st *, char *, size_t);
int		 nodekey_fingerprint_valid(const char *);
int		 nodekey_derive(const char *, uint8_t *, size_t);

/* tls.c: TLS 1.3 for node links, with the node key's certificate. */
struct ssl_st;
int		 tls_init(char **);
void		 tls_free(void);
struct ssl_st	*tls_new(int);
int		 tls_peer_fingerprint(struct ssl_st *, char *, size_t);
const char	*tls_error_string(void);

/* knownnodes.c: the keys of the nodes this one links to. */
void		 knownnodes_set_path(const char *);
const char	*knownnodes_path(void);
int		 knownnodes_lookup(const char *, char *, size_t, char **);
int		 knownnodes_add(const char *, const char *, char **);
void		 knownnodes_free(void);

/* listen.c */
extern char	 listen_address[ADDR_HOST_MAX + 8];
int		 listen_start(const char *, u_int, int **, char **);
void		 listen_stop(void);
int		 listen_port(void);

/* control.c */
extern char	*control_path;
int		 control_start(const char *, const char *, char **);
void		 control_stop(void);
const char	*control_default_path(void);

/* client.c */
int	 client_accept(int, uid_t, char **);
uid_t	 client_uid(struct client *);
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
#define CMD_OPT_FINGERPRINT 1	/* --fingerprint: a long option only */
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
	int			 out_fd; /* the client's stdout, or -1 */

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
void	 cmd_from_client(struct client *, json_t *, int, int);
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
int	 cmd_peer_call(struct peer *, const char *, json_t *, int, cmd_call_cb,
	    void *, char **);
void	 cmd_call_forget(void *);
typedef void (*cmd_run_cb)(uint64_t, int, const char *, const char *, void *);
void	 cmd_run(struct session *, json_t *, int, cmd_run_cb, void *);
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
#define SESSION_WIRE_LEN 32	/* hex digits: 128 random bits */
struct session {
	char			 name[NAME_MAX_LEN + 1];
	uint64_t		 id;		/* this node's, for its threads */
	char			 wire[SESSION_WIRE_LEN + 1];	/* to the hub */
	enum session_state	 state;
	char			 room[NAME_MAX_LEN + 1];
	char			 where[ADDR_HOST_MAX + 8];	/* "" here */
	uint64_t		 created;
	uid_t			 uid;		/* whose meetctl made it */

	struct member		*member;	/* a room on this node */
	struct peer		*peer;		/* a room on another */
	uint64_t		 remote_id;	/* member id there */

	TAILQ_HEAD(, stream)	 streams;	/* send and recv */
	int			 media_far;	/* a worker holds its view */
	int			 muted_audio;	/* as the room says */
	int			 muted_video;

	struct session_event	*log;		/* ring of events */
	size_t			 logsize;
	uint64_t		 next_seq;
	struct cmdq		*joining;	/* a join waiting for entry */
	int			 give_up;	/* its client went away */
	TAILQ_HEAD(, cmdq)	 waiters;

	/* A session the node serves itself (a browser, web-client.c): its
	 * owner is told of every event, and of its end, by these. */
	void			(*owner_event)(struct session *, json_t *,
				    void *);
	void			(*owner_gone)(struct session *, void *);
	void			*owner;

	TAILQ_ENTRY(session)	 entry;
	TAILQ_ENTRY(session)	 hentry;	/* by id (session.c) */
	TAILQ_ENTRY(session)	 pentry;	/* on peer->sessions */
};
TAILQ_HEAD(sessions, session);
extern struct sessions	 sessions;
struct session	*session_find(const char *);
struct session	*session_find_id(uint64_t);
struct session	*session_new(const char *, const char *, const char *,
		     uid_t);
int		 session_permits(struct session *, uid_t);
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
	char			 rsid[SESSION_WIRE_LEN + 1];	/* its session there */
	int			 away;		/* link down, in grace */

	int			 rtp;		/* a plain-RTP participant */
	int			 cohost;	/* by a --host token */

	/* Its media, as control knows it (media-control.c). */
	int			 media_told;	/* its worker knows it */
	int			 audio;		/* sending audio */
	int			 video;
	int			 screen;
	uint32_t		 track_ssrc[3];	/* by enum media_kind */
	int			 audio_muted;	/* by itself or the host */
	int			 video_muted;
	uint32_t		 mix_ssrc;	/* its mix, when not local */
	uint32_t		 rtp_ssrc[2];	/* a plain-RTP one's: a, v */

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
	uint64_t		 id;
	TAILQ_HEAD(, member)	 members;	/* in order of arrival */
	struct member		*host;
	int			 lobby;
	int			 locked;
	char			*password;
	int			 max;
	int			 token_only;	/* joins need a token */
	u_int			 njoined;
	u_int			 nwaiting;
	uint64_t		 created;

	struct worker		*worker;	/* runs its media */
	int			 recording;	/* as its worker last said */

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
	const char	*rsid;		/* session id on a remote node */
	const char	*token;		/* join: a join token, or NULL */
	int		 token_only;	/* create: joining needs a token */
};
int		 room_enter(const struct room_params *, struct session *,
		     struct remote *, struct member **, int *, char **);
void		 room_leave(struct member *, const char *);
struct member	*room_add_plain(struct room *, const char *, char **);
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
int		 member_is_host(struct member *);
int		 room_token_secret(uint8_t *);
u_int		 room_count(void);
void		 room_resize_history(struct room *, size_t);

/* link.c */
struct link {
	struct bufferevent	*bev;		/* TLS */
	struct event		*keepalive;
	struct event		*deadline;	/* until ready */
	struct event		*drain;		/* closing: last frames */
	uint64_t		 last_rx;
	char			 addr[ADDR_HOST_MAX + 8];
	char			 host[ADDR_HOST_MAX + 1];	/* no port */
	char			 fp[NODEKEY_FP_LEN + 1];	/* far key */
	int			 incoming;
	int			 secure;	/* handshake done */
	int			 pending;	/* on the handshake list */
	size_t			 max_frame;
	void			(*on_secure)(struct link *, void *);
	void			(*on_frame)(struct link *, int, json_t *,
				    void *);
	void			(*on_close)(struct link *, const char *,
				    void *);
	void			*arg;
	int			 closing;
	char			*why;		/* closing: for on_close */
	TAILQ_ENTRY(link)	 pentry;
};
struct link	*link_new(struct bufferevent *, const char *, const char *, int,
		     void (*)(struct link *, void *),
		     void (*)(struct link *, int, json_t *, void *),
		     void (*)(struct link *, const char *, void *), void *);
void		 link_ready(struct link *);
int		 link_may_accept(const char *, char *, size_t);
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
void		 spool_start(void);
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
	char			 why[1024];	/* last failure */
	enum peer_state		 state;
	char			 node[33];	/* far node's run (instance) */
	char			 fp[NODEKEY_FP_LEN + 1];	/* its key, seen */
	char			 pin[NODEKEY_FP_LEN + 1];	/* --fingerprint */
	uint64_t		 id;		/* for the media plane */
	uint8_t			 media_in[32];	/* SRTP masters: it to us */
	uint8_t			 media_out[32];	/* us to it */
	int			 media_keyed;	/* the workers have them */
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
	struct sockaddr_storage	 media_addr;	/* the far node's UDP port */
	socklen_t		 media_len;
	TAILQ_ENTRY(peer)	 entry;
};
struct peer	*peer_get(const struct node_addr *, const char *, char **);
int		 peer_request(struct peer *, json_t *, peer_cb, void *,
		     char **);
void		 peer_attach_session(struct peer *, struct session *);
void		 peer_detach_session(struct session *);
void		 peer_close_all(void);
json_t		*peer_list(void);
u_int		 peer_count(void);

/* remote.c */
struct remote {
	uint64_t		 id;
	char			 fp[NODEKEY_FP_LEN + 1];	/* its key */
	char			 instance[33];	/* its run */
	uint8_t			 media_in[32];	/* SRTP masters: it to us */
	uint8_t			 media_out[32];	/* us to it */
	char			 name[NAME_MAX_LEN + 1];
	struct link		*link;		/* NULL while away */
	struct event		*grace;
	json_t			*backlog;	/* events while away */
	int			 resumed;	/* backlog may flow */
	TAILQ_HEAD(, member)	 members;
	struct sockaddr_storage	 media_addr;	/* its UDP port */
	socklen_t		 media_len;
	TAILQ_ENTRY(remote)	 entry;
};
void		 remote_accept(int, const char *, const char *);
void		 remote_send_event(struct remote *, const char *, json_t *,
		     int);
struct member	*remote_member(struct remote *, const char *);
int		 session_wire_valid(const char *);
void		 remote_reply(struct remote *, uint64_t, int, struct evbuffer *,
		     struct evbuffer *, json_t *);
void		 remote_close_all(void);
struct remote	*remote_find_id(uint64_t);
json_t		*remote_list(void);
u_int		 remote_count(void);

/* listen.c */
int		 listen_udp_address(struct sockaddr_storage *, socklen_t *);

/* media-control.c: a room's media, on the control thread. */
void		 media_control_start(void);
struct worker	*media_far_worker(const struct peer *);
int		 media_far_port(const struct peer *, int);
uint32_t	 media_new_ssrc(struct room *);
void		 media_free_ssrc(uint32_t);
void		 media_member_joined(struct member *);
void		 media_member_gone(struct member *);
void		 media_room_gone(struct room *);
int		 media_send_open(struct member *, enum media_kind, uint32_t *,
		     char **);
int		 media_send_close(struct member *, uint32_t);
void		 media_send_packet(struct member *, uint32_t, const uint8_t *,
		     size_t);
void		 media_room_tracks(struct room *, struct member *,
		     void (*)(struct member *, enum media_kind, uint32_t,
		     void *), void *);
int		 media_sub_add(struct member *, uint64_t, enum media_kind,
		     const char *, char **);
void		 media_sub_remove(struct member *, uint64_t);
void		 media_set_muted(struct member *, enum media_kind, int,
		     const char *);
void		 media_remote_moved(struct remote *);
void		 media_node_keys(uint64_t, const uint8_t *, const uint8_t *);
void		 media_node_gone(uint64_t);
void		 media_node_master(uint8_t *);
void		 media_node_master_b64(const uint8_t *, char *);
int		 media_node_master_parse(const char *, uint8_t *);
void		 media_peer_attach(struct room *, struct member *,
		     struct media_msg_rtp_peer *);
int		 media_record_start(struct room *, const char *, const char *,
		     char **);
void		 media_record_stop(struct room *, const char *);
json_t		*media_record_status(struct room *);
void		 media_record_event(struct room *, json_t *);
json_t		*media_stats_all(uint64_t *);

/* stream.c: send and recv, a session's pipes, as control runs them. */
struct stream;
int		 stream_send_start(struct cmdq *, enum media_kind, int, int,
		     char **);
int		 stream_recv_start(struct cmdq *, enum media_kind, const char *,
		     int, int, char **);
void		 stream_session_gone(struct session *);
void		 stream_event(struct session *, json_t *);
void		 stream_send_done(const struct media_report_stream_done *);
void		 stream_recv_done(const struct media_report_stream_done *);
#endif
