/*
 * meetd: the meet node.  It reads its configuration, opens the control
 * socket and the link listener, tells systemd it is ready, and runs the
 * event loop until SIGTERM or SIGINT; SIGHUP rereads the configuration.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <systemd/sd-daemon.h>

#include "meetd.h"
#include "web.h"

#define DEFAULT_CONFIG	"/etc/meet/meetd.conf"

static struct event	*sig_term, *sig_int, *sig_hup;
static char		*config_path;
static int		 config_given;
static int		 verbose_flags;	/* how many -v */

static void	usage(void) __attribute__((noreturn));
static void	meetd_signal(evutil_socket_t, short, void *);
static void	meetd_shutdown(const char *);
static void	meetd_reload(void);
static void	meetd_node_id(void);
static void	meetd_identity(const char *);

static void
usage(void)
{
	fprintf(stderr, "usage: meetd [-nvV] [-f CONFIG] [-S SOCKET] "
	    "[-l ADDR:PORT]\n");
	exit(2);
}

/*
 * A random id, new at every start: peers see a restart of a node they know
 * by its key as a new instance of it, whose sessions are gone.
 */
static void
meetd_node_id(void)
{
	uint8_t	b[16];
	int	fd, i;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd == -1 || read(fd, b, sizeof b) != (ssize_t)sizeof b)
		fatal("/dev/urandom");
	close(fd);
	for (i = 0; i < 16; i++)
		snprintf(node_id + 2 * i, 3, "%02x", b[i]);
}

/*
 * The node's key (made on first start) and the file of the keys it knows,
 * at the configured paths or at defaults that follow the control socket.
 */
static void
meetd_identity(const char *socket_path)
{
	char	*path, *cause;

	path = cfg->node_key != NULL ? xstrdup(cfg->node_key) :
	    nodekey_default_path(socket_path, "key");
	if (nodekey_load(path, &cause) != 0)
		fatalx("[node] key: %s", cause);
	free(path);
	path = cfg->known_nodes != NULL ? xstrdup(cfg->known_nodes) :
	    nodekey_default_path(socket_path, "known_nodes");
	knownnodes_set_path(path);
	free(path);
	if (tls_init(&cause) != 0)
		fatalx("%s", cause);
	log_info("node key %s: %s", nodekey_path(), nodekey_own_fingerprint());
}

static void
meetd_reload(void)
{
	struct config	*new;
	struct room	*r;
	char		*cause;

	if (config_path == NULL) {
		log_info("reload: no configuration file; nothing to do");
		return;
	}
	if (config_load(config_path, &new, &cause) != 0) {
		log_warnx("reload: %s; keeping the running configuration",
		    cause);
		free(cause);
		return;
	}
	config_apply_reload(cfg, new);
	config_free(cfg);
	cfg = new;
	worker_reload();
	log_setverbose(cfg->verbose > verbose_flags ? cfg->verbose :
	    verbose_flags);
	TAILQ_FOREACH(r, &rooms, entry) {
		if ((size_t)cfg->chat_history != r->hsize)
			room_resize_history(r, (size_t)cfg->chat_history);
	}
	log_info("reloaded %s", config_path);
	sd_notify(0, "RELOADING=0\nREADY=1\nSTATUS=configuration reloaded");
}

static void
meetd_shutdown(const char *why)
{
	struct timeval	tv = { 0, 300000 };

	if (shutting_down)
		return;
	shutting_down = 1;
	log_info("shutting down (%s)", why);
	sd_notify(0, "STOPPING=1\nSTATUS=shutting down");
	room_end_all("the node is shutting down");
	spool_free_all();	/* kept files do not outlive the node */
	peer_close_all();
	remote_close_all();
	client_close_all();
	web_stop();
	control_stop();
	worker_stop();		/* after the rooms: their media ended first */
	listen_stop();
	/* A moment for goodbyes to leave the buffers. */
	event_base_loopexit(base, &tv);
}

static void
meetd_signal(evutil_socket_t sig, short events, void *arg)
{
	(void)events;
	(void)arg;
	if (sig == SIGHUP) {
		sd_notify(0, "RELOADING=1");
		meetd_reload();
		return;
	}
	meetd_shutdown(sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	struct node_addr na;
	const char	*socket_path = NULL, *listen_addr = NULL;
	char		 err[512];
	char		*cause, status[512];
	int		 ch, check = 0, *fds;
	u_int		 n;
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 'S' },
		{ "listen", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	log_init("meetd", 0, 0);
	while ((ch = getopt_long(argc, argv, "f:nS:l:vVh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			config_path = optarg;
			config_given = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'S':
			socket_path = optarg;
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'v':
			verbose_flags++;
			break;
		case 'V':
			printf("meetd %s\n", MEET_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!config_given) {
		config_path = DEFAULT_CONFIG;
		if (stat(config_path, &st) != 0 && errno == ENOENT)
			config_path = NULL;	/* embedded defaults */
	}
	if (config_load(config_path, &cfg, &cause) != 0) {
		fprintf(stderr, "meetd: %s\n", cause);
		free(cause);
		return 1;
	}
	if (listen_addr != NULL) {
		if (node_addr_parse(listen_addr, ADDR_DEFAULT_PORT, &na, err,
		    sizeof err) != 0) {
			fprintf(stderr, "meetd: -l %s\n", err);
			config_free(cfg);
			return 1;
		}
		free(cfg->listen);
		cfg->listen = xstrdup(listen_addr);
	}
	if (check) {
		printf("meetd: %s: configuration OK\n", config_path != NULL ?
		    config_path : "embedded defaults");
		config_free(cfg);
		return 0;
	}
	log_init("meetd", verbose_flags > cfg->verbose ? verbose_flags :
	    cfg->verbose, LOG_PRIORITY);
	signal(SIGPIPE, SIG_IGN);
	meetd_node_id();
	start_usec = now_usec();
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new failed");

	if (socket_path == NULL)
		socket_path = cfg->socket != NULL ? cfg->socket :
		    control_default_path();
	meetd_identity(socket_path);
	if ((dns = evdns_base_new(base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL &&
	    (dns = evdns_base_new(base, 0)) == NULL)
		fatalx("cannot set up a name resolver");
	if (control_start(socket_path, cfg->socket_group, &cause) != 0)
		fatalx("control socket %s", cause);
	n = cfg->workers > 0 ? (u_int)cfg->workers : worker_default_count();
	if (listen_start(cfg->listen, n, &fds, &cause) != 0) {
		control_stop();
		fatalx("%s", cause);
	}
	/* The default page address is tolerated in use (web.c says why). */
	if (web_start(cfg->web_listen, strcmp(cfg->web_listen,
	    WEB_LISTEN_DEFAULT) == 0, &cause) != 0) {
		listen_stop();
		control_stop();
		fatalx("%s", cause);
	}
	media_control_start();
	worker_start(n, fds);
	spool_start();		/* and sweep what a killed run left */
	sig_term = evsignal_new(base, SIGTERM, meetd_signal, NULL);
	sig_int = evsignal_new(base, SIGINT, meetd_signal, NULL);
	sig_hup = evsignal_new(base, SIGHUP, meetd_signal, NULL);
	evsignal_add(sig_term, NULL);
	evsignal_add(sig_int, NULL);
	evsignal_add(sig_hup, NULL);

	log_info("meetd %s node %s: listening on %s, control socket %s, "
	    "configuration %s", MEET_VERSION, cfg->node_name, listen_address,
	    control_path, config_path != NULL ? config_path :
	    "embedded defaults");
	snprintf(status, sizeof status, "listening on %s", listen_address);
	sd_notifyf(0, "READY=1\nSTATUS=%s\nMAINPID=%lu", status,
	    (unsigned long)getpid());

	event_base_dispatch(base);

	event_free(sig_term);
	event_free(sig_int);
	event_free(sig_hup);
	/*
	 * A name still being resolved is failed by evdns_base_free, and its
	 * request freed by the next pass of the loop: give it that pass.
	 */
	evdns_base_free(dns, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	tls_free();
	nodekey_free();
	knownnodes_free();
	free(control_path);
	config_free(cfg);
	log_info("stopped");
	return 0;
}
