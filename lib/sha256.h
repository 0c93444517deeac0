/* SHA-256 of files and chunks, with OpenSSL's libcrypto. */
#ifndef MEET_SHA256_H
#define MEET_SHA256_H

#include <stddef.h>

#define SHA256_HEX	65	/* 64 hex digits and NUL */

struct sha256;

/* The caller owns the context and frees it with sha256_free. */
struct sha256	*sha256_new(void);
void		 sha256_update(struct sha256 *, const void *, size_t);
/* The digest as hex into buf (SHA256_HEX bytes); the context starts over. */
void		 sha256_hex(struct sha256 *, char *);
void		 sha256_free(struct sha256 *);

#endif
