/*
 * Unit tests for the wire framing (lib/frame.c): header checks (magic, type
 * 1 to 63, zero flags, a big-endian length up to FRAME_MAX), JSON bodies
 * (objects only, empty is {}, duplicate keys refused) and frame_pack and
 * frame_header_pack read back by the parsers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "frame.h"

static void	test_header_good(void **);
static void	test_header_magic(void **);
static void	test_header_type(void **);
static void	test_header_flags(void **);
static void	test_header_length(void **);
static void	test_body_good(void **);
static void	test_body_not_object(void **);
static void	test_body_bad_json(void **);
static void	test_body_duplicates(void **);
static void	test_header_pack(void **);
static void	test_pack_round_trip(void **);
static void	test_pack_empty(void **);
static void	test_pack_limit(void **);
static void	header_set(uint8_t *, uint8_t, uint8_t, uint8_t, uint8_t,
		    uint32_t);
static void	header_refused(const uint8_t *, const char *);
static void	body_refused(const char *, const char *);
static json_t	*body_of_size(size_t);

/* Eight header bytes with each field given apart. */
static void
header_set(uint8_t *p, uint8_t m0, uint8_t m1, uint8_t type, uint8_t flags,
    uint32_t len)
{
	p[0] = m0;
	p[1] = m1;
	p[2] = type;
	p[3] = flags;
	p[4] = (uint8_t)(len >> 24);
	p[5] = (uint8_t)(len >> 16);
	p[6] = (uint8_t)(len >> 8);
	p[7] = (uint8_t)len;
}

/* The header must be refused with exactly msg, and h left alone. */
static void
header_refused(const uint8_t *p, const char *msg)
{
	struct frame_header	h = { -7, 12345 };
	char			err[128] = "";

	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), -1);
	assert_string_equal(err, msg);
	assert_int_equal(h.type, -7);
	assert_int_equal(h.length, 12345);
}

/* The body must be refused with an error starting with prefix. */
static void
body_refused(const char *body, const char *prefix)
{
	char	err[256] = "";
	json_t	*o;

	o = frame_body_parse((const uint8_t *)body, strlen(body), err,
	    sizeof err);
	assert_null(o);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("body %s: error '%s' does not start '%s'", body, err,
		    prefix);
}

/* {"a":"xxx..."} whose compact dump is exactly size bytes. */
static json_t *
body_of_size(size_t size)
{
	char	*s;
	json_t	*o;
	size_t	 n = size - strlen("{\"a\":\"\"}");

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, 'x', n);
	s[n] = '\0';
	o = json_pack("{s:s}", "a", s);
	free(s);
	assert_non_null(o);
	return o;
}

/* Good headers: the lowest and highest types, lengths read big-endian. */
static void
test_header_good(void **state)
{
	struct frame_header	h;
	uint8_t			p[FRAME_HEADER];
	char			err[128] = "";

	(void)state;
	header_set(p, 'M', 'E', 1, 0, 0);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, 1);
	assert_int_equal(h.length, 0);
	assert_string_equal(err, "");

	header_set(p, 'M', 'E', 63, 0, 0x000a0b0c);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, 63);
	assert_int_equal(h.length, 0x0a0b0c);

	/* Each length byte in its place: 00 01 02 03 is 66051. */
	header_set(p, 'M', 'E', FRAME_COMMAND, 0, 0x00010203);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, FRAME_COMMAND);
	assert_int_equal(h.length, 66051);
}

static void
test_header_magic(void **state)
{
	uint8_t	p[FRAME_HEADER];

	(void)state;
	header_set(p, 'M', 'F', 1, 0, 0);
	header_refused(p, "bad frame magic 4d46");
	header_set(p, 'E', 'M', 1, 0, 0);
	header_refused(p, "bad frame magic 454d");
	header_set(p, 'm', 'e', 1, 0, 0);
	header_refused(p, "bad frame magic 6d65");
	header_set(p, 0, 0, 1, 0, 0);
	header_refused(p, "bad frame magic 0000");
}

static void
test_header_type(void **state)
{
	uint8_t	p[FRAME_HEADER];

	(void)state;
	header_set(p, 'M', 'E', 0, 0, 0);
	header_refused(p, "bad frame type 0");
	header_set(p, 'M', 'E', 64, 0, 0);
	header_refused(p, "bad frame type 64");
	header_set(p, 'M', 'E', 255, 0, 0);
	header_refused(p, "bad frame type 255");
}

static void
test_header_flags(void **state)
{
	uint8_t	p[FRAME_HEADER];

	(void)state;
	header_set(p, 'M', 'E', 1, 1, 0);
	header_refused(p, "bad frame flags 1");
	header_set(p, 'M', 'E', 1, 0x80, 0);
	header_refused(p, "bad frame flags 128");
}

/* FRAME_MAX is allowed, one more is not; nor is the largest length. */
static void
test_header_length(void **state)
{
	struct frame_header	h;
	uint8_t			p[FRAME_HEADER];
	char			err[128] = "";

	(void)state;
	header_set(p, 'M', 'E', 2, 0, FRAME_MAX);
	assert_int_equal(p[5], 0x10);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.length, FRAME_MAX);

	header_set(p, 'M', 'E', 2, 0, FRAME_MAX + 1);
	header_refused(p, "frame of 1048577 bytes is over the limit of "
	    "1048576");
	header_set(p, 'M', 'E', 2, 0, 0xffffffffU);
	header_refused(p, "frame of 4294967295 bytes is over the limit of "
	    "1048576");
	/* A high byte alone must not be lost in the shifts. */
	header_set(p, 'M', 'E', 2, 0, 0x01000000);
	header_refused(p, "frame of 16777216 bytes is over the limit of "
	    "1048576");
}

static void
test_body_good(void **state)
{
	const char	*s = "{\"a\":1,\"b\":\"x\",\"c\":[1,2],\"d\":{}}";
	const char	*tail = "{\"n\":7}GARBAGE";
	char		 err[128] = "";
	json_t		*o;

	(void)state;
	/* An empty body is an empty object. */
	o = frame_body_parse((const uint8_t *)"", 0, err, sizeof err);
	assert_non_null(o);
	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);

	o = frame_body_parse((const uint8_t *)"{}", 2, err, sizeof err);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);

	o = frame_body_parse((const uint8_t *)s, strlen(s), err, sizeof err);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "a")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "b")), "x");
	assert_int_equal(json_array_size(json_object_get(o, "c")), 2);
	json_decref(o);

	/* Only the given length is read: the body needs no NUL. */
	o = frame_body_parse((const uint8_t *)tail, 7, err, sizeof err);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 7);
	json_decref(o);
	assert_string_equal(err, "");
}

static void
test_body_not_object(void **state)
{
	(void)state;
	body_refused("[1]", "bad frame body: not a JSON object");
	body_refused("[]", "bad frame body: not a JSON object");
	body_refused("[{}]", "bad frame body: not a JSON object");
	/* Scalars stop in jansson already: only arrays and objects parse. */
	body_refused("3", "bad frame body: '[' or '{' expected");
	body_refused("\"x\"", "bad frame body: '[' or '{' expected");
	body_refused("null", "bad frame body: '[' or '{' expected");
	body_refused("true", "bad frame body: '[' or '{' expected");
}

static void
test_body_bad_json(void **state)
{
	char	err[128] = "";

	(void)state;
	body_refused("{", "bad frame body: ");
	body_refused("{\"a\":", "bad frame body: ");
	body_refused("{\"a\":1", "bad frame body: ");
	body_refused("{\"a\":\"x", "bad frame body: ");
	body_refused("{} x", "bad frame body: ");
	body_refused("{}{}", "bad frame body: ");
	body_refused(" ", "bad frame body: ");
	body_refused("{a:1}", "bad frame body: ");
	/* The same bytes cut short by the length. */
	assert_null(frame_body_parse((const uint8_t *)"{\"a\":1}", 6, err,
	    sizeof err));
	assert_true(strncmp(err, "bad frame body: ", 16) == 0);
	/* A NUL inside the length is not the end of the body. */
	assert_null(frame_body_parse((const uint8_t *)"{}\0", 3, err,
	    sizeof err));
	/* Invalid UTF-8 in a string. */
	body_refused("{\"a\":\"\xc0\x80\"}", "bad frame body: ");
}

static void
test_body_duplicates(void **state)
{
	(void)state;
	body_refused("{\"a\":1,\"a\":2}", "bad frame body: duplicate object "
	    "key");
	body_refused("{\"a\":1,\"b\":2,\"a\":1}", "bad frame body: duplicate "
	    "object key");
	body_refused("{\"o\":{\"k\":1,\"k\":1}}", "bad frame body: duplicate "
	    "object key");
}

static void
test_header_pack(void **state)
{
	const uint8_t	want[FRAME_HEADER] = { 'M', 'E', 33, 0, 0x00, 0x10,
			    0x00, 0x00 };
	const uint8_t	want2[FRAME_HEADER] = { 'M', 'E', 63, 0, 0x00, 0x01,
			    0x02, 0x03 };
	uint8_t		p[FRAME_HEADER];
	struct frame_header h;
	char		err[128];

	(void)state;
	memset(p, 0xee, sizeof p);
	frame_header_pack(p, FRAME_REPLY, FRAME_MAX);
	assert_memory_equal(p, want, sizeof want);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, FRAME_REPLY);
	assert_int_equal(h.length, FRAME_MAX);

	frame_header_pack(p, 63, 0x010203);
	assert_memory_equal(p, want2, sizeof want2);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, 63);
	assert_int_equal(h.length, 0x010203);
}

static void
test_pack_round_trip(void **state)
{
	struct frame_header	 h;
	json_t			*body, *back;
	uint8_t			*p;
	size_t			 len = 0;
	char			 err[128] = "";

	(void)state;
	body = json_pack("{s:[s,s], s:i, s:s, s:b}", "argv", "chat", "héllo",
	    "code", 3, "data", "a\nb\"c", "json", 1);
	assert_non_null(body);
	p = frame_pack(FRAME_COMMAND, body, &len);
	assert_non_null(p);
	assert_true(len > FRAME_HEADER);
	assert_int_equal(p[0], 'M');
	assert_int_equal(p[1], 'E');
	assert_int_equal(p[2], FRAME_COMMAND);
	assert_int_equal(p[3], 0);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, FRAME_COMMAND);
	assert_int_equal(h.length, len - FRAME_HEADER);
	/* Compact: no spaces between tokens. */
	assert_null(memchr(p + FRAME_HEADER, ' ', h.length));
	back = frame_body_parse(p + FRAME_HEADER, h.length, err, sizeof err);
	assert_non_null(back);
	assert_true(json_equal(body, back));
	json_decref(back);
	json_decref(body);
	free(p);
}

/* No body, or an empty object: a header alone, or "{}". */
static void
test_pack_empty(void **state)
{
	struct frame_header	 h;
	json_t			*o;
	uint8_t			*p;
	size_t			 len = 0;
	char			 err[128] = "";

	(void)state;
	p = frame_pack(FRAME_PING, NULL, &len);
	assert_non_null(p);
	assert_int_equal(len, FRAME_HEADER);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.type, FRAME_PING);
	assert_int_equal(h.length, 0);
	o = frame_body_parse(p + FRAME_HEADER, h.length, err, sizeof err);
	assert_non_null(o);
	assert_int_equal(json_object_size(o), 0);
	free(p);

	p = frame_pack(FRAME_PONG, o, &len);
	json_decref(o);
	assert_non_null(p);
	assert_int_equal(len, FRAME_HEADER + 2);
	assert_memory_equal(p + FRAME_HEADER, "{}", 2);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.length, 2);
	free(p);
}

/* A body of exactly FRAME_MAX bytes packs; one byte more does not. */
static void
test_pack_limit(void **state)
{
	struct frame_header	 h;
	json_t			*o, *back;
	uint8_t			*p;
	size_t			 len = 0;
	char			 err[128] = "";

	(void)state;
	o = body_of_size(FRAME_MAX);
	p = frame_pack(FRAME_OUTPUT, o, &len);
	assert_non_null(p);
	assert_int_equal(len, FRAME_HEADER + FRAME_MAX);
	assert_int_equal(frame_header_parse(p, &h, err, sizeof err), 0);
	assert_int_equal(h.length, FRAME_MAX);
	back = frame_body_parse(p + FRAME_HEADER, h.length, err, sizeof err);
	assert_non_null(back);
	assert_true(json_equal(o, back));
	json_decref(back);
	json_decref(o);
	free(p);

	o = body_of_size(FRAME_MAX + 1);
	len = 99;
	assert_null(frame_pack(FRAME_OUTPUT, o, &len));
	assert_int_equal(len, 99);
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_good),
		cmocka_unit_test(test_header_magic),
		cmocka_unit_test(test_header_type),
		cmocka_unit_test(test_header_flags),
		cmocka_unit_test(test_header_length),
		cmocka_unit_test(test_body_good),
		cmocka_unit_test(test_body_not_object),
		cmocka_unit_test(test_body_bad_json),
		cmocka_unit_test(test_body_duplicates),
		cmocka_unit_test(test_header_pack),
		cmocka_unit_test(test_pack_round_trip),
		cmocka_unit_test(test_pack_empty),
		cmocka_unit_test(test_pack_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
