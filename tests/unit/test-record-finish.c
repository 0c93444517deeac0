/*
 * Unit tests for what finishing a recording does to its chat lines
 * (meetd/record-finish.c): the line that says who took a track names that
 * track's index in the copy, and no other line is changed, nor one naming a
 * track the copy does not have.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "../../meetd/record-finish.h"

static void	test_renumber(void **);
static void	test_renumber_others(void **);
static void	renumbered(const char *, const char *);

/* Tracks 0 to 9 of a file as written: 0, 1, 3 and 7 are kept, in order. */
static const int map[10] = { 0, 1, -1, 2, -1, -1, -1, 3, -1, -1 };

/* line, finished, is want ("" for a line left as it is). */
static void
renumbered(const char *line, const char *want)
{
	char	out[256];
	int	n;

	n = record_finish_renumber(line, strlen(line), map, 10, out,
	    sizeof out);
	if (*want == '\0') {
		assert_int_equal(n, 0);
		return;
	}
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(out, want, strlen(want));
}

static void
test_renumber(void **state)
{
	(void)state;
	renumbered("* carol takes audio track 3",
	    "* carol takes audio track 2");
	renumbered("* dave takes camera track 7",
	    "* dave takes camera track 3");
	renumbered("* x.y-z takes screen track 1",
	    "* x.y-z takes screen track 1");
}

static void
test_renumber_others(void **state)
{
	(void)state;
	/* Chat, and what happened that names no track. */
	renumbered("alice: * bob takes audio track 3", "");
	renumbered("* bob joined", "");
	renumbered("* bob reacts 3", "");
	/* A track the copy dropped, or that the file never had. */
	renumbered("* bob takes audio track 2", "");
	renumbered("* bob takes audio track 10", "");
	renumbered("* bob takes audio track 99999999999999999999", "");
	/* Not the number alone at the end. */
	renumbered("* bob takes audio track 3x", "");
	renumbered("* bob takes audio track ", "");
	renumbered("* bob takes audio track -1", "");
	renumbered("*", "");
	renumbered("", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_renumber),
		cmocka_unit_test(test_renumber_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
