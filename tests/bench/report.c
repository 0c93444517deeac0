/*
 * loadgen's output: what a step of a target measured, summed over the
 * tracks of each kind, as a table row on stdout and a JSON line (to -o's
 * file, else on stdout after "json: "), and with -v a JSON line for every
 * track.
 *
 * Video loss is what did not arrive of what the watched camera sent in
 * the step (the drain after it lets the last packets in); seq_loss is the
 * sequence numbers' view.  Mix packets a second are counted while loadgen
 * sent, per listener.  CPU is the node's utime + stime over the sending
 * time, as a percentage of one core; core is the busy share of the core
 * the node is pinned to (softirq included); load is loadgen's own CPU.
 */
#include <stdio.h>
#include <string.h>

#include "loadgen.h"

struct agg {
	int		 tracks;
	uint64_t	 received;
	uint64_t	 in_window;
	uint64_t	 sent;		/* video: by the watched cameras */
	uint64_t	 seq_expected;
	int64_t		 seq_lost;
	double		 jitter_sum;
	double		 jitter_max;
	double		 min_pps;
	uint64_t	 drops;		/* loadgen's sockets overflowed */
	uint64_t	 unstamped;
	uint64_t	 foreign;
	uint64_t	 lat_n;
	uint64_t	 frames;
};

static double	pct(double, double);
static FILE	*report_out(const struct load *, int);
static void	agg_track(struct agg *, const struct track *, double);
static void	report_common(const struct step *, FILE *);
static void	report_row(const struct load *, const struct step *,
		    const char *, const struct agg *, double, double, double,
		    const struct hist *);
static void	report_json_begin(const struct load *, const struct step *,
		    const char *);
static void	report_track(const struct load *, const struct step *,
		    const struct part *, const struct track *);

static double
pct(double a, double b)
{
	return b > 0 ? 100.0 * a / b : 0;
}

/* Where JSON lines go; a line on stdout begins "json: ". */
static FILE *
report_out(const struct load *l, int begin)
{
	if (l->json != NULL)
		return l->json;
	if (begin)
		fputs("json: ", stdout);
	return stdout;
}

void
report_setup(const struct load *l)
{
	const struct jpeg_loop	*j = l->jpeg;
	static const char	*names[VOICE_MAX] = { "", "quiet", "speech",
				    "click" };
	int			 v;

	printf("# loadgen: %d room(s) x %d plain-RTP participants, %d "
	    "speaker(s)%s, %d camera(s) a room\n", l->rooms, l->per_room,
	    l->speakers, l->all_send ? ", everyone else sends a quiet tone" :
	    "", l->cameras);
	if (j != NULL)
		printf("# video: %zu JPEG(s) %dx%d, %.1f packets and %.0f "
		    "bytes a frame, payloads of at most %zu bytes\n",
		    j->nframes, j->width, j->height,
		    (double)j->npkts / (double)j->nframes,
		    (double)j->bytes / (double)j->nframes, l->max_payload);
	if (l->speakers > 0 || l->all_send)
		for (v = VOICE_QUIET; v < VOICE_MAX; v++)
			printf("# opus %s: %.1f bytes a packet on average\n",
			    names[v], (double)l->voices[v].bytes /
			    OPUS_LOOP_FRAMES);
	printf("# receiving: %s; sending: sendmmsg batches of %d\n",
	    l->busy ? "busy-polling (epoll_wait 0)" : "epoll, sleeping",
	    l->batch);
	fflush(stdout);
}

static void
agg_track(struct agg *a, const struct track *t, double seconds)
{
	double	pps = (double)t->in_window / seconds;

	if (a->tracks == 0 || pps < a->min_pps)
		a->min_pps = pps;
	a->tracks++;
	a->received += t->received;
	a->in_window += t->in_window;
	a->seq_expected += track_expected(t);
	a->seq_lost += track_lost(t);
	a->jitter_sum += track_jitter_ms(t);
	if (t->jitter_max * 1000.0 / t->clock > a->jitter_max)
		a->jitter_max = t->jitter_max * 1000.0 / t->clock;
	a->drops += t->ovfl - t->ovfl_base;
	a->unstamped += t->unstamped;
	a->foreign += t->foreign;
	a->lat_n += t->lat_n;
	a->frames += t->frames;
}

static void
report_json_begin(const struct load *l, const struct step *s,
    const char *kind)
{
	FILE	*f = report_out(l, 1);

	fprintf(f, "{\"tool\":\"loadgen\",\"target\":\"%s\",\"step\":%d,"
	    "\"rate_pps\":%.0f,\"fps\":%.2f,\"seconds\":%.1f,\"kind\":\"%s\","
	    "\"rooms\":%d,\"participants\":%d,\"speakers\":%d,"
	    "\"all_send\":%s,\"cameras\":%d,\"busy_poll\":%s,\"tries\":%d",
	    s->node->name, s->index, s->rate_pps, s->fps, s->seconds, kind,
	    l->rooms, l->per_room, l->speakers, l->all_send ? "true" :
	    "false", l->cameras, l->busy ? "true" : "false", s->tries);
}

static void
report_common(const struct step *s, FILE *f)
{
	fprintf(f, ",\"node_pid\":%d,\"node_cpu_pct\":%.2f,"
	    "\"node_cpu_ticks_pct\":%.2f,\"node_rss_kib\":%llu,\"core\":%d,"
	    "\"core_busy_pct\":%.2f,\"core_softirq_pct\":%.2f,"
	    "\"core_steal_pct\":%.2f,\"load_cpu_pct\":%.2f,"
	    "\"udp_rcvbuf_errors\":%llu,\"send_refused\":%llu,"
	    "\"sends_behind\":%llu}\n",
	    (int)s->node->pid, proc_cpu_pct(&s->node0, &s->node1, 0),
	    proc_cpu_pct(&s->node0, &s->node1, 1),
	    (unsigned long long)(s->node1.rss / 1024), s->node->core,
	    core_busy_pct(&s->core0, &s->core1),
	    core_field_pct(s->core0.softirq, s->core1.softirq, &s->core0,
	    &s->core1),
	    core_field_pct(s->core0.steal, s->core1.steal, &s->core0,
	    &s->core1),
	    pct((double)(s->self1 - s->self0), (double)s->wall),
	    (unsigned long long)(s->udp1.rcvbuf_errors -
	    s->udp0.rcvbuf_errors), (unsigned long long)s->refused,
	    (unsigned long long)s->behind);
}

static void
report_track(const struct load *l, const struct step *s,
    const struct part *p, const struct track *t)
{
	FILE	*f = report_out(l, 1);

	fprintf(f, "{\"tool\":\"loadgen\",\"target\":\"%s\",\"step\":%d,"
	    "\"room\":\"%s\",\"name\":\"%s\",\"kind\":\"%s\","
	    "\"received\":%llu,\"frames\":%llu,\"expected\":%llu,"
	    "\"lost\":%lld,\"jitter_ms\":%.3f,\"latency_n\":%llu,"
	    "\"latency_mean_us\":%.0f,\"latency_max_us\":%llu,"
	    "\"ssrc_changes\":%llu,\"socket_drops\":%u}\n",
	    s->node->name, s->index, l->lrooms[p->room].name, p->name,
	    t->kind == TRACK_MIX ? "mix" : "video",
	    (unsigned long long)t->received, (unsigned long long)t->frames,
	    (unsigned long long)track_expected(t), (long long)track_lost(t),
	    track_jitter_ms(t), (unsigned long long)t->lat_n,
	    t->lat_n > 0 ? (double)t->lat_sum / (double)t->lat_n : 0.0,
	    (unsigned long long)t->lat_max, (unsigned long long)t->ssrc_changes,
	    t->ovfl - t->ovfl_base);
}

static void
report_row(const struct load *l, const struct step *s, const char *kind,
    const struct agg *a, double rx_s, double per, double loss,
    const struct hist *h)
{
	static int	header;
	char		rate[32];

	if (!header) {
		printf("%-14s %4s %8s %-5s %6s %9s %8s %7s %7s %8s %8s %6s "
		    "%6s %7s %6s\n", "TARGET", "STEP", "RATE", "KIND",
		    "TRACKS", "RX/S", "RX/S/TRK", "LOSS%", "JIT-MS", "P50-MS",
		    "P99-MS", "NODE%", "CORE%", "RSS-MB", "LOAD%");
		header = 1;
	}
	/* RATE: a camera's packets a second, or its frames; - without. */
	if (l->cameras == 0)
		snprintf(rate, sizeof rate, "-");
	else
		snprintf(rate, sizeof rate, "%.0f", s->rate_pps > 0 ?
		    s->rate_pps : s->fps);
	printf("%-14s %4d %8s %-5s %6d %9.0f %8.1f %7.3f %7.3f %8.3f "
	    "%8.3f %6.1f %6.1f %7.1f %6.1f\n", s->node->name, s->index,
	    rate, kind, a->tracks, rx_s,
	    per, loss, a->tracks > 0 ? a->jitter_sum / a->tracks : 0.0,
	    hist_quantile(h, 0.5) / 1000.0, hist_quantile(h, 0.99) / 1000.0,
	    proc_cpu_pct(&s->node0, &s->node1, 0),
	    core_busy_pct(&s->core0, &s->core1),
	    (double)s->node1.rss / 1048576.0,
	    pct((double)(s->self1 - s->self0), (double)s->wall));
}

double
report_video_loss(const struct load *l)
{
	const struct part	*p;
	uint64_t		 sent = 0, received = 0;
	int			 i;

	for (i = 0; i < l->nparts; i++) {
		p = &l->parts[i];
		if (p->vfd == -1)
			continue;
		received += p->video.received;
		sent += l->cams[p->watch].sent;
	}
	return sent > 0 ? 100.0 - pct((double)received, (double)sent) : 0;
}

void
report_step(struct load *l, struct step *s)
{
	const struct part	*p;
	struct agg		 v, m;
	FILE			*f;
	uint64_t		 clicks = 0;
	double			 vloss = 0, mloss = 0;
	int			 i, decoders;

	memset(&v, 0, sizeof v);
	memset(&m, 0, sizeof m);
	for (i = 0; i < l->nparts; i++) {
		p = &l->parts[i];
		if (p->vfd != -1) {
			agg_track(&v, &p->video, s->seconds);
			v.sent += l->cams[p->watch].sent;
		}
		if (s->node->type == NODE_MEETD &&
		    (l->speakers > 0 || l->all_send))
			agg_track(&m, &p->mix, s->seconds);
	}
	for (i = 0; i < l->rooms; i++) {
		decoders = 0;
		for (p = &l->parts[i * l->per_room];
		    p < &l->parts[(i + 1) * l->per_room]; p++)
			decoders += p->cf != NULL;
		clicks += l->lrooms[i].nclicks * (uint64_t)decoders;
	}
	if (v.tracks > 0) {
		vloss = v.sent > 0 ? 100.0 - pct((double)v.received,
		    (double)v.sent) : 0;
		s->video_loss = vloss;
		report_row(l, s, "video", &v, (double)v.received / s->seconds,
		    (double)v.received / s->seconds / v.tracks, vloss,
		    &l->vhist);
		report_json_begin(l, s, "video");
		f = report_out(l, 0);
		fprintf(f, ",\"tracks\":%d,\"sent\":%llu,\"received\":%llu,"
		    "\"rx_pps\":%.0f,\"loss_pct\":%.4f,\"seq_loss_pct\":%.4f,"
		    "\"frames\":%llu,\"jitter_ms\":%.3f,\"jitter_max_ms\":%.3f,"
		    "\"latency_n\":%llu,\"latency_p50_us\":%.0f,"
		    "\"latency_p99_us\":%.0f,\"latency_max_us\":%llu,"
		    "\"latency_mean_us\":%.0f,\"unstamped\":%llu,"
		    "\"foreign\":%llu,\"socket_drops\":%llu",
		    v.tracks, (unsigned long long)v.sent,
		    (unsigned long long)v.received,
		    (double)v.received / s->seconds, vloss,
		    pct((double)v.seq_lost, (double)v.seq_expected),
		    (unsigned long long)v.frames, v.jitter_sum / v.tracks,
		    v.jitter_max, (unsigned long long)v.lat_n,
		    hist_quantile(&l->vhist, 0.5),
		    hist_quantile(&l->vhist, 0.99),
		    (unsigned long long)l->vhist.max, hist_mean(&l->vhist),
		    (unsigned long long)v.unstamped,
		    (unsigned long long)v.foreign,
		    (unsigned long long)v.drops);
		report_common(s, f);
	}
	if (m.tracks > 0) {
		mloss = pct((double)m.seq_lost, (double)m.seq_expected);
		report_row(l, s, "mix", &m, (double)m.in_window / s->seconds,
		    (double)m.in_window / s->seconds / m.tracks, mloss,
		    &l->mhist);
		report_json_begin(l, s, "mix");
		f = report_out(l, 0);
		fprintf(f, ",\"tracks\":%d,\"received\":%llu,"
		    "\"rx_pps\":%.0f,\"pps_per_listener\":%.2f,"
		    "\"pps_per_listener_min\":%.2f,\"loss_pct\":%.4f,"
		    "\"jitter_ms\":%.3f,\"jitter_max_ms\":%.3f,"
		    "\"clicks_expected\":%llu,\"clicks_found\":%llu,"
		    "\"latency_p50_us\":%.0f,\"latency_p99_us\":%.0f,"
		    "\"latency_max_us\":%llu,\"socket_drops\":%llu",
		    m.tracks, (unsigned long long)m.received,
		    (double)m.in_window / s->seconds,
		    (double)m.in_window / s->seconds / m.tracks, m.min_pps,
		    mloss, m.jitter_sum / m.tracks, m.jitter_max,
		    (unsigned long long)clicks, (unsigned long long)m.lat_n,
		    hist_quantile(&l->mhist, 0.5),
		    hist_quantile(&l->mhist, 0.99),
		    (unsigned long long)l->mhist.max,
		    (unsigned long long)m.drops);
		report_common(s, f);
	}
	if (l->verbose) {
		for (i = 0; i < l->nparts; i++) {
			p = &l->parts[i];
			if (p->vfd != -1)
				report_track(l, s, p, &p->video);
			if (m.tracks > 0)
				report_track(l, s, p, &p->mix);
		}
	}
	fflush(stdout);
	if (l->json != NULL)
		fflush(l->json);
}
