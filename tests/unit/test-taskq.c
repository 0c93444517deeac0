/*
 * Unit tests for the task queue (lib/taskq.c): tasks run in the order
 * posted, only when the owner runs the queue, and the eventfd says when
 * there is something to run; tasks posted by a task wait for the next run;
 * posts from several threads at once all arrive, each thread's in its
 * order; and taskq_call returns only after its task ran on the owner.
 */
#include <sys/types.h>

#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "taskq.h"

#define THREADS		4
#define PER_THREAD	20000

struct log {
	int	v[64];
	int	n;
};

static struct log	 order;
static struct taskq	*self_q;

static int
readable(struct taskq *tq)
{
	struct pollfd	pfd = { taskq_fd(tq), POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

static void
record(void *arg)
{
	order.v[order.n++] = (int)(intptr_t)arg;
}

static void
test_order(void **state)
{
	struct taskq	*tq = taskq_new();
	int		 i;

	(void)state;
	memset(&order, 0, sizeof order);
	assert_false(readable(tq));
	assert_int_equal(taskq_run(tq), 0);
	for (i = 1; i <= 5; i++)
		taskq_post(tq, record, (void *)(intptr_t)i);
	assert_int_equal(order.n, 0);		/* nothing runs on post */
	assert_true(readable(tq));
	assert_int_equal(taskq_pending(tq), 5);
	assert_int_equal(taskq_run(tq), 5);
	assert_false(readable(tq));
	assert_int_equal(order.n, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(order.v[i], i + 1);
	taskq_free(tq);
}

static void
repost(void *arg)
{
	record(arg);
	if ((intptr_t)arg < 3)
		taskq_post(self_q, repost, (void *)((intptr_t)arg + 1));
}

static void
test_post_from_task(void **state)
{
	(void)state;
	memset(&order, 0, sizeof order);
	self_q = taskq_new();
	taskq_post(self_q, repost, (void *)(intptr_t)1);
	assert_int_equal(taskq_run(self_q), 1);
	assert_true(readable(self_q));		/* the one it posted */
	assert_int_equal(taskq_run(self_q), 1);
	assert_int_equal(taskq_run(self_q), 1);
	assert_int_equal(taskq_run(self_q), 0);
	assert_int_equal(order.n, 3);
	assert_int_equal(order.v[2], 3);
	taskq_free(self_q);
}

struct counts {
	int	last[THREADS];
	int	total;
	int	bad;
};
static struct counts	 counts;

struct poster {
	struct taskq	*tq;
	int		 id;
};

static void
count(void *arg)
{
	intptr_t	v = (intptr_t)arg;
	int		id = (int)(v / PER_THREAD), seq = (int)(v % PER_THREAD);

	if (seq != counts.last[id] + 1)
		counts.bad++;
	counts.last[id] = seq;
	counts.total++;
}

static void *
post_many(void *arg)
{
	struct poster	*p = arg;
	int		 i;

	for (i = 1; i < PER_THREAD; i++)
		taskq_post(p->tq, count,
		    (void *)(intptr_t)(p->id * PER_THREAD + i));
	return NULL;
}

static void
test_threads(void **state)
{
	struct taskq	*tq = taskq_new();
	struct poster	 p[THREADS];
	pthread_t	 t[THREADS];
	struct pollfd	 pfd;
	int		 i, want = THREADS * (PER_THREAD - 1);

	(void)state;
	memset(&counts, 0, sizeof counts);
	for (i = 0; i < THREADS; i++) {
		p[i].tq = tq;
		p[i].id = i;
		assert_int_equal(pthread_create(&t[i], NULL, post_many,
		    &p[i]), 0);
	}
	/* The owner's loop: wait for the fd, run, until all arrived. */
	while (counts.total < want) {
		pfd.fd = taskq_fd(tq);
		pfd.events = POLLIN;
		assert_true(poll(&pfd, 1, 10000) == 1);
		taskq_run(tq);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(counts.total, want);
	assert_int_equal(counts.bad, 0);
	assert_int_equal(taskq_run(tq), 0);
	taskq_free(tq);
}

struct answer {
	pthread_t	caller;
	pthread_t	ran_on;
	int		value;
};

static void
answer(void *arg)
{
	struct answer	*a = arg;

	a->ran_on = pthread_self();
	a->value = 42;
}

static volatile int	 owner_stop;

static void
stop_owner(void *arg)
{
	(void)arg;
	owner_stop = 1;
}

static void *
owner(void *arg)
{
	struct taskq	*tq = arg;
	struct pollfd	 pfd;

	while (!owner_stop) {
		pfd.fd = taskq_fd(tq);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 10000) == 1)
			taskq_run(tq);
	}
	return NULL;
}

static void
test_call(void **state)
{
	struct taskq	*tq = taskq_new();
	struct answer	 a;
	pthread_t	 t;

	(void)state;
	owner_stop = 0;
	assert_int_equal(pthread_create(&t, NULL, owner, tq), 0);
	memset(&a, 0, sizeof a);
	taskq_call(tq, answer, &a);
	assert_int_equal(a.value, 42);		/* ran before call returned */
	assert_true(pthread_equal(a.ran_on, t));
	taskq_post(tq, stop_owner, NULL);
	pthread_join(t, NULL);
	taskq_free(tq);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_post_from_task),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_call),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
