/*
 * loadgen: the load tool of make bench (issue 7).  What its files share:
 * the participants it plays, the tracks it receives, the nodes it drives,
 * and the helpers of each file (one subject a file):
 *
 *	loadgen.c	options, the run (steps and targets), pacing
 *	parts.c		the participants: roles, sockets, made in meetd
 *	node.c		the node under test: meetd through meetctl, or a
 *			reference relay started as a child
 *	udpio.c		sockets, batched sends and receives with kernel
 *			receive timestamps
 *	track.c		what one received stream looked like: loss,
 *			jitter, latency
 *	hist.c		latency histograms and their percentiles
 *	opusloop.c	the Opus the speakers replay, and finding clicks in
 *			a decoded mix
 *	jpegloop.c	the RFC 2435 packets the cameras replay, and the
 *			send stamp they carry
 *	procstat.c	CPU time and memory from /proc
 *	report.c	the table and the JSON lines
 *
 * Times are nanoseconds: CLOCK_MONOTONIC for pacing, CLOCK_REALTIME for
 * the stamps that travel, since the kernel's receive timestamps
 * (SO_TIMESTAMPNS) are on that clock.
 */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LG_NAME_MAX	64
#define LG_PT_OPUS	111
#define LG_PT_JPEG	26
#define LG_FRAME_NS	20000000ULL	/* one Opus packet: 20 ms */
#define LG_SAMPLES	960		/* 48 kHz samples in 20 ms */
#define LG_MAX_PKT	2048

/* --- hist.c ------------------------------------------------------------ */

/*
 * A latency histogram in microseconds: 1 us buckets below 1024 us, then
 * 128 buckets per power of two (under 1 % apart) up to about 30 minutes.
 */
#define HIST_LINEAR	1024
#define HIST_SUB	128
#define HIST_BUCKETS	(HIST_LINEAR + 22 * HIST_SUB)

struct hist {
	uint64_t	n;
	uint64_t	max;		/* us */
	uint64_t	sum;		/* us */
	uint32_t	bucket[HIST_BUCKETS];
};

void	 hist_reset(struct hist *);
void	 hist_add(struct hist *, uint64_t);
void	 hist_merge(struct hist *, const struct hist *);
/* The q-quantile (0 to 1) in microseconds; 0 for an empty histogram. */
double	 hist_quantile(const struct hist *, double);
double	 hist_mean(const struct hist *);

/* --- track.c ------------------------------------------------------------ */

enum track_kind {
	TRACK_MIX,		/* the mix-minus a participant hears */
	TRACK_VIDEO		/* the camera a participant sees */
};

/*
 * One stream a participant receives, counted over one step.  Loss comes
 * from the sequence numbers (expected from the first to the highest, less
 * received), jitter is RFC 3550 A.8 on the stream's clock, latency comes
 * from the send stamp of a video packet, or from a click found in a
 * decoded mix.
 */
struct track {
	enum track_kind	 kind;
	uint32_t	 clock;		/* RTP clock rate */
	int		 started;
	uint32_t	 ssrc;
	uint16_t	 max_seq;
	uint32_t	 cycles;
	uint32_t	 base_ext;
	uint64_t	 expected_prior; /* of the SSRCs before this one */
	uint64_t	 received;
	uint64_t	 in_window;	/* received while loadgen sent */
	uint64_t	 bytes;
	uint64_t	 frames;	/* marker bits (video), packets (mix) */
	uint64_t	 ssrc_changes;
	int		 have_transit;
	int64_t		 transit;
	double		 jitter;	/* clock units */
	double		 jitter_max;
	uint64_t	 unstamped;	/* video packets without a stamp */
	uint64_t	 lat_n;
	uint64_t	 lat_sum;	/* us */
	uint64_t	 lat_max;	/* us */
	uint64_t	 foreign;	/* video: stamped by another camera */
	uint32_t	 ovfl;		/* socket drops (SO_RXQ_OVFL), total */
	uint32_t	 ovfl_base;
	struct hist	*hist;		/* the step's histogram for its kind */
};

void	 track_init(struct track *, enum track_kind, struct hist *);
/* Forget the counts: a new step begins. */
void	 track_reset(struct track *);
/* One packet: its sequence number, RTP time, arrival (realtime ns). */
void	 track_packet(struct track *, uint32_t, uint16_t, uint32_t, int,
	    size_t, uint64_t);
void	 track_latency(struct track *, uint64_t);
uint64_t track_expected(const struct track *);
int64_t	 track_lost(const struct track *);
double	 track_jitter_ms(const struct track *);

/* --- udpio.c ------------------------------------------------------------ */

#define UDPIO_BATCH	64

/* A received datagram, valid until the next udpio_recv. */
struct udpio_msg {
	uint8_t		*buf;
	size_t		 len;
	uint64_t	 rx_ns;		/* kernel receive time, realtime */
};

/* A datagram to send: where, what, and where its send stamp goes. */
struct udpio_out {
	struct sockaddr_in	 to;
	uint8_t			 buf[LG_MAX_PKT];
	size_t			 len;
	ssize_t			 stamp_at;	/* -1: no stamp */
	uint32_t		 stamp_cam;	/* the camera it names */
	int			 click_room;	/* -1: no click */
};

/*
 * A UDP socket on addr:port (port 0: any) for receiving, with kernel
 * receive timestamps and drop counts on; -1 and errno when bind fails.
 */
int	 udpio_bind(const struct in_addr *, uint16_t);
/*
 * A receiving pair: a socket on a port P and one on P + 2 (when
 * want_video), as a plain-RTP participant needs.  0, or -1 when no pair
 * was found.
 */
int	 udpio_bind_pair(const struct in_addr *, int, int *, int *,
	    uint16_t *);
/* The sending socket. */
int	 udpio_sender(const struct in_addr *);
/*
 * Read what the socket holds (at most one batch): the count, 0 when
 * nothing, and *ovfl the socket's drop counter when the kernel gave it.
 */
int	 udpio_recv(int, struct udpio_msg *, uint32_t *);
/*
 * Send n datagrams with sendmmsg; stamps (realtime ns) are written just
 * before the call.  The number the kernel refused is returned.
 */
int	 udpio_send(int, struct udpio_out *, int, uint64_t *);
int	 udpio_parse_addr(const char *, struct sockaddr_in *);
uint64_t udpio_mono_ns(void);
uint64_t udpio_real_ns(void);

/* --- jpegloop.c --------------------------------------------------------- */

/*
 * The last LG_STAMP_LEN bytes of every video payload that has that much
 * scan data: "LGTS", the sending camera's number and the send time
 * (realtime ns), big-endian.  A relay forwards payloads untouched, so the
 * stamp arrives as sent; the JPEG loses 16 bytes of entropy-coded data a
 * packet (its headers, tables and sizes stay valid), which nobody on the
 * relay path decodes.
 */
#define LG_STAMP_LEN	16
#define LG_STAMP_MAGIC	0x4c475453	/* "LGTS" */

struct jpeg_pkt {
	uint8_t		*payload;	/* RFC 2435 payload, owned by the loop */
	size_t		 len;
	int		 marker;
	ssize_t		 stamp_at;	/* offset in the payload, or -1 */
};

struct jpeg_loop {
	struct jpeg_pkt	*pkts;		/* every frame's, in order */
	size_t		 npkts;
	size_t		*first;		/* index of each frame's first */
	size_t		 nframes;
	uint64_t	 bytes;		/* payload bytes of all frames */
	int		 width;
	int		 height;
};

/*
 * Read an MJPEG file (meet-cap -v test writes one) and cut each image into
 * payloads of at most max bytes.  NULL and an error on stderr when the
 * file holds no image RFC 2435 carries untouched.
 */
struct jpeg_loop *jpeg_loop_load(const char *, size_t);
void	 jpeg_loop_free(struct jpeg_loop *);
/* Read a stamp: 0 and the camera and time, or -1 when there is none. */
int	 jpeg_stamp_get(const uint8_t *, size_t, uint32_t *, uint64_t *);
void	 jpeg_stamp_put(uint8_t *, uint32_t, uint64_t);

/* --- opusloop.c --------------------------------------------------------- */

enum opus_voice {
	VOICE_NONE,
	VOICE_QUIET,		/* a tone under the talking threshold */
	VOICE_SPEECH,		/* a tone a talker's level */
	VOICE_CLICK,		/* the speech tone, and a click once a loop */
	VOICE_MAX
};

#define OPUS_LOOP_FRAMES	50	/* one second: one click a second */

struct opus_loop {
	uint8_t		 pkt[OPUS_LOOP_FRAMES][1276];
	size_t		 len[OPUS_LOOP_FRAMES];
	uint64_t	 bytes;
};

/* Encode one second of each voice at bitrate; 0, or -1 on stderr. */
int	 opus_loops_make(struct opus_loop *, int);

/* A listener's decoder that finds the onsets of clicks in what it hears. */
struct click_finder;

struct click_finder *click_finder_new(void);
void	 click_finder_free(struct click_finder *);
/*
 * Decode one mix packet (NULL: lost, conceal): 1 when a click starts in
 * it, 0 when none, -1 when it did not decode.
 */
int	 click_finder_push(struct click_finder *, const uint8_t *, size_t);
uint64_t click_finder_errors(const struct click_finder *);

/* --- procstat.c --------------------------------------------------------- */

struct proc_sample {
	uint64_t	 cpu_ns;	/* run time of its threads (schedstat) */
	uint64_t	 tick_ns;	/* utime + stime (/proc/PID/stat) */
	uint64_t	 when;		/* mono ns */
	uint64_t	 rss;		/* bytes */
	int		 ok;
};

struct core_sample {
	uint64_t	 when;		/* mono ns */
	uint64_t	 idle;		/* USER_HZ ticks: idle and iowait */
	uint64_t	 softirq;
	uint64_t	 steal;
	int		 ok;
};

struct udp_counters {
	uint64_t	 in_errors;
	uint64_t	 rcvbuf_errors;
	uint64_t	 sndbuf_errors;
};

void	 proc_sample(pid_t, struct proc_sample *);
/* CPU between two samples, % of one core (exact, or by ticks); -1. */
double	 proc_cpu_pct(const struct proc_sample *, const struct proc_sample *,
	    int);
void	 core_sample(int, struct core_sample *);
void	 udp_counters_read(struct udp_counters *);
double	 core_busy_pct(const struct core_sample *, const struct core_sample *);
double	 core_field_pct(uint64_t, uint64_t, const struct core_sample *,
	    const struct core_sample *);
/* This process's user and system time, ns. */
uint64_t self_cpu_ns(void);

/* --- node.c ------------------------------------------------------------- */

/*
 * A node under test: meetd (rooms and plain-RTP participants made with
 * meetctl on its control socket), or a reference relay run as a child
 * that forwards everything it gets to the destinations it is given.
 */
enum node_type {
	NODE_MEETD,
	NODE_RELAY
};

struct node {
	enum node_type	 type;
	char		 name[LG_NAME_MAX];	/* meetd, relay-gso, ... */
	pid_t		 pid;			/* 0: unknown */
	int		 ours;			/* we started it */
	char		*command;		/* relay: the shell command */
	struct sockaddr_in relay_addr;		/* relay: where it listens */
	int		 core;			/* -1: not pinned */
};

/* meetd: control socket and the meetctl program. */
void	 node_meetctl_init(const char *, const char *);
/*
 * Create room ROOM with host session HOST: 0, or -1 and the reason on
 * stderr.
 */
int	 node_room_create(const char *, const char *);
/*
 * Add a plain-RTP participant to HOST's room, receiving at peer (and peer
 * + 2 for video when video_from is not NULL); *send_to is where it sends.
 */
int	 node_rtp_add(const char *, const char *, const struct sockaddr_in *,
	    const char *, struct sockaddr_in *);
void	 node_room_end(const char *);
/*
 * Start a relay: the command with each destination appended, read
 * "ADDR:PORT" from the first line it prints.  0, or -1 on stderr.
 */
int	 node_relay_start(struct node *, const struct sockaddr_in *, int);
void	 node_relay_stop(struct node *);

/* --- loadgen.c: the run ------------------------------------------------- */

#define CLICK_RING	8

/* One plain-RTP participant loadgen plays. */
struct part {
	int			 room;
	int			 idx;		/* in its room */
	char			 name[LG_NAME_MAX];
	enum opus_voice		 voice;		/* what it says */
	int			 cam;		/* its camera (cams[]), -1 */
	int			 watch;		/* camera it sees, -1 */
	int			 afd;		/* receives at port */
	int			 vfd;		/* and port + 2, or -1 */
	uint16_t		 port;
	struct sockaddr_in	 send_to;	/* meetd's port for it */
	struct track		 mix;
	struct track		 video;
	struct click_finder	*cf;		/* decodes its mix, or NULL */
	int			 mix_seen;
	uint16_t		 mix_last;
	uint32_t		 a_ssrc;
	uint16_t		 a_seq;
	uint32_t		 a_ts;
	uint64_t		 a_next;	/* mono ns */
	int			 a_pos;		/* in its voice's loop */
	uint64_t		 a_sent;	/* this step */
};

/* One camera: a participant replaying the JPEG loop. */
struct cam {
	int			 part;
	uint32_t		 id;		/* in its stamps */
	uint32_t		 ssrc;
	uint16_t		 seq;
	uint32_t		 ts;
	uint64_t		 next;		/* mono ns of its next frame */
	uint64_t		 interval;	/* ns between frames */
	size_t			 frame;		/* next of the loop */
	uint64_t		 sent;		/* packets this step */
	uint64_t		 frames;
};

struct lroom {
	char			 name[LG_NAME_MAX];
	char			 host[LG_NAME_MAX];
	int			 created;
	uint64_t		 clicks[CLICK_RING];	/* realtime ns sent */
	uint64_t		 nclicks;		/* this step */
};

/* What one step of one target measured, besides the tracks. */
struct step {
	const struct node	*node;
	int			 index;
	int			 warmup;	/* not reported */
	int			 tries;		/* this is the tries-th run */
	double			 rate_pps;	/* per camera, 0: by fps */
	double			 fps;
	double			 seconds;	/* of sending */
	struct proc_sample	 node0, node1;
	struct core_sample	 core0, core1;
	uint64_t		 self0, self1;	/* loadgen's CPU, ns */
	uint64_t		 wall;		/* ns, drain included */
	struct udp_counters	 udp0, udp1;
	uint64_t		 refused;	/* datagrams the kernel refused */
	uint64_t		 behind;	/* sends skipped, loadgen late */
	double			 video_loss;	/* out: % */
};

struct load {
	int			 rooms;
	int			 per_room;
	int			 speakers;
	int			 cameras;
	int			 all_send;
	int			 symmetric;	/* -Y: send from own port */
	int			 verbose;
	int			 busy;
	int			 batch;
	size_t			 max_payload;
	struct in_addr		 addr;		/* where it sends and receives */
	struct part		*parts;
	int			 nparts;
	struct cam		*cams;
	int			 ncams;
	struct lroom		*lrooms;
	struct jpeg_loop	*jpeg;
	struct opus_loop	 voices[VOICE_MAX];
	struct hist		 vhist;
	struct hist		 mhist;
	FILE			*json;
	const char		*prefix;	/* of room and host names */
};

/* --- parts.c ------------------------------------------------------------ */

/* Roles and sockets of every participant, registered with epoll ep. */
void	 parts_setup(struct load *, const struct in_addr *, int, int);
/* Rooms and participants in meetd: 0, or -1 on stderr. */
int	 parts_meetd_add(struct load *, volatile sig_atomic_t *);
void	 parts_meetd_end(struct load *);

/* --- report.c ----------------------------------------------------------- */

void	 report_setup(const struct load *);
void	 report_step(struct load *, struct step *);
/* The video loss of the step just run, %, as report_step counts it. */
double	 report_video_loss(const struct load *);

#endif
