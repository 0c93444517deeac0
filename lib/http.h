/*
 * HTTP/1.1 requests as a browser sends them to meetd's page: a request line
 * and headers (RFC 9112), no body.  The parser is strict and bounded: the
 * head is at most HTTP_HEAD_MAX bytes with at most HTTP_HEADERS_MAX
 * headers, lines end in CRLF, and anything else is refused with the status
 * a server answers.
 */
#ifndef MEET_HTTP_H
#define MEET_HTTP_H

#include <stddef.h>

#define HTTP_HEAD_MAX		8192	/* request line and headers */
#define HTTP_HEADERS_MAX	48
#define HTTP_METHOD_MAX		16

struct http_header {
	const char	*name;		/* into the request's copy */
	const char	*value;		/* leading and trailing space gone */
};

struct http_request {
	char			 method[HTTP_METHOD_MAX + 1];
	const char		*target;	/* origin-form: "/path?query" */
	int			 minor;		/* HTTP/1.minor */
	struct http_header	 headers[HTTP_HEADERS_MAX];
	int			 nheaders;
	char			 head[HTTP_HEAD_MAX + 1]; /* a copy, cut up */
};

/*
 * Parse the head at the start of data (len bytes so far).  The length of
 * the head, with its empty line, when it is complete; 0 when more bytes
 * are needed; -1 when it is refused, with the HTTP status to answer in
 * *status and why in err.
 */
int		 http_parse(struct http_request *, const char *, size_t, int *,
		     char *, size_t);
/* The value of a header (names are case-insensitive), or NULL. */
const char	*http_header(const struct http_request *, const char *);
/* How many times a header is given. */
int		 http_header_count(const struct http_request *, const char *);
/* Does a comma-separated header hold token (case-insensitive)? */
int		 http_header_has_token(const struct http_request *,
		     const char *, const char *);
/*
 * The target's path, percent-decoded, into out (outlen bytes): 0, or -1
 * when it is too long or decodes to a NUL or a bad escape.
 */
int		 http_target_path(const char *, char *, size_t);
/*
 * The value of key in the target's query (key=value&...), decoded ('+' is
 * a space): 1 when found, 0 when not, -1 when it is malformed or too long.
 */
int		 http_query_get(const char *, const char *, char *, size_t);
/* The reason phrase of a status this server sends. */
const char	*http_reason(int);

#endif
