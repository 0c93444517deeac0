/*
 * A strict reader of HTTP/1.1 request heads (RFC 9112) for meetd's page
 * and its WebSocket upgrade.  It takes what browsers send and refuses the
 * rest: no bare LF, no folded lines, no space before a header's colon, no
 * control characters, no body, and a bounded head.  The head is copied and
 * cut in place, so a request owns everything it points to.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"

static int	http_is_tchar(int);
static int	http_fail(int *, char *, size_t, int, const char *);
static int	http_parse_request_line(struct http_request *, char *, int *,
		    char *, size_t);
static int	http_parse_header(struct http_request *, char *, int *, char *,
		    size_t);
static int	http_hex(int);
static int	http_decode(const char *, size_t, int, char *, size_t);

/* A token character (RFC 9110 5.6.2). */
static int
http_is_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_fail(int *status, char *err, size_t errlen, int code, const char *why)
{
	*status = code;
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* "METHOD SP /target SP HTTP/1.x", NUL-terminated, in place. */
static int
http_parse_request_line(struct http_request *req, char *line, int *status,
    char *err, size_t errlen)
{
	char	*sp, *target, *version;
	size_t	 n, i;

	if ((sp = strchr(line, ' ')) == NULL)
		return http_fail(status, err, errlen, 400,
		    "request line has no target");
	n = (size_t)(sp - line);
	if (n == 0 || n > HTTP_METHOD_MAX)
		return http_fail(status, err, errlen, 400, "bad method");
	for (i = 0; i < n; i++) {
		if (!http_is_tchar((unsigned char)line[i]))
			return http_fail(status, err, errlen, 400,
			    "bad method");
	}
	memcpy(req->method, line, n);
	req->method[n] = '\0';
	target = sp + 1;
	if ((sp = strchr(target, ' ')) == NULL)
		return http_fail(status, err, errlen, 400,
		    "request line has no version");
	*sp = '\0';
	version = sp + 1;
	if (*target != '/')
		return http_fail(status, err, errlen, 400,
		    "target is not a path");
	for (i = 0; target[i] != '\0'; i++) {
		if ((unsigned char)target[i] <= 0x20 ||
		    (unsigned char)target[i] >= 0x7f)
			return http_fail(status, err, errlen, 400,
			    "bad character in the target");
	}
	if (strncmp(version, "HTTP/1.", 7) != 0 ||
	    version[7] < '0' || version[7] > '9' || version[8] != '\0')
		return http_fail(status, err, errlen, 505,
		    "not HTTP/1.x");
	req->target = target;
	req->minor = version[7] - '0';
	return 0;
}

/* "name: value", NUL-terminated, in place. */
static int
http_parse_header(struct http_request *req, char *line, int *status,
    char *err, size_t errlen)
{
	char	*colon, *value, *end;
	size_t	 i;

	if (*line == ' ' || *line == '\t')
		return http_fail(status, err, errlen, 400,
		    "folded header line");
	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return http_fail(status, err, errlen, 400,
		    "header line without a name");
	for (i = 0; line + i < colon; i++) {
		if (!http_is_tchar((unsigned char)line[i]))
			return http_fail(status, err, errlen, 400,
			    "bad character in a header name");
	}
	if (req->nheaders == HTTP_HEADERS_MAX)
		return http_fail(status, err, errlen, 431,
		    "too many header lines");
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (i = 0; value[i] != '\0'; i++) {
		/* Visible ASCII, space, tab and obs-text. */
		if (((unsigned char)value[i] < 0x20 && value[i] != '\t') ||
		    (unsigned char)value[i] == 0x7f)
			return http_fail(status, err, errlen, 400,
			    "control character in a header value");
	}
	req->headers[req->nheaders].name = line;
	req->headers[req->nheaders].value = value;
	req->nheaders++;
	return 0;
}

int
http_parse(struct http_request *req, const char *data, size_t len,
    int *status, char *err, size_t errlen)
{
	const char	*end = NULL;
	char		*line, *eol;
	size_t		 n, i;

	*status = 0;
	/* A NUL or a bare LF anywhere in the head is refused as it comes. */
	n = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	for (i = 0; i < n; i++) {
		if (data[i] == '\0')
			return http_fail(status, err, errlen, 400,
			    "NUL in the request");
		if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
			return http_fail(status, err, errlen, 400,
			    "line ends without CR");
		if (data[i] == '\r' && i + 1 < n && data[i + 1] != '\n')
			return http_fail(status, err, errlen, 400,
			    "CR without LF");
		if (i >= 3 && memcmp(data + i - 3, "\r\n\r\n", 4) == 0) {
			end = data + i + 1;
			break;
		}
	}
	if (end == NULL) {
		if (len >= HTTP_HEAD_MAX)
			return http_fail(status, err, errlen, 431,
			    "request head is too large");
		return 0;
	}
	n = (size_t)(end - data);
	memset(req, 0, sizeof *req);
	memcpy(req->head, data, n);
	req->head[n] = '\0';

	line = req->head;
	if (line[0] == '\r')
		return http_fail(status, err, errlen, 400,
		    "empty request line");
	eol = strstr(line, "\r\n");
	*eol = '\0';
	if (http_parse_request_line(req, line, status, err, errlen) != 0)
		return -1;
	for (line = eol + 2; *line != '\r'; line = eol + 2) {
		eol = strstr(line, "\r\n");
		*eol = '\0';
		if (http_parse_header(req, line, status, err, errlen) != 0)
			return -1;
	}
	/* This server takes no bodies: nothing may follow unannounced. */
	if (http_header(req, "Transfer-Encoding") != NULL)
		return http_fail(status, err, errlen, 501,
		    "request has a body (Transfer-Encoding)");
	if (http_header_count(req, "Content-Length") > 0 &&
	    strcmp(http_header(req, "Content-Length"), "0") != 0)
		return http_fail(status, err, errlen, 413,
		    "request has a body (Content-Length)");
	if (req->minor >= 1 && http_header_count(req, "Host") != 1)
		return http_fail(status, err, errlen, 400,
		    "HTTP/1.1 needs exactly one Host header");
	return (int)n;
}

const char *
http_header(const struct http_request *req, const char *name)
{
	int	i;

	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	}
	return NULL;
}

int
http_header_count(const struct http_request *req, const char *name)
{
	int	i, n = 0;

	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0)
			n++;
	}
	return n;
}

/* Every line of the header counts: a list may be split over several. */
int
http_header_has_token(const struct http_request *req, const char *name,
    const char *token)
{
	const char	*p, *q;
	size_t		 tlen = strlen(token), n;
	int		 i;

	for (i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) != 0)
			continue;
		for (p = req->headers[i].value; *p != '\0'; p = q) {
			while (*p == ' ' || *p == '\t' || *p == ',')
				p++;
			for (q = p; *q != '\0' && *q != ','; q++)
				;
			n = (size_t)(q - p);
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (n == tlen && strncasecmp(p, token, n) == 0)
				return 1;
		}
	}
	return 0;
}

static int
http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode len bytes of s (and '+' when plus is set) into out. */
static int
http_decode(const char *s, size_t len, int plus, char *out, size_t outlen)
{
	size_t	i, o = 0;
	int	hi, lo, c;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (len - i < 3 || (hi = http_hex(s[i + 1])) == -1 ||
			    (lo = http_hex(s[i + 2])) == -1)
				return -1;
			c = hi << 4 | lo;
			i += 2;
			if (c == 0)
				return -1;
		} else if (c == '+' && plus)
			c = ' ';
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
http_target_path(const char *target, char *out, size_t outlen)
{
	return http_decode(target, strcspn(target, "?#"), 0, out, outlen);
}

int
http_query_get(const char *target, const char *key, char *out,
    size_t outlen)
{
	const char	*p, *amp, *eq;
	size_t		 klen = strlen(key);

	if ((p = strchr(target, '?')) == NULL)
		return 0;
	for (p++; *p != '\0' && *p != '#'; p = *amp == '&' ? amp + 1 : amp) {
		amp = p + strcspn(p, "&#");
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if ((size_t)(eq - p) != klen || strncmp(p, key, klen) != 0)
			continue;
		if (eq == amp)
			return http_decode("", 0, 1, out, outlen) == 0 ? 1 : -1;
		if (http_decode(eq + 1, (size_t)(amp - eq - 1), 1, out,
		    outlen) != 0)
			return -1;
		return 1;
	}
	return 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	}
	return "Error";
}
