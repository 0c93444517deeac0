/*
 * Re-encoding, once, a JPEG that RFC 2435 cannot carry as it is (progressive,
 * 4:4:4, grayscale, odd sizes, larger than 2040, custom Huffman tables) into
 * one it can: baseline 4:2:0, standard Huffman tables, no restart markers,
 * sides multiples of 8 and no longer than 2040, the aspect ratio kept as
 * well as those allow.
 *
 * This uses TurboJPEG; whether an image needs it is jpeg_rtp_info's answer
 * (rfc2435.h), which does not, so that a program that only packetizes need
 * not link TurboJPEG.
 */
#ifndef MEET_JPEG_NORMALIZE_H
#define MEET_JPEG_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "rfc2435.h"

/* Larger images are refused rather than decoded. */
#define JPEG_NORMALIZE_MAX_PIXELS	(8192 * 8192)

/*
 * Decode a JPEG and encode it again at quality q (1-100), always, whatever it
 * was: callers ask jpeg_rtp_info first.  The result passes jpeg_rtp_info; the
 * caller owns it and frees it with free().  NULL and the reason in err when
 * the input cannot be decoded.
 */
uint8_t	*jpeg_normalize(const uint8_t *, size_t, int, size_t *, char *,
	    size_t);

#endif
