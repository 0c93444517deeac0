/*
 * Fuzzing the frame reader (lib/frame.c) as the control socket and the
 * node links use it: the input is a byte stream cut into frames by their
 * headers, each body parsed as JSON, and what parses is packed again and
 * must read back as the same frame.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "fuzz.h"

static void	frame_round_trip(int, json_t *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* A parsed body packs into a frame that reads back the same. */
static void
frame_round_trip(int type, json_t *o)
{
	struct frame_header	 h;
	uint8_t			*p;
	size_t			 len;
	char			 err[256];
	json_t			*back;

	if ((p = frame_pack(type, o, &len)) == NULL)
		return;		/* larger than FRAME_MAX once dumped */
	if (frame_header_parse(p, &h, err, sizeof err) != 0 ||
	    h.type != type || h.length != len - FRAME_HEADER)
		abort();
	back = frame_body_parse(p + FRAME_HEADER, h.length, err, sizeof err);
	if (back == NULL || !json_equal(o, back))
		abort();
	json_decref(back);
	free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame_header	 h;
	char			 err[256];
	size_t			 off = 0;
	json_t			*o;

	while (size - off >= FRAME_HEADER) {
		err[0] = '\0';
		if (frame_header_parse(data + off, &h, err, sizeof err) != 0) {
			if (err[0] == '\0')
				abort();	/* a refusal says why */
			break;
		}
		off += FRAME_HEADER;
		if (h.length > size - off)
			h.length = size - off;	/* what a cut stream holds */
		o = frame_body_parse(data + off, h.length, err, sizeof err);
		off += h.length;
		if (o == NULL)
			continue;
		frame_round_trip(h.type, o);
		json_decref(o);
	}
	return 0;
}
