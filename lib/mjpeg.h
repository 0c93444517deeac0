/*
 * MJPEG streams: splitting a byte stream into complete JPEG images, and the
 * COM segment "meet:src=NAME;ts=USEC" that names a frame's source and capture
 * time (DESIGN.md section 4).
 */
#ifndef MEET_MJPEG_H
#define MEET_MJPEG_H

#include <stddef.h>
#include <stdint.h>

#define MJPEG_MAX_FRAME	(16 * 1024 * 1024)
#define MJPEG_MIN_FRAME	4	/* the smallest image: SOI, then EOI */
#define MJPEG_TAG_NAME	64	/* longest source name in a tag, with NUL */

struct mjpeg_stats {
	uint64_t	frames;		/* complete images handed out */
	uint64_t	garbage;	/* bytes skipped outside any image */
	uint64_t	oversized;	/* images dropped for being too large */
	uint64_t	largest;	/* bytes of the largest of those */
	uint64_t	truncated;	/* images cut by a new SOI, or broken */
};

typedef void (*mjpeg_frame_cb)(const uint8_t *, size_t, void *);

struct mjpeg_splitter;

/*
 * A splitter handing out images of at most max bytes: 0 is
 * MJPEG_MAX_FRAME, and a limit below MJPEG_MIN_FRAME is taken as
 * MJPEG_MIN_FRAME, the least that holds an image and the bytes a segment
 * length needs.  The caller owns the splitter and frees it with
 * mjpeg_splitter_free.
 */
struct mjpeg_splitter *mjpeg_splitter_new(size_t);
void	mjpeg_splitter_free(struct mjpeg_splitter *);
/* Feed bytes; cb is called with each complete image (valid during the call). */
void	mjpeg_splitter_feed(struct mjpeg_splitter *, const uint8_t *, size_t,
	    mjpeg_frame_cb, void *);
const struct mjpeg_stats *mjpeg_splitter_stats(const struct mjpeg_splitter *);

/* Read the meet tag: 0 and the fields when present, -1 when not. */
int	mjpeg_tag_get(const uint8_t *, size_t, char *, size_t, uint64_t *);
/*
 * A new image with the tag just after SOI, replacing any meet tag the image
 * had.  The caller owns the result (free()); NULL when the input is no JPEG
 * or the name holds a ';'.
 */
uint8_t *mjpeg_tag_set(const uint8_t *, size_t, const char *, uint64_t,
	    size_t *);

#endif
