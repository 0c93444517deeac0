/*
 * The TCP listener for node links, on the -l address, and beside it the
 * node's UDP port for media, of the same number.  Port 0 gives an ephemeral
 * port (the first whose number is free for both), which status reports.
 * The UDP port is one socket per media worker (worker.c), in one
 * SO_REUSEPORT group.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "meetd.h"

char				 listen_address[ADDR_HOST_MAX + 8];
static struct evconnlistener	*listener;
static int			 bound_port;
static struct sockaddr_storage	 udp_address;
static socklen_t		 udp_address_len;
static int			*udp_fds;
static u_int			 udp_nfds;

static void	listen_accept(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	listen_error(struct evconnlistener *, void *);

static void
listen_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	char	addr[ADDR_HOST_MAX + 8], host[ADDR_HOST_MAX + 8], why[256];

	(void)l;
	(void)arg;
	(void)salen;
	sockaddr_string(sa, addr, sizeof addr);
	if (shutting_down) {
		close(fd);
		return;
	}
	/* Before any TLS: strangers may not hold many handshakes open. */
	sockaddr_host(sa, host, sizeof host);
	if (link_may_accept(host, why, sizeof why) != 0) {
		log_warnx("link from %s refused: %s", addr, why);
		close(fd);
		return;
	}
	remote_accept(fd, addr, host);
}

static void
listen_error(struct evconnlistener *l, void *arg)
{
	(void)l;
	(void)arg;
	log_warn("accept on %s", listen_address);
}

/*
 * Listen on addr ("HOST:PORT"), with UDP sockets for n workers (their fds
 * in *fds); 0, or -1 with *cause.
 */
int
listen_start(const char *addr, u_int n, int **fds, char **cause)
{
	struct node_addr	 na;
	struct sockaddr_storage	 want, ss;
	socklen_t		 wantlen, sslen = sizeof ss;
	char			 err[256];
	int			 tries;

	if (node_addr_parse(addr, ADDR_DEFAULT_PORT, &na, err,
	    sizeof err) != 0) {
		xasprintf(cause, "listen address %s", err);
		return -1;
	}
	if (node_addr_resolve(&na, AF_UNSPEC, SOCK_STREAM, AI_PASSIVE, &want,
	    &wantlen, err, sizeof err) != 0) {
		xasprintf(cause, "listen address %s: %s", addr, err);
		return -1;
	}
	free(udp_fds);
	udp_fds = xcalloc(n, sizeof *udp_fds);
	udp_nfds = n;
	for (tries = 0;; tries++) {
		listener = evconnlistener_new_bind(base, listen_accept, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
		    LEV_OPT_CLOSE_ON_EXEC, 64, (struct sockaddr *)&want,
		    (int)wantlen);
		if (listener == NULL) {
			xasprintf(cause, "listen on %s: %s", addr,
			    strerror(errno));
			return -1;
		}
		evconnlistener_set_error_cb(listener, listen_error);
		sslen = sizeof ss;
		if (getsockname(evconnlistener_get_fd(listener),
		    (struct sockaddr *)&ss, &sslen) != 0) {
			xasprintf(cause, "listen on %s: cannot read the bound "
			    "address", addr);
			return -1;
		}
		if (worker_open_sockets((struct sockaddr *)&ss, sslen,
		    udp_nfds, udp_fds, cause) == 0)
			break;
		evconnlistener_free(listener);
		listener = NULL;
		/* An ephemeral TCP port may be taken for UDP: another. */
		if (na.port != 0 || tries == 20)
			return -1;
		free(*cause);
	}
	sockaddr_string((struct sockaddr *)&ss, listen_address,
	    sizeof listen_address);
	bound_port = sockaddr_port((struct sockaddr *)&ss);
	memcpy(&udp_address, &ss, sizeof udp_address);
	udp_address_len = sslen;
	*fds = udp_fds;
	return 0;
}

/* The node's UDP address (plain-RTP participants get ports beside it). */
int
listen_udp_address(struct sockaddr_storage *ss, socklen_t *len)
{
	if (udp_address_len == 0)
		return -1;
	memcpy(ss, &udp_address, sizeof *ss);
	*len = udp_address_len;
	return 0;
}

/* The bound port: the node's UDP port too. */
int
listen_port(void)
{
	return bound_port;
}

void
listen_stop(void)
{
	if (listener != NULL) {
		evconnlistener_free(listener);
		listener = NULL;
	}
	/* The workers' sockets close with the workers. */
	free(udp_fds);
	udp_fds = NULL;
}
