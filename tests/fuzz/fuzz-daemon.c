/*
 * The daemon set up inside a fuzzer (see fuzz-daemon.h): what meetd.c's
 * main() does, in the same order, split into what is done once (the
 * namespace, the node's key, TLS) and what every input gets anew (the
 * configuration, the event loop, the resolver, the listener, one media
 * worker), and its SIGTERM path to undo the second part.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <net/if.h>

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>

#include "../../meetd/meetd.h"
#include "fuzz-daemon.h"

/* Passes of the loop in a settle: more than any chain of callbacks. */
#define FUZZ_SETTLE_PASSES	64
#define FUZZ_SETTLE_ROUNDS	4

static char	 fuzz_dir[64];		/* the private folder */
static int	 fuzz_started;

/* arc4random's state for this input, and its lock: workers call it too. */
static uint64_t		 fuzz_random;
static pthread_mutex_t	 fuzz_random_lock = PTHREAD_MUTEX_INITIALIZER;

static void	fuzz_daemon_netns(void);
static void	fuzz_daemon_cleanup(void);
static int	fuzz_daemon_rm(const char *, const struct stat *, int,
		    struct FTW *);
static void	fuzz_daemon_noop(void *);
static char	*fuzz_daemon_path(const char *);
static uint64_t	 fuzz_daemon_random(void);

/*
 * A network namespace with loopback alone: an input may name any address
 * (join ROOM@HOST, rtp --peer) and the node may connect or send to it,
 * but only this namespace's loopback answers.  Without one the harness
 * would reach real hosts, so it refuses to run.
 */
static void
fuzz_daemon_netns(void)
{
	struct ifreq	ifr;
	int		s;

	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "fuzz-daemon: a network namespace of its own "
		    "(unshare CLONE_NEWNET, as root): %s\n", strerror(errno));
		exit(1);
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		fatal("fuzz-daemon: socket");
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		fatal("fuzz-daemon: lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
		fatal("fuzz-daemon: lo up");
	close(s);
}

static int
fuzz_daemon_rm(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	remove(path);
	return 0;
}

static void
fuzz_daemon_cleanup(void)
{
	if (fuzz_dir[0] != '\0')
		nftw(fuzz_dir, fuzz_daemon_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* A path in the private folder; the caller frees it. */
static char *
fuzz_daemon_path(const char *name)
{
	char	*path;

	xasprintf(&path, "%s/%s", fuzz_dir, name);
	return path;
}

/*
 * The daemon's random numbers (session, transfer and file ids, SSRCs) come
 * from arc4random, which this file takes the place of in a fuzzer's binary:
 * a generator (splitmix64) started anew for each input, so that an input
 * does the same every time it runs and a finding replays.  TLS takes its
 * randomness from OpenSSL, which is not affected.
 */
static uint64_t
fuzz_daemon_random(void)
{
	uint64_t	z;

	z = (fuzz_random += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
arc4random_buf(void *buf, size_t len)
{
	uint8_t		*p = buf;
	uint64_t	 v;
	size_t		 n;

	pthread_mutex_lock(&fuzz_random_lock);
	while (len > 0) {
		v = fuzz_daemon_random();
		n = len < sizeof v ? len : sizeof v;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	pthread_mutex_unlock(&fuzz_random_lock);
}

uint32_t
arc4random(void)
{
	uint32_t	v;

	arc4random_buf(&v, sizeof v);
	return v;
}

uint32_t
arc4random_uniform(uint32_t upper)
{
	uint32_t	v, min;

	if (upper < 2)
		return 0;
	min = -upper % upper;	/* 2^32 % upper: no value is favoured */
	do
		v = arc4random();
	while (v < min);
	return v % upper;
}

/* Once per process, before any input, with the harness's name. */
void
fuzz_daemon_init(const char *name)
{
	char	*path, *cause;

	log_init(name, 0, 0);
	signal(SIGPIPE, SIG_IGN);
	fuzz_daemon_netns();
	snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/meet-%s-XXXXXX", name);
	if (mkdtemp(fuzz_dir) == NULL)
		fatal("fuzz-daemon: mkdtemp");
	atexit(fuzz_daemon_cleanup);

	/* A fixed node id: the same input gives the same node. */
	snprintf(node_id, sizeof node_id, "%032x", 0x6d656574);
	path = fuzz_daemon_path("key");
	if (nodekey_load(path, &cause) != 0)
		fatalx("fuzz-daemon: [node] key: %s", cause);
	free(path);
	if (tls_init(&cause) != 0)
		fatalx("fuzz-daemon: %s", cause);
}

/* A new node, as main() makes one, on an ephemeral port. */
void
fuzz_daemon_start(void)
{
	char	*cause, *path;
	int	*fds;

	if (fuzz_started)
		fatalx("fuzz-daemon: started twice");
	path = fuzz_daemon_path("node");
	if (mkdir(path, 0700) != 0)
		fatal("fuzz-daemon: %s", path);
	free(path);
	cfg = config_defaults();
	free(cfg->listen);
	cfg->listen = xstrdup("127.0.0.1:0");
	free(cfg->spool);
	cfg->spool = fuzz_daemon_path("node/spool");
	free(cfg->record_dir);
	cfg->record_dir = fuzz_daemon_path("node/recordings");
	cfg->workers = 1;
	path = fuzz_daemon_path("node/known_nodes");
	knownnodes_set_path(path);
	free(path);

	pthread_mutex_lock(&fuzz_random_lock);
	fuzz_random = 0x6d656574;
	pthread_mutex_unlock(&fuzz_random_lock);
	shutting_down = 0;
	start_usec = now_usec();
	if ((base = event_base_new()) == NULL)
		fatalx("fuzz-daemon: event_base_new failed");
	/* No name servers: a name fails at once, the same every time. */
	if ((dns = evdns_base_new(base, 0)) == NULL)
		fatalx("fuzz-daemon: cannot set up a name resolver");
	if (listen_start(cfg->listen, 1, &fds, &cause) != 0)
		fatalx("fuzz-daemon: %s", cause);
	media_control_start();
	worker_start(1, fds);
	fuzz_started = 1;
}

static void
fuzz_daemon_noop(void *arg)
{
	(void)arg;
}

/*
 * Run what there is to run now, and no timer that is not due: each worker
 * is waited for (what control posted to it is done, and what it posted
 * back is queued), then the loop runs until nothing is active.
 */
void
fuzz_daemon_settle(void)
{
	struct worker	*w;
	u_int		 i;
	int		 round, pass;

	for (round = 0; round < FUZZ_SETTLE_ROUNDS; round++) {
		for (i = 0; (w = worker_get(i)) != NULL; i++)
			worker_call(w, fuzz_daemon_noop, NULL);
		for (pass = 0; pass < FUZZ_SETTLE_PASSES; pass++) {
			event_base_loop(base, EVLOOP_NONBLOCK);
			if (event_base_get_num_events(base,
			    EVENT_BASE_COUNT_ACTIVE) == 0)
				break;
		}
	}
}

/* As meetd_shutdown, then what main() frees when its loop has ended. */
void
fuzz_daemon_stop(void)
{
	char	*path;

	if (!fuzz_started)
		return;
	shutting_down = 1;
	room_end_all("the node is shutting down");
	spool_free_all();
	peer_close_all();
	remote_close_all();
	client_close_all();
	worker_stop();
	listen_stop();
	fuzz_daemon_settle();

	/*
	 * A name still being resolved is failed by evdns_base_free, and its
	 * request freed by a callback of the loop: one more settle, or that
	 * request leaks (main() frees the base without one, at exit).
	 */
	evdns_base_free(dns, 1);
	dns = NULL;
	fuzz_daemon_settle();
	event_base_free(base);
	base = NULL;
	config_free(cfg);
	cfg = NULL;
	/*
	 * What this node wrote (shared files, recordings, the keys of nodes
	 * it met) is not there for the next input's node.
	 */
	path = fuzz_daemon_path("node");
	nftw(path, fuzz_daemon_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
	fuzz_started = 0;
}
