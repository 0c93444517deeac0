/*
 * Unit tests for join tokens (lib/token.c): the HS256 example of RFC 7515
 * appendix A.1 as a known answer for the HMAC and the base64url codec, the
 * codec's refusals, a mint and verify round trip, and every refusal with
 * the reason a user reads: wrong name or room, expired, a tampered payload
 * or signature, alg none and HS512, bad base64url, a missing or mistyped
 * claim, another node's secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"
#include "xmalloc.h"

/* RFC 7515 A.1: the JWK "k" of the example's key, its parts, its MAC. */
#define RFC_KEY	"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKt" \
		"MN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
#define RFC_HEADER "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
#define RFC_PAYLOAD "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA" \
		"6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
#define RFC_SIG	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

#define NOW	1800000000LL	/* 2027-01-15T08:00:00Z */

static const uint8_t	secret[TOKEN_SECRET_LEN] =
    "0123456789abcdef0123456789abcde";
static const uint8_t	other[TOKEN_SECRET_LEN] =
    "another node's secret, 32 bytes";

static void	test_rfc7515_a1(void **);
static void	test_b64url_round_trip(void **);
static void	test_b64url_refused(void **);
static void	test_round_trip(void **);
static void	test_wrong_name(void **);
static void	test_wrong_room(void **);
static void	test_expired(void **);
static void	test_tampered_payload(void **);
static void	test_tampered_signature(void **);
static void	test_other_secret(void **);
static void	test_alg_none(void **);
static void	test_alg_hs512(void **);
static void	test_bad_b64url(void **);
static void	test_missing_claim(void **);
static void	test_mistyped_claims(void **);
static void	test_form(void **);
static void	test_order(void **);
static char	*mint(const char *, const char *, int64_t, int);
static char	*b64(const char *);
static char	*forge(const char *, const char *, const uint8_t *);
static void	refused(const char *, const char *, const char *,
		    const uint8_t *, const char *);

/* A token for room and name, issued at NOW, good for ttl seconds. */
static char *
mint(const char *room, const char *name, int64_t ttl, int host)
{
	struct token_claims	c;
	char			*t;

	memset(&c, 0, sizeof c);
	snprintf(c.room, sizeof c.room, "%s", room);
	snprintf(c.name, sizeof c.name, "%s", name);
	c.iat = NOW;
	c.exp = NOW + ttl;
	c.host = host;
	snprintf(c.iss, sizeof c.iss, "sha256:%064d", 0);
	t = token_mint(&c, secret, sizeof secret);
	assert_non_null(t);
	return t;
}

static char *
b64(const char *s)
{
	char	*e;

	e = token_b64url_encode((const uint8_t *)s, strlen(s));
	assert_non_null(e);
	return e;
}

/*
 * A token from a header and claims given as JSON text, signed with key
 * (whatever the header says), or with an empty signature when key is NULL.
 */
static char *
forge(const char *header, const char *claims, const uint8_t *key)
{
	char	*h = b64(header), *p = b64(claims), *input, *sig, *t;

	xasprintf(&input, "%s.%s", h, p);
	sig = key != NULL ? token_signature(input, strlen(input), key,
	    TOKEN_SECRET_LEN) : xstrdup("");
	assert_non_null(sig);
	xasprintf(&t, "%s.%s", input, sig);
	free(h);
	free(p);
	free(input);
	free(sig);
	return t;
}

/* token_verify must refuse t for room and name with exactly why. */
static void
refused(const char *t, const char *room, const char *name,
    const uint8_t *key, const char *why)
{
	struct token_claims	 c;
	char			*cause = NULL;

	assert_int_equal(token_verify(t, key, TOKEN_SECRET_LEN, NOW, room,
	    name, &c, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, why);
	free(cause);
}

/* The example's key, parts and MAC, computed here and compared. */
static void
test_rfc7515_a1(void **state)
{
	static const char	 header[] = "{\"typ\":\"JWT\",\r\n"
				     " \"alg\":\"HS256\"}";
	static const char	 payload[] = "{\"iss\":\"joe\",\r\n"
				     " \"exp\":1300819380,\r\n"
				     " \"http://example.com/is_root\":true}";
	uint8_t			*key;
	size_t			 keylen;
	char			*h, *p, *input, *sig;

	(void)state;
	key = token_b64url_decode(RFC_KEY, strlen(RFC_KEY), &keylen);
	assert_non_null(key);
	assert_int_equal(keylen, 64);
	h = b64(header);
	p = b64(payload);
	assert_string_equal(h, RFC_HEADER);
	assert_string_equal(p, RFC_PAYLOAD);
	xasprintf(&input, "%s.%s", h, p);
	sig = token_signature(input, strlen(input), key, keylen);
	assert_non_null(sig);
	assert_string_equal(sig, RFC_SIG);
	free(key);
	free(h);
	free(p);
	free(input);
	free(sig);
}

/* Every length, every byte value: decode(encode(x)) is x. */
static void
test_b64url_round_trip(void **state)
{
	uint8_t	 data[67], *back;
	char	*e;
	size_t	 len, i, n;

	(void)state;
	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 251 + 7);
	data[3] = 0xfb;		/* '+' and '/' in standard base64 */
	data[4] = 0xff;
	for (len = 0; len <= sizeof data; len++) {
		e = token_b64url_encode(data, len);
		assert_non_null(e);
		assert_int_equal(strlen(e), (len * 4 + 2) / 3);
		assert_null(strpbrk(e, "+/="));
		back = token_b64url_decode(e, strlen(e), &n);
		assert_non_null(back);
		assert_int_equal(n, len);
		assert_memory_equal(back, data, len);
		free(back);
		free(e);
	}
	e = token_b64url_encode((const uint8_t *)"\xfb\xff", 2);
	assert_string_equal(e, "-_8");
	free(e);
}

static void
test_b64url_refused(void **state)
{
	static const char *bad[] = {
		"ab+c",		/* the standard alphabet */
		"ab/c",
		"QQ==",		/* padding */
		"QQ=",
		"Q",		/* a length no encoding has */
		"QUJDR",
		"QU JD",	/* space, NUL, non-ASCII */
		"QU\nJD",
		"QUJ\xc3\xa9",
		"QR",		/* unused bits set: "QQ" spells it */
		"QUJ",		/* "QUI" spells it */
		NULL
	};
	uint8_t	*out;
	size_t	 n, i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		out = token_b64url_decode(bad[i], strlen(bad[i]), &n);
		if (out != NULL)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	out = token_b64url_decode("QUJDRA", 6, &n);
	assert_non_null(out);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "ABCD", 4);
	free(out);
	out = token_b64url_decode("", 0, &n);
	assert_non_null(out);
	assert_int_equal(n, 0);
	free(out);
}

static void
test_round_trip(void **state)
{
	struct token_claims	 c;
	char			*t, *cause = NULL;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	assert_int_equal(token_verify(t, secret, sizeof secret, NOW,
	    "standup", "bob", &c, &cause), 0);
	assert_null(cause);
	assert_string_equal(c.room, "standup");
	assert_string_equal(c.name, "bob");
	assert_int_equal(c.iat, NOW);
	assert_int_equal(c.exp, NOW + 3600);
	assert_int_equal(c.host, 0);
	assert_string_equal(c.iss, "sha256:" "0000000000000000000000000000000"
	    "000000000000000000000000000000000");
	/* Good until the last second before exp. */
	assert_int_equal(token_verify(t, secret, sizeof secret, NOW + 3599,
	    "standup", "bob", &c, &cause), 0);
	free(t);

	t = mint("standup", "carol", 60, 1);
	assert_int_equal(token_verify(t, secret, sizeof secret, NOW,
	    "standup", "carol", &c, &cause), 0);
	assert_int_equal(c.host, 1);
	free(t);
}

static void
test_wrong_name(void **state)
{
	char	*t;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	refused(t, "standup", "carol", secret,
	    "the token is for bob, not carol");
	free(t);
}

static void
test_wrong_room(void **state)
{
	char	*t;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	refused(t, "retro", "bob", secret,
	    "the token is for room standup, not retro");
	free(t);
}

static void
test_expired(void **state)
{
	struct token_claims	 c;
	char			*t, *cause = NULL;

	(void)state;
	t = mint("standup", "bob", 1, 0);
	assert_int_equal(token_verify(t, secret, sizeof secret, NOW + 1,
	    "standup", "bob", &c, &cause), -1);
	assert_string_equal(cause, "the token expired at 2027-01-15T08:00:01Z");
	free(cause);
	free(t);
	t = mint("standup", "bob", -7200, 0);
	refused(t, "standup", "bob", secret,
	    "the token expired at 2027-01-15T06:00:00Z");
	free(t);
}

/* The payload changed (another name), the signature kept. */
static void
test_tampered_payload(void **state)
{
	char	*t, *forged, *p, *dot1, *dot2;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	dot1 = strchr(t, '.');
	dot2 = strchr(dot1 + 1, '.');
	p = b64("{\"room\":\"standup\",\"name\":\"mallory\",\"iat\":1800000000,"
	    "\"exp\":1800003600,\"host\":true}");
	xasprintf(&forged, "%.*s.%s%s", (int)(dot1 - t), t, p, dot2);
	refused(forged, "standup", "mallory", secret,
	    "the signature does not verify: tampered, or made by another "
	    "node");
	free(forged);
	free(p);
	free(t);
}

/* One character of the signature changed, still canonical base64url. */
static void
test_tampered_signature(void **state)
{
	char	*t, *sig;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	sig = strrchr(t, '.') + 1;
	sig[5] = sig[5] == 'A' ? 'B' : 'A';
	refused(t, "standup", "bob", secret,
	    "the signature does not verify: tampered, or made by another "
	    "node");
	/* Cut short (6 whole bytes): not a 32-byte MAC. */
	sig[8] = '\0';
	refused(t, "standup", "bob", secret,
	    "the signature does not verify: tampered, or made by another "
	    "node");
	free(t);
}

static void
test_other_secret(void **state)
{
	char	*t;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	refused(t, "standup", "bob", other,
	    "the signature does not verify: tampered, or made by another "
	    "node");
	free(t);
}

static void
test_alg_none(void **state)
{
	static const char	 claims[] = "{\"room\":\"standup\",\"name\":"
				     "\"bob\",\"iat\":1800000000,\"exp\":"
				     "1800003600,\"host\":false}";
	char			*t;

	(void)state;
	t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims, NULL);
	refused(t, "standup", "bob", secret,
	    "the token names alg none (unsigned), not HS256");
	free(t);
	/* With the right MAC: the alg alone is refused. */
	t = forge("{\"alg\":\"none\"}", claims, secret);
	refused(t, "standup", "bob", secret,
	    "the token names alg none (unsigned), not HS256");
	free(t);
	t = forge("{\"typ\":\"JWT\"}", claims, secret);
	refused(t, "standup", "bob", secret,
	    "malformed token (its header names no alg)");
	free(t);
}

/* HS512 in the header, over an HS256 MAC that is right otherwise. */
static void
test_alg_hs512(void **state)
{
	char	*t, *forged, *h, *dot;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	dot = strchr(t, '.');
	h = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}");
	xasprintf(&forged, "%s%s", h, dot);
	refused(forged, "standup", "bob", secret,
	    "the token is signed with alg HS512, not HS256");
	free(forged);
	free(h);
	h = b64("{\"alg\":\"RS256\\u0000\"}");
	xasprintf(&forged, "%s%s", h, dot);
	refused(forged, "standup", "bob", secret,
	    "malformed token (its header is not a JSON object)");
	free(forged);
	free(h);
	h = b64("{\"alg\":\"HS256\\n\"}");
	xasprintf(&forged, "%s%s", h, dot);
	refused(forged, "standup", "bob", secret,
	    "the token names an unknown alg, not HS256");
	free(forged);
	free(h);
	free(t);
}

static void
test_bad_b64url(void **state)
{
	static const char	 alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			*t, *bad;
	size_t			 len;

	(void)state;
	t = mint("standup", "bob", 3600, 0);
	len = strlen(t);

	/* The standard alphabet's '+' where a '-' could be. */
	bad = xstrdup(t);
	bad[strchr(t, '.') - t + 3] = '+';
	refused(bad, "standup", "bob", secret,
	    "malformed token (its payload is not base64url)");
	free(bad);

	bad = xstrdup(t);
	bad[2] = '*';
	refused(bad, "standup", "bob", secret,
	    "malformed token (its header is not base64url)");
	free(bad);

	xasprintf(&bad, "%s=", t);
	refused(bad, "standup", "bob", secret,
	    "malformed token (its signature is not base64url)");
	free(bad);

	/*
	 * 32 bytes make 43 characters; the last holds 2 unused bits, zero
	 * in the one spelling: set the lowest.
	 */
	bad = xstrdup(t);
	bad[len - 1] = alphabet[(strchr(alphabet, bad[len - 1]) - alphabet) |
	    1];
	refused(bad, "standup", "bob", secret,
	    "malformed token (its signature is not base64url)");
	free(bad);
	free(t);
}

static void
test_missing_claim(void **state)
{
	static const char	*claims[][2] = {
		{ "{\"name\":\"bob\",\"iat\":1,\"exp\":1800003600,"
		    "\"host\":false}", "room is missing or not a name" },
		{ "{\"room\":\"standup\",\"iat\":1,\"exp\":1800003600,"
		    "\"host\":false}", "name is missing or not a name" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"host\":false}", "exp is missing or not an integer" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"exp\":1800003600,"
		    "\"host\":false}", "iat is missing or not an integer" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":1800003600}", "host is missing or not a boolean" },
		{ NULL, NULL }
	};
	char	*t, *why;
	size_t	 i;

	(void)state;
	for (i = 0; claims[i][0] != NULL; i++) {
		t = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims[i][0],
		    secret);
		xasprintf(&why, "malformed token (claim %s)", claims[i][1]);
		refused(t, "standup", "bob", secret, why);
		free(why);
		free(t);
	}
}

static void
test_mistyped_claims(void **state)
{
	static const char	*claims[][2] = {
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":\"1800003600\",\"host\":false}",
		    "claim exp is missing or not an integer" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":1800003600.5,\"host\":false}",
		    "claim exp is missing or not an integer" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":1800003600,\"host\":\"yes\"}",
		    "claim host is missing or not a boolean" },
		{ "{\"room\":\"stand up\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":1800003600,\"host\":false}",
		    "claim room is missing or not a name" },
		{ "{\"room\":\"standup\",\"name\":7,\"iat\":1,"
		    "\"exp\":1800003600,\"host\":false}",
		    "claim name is missing or not a name" },
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
		    "\"exp\":1800003600,\"host\":false,\"iss\":[]}",
		    "claim iss is not a string of at most 96 bytes" },
		/* Given twice: which one would count? */
		{ "{\"room\":\"standup\",\"name\":\"bob\",\"name\":\"eve\","
		    "\"iat\":1,\"exp\":1800003600,\"host\":false}",
		    "its payload is not a JSON object" },
		{ "[\"standup\",\"bob\"]", "its payload is not a JSON object" },
		{ "{\"room\":\"standup\"", "its payload is not a JSON object" },
		{ NULL, NULL }
	};
	char	*t, *why;
	size_t	 i;

	(void)state;
	for (i = 0; claims[i][0] != NULL; i++) {
		t = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims[i][0],
		    secret);
		xasprintf(&why, "malformed token (%s)", claims[i][1]);
		refused(t, "standup", "bob", secret, why);
		free(why);
		free(t);
	}
	t = forge("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
	    "{\"room\":\"standup\",\"name\":\"bob\",\"iat\":1,"
	    "\"exp\":1800003600,\"host\":false}", secret);
	refused(t, "standup", "bob", secret,
	    "malformed token (its header has crit extensions)");
	free(t);
}

/* Not three parts, or too long to read. */
static void
test_form(void **state)
{
	static const char	*bad[] = { "", "abc", "abc.def", "a.b.c.d",
				     "...", NULL };
	char			*t, *longer;
	size_t			 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		refused(bad[i], "standup", "bob", secret, "malformed token "
		    "(not three base64url parts separated by dots)");
	}
	refused("..", "standup", "bob", secret,
	    "malformed token (its header is not a JSON object)");
	t = mint("standup", "bob", 3600, 0);
	longer = xmalloc(TOKEN_MAX_LEN + 2);
	memset(longer, 'A', TOKEN_MAX_LEN + 1);
	longer[TOKEN_MAX_LEN + 1] = '\0';
	memcpy(longer, t, strlen(t));
	refused(longer, "standup", "bob", secret,
	    "malformed token (longer than 2048 bytes)");
	free(longer);
	free(t);
}

/* A token wrong in several ways names the first in the fixed order. */
static void
test_order(void **state)
{
	char	*t, *sig;

	(void)state;
	t = mint("standup", "bob", -10, 0);
	refused(t, "retro", "carol", secret,
	    "the token expired at 2027-01-15T07:59:50Z");
	free(t);
	t = mint("standup", "bob", 3600, 0);
	refused(t, "retro", "carol", secret,
	    "the token is for room standup, not retro");
	sig = strrchr(t, '.') + 1;
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	refused(t, "retro", "carol", secret,
	    "the signature does not verify: tampered, or made by another "
	    "node");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7515_a1),
		cmocka_unit_test(test_b64url_round_trip),
		cmocka_unit_test(test_b64url_refused),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_name),
		cmocka_unit_test(test_wrong_room),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_tampered_payload),
		cmocka_unit_test(test_tampered_signature),
		cmocka_unit_test(test_other_secret),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_alg_hs512),
		cmocka_unit_test(test_bad_b64url),
		cmocka_unit_test(test_missing_claim),
		cmocka_unit_test(test_mistyped_claims),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
