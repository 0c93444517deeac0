/*
 * Video layers from one camera image: the JPEG as it came, and smaller
 * copies made from it with TurboJPEG's scaled decoding (1/2, 1/4, 1/8 of
 * each side), straight to YUV planes, encoded again at a quality of their
 * own.  Each receiver of a camera then gets the largest layer its path
 * carries (layerchoice.h).  Only the layers asked for are made, so a layer
 * nobody receives costs nothing.
 *
 * Every layer handed out passes jpeg_rtp_info (rfc2435.h) as it is, so it
 * goes to the packetizer with no further re-encoding.  RFC 2435 carries the
 * sides in units of 8 pixels, so a scaled side that is no multiple of 8
 * (1280x720 at 1/4 is 320x180) is cropped to the multiple of 8 below it,
 * evenly on both sides: 320x176 drops two rows at the top and two at the
 * bottom.  A layer whose side would be under JPEGLAYERS_MIN_SIDE is not
 * made at all.
 *
 * A jpeglayers is used by one thread at a time (its TurboJPEG handles and
 * buffers change with every image).
 */
#ifndef MEET_JPEGLAYERS_H
#define MEET_JPEGLAYERS_H

#include <stddef.h>
#include <stdint.h>

#define JPEGLAYERS_MAX		4	/* 1, 1/2, 1/4, 1/8 of each side */
#define JPEGLAYERS_MIN_SIDE	16	/* a smaller layer is not made */
#define JPEGLAYERS_ALL		((1u << JPEGLAYERS_MAX) - 1)
#define JPEGLAYERS_BIT(i)	(1u << (i))

/* Qualities of the layers made, when the caller gives none. */
#define JPEGLAYERS_QUALITY_HALF		75
#define JPEGLAYERS_QUALITY_QUARTER	70
#define JPEGLAYERS_QUALITY_EIGHTH	70

/*
 * One layer of one image.  Layer 0 is the caller's image itself (never
 * re-encoded); the others point into the jpeglayers' buffers and are valid
 * until its next jpeglayers_make or jpeglayers_free.
 */
struct jpeglayer {
	int		 made;		/* 1 when this call made it */
	int		 width;
	int		 height;
	const uint8_t	*jpeg;
	size_t		 len;
};

/* What each layer has cost since jpeglayers_new: for stats. */
struct jpeglayers_stats {
	uint64_t	 made[JPEGLAYERS_MAX];	/* images made */
	uint64_t	 usec[JPEGLAYERS_MAX];	/* time making them */
	uint64_t	 bytes[JPEGLAYERS_MAX];	/* JPEG bytes they came to */
	uint64_t	 failed;		/* images that made no layer */
};

struct jpeglayers;

/*
 * A maker of layers.  quality[i] (1-100) is the quality layer i is encoded
 * at; quality may be NULL, and quality[0] is unused (layer 0 is not
 * encoded).  NULL and the reason in err when a quality is out of range or
 * TurboJPEG cannot start.  The caller owns it and frees it with
 * jpeglayers_free.
 */
struct jpeglayers *jpeglayers_new(const int *, char *, size_t);
void	jpeglayers_free(struct jpeglayers *);

/*
 * The size of layer i of a width x height image: 0 and the size, or -1 when
 * that layer cannot exist (a side under JPEGLAYERS_MIN_SIDE, i out of
 * range, or a size RFC 2435 cannot carry).  This is the size
 * jpeglayers_make gives it, known before any image is decoded.
 */
int	jpeglayers_size(int, int, int, int *, int *);

/*
 * The layers a sender offers for a width x height camera: its own size,
 * then each smaller one down to the first no taller than floor_height
 * (180: a 640x480 camera offers 640x480, 320x240 and 160x120; 1280x720
 * offers 1280x720, 640x360 and 320x176; 1920x1080 goes on to 240x128).
 * A mask of JPEGLAYERS_BIT; 0 when the size is not one RFC 2435 carries.
 */
unsigned int jpeglayers_ladder(int, int, int);

/*
 * Make the layers of mask (JPEGLAYERS_BIT(i) for layer i) from one image,
 * which must pass jpeg_rtp_info: what the sender would send anyway.  out
 * has JPEGLAYERS_MAX entries: each has the size of its layer (0 x 0 when
 * the layer cannot exist for this image), made or not; made says which
 * were made, and only those have jpeg and len.  The mask of the layers
 * made (a layer in mask that cannot exist is not), or -1 and the reason in
 * err when the image cannot be used (not one RFC 2435 carries, or
 * TurboJPEG fails on it); then nothing is made.
 */
int	jpeglayers_make(struct jpeglayers *, const uint8_t *, size_t,
	    unsigned int, struct jpeglayer *, char *, size_t);

const struct jpeglayers_stats *jpeglayers_stats(const struct jpeglayers *);

#endif
