/*
 * The counters of one media stream, as stats shows them: packets, bytes and
 * frames; drops by reason; for a stream this node receives, loss and jitter
 * after RFC 3550 (rtp.c); the round trip from RTCP; and the bitrate and
 * frame rate over the last second or so.
 */
#include <string.h>

#include "rfc2435.h"

#include "meetd.h"

#define MSTATS_WINDOW	1000000		/* usec */

__thread uint64_t media_node_drops[DROP_MAX];

static const char *drop_names[DROP_MAX] = {
	[DROP_MALFORMED] = "malformed",
	[DROP_SOURCE] = "source",
	[DROP_DUPLICATE] = "duplicate",
	[DROP_LATE] = "late",
	[DROP_OVERFLOW] = "overflow",
	[DROP_INCOMPLETE] = "incomplete",
	[DROP_MUTED] = "muted",
	[DROP_SLOW_READER] = "slow-reader",
	[DROP_BAD_JPEG] = "bad-jpeg",
	[DROP_NOT_JPEG] = "not-jpeg",
	[DROP_MID_SAMPLE] = "mid-sample",
	[DROP_UNKNOWN] = "unknown",
	[DROP_SEND] = "send",
	[DROP_AUTH] = "auth-failed",
	[DROP_REPLAY] = "replay",
	[DROP_RATE] = "rate-limited",
	[DROP_TOO_LARGE] = "too-large"
};

const char *
media_kind_name(enum media_kind kind)
{
	switch (kind) {
	case MEDIA_AUDIO:
		return "audio";
	case MEDIA_VIDEO:
		return "video";
	case MEDIA_SCREEN:
		return "screen";
	case MEDIA_MIX:
		return "mix";
	}
	return "?";
}

/* receiving: the stream comes to this node, so loss and jitter apply. */
void
mstats_init(struct mstats *st, uint32_t ssrc, u_int clock, int receiving)
{
	memset(st, 0, sizeof *st);
	rtp_source_init(&st->rs, ssrc);
	st->receiving = receiving;
	st->clock = clock;
	st->rtt = -1;
	st->far_loss = -1;
}

static void
mstats_window(struct mstats *st, uint64_t now)
{
	double	secs;

	if (st->win_start == 0) {
		st->win_start = now;
		return;
	}
	if (now - st->win_start < MSTATS_WINDOW)
		return;
	secs = (double)(now - st->win_start) / 1e6;
	st->kbps = (double)st->win_bytes * 8 / 1000 / secs;
	st->fps = (double)st->win_frames / secs;
	st->win_bytes = 0;
	st->win_frames = 0;
	st->win_start = now;
}

void
mstats_packet(struct mstats *st, size_t len, uint64_t now)
{
	st->packets++;
	st->bytes += len;
	mstats_window(st, now);
	st->win_bytes += len;
}

void
mstats_frame(struct mstats *st, uint64_t now)
{
	st->frames++;
	mstats_window(st, now);
	st->win_frames++;
}

void
mstats_drop(struct mstats *st, enum media_drop why, uint64_t n)
{
	st->drops[why] += n;
}

json_t *
mstats_drops_json(const uint64_t *drops)
{
	json_t	*o;
	int	 i;

	o = json_object();
	for (i = 0; i < DROP_MAX; i++) {
		if (drops[i] != 0)
			json_object_set_new(o, drop_names[i],
			    json_integer((json_int_t)drops[i]));
	}
	return o;
}

/* One stream as stats -j shows it; now (usec, monotonic) ages the rates. */
json_t *
mstats_json(struct mstats *st, const char *dir, const char *room,
    const char *name, enum media_kind kind, uint32_t ssrc, const char *peer,
    uint64_t now)
{
	json_t		*o;
	int32_t		 lost = 0;
	uint32_t	 expected = 0;
	double		 loss = 0, jitter = 0;

	/* A stream that stopped has no rate. */
	if (st->win_start != 0 && now - st->win_start > 2 * MSTATS_WINDOW) {
		st->kbps = 0;
		st->fps = 0;
	}
	if (st->receiving && (st->rs.started || st->prior_expected > 0)) {
		lost = (int32_t)(st->prior_lost + rtp_source_lost(&st->rs));
		expected = (uint32_t)(st->prior_expected +
		    rtp_source_expected(&st->rs));
		if (expected > 0 && lost > 0)
			loss = 100.0 * lost / expected;
		if (st->clock != 0)
			jitter = 1000.0 * rtp_source_jitter(&st->rs) /
			    st->clock;
	} else if (st->far_loss >= 0)
		loss = st->far_loss;
	o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:I,s:I,s:f,s:f,"
	    "s:f,s:f}", "dir", dir, "room", room, "name", name, "kind",
	    media_kind_name(kind), "ssrc", (json_int_t)ssrc, "peer",
	    peer != NULL ? peer : "", "packets", (json_int_t)st->packets,
	    "bytes", (json_int_t)st->bytes, "frames", (json_int_t)st->frames,
	    "lost", (json_int_t)(lost > 0 ? lost : 0), "loss", loss,
	    "jitter_ms", jitter, "kbps", st->kbps, "fps", st->fps);
	json_object_set_new(o, "rtt_ms", st->rtt >= 0 ? json_real(st->rtt) :
	    json_null());
	json_object_set_new(o, "drops", mstats_drops_json(st->drops));
	return o;
}

/* Frames a depacketizer gave up on: lost packets, or nonsense. */
void
mstats_depack(struct mstats *st, struct rfc2435_depack *dp)
{
	const struct rfc2435_stats	*ds = rfc2435_depack_stats(dp);

	st->drops[DROP_INCOMPLETE] = ds->frames_dropped;
	st->drops[DROP_MALFORMED] = ds->malformed;
}

/*
 * A stream this node receives is sent again after a time when nobody here
 * wanted it, so its sender did not send it: what it counted so far is
 * kept, and counting starts afresh with its next packet, so that the gap
 * is not taken for loss.
 */
void
mstats_resync(struct mstats *st)
{
	if (!st->rs.started)
		return;
	st->prior_expected += rtp_source_expected(&st->rs);
	st->prior_lost += rtp_source_lost(&st->rs);
	rtp_source_init(&st->rs, st->rs.ssrc);
}
