/*
 * A queue of tasks for one thread, posted from any thread: each task is a
 * function and its argument, run in the order posted by the thread that
 * owns the queue when it calls taskq_run (typically when taskq_fd, an
 * eventfd, becomes readable in its event loop).  A task's argument
 * belongs to the task: whatever it points at is handed over whole, so no
 * state is ever shared between threads through a queue.
 *
 * taskq_call posts a task and waits until it has run: the answer of a
 * question to another thread.  Only a thread that never waits on the
 * caller may be asked (meetd: control asks workers, never the reverse).
 */
#ifndef MEET_TASKQ_H
#define MEET_TASKQ_H

#include <stddef.h>

typedef void (*taskq_fn)(void *);

struct taskq;

struct taskq	*taskq_new(void);
void		 taskq_free(struct taskq *);
int		 taskq_fd(struct taskq *);
void		 taskq_post(struct taskq *, taskq_fn, void *);
void		 taskq_call(struct taskq *, taskq_fn, void *);
size_t		 taskq_run(struct taskq *);
size_t		 taskq_pending(struct taskq *);

#endif
