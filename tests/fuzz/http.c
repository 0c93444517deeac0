/*
 * Fuzzing the HTTP request reader (lib/http.c) as meetd's page port uses
 * it: the input is what a client sent, read as it would arrive.  A head
 * that parses must end in its empty line, every header must point into
 * the request's own copy, a prefix of a good head must ask for more
 * rather than fail, a refusal must give a status and a reason, and the
 * target's path and query must decode without harm.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http.h"

static void	http_check(const struct http_request *);

static struct http_request	req;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* What a parsed request promises. */
static void
http_check(const struct http_request *r)
{
	const char	*lo = r->head, *hi = r->head + sizeof r->head;
	char		 path[1024], value[256];
	int		 i;

	if (r->target < lo || r->target >= hi || r->target[0] != '/')
		abort();
	if (r->nheaders < 0 || r->nheaders > HTTP_HEADERS_MAX)
		abort();
	for (i = 0; i < r->nheaders; i++) {
		if (r->headers[i].name < lo || r->headers[i].name >= hi ||
		    r->headers[i].value < lo || r->headers[i].value >= hi)
			abort();
		if (r->headers[i].name[0] == '\0')
			abort();
		if (http_header(r, r->headers[i].name) == NULL)
			abort();
	}
	if (http_target_path(r->target, path, sizeof path) == 0 &&
	    strlen(path) >= sizeof path)
		abort();
	if (http_query_get(r->target, "room", value, sizeof value) == 1 &&
	    strlen(value) >= sizeof value)
		abort();
	(void)http_header_has_token(r, "Connection", "upgrade");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*p = (const char *)data;
	char		 err[256];
	int		 n, m, status;

	err[0] = '\0';
	n = http_parse(&req, p, size, &status, err, sizeof err);
	if (n < 0) {
		if (status < 400 || status > 599 || err[0] == '\0')
			abort();	/* a refusal says what and why */
		return 0;
	}
	if (n == 0) {
		if (size >= HTTP_HEAD_MAX)
			abort();	/* no waiting past the limit */
		return 0;
	}
	if ((size_t)n > size || n < 4 || memcmp(p + n - 4, "\r\n\r\n", 4) != 0)
		abort();
	http_check(&req);
	/* The same head alone parses the same; one byte short, it waits. */
	if (http_parse(&req, p, (size_t)n, &status, err, sizeof err) != n)
		abort();
	m = http_parse(&req, p, (size_t)n - 1, &status, err, sizeof err);
	if (m != 0)
		abort();
	return 0;
}
