/*
 * loadgen: the load tool of make bench (issue 7).  It plays R rooms of P
 * plain-RTP participants against a real meetd, made with meetctl, and/or
 * one camera's fan-out against reference relays, and measures what comes
 * back.  See tests/bench/README for the options and the method; the files it
 * is made of are listed in loadgen.h.
 *
 *	loadgen -S meetd.sock -p PID -R 1 -P 11 -V 1 -j cam.mjpeg \
 *	    -r 5000,10000 -x 'taskset -c 0 refrelay -m gso'
 *
 * In each room participant 0 .. V-1 are cameras, 0 .. S-1 speakers
 * (participant 0 clicks once a second), the others listen, or with -A
 * send a quiet tone too.  Everyone hears the room's mix; when there are
 * cameras, everyone sees one: a listener camera i % V, a camera the next
 * one (--video-from).  A reference relay (-x) gets camera 0's packets and
 * sends them to every listener's video port, so it needs -R 1 -V 1.
 *
 * A run is steps: one for each camera packet rate of -r (or one at -f
 * fps), each played against each target in turn for -t seconds of
 * sending and a drain, then reported.  Sending is paced by a timerfd (or
 * the clock, busy-polling with -B) and batched with sendmmsg; receiving
 * uses epoll and recvmmsg, one thread.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/timerfd.h>

#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byteorder.h"
#include "log.h"
#include "rtp.h"
#include "xmalloc.h"

#include "loadgen.h"

#define LG_MAX_TARGETS	8
#define LG_MAX_STEPS	64
#define LG_EVENTS	256
#define LG_TIMER_KEY	UINT64_MAX
#define LG_BEHIND_NS	100000000ULL	/* 100 ms late: skip, not rush */
#define LG_DRAIN	0.5		/* seconds after a step's sending */
#define LG_CLEAN_LOSS	0.5		/* %: a step with less is clean */

/* The command line (the load itself goes straight into lg). */
struct opts {
	const char	*sock;
	const char	*meetctl;
	const char	*jpath;
	const char	*jout;
	const char	*prefix;
	char		*relays[LG_MAX_TARGETS];
	int		 nrelays;
	pid_t		 pid;
	int		 core;
	double		 rates[LG_MAX_STEPS];
	int		 nrates;
	double		 seconds;
	double		 warmup;
	double		 fps;
	double		 stop_loss;
	int		 retries;
	int		 decoders;
	int		 bitrate;
	struct in_addr	 addr;
};

static struct load	 lg;
static struct node	 targets[LG_MAX_TARGETS];
static int		 ntargets;
static struct udpio_out	 outq[UDPIO_BATCH];
static int		 nout;
static int		 send_fd = -1;
static int		 ep = -1;
static int		 tfd = -1;
static uint64_t		 tick_ns = 1000000;
static volatile sig_atomic_t quit;
static struct step	*cur;

static void	usage(void) __attribute__((noreturn));
static long	number(int, const char *, long, long);
static int	parse_rates(char *, double *);
static void	on_signal(int);
static void	flush(void);
static void	rtp_header(uint8_t *, int, int, uint16_t, uint32_t, uint32_t);
static void	queue(const struct sockaddr_in *, const uint8_t *, size_t,
		    const uint8_t *, size_t, ssize_t, uint32_t, int);
static void	send_audio(struct part *, const struct node *);
static void	send_frame(struct cam *, const struct node *);
static void	send_due(const struct node *, uint64_t);
static void	receive(int, uint64_t);
static void	on_packet(struct part *, int, const struct udpio_msg *);
static void	on_mix(struct part *, const struct rtp_header *, uint64_t);
static void	pump(const struct node *, uint64_t, int);
static void	discard(void);
static void	run_step(struct node *, struct step *, double, double,
		    double);
static void	options(int, char **, struct opts *);
static void	prepare(const struct opts *);
static int	start_targets(const struct opts *);
static void	run(const struct opts *);

static void
usage(void)
{
	fprintf(stderr,
"usage: loadgen [-ABvY] [-S socket] [-p pid] [-x command]... [-C core]\n"
"               [-R rooms] [-P participants] [-s speakers] [-V cameras]\n"
"               [-j mjpeg] [-f fps] [-r pps[,pps...]] [-m maxpayload]\n"
"               [-b opusbitrate] [-t seconds] [-w warmup] [-d decoders]\n"
"               [-k batch] [-i tick_us] [-a addr] [-M meetctl] [-n prefix]\n"
"               [-o jsonfile] [-L stoploss] [-y retries]\n");
	exit(2);
}

static long
number(int opt, const char *s, long min, long max)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		fatalx("-%c %s: not a number from %ld to %ld", opt, s, min,
		    max);
	return v;
}

/* "5000,10000,..." into rates; their count. */
static int
parse_rates(char *s, double *rates)
{
	char	*tok, *save, *end;
	int	 n = 0;

	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == LG_MAX_STEPS)
			fatalx("-r: more than %d rates", LG_MAX_STEPS);
		rates[n] = strtod(tok, &end);
		if (*end != '\0' || rates[n] <= 0)
			fatalx("-r %s: not a packet rate", tok);
		n++;
	}
	return n;
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* Send what is queued; note when the clicks left. */
static void
flush(void)
{
	struct lroom	*lr;
	uint64_t	 stamp;
	int		 i;

	if (nout == 0)
		return;
	cur->refused += (uint64_t)udpio_send(send_fd, outq, nout, &stamp);
	for (i = 0; i < nout; i++) {
		if (outq[i].click_room < 0)
			continue;
		lr = &lg.lrooms[outq[i].click_room];
		lr->clicks[lr->nclicks++ % CLICK_RING] = stamp;
	}
	nout = 0;
}

static void
queue(const struct sockaddr_in *to, const uint8_t *hdr, size_t hlen,
    const uint8_t *payload, size_t plen, ssize_t stamp_at, uint32_t cam,
    int click_room)
{
	struct udpio_out	*o = &outq[nout];

	if (hlen + plen > sizeof o->buf)
		return;
	o->to = *to;
	memcpy(o->buf, hdr, hlen);
	memcpy(o->buf + hlen, payload, plen);
	o->len = hlen + plen;
	o->stamp_at = stamp_at >= 0 ? (ssize_t)hlen + stamp_at : -1;
	o->stamp_cam = cam;
	o->click_room = click_room;
	if (++nout == lg.batch)
		flush();
}

static void
rtp_header(uint8_t *h, int marker, int pt, uint16_t seq, uint32_t ts,
    uint32_t ssrc)
{
	h[0] = 0x80;
	h[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	put16(h + 2, seq);
	put32(h + 4, ts);
	put32(h + 8, ssrc);
}

/*
 * A speaker's packet from its own receiving socket, at once (-Y): for
 * targets that take a plain-RTP participant's media only from the port
 * they send it to (symmetric RTP, a connected socket), as Janus' does.
 */
static void
send_from(int fd, const struct sockaddr_in *to, const uint8_t *hdr,
    size_t hlen, const uint8_t *payload, size_t plen, int click_room)
{
	struct udpio_out	 o;
	struct lroom		*lr;
	uint64_t		 stamp;

	if (hlen + plen > sizeof o.buf)
		return;
	o.to = *to;
	memcpy(o.buf, hdr, hlen);
	memcpy(o.buf + hlen, payload, plen);
	o.len = hlen + plen;
	o.stamp_at = -1;
	o.stamp_cam = 0;
	o.click_room = click_room;
	cur->refused += (uint64_t)udpio_send(fd, &o, 1, &stamp);
	if (click_room >= 0) {
		lr = &lg.lrooms[click_room];
		lr->clicks[lr->nclicks++ % CLICK_RING] = stamp;
	}
}

static void
send_audio(struct part *p, const struct node *n)
{
	const struct opus_loop	*l = &lg.voices[p->voice];
	uint8_t			 h[RTP_HEADER_LEN];
	int			 click;

	if (n->type != NODE_MEETD)
		return;
	click = p->voice == VOICE_CLICK && p->a_pos == 0;
	rtp_header(h, 0, LG_PT_OPUS, p->a_seq++, p->a_ts, p->a_ssrc);
	if (lg.symmetric)
		send_from(p->afd, &p->send_to, h, sizeof h, l->pkt[p->a_pos],
		    l->len[p->a_pos], click ? p->room : -1);
	else
		queue(&p->send_to, h, sizeof h, l->pkt[p->a_pos],
		    l->len[p->a_pos], -1, 0, click ? p->room : -1);
	p->a_ts += LG_SAMPLES;
	p->a_pos = (p->a_pos + 1) % OPUS_LOOP_FRAMES;
	p->a_sent++;
}

static void
send_frame(struct cam *c, const struct node *n)
{
	const struct sockaddr_in	*to;
	const struct jpeg_pkt		*k;
	uint8_t				 h[RTP_HEADER_LEN];
	size_t				 i, first, last;

	if (n->type == NODE_MEETD)
		to = &lg.parts[c->part].send_to;
	else if (c->id == 0)
		to = &n->relay_addr;
	else
		return;
	first = lg.jpeg->first[c->frame];
	last = c->frame + 1 < lg.jpeg->nframes ?
	    lg.jpeg->first[c->frame + 1] : lg.jpeg->npkts;
	for (i = first; i < last; i++) {
		k = &lg.jpeg->pkts[i];
		rtp_header(h, k->marker, LG_PT_JPEG, c->seq++, c->ts, c->ssrc);
		queue(to, h, sizeof h, k->payload, k->len, k->stamp_at, c->id,
		    -1);
		c->sent++;
	}
	c->frames++;
	c->frame = (c->frame + 1) % lg.jpeg->nframes;
	c->ts += (uint32_t)(c->interval * 90000 / 1000000000ULL);
}

/* Everything due by now; a sender far behind skips rather than rushes. */
static void
send_due(const struct node *n, uint64_t now)
{
	struct part	*p;
	struct cam	*c;
	int		 i;

	for (i = 0; i < lg.nparts; i++) {
		p = &lg.parts[i];
		if (p->voice == VOICE_NONE)
			continue;
		if (now > p->a_next + LG_BEHIND_NS) {
			cur->behind++;
			p->a_next = now;
		}
		while (p->a_next <= now) {
			send_audio(p, n);
			p->a_next += LG_FRAME_NS;
		}
	}
	for (i = 0; i < lg.ncams; i++) {
		c = &lg.cams[i];
		if (now > c->next + LG_BEHIND_NS) {
			cur->behind++;
			c->next = now;
		}
		while (c->next <= now) {
			send_frame(c, n);
			c->next += c->interval;
		}
	}
	flush();
}

static void
on_mix(struct part *p, const struct rtp_header *h, uint64_t rx_ns)
{
	struct lroom	*lr = &lg.lrooms[p->room];
	uint64_t	 best = 0;
	uint16_t	 gap;
	int		 i, found;

	if (p->mix_seen) {
		/* Conceal what was lost, as a player would (at most 5). */
		gap = (uint16_t)(h->seq - p->mix_last - 1);
		for (i = 0; gap < 0x8000 && i < gap && i < 5; i++)
			click_finder_push(p->cf, NULL, 0);
	}
	p->mix_seen = 1;
	p->mix_last = h->seq;
	found = click_finder_push(p->cf, h->payload, h->payload_len);
	if (found != 1)
		return;
	/* The last click sent before this packet came; one a second. */
	for (i = 0; i < CLICK_RING; i++) {
		if (lr->clicks[i] <= rx_ns && lr->clicks[i] > best)
			best = lr->clicks[i];
	}
	if (best != 0 && rx_ns - best < 900000000ULL)
		track_latency(&p->mix, rx_ns - best);
}

static void
on_packet(struct part *p, int video, const struct udpio_msg *m)
{
	struct rtp_header	h;
	struct track		*t = video ? &p->video : &p->mix;
	uint64_t		ns;
	uint32_t		cam;

	if (m->len == 0 || rtp_is_rtcp(m->buf, m->len) ||
	    rtp_parse(m->buf, m->len, &h) != 0)
		return;
	track_packet(t, h.ssrc, h.seq, h.ts, h.marker, m->len, m->rx_ns);
	if (!video) {
		if (p->cf != NULL)
			on_mix(p, &h, m->rx_ns);
		return;
	}
	if (jpeg_stamp_get(h.payload, h.payload_len, &cam, &ns) != 0)
		t->unstamped++;
	else if ((int)cam != p->watch && cur->node->type == NODE_MEETD)
		t->foreign++;
	else if (m->rx_ns >= ns)
		track_latency(t, m->rx_ns - ns);
}

/* What a socket holds, a few batches at most (epoll tells again). */
static void
receive(int key_part, uint64_t key)
{
	struct udpio_msg	 msgs[UDPIO_BATCH];
	struct part		*p = &lg.parts[key_part];
	struct track		*t;
	int			 video = (int)(key & 1), fd, n, i, rounds;

	fd = video ? p->vfd : p->afd;
	t = video ? &p->video : &p->mix;
	for (rounds = 0; rounds < 4; rounds++) {
		if ((n = udpio_recv(fd, msgs, &t->ovfl)) == 0)
			return;
		for (i = 0; i < n; i++)
			on_packet(p, video, &msgs[i]);
		if (n < UDPIO_BATCH)
			return;
	}
}

/* Send (when sending) and receive until the monotonic time until. */
static void
pump(const struct node *n, uint64_t until, int sending)
{
	struct epoll_event	 evs[LG_EVENTS];
	uint64_t		 now, next_tick, exp;
	int			 nev, i, timeout;

	next_tick = udpio_mono_ns();
	while (!quit && (now = udpio_mono_ns()) < until) {
		if (sending && lg.busy && now >= next_tick) {
			send_due(n, now);
			next_tick = now + tick_ns;
		}
		if (lg.busy)
			timeout = 0;
		else {
			timeout = (int)((until - now) / 1000000) + 1;
			if (timeout > 50)
				timeout = 50;
		}
		nev = epoll_wait(ep, evs, LG_EVENTS, timeout);
		for (i = 0; i < nev; i++) {
			if (evs[i].data.u64 == LG_TIMER_KEY) {
				if (read(tfd, &exp, sizeof exp) < 0)
					continue;
				if (sending)
					send_due(n, udpio_mono_ns());
				continue;
			}
			receive((int)(evs[i].data.u64 >> 1), evs[i].data.u64);
		}
	}
}

/* Read and forget whatever is queued (the tail of the last step). */
static void
discard(void)
{
	struct udpio_msg	msgs[UDPIO_BATCH];
	struct part		*p;
	int			i;

	for (i = 0; i < lg.nparts; i++) {
		p = &lg.parts[i];
		while (udpio_recv(p->afd, msgs, &p->mix.ovfl) > 0)
			;
		if (p->vfd != -1)
			while (udpio_recv(p->vfd, msgs, &p->video.ovfl) > 0)
				;
	}
}

static void
run_step(struct node *n, struct step *st, double rate, double seconds,
    double drain)
{
	struct part	*p;
	struct cam	*c;
	double		 ppf;
	uint64_t	 t0, t1, interval;
	int		 i, nsend = 0;

	cur = st;
	st->node = n;
	st->rate_pps = rate;
	st->seconds = seconds;
	discard();
	for (i = 0; i < lg.nparts; i++) {
		p = &lg.parts[i];
		track_reset(&p->mix);
		track_reset(&p->video);
		p->a_sent = 0;
		if (p->voice != VOICE_NONE)
			nsend++;
	}
	for (i = 0; i < lg.rooms; i++)
		lg.lrooms[i].nclicks = 0;
	hist_reset(&lg.vhist);
	hist_reset(&lg.mhist);

	t0 = udpio_mono_ns();
	if (lg.jpeg != NULL) {
		ppf = (double)lg.jpeg->npkts / (double)lg.jpeg->nframes;
		if (rate > 0)
			st->fps = rate / ppf;
		interval = (uint64_t)(1e9 / st->fps);
		for (i = 0; i < lg.ncams; i++) {
			c = &lg.cams[i];
			c->interval = interval;
			c->next = t0 + interval * (uint64_t)i /
			    (uint64_t)lg.ncams;
			c->sent = c->frames = 0;
		}
	}
	/* Speakers spread over the 20 ms, as independent clocks would be. */
	for (i = 0; i < lg.nparts; i++) {
		p = &lg.parts[i];
		p->a_next = t0 + LG_FRAME_NS * (uint64_t)i /
		    (uint64_t)(nsend > 0 ? lg.nparts : 1);
		if (p->voice == VOICE_CLICK)
			p->a_pos = 0;
	}

	proc_sample(n->pid, &st->node0);
	core_sample(n->core, &st->core0);
	udp_counters_read(&st->udp0);
	st->self0 = self_cpu_ns();
	t1 = t0 + (uint64_t)(seconds * 1e9);
	pump(n, t1, 1);
	proc_sample(n->pid, &st->node1);
	core_sample(n->core, &st->core1);
	for (i = 0; i < lg.nparts; i++)
		lg.parts[i].mix.in_window = lg.parts[i].mix.received;
	pump(n, t1 + (uint64_t)(drain * 1e9), 0);
	udp_counters_read(&st->udp1);
	st->self1 = self_cpu_ns();
	st->wall = udpio_mono_ns() - t0;
}

/* The command line, checked. */
static void
options(int argc, char **argv, struct opts *o)
{
	int	ch;

	while ((ch = getopt(argc, argv,
	    "ABvYS:p:x:C:R:P:s:V:j:f:r:m:b:t:w:d:k:i:a:M:n:o:L:y:")) != -1) {
		switch (ch) {
		case 'A':
			lg.all_send = 1;
			break;
		case 'Y':
			lg.symmetric = 1;
			break;
		case 'B':
			lg.busy = 1;
			break;
		case 'v':
			lg.verbose = 1;
			break;
		case 'S':
			o->sock = optarg;
			break;
		case 'p':
			o->pid = (pid_t)number(ch, optarg, 1, 1 << 30);
			break;
		case 'x':
			if (o->nrelays == LG_MAX_TARGETS - 1)
				fatalx("too many -x");
			o->relays[o->nrelays++] = optarg;
			break;
		case 'C':
			o->core = (int)number(ch, optarg, 0, 4095);
			break;
		case 'R':
			lg.rooms = (int)number(ch, optarg, 1, 10000);
			break;
		case 'P':
			lg.per_room = (int)number(ch, optarg, 1, 10000);
			break;
		case 's':
			lg.speakers = (int)number(ch, optarg, 0, 10000);
			break;
		case 'V':
			lg.cameras = (int)number(ch, optarg, 0, 10000);
			break;
		case 'j':
			o->jpath = optarg;
			break;
		case 'f':
			o->fps = (double)number(ch, optarg, 1, 100000);
			break;
		case 'r':
			o->nrates = parse_rates(optarg, o->rates);
			break;
		case 'm':
			lg.max_payload = (size_t)number(ch, optarg, 200, 1400);
			break;
		case 'b':
			o->bitrate = (int)number(ch, optarg, 6000, 510000);
			break;
		case 't':
			o->seconds = (double)number(ch, optarg, 1, 3600);
			break;
		case 'w':
			o->warmup = (double)number(ch, optarg, 0, 600);
			break;
		case 'd':
			o->decoders = (int)number(ch, optarg, 0, 10000);
			break;
		case 'k':
			lg.batch = (int)number(ch, optarg, 1, UDPIO_BATCH);
			break;
		case 'i':
			tick_ns = (uint64_t)number(ch, optarg, 50, 100000) *
			    1000;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &o->addr) != 1)
				fatalx("-a %s: not an IPv4 address", optarg);
			break;
		case 'M':
			o->meetctl = optarg;
			break;
		case 'n':
			o->prefix = optarg;
			break;
		case 'o':
			o->jout = optarg;
			break;
		case 'L':
			o->stop_loss = (double)number(ch, optarg, 0, 100);
			break;
		case 'y':
			o->retries = (int)number(ch, optarg, 0, 10);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (o->sock == NULL && o->nrelays == 0))
		usage();
	if (lg.speakers > lg.per_room || lg.cameras > lg.per_room)
		fatalx("more speakers or cameras than participants");
	if (lg.cameras > 0 && o->jpath == NULL)
		fatalx("cameras need -j MJPEG (meet-cap -v test -n 10 > F)");
	if (o->nrelays > 0 && (lg.rooms != 1 || lg.cameras != 1 ||
	    lg.per_room < 2))
		fatalx("-x relays forward one camera: -R 1 -V 1 -P 2 or more");
	if (o->nrates == 0) {
		o->rates[0] = 0;
		o->nrates = 1;
	}
}

/* Sockets, the pacing timer, the JPEGs and the Opus: before any target. */
static void
prepare(const struct opts *o)
{
	struct itimerspec	its;
	struct epoll_event	ev;
	struct rlimit		rl;

	/* A participant is one or two sockets: raise the limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (o->jout != NULL && (lg.json = fopen(o->jout, "a")) == NULL)
		fatal("%s", o->jout);
	lg.prefix = o->prefix != NULL ? o->prefix : "lg";
	if (o->jpath != NULL &&
	    (lg.jpeg = jpeg_loop_load(o->jpath, lg.max_payload)) == NULL)
		exit(1);
	if (opus_loops_make(lg.voices, o->bitrate) != 0)
		exit(1);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	if ((send_fd = udpio_sender(&o->addr)) == -1)
		fatal("sending socket");
	if (!lg.busy) {
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
		    TFD_CLOEXEC);
		if (tfd == -1)
			fatal("timerfd_create");
		its.it_interval.tv_sec = 0;
		its.it_interval.tv_nsec = (long)tick_ns;
		its.it_value = its.it_interval;
		timerfd_settime(tfd, 0, &its, NULL);
		ev.events = EPOLLIN;
		ev.data.u64 = LG_TIMER_KEY;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev) != 0)
			fatal("epoll_ctl");
	}
	parts_setup(&lg, &o->addr, o->decoders, ep);
}

/*
 * The targets: meetd with its participants, then each relay with every
 * listener's video address.  0, or -1 when meetd's setup failed.
 */
static int
start_targets(const struct opts *o)
{
	struct sockaddr_in	*dests;
	struct node		*n;
	const char		*m;
	int			 i, ndests;

	if (o->sock != NULL) {
		n = &targets[ntargets++];
		n->type = NODE_MEETD;
		snprintf(n->name, LG_NAME_MAX, "meetd");
		n->pid = o->pid;
		n->core = o->core;
		node_meetctl_init(o->meetctl, o->sock);
		if (parts_meetd_add(&lg, &quit) != 0)
			return -1;
	}
	dests = xcalloc((size_t)lg.nparts, sizeof *dests);
	for (ndests = 0, i = 0; i < lg.nparts; i++) {
		if (lg.parts[i].vfd == -1)
			continue;
		dests[ndests].sin_family = AF_INET;
		dests[ndests].sin_addr = o->addr;
		dests[ndests++].sin_port = htons(lg.parts[i].port + 2);
	}
	for (i = 0; i < o->nrelays && !quit; i++) {
		n = &targets[ntargets];
		n->type = NODE_RELAY;
		n->command = o->relays[i];
		n->core = o->core;
		/* Its name: relay- and the word after -m, else relayN. */
		snprintf(n->name, LG_NAME_MAX, "relay%d", i);
		if ((m = strstr(o->relays[i], "-m ")) != NULL)
			snprintf(n->name, LG_NAME_MAX, "relay-%.*s",
			    (int)strcspn(m + 3, " "), m + 3);
		if (node_relay_start(n, dests, ndests) != 0)
			break;
		ntargets++;
	}
	free(dests);
	return 0;
}

/* Warm-up, then every rate against every target still in the run. */
static void
run(const struct opts *o)
{
	struct step	st;
	int		j, k, t, done[LG_MAX_TARGETS];

	memset(done, 0, sizeof done);
	for (k = 0; k < ntargets && !quit && o->warmup > 0; k++) {
		/* Tracks open, buffers fill, caches warm: not reported. */
		memset(&st, 0, sizeof st);
		st.fps = o->fps;
		st.warmup = 1;
		run_step(&targets[k], &st, o->rates[0], o->warmup, LG_DRAIN);
	}
	for (j = 0; j < o->nrates && !quit; j++) {
		for (k = 0; k < ntargets && !quit; k++) {
			if (done[k])
				continue;
			/* A lossy step runs again: noise, or the limit? */
			for (t = 1; !quit; t++) {
				memset(&st, 0, sizeof st);
				st.index = j;
				st.fps = o->fps;
				st.tries = t;
				run_step(&targets[k], &st, o->rates[j],
				    o->seconds, LG_DRAIN);
				if (t > o->retries ||
				    report_video_loss(&lg) < LG_CLEAN_LOSS)
					break;
			}
			if (quit)
				break;
			report_step(&lg, &st);
			if (o->stop_loss > 0 && st.video_loss > o->stop_loss)
				done[k] = 1;
		}
	}
}

int
main(int argc, char **argv)
{
	struct sigaction	sa;
	struct opts		o;
	int			k, failed = 0;

	log_init("loadgen", 0, 0);
	memset(&lg, 0, sizeof lg);
	lg.rooms = 1;
	lg.per_room = 10;
	lg.batch = 8;
	lg.max_payload = 1200;
	memset(&o, 0, sizeof o);
	o.seconds = 5;
	o.warmup = 1;
	o.fps = 15;
	o.decoders = 2;
	o.core = -1;
	o.bitrate = 32000;
	o.retries = 1;
	inet_pton(AF_INET, "127.0.0.1", &o.addr);
	options(argc, argv, &o);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prepare(&o);
	if (start_targets(&o) == 0) {
		report_setup(&lg);
		run(&o);
	} else
		failed = 1;

	for (k = 0; k < ntargets; k++) {
		if (targets[k].type == NODE_RELAY)
			node_relay_stop(&targets[k]);
	}
	if (o.sock != NULL)
		parts_meetd_end(&lg);
	if (lg.json != NULL)
		fclose(lg.json);
	return quit || failed ? 1 : 0;
}
