/*
 * Media workers (DESIGN.md section 3): threads, each with its own event
 * base and its own socket on the node's UDP port, that run the media of
 * the rooms given to them: forwarding, mixing, recording, plain-RTP
 * participants.  A room's media lives on exactly one worker, and nothing
 * a worker owns is touched by another thread: the control thread (clients,
 * sessions, rooms, node links) and the workers talk only by posting tasks
 * to each other's queue (lib/taskq.c), each task carrying what it needs.
 * Control may wait for a worker's answer (worker_call); a worker never
 * waits for control.
 *
 * The workers' sockets form one SO_REUSEPORT group on the node's port.  A
 * classic BPF program steers each datagram by its SSRC (an RTCP packet by
 * its sender's): the SSRCs of a room's streams are given out by this node
 * so that SSRC mod workers names the room's worker (media-control.c).
 * Media of rooms on other nodes, for sessions here, comes to another
 * socket, the far socket of the one worker that runs that peer's media
 * (far.c), and never through control.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <linux/filter.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "taskq.h"

#include "meetd.h"

#define WORKERS_MAX	256

struct worker {
	u_int			 index;
	pthread_t		 thread;
	int			 started;
	struct event_base	*base;
	struct taskq		*tq;
	struct event		*tq_ev;
	int			 fd;		/* on the node's UDP port */
	struct config		*cfg;		/* its own copy */
	u_int			 rooms;		/* given to it, by control */
};

__thread struct worker	*worker_self;
u_int			 nworkers;
static struct worker	*workers;
static struct taskq	*control_tq;
static struct event	*control_tq_ev;

/* Workers when [media] workers is 0: the cores this process may use. */
u_int
worker_default_count(void)
{
	cpu_set_t	set;
	int		n;

	if (sched_getaffinity(0, sizeof set, &set) == 0 &&
	    (n = CPU_COUNT(&set)) > 0)
		return n > WORKERS_MAX ? WORKERS_MAX : (u_int)n;
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > WORKERS_MAX ? WORKERS_MAX : (u_int)n;
}

/*
 * n sockets bound to sa in one SO_REUSEPORT group, steered by SSRC when
 * there are several; 0, or -1 and *cause with none left open.
 */
int
worker_open_sockets(const struct sockaddr *sa, socklen_t salen, u_int n,
    int *fds, char **cause)
{
	struct sock_filter	 code[] = {
		/* A = the second byte: RTCP's packet type is 192-223. */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 1),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 192, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 223, 1, 0),
		/* RTCP: the sender's SSRC, at 4. */
		BPF_JUMP(BPF_JMP | BPF_JA, 2, 0, 0),
		/* RTP: the SSRC, at 8. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 8),
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4),
		BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, n),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};
	struct sock_fprog	 prog = { sizeof code / sizeof code[0], code };
	char			 addr[ADDR_HOST_MAX + 8];
	u_int			 i;
	int			 one = 1, size = 2 * 1024 * 1024;

	sockaddr_string(sa, addr, sizeof addr);
	for (i = 0; i < n; i++) {
		fds[i] = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fds[i] == -1) {
			xasprintf(cause, "udp socket: %s", strerror(errno));
			goto fail;
		}
		(void)setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof size);
		if (n > 1 && setsockopt(fds[i], SOL_SOCKET, SO_REUSEPORT, &one,
		    sizeof one) != 0) {
			xasprintf(cause, "udp %s: SO_REUSEPORT: %s", addr,
			    strerror(errno));
			i++;
			goto fail;
		}
		if (bind(fds[i], sa, salen) != 0) {
			xasprintf(cause, "udp bind %s: %s", addr,
			    strerror(errno));
			i++;
			goto fail;
		}
		/* Steering is the group's: set once, on its first socket. */
		if (n > 1 && i == 0 && setsockopt(fds[0], SOL_SOCKET,
		    SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog) != 0) {
			xasprintf(cause, "udp %s: cannot steer by SSRC "
			    "(SO_ATTACH_REUSEPORT_CBPF): %s", addr,
			    strerror(errno));
			i++;
			goto fail;
		}
	}
	return 0;
fail:
	while (i-- > 0)
		close(fds[i]);
	return -1;
}

static void
worker_tasks(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	taskq_run(arg);
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;

	worker_self = w;
	base = w->base;
	cfg = w->cfg;
	media_worker_begin(w->fd);
	event_base_dispatch(w->base);
	/* What was posted before the stop task ran with it; nothing after. */
	media_worker_end();
	event_free(w->tq_ev);
	cfg = NULL;
	config_free(w->cfg);
	w->cfg = NULL;
	return NULL;
}

/* Start n workers on the node's sockets fds (theirs from now on). */
void
worker_start(u_int n, const int *fds)
{
	struct worker	*w;
	u_int		 i;
	int		 error;

	control_tq = taskq_new();
	control_tq_ev = event_new(base, taskq_fd(control_tq),
	    EV_READ | EV_PERSIST, worker_tasks, control_tq);
	event_add(control_tq_ev, NULL);
	nworkers = n;
	workers = xcalloc(n, sizeof *workers);
	for (i = 0; i < n; i++) {
		w = &workers[i];
		w->index = i;
		w->fd = fds[i];
		if ((w->base = event_base_new()) == NULL)
			fatalx("event_base_new failed");
		w->tq = taskq_new();
		w->tq_ev = event_new(w->base, taskq_fd(w->tq),
		    EV_READ | EV_PERSIST, worker_tasks, w->tq);
		event_add(w->tq_ev, NULL);
		w->cfg = config_copy(cfg);
		if ((error = pthread_create(&w->thread, NULL, worker_main,
		    w)) != 0)
			fatalx("worker thread: %s", strerror(error));
		w->started = 1;
	}
	log_info("%u media worker%s", n, n == 1 ? "" : "s");
}

static void
worker_exit(void *arg)
{
	(void)arg;
	event_base_loopbreak(base);
}

/* Stop the workers: what they were given before this is done first. */
void
worker_stop(void)
{
	struct worker	*w;
	u_int		 i;

	for (i = 0; i < nworkers; i++) {
		w = &workers[i];
		if (!w->started)
			continue;
		taskq_post(w->tq, worker_exit, NULL);
		pthread_join(w->thread, NULL);
		w->started = 0;
		/* Tasks posted to it after its stop: none, by construction. */
		taskq_free(w->tq);
		event_base_free(w->base);
	}
	free(workers);
	workers = NULL;
	nworkers = 0;
	/* Their last words. */
	if (control_tq != NULL) {
		taskq_run(control_tq);
		event_free(control_tq_ev);
		taskq_free(control_tq);
		control_tq = NULL;
	}
}

struct worker *
worker_get(u_int i)
{
	return i < nworkers ? &workers[i] : NULL;
}

u_int
worker_index(const struct worker *w)
{
	return w->index;
}

/* The worker for a new room: the one with the fewest. */
struct worker *
worker_take(void)
{
	struct worker	*w = NULL;
	u_int		 i;

	for (i = 0; i < nworkers; i++) {
		if (w == NULL || workers[i].rooms < w->rooms)
			w = &workers[i];
	}
	if (w != NULL)
		w->rooms++;
	return w;
}

void
worker_release(struct worker *w)
{
	if (w != NULL && w->rooms > 0)
		w->rooms--;
}

void
worker_post(struct worker *w, void (*fn)(void *), void *arg)
{
	taskq_post(w->tq, fn, arg);
}

/* Run fn on w and wait for it: control only. */
void
worker_call(struct worker *w, void (*fn)(void *), void *arg)
{
	taskq_call(w->tq, fn, arg);
}

void
control_post(void (*fn)(void *), void *arg)
{
	taskq_post(control_tq, fn, arg);
}

static void
worker_set_config(void *arg)
{
	config_free(cfg);
	cfg = worker_self->cfg = arg;
}

/* After a reload: each worker gets its copy of the new configuration. */
void
worker_reload(void)
{
	u_int	i;

	for (i = 0; i < nworkers; i++)
		taskq_post(workers[i].tq, worker_set_config, config_copy(cfg));
}
