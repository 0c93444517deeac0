/*
 * The media plane: media workers and what runs on them (DESIGN.md
 * sections 3 and 10).  Its own types and functions; the rest of meetd
 * reaches it only through what this header declares.
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
#include "rtp.h"
#include "srtpctx.h"
#include "text.h"

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
struct recorder;
struct room_media;
struct rtp_peer;
struct session;
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
int		 udp_bind(const struct sockaddr *, socklen_t, char **);
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
	MEDIA_MSG_PACKET,	/* a session's RTP for its room here */
	MEDIA_MSG_REMOTE,	/* where a node's media goes now */
	MEDIA_MSG_RECORD_STOP,
	MEDIA_MSG_RECORD_EVENT,	/* a room event for the subtitle track */
	MEDIA_MSG_RTP_PEER,	/* a plain-RTP participant's port */
	MEDIA_MSG_MAX
};
enum media_report_type {
	MEDIA_REPORT_TALKING,
	MEDIA_REPORT_RECORDING,		/* whether the room is recorded */
	MEDIA_REPORT_RECORD_STATE,	/* a recording started, stopped... */
	MEDIA_REPORT_PEER_TRACK,	/* a plain-RTP participant's stream */
	MEDIA_REPORT_LEAVE,		/* a member the worker gave up on */
	MEDIA_REPORT_LATCH,		/* where a node's media comes from */
	MEDIA_REPORT_MIX,		/* a session's mix, 20 ms of PCM */
	MEDIA_REPORT_SOLO,		/* one speaker, for recv -a -F */
	MEDIA_REPORT_VIDEO,		/* a tagged JPEG */
	MEDIA_REPORT_NODE_PACKET,	/* a datagram for sessions here */
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
struct media_msg_packet {
	uint64_t		 session;
	uint32_t		 ssrc;
	size_t			 len;
	uint8_t			 data[];
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
struct media_report_pcm {
	uint64_t		 session;
	char			 from[NAME_MAX_LEN + 1];	/* solo: who */
	int16_t			 pcm[960];
};
struct media_report_video {
	uint64_t		 session;
	char			 from[NAME_MAX_LEN + 1];
	size_t			 len;
	uint8_t			 jpeg[];
};
struct media_report_node_packet {
	struct sockaddr_storage	 from;
	socklen_t		 fromlen;
	uint64_t		 now;
	size_t			 len;
	uint8_t			 data[];
};

/* What control does with each report: set once, by control. */
struct media_reports {
	void	(*talking)(const struct media_report_talking *);
	void	(*recording)(const struct media_report_recording *);
	void	(*record_state)(const struct media_report_record_state *);
	void	(*peer_track)(const struct media_report_peer_track *);
	void	(*leave)(const struct media_report_leave *);
	void	(*latch)(const struct media_report_latch *);
	void	(*mix)(const struct media_report_pcm *);
	void	(*solo)(const struct media_report_pcm *);
	void	(*video)(const struct media_report_video *);
	void	(*node_packet)(const struct media_report_node_packet *);
};

/* media-msg.c */
void		 media_tell(struct worker *, enum media_msg_type, const void *,
		     size_t);
void		 media_tell_all(enum media_msg_type, const void *, size_t);
void		 media_report(enum media_report_type, const void *, size_t);
void		 media_reports_set(const struct media_reports *);

/* The worker's side of the messages (media.c, rtp-peer.c). */
void		 media_member_add(const struct media_msg_member *);
void		 media_member_remove(const struct media_msg_member_gone *);
void		 media_room_remove(const struct media_msg_room_gone *);
void		 media_member_muted(const struct media_msg_muted *);
void		 media_sub_open(const struct media_msg_sub *);
void		 media_sub_close(const struct media_msg_unsub *);
void		 media_track_start(const struct media_msg_track *);
void		 media_track_stop(const struct media_msg_untrack *);
void		 media_local_packet(const struct media_msg_packet *);
void		 media_remote_move(const struct media_msg_remote *);
void		 media_record_stop_msg(const struct media_msg_record_stop *);
void		 media_record_event_msg(const struct media_msg_record_event *);
void		 rtp_peer_start(const struct media_msg_rtp_peer *);

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
void		 media_post_mix(uint64_t, const int16_t *);
void		 media_post_solo(uint64_t, const char *, const int16_t *);
void		 media_post_video(uint64_t, const char *, const uint8_t *,
		     size_t);
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
	int			 mix_silent;	/* got silence last tick */
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
	const uint8_t		*opus;		/* its packet, to pass on */
	size_t			 opus_len;	/* (mix.c, during a tick) */
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
void		 rtp_peer_free(struct rtp_peer *);
void		 rtp_peer_track_gone(struct rtp_peer *, struct track *);
void		 rtp_peer_mix(struct rtp_peer *, const uint8_t *, size_t,
		     const int16_t *, uint32_t);
void		 rtp_peer_video(struct rtp_peer *, struct track *,
		     const uint8_t *, size_t, const struct rtp_header *,
		     uint64_t);
json_t		*rtp_peer_stats(struct rtp_peer *);

#endif
