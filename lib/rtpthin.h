/*
 * What one receiver gets of one camera sent in layers (jpeglayers.h): for
 * each image, one layer's packets, whole images only, thinned to the frame
 * rate its path carries (layerchoice.h), as one RTP stream with sequence
 * numbers of its own.
 *
 * JPEG images are all key frames, so the layer may change at any image and
 * thinning is dropping whole images.  Each image is decided once, at the
 * first of its packets seen in any layer: taken or thinned, and from which
 * layer (the one wanted, if it carried the image before; else the one
 * forwarded until now; else the nearest that did), so the choice holds
 * whatever order the sender's layers come in.  The sender stamps every
 * layer of an image with the same RTP timestamp (the capture time), which
 * is what tells images apart and goes to the receiver unchanged.
 *
 * The receiver's sequence numbers count the packets this node sends it,
 * one by one: thinned images and other layers leave no gap, and neither
 * does loss before this node (the sender's path, seen in the stats of the
 * streams it receives), so the loss the receiver reports in RTCP is that of
 * the path from here to it, the one its choice is about.  The RFC 2435
 * depacketizer finds a broken image from its fragment offsets, not from
 * sequence numbers.
 */
#ifndef MEET_RTPTHIN_H
#define MEET_RTPTHIN_H

#include <stdint.h>

#define RTPTHIN_MAX_LAYERS	4
#define RTPTHIN_CLOCK		90000	/* RTP's video clock, ticks a second */

/*
 * Thinning to a frame rate: which images to keep, from their timestamps.
 * An image is kept when it comes no earlier than an eighth of the target
 * interval before the next is due, so the sender's jitter keeps none twice
 * and the kept images average the target rate.
 */
struct rtpthin_rate {
	int		 fps;		/* 0: every image */
	int		 started;
	uint32_t	 last_ts;
	int64_t		 now;		/* ticks since the first image */
	double		 due;		/* when the next image is due */
};

void	rtpthin_rate_set(struct rtpthin_rate *, int);
/* 1 when the image of timestamp ts is kept; 0 when thinned, or not new. */
int	rtpthin_rate_take(struct rtpthin_rate *, uint32_t);

/* One packet of one layer, as the hosting node received it. */
struct rtpthin_packet {
	int		 layer;		/* the sender's layer, 0 the largest */
	uint32_t	 ts;
};

struct rtpthin_stats {
	uint64_t	 packets_in;	/* offered, any layer */
	uint64_t	 packets_out;
	uint64_t	 images_out;	/* images begun */
	uint64_t	 images_thinned;
	uint64_t	 switches;	/* changes of layer */
	uint64_t	 late;		/* packets of an image already past */
	uint64_t	 bad_layer;	/* no such layer */
};

struct rtpthin;

/*
 * A receiver's stream, starting at sequence number seq (random, as RFC
 * 3550 asks); it forwards layer 0 at every image until told otherwise.
 * The caller owns it and frees it with rtpthin_free.
 */
struct rtpthin	*rtpthin_new(uint16_t);
void		 rtpthin_free(struct rtpthin *);
/* What to send from the next image on: a layer, and images a second. */
void		 rtpthin_set(struct rtpthin *, int, int);
/*
 * One packet of the camera: 1 and the receiver's sequence number in *seq
 * when it goes to this receiver, 0 when it does not.
 */
int		 rtpthin_packet(struct rtpthin *, const struct rtpthin_packet *,
		     uint16_t *);
/* The layer forwarded now, -1 before the first image. */
int		 rtpthin_layer(const struct rtpthin *);
const struct rtpthin_stats *rtpthin_stats(const struct rtpthin *);

#endif
