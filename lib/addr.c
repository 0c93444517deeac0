/* Parsing node and room addresses, and resolving them. */
#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <stdint.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "text.h"

static int	addr_host_valid(const char *, size_t);

/*
 * No brackets inside a host, so that what node_addr_format prints reads
 * back as the same address, and no spaces or control characters, which
 * no host name holds and which errors would print.
 */
static int
addr_host_valid(const char *host, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (host[i] == '[' || host[i] == ']' ||
		    (uint8_t)host[i] <= ' ' || host[i] == 0x7f)
			return 0;
	}
	return 1;
}

int
node_addr_resolve(const struct node_addr *a, int family, int socktype,
    int flags, struct sockaddr_storage *ss, socklen_t *sslen, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res;
	char		 serv[16];
	int		 r;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = flags | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%d", a->port);
	if ((r = getaddrinfo(a->host, serv, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s", gai_strerror(r));
		return -1;
	}
	if (res->ai_addrlen > sizeof *ss) {
		snprintf(err, errlen, "an address too long");
		freeaddrinfo(res);
		return -1;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
node_addr_parse(const char *s, int defport, struct node_addr *a, char *err,
    size_t errlen)
{
	const char	*host = s, *colon, *end;
	size_t		 hlen;
	long		 port = defport;
	char		*ep;

	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			snprintf(err, errlen, "%s: missing ]", s);
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(end - host);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL) {
			snprintf(err, errlen, "%s: junk after ]", s);
			return -1;
		}
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon)
			colon = NULL;	/* a bare IPv6 address */
		hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (hlen == 0 || hlen >= ADDR_HOST_MAX ||
	    !addr_host_valid(host, hlen)) {
		snprintf(err, errlen, "%s: bad host", s);
		return -1;
	}
	if (colon != NULL) {
		/* Digits only: strtol alone would take a sign or spaces. */
		port = strtol(colon + 1, &ep, 10);
		if (!isdigit((unsigned char)colon[1]) || *ep != '\0' ||
		    port < 0 || port > 65535) {
			snprintf(err, errlen, "%s: bad port", s);
			return -1;
		}
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	a->port = (int)port;
	return 0;
}

void
node_addr_format(const struct node_addr *a, char *buf, size_t len)
{
	if (strchr(a->host, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", a->host, a->port);
	else
		snprintf(buf, len, "%s:%d", a->host, a->port);
}

int
room_addr_parse(const char *s, char *name, int *remote, struct node_addr *a,
    char *err, size_t errlen)
{
	const char	*at = strchr(s, '@');
	size_t		 nlen = at != NULL ? (size_t)(at - s) : strlen(s);
	char		 buf[NAME_MAX_LEN + 1];

	if (nlen == 0 || nlen > NAME_MAX_LEN) {
		snprintf(err, errlen, "bad room name: %s", s);
		return -1;
	}
	memcpy(buf, s, nlen);
	buf[nlen] = '\0';
	if (name_valid(buf) != 0) {
		snprintf(err, errlen, "bad room name: %s (letters, digits, "
		    "'.', '_' and '-', 1 to %d of them)", buf, NAME_MAX_LEN);
		return -1;
	}
	memcpy(name, buf, nlen + 1);
	*remote = 0;
	if (at == NULL)
		return 0;
	if (node_addr_parse(at + 1, ADDR_DEFAULT_PORT, a, err, errlen) != 0)
		return -1;
	*remote = 1;
	return 0;
}
