/*
 * Join tokens: JSON Web Tokens (RFC 7519) signed with HS256 (RFC 7515),
 * which let a person into a room without the lobby or the password.
 */
#ifndef MEET_TOKEN_H
#define MEET_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define TOKEN_SECRET_LEN	32	/* the HS256 key a node derives */
#define TOKEN_MAX_LEN		2048	/* longer is refused unread */
#define TOKEN_ISS_MAX		96
#define TOKEN_TIME_LEN		24	/* "2026-11-21T08:55:08Z" */

/* What a token says: its claims. */
struct token_claims {
	char		room[NAME_MAX_LEN + 1];
	char		name[NAME_MAX_LEN + 1];
	int64_t		iat;		/* issued, seconds since the epoch */
	int64_t		exp;		/* expires, seconds since the epoch */
	int		host;		/* its holder is a co-host */
	char		iss[TOKEN_ISS_MAX + 1];	/* issuer, "" for none */
};

char	*token_mint(const struct token_claims *, const uint8_t *, size_t);
int	 token_verify(const char *, const uint8_t *, size_t, int64_t,
	    const char *, const char *, struct token_claims *, char **);
char	*token_signature(const char *, size_t, const uint8_t *, size_t);
char	*token_b64url_encode(const uint8_t *, size_t);
uint8_t	*token_b64url_decode(const char *, size_t, size_t *);
void	 token_time_iso(int64_t, char *);

#endif
