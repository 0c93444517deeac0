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
struct downlink;
struct jitterbuf;
struct media_member;
struct media_remote;
struct mixer;
struct opuscodec_dec;
struct opuscodec_enc;
struct outq;
struct pcmconv;
struct rfc2435_depack;
struct room_media;
struct rtp_peer;
struct recorder;
struct uplink;

/* mstats.c: the counters of one media stream, as stats shows them. */
enum media_kind {
	MEDIA_AUDIO,
	MEDIA_VIDEO,
	MEDIA_SCREEN,
	MEDIA_MIX		/* a listener's mix */
};
enum media_drop {
	DROP_MALFORMED,		/* not RTP, or a payload that makes no sense */
	DROP_SOURCE,		/* from an address the stream is not from */
	DROP_DUPLICATE,
	DROP_LATE,		/* after its turn in the jitter buffer */
	DROP_OVERFLOW,		/* the jitter buffer was full */
	DROP_INCOMPLETE,	/* video frames that lost a packet */
	DROP_MUTED,
	DROP_SLOW_READER,	/* a recv pipe that does not keep up */
	DROP_BAD_JPEG,		/* cut or undecodable JPEG on send -v */
	DROP_NOT_JPEG,		/* bytes that were no JPEG */
	DROP_MID_SAMPLE,	/* PCM that ended inside a sample */
	DROP_UNKNOWN,		/* no such stream (node counter) */
	DROP_SEND,		/* the kernel would not take it */
	DROP_MAX
};
struct mstats {
	uint64_t		 packets;
	uint64_t		 bytes;
	uint64_t		 frames;
	uint64_t		 drops[DROP_MAX];
	struct rtp_source	 rs;		/* receiving: loss, jitter */
	int			 receiving;
	u_int			 clock;		/* RTP clock rate */
	double			 rtt;		/* ms, < 0 unknown */
	double			 far_loss;	/* % the far end reports */
	uint64_t		 win_start;
	uint64_t		 win_bytes;
	uint64_t		 win_frames;
	double			 kbps;
	double			 fps;
	/* RTCP: the last SR we got (for our RR), what we sent (our SR). */
	uint32_t		 lsr;
	uint64_t		 lsr_at;
};

#define NODEKEY_FP_LEN	71	/* "sha256:" and 64 hex digits */

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
	int		 video_quality;
	double		 recv_audio_buffer;
	int		 recv_video_frames;
	double		 rtp_timeout;
	char		*record_dir;
	int		 record_slots;
	int		 record_anyone;
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

	TAILQ_HEAD(, uplink)	 uplinks;	/* send */
	TAILQ_HEAD(, downlink)	 downlinks;	/* recv */
	uint32_t		 mix_ssrc;	/* its mix from another node */
	struct opuscodec_dec	*mix_dec;
	struct mstats		 mix_st;
	uint16_t		 mix_seq;
	int			 mix_started;
	int			 muted_audio;	/* as the room says */
	int			 muted_video;

	struct session_event	*log;		/* ring of events */
	size_t			 logsize;
	uint64_t		 next_seq;
	struct cmdq		*joining;	/* a join waiting for entry */
	int			 give_up;	/* its client went away */
	TAILQ_HEAD(, cmdq)	 waiters;

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

/* mstats.c */
extern __thread uint64_t media_node_drops[DROP_MAX];	/* this thread's */
const char	*media_kind_name(enum media_kind);
void		 mstats_init(struct mstats *, uint32_t, u_int, int);
void		 mstats_packet(struct mstats *, size_t, uint64_t);
void		 mstats_frame(struct mstats *, uint64_t);
void		 mstats_drop(struct mstats *, enum media_drop, uint64_t);
json_t		*mstats_json(struct mstats *, const char *, const char *,
		     const char *, enum media_kind, uint32_t, const char *,
		     uint64_t);
json_t		*mstats_drops_json(const uint64_t *);
void		 mstats_depack(struct mstats *, struct rfc2435_depack *);

/* udp.c: the node's UDP port, and the ports of plain-RTP participants. */
struct udp_sock;
typedef void (*udp_input_cb)(struct udp_sock *, uint8_t *, size_t,
		    const struct sockaddr *, socklen_t, uint64_t, void *);
extern __thread struct udp_sock *udp_node;	/* a worker's */
struct udp_sock	*udp_open(const struct sockaddr *, socklen_t, udp_input_cb,
		     void *, char **);
struct udp_sock	*udp_wrap(int, udp_input_cb, void *);
void		 udp_close(struct udp_sock *);
int		 udp_send(struct udp_sock *, const struct sockaddr *,
		     socklen_t, const void *, size_t);
uint8_t		*udp_hold_space(struct udp_sock *, const struct sockaddr *,
		     socklen_t, size_t);
int		 udp_local(struct udp_sock *, struct sockaddr_storage *,
		     socklen_t *);
struct udp_sock	*udp_out(int);
void		 udp_flush_all(void);
void		 udp_out_close(void);
int		 sockaddr_same_host(const struct sockaddr *,
		     const struct sockaddr *);
int		 sockaddr_same(const struct sockaddr *,
		     const struct sockaddr *);
void		 sockaddr_string(const struct sockaddr *, char *, size_t);
void		 sockaddr_host(const struct sockaddr *, char *, size_t);
int		 sockaddr_port(const struct sockaddr *);
void		 sockaddr_set_port(struct sockaddr_storage *, int);

/* listen.c */
int		 listen_udp_address(struct sockaddr_storage *, socklen_t *);

/* worker.c: media workers, threads that run rooms' media. */
struct worker;
extern __thread struct worker *worker_self;	/* NULL: control */
extern u_int	 nworkers;
u_int		 worker_default_count(void);
int		 worker_open_sockets(const struct sockaddr *, socklen_t, u_int,
		     int *, char **);
void		 worker_start(u_int, const int *);
void		 worker_stop(void);
void		 worker_reload(void);
struct worker	*worker_get(u_int);
u_int		 worker_index(const struct worker *);
struct worker	*worker_take(void);
void		 worker_release(struct worker *);
void		 worker_post(struct worker *, void (*)(void *), void *);
void		 worker_call(struct worker *, void (*)(void *), void *);
void		 control_post(void (*)(void *), void *);

/* Messages between control and a room's worker (media-control.c). */
enum media_msg_type {
	/* To the worker. */
	MEDIA_MSG_MEMBER,	/* joined: name, session, remote, ... */
	MEDIA_MSG_MEMBER_GONE,
	MEDIA_MSG_ROOM_GONE,
	MEDIA_MSG_MUTED,	/* kind, on */
	MEDIA_MSG_SUB,		/* id, kind, name (from), on; ssrc: its mix */
	MEDIA_MSG_TRACK,	/* kind, ssrc, on */
	MEDIA_MSG_PACKET,	/* a session's RTP: ssrc, data */
	MEDIA_MSG_REMOTE,	/* id: where that node's media goes now */
	MEDIA_MSG_RECORD_STOP,	/* name: by */
	MEDIA_MSG_RECORD_EVENT,	/* ev */
	MEDIA_MSG_PEER,		/* ptr: a plain-RTP peer for the member */
	/* To control. */
	MEDIA_MSG_EVENT,	/* ev, for the room */
	MEDIA_MSG_PEER_TRACK,	/* a plain-RTP peer's stream: kind, ssrc */
	MEDIA_MSG_LEAVE,	/* why */
	MEDIA_MSG_LATCH,	/* id (remote), addr */
	MEDIA_MSG_MIX,		/* session, data: a 20 ms frame */
	MEDIA_MSG_SOLO,		/* session, name (from), data */
	MEDIA_MSG_VIDEO,	/* session, name (from), data: a JPEG */
	MEDIA_MSG_RECORDING,	/* on */
	MEDIA_MSG_NODE_PACKET	/* addr, now, data */
};
#define MEDIA_MSG_AUDIO_MUTED	0x1
#define MEDIA_MSG_VIDEO_MUTED	0x2
#define MEDIA_MSG_WALLCLOCK	0x4
struct media_msg {
	enum media_msg_type	 type;
	uint64_t		 room;
	uint64_t		 member;
	uint64_t		 session;
	uint64_t		 id;
	enum media_kind		 kind;
	uint32_t		 ssrc;
	int			 on;
	int			 flags;
	char			 name[NAME_MAX_LEN + 1];
	char			 text[NAME_MAX_LEN + 1];
	char			*why;
	json_t			*ev;
	void			*ptr;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	uint64_t		 now;
	size_t			 len;
	uint8_t			 data[];
};

/* media-control.c: a room's media, on the control thread. */
struct media_msg *media_msg_new(enum media_msg_type, size_t);
void		 media_msg_free(struct media_msg *);
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
void		 media_peer_attach(struct room *, struct member *,
		     struct rtp_peer *);
int		 media_record_start(struct room *, const char *, const char *,
		     char **);
void		 media_record_stop(struct room *, const char *);
json_t		*media_record_status(struct room *);
void		 media_record_event(struct room *, json_t *);
json_t		*media_stats_all(uint64_t *);
void		 media_control_input(struct udp_sock *, uint8_t *, size_t,
		     const struct sockaddr *, socklen_t, uint64_t, void *);
/* The worker's side of the same messages. */
void		 media_post_event(struct room_media *, json_t *);
void		 media_post_peer_track(struct media_member *, enum media_kind,
		     uint32_t);
void		 media_post_leave(struct media_member *, const char *);
void		 media_post_latch(uint64_t, const struct sockaddr *,
		     socklen_t);
void		 media_post_mix(uint64_t, const int16_t *);
void		 media_post_solo(uint64_t, const char *, const int16_t *);
void		 media_post_video(uint64_t, const char *, const uint8_t *,
		     size_t);
void		 media_post_recording(struct room_media *, int);
void		 media_post_packet(const uint8_t *, size_t,
		     const struct sockaddr *, socklen_t, uint64_t);

/* media.c: a room's media on its worker. */
#define MEDIA_PT_OPUS	111
#define MEDIA_PT_L16	112
#define MEDIA_PT_JPEG	26
#define MEDIA_PAYLOAD	1200	/* video payloads, at most */
#define MEDIA_PACKET	1500
/* The worker's view of another node that members come from. */
struct media_remote {
	uint64_t		 id;		/* the remote's */
	struct sockaddr_storage	 media_addr;
	socklen_t		 media_len;
	uint64_t		 sent_gen;	/* sent this packet */
	u_int			 refs;
	TAILQ_ENTRY(media_remote) entry;
};
/* The worker's view of a member, joined: what control told it. */
struct media_member {
	struct room_media	*rm;
	char			 name[NAME_MAX_LEN + 1];
	uint64_t		 id;
	uint64_t		 session;	/* a session here: its id */
	struct media_remote	*remote;	/* from another node */
	struct rtp_peer		*rtp;		/* a plain-RTP participant */
	int			 audio;		/* sending */
	int			 video;
	int			 screen;
	int			 audio_muted;
	int			 video_muted;
	TAILQ_HEAD(, media_sub)	 subs;		/* its recvs */
	uint32_t		 mix_ssrc;	/* its mix, when not local */
	uint16_t		 mix_seq;
	struct mstats		 mix_st;
	TAILQ_ENTRY(media_member) entry;
};
struct track {
	struct room_media	*rm;
	struct media_member	*member;
	enum media_kind		 kind;
	uint32_t		 ssrc;
	int			 hashed;	/* in the worker's table */
	int			 wallclock;	/* RTP time is wall clock */
	int			 l16;		/* audio codec: L16, not Opus */
	struct sockaddr_storage	 from;		/* where packets come from */
	socklen_t		 fromlen;
	int			 latched;	/* port known */
	struct mstats		 st;

	struct jitterbuf	*jb;		/* audio */
	struct opuscodec_dec	*dec;
	int16_t			 pcm[960];	/* this tick's frame */
	int			 have_pcm;
	int			 playing;	/* had frames: conceal a gap */
	int			 underrun;	/* frames concealed in a row */
	struct rfc2435_depack	*dp;		/* video for recv here */
	uint32_t		 cur_ts;	/* of the frame being built */
	int			 width;		/* video, from RFC 2435 */
	int			 height;

	TAILQ_ENTRY(track)	 entry;
	TAILQ_ENTRY(track)	 hentry;
};
struct mix_enc;
struct room_media {
	uint64_t		 id;		/* the room's */
	char			 name[NAME_MAX_LEN + 1];
	TAILQ_HEAD(, media_member) members;
	TAILQ_HEAD(, track)	 tracks;
	struct mixer		*mixer;
	struct event		*tick;
	uint64_t		 next_tick;	/* usec, monotonic */
	int			 running;
	int			 restarted;	/* the first tick after a pause */
	uint32_t		 mix_ts;	/* RTP time of the mixes */
	uint64_t		 ticks;
	TAILQ_HEAD(, mix_enc)	 encs;		/* one per distinct mix */
	uint64_t		 talker;	/* member who talked last */
	u_int			 solo_subs;	/* recv -a -F */
	struct recorder		*rec;		/* NULL: not recording */
	TAILQ_ENTRY(room_media)	 entry;
};
struct media_sub {
	uint64_t		 id;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	char			 from[NAME_MAX_LEN + 1];	/* "" all */
	TAILQ_ENTRY(media_sub)	 entry;
};
void		 media_worker_begin(int);
void		 media_worker_end(void);
void		 media_apply(void *);
struct room_media *media_room_find(uint64_t);
struct room_media *media_room_next(struct room_media *);
struct media_member *media_member_find(struct room_media *, uint64_t);
struct media_member *media_member_named(struct room_media *, const char *);
json_t		*media_event_new(struct room_media *, const char *);
struct track	*media_track_find(uint32_t);
struct track	*media_track_open(struct media_member *, enum media_kind,
		     uint32_t, int, int);
void		 media_track_close(struct track *);
struct track	*media_member_track(struct media_member *, enum media_kind);
void		 media_track_input(struct track *, const uint8_t *, size_t,
		     const struct rtp_header *, uint64_t);
void		 media_track_set_ssrc(struct track *, uint32_t);
int		 media_wants_mix(struct media_member *);
json_t		*media_stats(void);
uint64_t	 media_capture_time(int, uint32_t);
const char	*media_source_name(const char *, enum media_kind, char *,
		     size_t);
void		 media_node_input(struct udp_sock *, uint8_t *, size_t,
		     const struct sockaddr *, socklen_t, uint64_t, void *);
void		 media_remote_latch(struct media_remote *,
		     const struct sockaddr *, socklen_t);

/* report.c: RTCP, every second, and what comes back. */
void		 report_start(void);
void		 report_stop(void);
int		 report_input(const uint8_t *, size_t, const struct sockaddr *,
		     uint64_t);
void		 report_sessions_start(void);
void		 report_sessions_stop(void);
void		 report_session(struct session *, uint64_t);
void		 report_sessions_input(const uint8_t *, size_t,
		     const struct sockaddr *);

/* record.c: recording a meeting, on its room's worker. */
int		 record_start(struct room_media *, const char *, const char *,
		     char **);
void		 record_stop(struct room_media *, const char *, const char *);
json_t		*record_status(struct room_media *);
void		 record_mix(struct room_media *, const int16_t *, uint64_t,
		     int);
void		 record_speaker(struct room_media *, struct track *,
		     const uint8_t *, size_t, const int16_t *, uint64_t,
		     uint64_t);
void		 record_video(struct room_media *, struct track *,
		     const uint8_t *, size_t, uint64_t);
void		 record_event(struct room_media *, json_t *);

/* mix.c: the room's audio tick. */
void		 mix_start(struct room_media *);
void		 mix_stop(struct room_media *);
void		 mix_free(struct room_media *);

/* uplink.c: send, a local session's stream into its room. */
int		 uplink_start(struct cmdq *, enum media_kind, int, int,
		     char **);
void		 uplink_session_gone(struct session *);
json_t		*uplink_stats(struct session *);
struct uplink_info {
	uint32_t	 ssrc;
	uint32_t	 ts;		/* RTP time now */
	struct mstats	*st;
};
int		 uplink_info(struct session *, int, struct uplink_info *);
struct mstats	*uplink_mstats(uint32_t);

/* downlink.c: recv, a local session's view of its room. */
int		 downlink_start(struct cmdq *, enum media_kind, const char *,
		     int, int, char **);
void		 downlink_session_gone(struct session *);
int		 downlink_wants(struct session *, enum media_kind,
		     const char *);
void		 downlink_mix(struct session *, const int16_t *);
void		 downlink_solo(struct session *, const char *,
		     const int16_t *);
void		 downlink_video(struct session *, const char *,
		     const uint8_t *, size_t);
int		 downlink_input(uint8_t *, size_t, const struct rtp_header *,
		     const struct sockaddr *, uint64_t);
void		 downlink_event(struct session *, json_t *);
json_t		*downlink_stats(struct session *);

/* rtp-peer.c: plain-RTP participants. */
int		 rtp_peer_add(struct cmdq *, char **);
void		 rtp_peer_attach(struct rtp_peer *, struct media_member *);
void		 rtp_peer_free(struct rtp_peer *);
void		 rtp_peer_track_gone(struct rtp_peer *, struct track *);
void		 rtp_peer_mix(struct rtp_peer *, const uint8_t *, size_t,
		     const int16_t *, uint32_t);
void		 rtp_peer_video(struct rtp_peer *, struct track *,
		     const uint8_t *, size_t, const struct rtp_header *,
		     uint64_t);
json_t		*rtp_peer_stats(struct rtp_peer *);

#endif
