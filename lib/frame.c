/*
 * Frame headers and JSON bodies.  Everything read from a socket is checked
 * here before anyone uses it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "xmalloc.h"

int
frame_header_parse(const uint8_t *p, struct frame_header *h, char *err,
    size_t errlen)
{
	uint32_t	len;

	if (p[0] != FRAME_MAGIC0 || p[1] != FRAME_MAGIC1) {
		snprintf(err, errlen, "bad frame magic %02x%02x", p[0], p[1]);
		return -1;
	}
	if (p[2] == 0 || p[2] > FRAME_TYPE_MAX) {
		snprintf(err, errlen, "bad frame type %u", p[2]);
		return -1;
	}
	if (p[3] != 0) {
		snprintf(err, errlen, "bad frame flags %u", p[3]);
		return -1;
	}
	len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 |
	    (uint32_t)p[6] << 8 | p[7];
	if (len > FRAME_MAX) {
		snprintf(err, errlen, "frame of %u bytes is over the limit "
		    "of %u", len, FRAME_MAX);
		return -1;
	}
	h->type = p[2];
	h->length = len;
	return 0;
}

json_t *
frame_body_parse(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	json_error_t	 jerr;
	json_t		*o;

	if (len == 0)
		return json_object();
	o = json_loadb((const char *)p, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		snprintf(err, errlen, "bad frame body: %s", jerr.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(err, errlen, "bad frame body: not a JSON object");
		json_decref(o);
		return NULL;
	}
	return o;
}

void
frame_header_pack(uint8_t *p, int type, size_t len)
{
	p[0] = FRAME_MAGIC0;
	p[1] = FRAME_MAGIC1;
	p[2] = (uint8_t)type;
	p[3] = 0;
	p[4] = (uint8_t)(len >> 24);
	p[5] = (uint8_t)(len >> 16);
	p[6] = (uint8_t)(len >> 8);
	p[7] = (uint8_t)len;
}

uint8_t *
frame_pack(int type, const json_t *body, size_t *outlen)
{
	char	*s = NULL;
	size_t	 len = 0;
	uint8_t	*p;

	if (body != NULL) {
		s = json_dumps(body, JSON_COMPACT);
		if (s == NULL)
			return NULL;
		len = strlen(s);
		if (len > FRAME_MAX) {
			free(s);
			return NULL;
		}
	}
	p = xmalloc(FRAME_HEADER + len + 1);
	frame_header_pack(p, type, len);
	if (len > 0)
		memcpy(p + FRAME_HEADER, s, len);
	free(s);
	*outlen = FRAME_HEADER + len;
	return p;
}
