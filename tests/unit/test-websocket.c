/*
 * Unit tests for the WebSocket layer (lib/websocket.c): the examples of
 * RFC 6455 section 5.7 byte for byte, the Sec-WebSocket-Accept of the RFC's
 * sample key, and the reader's rules: masking, fragmented messages with
 * control frames between their parts, size limits, UTF-8 text, close codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "websocket.h"

static void	test_accept(void **);
static void	test_key(void **);
static void	test_rfc_unmasked(void **);
static void	test_rfc_masked(void **);
static void	test_rfc_fragmented(void **);
static void	test_rfc_ping_pong(void **);
static void	test_rfc_lengths(void **);
static void	test_header_write(void **);
static void	test_fragments_with_control(void **);
static void	test_partial(void **);
static void	test_unmasked_refused(void **);
static void	test_oversize(void **);
static void	test_bad_utf8(void **);
static void	test_utf8_across_fragments(void **);
static void	test_sequence_errors(void **);
static void	test_reserved(void **);
static void	test_control_rules(void **);
static void	test_close(void **);
static void	test_close_payload(void **);
static size_t	client_frame(uint8_t *, int, int, const void *, size_t);
static enum ws_event read_one(struct ws_reader *, uint8_t *, size_t,
		    struct ws_message *);

static const uint8_t mask_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

/* A frame as a browser sends it: masked with mask_key. */
static size_t
client_frame(uint8_t *out, int fin, int opcode, const void *payload,
    size_t len)
{
	size_t	n;

	n = ws_header_write(out, fin, opcode, len, mask_key);
	memcpy(out + n, payload, len);
	ws_mask(out + n, len, mask_key, 0);
	return n + len;
}

/* One whole frame in buf: it must be taken whole. */
static enum ws_event
read_one(struct ws_reader *r, uint8_t *buf, size_t len, struct ws_message *m)
{
	enum ws_event	ev;
	size_t		used;

	ev = ws_read(r, buf, len, &used, m);
	if (ev != WS_MORE && ev != WS_ERROR)
		assert_int_equal(used, len);
	return ev;
}

static void
test_accept(void **state)
{
	char	out[WS_ACCEPT_LEN + 1];

	(void)state;
	/* RFC 6455 1.3. */
	assert_int_equal(ws_accept("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(ws_accept("short", out), -1);
}

static void
test_key(void **state)
{
	(void)state;
	assert_true(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=="));
	assert_false(ws_key_valid(NULL));
	assert_false(ws_key_valid(""));
	assert_false(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ="));
	assert_false(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ=x"));
	assert_false(ws_key_valid("dGhlIHNhbXBsZSBub25j!Q=="));
	assert_false(ws_key_valid("dGhlIHNhbXBsZSBub25jZQ==="));
}

/* 5.7: a single-frame unmasked text message, which a client reads. */
static void
test_rfc_unmasked(void **state)
{
	uint8_t			frame[] = { 0x81, 0x05, 0x48, 0x65, 0x6c,
				    0x6c, 0x6f };
	uint8_t			copy[sizeof frame];
	struct ws_reader	r;
	struct ws_message	m;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 0);
	memcpy(copy, frame, sizeof frame);
	assert_int_equal(read_one(&r, copy, sizeof copy, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_TEXT);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "Hello", 5);
	ws_reader_free(&r);

	/* A server refuses it: a client's frames are masked. */
	ws_reader_init(&r, 1024, 1024, 1);
	memcpy(copy, frame, sizeof frame);
	assert_int_equal(read_one(&r, copy, sizeof copy, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);
}

/* 5.7: a single-frame masked text message. */
static void
test_rfc_masked(void **state)
{
	uint8_t			frame[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
				    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	uint8_t			built[32];
	struct ws_reader	r;
	struct ws_message	m;

	(void)state;
	assert_int_equal(client_frame(built, 1, WS_OP_TEXT, "Hello", 5),
	    sizeof frame);
	assert_memory_equal(built, frame, sizeof frame);
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, frame, sizeof frame, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_TEXT);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "Hello", 5);
	ws_reader_free(&r);
}

/* 5.7: a fragmented unmasked text message, "Hel" then "lo". */
static void
test_rfc_fragmented(void **state)
{
	uint8_t			f1[] = { 0x01, 0x03, 0x48, 0x65, 0x6c };
	uint8_t			f2[] = { 0x80, 0x02, 0x6c, 0x6f };
	struct ws_reader	r;
	struct ws_message	m;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 0);
	assert_int_equal(read_one(&r, f1, sizeof f1, &m), WS_FRAGMENT);
	assert_int_equal(read_one(&r, f2, sizeof f2, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_TEXT);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "Hello", 5);
	ws_reader_free(&r);
}

/* 5.7: an unmasked ping, and a masked pong, each with "Hello". */
static void
test_rfc_ping_pong(void **state)
{
	uint8_t			ping[] = { 0x89, 0x05, 0x48, 0x65, 0x6c,
				    0x6c, 0x6f };
	uint8_t			pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21,
				    0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	struct ws_reader	r;
	struct ws_message	m;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 0);
	assert_int_equal(read_one(&r, ping, sizeof ping, &m), WS_PING);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "Hello", 5);
	ws_reader_free(&r);

	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, pong, sizeof pong, &m), WS_PONG);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "Hello", 5);
	ws_reader_free(&r);
}

/* 5.7: 256 bytes (16-bit length) and 64 KiB (64-bit length), binary. */
static void
test_rfc_lengths(void **state)
{
	struct ws_reader	 r;
	struct ws_message	 m;
	uint8_t			*buf;
	size_t			 i;

	(void)state;
	buf = calloc(1, 10 + 65536);
	buf[0] = 0x82;
	buf[1] = 0x7e;
	buf[2] = 0x01;
	buf[3] = 0x00;
	for (i = 0; i < 256; i++)
		buf[4 + i] = (uint8_t)i;
	ws_reader_init(&r, 65536, 65536, 0);
	assert_int_equal(read_one(&r, buf, 4 + 256, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_BINARY);
	assert_int_equal(m.len, 256);
	assert_int_equal(m.data[255], 255);

	memset(buf, 0, 10);
	buf[0] = 0x82;
	buf[1] = 0x7f;
	buf[7] = 0x01;		/* 0x0000000000010000 */
	assert_int_equal(read_one(&r, buf, 10 + 65536, &m), WS_MESSAGE);
	assert_int_equal(m.len, 65536);
	ws_reader_free(&r);
	free(buf);
}

/* The header writer gives the RFC's headers back. */
static void
test_header_write(void **state)
{
	uint8_t	h[WS_HEADER_MAX];
	uint8_t	want256[] = { 0x82, 0x7e, 0x01, 0x00 };
	uint8_t	want64k[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 0x01, 0, 0 };

	(void)state;
	assert_int_equal(ws_header_write(h, 1, WS_OP_TEXT, 5, NULL), 2);
	assert_int_equal(h[0], 0x81);
	assert_int_equal(h[1], 0x05);
	assert_int_equal(ws_header_write(h, 1, WS_OP_BINARY, 256, NULL), 4);
	assert_memory_equal(h, want256, sizeof want256);
	assert_int_equal(ws_header_write(h, 1, WS_OP_BINARY, 65536, NULL), 10);
	assert_memory_equal(h, want64k, sizeof want64k);
	assert_int_equal(ws_header_write(h, 0, WS_OP_TEXT, 3, mask_key), 6);
	assert_int_equal(h[0], 0x01);
	assert_int_equal(h[1], 0x83);
}

/* Pings, pongs between the fragments of a message do not disturb it. */
static void
test_fragments_with_control(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[256];
	size_t			n;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 0, WS_OP_TEXT, "one ", 4);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_PING, "p", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_PING);
	assert_memory_equal(m.data, "p", 1);
	n = client_frame(buf, 0, WS_OP_CONT, "two ", 4);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_PONG, "", 0);
	assert_int_equal(read_one(&r, buf, n, &m), WS_PONG);
	n = client_frame(buf, 1, WS_OP_CONT, "three", 5);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_TEXT);
	assert_int_equal(m.len, 13);
	assert_memory_equal(m.data, "one two three", 13);

	/* And the next message starts afresh. */
	n = client_frame(buf, 1, WS_OP_BINARY, "\x00\xff", 2);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MESSAGE);
	assert_int_equal(m.opcode, WS_OP_BINARY);
	assert_int_equal(m.len, 2);
	ws_reader_free(&r);
}

/* A frame that has not all arrived is left in the buffer, byte by byte. */
static void
test_partial(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[512], text[300];
	size_t			n, cut, used;

	(void)state;
	memset(text, 'a', sizeof text);
	n = client_frame(buf, 1, WS_OP_TEXT, text, sizeof text);
	ws_reader_init(&r, 1024, 1024, 1);
	for (cut = 0; cut < n; cut++) {
		assert_int_equal(ws_read(&r, buf, cut, &used, &m), WS_MORE);
		assert_int_equal(used, 0);
	}
	assert_int_equal(ws_read(&r, buf, n, &used, &m), WS_MESSAGE);
	assert_int_equal(used, n);
	assert_int_equal(m.len, sizeof text);
	ws_reader_free(&r);
}

static void
test_unmasked_refused(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64];
	size_t			n;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 1);
	n = ws_header_write(buf, 1, WS_OP_TEXT, 2, NULL);
	memcpy(buf + n, "hi", 2);
	assert_int_equal(read_one(&r, buf, n + 2, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	assert_non_null(strstr(m.error, "not masked"));
	/* Once it failed, the reader takes nothing more. */
	n = client_frame(buf, 1, WS_OP_TEXT, "hi", 2);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MORE);
	ws_reader_free(&r);
}

/* Too large: refused at the header, before the payload has come. */
static void
test_oversize(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64], big[200];
	size_t			n, used;

	(void)state;
	memset(big, 'x', sizeof big);
	ws_reader_init(&r, 100, 150, 1);
	n = ws_header_write(buf, 1, WS_OP_TEXT, 101, mask_key);
	assert_int_equal(ws_read(&r, buf, n, &used, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_TOO_BIG);
	ws_reader_free(&r);

	/* A header claiming 2^62 bytes is just too big, not a crash. */
	ws_reader_init(&r, 100, 150, 1);
	buf[0] = 0x82;
	buf[1] = 0xff;
	memset(buf + 2, 0, 8);
	buf[2] = 0x40;
	memcpy(buf + 10, mask_key, 4);
	assert_int_equal(ws_read(&r, buf, 14, &used, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_TOO_BIG);
	ws_reader_free(&r);

	/* Frames each under the limit, a message over it. */
	ws_reader_init(&r, 100, 150, 1);
	n = client_frame(buf, 0, WS_OP_TEXT, big, 40);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 0, WS_OP_CONT, big, 40);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 0, WS_OP_CONT, big, 40);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_CONT, big, 40);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_TOO_BIG);
	ws_reader_free(&r);
}

static void
test_bad_utf8(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64];
	size_t			n;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 1, WS_OP_TEXT, "ok \xc0\xaf", 5);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_BAD_DATA);
	ws_reader_free(&r);

	/* The same bytes as binary are just bytes. */
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 1, WS_OP_BINARY, "ok \xc0\xaf", 5);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MESSAGE);
	ws_reader_free(&r);

	/* A surrogate, encoded: not UTF-8 either. */
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 1, WS_OP_TEXT, "\xed\xa0\x80", 3);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_BAD_DATA);
	ws_reader_free(&r);
}

/* A character split between two fragments is still one character. */
static void
test_utf8_across_fragments(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64];
	size_t			n;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 0, WS_OP_TEXT, "caf\xc3", 4);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_CONT, "\xa9", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MESSAGE);
	assert_int_equal(m.len, 5);
	assert_memory_equal(m.data, "caf\xc3\xa9", 5);

	/* Cut short: the message ends inside a character. */
	n = client_frame(buf, 0, WS_OP_TEXT, "caf", 3);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_CONT, "\xc3", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_BAD_DATA);
	ws_reader_free(&r);
}

/* A continuation with nothing begun; a new message inside another. */
static void
test_sequence_errors(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64];
	size_t			n;

	(void)state;
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 1, WS_OP_CONT, "x", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);

	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 0, WS_OP_TEXT, "x", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_FRAGMENT);
	n = client_frame(buf, 1, WS_OP_BINARY, "y", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);
}

/* Reserved bits and opcodes, and lengths not in their shortest form. */
static void
test_reserved(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64];
	size_t			n;
	int			op;

	(void)state;
	n = client_frame(buf, 1, WS_OP_TEXT, "x", 1);
	buf[0] |= 0x40;		/* RSV1: permessage-deflate, not agreed */
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);

	for (op = 3; op <= 0xf; op++) {
		if (op >= WS_OP_CLOSE && op <= WS_OP_PONG)
			continue;
		n = client_frame(buf, 1, op, "x", 1);
		ws_reader_init(&r, 1024, 1024, 1);
		assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
		assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
		ws_reader_free(&r);
	}

	/* 5 bytes given with a 16-bit length. */
	buf[0] = 0x81;
	buf[1] = 0x80 | 126;
	buf[2] = 0;
	buf[3] = 5;
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, 8, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);
}

/* Control frames: whole (FIN set) and at most 125 bytes. */
static void
test_control_rules(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[256], big[126];
	size_t			n;

	(void)state;
	memset(big, 'p', sizeof big);
	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 1, WS_OP_PING, big, 125);
	assert_int_equal(read_one(&r, buf, n, &m), WS_PING);
	assert_int_equal(m.len, 125);
	n = client_frame(buf, 1, WS_OP_PING, big, 126);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);

	ws_reader_init(&r, 1024, 1024, 1);
	n = client_frame(buf, 0, WS_OP_PING, "x", 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);
}

static void
test_close(void **state)
{
	struct ws_reader	r;
	struct ws_message	m;
	uint8_t			buf[64], p[WS_CONTROL_MAX];
	size_t			n, len;
	uint16_t		bad[] = { 999, 1004, 1005, 1006, 1015, 2000,
				    5000 };
	size_t			i;

	(void)state;
	/* A code and a reason, to be echoed. */
	len = ws_close_payload(p, 1001, "tab closed");
	n = client_frame(buf, 1, WS_OP_CLOSE, p, len);
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_CLOSE);
	assert_int_equal(m.code, 1001);
	assert_string_equal(m.reason, "tab closed");
	/* Nothing is read after a close. */
	n = client_frame(buf, 1, WS_OP_TEXT, "late", 4);
	assert_int_equal(read_one(&r, buf, n, &m), WS_MORE);
	ws_reader_free(&r);

	/* No code at all: the answer is 1000. */
	n = client_frame(buf, 1, WS_OP_CLOSE, "", 0);
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_CLOSE);
	assert_int_equal(m.code, WS_CLOSE_NORMAL);
	ws_reader_free(&r);

	/* One byte is no code. */
	n = client_frame(buf, 1, WS_OP_CLOSE, "\x03", 1);
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
	ws_reader_free(&r);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		len = ws_close_payload(p, bad[i], NULL);
		n = client_frame(buf, 1, WS_OP_CLOSE, p, len);
		ws_reader_init(&r, 1024, 1024, 1);
		assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
		assert_int_equal(m.code, WS_CLOSE_PROTOCOL);
		ws_reader_free(&r);
	}

	/* A reason that is not UTF-8. */
	p[0] = 0x03;
	p[1] = 0xe8;
	p[2] = 0xff;
	n = client_frame(buf, 1, WS_OP_CLOSE, p, 3);
	ws_reader_init(&r, 1024, 1024, 1);
	assert_int_equal(read_one(&r, buf, n, &m), WS_ERROR);
	assert_int_equal(m.code, WS_CLOSE_BAD_DATA);
	ws_reader_free(&r);
}

/* A long reason is cut to fit a control frame, never inside a character. */
static void
test_close_payload(void **state)
{
	uint8_t	p[WS_CONTROL_MAX];
	char	reason[300];
	size_t	len, i;

	(void)state;
	for (i = 0; i + 2 < sizeof reason; i += 2)
		memcpy(reason + i, "\xc3\xa9", 2);	/* é */
	reason[i] = '\0';
	len = ws_close_payload(p, 1009, reason);
	assert_true(len <= WS_CONTROL_MAX);
	assert_int_equal(p[0], 1009 >> 8);
	assert_int_equal(p[1], 1009 & 0xff);
	assert_int_equal((len - 2) % 2, 0);
	assert_int_equal(len, 124);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_rfc_unmasked),
		cmocka_unit_test(test_rfc_masked),
		cmocka_unit_test(test_rfc_fragmented),
		cmocka_unit_test(test_rfc_ping_pong),
		cmocka_unit_test(test_rfc_lengths),
		cmocka_unit_test(test_header_write),
		cmocka_unit_test(test_fragments_with_control),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_unmasked_refused),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_utf8_across_fragments),
		cmocka_unit_test(test_sequence_errors),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_control_rules),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_close_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
