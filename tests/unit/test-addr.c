/*
 * Unit tests for the addresses people type (lib/addr.c): node_addr_parse on
 * names, IPv4, bracketed and bare IPv6, the port range and the default port;
 * node_addr_format back to text; room_addr_parse on NAME and NAME@HOST[:PORT].
 */
#include <sys/socket.h>

#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "text.h"

static void	test_node_host(void **);
static void	test_node_port(void **);
static void	test_node_ipv6(void **);
static void	test_node_bad(void **);
static void	test_node_bad_port(void **);
static void	test_node_host_length(void **);
static void	test_node_format(void **);
static void	test_room_local(void **);
static void	test_room_remote(void **);
static void	test_room_bad(void **);
static void	node_good(const char *, int, const char *, int);
static void	node_refused(const char *, const char *);
static void	room_refused(const char *, const char *);

/* s must parse to host and port, defport standing for a missing port. */
static void
node_good(const char *s, int defport, const char *host, int port)
{
	struct node_addr	a;
	char			err[512] = "";

	memset(&a, 0xee, sizeof a);
	if (node_addr_parse(s, defport, &a, err, sizeof err) != 0)
		fail_msg("%s: refused: %s", s, err);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);
	assert_string_equal(err, "");
}

/* s must be refused with exactly msg. */
static void
node_refused(const char *s, const char *msg)
{
	struct node_addr	a;
	char			err[512] = "";

	if (node_addr_parse(s, ADDR_DEFAULT_PORT, &a, err, sizeof err) != -1)
		fail_msg("%s: accepted as host '%s' port %d", s, a.host,
		    a.port);
	assert_string_equal(err, msg);
}

/* The room address s must be refused with exactly msg. */
static void
room_refused(const char *s, const char *msg)
{
	struct node_addr	a;
	char			name[NAME_MAX_LEN + 1] = "", err[512] = "";
	int			remote = -1;

	assert_int_equal(room_addr_parse(s, name, &remote, &a, err,
	    sizeof err), -1);
	assert_string_equal(err, msg);
}

static void
test_node_host(void **state)
{
	(void)state;
	node_good("localhost", 7700, "localhost", 7700);
	node_good("localhost", 1234, "localhost", 1234);
	node_good("127.0.0.1", ADDR_DEFAULT_PORT, "127.0.0.1", 7700);
	node_good("hub.example.org", 9, "hub.example.org", 9);
	node_good("h", 7700, "h", 7700);
}

/* host:port over the whole range; the port given beats the default. */
static void
test_node_port(void **state)
{
	(void)state;
	node_good("localhost:7701", 7700, "localhost", 7701);
	node_good("10.0.0.2:80", 7700, "10.0.0.2", 80);
	node_good("host:0", 7700, "host", 0);
	node_good("host:1", 7700, "host", 1);
	node_good("host:65535", 7700, "host", 65535);
	node_good("host:007", 7700, "host", 7);
}

static void
test_node_ipv6(void **state)
{
	(void)state;
	node_good("[::1]:7700", 1, "::1", 7700);
	node_good("[::1]:0", 1, "::1", 0);
	node_good("[::1]", 7700, "::1", 7700);
	node_good("[fe80::1%eth0]:99", 7700, "fe80::1%eth0", 99);
	node_good("[2001:db8::7]:65535", 7700, "2001:db8::7", 65535);
	/* Bare: every colon belongs to the address. */
	node_good("::1", 7700, "::1", 7700);
	node_good("2001:db8::7", 5, "2001:db8::7", 5);
	node_good("::", 7700, "::", 7700);
	/* Brackets around a name or IPv4 address are taken off. */
	node_good("[127.0.0.1]:8", 7700, "127.0.0.1", 8);
}

static void
test_node_bad(void **state)
{
	(void)state;
	node_refused("", ": bad host");
	node_refused(":7700", ":7700: bad host");
	node_refused(":", ":: bad host");
	node_refused("[::1", "[::1: missing ]");
	node_refused("[", "[: missing ]");
	node_refused("[]", "[]: bad host");
	node_refused("[]:7700", "[]:7700: bad host");
	node_refused("[::1]x", "[::1]x: junk after ]");
	node_refused("[::1]7700", "[::1]7700: junk after ]");
	node_refused("[::1]]", "[::1]]: junk after ]");
}

static void
test_node_bad_port(void **state)
{
	(void)state;
	node_refused("host:", "host:: bad port");
	node_refused("host:65536", "host:65536: bad port");
	node_refused("host:99999999999999999999", "host:99999999999999999999: "
	    "bad port");
	node_refused("host:-1", "host:-1: bad port");
	node_refused("host:x", "host:x: bad port");
	node_refused("host:80x", "host:80x: bad port");
	node_refused("host:0x50", "host:0x50: bad port");
	node_refused("[::1]:", "[::1]:: bad port");
	node_refused("[::1]:65536", "[::1]:65536: bad port");
	node_refused("[::1]:x", "[::1]:x: bad port");
	/* Only digits: no sign, no space. */
	node_refused("host:+80", "host:+80: bad port");
	node_refused("host:-0", "host:-0: bad port");
	node_refused("host: 80", "host: 80: bad port");
	node_refused("[::1]: 80", "[::1]: 80: bad port");
}

/* A host of ADDR_HOST_MAX - 1 bytes fits, one more does not. */
static void
test_node_host_length(void **state)
{
	char	s[ADDR_HOST_MAX + 16], host[ADDR_HOST_MAX + 16];
	char	msg[ADDR_HOST_MAX + 32];

	(void)state;
	memset(s, 'h', ADDR_HOST_MAX - 1);
	s[ADDR_HOST_MAX - 1] = '\0';
	strcpy(host, s);
	node_good(s, 7700, host, 7700);
	strcat(s, ":1");
	node_good(s, 7700, host, 1);
	s[0] = '[';
	memset(s + 1, 'a', ADDR_HOST_MAX - 1);
	strcpy(s + ADDR_HOST_MAX, "]:2");
	memset(host, 'a', ADDR_HOST_MAX - 1);
	node_good(s, 7700, host, 2);

	memset(s, 'h', ADDR_HOST_MAX);
	s[ADDR_HOST_MAX] = '\0';
	snprintf(msg, sizeof msg, "%s: bad host", s);
	node_refused(s, msg);
	strcat(s, ":1");
	snprintf(msg, sizeof msg, "%s: bad host", s);
	node_refused(s, msg);

	s[0] = '[';
	memset(s + 1, 'a', ADDR_HOST_MAX);
	strcpy(s + 1 + ADDR_HOST_MAX, "]:1");
	snprintf(msg, sizeof msg, "%s: bad host", s);
	node_refused(s, msg);
}

/* IPv6 addresses get brackets, and the result parses to the same. */
static void
test_node_format(void **state)
{
	struct node_addr	a, b;
	char			buf[ADDR_HOST_MAX + 16], err[128];
	const char		*in[] = { "host:7700", "127.0.0.1:0",
				    "[::1]:65535", "[2001:db8::7]:1" };
	size_t			i;

	(void)state;
	strcpy(a.host, "example.org");
	a.port = 7700;
	node_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "example.org:7700");
	strcpy(a.host, "::1");
	a.port = 0;
	node_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "[::1]:0");
	/* A short buffer is cut, not overrun. */
	memset(buf, 'Z', sizeof buf);
	node_addr_format(&a, buf, 4);
	assert_string_equal(buf, "[::");
	assert_int_equal(buf[4], 'Z');

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		assert_int_equal(node_addr_parse(in[i], 1, &a, err,
		    sizeof err), 0);
		node_addr_format(&a, buf, sizeof buf);
		assert_string_equal(buf, in[i]);
		assert_int_equal(node_addr_parse(buf, 1, &b, err, sizeof err),
		    0);
		assert_string_equal(a.host, b.host);
		assert_int_equal(a.port, b.port);
	}
	/* A bare IPv6 address with the default port comes out bracketed. */
	assert_int_equal(node_addr_parse("fe80::2", 7700, &a, err, sizeof err),
	    0);
	node_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "[fe80::2]:7700");
}

static void
test_room_local(void **state)
{
	struct node_addr	a;
	char			name[NAME_MAX_LEN + 1], err[256] = "";
	char			s[NAME_MAX_LEN + 1];
	int			remote = -1;

	(void)state;
	assert_int_equal(room_addr_parse("standup", name, &remote, &a, err,
	    sizeof err), 0);
	assert_string_equal(name, "standup");
	assert_int_equal(remote, 0);

	memset(s, 'r', NAME_MAX_LEN);
	s[NAME_MAX_LEN] = '\0';
	remote = -1;
	assert_int_equal(room_addr_parse(s, name, &remote, &a, err,
	    sizeof err), 0);
	assert_string_equal(name, s);
	assert_int_equal(remote, 0);
	assert_string_equal(err, "");
}

static void
test_room_remote(void **state)
{
	struct node_addr	a;
	char			name[NAME_MAX_LEN + 1], err[256] = "";
	char			s[NAME_MAX_LEN + 16];
	int			remote = -1;

	(void)state;
	assert_int_equal(room_addr_parse("standup@host", name, &remote, &a,
	    err, sizeof err), 0);
	assert_string_equal(name, "standup");
	assert_int_equal(remote, 1);
	assert_string_equal(a.host, "host");
	assert_int_equal(a.port, ADDR_DEFAULT_PORT);

	remote = -1;
	assert_int_equal(room_addr_parse("standup@host:1234", name, &remote,
	    &a, err, sizeof err), 0);
	assert_string_equal(name, "standup");
	assert_int_equal(remote, 1);
	assert_string_equal(a.host, "host");
	assert_int_equal(a.port, 1234);

	assert_int_equal(room_addr_parse("r.1@[::1]:7701", name, &remote, &a,
	    err, sizeof err), 0);
	assert_string_equal(name, "r.1");
	assert_string_equal(a.host, "::1");
	assert_int_equal(a.port, 7701);

	/* The longest name with a host. */
	memset(s, 'q', NAME_MAX_LEN);
	strcpy(s + NAME_MAX_LEN, "@h:1");
	assert_int_equal(room_addr_parse(s, name, &remote, &a, err,
	    sizeof err), 0);
	s[NAME_MAX_LEN] = '\0';
	assert_string_equal(name, s);
	assert_string_equal(a.host, "h");
	assert_int_equal(a.port, 1);
	assert_string_equal(err, "");
}

static void
test_room_bad(void **state)
{
	char	s[NAME_MAX_LEN + 16], msg[NAME_MAX_LEN + 64];

	(void)state;
	room_refused("", "bad room name: ");
	room_refused("@host", "bad room name: @host");
	room_refused("@", "bad room name: @");
	room_refused("stand up", "bad room name: stand up (letters, digits, "
	    "'.', '_' and '-', 1 to 64 of them)");
	room_refused("a/b@host", "bad room name: a/b (letters, digits, '.', "
	    "'_' and '-', 1 to 64 of them)");
	room_refused("caf\xc3\xa9", "bad room name: caf\xc3\xa9 (letters, "
	    "digits, '.', '_' and '-', 1 to 64 of them)");
	room_refused("a:b", "bad room name: a:b (letters, digits, '.', '_' "
	    "and '-', 1 to 64 of them)");

	memset(s, 'r', NAME_MAX_LEN + 1);
	s[NAME_MAX_LEN + 1] = '\0';
	snprintf(msg, sizeof msg, "bad room name: %s", s);
	room_refused(s, msg);
	strcat(s, "@host");
	snprintf(msg, sizeof msg, "bad room name: %s", s);
	room_refused(s, msg);

	/* A good name with a bad host: the host's error. */
	room_refused("standup@", ": bad host");
	room_refused("standup@host:", "host:: bad port");
	room_refused("standup@host:65536", "host:65536: bad port");
	room_refused("standup@[::1", "[::1: missing ]");
	room_refused("standup@:1", ":1: bad host");
}

/* node_addr_resolve: numeric addresses of either family, and refusals. */
static void
test_node_resolve(void **state)
{
	struct node_addr	 na;
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	char			 err[256];

	(void)state;
	assert_int_equal(node_addr_parse("127.0.0.1:5004", 0, &na, err,
	    sizeof err), 0);
	assert_int_equal(node_addr_resolve(&na, AF_UNSPEC, SOCK_DGRAM,
	    AI_NUMERICHOST, &ss, &len, err, sizeof err), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 5004);
	assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr),
	    0x7f000001);

	assert_int_equal(node_addr_parse("[::1]:7", 0, &na, err, sizeof err),
	    0);
	assert_int_equal(node_addr_resolve(&na, AF_UNSPEC, SOCK_STREAM,
	    AI_NUMERICHOST, &ss, &len, err, sizeof err), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 7);

	/* An IPv6 address asked for in IPv4 is refused, with why. */
	err[0] = '\0';
	assert_int_equal(node_addr_resolve(&na, AF_INET, SOCK_DGRAM,
	    AI_NUMERICHOST, &ss, &len, err, sizeof err), -1);
	assert_true(err[0] != '\0');

	/* A name where a numeric address is needed is refused. */
	assert_int_equal(node_addr_parse("no-such-host.invalid:9", 0, &na,
	    err, sizeof err), 0);
	assert_int_equal(node_addr_resolve(&na, AF_UNSPEC, SOCK_DGRAM,
	    AI_NUMERICHOST, &ss, &len, err, sizeof err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_node_host),
		cmocka_unit_test(test_node_port),
		cmocka_unit_test(test_node_ipv6),
		cmocka_unit_test(test_node_bad),
		cmocka_unit_test(test_node_bad_port),
		cmocka_unit_test(test_node_host_length),
		cmocka_unit_test(test_node_format),
		cmocka_unit_test(test_node_resolve),
		cmocka_unit_test(test_room_local),
		cmocka_unit_test(test_room_remote),
		cmocka_unit_test(test_room_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
