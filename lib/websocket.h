/*
 * The WebSocket protocol (RFC 6455) as a server speaks it: the opening
 * handshake's key and accept values, frame headers, and a reader that
 * turns a client's frames into messages, with every rule of the RFC a
 * server must enforce (masking, reserved bits and opcodes, control frames,
 * fragmentation, close codes, UTF-8 text) and limits on frame and message
 * sizes.  No extensions are offered, so none are accepted.
 */
#ifndef MEET_WEBSOCKET_H
#define MEET_WEBSOCKET_H

#include <stddef.h>
#include <stdint.h>

#define WS_OP_CONT	0x0
#define WS_OP_TEXT	0x1
#define WS_OP_BINARY	0x2
#define WS_OP_CLOSE	0x8
#define WS_OP_PING	0x9
#define WS_OP_PONG	0xa

/* Close codes (RFC 6455 7.4.1). */
#define WS_CLOSE_NORMAL		1000
#define WS_CLOSE_GOING_AWAY	1001
#define WS_CLOSE_PROTOCOL	1002
#define WS_CLOSE_UNSUPPORTED	1003
#define WS_CLOSE_NO_STATUS	1005	/* never sent */
#define WS_CLOSE_BAD_DATA	1007
#define WS_CLOSE_POLICY		1008
#define WS_CLOSE_TOO_BIG	1009
#define WS_CLOSE_INTERNAL	1011

#define WS_HEADER_MAX		14	/* 2, 8 of length, 4 of mask */
#define WS_CONTROL_MAX		125
#define WS_KEY_LEN		24	/* base64 of 16 bytes */
#define WS_ACCEPT_LEN		28	/* base64 of a SHA-1 */

struct ws_frame {
	int		 fin;
	int		 opcode;
	int		 masked;
	uint8_t		 mask[4];
	uint64_t	 length;	/* of the payload */
	size_t		 header;	/* bytes of the header */
};

/* Is this a client's Sec-WebSocket-Key: base64 of 16 bytes? */
int	ws_key_valid(const char *);
/* Sec-WebSocket-Accept for a key, into out (WS_ACCEPT_LEN + 1 bytes). */
int	ws_accept(const char *, char *);
/*
 * Read a frame header from data: its length (and *f) when whole, 0 when
 * more bytes are needed, -1 with a close code in *code and why in err
 * when it breaks the protocol.
 */
int	ws_frame_parse(const uint8_t *, size_t, struct ws_frame *,
	    uint16_t *, char *, size_t);
/* Unmask (or mask) len bytes that start at offset of the payload. */
void	ws_mask(uint8_t *, size_t, const uint8_t *, uint64_t);
/* A frame header into out (WS_HEADER_MAX bytes); mask NULL for none. */
size_t	ws_header_write(uint8_t *, int, int, uint64_t, const uint8_t *);
/*
 * A close frame's payload (a code and a reason, cut to fit a control
 * frame on a character boundary) into out (WS_CONTROL_MAX bytes).
 */
size_t	ws_close_payload(uint8_t *, uint16_t, const char *);

/*
 * The reader of one connection.  Feed it the bytes received so far; it
 * takes at most one frame a call and says what that frame completed.
 */
enum ws_event {
	WS_MORE,	/* a whole frame is not there yet */
	WS_FRAGMENT,	/* a part of a message: nothing to do yet */
	WS_MESSAGE,	/* a whole text or binary message */
	WS_PING,
	WS_PONG,
	WS_CLOSE,	/* the peer closes: answer with code, then close */
	WS_ERROR	/* close with code; the connection is done */
};

struct ws_message {
	int		 opcode;	/* text or binary; ping, pong */
	const uint8_t	*data;		/* valid until the next call */
	size_t		 len;
	uint16_t	 code;		/* WS_CLOSE, WS_ERROR: to answer */
	char		 reason[WS_CONTROL_MAX + 1];	/* close: theirs */
	char		 error[128];	/* WS_ERROR: why */
};

struct ws_reader {
	size_t		 max_frame;	/* of a payload */
	size_t		 max_message;	/* of a whole message */
	int		 require_mask;	/* a server's reader: 1 */
	int		 opcode;	/* of the message in progress, or 0 */
	uint8_t		*buf;		/* its fragments so far */
	size_t		 len;
	size_t		 size;
	int		 closed;	/* a close or an error was read */
};

void	ws_reader_init(struct ws_reader *, size_t, size_t, int);
void	ws_reader_free(struct ws_reader *);
/*
 * Take the next frame from data (len bytes): what it completed, and in
 * *used how many bytes it took (0 with WS_MORE).  The frame's payload is
 * unmasked in place, so data is writable.  After WS_CLOSE or WS_ERROR the
 * reader takes nothing more.
 */
enum ws_event ws_read(struct ws_reader *, uint8_t *, size_t, size_t *,
	    struct ws_message *);

#endif
