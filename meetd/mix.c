/*
 * A room's audio tick on its hosting node: every 20 ms, one frame from
 * each speaker's jitter buffer (decoded, or rebuilt from the next packet's
 * FEC, or concealed), one mix of the K loudest (mixer.c), and to every
 * listener its mix minus its own voice: as PCM to the recv pipes of
 * sessions on this node, as Opus (or L16) to everyone else.  A distinct mix
 * is encoded once however many listeners get it, so a tick costs at most
 * K + 1 encodes, at [media] opus_complexity.  A mix that holds one talker
 * is not encoded at all: that talker's own packet goes on, under the mix
 * stream's sequence numbers and timestamps, so a room where one person
 * speaks (or two, who hear each other) costs no encode; a tick whose
 * packet is missing (concealed, rebuilt from FEC) encodes the mix instead.
 * An encoder that comes back to a mix after passing packets on is first
 * fed the frame its listeners heard last, so it picks up where the
 * talker's stream left off rather than from stale state (a click); the
 * way back to passing waits for a quiet frame of the talker (mix_pass).
 * Silence, once DTX, is sent again rather than encoded again.  The
 * timer runs only while someone sends audio: the first packet starts it
 * and it stops once the buffers are dry and nobody talks.
 */
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "jitterbuf.h"
#include "mixer.h"
#include "opuscodec.h"

#include "meetd.h"

#define MIX_TICK_USEC	20000
#define MIX_ENC_IDLE	100	/* ticks before an unused encoder goes */
#define MIX_EXPECTED_LOSS 10	/* % the FEC is sized for */
#define MIX_UNDERRUN_PLC 5	/* frames concealed while a buffer is dry */
#define MIX_SILENCE_COMPLEXITY 0 /* digital zeros sound the same at any */
#define MIX_SEAM_DB	-45.0	/* a frame this quiet hides a seam */
#define MIX_SEAM_WAIT	100	/* ticks to wait for one, at most */

/*
 * One distinct mix (the shared one, a talker's mix-minus, or silence) and
 * its packet this tick: encoded here, or a talker's passed on.
 */
struct mix_enc {
	uint64_t		 without;	/* the talker left out */
	int			 minus;		/* 0: the shared mix */
	struct opuscodec_enc	*enc;		/* at its first encode */
	int			 complexity;	/* enc's */
	uint64_t		 used;		/* tick it was last sent */
	uint64_t		 encoded;	/* tick it was last encoded */
	const int16_t		*pcm;		/* this tick's, the mixer's */
	int16_t			 last[MIXER_FRAME];
	uint64_t		 last_tick;	/* whose frame last holds */
	u_int			 seam_wait;	/* ticks waited to pass */
	uint8_t			 pkt[OPUSCODEC_MAX_PACKET];
	const uint8_t		*data;		/* pkt, or the talker's */
	int			 len;		/* this tick, -1 not yet */
	TAILQ_ENTRY(mix_enc)	 entry;
};

static const int16_t	 mix_silence[MIXER_FRAME];

static void	mix_tick(evutil_socket_t, short, void *);
static void	mix_schedule(struct room_media *, uint64_t);
static struct mix_enc *mix_enc_find(struct room_media *, int, uint64_t);
static int	mix_pass(struct room_media *, const struct mixer_out *,
		    const struct mixer_mix *, struct mix_enc *);
static void	mix_prime(struct room_media *, struct mix_enc *);
static void	mix_encode_pcm(struct room_media *, struct mix_enc *,
		    const int16_t *);
static struct mix_enc *mix_encode(struct room_media *,
		    const struct mixer_out *, const struct mixer_mix *);
static struct mix_enc *mix_encode_silence(struct room_media *, int);
static int	mix_heard(const struct mixer_out *, struct media_member *,
		    int);
static const struct mixer_route *mix_route(const struct mixer_out *,
		    uint64_t);

void
mix_start(struct room_media *rm)
{
	if (rm->tick == NULL)
		rm->tick = evtimer_new(base, mix_tick, rm);
	rm->running = 1;
	rm->restarted = 1;
	rm->next_tick = mono_usec() + MIX_TICK_USEC;
	mix_schedule(rm, mono_usec());
}

void
mix_stop(struct room_media *rm)
{
	rm->running = 0;
	if (rm->tick != NULL)
		evtimer_del(rm->tick);
}

void
mix_free(struct room_media *rm)
{
	struct mix_enc	*e;

	mix_stop(rm);
	if (rm->tick != NULL)
		event_free(rm->tick);
	rm->tick = NULL;
	while ((e = TAILQ_FIRST(&rm->encs)) != NULL) {
		TAILQ_REMOVE(&rm->encs, e, entry);
		opuscodec_enc_free(e->enc);
		free(e);
	}
}

static void
mix_schedule(struct room_media *rm, uint64_t now)
{
	struct timeval	tv;
	uint64_t	wait;

	/* Far behind (a stalled loop): start afresh rather than rush. */
	if (rm->next_tick + 5 * MIX_TICK_USEC < now)
		rm->next_tick = now;
	wait = rm->next_tick > now ? rm->next_tick - now : 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	evtimer_add(rm->tick, &tv);
}

/* The entry of a distinct mix (minus 1 and without 0: silence). */
static struct mix_enc *
mix_enc_find(struct room_media *rm, int minus, uint64_t without)
{
	struct mix_enc	*e;

	TAILQ_FOREACH(e, &rm->encs, entry) {
		if (e->minus == minus && (!minus || e->without == without))
			return e;
	}
	e = xcalloc(1, sizeof *e);
	e->minus = minus;
	e->without = without;
	e->len = -1;
	e->used = e->encoded = e->last_tick = UINT64_MAX;
	TAILQ_INSERT_TAIL(&rm->encs, e, entry);
	return e;
}

/*
 * A mix of one talker whose packet for this frame came in and decoded:
 * that packet is the mix, sample for sample as the listeners' decoders
 * will hear it.  Not for L16 talkers (there is no packet), nor for a frame
 * concealed or rebuilt from FEC.
 *
 * Going back to the talker's packets after encoding is a seam: the
 * listeners' decoders hold the state of this node's encoder, and the
 * talker's encoder predicted from its own, which for some 40 ms sounds
 * like a click.  So the switch waits for a quiet frame of the talker (a
 * pause between words), where there is nothing to hear, or for
 * MIX_SEAM_WAIT ticks with none; the way in is primed (mix_prime).
 */
static int
mix_pass(struct room_media *rm, const struct mixer_out *out,
    const struct mixer_mix *mx, struct mix_enc *e)
{
	const struct mixer_route	*r;
	struct media_member		*m;
	struct track			*t;

	if (mx->talkers != 1) {
		e->seam_wait = 0;
		return 0;
	}
	if ((m = media_member_find(rm, mx->talker)) == NULL ||
	    (t = media_member_track(m, MEDIA_AUDIO)) == NULL ||
	    t->opus == NULL || t->opus_len == 0 ||
	    t->opus_len > OPUSCODEC_MAX_PACKET)
		return 0;
	if (e->encoded == rm->ticks - 1 && e->seam_wait < MIX_SEAM_WAIT &&
	    (r = mix_route(out, mx->talker)) != NULL &&
	    r->level >= MIX_SEAM_DB) {
		e->seam_wait++;
		return 0;
	}
	e->seam_wait = 0;
	e->data = t->opus;
	e->len = (int)t->opus_len;
	return 1;
}

/*
 * An encoder about to encode a mix it did not encode last tick: what it
 * holds is stale, and its listeners' decoders have moved on (they heard a
 * talker's packets, or another mix).  Start it from the frame they heard
 * last tick: this mix's own (passed on), or for a talker just come into
 * the set the shared mix it heard until now.  With neither, from nothing.
 */
static void
mix_prime(struct room_media *rm, struct mix_enc *e)
{
	struct mix_enc		*from = NULL, *shared;
	struct media_member	*m;
	uint8_t			 scratch[OPUSCODEC_MAX_PACKET];

	opuscodec_enc_reset(e->enc);
	if (e->last_tick == rm->ticks - 1)
		from = e;
	else if (e->minus && e->without != 0) {
		TAILQ_FOREACH(shared, &rm->encs, entry) {
			if (!shared->minus)
				break;
		}
		/* Unless it was a talker alone, who heard silence. */
		if (shared != NULL && shared->last_tick == rm->ticks - 1 &&
		    ((m = media_member_find(rm, e->without)) == NULL ||
		    !m->mix_silent))
			from = shared;
	}
	if (from != NULL)
		(void)opuscodec_encode(e->enc, from->last, scratch,
		    sizeof scratch);
}

/* Encode pcm into e's own packet, with an encoder made at need. */
static void
mix_encode_pcm(struct room_media *rm, struct mix_enc *e, const int16_t *pcm)
{
	int	 silence = e->minus && e->without == 0, complexity;
	char	*cause;

	complexity = silence ? MIX_SILENCE_COMPLEXITY : cfg->opus_complexity;
	if (e->enc == NULL) {
		e->enc = opuscodec_enc_new(cfg->opus_bitrate,
		    MIX_EXPECTED_LOSS, &cause);
		if (e->enc == NULL)
			fatalx("opus encoder: %s", cause);
		e->complexity = -1;
	}
	/* A reload may change it: the next encode takes the new one. */
	if (e->complexity != complexity) {
		if (opuscodec_enc_set_complexity(e->enc, complexity,
		    &cause) != 0)
			fatalx("opus encoder: %s", cause);
		/* Silence is never a tone: DTX may have it. */
		if (silence && opuscodec_enc_set_dtx(e->enc, 1, &cause) != 0)
			fatalx("opus encoder: %s", cause);
		e->complexity = complexity;
	}
	if (e->encoded != rm->ticks - 1)
		mix_prime(rm, e);
	e->len = opuscodec_encode(e->enc, pcm, e->pkt, sizeof e->pkt);
	e->data = e->pkt;
	e->encoded = rm->ticks;
}

/* The packet of mix mx this tick: made on first use, passed or encoded. */
static struct mix_enc *
mix_encode(struct room_media *rm, const struct mixer_out *out,
    const struct mixer_mix *mx)
{
	struct mix_enc	*e;

	e = mix_enc_find(rm, mx->minus, mx->minus ? mx->without : 0);
	if (e->used != rm->ticks || e->len < 0) {
		e->used = rm->ticks;
		e->pcm = mx->pcm;
		if (!mix_pass(rm, out, mx, e))
			mix_encode_pcm(rm, e, mx->pcm);
	}
	return e;
}

/*
 * The silence a listener gets when nothing is mixed for it (a lone
 * talker, or everyone while nobody is audible).  Its encoder sees nothing
 * but zeros, and once it has gone quiet (DTX) its packet says the same
 * thing every tick: that packet is sent again, not encoded again, until
 * someone new comes to hear silence (newcomer), for whom the encoder
 * starts afresh and sends the real frames of silence a decoder needs to
 * end what it played before.
 */
static struct mix_enc *
mix_encode_silence(struct room_media *rm, int newcomer)
{
	struct mix_enc	*e;

	e = mix_enc_find(rm, 1, 0);
	if (e->used == rm->ticks && e->len >= 0)
		return e;
	if (newcomer)
		e->encoded = UINT64_MAX;	/* mix_prime resets it */
	else if (e->used == rm->ticks - 1 && e->len > 0 &&
	    e->len <= OPUSCODEC_DTX_LEN) {
		e->used = rm->ticks;
		e->encoded = rm->ticks;		/* as good as */
		return e;
	}
	e->used = rm->ticks;
	e->pcm = mix_silence;
	mix_encode_pcm(rm, e, mix_silence);
	return e;
}

static const struct mixer_route *
mix_route(const struct mixer_out *out, uint64_t id)
{
	size_t	lo = 0, hi = out->nroutes, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (out->routes[mid].id == id)
			return &out->routes[mid];
		if (out->routes[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* One speaker's frame for this tick, into t->pcm (and the recording). */
static void
mix_pull(struct track *t, uint64_t now)
{
	struct room_media	*rm = t->rm;
	struct jitterbuf_frame	 f, next;
	int			 n = -1;
	size_t			 i;

	t->have_pcm = 0;
	t->opus = NULL;
	t->opus_len = 0;
	switch (jitterbuf_pop(t->jb, now, &f)) {
	case JITTERBUF_EMPTY:
		/*
		 * Dry while it was playing: its packets are late.  Conceal a
		 * few frames, as for a loss, rather than leave 20 ms of
		 * digital silence in every mix; one that stopped fades out.
		 */
		if (t->dec == NULL || !t->playing ||
		    t->underrun >= MIX_UNDERRUN_PLC) {
			t->playing = 0;
			return;
		}
		t->underrun++;
		n = opuscodec_plc(t->dec, t->pcm);
		break;
	case JITTERBUF_FRAME:
		t->underrun = 0;
		if (t->l16) {
			if (f.len != MIXER_FRAME * 2) {
				mstats_drop(&t->st, DROP_MALFORMED, 1);
				return;
			}
			for (i = 0; i < MIXER_FRAME; i++)
				t->pcm[i] = (int16_t)get16(f.payload + 2 * i);
			n = MIXER_FRAME;
		} else if ((n = opuscodec_decode(t->dec, f.payload, f.len,
		    t->pcm)) < 0) {
			mstats_drop(&t->st, DROP_MALFORMED, 1);
			n = opuscodec_plc(t->dec, t->pcm);
		} else {
			/* Valid until the next pop: past this tick. */
			t->opus = f.payload;
			t->opus_len = f.len;
			if (rm->rec != NULL && !t->member->audio_muted)
				record_speaker(rm, t, f.payload, f.len, NULL,
				    now, rm->ticks);
		}
		if (t->l16 && rm->rec != NULL && !t->member->audio_muted)
			record_speaker(rm, t, NULL, 0, t->pcm, now,
			    rm->ticks);
		break;
	case JITTERBUF_MISSING:
		t->underrun = 0;
		if (t->l16) {
			memset(t->pcm, 0, sizeof t->pcm);
			n = MIXER_FRAME;
		} else if (jitterbuf_peek(t->jb, &next) == 0)
			n = opuscodec_decode_fec(t->dec, next.payload,
			    next.len, t->pcm);
		else
			n = opuscodec_plc(t->dec, t->pcm);
		break;
	}
	if (n == MIXER_FRAME)
		t->have_pcm = 1;
	if (t->have_pcm && t->underrun == 0)
		t->playing = 1;
}

/* The mix packet for a member on another node. */
static void
mix_send_remote(struct room_media *rm, struct media_member *m,
    struct mix_enc *e,
    uint64_t now)
{
	struct rtp_header	h;
	uint8_t			pkt[MEDIA_PACKET];
	size_t			len;

	if (e->len <= 0 || m->remote->media_len == 0)
		return;
	memset(&h, 0, sizeof h);
	h.version = RTP_VERSION;
	h.pt = MEDIA_PT_OPUS;
	h.seq = m->mix_seq++;
	h.ts = rm->mix_ts;
	h.ssrc = m->mix_ssrc;
	h.payload = e->data;
	h.payload_len = (size_t)e->len;
	if ((len = rtp_write(pkt, sizeof pkt, &h)) == 0)
		return;
	if (media_node_send(udp_node, (struct sockaddr *)&m->remote->media_addr,
	    m->remote->media_len, m->remote->id, pkt, len) != 0) {
		mstats_drop(&m->mix_st, DROP_SEND, 1);
		return;
	}
	mstats_packet(&m->mix_st, len, now);
	mstats_frame(&m->mix_st, now);
}

/* The mix m hears this tick: its route's, else the shared one. */
static int
mix_heard(const struct mixer_out *out, struct media_member *m, int shared)
{
	const struct mixer_route	*route;

	if (m->audio && (route = mix_route(out, m->id)) != NULL)
		return route->mix;
	return shared;
}

static void
mix_talking(struct room_media *rm, const struct mixer_out *out)
{
	struct media_member	*m;
	size_t			 i;

	for (i = 0; i < out->nevents; i++) {
		if ((m = media_member_find(rm, out->events[i].id)) == NULL)
			continue;
		if (out->events[i].talking)
			rm->talker = m->id;
		media_post_talking(m, out->events[i].talking);
	}
}

/*
 * A session here that hears one speaker alone (recv -a -F): that speaker's
 * frame this tick, or silence while it sends nothing.
 */
static void
mix_solo(struct room_media *rm, struct media_member *m)
{
	struct media_sub	*s, *e;
	struct media_member	*o;
	struct track		*t;

	TAILQ_FOREACH(s, &m->subs, entry) {
		if (s->kind != MEDIA_AUDIO || s->from[0] == '\0')
			continue;
		/* Each of its recvs of that speaker gets the one frame. */
		for (e = TAILQ_FIRST(&m->subs); e != s; e = TAILQ_NEXT(e, entry))
			if (e->kind == MEDIA_AUDIO && strcmp(e->from, s->from) == 0)
				break;
		if (e != s)
			continue;
		t = NULL;
		if ((o = media_member_named(rm, s->from)) != NULL &&
		    !o->audio_muted)
			t = media_member_track(o, MEDIA_AUDIO);
		downlink_solo(m, s->from, t != NULL && t->have_pcm ?
		    t->pcm : mix_silence);
	}
}

static void
mix_tick(evutil_socket_t fd, short events, void *arg)
{
	struct room_media		*rm = arg;
	struct mixer_out		 out;
	const struct mixer_mix		*mx;
	struct track			*t;
	struct media_member		*m, *m1;
	struct mix_enc			*e, *e1;
	const int16_t			*pcm;
	uint64_t			 now = mono_usec();
	u_int				 held = 0;
	int				 shared = MIXER_SILENCE, idx;
	int				 listeners, newcomer;
	size_t				 i;

	(void)fd;
	(void)events;
	TAILQ_FOREACH(t, &rm->tracks, entry) {
		if (t->kind != MEDIA_AUDIO)
			continue;
		mix_pull(t, now);
		held += jitterbuf_count(t->jb);
		if (t->have_pcm && !t->member->audio_muted)
			mixer_put(rm->mixer, t->member->id, t->pcm,
			    MIXER_FRAME);
	}
	listeners = 0;
	TAILQ_FOREACH(m, &rm->members, entry) {
		if (!m->audio && media_wants_mix(m))
			listeners = 1;
	}
	mixer_set_listeners(rm->mixer, listeners || rm->rec != NULL);
	mixer_tick(rm->mixer, &out);
	rm->ticks++;
	if (out.idle && held == 0) {
		mix_stop(rm);
		return;
	}
	mix_talking(rm, &out);
	for (i = 0; i < out.nmixes; i++) {
		if (!out.mixes[i].minus)
			shared = (int)i;
	}
	if (rm->rec != NULL)
		record_mix(rm, shared != MIXER_SILENCE ?
		    out.mixes[shared].pcm : NULL, now, rm->restarted);
	rm->restarted = 0;
	/* Whether someone comes to hear silence: its encoder restarts. */
	newcomer = 0;
	TAILQ_FOREACH(m, &rm->members, entry) {
		if (m->session == 0 && !m->mix_silent && media_wants_mix(m) &&
		    mix_heard(&out, m, shared) == MIXER_SILENCE)
			newcomer = 1;
	}
	TAILQ_FOREACH_SAFE(m, &rm->members, entry, m1) {
		if (!media_wants_mix(m))
			continue;
		idx = mix_heard(&out, m, shared);
		mx = idx != MIXER_SILENCE ? &out.mixes[idx] : NULL;
		pcm = mx != NULL ? mx->pcm : mix_silence;
		if (m->session != 0) {
			downlink_mix(m, pcm);
			continue;
		}
		e = mx != NULL ? mix_encode(rm, &out, mx) :
		    mix_encode_silence(rm, newcomer);
		m->mix_silent = mx == NULL;
		if (m->remote != NULL)
			mix_send_remote(rm, m, e, now);
		else if (m->rtp != NULL)
			rtp_peer_mix(m->rtp, e->len > 0 ? e->data : NULL,
			    e->len > 0 ? (size_t)e->len : 0, pcm, rm->mix_ts);
	}
	/* One speaker alone (recv -a -F) for sessions here. */
	if (rm->solo_subs > 0) {
		TAILQ_FOREACH(m, &rm->members, entry) {
			if (m->session != 0)
				mix_solo(rm, m);
		}
	}
	rm->mix_ts += MIXER_FRAME;
	TAILQ_FOREACH_SAFE(e, &rm->encs, entry, e1) {
		/* What its listeners heard, should its encoder come back. */
		if (e->used == rm->ticks) {
			memcpy(e->last, e->pcm, sizeof e->last);
			e->last_tick = rm->ticks;
		}
		if (rm->ticks - e->used > MIX_ENC_IDLE) {
			TAILQ_REMOVE(&rm->encs, e, entry);
			opuscodec_enc_free(e->enc);
			free(e);
		}
	}
	rm->next_tick += MIX_TICK_USEC;
	mix_schedule(rm, now);
}
