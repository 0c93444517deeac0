/*
 * The far end of a node link inside a fuzzer (link.c, peer.c): the other
 * node's TLS, driven without blocking while fuzz_daemon_settle runs the
 * daemon's loop, so that what a harness writes reaches the daemon as TLS
 * application data (meet's frames, not ciphertext); and the line mode
 * that turns "TYPE BODY" lines into frames, with values the daemon told
 * the harness put in their place.
 *
 *	ctx = fuzz_tls_ctx(server, seed);	once: a fixed key, or none
 *	fuzz_link_open(&l, fd, ctx, server);	ctx NULL: no TLS at all
 *	fuzz_link_handshake(&l);		0 once it is up
 *	fuzz_link_write(&l, p, len);		settles while it waits
 *	fuzz_link_read(&l, cb, arg);		cb for each whole frame
 *	fuzz_link_close(&l);
 */
#ifndef MEET_FUZZ_LINK_H
#define MEET_FUZZ_LINK_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define FUZZ_VARS	26	/* $A to $Z */
#define FUZZ_VAR_MAX	1024	/* a value (a join token), with its NUL */

struct fuzz_link {
	int		 fd;		/* -1: none */
	SSL		*ssl;		/* NULL: bytes as they are */
	int		 up;		/* TLS done, not closed */
	uint8_t		*buf;		/* read, until frames are whole */
	size_t		 len;
	size_t		 size;
};

/*
 * What a harness learnt from the daemon, for line mode: $L in a body is
 * the value of letter L ("" until learnt).  A chunk line "36 $DATA"
 * becomes a chunk of transfer xfer at the offset after what such lines
 * sent before, and $H is then the SHA-256 of all that data.
 */
struct fuzz_vars {
	char		 v[FUZZ_VARS][FUZZ_VAR_MAX];
	uint64_t	 xfer;
	uint8_t		*data;		/* sent in chunks of xfer */
	size_t		 datalen;
	size_t		 datasize;
};

/* A frame the daemon wrote: its type and body. */
typedef void (*fuzz_frame_cb)(struct fuzz_link *, int, const uint8_t *,
    size_t, void *);

SSL_CTX	*fuzz_tls_ctx(int, int);
void	 fuzz_link_open(struct fuzz_link *, int, SSL_CTX *, int);
int	 fuzz_link_handshake(struct fuzz_link *);
int	 fuzz_link_write(struct fuzz_link *, const void *, size_t);
int	 fuzz_link_read(struct fuzz_link *, fuzz_frame_cb, void *);
void	 fuzz_link_close(struct fuzz_link *);

size_t	 fuzz_frame_len(const uint8_t *, size_t);
uint8_t	*fuzz_line_frame(const uint8_t *, size_t, struct fuzz_vars *,
	    size_t *);
void	 fuzz_vars_set(struct fuzz_vars *, int, const char *);
void	 fuzz_vars_xfer(struct fuzz_vars *, uint64_t);
void	 fuzz_vars_clear(struct fuzz_vars *);

#endif
