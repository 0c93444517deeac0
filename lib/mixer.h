/*
 * The audio mixer of a room (DESIGN.md section 3): one mix per 20 ms tick of
 * the K loudest talkers, each of them hearing the mix minus their own voice
 * and everyone else one shared mix, plus talking detection.  Pure
 * arithmetic on decoded 48 kHz mono frames: no I/O, no codec, no timer.
 */
#ifndef MEET_MIXER_H
#define MEET_MIXER_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define MIXER_RATE	48000
#define MIXER_FRAME	960		/* samples in one 20 ms tick */

/* Levels are RMS in dB of full scale: a full-scale square wave is 0. */
#define MIXER_LEVEL_MIN	-127.0		/* digital silence, as RFC 6464 */

/*
 * The mix a route names when the listener is to hear nothing this tick: the
 * caller sends what its codec sends for silence, or nothing.
 */
#define MIXER_SILENCE	-1

struct mixer_params {
	u_int	k;		/* talkers in the mix, 0 for everyone */
	double	overtake_db;	/* how much louder to take a place */
	double	talk_on_db;	/* level that starts talking... */
	u_int	talk_on_ticks;	/* ...held this many ticks in a row */
	double	talk_off_db;	/* level that stops talking... */
	u_int	talk_off_ticks;	/* ...held this many ticks in a row */
};

/*
 * One distinct mix to encode this tick.  A mix of exactly one talker is
 * that talker's frame, sample for sample (nothing is added, nothing
 * clipped): whoever has the talker's packet for this frame may send it on
 * instead of encoding the mix.
 */
struct mixer_mix {
	const int16_t	*pcm;		/* MIXER_FRAME samples */
	int		 minus;		/* 1: the full mix minus one talker */
	uint64_t	 without;	/* that talker, when minus */
	size_t		 talkers;	/* talkers in it, at least 1 */
	uint64_t	 talker;	/* the one, when talkers is 1 */
};

/* What one source (every source is a listener) gets this tick. */
struct mixer_route {
	uint64_t	 id;
	int		 mix;		/* index in mixes, or MIXER_SILENCE */
	int		 talking;
	double		 level;		/* this tick's frame, dB full scale */
};

/* A source started (1) or stopped (0) talking. */
struct mixer_event {
	uint64_t	 id;
	int		 talking;
};

/*
 * What a tick produced.  Everything it points to belongs to the mixer and
 * is valid until the next mixer_tick, mixer_add, mixer_remove or
 * mixer_free.
 *
 * When idle is 1 nobody put a frame, nobody is talking and no event is
 * due: there is nothing to send and the caller may stop its timer until the
 * next mixer_put.  The counts are then all 0.
 */
struct mixer_out {
	int			  idle;
	const struct mixer_mix	 *mixes;	/* at most K + 1 */
	size_t			  nmixes;
	const struct mixer_route *routes;	/* one per source, by id */
	size_t			  nroutes;
	const struct mixer_event *events;
	size_t			  nevents;
};

/* K 3, overtake 6 dB, talking above -40 dB for 3 ticks, below -45 for 25. */
void		 mixer_params_default(struct mixer_params *);
/* NULL when the params make no sense (off above on, zero ticks). */
struct mixer	*mixer_new(const struct mixer_params *);
void		 mixer_free(struct mixer *);

/* Both give -1 when the id is already there (add) or unknown (remove). */
int		 mixer_add(struct mixer *, uint64_t);
int		 mixer_remove(struct mixer *, uint64_t);

/*
 * A source's decoded frame for this tick, copied: n must be MIXER_FRAME.
 * A source that puts nothing is silent this tick; a second put in the same
 * tick replaces the first.  -1 for an unknown id or a wrong n.
 */
int		 mixer_put(struct mixer *, uint64_t, const int16_t *, size_t);
/*
 * Whether anyone who is not a source listens: then the full mix is made
 * whenever someone talks (else only when a source is outside the K).
 */
void		 mixer_set_listeners(struct mixer *, int);
/* Mix what was put since the last tick, then start a new tick. */
void		 mixer_tick(struct mixer *, struct mixer_out *);

#endif
