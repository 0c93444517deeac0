/*
 * Addresses people type: "HOST[:PORT]" for nodes, "NAME[@HOST[:PORT]]" for
 * rooms.  HOST may be a bracketed IPv6 address.
 */
#ifndef MEET_ADDR_H
#define MEET_ADDR_H

#include <sys/socket.h>

#include <stddef.h>

#define ADDR_DEFAULT_PORT	7700
#define ADDR_HOST_MAX		256

struct node_addr {
	char	host[ADDR_HOST_MAX];
	int	port;
};

/* 0 and a filled addr, or -1 and why in err. defport when no port. */
int	node_addr_parse(const char *, int, struct node_addr *, char *,
	    size_t);
/*
 * The first socket address getaddrinfo gives for a parsed address, of
 * socktype (SOCK_DGRAM, SOCK_STREAM) in family (AF_UNSPEC: either), with
 * getaddrinfo's flags (AI_PASSIVE, AI_NUMERICHOST): 0 and *ss, or -1 and
 * why in err.
 */
int	node_addr_resolve(const struct node_addr *, int, int, int,
	    struct sockaddr_storage *, socklen_t *, char *, size_t);
/* "host:port" or "[v6]:port" into buf. */
void	node_addr_format(const struct node_addr *, char *, size_t);
/*
 * Split "NAME@HOST[:PORT]": 0 with the name in name (NAME_MAX_LEN + 1
 * bytes) and *remote 1 and addr filled when there is a host, *remote 0 when
 * not; -1 and why in err.
 */
int	room_addr_parse(const char *, char *, int *, struct node_addr *,
	    char *, size_t);

#endif
