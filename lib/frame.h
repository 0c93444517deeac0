/*
 * Encoding and checking frames (see proto.h).  No I/O here: the daemon feeds
 * bytes from libevent buffers, meetctl from blocking reads.
 */
#ifndef MEET_FRAME_H
#define MEET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "proto.h"

struct frame_header {
	int	type;
	size_t	length;
};

/*
 * Check a header in the first FRAME_HEADER bytes of p: 0 and h filled when
 * good, -1 and a message in err when not.
 */
int	frame_header_parse(const uint8_t *, struct frame_header *, char *,
	    size_t);
/* A body as a JSON object; NULL and a message in err when it is not one. */
json_t	*frame_body_parse(const uint8_t *, size_t, char *, size_t);
/*
 * A whole frame with a JSON body (NULL for {}), ready to write; the caller
 * owns it.  NULL when the body is larger than FRAME_MAX.
 */
uint8_t	*frame_pack(int, const json_t *, size_t *);
void	frame_header_pack(uint8_t *, int, size_t);

#endif
