/*
 * RFC 6455 for meetd's browser participants: the server's half of the
 * opening handshake, frame headers, and a reader that assembles messages
 * from a client's frames and refuses, with the close code the RFC names,
 * everything a client must not send.  Libevent 2.1 has no WebSocket and
 * Debian's libwebsockets is built without libevent, so this small layer
 * lives on meetd's own bufferevents (meetd/web.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "text.h"
#include "websocket.h"
#include "xmalloc.h"

#define WS_GUID	"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

static int		ws_fail(uint16_t *, char *, size_t, uint16_t,
			    const char *);
static int		ws_close_code_valid(uint16_t);
static enum ws_event	ws_error(struct ws_reader *, struct ws_message *,
			    uint16_t, const char *);
static enum ws_event	ws_complete(struct ws_reader *, struct ws_message *,
			    int, const uint8_t *, size_t);
static enum ws_event	ws_control(struct ws_reader *, const struct ws_frame *,
			    const uint8_t *, struct ws_message *);

int
ws_key_valid(const char *key)
{
	static const char	 b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t			 i;

	if (key == NULL || strlen(key) != WS_KEY_LEN)
		return 0;
	for (i = 0; i < WS_KEY_LEN - 2; i++) {
		if (strchr(b64, key[i]) == NULL)
			return 0;
	}
	return key[22] == '=' && key[23] == '=';
}

int
ws_accept(const char *key, char *out)
{
	char		 buf[WS_KEY_LEN + sizeof WS_GUID];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;

	if (!ws_key_valid(key))
		return -1;
	snprintf(buf, sizeof buf, "%s%s", key, WS_GUID);
	if (EVP_Digest(buf, strlen(buf), md, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != 20)
		return -1;
	if (EVP_EncodeBlock((unsigned char *)out, md, 20) != WS_ACCEPT_LEN)
		return -1;
	return 0;
}

static int
ws_fail(uint16_t *code, char *err, size_t errlen, uint16_t c,
    const char *why)
{
	*code = c;
	snprintf(err, errlen, "%s", why);
	return -1;
}

int
ws_frame_parse(const uint8_t *p, size_t len, struct ws_frame *f,
    uint16_t *code, char *err, size_t errlen)
{
	uint64_t	l;
	size_t		n = 2;
	int		i;

	if (len < 2)
		return 0;
	memset(f, 0, sizeof *f);
	f->fin = p[0] >> 7;
	f->opcode = p[0] & 0x0f;
	f->masked = p[1] >> 7;
	if (p[0] & 0x70)
		return ws_fail(code, err, errlen, WS_CLOSE_PROTOCOL,
		    "reserved bits set, and no extension was agreed");
	switch (f->opcode) {
	case WS_OP_CONT:
	case WS_OP_TEXT:
	case WS_OP_BINARY:
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		break;
	default:
		return ws_fail(code, err, errlen, WS_CLOSE_PROTOCOL,
		    "reserved opcode");
	}
	l = p[1] & 0x7f;
	if (l == 126) {
		if (len < 4)
			return 0;
		l = (uint64_t)p[2] << 8 | p[3];
		n = 4;
		if (l < 126)
			return ws_fail(code, err, errlen, WS_CLOSE_PROTOCOL,
			    "length not in its shortest form");
	} else if (l == 127) {
		if (len < 10)
			return 0;
		for (l = 0, i = 2; i < 10; i++)
			l = l << 8 | p[i];
		n = 10;
		if (l >> 63)
			return ws_fail(code, err, errlen, WS_CLOSE_PROTOCOL,
			    "length has its top bit set");
		if (l <= 0xffff)
			return ws_fail(code, err, errlen, WS_CLOSE_PROTOCOL,
			    "length not in its shortest form");
	}
	if (f->masked) {
		if (len < n + 4)
			return 0;
		memcpy(f->mask, p + n, 4);
		n += 4;
	}
	f->length = l;
	f->header = n;
	return (int)n;
}

void
ws_mask(uint8_t *p, size_t len, const uint8_t *mask, uint64_t offset)
{
	size_t	i;

	for (i = 0; i < len; i++)
		p[i] ^= mask[(offset + i) & 3];
}

size_t
ws_header_write(uint8_t *out, int fin, int opcode, uint64_t len,
    const uint8_t *mask)
{
	size_t	n;
	int	i;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
	if (len < 126) {
		out[1] = (uint8_t)len;
		n = 2;
	} else if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		n = 4;
	} else {
		out[1] = 127;
		for (i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask != NULL) {
		out[1] |= 0x80;
		memcpy(out + n, mask, 4);
		n += 4;
	}
	return n;
}

size_t
ws_close_payload(uint8_t *out, uint16_t code, const char *reason)
{
	size_t	len = reason != NULL ? strlen(reason) : 0;

	if (len > WS_CONTROL_MAX - 2)
		len = WS_CONTROL_MAX - 2;
	/* Cut on a character boundary: the reason must stay UTF-8. */
	while (len > 0 && utf8_valid(reason, len) != 0)
		len--;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	if (len > 0)
		memcpy(out + 2, reason, len);
	return len + 2;
}

/* May a peer send this code (RFC 6455 7.4.1, 7.4.2)? */
static int
ws_close_code_valid(uint16_t code)
{
	if (code >= 3000 && code <= 4999)
		return 1;
	if (code >= 1000 && code <= 1003)
		return 1;
	return code >= 1007 && code <= 1014;
}

void
ws_reader_init(struct ws_reader *r, size_t max_frame, size_t max_message,
    int require_mask)
{
	memset(r, 0, sizeof *r);
	r->max_frame = max_frame;
	r->max_message = max_message;
	r->require_mask = require_mask;
}

void
ws_reader_free(struct ws_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->size = 0;
	r->opcode = 0;
}

static enum ws_event
ws_error(struct ws_reader *r, struct ws_message *m, uint16_t code,
    const char *why)
{
	r->closed = 1;
	m->code = code;
	snprintf(m->error, sizeof m->error, "%s", why);
	return WS_ERROR;
}

/* A whole message: text must be UTF-8 as a whole (RFC 6455 8.1). */
static enum ws_event
ws_complete(struct ws_reader *r, struct ws_message *m, int opcode,
    const uint8_t *data, size_t len)
{
	if (opcode == WS_OP_TEXT && utf8_valid((const char *)data, len) != 0)
		return ws_error(r, m, WS_CLOSE_BAD_DATA,
		    "text message is not UTF-8");
	m->opcode = opcode;
	m->data = data;
	m->len = len;
	return WS_MESSAGE;
}

static enum ws_event
ws_control(struct ws_reader *r, const struct ws_frame *f,
    const uint8_t *payload, struct ws_message *m)
{
	size_t		len = (size_t)f->length;
	uint16_t	code;

	m->opcode = f->opcode;
	m->data = payload;
	m->len = len;
	if (f->opcode == WS_OP_PING)
		return WS_PING;
	if (f->opcode == WS_OP_PONG)
		return WS_PONG;
	/* A close: its code (if any) and reason are checked, then echoed. */
	if (len == 1)
		return ws_error(r, m, WS_CLOSE_PROTOCOL,
		    "close frame of one byte");
	r->closed = 1;
	if (len == 0) {
		m->code = WS_CLOSE_NORMAL;
		return WS_CLOSE;
	}
	code = (uint16_t)(payload[0] << 8 | payload[1]);
	if (!ws_close_code_valid(code))
		return ws_error(r, m, WS_CLOSE_PROTOCOL,
		    "close code a peer may not send");
	if (utf8_valid((const char *)payload + 2, len - 2) != 0)
		return ws_error(r, m, WS_CLOSE_BAD_DATA,
		    "close reason is not UTF-8");
	memcpy(m->reason, payload + 2, len - 2);
	m->reason[len - 2] = '\0';
	m->code = code;
	return WS_CLOSE;
}

enum ws_event
ws_read(struct ws_reader *r, uint8_t *data, size_t len, size_t *used,
    struct ws_message *m)
{
	struct ws_frame	 f;
	uint8_t		*payload;
	size_t		 plen;
	char		 err[128];
	uint16_t	 code;
	int		 n;

	*used = 0;
	memset(m, 0, sizeof *m);
	if (r->closed)
		return WS_MORE;
	if ((n = ws_frame_parse(data, len, &f, &code, err, sizeof err)) < 0)
		return ws_error(r, m, code, err);
	if (n == 0)
		return WS_MORE;
	/* The limits hold at the header, before the payload costs memory. */
	if (r->require_mask && !f.masked)
		return ws_error(r, m, WS_CLOSE_PROTOCOL,
		    "client frame is not masked");
	if (!r->require_mask && f.masked)
		return ws_error(r, m, WS_CLOSE_PROTOCOL,
		    "server frame is masked");
	if (f.opcode & 0x8) {
		if (!f.fin)
			return ws_error(r, m, WS_CLOSE_PROTOCOL,
			    "fragmented control frame");
		if (f.length > WS_CONTROL_MAX)
			return ws_error(r, m, WS_CLOSE_PROTOCOL,
			    "control frame over 125 bytes");
	} else {
		if (f.length > r->max_frame)
			return ws_error(r, m, WS_CLOSE_TOO_BIG,
			    "frame over the size limit");
		if (f.opcode == WS_OP_CONT && r->opcode == 0)
			return ws_error(r, m, WS_CLOSE_PROTOCOL,
			    "continuation frame with no message begun");
		if (f.opcode != WS_OP_CONT && r->opcode != 0)
			return ws_error(r, m, WS_CLOSE_PROTOCOL,
			    "new message before the last one ended");
		if ((f.opcode == WS_OP_CONT ? r->len : 0) + f.length >
		    r->max_message)
			return ws_error(r, m, WS_CLOSE_TOO_BIG,
			    "message over the size limit");
	}
	if (len - (size_t)n < f.length)
		return WS_MORE;
	payload = data + n;
	plen = (size_t)f.length;
	if (f.masked)
		ws_mask(payload, plen, f.mask, 0);
	*used = (size_t)n + plen;

	if (f.opcode & 0x8)
		return ws_control(r, &f, payload, m);
	if (f.opcode != WS_OP_CONT && f.fin)
		return ws_complete(r, m, f.opcode, payload, plen);
	if (f.opcode != WS_OP_CONT) {
		r->opcode = f.opcode;
		r->len = 0;
	}
	if (r->len + plen > r->size) {
		r->size = r->len + plen;
		r->buf = xreallocarray(r->buf, 1, r->size > 0 ? r->size : 1);
	}
	if (plen > 0)
		memcpy(r->buf + r->len, payload, plen);
	r->len += plen;
	if (!f.fin)
		return WS_FRAGMENT;
	n = r->opcode;
	r->opcode = 0;
	plen = r->len;
	r->len = 0;
	return ws_complete(r, m, n, r->buf, plen);
}
