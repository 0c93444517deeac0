/*
 * The media plane (DESIGN.md sections 3 and 10): its types and functions.
 * The rest of meetd reaches it only through what this header declares,
 * and it reports back only with messages.
 *
 * Threads.  The control thread (clients, sessions, rooms, node links)
 * decides: who is in a room, who may send, who is muted, where a node's
 * media goes.  Media workers (worker.c, [media] workers of them, each with
 * its own event loop) move media, and nothing a worker owns is touched by
 * another thread.  Control never reads a pipe, writes one, or handles a
 * packet; a packet is parsed once, on a worker, from socket to pipe.
 *
 * Who owns what.  A room hosted here lives on one worker (control picks
 * the least loaded, worker_take): its members, their tracks (the streams
 * they send, struct track), the mixer and its tick (mix.c), the recording
 * (record.c), its plain-RTP participants and their ports (rtp-peer.c).  A
 * session of this node in a room here is a member of that room on that
 * worker; in a room on another node it is a member of a far room (far.c)
 * on the worker that runs that peer's media (media_far_worker, by the
 * peer's address).  Either way its send and recv pipes are read and
 * written on that worker (uplink.c, downlink.c): a send's packets go
 * straight into the room's track, or to the hosting node from the
 * worker's socket; a recv gets the room's mix, a speaker alone, or tagged
 * frames, made on the same thread.
 *
 * Sockets.  The node's UDP port is a SO_REUSEPORT group of the workers'
 * sockets, steered by SSRC: this node gives out the SSRCs of what it
 * receives for its rooms so that SSRC mod workers is the room's worker.
 * Media for sessions here in rooms on other nodes needs no steering: each
 * worker has a socket of its own a family for media with other nodes (a
 * far socket, opened by control and handed over), whose port the link's
 * hello names, so the hosting node sends to it and this node's sends
 * leave from it.  Every packet for another node leaves a worker through
 * media_node_send; every datagram from one is first handled by
 * media_node_packet (where SRTP protects and unprotects).
 *
 * Messages (media-msg.c).  Control and the workers talk only by messages
 * on each other's task queue (lib/taskq.c), one struct a kind, values
 * only: ids (room, member, session, stream, remote), names, addresses,
 * and the fds of pipes and sockets handed over, never a pointer into the
 * other thread's state.  To a worker: a room's members, mutes, recvs'
 * subscriptions and sends' tracks, where another node's media goes, a
 * recording's end and its chat, a plain-RTP port, a session's pipes (send,
 * recv, and their stop), a far socket, and a far room's sessions, tracks,
 * mixes and mutes.  To control: a talker, a recording's state, a plain-RTP
 * participant's stream or its silence, the address a node's media comes
 * from, and a pipe that ended, with the command's status and messages.
 * Control may also call a worker and wait (worker_call: a recording's
 * start and status, stats); a worker never waits for control.
 */
#ifndef MEETD_MEDIA_H
#define MEETD_MEDIA_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <stdint.h>

#include <jansson.h>

#include "addr.h"
#include "proto.h"
#include "ratelimit.h"
#include "rtp.h"
#include "srtpctx.h"
#include "text.h"

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
struct recorder;
struct room_media;
struct rtp_peer;
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
	DROP_AUTH,		/* SRTP: authentication failed */
	DROP_REPLAY,		/* SRTP: an index seen before, or too old */
	DROP_RATE,		/* over [media] rate_per_source or _stream */
	DROP_TOO_LARGE,		/* send -v: an image over the limit */
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
	/* Receiving: what came before a gap nobody here wanted filled. */
	uint64_t		 prior_expected;
	int64_t			 prior_lost;
};

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
void		 mstats_resync(struct mstats *);

/* udp.c: the node's UDP port, and the ports of plain-RTP participants. */
struct udp_sock;
typedef void (*udp_input_cb)(struct udp_sock *, uint8_t *, size_t,
		    const struct sockaddr *, socklen_t, uint64_t, void *);
extern __thread struct udp_sock *udp_node;	/* a worker's */
struct udp_sock	*udp_open(const struct sockaddr *, socklen_t, udp_input_cb,
		     void *, char **);
int		 udp_bind(const struct sockaddr *, socklen_t, char **);
struct udp_sock	*udp_wrap(int, udp_input_cb, void *);
void		 udp_close(struct udp_sock *);
int		 udp_send(struct udp_sock *, const struct sockaddr *,
		     socklen_t, const void *, size_t);
uint8_t		*udp_hold_space(struct udp_sock *, const struct sockaddr *,
		     socklen_t, size_t);
int		 udp_local(struct udp_sock *, struct sockaddr_storage *,
		     socklen_t *);
void		 udp_flush_all(void);
int		 sockaddr_same_host(const struct sockaddr *,
		     const struct sockaddr *);
int		 sockaddr_same(const struct sockaddr *,
		     const struct sockaddr *);
void		 sockaddr_string(const struct sockaddr *, char *, size_t);
void		 sockaddr_host(const struct sockaddr *, char *, size_t);
int		 sockaddr_port(const struct sockaddr *);
void		 sockaddr_set_port(struct sockaddr_storage *, int);

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

/*
 * Messages between control and the workers (media-msg.c): one struct a
 * kind, each a value (ids, names, addresses, an fd handed over), never a
 * pointer into the other thread's state.  media_tell copies a message to
 * a worker's queue, media_report to control's; each side's dispatcher
 * checks a message's size against its kind before it runs it.  A message
 * about something that is gone by the time it arrives is dropped.
 */
enum media_msg_type {
	MEDIA_MSG_MEMBER,	/* a member of a room here */
	MEDIA_MSG_MEMBER_GONE,
	MEDIA_MSG_ROOM_GONE,
	MEDIA_MSG_MUTED,
	MEDIA_MSG_SUB,		/* a member's recv: what it wants */
	MEDIA_MSG_UNSUB,
	MEDIA_MSG_TRACK,	/* a member's send: its stream */
	MEDIA_MSG_UNTRACK,
	MEDIA_MSG_REMOTE,	/* where a node's media goes now */
	MEDIA_MSG_RECORD_STOP,
	MEDIA_MSG_RECORD_EVENT,	/* a room event for the subtitle track */
	MEDIA_MSG_RTP_PEER,	/* a plain-RTP participant's port */
	MEDIA_MSG_SEND,		/* a session's send pipe, to read */
	MEDIA_MSG_SEND_STOP,
	MEDIA_MSG_RECV,		/* a session's recv pipe, to write */
	MEDIA_MSG_RECV_STOP,
	MEDIA_MSG_FAR_SOCKET,	/* a socket for media with other nodes */
	MEDIA_MSG_FAR_JOIN,	/* a session in a room on another node */
	MEDIA_MSG_FAR_LEAVE,
	MEDIA_MSG_FAR_TRACK,	/* a stream of that room */
	MEDIA_MSG_FAR_MIX,	/* the SSRC of the session's mix */
	MEDIA_MSG_FAR_MUTED,
	MEDIA_MSG_NODE_KEYS,	/* SRTP masters of a node, or its end */
	MEDIA_MSG_MAX
};
enum media_report_type {
	MEDIA_REPORT_TALKING,
	MEDIA_REPORT_RECORDING,		/* whether the room is recorded */
	MEDIA_REPORT_RECORD_STATE,	/* a recording started, stopped... */
	MEDIA_REPORT_PEER_TRACK,	/* a plain-RTP participant's stream */
	MEDIA_REPORT_LEAVE,		/* a member the worker gave up on */
	MEDIA_REPORT_LATCH,		/* where a node's media comes from */
	MEDIA_REPORT_SEND_DONE,		/* a send pipe ended */
	MEDIA_REPORT_RECV_DONE,		/* a recv pipe ended */
	MEDIA_REPORT_MAX
};

#define MEDIA_WHY_LEN	128

struct media_msg_member {
	uint64_t		 room;
	uint64_t		 member;
	uint64_t		 session;	/* 0: not a session here */
	uint64_t		 remote;	/* 0: not from another node */
	char			 room_name[NAME_MAX_LEN + 1];
	char			 name[NAME_MAX_LEN + 1];
	struct sockaddr_storage	 remote_addr;	/* its node's media */
	socklen_t		 remote_len;
	uint32_t		 mix_ssrc;	/* 0: none yet */
	int			 audio_muted;
	int			 video_muted;
};
struct media_msg_member_gone {
	uint64_t		 room;
	uint64_t		 member;
};
struct media_msg_room_gone {
	uint64_t		 room;
};
struct media_msg_muted {
	uint64_t		 room;
	uint64_t		 member;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	int			 on;
};
struct media_msg_sub {
	uint64_t		 room;
	uint64_t		 member;
	uint64_t		 sub;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	char			 from[NAME_MAX_LEN + 1];	/* "": all */
	uint32_t		 mix_ssrc;	/* its mix, from another node */
};
struct media_msg_unsub {
	uint64_t		 room;
	uint64_t		 member;
	uint64_t		 sub;
};
struct media_msg_track {
	uint64_t		 room;
	uint64_t		 member;
	enum media_kind		 kind;
	uint32_t		 ssrc;
};
struct media_msg_untrack {
	uint64_t		 room;
	uint64_t		 member;
	uint32_t		 ssrc;
};
struct media_msg_remote {
	uint64_t		 remote;
	struct sockaddr_storage	 addr;
	socklen_t		 len;
};
struct media_msg_record_stop {
	uint64_t		 room;
	char			 by[NAME_MAX_LEN + 1];	/* "": nobody */
};
struct media_msg_record_event {
	uint64_t		 room;
	size_t			 len;
	char			 json[];	/* the event, as JSON text */
};
struct media_msg_rtp_peer {
	uint64_t		 room;
	uint64_t		 member;
	int			 fd;		/* its port, the worker's now */
	struct sockaddr_storage	 audio_to;
	struct sockaddr_storage	 video_to;
	socklen_t		 to_len;
	int			 l16;
	int			 video;
	char			 video_from[NAME_MAX_LEN + 1];
	char			 send_to[ADDR_HOST_MAX + 8];
	uint32_t		 audio_ssrc;	/* what it gets */
	uint32_t		 video_ssrc;
	int			 srtp;		/* --srtp: both ways */
	struct srtpctx_key	 srtp_key;
};
struct media_msg_send {
	uint64_t		 stream;	/* control's id for it */
	uint64_t		 session;
	enum media_kind		 kind;
	uint32_t		 ssrc;		/* the hosting node's */
	int			 fd;		/* the pipe, the worker's now */
	int			 regular;	/* a file: read in real time */
	int			 rate;		/* audio: the PCM's */
	int			 channels;
};
struct media_msg_recv {
	uint64_t		 stream;	/* its sub id, too */
	uint64_t		 session;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	char			 from[NAME_MAX_LEN + 1];	/* "": all */
	int			 fd;		/* the pipe, the worker's now */
	int			 rate;
	int			 channels;
};
struct media_msg_stream_stop {
	uint64_t		 stream;
	uint64_t		 session;
};
struct media_msg_far_socket {
	int			 af;
	int			 fd;		/* bound, the worker's now */
};
struct media_msg_far_join {
	uint64_t		 session;
	uint64_t		 node;		/* the peer's id: its SRTP keys */
	char			 peer[ADDR_HOST_MAX + 8];	/* as linked */
	char			 room[NAME_MAX_LEN + 1];
	char			 name[NAME_MAX_LEN + 1];
	struct sockaddr_storage	 hub;		/* the hosting node's port */
	socklen_t		 hub_len;
	int			 audio_muted;
	int			 video_muted;
};
struct media_msg_far_leave {
	uint64_t		 session;
};
struct media_msg_far_track {
	uint64_t		 session;
	char			 name[NAME_MAX_LEN + 1];	/* who sends */
	enum media_kind		 kind;
	uint32_t		 ssrc;
	int			 on;
};
struct media_msg_far_mix {
	uint64_t		 session;
	uint32_t		 ssrc;
};
#define MEDIA_NODE_MASTER	32
struct media_msg_node_keys {
	uint64_t		 node;		/* a remote's id or a peer's */
	int			 gone;
	uint8_t			 in[MEDIA_NODE_MASTER];	/* it to us */
	uint8_t			 out[MEDIA_NODE_MASTER];	/* us to it */
};
struct media_msg_far_muted {
	uint64_t		 session;
	enum media_kind		 kind;		/* MEDIA_AUDIO or _VIDEO */
	int			 on;
};

struct media_report_talking {
	uint64_t		 room;
	uint64_t		 member;
	int			 on;
};
struct media_report_recording {
	uint64_t		 room;
	int			 on;
};
struct media_report_record_state {
	uint64_t		 room;
	char			 state[16];	/* started, stopped, failed */
	char			 path[4096];
	char			 by[NAME_MAX_LEN + 1];	/* "": nobody */
	char			 why[MEDIA_WHY_LEN];	/* failed: why */
};
struct media_report_peer_track {
	uint64_t		 room;
	uint64_t		 member;
	enum media_kind		 kind;
	uint32_t		 ssrc;
};
struct media_report_leave {
	uint64_t		 room;
	uint64_t		 member;
	char			 why[MEDIA_WHY_LEN];
};
struct media_report_latch {
	uint64_t		 remote;
	struct sockaddr_storage	 addr;
	socklen_t		 len;
};
#define MEDIA_ERROR_LEN	1024
struct media_report_stream_done {
	uint64_t		 stream;
	uint64_t		 session;
	int			 code;		/* the command's exit status */
	char			 error[MEDIA_ERROR_LEN];	/* lines */
};

/* What control does with each report: set once, by control. */
struct media_reports {
	void	(*talking)(const struct media_report_talking *);
	void	(*recording)(const struct media_report_recording *);
	void	(*record_state)(const struct media_report_record_state *);
	void	(*peer_track)(const struct media_report_peer_track *);
	void	(*leave)(const struct media_report_leave *);
	void	(*latch)(const struct media_report_latch *);
	void	(*send_done)(const struct media_report_stream_done *);
	void	(*recv_done)(const struct media_report_stream_done *);
};

/*
 * Calls: control asks a worker and waits for its answer (worker_call), on
 * a struct of values that the worker fills.  What comes back as JSON is a
 * new object, the caller's.
 */
struct media_call_record {
	uint64_t		 room;
	int			 has_path;	/* 0: the default name */
	char			 path[4096];
	char			 by[NAME_MAX_LEN + 1];
	int			 result;	/* 0, or -1 and cause */
	char			 cause[512];
};

/* media-msg.c */
int		 media_call_record_start(struct worker *,
		     struct media_call_record *);
json_t		*media_call_record_status(struct worker *, uint64_t);
json_t		*media_call_stats(struct worker *, uint64_t *);
void		 media_tell(struct worker *, enum media_msg_type, const void *,
		     size_t);
void		 media_tell_all(enum media_msg_type, const void *, size_t);
void		 media_report(enum media_report_type, const void *, size_t);
void		 media_reports_set(const struct media_reports *);

/* The worker's side of the messages (media.c, far.c, uplink.c, ...). */
void		 media_member_add(const struct media_msg_member *);
void		 media_member_remove(const struct media_msg_member_gone *);
void		 media_room_remove(const struct media_msg_room_gone *);
void		 media_member_muted(const struct media_msg_muted *);
void		 media_sub_open(const struct media_msg_sub *);
void		 media_sub_close(const struct media_msg_unsub *);
void		 media_track_start(const struct media_msg_track *);
void		 media_track_stop(const struct media_msg_untrack *);
void		 media_remote_move(const struct media_msg_remote *);
void		 media_record_stop_msg(const struct media_msg_record_stop *);
void		 media_record_event_msg(const struct media_msg_record_event *);
void		 rtp_peer_start(const struct media_msg_rtp_peer *);
void		 uplink_open(const struct media_msg_send *);
void		 uplink_stop(const struct media_msg_stream_stop *);
void		 downlink_open(const struct media_msg_recv *);
void		 downlink_stop(const struct media_msg_stream_stop *);
void		 far_socket(const struct media_msg_far_socket *);
void		 far_join(const struct media_msg_far_join *);
void		 far_leave(const struct media_msg_far_leave *);
void		 far_track(const struct media_msg_far_track *);
void		 far_mix(const struct media_msg_far_mix *);
void		 far_muted(const struct media_msg_far_muted *);
void		 nodesrtp_keys(const struct media_msg_node_keys *);

/* nodesrtp.c: SRTP between nodes, on a worker. */
void		 nodesrtp_end(void);
int		 nodesrtp_protect(uint64_t, uint8_t *, size_t *, size_t);
int		 nodesrtp_unprotect(uint64_t, uint8_t *, size_t *);
void		 nodesrtp_forget(uint64_t, uint32_t);
enum media_drop	 nodesrtp_drop_reason(int);

/* What a worker reports (media-msg.c). */
void		 media_post_talking(struct media_member *, int);
void		 media_post_recording(struct room_media *, int);
void		 media_post_record_state(struct room_media *, const char *,
		     const char *, const char *, const char *);
void		 media_post_peer_track(struct media_member *, enum media_kind,
		     uint32_t);
void		 media_post_leave(struct media_member *, const char *);
void		 media_post_latch(uint64_t, const struct sockaddr *,
		     socklen_t);
void		 media_post_stream_done(enum media_report_type, uint64_t,
		     uint64_t, int, const char *);

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
	TAILQ_HEAD(, uplink)	 uplinks;	/* its session's sends */
	TAILQ_HEAD(, downlink)	 downlinks;	/* its session's recvs */
	TAILQ_ENTRY(media_member) sentry;	/* by session id */
	int			 mix_silent;	/* got silence last tick */
	TAILQ_ENTRY(media_member) entry;
};
/* What a track of a room here sends on to one other node, for stats. */
struct track_out {
	uint64_t		 remote;	/* the node's id */
	struct mstats		 st;
	TAILQ_ENTRY(track_out)	 entry;
};
/*
 * A stream this node receives: a member's, in a room here (audio for the
 * mixer, video to forward), or, in a room on another node (far.c), one
 * the hosting node forwards to this node or a session's mix, decoded or
 * depacketized for the recv pipes of the sessions here.
 */
struct track {
	struct room_media	*rm;
	struct media_member	*member;	/* far: a session's mix only */
	char			 name[NAME_MAX_LEN + 1];	/* who sends */
	enum media_kind		 kind;
	uint32_t		 ssrc;
	int			 hashed;	/* in the worker's table */
	int			 wallclock;	/* RTP time is wall clock */
	int			 l16;		/* audio codec: L16, not Opus */
	struct sockaddr_storage	 from;		/* where packets come from */
	socklen_t		 fromlen;
	int			 latched;	/* port known */
	struct tokenbucket	 rl;		/* [media] rate_per_stream */
	struct mstats		 st;

	struct jitterbuf	*jb;		/* audio */
	struct opuscodec_dec	*dec;
	int16_t			 pcm[960];	/* this tick's frame */
	int			 have_pcm;
	const uint8_t		*opus;		/* its packet, to pass on */
	size_t			 opus_len;	/* (mix.c, during a tick) */
	int			 playing;	/* had frames: conceal a gap */
	int			 underrun;	/* frames concealed in a row */
	struct rfc2435_depack	*dp;		/* video for recv here */
	uint32_t		 cur_ts;	/* of the frame being built */
	int			 width;		/* video, from RFC 2435 */
	int			 height;
	uint16_t		 next_seq;	/* far audio: in order */
	int			 decoding;
	int			 wanted;	/* far: a recv here wants it */
	int			 resync;	/* far: wanted again after not */
	TAILQ_HEAD(, track_out)	 outs;		/* forwarded to other nodes */

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

	/* A room on another node, for sessions here (far.c). */
	int			 far;
	char			 peer[ADDR_HOST_MAX + 8];	/* its link */
	uint64_t		 node;		/* the peer's id (nodesrtp.c) */
	struct sockaddr_storage	 hub;		/* where its media goes */
	socklen_t		 hub_len;
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
struct room_media *media_room_find(uint64_t);
struct room_media *media_room_next(struct room_media *);
struct media_member *media_member_find(struct room_media *, uint64_t);
struct media_member *media_member_named(struct room_media *, const char *);
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
void		 media_session_add(struct media_member *);
void		 media_session_remove(struct media_member *);
struct media_member *media_session_find(uint64_t);
int		 media_node_send(struct udp_sock *, const struct sockaddr *,
		     socklen_t, uint64_t, const uint8_t *, size_t);
uint64_t	 media_capture_time(int, uint32_t);
const char	*media_source_name(const char *, enum media_kind, char *,
		     size_t);
int		 report_open_hosted(uint8_t *, size_t *);
void		 media_node_packet(struct udp_sock *, uint8_t *, size_t,
		     const struct sockaddr *, socklen_t, uint64_t, void *);
void		 media_remote_latch(struct media_remote *,
		     const struct sockaddr *, socklen_t);

/* report.c: RTCP, every second, and what comes back. */
void		 report_start(void);
void		 report_stop(void);
int		 report_input(const uint8_t *, size_t, const struct sockaddr *,
		     uint64_t);
void		 report_far_member(struct media_member *, uint64_t);
void		 report_far_input(const uint8_t *, size_t,
		     const struct sockaddr *);

/* far.c: rooms on other nodes, as sessions here see them. */
void		 far_worker_begin(void);
void		 far_worker_end(void);
struct room_media *far_room_next(struct room_media *);
void		 far_input(uint8_t *, size_t, const struct sockaddr *,
		     socklen_t, uint64_t);
struct udp_sock	*far_sock(int);
int		 far_is_socket(const void *);
void		 far_wants_changed(struct room_media *);
json_t		*far_stats(void);

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

/* uplink.c: a session's send pipe, read on the worker of its member. */
void		 uplink_free_all(struct media_member *);
json_t		*uplink_stats(struct media_member *);
struct uplink_info {
	uint32_t	 ssrc;
	uint32_t	 ts;		/* RTP time now */
	struct mstats	*st;
};
int		 uplink_info(struct media_member *, int, struct uplink_info *);
struct mstats	*uplink_mstats(struct media_member *, uint32_t);

/* downlink.c: a session's recv pipe, written on the worker of its member. */
void		 downlink_free_all(struct media_member *);
void		 downlink_mix(struct media_member *, const int16_t *);
void		 downlink_solo(struct media_member *, const char *,
		     const int16_t *);
void		 downlink_video(struct media_member *, const char *,
		     const uint8_t *, size_t);
int		 downlink_wants(struct media_member *, enum media_kind,
		     const char *);
json_t		*downlink_stats(struct media_member *);

/* rtp-peer.c: plain-RTP participants. */
void		 rtp_peer_free(struct rtp_peer *);
void		 rtp_peer_track_gone(struct rtp_peer *, struct track *);
void		 rtp_peer_mix(struct rtp_peer *, const uint8_t *, size_t,
		     const int16_t *, uint32_t);
void		 rtp_peer_video(struct rtp_peer *, struct track *,
		     const uint8_t *, size_t, const struct rtp_header *,
		     uint64_t);
json_t		*rtp_peer_stats(struct rtp_peer *);

#endif
