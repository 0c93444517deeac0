/*
 * Fuzzing join tokens (lib/token.c) with a fixed secret.  The first byte
 * of an input chooses one of two ways to read the rest:
 *
 * even: a check.  Eight bytes of the time, a byte each for the lengths of
 *	the room and of the name a joiner gives, those bytes, and the rest
 *	is the token.  Whatever verifies must be what token_mint makes of
 *	its claims with the same secret (nobody else can make one), and must
 *	be for that room and name, unexpired.  The token is also fed to the
 *	base64url decoder, whose result must encode back to it.
 *
 * odd: a token made and then changed.  Eight bytes each of the time, iat
 *	and exp, a byte whose low bit is host, the lengths and bytes of
 *	room, name and iss, then edits of three bytes each (what, where,
 *	which byte) applied one after the other.  The token minted from
 *	those claims must verify, with the same claims, exactly when they
 *	are claims a token may have; not under a secret one byte away; and
 *	after each edit, never, unless the edits so far gave the token back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "token.h"
#include "xmalloc.h"

#define TOKEN_FUZZ_EDITS	16

/* Any 32 bytes: the node's real one comes from its key (cmd-token.c). */
static const uint8_t	token_secret[TOKEN_SECRET_LEN] =
    "meet fuzz: a fixed token secret";

static void	token_check(struct fuzz_input *);
static void	token_change(struct fuzz_input *);
static void	token_string(struct fuzz_input *, char *, size_t);
static int	token_claims_equal(const struct token_claims *,
		    const struct token_claims *);
static int	token_verifies(const char *, const uint8_t *, int64_t,
		    const char *, const char *, struct token_claims *);
static char	*token_edit(const char *, uint8_t, uint16_t, uint8_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* A string of up to size - 1 bytes: a length byte, then the bytes. */
static void
token_string(struct fuzz_input *in, char *buf, size_t size)
{
	const uint8_t	*p;
	size_t		 len;

	p = fuzz_bytes(in, fuzz_u8(in), &len);
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
}

static int
token_claims_equal(const struct token_claims *a, const struct token_claims *b)
{
	return strcmp(a->room, b->room) == 0 &&
	    strcmp(a->name, b->name) == 0 && a->iat == b->iat &&
	    a->exp == b->exp && (a->host != 0) == (b->host != 0) &&
	    strcmp(a->iss, b->iss) == 0;
}

/*
 * token_verify, with what it promises either way: a reason when it
 * refuses, none when it takes the token.  1 when it takes it.
 */
static int
token_verifies(const char *token, const uint8_t *secret, int64_t now,
    const char *room, const char *name, struct token_claims *c)
{
	char	*cause;

	if (token_verify(token, secret, TOKEN_SECRET_LEN, now, room, name, c,
	    &cause) != 0) {
		if (cause == NULL || *cause == '\0')
			abort();
		free(cause);
		return 0;
	}
	if (cause != NULL)
		abort();
	return 1;
}

static void
token_check(struct fuzz_input *in)
{
	struct token_claims	 c;
	char			 room[256], name[256], *token, *again;
	uint8_t			*raw;
	size_t			 len, rawlen;
	int64_t			 now;

	now = (int64_t)((uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in));
	token_string(in, room, sizeof room);
	token_string(in, name, sizeof name);
	token = xmalloc(in->left + 1);
	memcpy(token, in->p, in->left);
	token[in->left] = '\0';		/* a NUL in it ends it, as in JSON */

	if (token_verifies(token, token_secret, now, room, name, &c)) {
		if (strcmp(c.room, room) != 0 || strcmp(c.name, name) != 0 ||
		    c.exp <= now)
			abort();
		again = token_mint(&c, token_secret, sizeof token_secret);
		if (again == NULL || strcmp(again, token) != 0)
			abort();
		free(again);
	}

	len = strlen(token);
	if ((raw = token_b64url_decode(token, len, &rawlen)) != NULL) {
		again = token_b64url_encode(raw, rawlen);
		if (again == NULL || strcmp(again, token) != 0 ||
		    raw[rawlen] != '\0')
			abort();
		free(again);
		free(raw);
	}
	/* And any bytes through the encoder come back from the decoder. */
	if ((again = token_b64url_encode((const uint8_t *)token, len)) == NULL)
		abort();
	raw = token_b64url_decode(again, strlen(again), &rawlen);
	if (raw == NULL || rawlen != len || memcmp(raw, token, len) != 0)
		abort();
	free(raw);
	free(again);
	free(token);
}

/*
 * One edit of a token: what % 5 says which (a byte replaced, inserted,
 * removed, the string cut, two bytes swapped), at where % its length.
 */
static char *
token_edit(const char *t, uint8_t what, uint16_t where, uint8_t byte)
{
	size_t	 len = strlen(t), at;
	char	*s, c;

	s = xmalloc(len + 2);
	memcpy(s, t, len + 1);
	at = len > 0 ? where % len : 0;
	switch (what % 5) {
	case 0:
		if (len > 0)
			s[at] = (char)byte;
		break;
	case 1:
		memmove(s + at + 1, s + at, len - at + 1);
		s[at] = (char)byte;
		break;
	case 2:
		if (len > 0)
			memmove(s + at, s + at + 1, len - at);
		break;
	case 3:
		s[at] = '\0';
		break;
	case 4:
		if (len > 0) {
			c = s[at];
			s[at] = s[(at + byte) % len];
			s[(at + byte) % len] = c;
		}
		break;
	}
	return s;
}

static void
token_change(struct fuzz_input *in)
{
	struct token_claims	 c, back;
	uint8_t			 other[TOKEN_SECRET_LEN], what, byte;
	uint16_t		 where;
	char			*token, *changed, *edited;
	int64_t			 now;
	int			 good, i;

	memset(&c, 0, sizeof c);
	now = (int64_t)((uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in));
	c.iat = (int64_t)((uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in));
	c.exp = (int64_t)((uint64_t)fuzz_u32(in) << 32 | fuzz_u32(in));
	c.host = fuzz_u8(in) & 1;
	token_string(in, c.room, sizeof c.room);
	token_string(in, c.name, sizeof c.name);
	token_string(in, c.iss, sizeof c.iss);

	/* Claims the token may carry; jansson takes only UTF-8 for iss. */
	good = name_valid(c.room) == 0 && name_valid(c.name) == 0 &&
	    utf8_valid(c.iss, strlen(c.iss)) == 0 && c.exp > now;
	if ((token = token_mint(&c, token_secret, sizeof token_secret)) ==
	    NULL) {
		if (good)
			abort();
		return;
	}
	if (token_verifies(token, token_secret, now, c.room, c.name,
	    &back) != good)
		abort();
	if (good && !token_claims_equal(&c, &back))
		abort();

	memcpy(other, token_secret, sizeof other);
	other[fuzz_u8(in) % sizeof other] ^= 1 << (fuzz_u8(in) % 8);
	if (token_verifies(token, other, now, c.room, c.name, &back))
		abort();

	changed = xstrdup(token);
	for (i = 0; i < TOKEN_FUZZ_EDITS && in->left > 0; i++) {
		what = fuzz_u8(in);
		where = fuzz_u16(in);
		byte = fuzz_u8(in);
		edited = token_edit(changed, what, where, byte);
		free(changed);
		changed = edited;	/* the next edit changes this one */
		if (strcmp(changed, token) != 0 && token_verifies(changed,
		    token_secret, now, c.room, c.name, &back))
			abort();
	}
	free(changed);
	free(token);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	in;

	fuzz_input_init(&in, data, size);
	if (fuzz_u8(&in) & 1)
		token_change(&in);
	else
		token_check(&in);
	return 0;
}
