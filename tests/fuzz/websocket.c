/*
 * Fuzzing the WebSocket reader (lib/websocket.c) as meetd's page port uses
 * it: the first byte sets the limits (and whether frames must be masked),
 * the rest is a stream fed in pieces whose sizes the input also chooses.
 * The reader must never take more than it was given, never hand back a
 * message over its limit or text that is not UTF-8, refuse with a close
 * code the RFC names, and take nothing after a close; every message it
 * gives must survive a round trip through the frame writer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "text.h"
#include "websocket.h"

static void	ws_round_trip(const struct ws_message *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Written as a server writes it and read as a client would: the same. */
static void
ws_round_trip(const struct ws_message *m, size_t max)
{
	struct ws_reader	 r;
	struct ws_message	 back;
	uint8_t			*buf;
	size_t			 n, used;

	buf = malloc(WS_HEADER_MAX + m->len + 1);
	n = ws_header_write(buf, 1, m->opcode, m->len, NULL);
	if (m->len > 0)
		memcpy(buf + n, m->data, m->len);
	ws_reader_init(&r, max, max, 0);
	if (ws_read(&r, buf, n + m->len, &used, &back) != WS_MESSAGE ||
	    used != n + m->len || back.opcode != m->opcode ||
	    back.len != m->len || (m->len > 0 &&
	    memcmp(back.data, buf + n, m->len) != 0))
		abort();
	ws_reader_free(&r);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct ws_reader	 r;
	struct ws_message	 m;
	enum ws_event		 ev;
	uint8_t			*buf, setup;
	size_t			 len = 0, used, max, piece, n;
	const uint8_t		*p;
	int			 closed = 0;

	fuzz_input_init(&in, data, size);
	setup = fuzz_u8(&in);
	max = (size_t)(setup & 0x7f) * 64 + 1;
	ws_reader_init(&r, max, 2 * max, !(setup & 0x80));
	buf = malloc(size + 1);
	while (in.left > 0) {
		piece = (size_t)fuzz_u8(&in) * 4 + 1;
		p = fuzz_bytes(&in, piece, &n);
		memcpy(buf + len, p, n);
		len += n;
		for (;;) {
			ev = ws_read(&r, buf, len, &used, &m);
			if (used > len)
				abort();
			if (closed && (ev != WS_MORE || used != 0))
				abort();	/* nothing after a close */
			if (ev == WS_MORE) {
				if (used != 0)
					abort();
				break;
			}
			if (ev == WS_MESSAGE) {
				if (m.len > 2 * max)
					abort();
				if (m.opcode == WS_OP_TEXT &&
				    utf8_valid((const char *)m.data,
				    m.len) != 0)
					abort();
				ws_round_trip(&m, 2 * max);
			}
			if ((ev == WS_PING || ev == WS_PONG) &&
			    m.len > WS_CONTROL_MAX)
				abort();
			if (ev == WS_ERROR && (m.error[0] == '\0' ||
			    (m.code != WS_CLOSE_PROTOCOL &&
			    m.code != WS_CLOSE_BAD_DATA &&
			    m.code != WS_CLOSE_TOO_BIG)))
				abort();
			if (ev == WS_CLOSE || ev == WS_ERROR)
				closed = 1;
			memmove(buf, buf + used, len - used);
			len -= used;
		}
	}
	ws_reader_free(&r);
	free(buf);
	return 0;
}
