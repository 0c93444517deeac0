/*
 * Unit tests for the typed fields of JSON messages (lib/msgfield.c): each
 * reader takes its type and range and refuses the rest with an error that
 * names the message and the field; a missing field, a wrong type and an
 * out-of-range value fail; the first error sticks; msgfield_end refuses a
 * field nobody took, and never quotes a key that is not a plain name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "msgfield.h"

static void	test_not_object(void **);
static void	test_u32(void **);
static void	test_u64(void **);
static void	test_int_bool(void **);
static void	test_string(void **);
static void	test_name(void **);
static void	test_enum(void **);
static void	test_array(void **);
static void	test_missing(void **);
static void	test_sticky(void **);
static void	test_end(void **);
static void	test_end_strange_key(void **);
static void	test_optional_skip(void **);
static void	test_writers(void **);
static json_t	*parse(const char *);
static void	refused(struct msgfield *, const char *);

static const char *const colours[] = { "red", "green", "blue" };

static json_t *
parse(const char *s)
{
	json_error_t	 je;
	json_t		*o;

	o = json_loads(s, 0, &je);
	assert_non_null(o);
	return o;
}

/* The message's error must be exactly msg. */
static void
refused(struct msgfield *mf, const char *msg)
{
	assert_non_null(msgfield_error(mf));
	assert_string_equal(msgfield_error(mf), msg);
}

static void
test_not_object(void **state)
{
	struct msgfield	 mf;
	json_t		*o = parse("[1, 2]");
	uint32_t	 v;

	(void)state;
	msgfield_init(&mf, o, "m");
	refused(&mf, "m is not an object");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	assert_int_equal(msgfield_end(&mf), -1);
	msgfield_init(&mf, NULL, "m");
	refused(&mf, "m is not an object");
	json_decref(o);
}

static void
test_u32(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint32_t	 v = 7;

	(void)state;
	o = parse("{\"a\": 0, \"b\": 4294967295}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(msgfield_u32(&mf, "b", &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(msgfield_end(&mf), 0);
	assert_null(msgfield_error(&mf));
	json_decref(o);

	o = parse("{\"a\": 4294967296}");
	msgfield_init(&mf, o, "m");
	v = 7;
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	assert_int_equal(v, 7);
	refused(&mf, "m: field a is 4294967296, not 0 to 4294967295");
	json_decref(o);

	o = parse("{\"a\": -1}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	refused(&mf, "m: field a is -1, not 0 to 4294967295");
	json_decref(o);

	o = parse("{\"a\": \"12\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	refused(&mf, "m: field a is not an integer");
	json_decref(o);

	o = parse("{\"a\": 12.0}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	refused(&mf, "m: field a is not an integer");
	json_decref(o);

	o = parse("{\"a\": true}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	refused(&mf, "m: field a is not an integer");
	json_decref(o);
}

static void
test_u64(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint64_t	 v;

	(void)state;
	o = parse("{\"a\": 9223372036854775807}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u64(&mf, "a", &v), 0);
	assert_true(v == INT64_MAX);
	json_decref(o);

	o = parse("{\"a\": -5}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u64(&mf, "a", &v), -1);
	refused(&mf, "m: field a is -5, not 0 to 9223372036854775807");
	json_decref(o);

	o = parse("{\"a\": null}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u64(&mf, "a", &v), -1);
	refused(&mf, "m: field a is not an integer");
	json_decref(o);
}

static void
test_int_bool(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	int		 v;

	(void)state;
	o = parse("{\"a\": 3, \"b\": 9, \"c\": false, \"d\": 0}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_int(&mf, "a", 1, 5, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(msgfield_int(&mf, "b", 1, 5, &v), -1);
	refused(&mf, "m: field b is 9, not 1 to 5");
	json_decref(o);

	o = parse("{\"c\": false, \"d\": 0}");
	msgfield_init(&mf, o, "m");
	v = 1;
	assert_int_equal(msgfield_bool(&mf, "c", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(msgfield_bool(&mf, "d", &v), -1);
	refused(&mf, "m: field d is not true or false");
	json_decref(o);
}

static void
test_string(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	const char	*s;

	(void)state;
	o = parse("{\"a\": \"hello\", \"b\": \"toolong\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_string(&mf, "a", 5, &s), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(msgfield_string(&mf, "b", 5, &s), -1);
	refused(&mf, "m: field b is longer than 5 bytes");
	json_decref(o);

	/* jansson's parser refuses \u0000 unless asked; a writer need not. */
	o = json_object();
	json_object_set_new(o, "a", json_stringn("a\0b", 3));
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_string(&mf, "a", 10, &s), -1);
	refused(&mf, "m: field a holds a NUL byte");
	json_decref(o);

	o = parse("{\"a\": 5}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_string(&mf, "a", 10, &s), -1);
	refused(&mf, "m: field a is not a string");
	json_decref(o);
}

static void
test_name(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	char		 name[65], big[100];

	(void)state;
	o = parse("{\"a\": \"bob-2\", \"b\": \"bob smith\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_name(&mf, "a", name), 0);
	assert_string_equal(name, "bob-2");
	assert_int_equal(msgfield_name(&mf, "b", name), -1);
	refused(&mf, "m: field b is not a valid name");
	json_decref(o);

	o = parse("{\"a\": \"\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_name(&mf, "a", name), -1);
	refused(&mf, "m: field a is not a valid name");
	json_decref(o);

	/* 65 bytes: one more than a name may have. */
	memset(big, 'x', 65);
	big[65] = '\0';
	o = json_pack("{s:s}", "a", big);
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_name(&mf, "a", name), -1);
	refused(&mf, "m: field a is longer than 64 bytes");
	json_decref(o);
}

static void
test_enum(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	int		 v = -1;

	(void)state;
	o = parse("{\"a\": \"blue\", \"b\": \"pink\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_enum(&mf, "a", colours, 3, &v), 0);
	assert_int_equal(v, 2);
	assert_int_equal(msgfield_enum(&mf, "b", colours, 3, &v), -1);
	assert_int_equal(v, 2);
	refused(&mf, "m: field b is pink, not one of red, green, blue");
	json_decref(o);

	/* A value that is no name is not repeated. */
	o = parse("{\"a\": \"\\u001b[2J\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_enum(&mf, "a", colours, 3, &v), -1);
	refused(&mf, "m: field a is not one of red, green, blue");
	json_decref(o);

	o = parse("{\"a\": 1}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_enum(&mf, "a", colours, 3, &v), -1);
	refused(&mf, "m: field a is not a string");
	json_decref(o);
}

static void
test_array(void **state)
{
	struct msgfield	 mf;
	json_t		*o, *a = NULL;

	(void)state;
	o = parse("{\"a\": [1, 2, 3], \"b\": [1, 2, 3, 4]}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_array(&mf, "a", 3, &a), 0);
	assert_int_equal(json_array_size(a), 3);
	assert_int_equal(msgfield_array(&mf, "b", 3, &a), -1);
	refused(&mf, "m: field b has more than 3 elements");
	json_decref(o);

	o = parse("{\"a\": {}}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_array(&mf, "a", 3, &a), -1);
	refused(&mf, "m: field a is not an array");
	json_decref(o);
}

static void
test_missing(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint32_t	 v;

	(void)state;
	o = parse("{\"a\": 1}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "ssrc", &v), -1);
	refused(&mf, "m: missing field ssrc");
	json_decref(o);
}

/* After an error every reader fails, and the first error is kept. */
static void
test_sticky(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint32_t	 v = 9;
	const char	*s = NULL;

	(void)state;
	o = parse("{\"a\": \"x\", \"b\": 1, \"c\": \"y\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &v), -1);
	assert_int_equal(msgfield_u32(&mf, "b", &v), -1);
	assert_int_equal(v, 9);
	assert_int_equal(msgfield_string(&mf, "c", 10, &s), -1);
	assert_null(s);
	assert_int_equal(msgfield_has(&mf, "c"), 0);
	assert_int_equal(msgfield_fail(&mf, "later"), -1);
	assert_int_equal(msgfield_end(&mf), -1);
	refused(&mf, "m: field a is not an integer");
	json_decref(o);
}

static void
test_end(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint32_t	 v;

	(void)state;
	o = parse("{\"ssrc\": 5, \"colour\": \"red\"}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "ssrc", &v), 0);
	assert_int_equal(msgfield_end(&mf), -1);
	refused(&mf, "m: unknown field colour");
	json_decref(o);

	o = parse("{}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_end(&mf), 0);
	json_decref(o);
}

static void
test_end_strange_key(void **state)
{
	struct msgfield	 mf;
	json_t		*o;

	(void)state;
	o = parse("{\"\\u001b]0;owned\\u0007\": 1}");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_end(&mf), -1);
	refused(&mf, "m: a field whose key is not a name");
	json_decref(o);
}

static void
test_optional_skip(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	char		 name[65];

	(void)state;
	o = parse("{\"id\": 4, \"op\": \"x\", \"from\": \"amy\"}");
	msgfield_init(&mf, o, "m");
	msgfield_skip(&mf, "id");
	msgfield_skip(&mf, "op");
	msgfield_skip(&mf, "session");		/* absent: still fine */
	assert_int_equal(msgfield_has(&mf, "from"), 1);
	assert_int_equal(msgfield_has(&mf, "to"), 0);
	assert_int_equal(msgfield_name(&mf, "from", name), 0);
	assert_int_equal(msgfield_end(&mf), 0);
	json_decref(o);
}

/* What the writers put, the readers take back. */
static void
test_writers(void **state)
{
	struct msgfield	 mf;
	json_t		*o;
	uint32_t	 a;
	uint64_t	 b;
	int		 c, d, e;
	const char	*s;

	(void)state;
	o = json_object();
	msgfield_add_u32(o, "a", UINT32_MAX);
	msgfield_add_u64(o, "b", 1234567890123ULL);
	msgfield_add_int(o, "c", -3);
	msgfield_add_bool(o, "d", 1);
	msgfield_add_enum(o, "e", colours, 3, 1);
	msgfield_add_enum(o, "f", colours, 3, 3);	/* no such: left out */
	msgfield_add_string(o, "s", "hi");
	msgfield_init(&mf, o, "m");
	assert_int_equal(msgfield_u32(&mf, "a", &a), 0);
	assert_int_equal(msgfield_u64(&mf, "b", &b), 0);
	assert_int_equal(msgfield_int(&mf, "c", -5, 5, &c), 0);
	assert_int_equal(msgfield_bool(&mf, "d", &d), 0);
	assert_int_equal(msgfield_enum(&mf, "e", colours, 3, &e), 0);
	assert_int_equal(msgfield_string(&mf, "s", 2, &s), 0);
	assert_int_equal(msgfield_end(&mf), 0);
	assert_true(a == UINT32_MAX && b == 1234567890123ULL);
	assert_int_equal(c, -3);
	assert_int_equal(d, 1);
	assert_int_equal(e, 1);
	assert_string_equal(s, "hi");
	assert_null(json_object_get(o, "f"));
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_object),
		cmocka_unit_test(test_u32),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_int_bool),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_array),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_sticky),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_end_strange_key),
		cmocka_unit_test(test_optional_skip),
		cmocka_unit_test(test_writers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
