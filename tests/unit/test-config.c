/*
 * Unit tests for reading meetd.conf (meetd/config.c): the embedded defaults,
 * every key of every section, and the errors a bad file gives, each of which
 * must name the file, the line of the first error and the key.  Files are
 * written with mkstemp and removed after each test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../meetd/meetd.h"

static void	test_defaults_empty(void **);
static void	test_defaults_no_file(void **);
static void	test_all_keys(void **);
static void	test_comments(void **);
static void	test_last_wins(void **);
static void	test_bounds(void **);
static void	test_unknown_key(void **);
static void	test_unknown_section(void **);
static void	test_bad_int(void **);
static void	test_int_range(void **);
static void	test_bad_seconds(void **);
static void	test_bad_name(void **);
static void	test_empty_value(void **);
static void	test_bad_listen(void **);
static void	test_missing_file(void **);
static void	test_first_error(void **);
static void	test_syntax_error(void **);
static void	conf_write(char *, const char *);
static struct config *conf_good(const char *);
static void	conf_refused(const char *, const char *);
static void	conf_check_defaults(const struct config *);

/* Write text to a new temporary file whose name goes in path. */
static void
conf_write(char *path, const char *text)
{
	int	fd;
	size_t	len = strlen(text);

	strcpy(path, "/tmp/test-config.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Load text, which must be good; the caller frees the result. */
static struct config *
conf_good(const char *text)
{
	struct config	*c = NULL;
	char		 path[64], *cause = NULL;

	conf_write(path, text);
	if (config_load(path, &c, &cause) != 0) {
		unlink(path);
		fail_msg("refused: %s", cause);
	}
	unlink(path);
	assert_null(cause);
	assert_non_null(c);
	return c;
}

/*
 * Load text, which must be refused with "FILE:" followed by msg, where msg
 * has the line number and the rest.
 */
static void
conf_refused(const char *text, const char *msg)
{
	struct config	*c = (struct config *)0x1;
	char		 path[64], want[512], *cause = NULL;
	int		 rc;

	conf_write(path, text);
	rc = config_load(path, &c, &cause);
	unlink(path);
	assert_int_equal(rc, -1);
	assert_ptr_equal(c, (struct config *)0x1);
	assert_non_null(cause);
	snprintf(want, sizeof want, "%s:%s", path, msg);
	assert_string_equal(cause, want);
	free(cause);
}

static void
conf_check_defaults(const struct config *c)
{
	assert_non_null(c->node_name);
	assert_int_equal(name_valid(c->node_name), 0);
	assert_string_equal(c->listen, "127.0.0.1:7700");
	assert_null(c->socket);
	assert_null(c->socket_group);
	assert_true(c->link_grace == 15.0);
	assert_true(c->keepalive == 1.0);
	assert_true(c->keepalive_timeout == 4.0);
	assert_true(c->reconnect_max == 2.0);
	assert_int_equal(c->max_rooms, 1000);
	assert_int_equal(c->max_participants, 0);
	assert_int_equal(c->max_sessions, 1000);
	assert_int_equal(c->session_events, 1000);
	assert_int_equal(c->chat_history, 100);
	assert_int_equal(c->chat_max_length, 4096);
	assert_int_equal(c->verbose, 0);
}

static void
test_defaults_empty(void **state)
{
	struct config	*c = NULL;
	char		 path[64], *cause = NULL;
	int		 rc;

	(void)state;
	conf_write(path, "");
	rc = config_load(path, &c, &cause);
	unlink(path);
	assert_int_equal(rc, 0);
	assert_null(cause);
	conf_check_defaults(c);
	assert_string_equal(c->path, path);
	config_free(c);

	/* Only comments and blank lines. */
	c = conf_good("# meetd.conf\n\n; nothing set\n[chat]\n");
	conf_check_defaults(c);
	config_free(c);
}

static void
test_defaults_no_file(void **state)
{
	struct config	*c = NULL;
	char		*cause = NULL;

	(void)state;
	assert_int_equal(config_load(NULL, &c, &cause), 0);
	assert_null(cause);
	conf_check_defaults(c);
	assert_null(c->path);
	config_free(c);
	config_free(NULL);
}

static void
test_all_keys(void **state)
{
	struct config	*c;

	(void)state;
	c = conf_good(
	    "[node]\n"
	    "name = alpha-1\n"
	    "listen = [::1]:7701\n"
	    "link_grace = 2.5\n"
	    "keepalive = 0.25\n"
	    "keepalive_timeout = 3\n"
	    "reconnect_max = 1.5\n"
	    "[control]\n"
	    "socket = /tmp/meet test.sock\n"
	    "group = meet\n"
	    "[rooms]\n"
	    "max_rooms = 5\n"
	    "max_participants = 7\n"
	    "[sessions]\n"
	    "max_sessions = 9\n"
	    "events = 32\n"
	    "[chat]\n"
	    "history = 0\n"
	    "max_length = 65536\n"
	    "[log]\n"
	    "verbose = 2\n");
	assert_string_equal(c->node_name, "alpha-1");
	assert_string_equal(c->listen, "[::1]:7701");
	assert_true(c->link_grace == 2.5);
	assert_true(c->keepalive == 0.25);
	assert_true(c->keepalive_timeout == 3.0);
	assert_true(c->reconnect_max == 1.5);
	assert_string_equal(c->socket, "/tmp/meet test.sock");
	assert_string_equal(c->socket_group, "meet");
	assert_int_equal(c->max_rooms, 5);
	assert_int_equal(c->max_participants, 7);
	assert_int_equal(c->max_sessions, 9);
	assert_int_equal(c->session_events, 32);
	assert_int_equal(c->chat_history, 0);
	assert_int_equal(c->chat_max_length, 65536);
	assert_int_equal(c->verbose, 2);
	config_free(c);

	/* One key changes only itself. */
	c = conf_good("[chat]\nhistory = 7\n");
	assert_int_equal(c->chat_history, 7);
	c->chat_history = 100;
	conf_check_defaults(c);
	config_free(c);
}

/* Comments, inline comments after a space, space around keys and values. */
static void
test_comments(void **state)
{
	struct config	*c;

	(void)state;
	c = conf_good(
	    "# a comment\n"
	    "; another\n"
	    "  [chat]  \n"
	    "history=12 ; twelve\n"
	    "   max_length   =   300   \n"
	    "[node]\n"
	    "link_grace = 3 ; seconds\n");
	assert_int_equal(c->chat_history, 12);
	assert_int_equal(c->chat_max_length, 300);
	assert_true(c->link_grace == 3.0);
	config_free(c);

	/* An indented key is a key, not more of the string above it. */
	c = conf_good("[control]\nsocket = /tmp/x.sock\n    group = meet\n"
	    "\tsocket = /tmp/y.sock\n");
	assert_string_equal(c->socket, "/tmp/y.sock");
	assert_string_equal(c->socket_group, "meet");
	config_free(c);
}

static void
test_last_wins(void **state)
{
	struct config	*c;

	(void)state;
	c = conf_good("[chat]\nhistory = 1\n[node]\nname = a\n[chat]\n"
	    "history = 2\n[node]\nname = b\n");
	assert_int_equal(c->chat_history, 2);
	assert_string_equal(c->node_name, "b");
	config_free(c);
}

/* The ends of each range are allowed. */
static void
test_bounds(void **state)
{
	struct config	*c;

	(void)state;
	c = conf_good("[node]\nlink_grace = 0.1\nkeepalive = 0.05\n"
	    "keepalive_timeout = 600\nreconnect_max = 600\n"
	    "[rooms]\nmax_rooms = 1\nmax_participants = 0\n"
	    "[sessions]\nmax_sessions = 1000000\nevents = 16\n"
	    "[chat]\nhistory = 1000000\nmax_length = 1\n[log]\nverbose = 0\n");
	assert_true(c->link_grace == 0.1);
	assert_true(c->keepalive == 0.05);
	assert_true(c->keepalive_timeout == 600.0);
	assert_true(c->reconnect_max == 600.0);
	assert_int_equal(c->max_rooms, 1);
	assert_int_equal(c->max_participants, 0);
	assert_int_equal(c->max_sessions, 1000000);
	assert_int_equal(c->session_events, 16);
	assert_int_equal(c->chat_history, 1000000);
	assert_int_equal(c->chat_max_length, 1);
	config_free(c);

	c = conf_good("[node]\nlink_grace = 86400\nkeepalive = 60\n");
	assert_true(c->link_grace == 86400.0);
	assert_true(c->keepalive == 60.0);
	config_free(c);
}

static void
test_unknown_key(void **state)
{
	(void)state;
	conf_refused("[chat]\nhistory = 5\nx = 1\n",
	    "3: unknown key 'x' in [chat]");
	conf_refused("[chat]\nhistroy = 5\n",
	    "2: unknown key 'histroy' in [chat]");
	/* A key of another section. */
	conf_refused("[node]\nhistory = 5\n",
	    "2: unknown key 'history' in [node]");
	/* Names are case-sensitive. */
	conf_refused("[chat]\nHistory = 5\n",
	    "2: unknown key 'History' in [chat]");
}

static void
test_unknown_section(void **state)
{
	(void)state;
	/* On the line of its header. */
	conf_refused("\n[foo]\nbar = 1\n", "2: unknown section [foo]");
	conf_refused("[Chat]\nhistory = 1\n", "1: unknown section [Chat]");
	/* A section with no keys, which inih never shows the handler. */
	conf_refused("[chta]\n", "1: unknown section [chta]");
	conf_refused("[chat]\nhistory = 1\n[chta]\n; nothing\n[node]\n",
	    "3: unknown section [chta]");
	conf_refused("\xef\xbb\xbf[chta]\n", "1: unknown section [chta]");
	/* A key before any section. */
	conf_refused("history = 1\n", "1: unknown section [] (key history)");
}

static void
test_bad_int(void **state)
{
	(void)state;
	conf_refused("[chat]\nhistory = abc\n",
	    "2: [chat] history: 'abc' is not a whole number");
	conf_refused("[chat]\nhistory = 12abc\n",
	    "2: [chat] history: '12abc' is not a whole number");
	conf_refused("[chat]\nhistory = 1.5\n",
	    "2: [chat] history: '1.5' is not a whole number");
	conf_refused("[chat]\nhistory = 0x10\n",
	    "2: [chat] history: '0x10' is not a whole number");
	conf_refused("[rooms]\nmax_rooms = 99999999999999999999\n",
	    "2: [rooms] max_rooms: '99999999999999999999' is not a whole "
	    "number");
}

static void
test_int_range(void **state)
{
	(void)state;
	conf_refused("[chat]\nmax_length = 0\n",
	    "2: [chat] max_length: 0 is out of range (1 to 65536)");
	conf_refused("[chat]\nmax_length = 65537\n",
	    "2: [chat] max_length: 65537 is out of range (1 to 65536)");
	conf_refused("[chat]\nhistory = -1\n",
	    "2: [chat] history: -1 is out of range (0 to 1000000)");
	conf_refused("[sessions]\nevents = 15\n",
	    "2: [sessions] events: 15 is out of range (16 to 1000000)");
	conf_refused("[log]\nverbose = 3\n",
	    "2: [log] verbose: 3 is out of range (0 to 2)");
	/* Larger than an int but within a long: no wrap-around. */
	conf_refused("[rooms]\nmax_rooms = 4294967297\n",
	    "2: [rooms] max_rooms: 4294967297 is out of range (1 to 1000000)");
}

static void
test_bad_seconds(void **state)
{
	(void)state;
	conf_refused("[node]\nlink_grace = soon\n",
	    "2: [node] link_grace: 'soon' is not a number of seconds");
	conf_refused("[node]\nlink_grace = 5s\n",
	    "2: [node] link_grace: '5s' is not a number of seconds");
	conf_refused("[node]\nlink_grace = nan\n",
	    "2: [node] link_grace: 'nan' is not a number of seconds");
	conf_refused("[node]\nlink_grace = inf\n",
	    "2: [node] link_grace: 'inf' is not a number of seconds");
	conf_refused("[node]\nlink_grace = 1e999\n",
	    "2: [node] link_grace: '1e999' is not a number of seconds");
	conf_refused("[node]\nlink_grace = 0\n",
	    "2: [node] link_grace: 0 is out of range (0.1 to 86400 seconds)");
	conf_refused("[node]\nlink_grace = 86400.5\n",
	    "2: [node] link_grace: 86400.5 is out of range (0.1 to 86400 "
	    "seconds)");
	conf_refused("[node]\nkeepalive = 90\n",
	    "2: [node] keepalive: 90 is out of range (0.05 to 60 seconds)");
	conf_refused("[node]\nkeepalive = -1\n",
	    "2: [node] keepalive: -1 is out of range (0.05 to 60 seconds)");
}

static void
test_bad_name(void **state)
{
	char	text[256], msg[256], name[NAME_MAX_LEN + 2];

	(void)state;
	conf_refused("[node]\nname = bad name\n",
	    "2: [node] name: 'bad name' is not a name (letters, digits, '.', "
	    "'_' and '-', 1 to 64)");
	conf_refused("[node]\nname = a/b\n",
	    "2: [node] name: 'a/b' is not a name (letters, digits, '.', "
	    "'_' and '-', 1 to 64)");
	memset(name, 'n', NAME_MAX_LEN + 1);
	name[NAME_MAX_LEN + 1] = '\0';
	snprintf(text, sizeof text, "[node]\nname = %s\n", name);
	snprintf(msg, sizeof msg, "2: [node] name: '%s' is not a name "
	    "(letters, digits, '.', '_' and '-', 1 to 64)", name);
	conf_refused(text, msg);
}

static void
test_empty_value(void **state)
{
	(void)state;
	conf_refused("[node]\nname =\n", "2: [node] name: empty value");
	conf_refused("[control]\nsocket = \n",
	    "2: [control] socket: empty value");
	conf_refused("[chat]\nhistory =\n",
	    "2: [chat] history: '' is not a whole number");
	conf_refused("[node]\nlink_grace =\n",
	    "2: [node] link_grace: '' is not a number of seconds");
}

/* Like every key, with its line. */
static void
test_bad_listen(void **state)
{
	(void)state;
	conf_refused("[node]\nlisten = host:99999\n",
	    "2: [node] listen: host:99999: bad port");
	conf_refused("[node]\nname = n\nlisten = [::1\n",
	    "3: [node] listen: [::1: missing ]");
	conf_refused("[node]\nlisten = :7700\n",
	    "2: [node] listen: :7700: bad host");
	conf_refused("[node]\nlisten =\n", "2: [node] listen: empty value");
}

static void
test_missing_file(void **state)
{
	struct config	*c = (struct config *)0x1;
	char		*cause = NULL;

	(void)state;
	assert_int_equal(config_load("/nonexistent/meet/meetd.conf", &c,
	    &cause), -1);
	assert_ptr_equal(c, (struct config *)0x1);
	assert_string_equal(cause, "/nonexistent/meet/meetd.conf: No such "
	    "file or directory");
	free(cause);
	/* A directory opens, and reads as nothing: it is no configuration. */
	cause = NULL;
	assert_int_equal(config_load("/tmp", &c, &cause), -1);
	assert_ptr_equal(c, (struct config *)0x1);
	assert_string_equal(cause, "/tmp: is a directory");
	free(cause);
}

/* Several errors: the first one, with its own line, is the one told. */
static void
test_first_error(void **state)
{
	(void)state;
	conf_refused("[chat]\nhistory = 1\nx = 1\n[log]\nverbose = 9\n",
	    "3: unknown key 'x' in [chat]");
	conf_refused("[log]\nverbose = 9\n[chat]\nx = 1\n",
	    "2: [log] verbose: 9 is out of range (0 to 2)");
	conf_refused("[foo]\na = 1\nb = 2\n[chat]\ny = 1\n",
	    "1: unknown section [foo]");
	/* An empty section after a syntax error, and before one. */
	conf_refused("[chat]\nnot a key\n[chta]\n", "2: syntax error");
	conf_refused("[chta]\n[chat]\nnot a key\n",
	    "1: unknown section [chta]");
	/* A bad value before a syntax error. */
	conf_refused("[chat]\nhistory = x\n[node\n",
	    "2: [chat] history: 'x' is not a whole number");
	/* A syntax error before a bad value. */
	conf_refused("[chat]\nnot a key\nhistory = x\n",
	    "2: syntax error");
	conf_refused("[node\n[chat]\nx = 1\n", "1: syntax error");
}

static void
test_syntax_error(void **state)
{
	(void)state;
	conf_refused("[node\n", "1: syntax error");
	conf_refused("[chat]\nhistory\n", "2: syntax error");
	conf_refused("[chat]\n\n\njust words\n", "4: syntax error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_empty),
		cmocka_unit_test(test_defaults_no_file),
		cmocka_unit_test(test_all_keys),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_last_wins),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_bad_int),
		cmocka_unit_test(test_int_range),
		cmocka_unit_test(test_bad_seconds),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_empty_value),
		cmocka_unit_test(test_bad_listen),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_first_error),
		cmocka_unit_test(test_syntax_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
