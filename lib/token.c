/*
 * Join tokens: minting and checking JSON Web Tokens signed with HS256.
 *
 * A token is three base64url parts (RFC 7515 compact serialization): the
 * header {"alg":"HS256","typ":"JWT"}, the claims (room, name, iat, exp,
 * host, iss) and an HMAC-SHA256 of the first two under a secret only the
 * issuing node holds.  Nothing here does I/O or knows the daemon: the
 * caller passes the secret and the time, so the checks can be tested alone.
 *
 * Tokens come from anyone who can reach a node, so verification trusts
 * nothing before the signature: the length is bounded first, the base64url
 * must be canonical, the JSON must hold each claim once with its type, and
 * any alg other than HS256 ("none" included) is refused before a MAC is
 * computed.  Each refusal says what was wrong in words a user can act on.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "token.h"
#include "xmalloc.h"

#define TOKEN_MAC_LEN	32	/* HMAC-SHA256 */

static int	 token_hmac(const char *, size_t, const uint8_t *, size_t,
		    uint8_t *);
static int	 token_b64url_char(int);
static json_t	*token_part(const char *, size_t, const char *, char **);
static int	 token_claims_read(json_t *, struct token_claims *, char **);
static int	 token_claim_name(json_t *, const char *, char *, char **);
static int	 token_claim_int(json_t *, const char *, int64_t *, char **);
static void	 token_alg_refused(json_t *, char **);

/* HMAC-SHA256 of data under key into mac (TOKEN_MAC_LEN bytes). */
static int
token_hmac(const char *data, size_t len, const uint8_t *key, size_t keylen,
    uint8_t *mac)
{
	unsigned int	maclen = 0;

	if (keylen > INT_MAX)
		return -1;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	    len, mac, &maclen) == NULL || maclen != TOKEN_MAC_LEN)
		return -1;
	return 0;
}

/*
 * base64url (RFC 4648 section 5) without padding, as JWS wants it; the
 * caller frees.  NULL only for an input too long for EVP_EncodeBlock.
 */
char *
token_b64url_encode(const uint8_t *data, size_t len)
{
	char	*s;
	size_t	 i, n;

	if (len > (size_t)INT_MAX / 4 * 3 - 3)
		return NULL;
	s = xmalloc(4 * ((len + 2) / 3) + 1);
	n = (size_t)EVP_EncodeBlock((unsigned char *)s, data, (int)len);
	while (n > 0 && s[n - 1] == '=')
		n--;
	s[n] = '\0';
	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			s[i] = '-';
		else if (s[i] == '/')
			s[i] = '_';
	}
	return s;
}

/* The standard base64 character for a base64url one, or -1. */
static int
token_b64url_char(int c)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return c;
	if (c == '-')
		return '+';
	if (c == '_')
		return '/';
	return -1;
}

/*
 * Decode len bytes of unpadded base64url; the caller frees the result,
 * which holds *outlen bytes and a NUL after them.  NULL for a character
 * outside the alphabet, padding, a length no encoding has, or a last
 * character whose unused bits are not zero: a token has one spelling, so
 * a changed one is never taken for the original.
 */
uint8_t *
token_b64url_decode(const char *s, size_t len, size_t *outlen)
{
	char	*std, *again;
	uint8_t	*out;
	size_t	 i, pad;
	int	 c, n;

	if (len % 4 == 1 || len > (size_t)INT_MAX - 3)
		return NULL;
	pad = (4 - len % 4) % 4;
	std = xmalloc(len + pad + 1);
	for (i = 0; i < len; i++) {
		if ((c = token_b64url_char((unsigned char)s[i])) == -1) {
			free(std);
			return NULL;
		}
		std[i] = (char)c;
	}
	memset(std + len, '=', pad);
	std[len + pad] = '\0';
	out = xmalloc((len + pad) / 4 * 3 + 1);
	n = EVP_DecodeBlock(out, (unsigned char *)std, (int)(len + pad));
	free(std);
	if (n < 0 || (size_t)n < pad) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)n - pad;
	out[*outlen] = '\0';

	/* EVP_DecodeBlock ignores the unused low bits: re-encode to see. */
	again = token_b64url_encode(out, *outlen);
	if (again == NULL || strlen(again) != len ||
	    memcmp(again, s, len) != 0) {
		free(again);
		free(out);
		return NULL;
	}
	free(again);
	return out;
}

/* The base64url HMAC-SHA256 of a signing input; the caller frees. */
char *
token_signature(const char *input, size_t len, const uint8_t *secret,
    size_t secretlen)
{
	uint8_t	mac[TOKEN_MAC_LEN];
	char	*s;

	if (token_hmac(input, len, secret, secretlen, mac) != 0)
		return NULL;
	s = token_b64url_encode(mac, sizeof mac);
	OPENSSL_cleanse(mac, sizeof mac);
	return s;
}

/* "2026-11-21T08:55:08Z" (UTC) into buf, TOKEN_TIME_LEN bytes. */
void
token_time_iso(int64_t t, char *buf)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, TOKEN_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, TOKEN_TIME_LEN, "%lld", (long long)t);
}

/* A token for the claims, signed with secret; the caller frees. */
char *
token_mint(const struct token_claims *c, const uint8_t *secret,
    size_t secretlen)
{
	json_t	*header, *claims;
	char	*h, *p, *hb = NULL, *pb = NULL, *input = NULL, *sig = NULL;
	char	*token = NULL;

	header = json_pack("{s:s,s:s}", "alg", "HS256", "typ", "JWT");
	claims = json_pack("{s:s,s:s,s:I,s:I,s:b}", "room", c->room, "name",
	    c->name, "iat", (json_int_t)c->iat, "exp", (json_int_t)c->exp,
	    "host", c->host);
	/*
	 * An iss jansson will not take (not UTF-8) fails the mint: a token
	 * without the claim asked for would verify as another one.
	 */
	if (claims != NULL && c->iss[0] != '\0' &&
	    json_object_set_new(claims, "iss", json_string(c->iss)) != 0) {
		json_decref(claims);
		claims = NULL;
	}
	h = header != NULL ? json_dumps(header, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	p = claims != NULL ? json_dumps(claims, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(header);
	json_decref(claims);
	if (h == NULL || p == NULL)
		goto out;
	hb = token_b64url_encode((const uint8_t *)h, strlen(h));
	pb = token_b64url_encode((const uint8_t *)p, strlen(p));
	if (hb == NULL || pb == NULL)
		goto out;
	xasprintf(&input, "%s.%s", hb, pb);
	if ((sig = token_signature(input, strlen(input), secret,
	    secretlen)) == NULL)
		goto out;
	xasprintf(&token, "%s.%s", input, sig);

out:
	free(h);
	free(p);
	free(hb);
	free(pb);
	free(input);
	free(sig);
	return token;
}

/* Decode one base64url part holding a JSON object; the caller owns it. */
static json_t *
token_part(const char *s, size_t len, const char *what, char **cause)
{
	json_t	*o;
	uint8_t	*raw;
	size_t	 rawlen;

	if ((raw = token_b64url_decode(s, len, &rawlen)) == NULL) {
		xasprintf(cause, "malformed token (its %s is not base64url)",
		    what);
		return NULL;
	}
	/* A claim given twice could be read two ways: refuse it. */
	o = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES,
	    NULL);
	free(raw);
	if (!json_is_object(o)) {
		json_decref(o);
		xasprintf(cause, "malformed token (its %s is not a JSON "
		    "object)", what);
		return NULL;
	}
	return o;
}

/* A claim that must be a valid room or participant name. */
static int
token_claim_name(json_t *claims, const char *key, char *out, char **cause)
{
	const char	*s;

	s = json_string_value(json_object_get(claims, key));
	if (s == NULL || name_valid(s) != 0) {
		xasprintf(cause, "malformed token (claim %s is missing or not "
		    "a name)", key);
		return -1;
	}
	snprintf(out, NAME_MAX_LEN + 1, "%s", s);
	return 0;
}

static int
token_claim_int(json_t *claims, const char *key, int64_t *out, char **cause)
{
	json_t	*v = json_object_get(claims, key);

	if (!json_is_integer(v)) {
		xasprintf(cause, "malformed token (claim %s is missing or not "
		    "an integer)", key);
		return -1;
	}
	*out = (int64_t)json_integer_value(v);
	return 0;
}

static int
token_claims_read(json_t *claims, struct token_claims *c, char **cause)
{
	json_t		*v;
	const char	*s;

	memset(c, 0, sizeof *c);
	if (token_claim_name(claims, "room", c->room, cause) != 0 ||
	    token_claim_name(claims, "name", c->name, cause) != 0 ||
	    token_claim_int(claims, "iat", &c->iat, cause) != 0 ||
	    token_claim_int(claims, "exp", &c->exp, cause) != 0)
		return -1;
	v = json_object_get(claims, "host");
	if (!json_is_boolean(v)) {
		xasprintf(cause, "malformed token (claim host is missing or "
		    "not a boolean)");
		return -1;
	}
	c->host = json_is_true(v);
	if ((v = json_object_get(claims, "iss")) != NULL) {
		s = json_string_value(v);
		if (s == NULL || strlen(s) > TOKEN_ISS_MAX) {
			xasprintf(cause, "malformed token (claim iss is not a "
			    "string of at most %d bytes)", TOKEN_ISS_MAX);
			return -1;
		}
		snprintf(c->iss, sizeof c->iss, "%s", s);
	}
	return 0;
}

/*
 * The header names an alg other than HS256: say which, when it is short
 * and printable (it came from whoever made the token).
 */
static void
token_alg_refused(json_t *alg, char **cause)
{
	const char	*s = json_string_value(alg);
	size_t		 i, len;

	if (s == NULL) {
		xasprintf(cause, "malformed token (its header names no alg)");
		return;
	}
	if (strcmp(s, "none") == 0) {
		xasprintf(cause, "the token names alg none (unsigned), not "
		    "HS256");
		return;
	}
	len = strlen(s);
	for (i = 0; i < len && len <= 16; i++) {
		if (s[i] <= ' ' || s[i] > '~')
			break;
	}
	if (len == 0 || len > 16 || i != len)
		xasprintf(cause, "the token names an unknown alg, not HS256");
	else
		xasprintf(cause, "the token is signed with alg %s, not HS256",
		    s);
}

/*
 * Check a token for joining room as name at time now (seconds since the
 * epoch), with the secret that signed it.  0 with its claims in *c, or -1
 * with the reason in *cause (the caller frees).  The checks run in a fixed
 * order, so a token wrong in several ways names the first: its form, its
 * alg, its signature, its expiry, its room, its name.
 */
int
token_verify(const char *token, const uint8_t *secret, size_t secretlen,
    int64_t now, const char *room, const char *name, struct token_claims *c,
    char **cause)
{
	const char	*dot1, *dot2;
	json_t		*header = NULL, *claims = NULL, *alg;
	uint8_t		*sig = NULL, mac[TOKEN_MAC_LEN];
	size_t		 len, siglen;
	char		 when[TOKEN_TIME_LEN];
	int		 r = -1;

	*cause = NULL;
	len = strlen(token);
	if (len > TOKEN_MAX_LEN) {
		xasprintf(cause, "malformed token (longer than %d bytes)",
		    TOKEN_MAX_LEN);
		return -1;
	}
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL) {
		xasprintf(cause, "malformed token (not three base64url parts "
		    "separated by dots)");
		return -1;
	}
	if ((header = token_part(token, (size_t)(dot1 - token), "header",
	    cause)) == NULL)
		goto out;
	if ((claims = token_part(dot1 + 1, (size_t)(dot2 - dot1 - 1),
	    "payload", cause)) == NULL)
		goto out;
	if ((sig = token_b64url_decode(dot2 + 1, strlen(dot2 + 1),
	    &siglen)) == NULL) {
		xasprintf(cause, "malformed token (its signature is not "
		    "base64url)");
		goto out;
	}
	if (token_claims_read(claims, c, cause) != 0)
		goto out;

	/* RFC 7515 4.1.11: extensions a verifier does not know are fatal. */
	if (json_object_get(header, "crit") != NULL) {
		xasprintf(cause, "malformed token (its header has crit "
		    "extensions)");
		goto out;
	}
	alg = json_object_get(header, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg),
	    "HS256") != 0) {
		token_alg_refused(alg, cause);
		goto out;
	}

	if (token_hmac(token, (size_t)(dot2 - token), secret, secretlen,
	    mac) != 0) {
		xasprintf(cause, "the signature could not be computed");
		goto out;
	}
	if (siglen != sizeof mac || CRYPTO_memcmp(sig, mac, sizeof mac) != 0) {
		xasprintf(cause, "the signature does not verify: tampered, "
		    "or made by another node");
		goto out;
	}

	if (c->exp <= now) {
		token_time_iso(c->exp, when);
		xasprintf(cause, "the token expired at %s", when);
		goto out;
	}
	if (strcmp(c->room, room) != 0) {
		xasprintf(cause, "the token is for room %s, not %s", c->room,
		    room);
		goto out;
	}
	if (strcmp(c->name, name) != 0) {
		xasprintf(cause, "the token is for %s, not %s", c->name, name);
		goto out;
	}
	r = 0;

out:
	OPENSSL_cleanse(mac, sizeof mac);
	free(sig);
	json_decref(header);
	json_decref(claims);
	return r;
}
