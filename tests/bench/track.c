/*
 * What one stream received by loadgen looked like over a step: packets,
 * bytes and frames, loss from sequence numbers, interarrival jitter (RFC
 * 3550 appendix A.8) on the stream's own clock, and one-way latency.
 *
 * Loss counts from the first packet of the step to the highest sequence
 * number seen, so packets lost at the very end of a step are not seen
 * here; loadgen also compares what arrived with what was sent.  A new SSRC
 * (the node switched sources) starts a new run of sequence numbers whose
 * expected count adds to the old one's.
 */
#include <stdlib.h>
#include <string.h>

#include "loadgen.h"

static void	track_restart(struct track *, uint32_t, uint16_t);

void
track_init(struct track *t, enum track_kind kind, struct hist *h)
{
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->clock = kind == TRACK_MIX ? 48000 : 90000;
	t->hist = h;
}

void
track_reset(struct track *t)
{
	enum track_kind	 kind = t->kind;
	struct hist	*h = t->hist;
	uint32_t	 ovfl = t->ovfl;

	track_init(t, kind, h);
	t->ovfl = ovfl;
	t->ovfl_base = ovfl;
}

static void
track_restart(struct track *t, uint32_t ssrc, uint16_t seq)
{
	if (t->started) {
		t->expected_prior = track_expected(t);
		t->ssrc_changes++;
	}
	t->started = 1;
	t->ssrc = ssrc;
	t->max_seq = seq;
	t->cycles = 0;
	t->base_ext = seq;
	t->have_transit = 0;
}

void
track_packet(struct track *t, uint32_t ssrc, uint16_t seq, uint32_t ts,
    int marker, size_t len, uint64_t rx_ns)
{
	uint16_t	delta;
	uint32_t	arrival;
	int64_t		transit, d;

	if (!t->started || ssrc != t->ssrc)
		track_restart(t, ssrc, seq);
	delta = (uint16_t)(seq - t->max_seq);
	if (delta != 0 && delta < 0x8000) {
		if (seq < t->max_seq)
			t->cycles += 65536;
		t->max_seq = seq;
	}
	t->received++;
	t->bytes += len;
	if (t->kind == TRACK_MIX || marker)
		t->frames++;

	/* A.8: transit differences on the RTP clock, modulo 2^32. */
	arrival = (uint32_t)((rx_ns / 1000) * t->clock / 1000000);
	transit = (int32_t)(arrival - ts);
	if (t->have_transit) {
		d = transit - t->transit;
		if (d < 0)
			d = -d;
		t->jitter += ((double)d - t->jitter) / 16.0;
		if (t->jitter > t->jitter_max)
			t->jitter_max = t->jitter;
	}
	t->transit = transit;
	t->have_transit = 1;
}

/* A latency measured on this track, ns. */
void
track_latency(struct track *t, uint64_t ns)
{
	uint64_t	us = ns / 1000;

	t->lat_n++;
	t->lat_sum += us;
	if (us > t->lat_max)
		t->lat_max = us;
	if (t->hist != NULL)
		hist_add(t->hist, us);
}

/* Packets the sequence numbers say were sent, over every SSRC seen. */
uint64_t
track_expected(const struct track *t)
{
	if (!t->started)
		return t->expected_prior;
	return t->expected_prior + (uint64_t)t->cycles + t->max_seq -
	    t->base_ext + 1;
}

int64_t
track_lost(const struct track *t)
{
	return (int64_t)track_expected(t) - (int64_t)t->received;
}

double
track_jitter_ms(const struct track *t)
{
	return t->jitter * 1000.0 / t->clock;
}
