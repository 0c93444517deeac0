/*
 * Unit tests for the checks of names and chat text (lib/text.c): name_valid's
 * alphabet and 64-byte limit, utf8_valid on every class of malformed UTF-8,
 * and text_check's length, control character and C1 rules with the byte
 * offset it reports; text_escape, which no control character passes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void	test_name_good(void **);
static void	test_name_length(void **);
static void	test_name_bad(void **);
static void	test_utf8_good(void **);
static void	test_utf8_overlong(void **);
static void	test_utf8_range(void **);
static void	test_utf8_truncated(void **);
static void	test_utf8_stray(void **);
static void	test_utf8_length(void **);
static void	test_text_good(void **);
static void	test_text_length(void **);
static void	test_text_control(void **);
static void	test_text_c1(void **);
static void	test_text_bad_utf8(void **);
static void	test_filename_sanitize(void **);
static void	test_escape_controls(void **);
static void	test_escape_utf8(void **);
static void	test_escape_lines(void **);
static void	test_escape_buf(void **);
static void	escaped(const char *, size_t, int, const char *);
static int	utf8(const char *);
static void	text_refused(const char *, size_t, const char *);

/* utf8_valid over the whole of a NUL-terminated string. */
static int
utf8(const char *s)
{
	return utf8_valid(s, strlen(s));
}

/* text_check must refuse s with exactly msg. */
static void
text_refused(const char *s, size_t max, const char *msg)
{
	char	err[128] = "";

	assert_int_equal(text_check(s, max, err, sizeof err), -1);
	assert_string_equal(err, msg);
}

static void
test_name_good(void **state)
{
	(void)state;
	assert_int_equal(name_valid("a"), 0);
	assert_int_equal(name_valid("Z"), 0);
	assert_int_equal(name_valid("0"), 0);
	assert_int_equal(name_valid("standup"), 0);
	assert_int_equal(name_valid("Team-2_room.x"), 0);
	assert_int_equal(name_valid("."), 0);
	assert_int_equal(name_valid("-"), 0);
	assert_int_equal(name_valid("_"), 0);
	assert_int_equal(name_valid("azAZ09._-"), 0);
}

/* 1 to 64 bytes: empty, 64 and 65. */
static void
test_name_length(void **state)
{
	char	s[NAME_MAX_LEN + 2];

	(void)state;
	assert_int_equal(NAME_MAX_LEN, 64);
	assert_int_equal(name_valid(""), -1);
	memset(s, 'n', NAME_MAX_LEN);
	s[NAME_MAX_LEN] = '\0';
	assert_int_equal(name_valid(s), 0);
	s[NAME_MAX_LEN] = 'n';
	s[NAME_MAX_LEN + 1] = '\0';
	assert_int_equal(name_valid(s), -1);
	/* A bad byte past the limit: refused either way. */
	s[NAME_MAX_LEN] = ' ';
	assert_int_equal(name_valid(s), -1);
}

static void
test_name_bad(void **state)
{
	(void)state;
	assert_int_equal(name_valid(" "), -1);
	assert_int_equal(name_valid("a b"), -1);
	assert_int_equal(name_valid(" a"), -1);
	assert_int_equal(name_valid("a "), -1);
	assert_int_equal(name_valid("a/b"), -1);
	assert_int_equal(name_valid("/"), -1);
	assert_int_equal(name_valid("a@b"), -1);
	assert_int_equal(name_valid("a:b"), -1);
	assert_int_equal(name_valid("a\tb"), -1);
	assert_int_equal(name_valid("a\nb"), -1);
	assert_int_equal(name_valid("caf\xc3\xa9"), -1);	/* café */
	assert_int_equal(name_valid("\xc3\xa9"), -1);
	assert_int_equal(name_valid("a\x7f"), -1);
	assert_int_equal(name_valid("a\xff"), -1);
	/* Bytes next to the ranges in ASCII. */
	assert_int_equal(name_valid("/"), -1);	/* before '0' */
	assert_int_equal(name_valid(":"), -1);	/* after '9' */
	assert_int_equal(name_valid("@"), -1);	/* before 'A' */
	assert_int_equal(name_valid("["), -1);	/* after 'Z' */
	assert_int_equal(name_valid("`"), -1);	/* before 'a' */
	assert_int_equal(name_valid("{"), -1);	/* after 'z' */
	assert_int_equal(name_valid(","), -1);	/* before '-' */
}

/* ASCII and the shortest and longest sequences of each length. */
static void
test_utf8_good(void **state)
{
	(void)state;
	assert_int_equal(utf8(""), 0);
	assert_int_equal(utf8("hello, world\t\n"), 0);
	assert_int_equal(utf8("\x7f"), 0);
	assert_int_equal(utf8("\xc2\x80"), 0);			/* U+0080 */
	assert_int_equal(utf8("\xc3\xa9"), 0);			/* é */
	assert_int_equal(utf8("\xdf\xbf"), 0);			/* U+07FF */
	assert_int_equal(utf8("\xe0\xa0\x80"), 0);		/* U+0800 */
	assert_int_equal(utf8("\xe2\x82\xac"), 0);		/* € */
	assert_int_equal(utf8("\xed\x9f\xbf"), 0);		/* U+D7FF */
	assert_int_equal(utf8("\xee\x80\x80"), 0);		/* U+E000 */
	assert_int_equal(utf8("\xef\xbf\xbf"), 0);		/* U+FFFF */
	assert_int_equal(utf8("\xf0\x90\x80\x80"), 0);		/* U+10000 */
	assert_int_equal(utf8("\xf0\x9f\x98\x80"), 0);		/* 😀 */
	assert_int_equal(utf8("\xf4\x8f\xbf\xbf"), 0);		/* U+10FFFF */
	assert_int_equal(utf8("a\xc3\xa9z\xe2\x82\xac\xf0\x9f\x98\x80!"), 0);
}

static void
test_utf8_overlong(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xc0\x80"), -1);			/* NUL */
	assert_int_equal(utf8("\xc0\xaf"), -1);			/* '/' */
	assert_int_equal(utf8("\xc1\xbf"), -1);			/* U+007F */
	assert_int_equal(utf8("\xe0\x80\x80"), -1);
	assert_int_equal(utf8("\xe0\x9f\xbf"), -1);		/* U+07FF */
	assert_int_equal(utf8("\xf0\x80\x80\x80"), -1);
	assert_int_equal(utf8("\xf0\x8f\xbf\xbf"), -1);		/* U+FFFF */
	assert_int_equal(utf8("ok\xc0\x80"), -1);
}

/* Surrogates and code points past U+10FFFF. */
static void
test_utf8_range(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xed\xa0\x80"), -1);		/* U+D800 */
	assert_int_equal(utf8("\xed\xaf\xbf"), -1);		/* U+DBFF */
	assert_int_equal(utf8("\xed\xb0\x80"), -1);		/* U+DC00 */
	assert_int_equal(utf8("\xed\xbf\xbf"), -1);		/* U+DFFF */
	/* A surrogate pair encoded as two sequences (CESU-8). */
	assert_int_equal(utf8("\xed\xa0\xbd\xed\xb8\x80"), -1);
	assert_int_equal(utf8("\xf4\x90\x80\x80"), -1);		/* U+110000 */
	assert_int_equal(utf8("\xf5\x80\x80\x80"), -1);
	assert_int_equal(utf8("\xf7\xbf\xbf\xbf"), -1);
	/* Five- and six-byte leads, and bytes never used. */
	assert_int_equal(utf8("\xf8\x88\x80\x80\x80"), -1);
	assert_int_equal(utf8("\xfc\x84\x80\x80\x80\x80"), -1);
	assert_int_equal(utf8("\xfe"), -1);
	assert_int_equal(utf8("\xff"), -1);
}

/* Sequences cut by the end of the input. */
static void
test_utf8_truncated(void **state)
{
	(void)state;
	assert_int_equal(utf8("\xc3"), -1);
	assert_int_equal(utf8("ab\xc3"), -1);
	assert_int_equal(utf8("\xe2\x82"), -1);
	assert_int_equal(utf8("\xe2"), -1);
	assert_int_equal(utf8("\xf0\x9f\x98"), -1);
	assert_int_equal(utf8("\xf0\x9f"), -1);
	assert_int_equal(utf8("\xf0"), -1);
	/* Cut by the next character rather than the end. */
	assert_int_equal(utf8("\xe2\x82z"), -1);
	assert_int_equal(utf8("\xf0\x9f\x98\xc3\xa9"), -1);
}

static void
test_utf8_stray(void **state)
{
	(void)state;
	assert_int_equal(utf8("\x80"), -1);
	assert_int_equal(utf8("\xbf"), -1);
	assert_int_equal(utf8("a\x80z"), -1);
	/* One continuation byte too many. */
	assert_int_equal(utf8("\xc3\xa9\xa9"), -1);
	assert_int_equal(utf8("\xe2\x82\xac\x80"), -1);
}

/* Only len bytes are looked at, and a NUL inside them is ASCII. */
static void
test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(utf8_valid("ab\xff", 2), 0);
	assert_int_equal(utf8_valid("\xe2\x82\xac", 2), -1);
	assert_int_equal(utf8_valid("\xe2\x82\xac", 3), 0);
	assert_int_equal(utf8_valid("a\0b", 3), 0);
	assert_int_equal(utf8_valid("\xff", 0), 0);
}

static void
test_text_good(void **state)
{
	char	err[128] = "";

	(void)state;
	assert_int_equal(text_check("hello", 4096, err, sizeof err), 0);
	assert_int_equal(text_check("a\tb", 4096, err, sizeof err), 0);
	assert_int_equal(text_check("\t", 4096, err, sizeof err), 0);
	assert_int_equal(text_check("~ !", 4096, err, sizeof err), 0);
	/* Emoji, and the characters next to the C1 block. */
	assert_int_equal(text_check("\xf0\x9f\x98\x80 \xf0\x9f\x91\x8d", 4096,
	    err, sizeof err), 0);
	assert_int_equal(text_check("\xc2\xa0", 4096, err, sizeof err), 0);
	assert_int_equal(text_check("\xc3\x85", 4096, err, sizeof err), 0);
	assert_int_equal(text_check("caf\xc3\xa9", 4096, err, sizeof err), 0);
	assert_string_equal(err, "");
}

/* 1 to max bytes, counted in bytes, not characters. */
static void
test_text_length(void **state)
{
	char	err[128] = "";

	(void)state;
	text_refused("", 4096, "empty message");
	assert_int_equal(text_check("abcde", 5, err, sizeof err), 0);
	text_refused("abcdef", 5, "message of 6 bytes is longer than the "
	    "limit of 5");
	/* Two characters, four bytes. */
	assert_int_equal(text_check("\xc3\xa9\xc3\xa9", 4, err, sizeof err),
	    0);
	text_refused("\xc3\xa9\xc3\xa9", 3, "message of 4 bytes is longer "
	    "than the limit of 3");
	assert_int_equal(text_check("x", 1, err, sizeof err), 0);
}

/* C0 controls but tab, and DEL, with the byte where they are. */
static void
test_text_control(void **state)
{
	(void)state;
	text_refused("a\nb", 4096, "message holds control character 0x0a at "
	    "byte 1");
	text_refused("\n", 4096, "message holds control character 0x0a at "
	    "byte 0");
	text_refused("abc\r", 4096, "message holds control character 0x0d at "
	    "byte 3");
	text_refused("red \x1b[31m", 4096, "message holds control character "
	    "0x1b at byte 4");
	text_refused("x\x7f", 4096, "message holds control character 0x7f at "
	    "byte 1");
	text_refused("\x01", 4096, "message holds control character 0x01 at "
	    "byte 0");
	text_refused("\x1f", 4096, "message holds control character 0x1f at "
	    "byte 0");
	/* After multibyte characters the offset is in bytes. */
	text_refused("\xc3\xa9\xf0\x9f\x98\x80\b", 4096, "message holds "
	    "control character 0x08 at byte 6");
	text_refused("a\tb\vc", 4096, "message holds control character 0x0b "
	    "at byte 3");
}

/* U+0080 to U+009F, NEL among them. */
static void
test_text_c1(void **state)
{
	(void)state;
	text_refused("ab\xc2\x85", 4096, "message holds control character "
	    "U+0085 at byte 2");
	text_refused("\xc2\x80", 4096, "message holds control character "
	    "U+0080 at byte 0");
	text_refused("\xc3\xa9\xc2\x9f", 4096, "message holds control "
	    "character U+009F at byte 2");
	/* CSI, the 8-bit form of ESC [. */
	text_refused("x\xc2\x9b" "31m", 4096, "message holds control "
	    "character U+009B at byte 1");
}

static void
test_text_bad_utf8(void **state)
{
	(void)state;
	text_refused("caf\xe9", 4096, "message is not valid UTF-8");
	text_refused("\xc0\x8a", 4096, "message is not valid UTF-8");
	text_refused("\xed\xa0\x80", 4096, "message is not valid UTF-8");
	text_refused("\xf4\x90\x80\x80", 4096, "message is not valid UTF-8");
	text_refused("ok\xe2\x82", 4096, "message is not valid UTF-8");
}

/* File names from other people: safe to create, never a path. */
static void
test_filename_sanitize(void **state)
{
	char	out[FILENAME_MAX_LEN + 1], in[2100];
	size_t	i;

	(void)state;
	filename_sanitize("report.pdf", out);
	assert_string_equal(out, "report.pdf");
	filename_sanitize("../x", out);
	assert_string_equal(out, "_x");
	filename_sanitize("a/b\\c", out);
	assert_string_equal(out, "a_b_c");
	filename_sanitize(".hidden", out);
	assert_string_equal(out, "hidden");
	filename_sanitize("...", out);
	assert_string_equal(out, "file");
	filename_sanitize("", out);
	assert_string_equal(out, "file");
	filename_sanitize("a\nb\tc\033d\177", out);
	assert_string_equal(out, "a_b_c_d_");
	filename_sanitize("caf\xc3\xa9 \xf0\x9f\x8e\x89.txt", out);
	assert_string_equal(out, "caf\xc3\xa9 \xf0\x9f\x8e\x89.txt");
	filename_sanitize("bad\xff\xc3(x", out);
	assert_string_equal(out, "bad__(x");
	filename_sanitize("c1\xc2\x85x", out);	/* U+0085, a C1 control */
	assert_string_equal(out, "c1__x");

	/* 2000 bytes are cut to 255. */
	memset(in, 'a', 2000);
	in[2000] = '\0';
	filename_sanitize(in, out);
	assert_int_equal(strlen(out), FILENAME_MAX_LEN);

	/* A multibyte character is never cut in half at the limit. */
	for (i = 0; i + 2 <= 2000; i += 2) {
		in[i] = (char)0xc3;
		in[i + 1] = (char)0xa9;
	}
	in[i] = '\0';
	filename_sanitize(in, out);
	assert_int_equal(strlen(out), 254);
	assert_int_equal(utf8_valid(out, strlen(out)), 0);
}

/* text_escape of the bytes of in, with flags, is want. */
#define ESCAPED(in, flags, want)	escaped(in, sizeof(in) - 1, flags, want)

/* text_escape of len bytes of in, with flags, is want. */
static void
escaped(const char *in, size_t len, int flags, const char *want)
{
	char	*out;

	out = text_escape(in, len, flags);
	assert_string_equal(out, want);
	free(out);
}

/* What a bad name holds reaches no terminal: ESC, BEL, CR, LF, DEL, NUL. */
static void
test_escape_controls(void **state)
{
	(void)state;
	ESCAPED("alice", 0, "alice");
	ESCAPED("", 0, "");
	ESCAPED("bad\033[31mname\007", 0, "bad\\x1b[31mname\\x07");
	ESCAPED("a\r\nb", 0, "a\\r\\nb");
	ESCAPED("del\177", 0, "del\\x7f");
	ESCAPED("a\0b", 0, "a\\x00b");
	/* Tab is no threat; a backslash stays as it is. */
	ESCAPED("a\tb\\c", 0, "a\tb\\c");
}

/* UTF-8 stays; C1 controls and stray bytes do not. */
static void
test_escape_utf8(void **state)
{
	(void)state;
	ESCAPED("caf\xc3\xa9 \xf0\x9f\x8e\x89", 0,
	    "caf\xc3\xa9 \xf0\x9f\x8e\x89");
	/* CSI, the 8-bit ESC [, as UTF-8 and as a raw byte. */
	ESCAPED("x\xc2\x9b" "31m", 0, "x\\xc2\\x9b31m");
	ESCAPED("x\x9b" "31m", 0, "x\\x9b31m");
	ESCAPED("caf\xe9", 0, "caf\\xe9");
	/* A character cut by the end of the text. */
	ESCAPED("ok\xe2\x82", 0, "ok\\xe2\\x82");
	ESCAPED("\xed\xa0\x80", 0, "\\xed\\xa0\\x80");
	/* Every byte at its worst: four out for one in. */
	ESCAPED("\001\002", 0, "\\x01\\x02");
}

/* Lines from another node keep their newlines, and only those. */
static void
test_escape_lines(void **state)
{
	(void)state;
	ESCAPED("one\ntwo\n", TEXT_ESCAPE_LINES, "one\ntwo\n");
	ESCAPED("one\r\n\033]0;x\007\n", TEXT_ESCAPE_LINES,
	    "one\\r\n\\x1b]0;x\\x07\n");
}

/* Into a buffer that is too small: cut between characters and escapes. */
static void
test_escape_buf(void **state)
{
	char	out[8];

	(void)state;
	assert_int_equal(text_escape_buf("abc\033d", 5, 0, out, 7), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(text_escape_buf("abc\033d", 5, 0, out, 8), 7);
	assert_string_equal(out, "abc\\x1b");
	assert_int_equal(text_escape_buf("ab\xc3\xa9", 4, 0, out, 4), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(text_escape_buf("ab\xc3\xa9", 4, 0, out, 5), 4);
	assert_string_equal(out, "ab\xc3\xa9");
	assert_int_equal(text_escape_buf("x", 1, 0, out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(text_escape_buf("x", 1, 0, out, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_good),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_bad),
		cmocka_unit_test(test_utf8_good),
		cmocka_unit_test(test_utf8_overlong),
		cmocka_unit_test(test_utf8_range),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_utf8_stray),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_text_good),
		cmocka_unit_test(test_text_length),
		cmocka_unit_test(test_text_control),
		cmocka_unit_test(test_text_c1),
		cmocka_unit_test(test_text_bad_utf8),
		cmocka_unit_test(test_filename_sanitize),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_lines),
		cmocka_unit_test(test_escape_buf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
