/*
 * Unit tests for the HTTP request reader (lib/http.c): what a browser
 * sends for the page and for a WebSocket upgrade, heads that arrive in
 * pieces, the limits, and the malformed requests it refuses with their
 * status; and the target's path and query decoding.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http.h"

static void	test_upgrade(void **);
static void	test_pieces(void **);
static void	test_tokens(void **);
static void	test_refused(void **);
static void	test_too_large(void **);
static void	test_too_many_headers(void **);
static void	test_path(void **);
static void	test_query(void **);
static int	refused(const char *);

static struct http_request	req;

static const char upgrade[] =
    "GET /ws HTTP/1.1\r\n"
    "Host: 127.0.0.1:7780\r\n"
    "Connection: keep-alive, Upgrade\r\n"
    "Pragma: no-cache\r\n"
    "Upgrade: websocket\r\n"
    "Origin: http://127.0.0.1:7780\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "\r\n";

/* The status a request is refused with, 0 if it is not. */
static int
refused(const char *s)
{
	char	err[128];
	int	status, n;

	n = http_parse(&req, s, strlen(s), &status, err, sizeof err);
	if (n > 0)
		return 0;
	assert_int_equal(n, -1);
	assert_true(err[0] != '\0');
	return status;
}

static void
test_upgrade(void **state)
{
	char	err[128];
	int	status, n;

	(void)state;
	n = http_parse(&req, upgrade, strlen(upgrade), &status, err,
	    sizeof err);
	assert_int_equal(n, (int)strlen(upgrade));
	assert_string_equal(req.method, "GET");
	assert_string_equal(req.target, "/ws");
	assert_int_equal(req.minor, 1);
	assert_int_equal(req.nheaders, 8);
	assert_string_equal(http_header(&req, "host"), "127.0.0.1:7780");
	assert_string_equal(http_header(&req, "SEC-WEBSOCKET-KEY"),
	    "dGhlIHNhbXBsZSBub25jZQ==");
	assert_null(http_header(&req, "Cookie"));
}

/* A head that comes a byte at a time is complete only at its end. */
static void
test_pieces(void **state)
{
	char	 err[128], buf[sizeof upgrade + 16];
	size_t	 len = strlen(upgrade), i;
	int	 status;

	(void)state;
	for (i = 0; i < len; i++)
		assert_int_equal(http_parse(&req, upgrade, i, &status, err,
		    sizeof err), 0);
	/* What follows the head is not the head's business. */
	snprintf(buf, sizeof buf, "%sGET /", upgrade);
	assert_int_equal(http_parse(&req, buf, strlen(buf), &status, err,
	    sizeof err), (int)len);
}

static void
test_tokens(void **state)
{
	char	err[128];
	int	status;
	const char *two = "GET /ws HTTP/1.1\r\nHost: x\r\n"
	    "Connection: keep-alive\r\nConnection: upgrade\r\n\r\n";

	(void)state;
	assert_true(http_parse(&req, upgrade, strlen(upgrade), &status, err,
	    sizeof err) > 0);
	assert_true(http_header_has_token(&req, "Connection", "upgrade"));
	assert_true(http_header_has_token(&req, "connection", "KEEP-ALIVE"));
	assert_false(http_header_has_token(&req, "Connection", "close"));
	assert_false(http_header_has_token(&req, "Connection", "Upgrad"));
	assert_true(http_header_has_token(&req, "Upgrade", "websocket"));
	/* A list may be split over several lines. */
	assert_true(http_parse(&req, two, strlen(two), &status, err,
	    sizeof err) > 0);
	assert_true(http_header_has_token(&req, "Connection", "Upgrade"));
}

static void
test_refused(void **state)
{
	(void)state;
	assert_int_equal(refused("GET / HTTP/1.1\nHost: x\n\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost\r: x\r\n\r\n"), 400);
	assert_int_equal(refused("\r\n\r\n"), 400);
	assert_int_equal(refused("GET\r\n\r\n"), 400);
	assert_int_equal(refused("GET /\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
	assert_int_equal(refused("GET / HTTP/1.1x\r\nHost: x\r\n\r\n"), 505);
	assert_int_equal(refused("GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n"),
	    400);
	assert_int_equal(refused("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	assert_int_equal(refused("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n"),
	    400);
	assert_int_equal(refused("GET / HTTP/1.1\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: a\r\n"
	    "Host: b\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    " folded\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    "A: \x7f\r\n\r\n"), 400);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"),
	    400);
	assert_int_equal(refused("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 5\r\n\r\n"), 413);
	assert_int_equal(refused("POST / HTTP/1.1\r\nHost: x\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), 501);
	/* A NUL is refused as soon as it comes. */
	{
		char	err[128];
		int	status;

		assert_int_equal(http_parse(&req, "GET /\0", 6, &status, err,
		    sizeof err), -1);
		assert_int_equal(status, 400);
	}
	/* HTTP/1.0 needs no Host; a zero length is no body. */
	assert_int_equal(refused("GET / HTTP/1.0\r\n\r\n"), 0);
	assert_int_equal(refused("GET / HTTP/1.1\r\nHost: x\r\n"
	    "Content-Length: 0\r\n\r\n"), 0);
}

static void
test_too_large(void **state)
{
	static char	big[HTTP_HEAD_MAX + 64];
	char		err[128];
	int		status;
	size_t		n;

	(void)state;
	n = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: x\r\n"
	    "Cookie: ");
	memset(big + n, 'a', sizeof big - n - 1);
	big[sizeof big - 1] = '\0';
	/* Not yet at the limit: more may come. */
	assert_int_equal(http_parse(&req, big, HTTP_HEAD_MAX - 1, &status, err,
	    sizeof err), 0);
	assert_int_equal(http_parse(&req, big, HTTP_HEAD_MAX, &status, err,
	    sizeof err), -1);
	assert_int_equal(status, 431);
	assert_int_equal(http_parse(&req, big, sizeof big - 1, &status, err,
	    sizeof err), -1);
	assert_int_equal(status, 431);
}

static void
test_too_many_headers(void **state)
{
	char	buf[4096];
	size_t	n;
	int	i;

	(void)state;
	n = (size_t)snprintf(buf, sizeof buf, "GET / HTTP/1.1\r\nHost: x\r\n");
	for (i = 1; i < HTTP_HEADERS_MAX; i++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "X-%d: y\r\n",
		    i);
	snprintf(buf + n, sizeof buf - n, "\r\n");
	assert_int_equal(refused(buf), 0);
	assert_int_equal(req.nheaders, HTTP_HEADERS_MAX);
	snprintf(buf + n, sizeof buf - n, "X-last: y\r\n\r\n");
	assert_int_equal(refused(buf), 431);
}

static void
test_path(void **state)
{
	char	out[16];

	(void)state;
	assert_int_equal(http_target_path("/app.js?x=1", out, sizeof out), 0);
	assert_string_equal(out, "/app.js");
	assert_int_equal(http_target_path("/a%20b#frag", out, sizeof out), 0);
	assert_string_equal(out, "/a b");
	assert_int_equal(http_target_path("/a+b", out, sizeof out), 0);
	assert_string_equal(out, "/a+b");
	assert_int_equal(http_target_path("/%00", out, sizeof out), -1);
	assert_int_equal(http_target_path("/%4", out, sizeof out), -1);
	assert_int_equal(http_target_path("/%zz", out, sizeof out), -1);
	assert_int_equal(http_target_path("/0123456789abcdef", out,
	    sizeof out), -1);
}

static void
test_query(void **state)
{
	char	out[32];

	(void)state;
	assert_int_equal(http_query_get("/?room=standup&name=al%C3%A9+x",
	    "room", out, sizeof out), 1);
	assert_string_equal(out, "standup");
	assert_int_equal(http_query_get("/?room=standup&name=al%C3%A9+x",
	    "name", out, sizeof out), 1);
	assert_string_equal(out, "al\xc3\xa9 x");
	assert_int_equal(http_query_get("/?roomy=1&join", "room", out,
	    sizeof out), 0);
	assert_int_equal(http_query_get("/?roomy=1&join", "join", out,
	    sizeof out), 1);
	assert_string_equal(out, "");
	assert_int_equal(http_query_get("/", "room", out, sizeof out), 0);
	assert_int_equal(http_query_get("/?room=%", "room", out, sizeof out),
	    -1);
	assert_int_equal(http_query_get("/?room=#x", "room", out, sizeof out),
	    1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_too_many_headers),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
