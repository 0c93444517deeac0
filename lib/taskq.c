/*
 * Tasks posted to a thread (taskq.h).  A mutex guards a singly linked
 * FIFO; an eventfd wakes the owner when the queue goes from empty to
 * not empty, so that a burst of posts costs one wake-up.  taskq_run takes
 * the whole list at once and runs it without the lock, so a task may post
 * more (they run on the next call).
 */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "taskq.h"
#include "xmalloc.h"

struct task {
	taskq_fn	 fn;
	void		*arg;
	struct task	*next;
};

struct taskq {
	pthread_mutex_t	 lock;
	struct task	*head;
	struct task	*tail;
	size_t		 count;
	int		 fd;
};

/* A task that waits: taskq_call. */
struct task_wait {
	taskq_fn	 fn;
	void		*arg;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 done;
};

struct taskq *
taskq_new(void)
{
	struct taskq	*tq;

	tq = xcalloc(1, sizeof *tq);
	if ((tq->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		fatal("eventfd");
	pthread_mutex_init(&tq->lock, NULL);
	return tq;
}

/* Tasks still queued are dropped unrun: their arguments leak. */
void
taskq_free(struct taskq *tq)
{
	struct task	*t;

	if (tq == NULL)
		return;
	while ((t = tq->head) != NULL) {
		tq->head = t->next;
		free(t);
	}
	close(tq->fd);
	pthread_mutex_destroy(&tq->lock);
	free(tq);
}

int
taskq_fd(struct taskq *tq)
{
	return tq->fd;
}

void
taskq_post(struct taskq *tq, taskq_fn fn, void *arg)
{
	struct task	*t;
	uint64_t	 one = 1;
	int		 wake;

	t = xmalloc(sizeof *t);
	t->fn = fn;
	t->arg = arg;
	t->next = NULL;
	pthread_mutex_lock(&tq->lock);
	wake = tq->head == NULL;
	if (tq->tail != NULL)
		tq->tail->next = t;
	else
		tq->head = t;
	tq->tail = t;
	tq->count++;
	pthread_mutex_unlock(&tq->lock);
	/* The counter saturates long after anyone reads it: never fails. */
	if (wake && write(tq->fd, &one, sizeof one) != sizeof one &&
	    errno != EAGAIN)
		fatal("eventfd write");
}

static void
taskq_call_run(void *arg)
{
	struct task_wait	*w = arg;

	w->fn(w->arg);
	pthread_mutex_lock(&w->lock);
	w->done = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void
taskq_call(struct taskq *tq, taskq_fn fn, void *arg)
{
	struct task_wait	w;

	memset(&w, 0, sizeof w);
	w.fn = fn;
	w.arg = arg;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	taskq_post(tq, taskq_call_run, &w);
	pthread_mutex_lock(&w.lock);
	while (!w.done)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
}

/* Run what was posted so far, in order; returns how many ran. */
size_t
taskq_run(struct taskq *tq)
{
	struct task	*t, *next;
	uint64_t	 v;
	size_t		 n = 0;

	pthread_mutex_lock(&tq->lock);
	t = tq->head;
	tq->head = tq->tail = NULL;
	tq->count = 0;
	/* Cleared under the lock: a post after this wakes us again. */
	while (read(tq->fd, &v, sizeof v) == sizeof v)
		;
	pthread_mutex_unlock(&tq->lock);
	for (; t != NULL; t = next) {
		next = t->next;
		t->fn(t->arg);
		free(t);
		n++;
	}
	return n;
}

size_t
taskq_pending(struct taskq *tq)
{
	size_t	n;

	pthread_mutex_lock(&tq->lock);
	n = tq->count;
	pthread_mutex_unlock(&tq->lock);
	return n;
}
