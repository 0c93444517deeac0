/*
 * The choice of video for one receiver of one camera: which of the
 * sender's layers (jpeglayers.h) and how many images a second, from what
 * that receiver's RTCP says of its path once an interval (about a second):
 * the share of packets lost, the round-trip time against the least seen
 * on that path, and the rate it gets.  One choice per receiver, never one
 * for the room: one bad path lowers only its own receiver.
 *
 * The ladder runs from the largest layer at the sender's frame rate down to
 * the smallest layer at the last frame-rate step (5 a second): every layer
 * at the sender's rate, largest first, then the smallest thinned by each
 * step.  With JPEG over RTP one lost packet loses the whole image, so on a
 * lossy path a smaller image (fewer packets) is the first remedy; thinning
 * helps only once the image is as small as it gets, and only if the loss
 * comes from the rate (see below).  The floor is never left: loss alone
 * never stops a receiver's video.
 *
 * Each rule reads the loss of the newest intervals since the last change
 * that hold a few hundred packets between them, or fewer when those show
 * it beyond doubt: at a steady 3 %, one report on 60 packets (160x120 at
 * 20) shows 10 % once in thirty, and must not count as a worse path.
 *
 * Lowering is at once:
 *   - loss at or over loss_high: to the largest lower layer whose images
 *     would arrive whole at least images_whole_min of the time at that
 *     loss, at least one step; on the smallest layer, one frame-rate step,
 *     unless since the first lowering for it the rate the receiver gets
 *     fell with the rate sent: then the path had room, the loss is the
 *     path's and not the rate's, and fewer images would only be fewer;
 *   - images arriving whole less than images_whole_min of the time even at
 *     the least the loss can be (moderate loss on images of many packets):
 *     to the largest layer that keeps them;
 *   - the round trip over the path's least by more than rtt_rise (and
 *     rtt_rise_ratio of the least): one step, then rtt_hold before the next
 *     for that reason, since a queue takes a while to drain.
 * Raising is one step, after raise_wait of clean intervals (loss at most
 * loss_clean or a single packet, no round-trip rise), when the next step's
 * images would arrive whole at least images_whole_raise of the time at the
 * most the loss of that wait can be.  A raise followed by a lowering
 * within probe failed: the choice goes back to the step it left (clean a
 * moment ago), and the wait to raise to that step again doubles, up to
 * raise_wait_max, until a raise to it holds.
 *
 * Nothing here reads a clock or logs: the caller gives the time with each
 * report and logs the reason of each change.
 */
#ifndef MEET_LAYERCHOICE_H
#define MEET_LAYERCHOICE_H

#include <stdint.h>

#define LAYERCHOICE_MAX_LAYERS	4
#define LAYERCHOICE_MAX_FPS	8	/* frame-rate steps */
#define LAYERCHOICE_MAX_STEPS	(LAYERCHOICE_MAX_LAYERS + LAYERCHOICE_MAX_FPS)
#define LAYERCHOICE_REASON	80

/*
 * The thresholds; layerchoice_defaults fills them.  The names proposed for
 * meetd.conf's [video] section are beside each.
 */
struct layerchoice_params {
	double	loss_high;		/* loss_high = 10 (%) */
	double	loss_clean;		/* loss_clean = 2 (%) */
	double	whole_min;		/* images_whole_min = 50 (%) */
	double	whole_raise;		/* images_whole_raise = 80 (%) */
	double	rtt_rise_ms;		/* rtt_rise = 50 (ms) */
	double	rtt_rise_ratio;		/* rtt_rise_ratio = 100 (%) */
	uint64_t rtt_hold_ms;		/* rtt_hold = 2 (s) */
	uint64_t raise_wait_ms;		/* raise_wait = 5 (s) */
	uint64_t raise_wait_max_ms;	/* raise_wait_max = 80 (s) */
	uint64_t probe_ms;		/* probe = 4 (s) */
	int	fps_steps[LAYERCHOICE_MAX_FPS];	/* fps_steps = 15 10 5 */
	int	nfps;
};

/* A layer the sender makes, as jpeglayers_size gives it. */
struct layerchoice_layer {
	int	width;
	int	height;
	double	packets;	/* RTP packets an image, 0: not known yet */
};

/* Why the choice is what it is. */
enum layerchoice_why {
	LAYERCHOICE_START,
	LAYERCHOICE_LOSS,	/* loss over loss_high */
	LAYERCHOICE_IMAGES,	/* too few images whole */
	LAYERCHOICE_RTT,	/* the round trip grew */
	LAYERCHOICE_CAP,	/* the receiver asked for no more */
	LAYERCHOICE_CLEAN,	/* raised after a clean wait */
	LAYERCHOICE_LADDER	/* the sender's layers or rate changed */
};

/* What to send the receiver now. */
struct layerchoice_out {
	int			 step;	/* 0 is the top of the ladder */
	int			 layer;	/* an index into the layers given */
	int			 width;
	int			 height;
	int			 fps;
	int			 changed; /* -1 lowered, 1 raised, 0 not */
	enum layerchoice_why	 why;	/* of the last change */
	const char		*reason; /* of the last change; valid until
					    the next call */
};

/* One interval's report on the receiver's path. */
struct layerchoice_report {
	uint64_t	 now_ms;	/* a monotonic clock */
	double		 loss;		/* 0 to 1; below 0: not known */
	double		 rtt_ms;	/* below 0: not known */
	double		 min_rtt_ms;	/* the path's least, if known; 0 not */
	double		 bitrate;	/* bit/s received; 0: not known */
	double		 packets;	/* sent in the interval; 0: reckoned
					   from the layer's packets */
	int		 max_width;	/* recv --max; 0: none */
	int		 max_height;
};

struct layerchoice;

void	layerchoice_defaults(struct layerchoice_params *);
/*
 * A choice over n layers (largest first, at most LAYERCHOICE_MAX_LAYERS)
 * sent at fps images a second, starting at the top at time now_ms.  NULL
 * and the reason in err when the layers or the parameters make no ladder.
 * The caller owns it and frees it with layerchoice_free.
 */
struct layerchoice *layerchoice_new(const struct layerchoice_params *,
	    const struct layerchoice_layer *, int, int, uint64_t, char *,
	    size_t);
void	layerchoice_free(struct layerchoice *);

/*
 * The sender's layers or frame rate changed: the ladder is made again and
 * the choice moves to the step of the same size or the next smaller, at
 * the nearest rate.  -1 and err when they make no ladder (nothing
 * changes).
 */
int	layerchoice_set_ladder(struct layerchoice *,
	    const struct layerchoice_layer *, int, int, uint64_t, char *,
	    size_t);
/* What an image of layer i costs, as measured: RTP packets. */
void	layerchoice_set_packets(struct layerchoice *, int, double);

/*
 * One interval's report: the choice after it.  A report with loss and
 * rtt_ms below 0 is no report on the path: a change of --max alone.
 */
void	layerchoice_update(struct layerchoice *,
	    const struct layerchoice_report *, struct layerchoice_out *);
/* The choice as it stands (changed is 0). */
void	layerchoice_current(const struct layerchoice *,
	    struct layerchoice_out *);
/* The wait to raise now, backoff included (for stats). */
uint64_t layerchoice_raise_wait(const struct layerchoice *);
const char *layerchoice_why_name(enum layerchoice_why);

#endif
