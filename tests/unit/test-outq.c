/*
 * Unit tests for the output queue (lib/outq.c), over a real non-blocking
 * pipe shrunk to one page so that it fills quickly.  Every message starts
 * with its length and a sequence number and goes on with bytes made from
 * both, so the reader can check that what came out of the pipe is a run
 * of whole messages and which they are.  Cases: a message longer than the
 * pipe written in parts; a full pipe dropping the oldest messages not
 * started but never the head being written; the message count limit; a
 * message too long for the queue; more messages than one writev takes;
 * EPIPE; and a random run under the counters' bookkeeping.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "byteorder.h"
#include "outq.h"

#define HDR	8		/* length and sequence number */

struct reader {
	int	 fd;
	uint8_t	*buf;
	size_t	 len;
	size_t	 cap;
};

static void	test_partial(void **);
static void	test_full(void **);
static void	test_max_msgs(void **);
static void	test_too_long(void **);
static void	test_many(void **);
static void	test_epipe(void **);
static void	test_random(void **);
static size_t	open_pipe(int *, struct reader *);
static void	close_pipe(int, struct reader *);
static size_t	push(struct outq *, uint32_t, size_t);
static uint8_t	pattern(uint32_t, size_t);
static size_t	drain(struct reader *, size_t);
static void	flush(struct outq *, int, struct reader *);
static size_t	check_stream(const struct reader *, const uint32_t *, size_t);
static void	check_books(const struct outq *);
static uint32_t	lcg(uint32_t *);

/*
 * A non-blocking pipe of one page; returns its size.  fd gets the write
 * end, the reader the read end.
 */
static size_t
open_pipe(int *fd, struct reader *r)
{
	int	fds[2], size;

	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	size = fcntl(fds[1], F_SETPIPE_SZ, 4096);
	assert_true(size > 0);
	*fd = fds[1];
	memset(r, 0, sizeof *r);
	r->fd = fds[0];
	return (size_t)size;
}

static void
close_pipe(int fd, struct reader *r)
{
	close(fd);
	if (r->fd != -1)
		close(r->fd);
	free(r->buf);
}

static uint8_t
pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

/* Push message seq of len bytes (at least HDR): how many were dropped. */
static size_t
push(struct outq *oq, uint32_t seq, size_t len)
{
	uint8_t	*buf;
	size_t	 i, dropped;

	assert_true(len >= HDR);
	buf = malloc(len);
	assert_non_null(buf);
	put32(buf, (uint32_t)len);
	put32(buf + 4, seq);
	for (i = HDR; i < len; i++)
		buf[i] = pattern(seq, i);
	dropped = outq_push(oq, buf, len);
	free(buf);
	return dropped;
}

/* Read at most max bytes (0: all there is) from the pipe; how many. */
static size_t
drain(struct reader *r, size_t max)
{
	size_t	want, got = 0;
	ssize_t	n;

	for (;;) {
		want = 65536;
		if (max != 0 && max - got < want)
			want = max - got;
		if (want == 0)
			break;
		if (r->cap - r->len < want) {
			r->cap = r->cap * 2 > r->len + want ? r->cap * 2 :
			    r->len + want;
			r->buf = realloc(r->buf, r->cap);
			assert_non_null(r->buf);
		}
		n = read(r->fd, r->buf + r->len, want);
		if (n == -1 && errno == EAGAIN)
			break;
		assert_true(n >= 0);
		if (n == 0)
			break;
		r->len += n;
		got += n;
	}
	return got;
}

/* Read and write in turn until the queue is empty and the pipe too. */
static void
flush(struct outq *oq, int fd, struct reader *r)
{
	do {
		assert_int_equal(outq_write(oq, fd), 0);
		drain(r, 0);
	} while (!outq_empty(oq));
	assert_int_equal(outq_bytes(oq), 0);
	assert_int_equal(outq_count(oq), 0);
}

/*
 * The reader's stream is whole messages, each as it was pushed; when want
 * is not NULL they are messages want[0 .. n - 1] in order, else their
 * sequence numbers increase.  Returns how many there are.
 */
static size_t
check_stream(const struct reader *r, const uint32_t *want, size_t n)
{
	size_t		off = 0, k = 0, len, i;
	uint32_t	seq, last = 0;

	while (off < r->len) {
		assert_true(r->len - off >= HDR);
		len = get32(r->buf + off);
		seq = get32(r->buf + off + 4);
		assert_true(len >= HDR);
		assert_true(r->len - off >= len);
		for (i = HDR; i < len; i++)
			assert_int_equal(r->buf[off + i], pattern(seq, i));
		if (want != NULL) {
			assert_true(k < n);
			assert_int_equal(seq, want[k]);
		} else if (k > 0)
			assert_true(seq > last);
		last = seq;
		off += len;
		k++;
	}
	if (want != NULL)
		assert_int_equal(k, n);
	return k;
}

/* Every message and every byte pushed is written, dropped or queued. */
static void
check_books(const struct outq *oq)
{
	const struct outq_stats	*st = outq_stats(oq);

	assert_int_equal(st->msgs, st->written_msgs + st->dropped_msgs +
	    outq_count(oq));
	assert_int_equal(st->bytes, st->written_bytes + st->dropped_bytes +
	    outq_bytes(oq));
	assert_int_equal(outq_empty(oq), outq_count(oq) == 0);
}

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245 + 12345;
	return *x >> 8;
}

/* A message three pipes long goes in parts, and comes out whole. */
static void
test_partial(void **state)
{
	static const uint32_t		 want[] = { 1, 2 };
	struct outq			*oq = outq_new(0, 0);
	const struct outq_stats		*st = outq_stats(oq);
	struct reader			 r;
	size_t				 size, len, left;
	int				 fd;

	(void)state;
	size = open_pipe(&fd, &r);
	len = 3 * size;
	assert_int_equal(push(oq, 1, len), 0);
	assert_int_equal(push(oq, 2, 100), 0);
	assert_int_equal(outq_bytes(oq), len + 100);
	assert_int_equal(outq_write(oq, fd), 0);
	left = outq_bytes(oq);
	assert_true(left > 100 && left < len + 100);
	assert_int_equal(outq_count(oq), 2);
	assert_int_equal(st->written_bytes, len + 100 - left);
	assert_int_equal(st->written_msgs, 0);
	check_books(oq);

	/* Still full: nothing more goes. */
	assert_int_equal(outq_write(oq, fd), 0);
	assert_int_equal(outq_bytes(oq), left);

	/* A little room: the head goes on from where it stopped. */
	assert_int_equal(drain(&r, 10), 10);
	assert_int_equal(outq_write(oq, fd), 0);
	check_books(oq);

	flush(oq, fd, &r);
	check_stream(&r, want, 2);
	assert_int_equal(st->written_msgs, 2);
	assert_int_equal(st->written_bytes, len + 100);
	assert_int_equal(st->dropped_msgs, 0);
	check_books(oq);
	close_pipe(fd, &r);
	outq_free(oq);
}

/*
 * The pipe is full with the head half written: pushes past the byte limit
 * drop the oldest messages after it, never the head, which comes out
 * whole followed by the survivors.
 */
static void
test_full(void **state)
{
	static const uint32_t		 want[] = { 0, 4, 5, 7 };
	struct outq			*oq;
	const struct outq_stats		*st;
	struct reader			 r;
	size_t				 size;
	int				 fd;

	(void)state;
	size = open_pipe(&fd, &r);
	oq = outq_new(6000, 0);
	st = outq_stats(oq);
	assert_true(size + 1000 <= 6000);

	assert_int_equal(push(oq, 0, size + 1000), 0);
	assert_int_equal(outq_write(oq, fd), 0);
	assert_int_equal(outq_bytes(oq), 1000);

	/* The head is not counted: three of 2000 fill the 6000 bytes. */
	assert_int_equal(push(oq, 1, 2000), 0);
	assert_int_equal(push(oq, 2, 2000), 0);
	assert_int_equal(push(oq, 3, 2000), 0);
	assert_int_equal(outq_write(oq, fd), 0);
	assert_int_equal(outq_bytes(oq), 7000);

	assert_int_equal(push(oq, 4, 2000), 1);		/* 1 goes */
	assert_int_equal(push(oq, 5, 2500), 2);		/* 2 and 3 go */
	assert_int_equal(outq_count(oq), 3);
	assert_int_equal(outq_bytes(oq), 1000 + 2000 + 2500);
	assert_int_equal(st->dropped_msgs, 3);
	assert_int_equal(st->dropped_bytes, 6000);
	check_books(oq);

	/* Longer than the limit on its own: dropped itself, alone. */
	assert_int_equal(push(oq, 6, 6001), 1);
	assert_int_equal(outq_count(oq), 3);
	assert_int_equal(push(oq, 7, 1500), 0);
	assert_int_equal(st->dropped_msgs, 4);
	check_books(oq);

	flush(oq, fd, &r);
	check_stream(&r, want, 4);
	assert_int_equal(st->msgs, 8);
	assert_int_equal(st->written_msgs, 4);
	assert_int_equal(st->written_bytes, size + 1000 + 2000 + 2500 + 1500);
	check_books(oq);
	close_pipe(fd, &r);
	outq_free(oq);
}

/*
 * At most two messages not started: a head not yet started is the oldest
 * and goes first; a started one is not counted.
 */
static void
test_max_msgs(void **state)
{
	static const uint32_t		 want[] = { 2, 3, 10, 12, 13 };
	struct outq			*oq;
	struct reader			 r;
	size_t				 size;
	int				 fd;

	(void)state;
	size = open_pipe(&fd, &r);
	oq = outq_new(0, 2);
	assert_int_equal(push(oq, 1, 100), 0);
	assert_int_equal(push(oq, 2, 100), 0);
	assert_int_equal(push(oq, 3, 100), 1);
	assert_int_equal(outq_count(oq), 2);
	check_books(oq);
	flush(oq, fd, &r);

	/* Fill the pipe, leaving the head started. */
	assert_int_equal(push(oq, 10, size + 500), 0);
	assert_int_equal(outq_write(oq, fd), 0);
	assert_int_equal(outq_bytes(oq), 500);
	assert_int_equal(push(oq, 11, 100), 0);
	assert_int_equal(push(oq, 12, 100), 0);
	assert_int_equal(push(oq, 13, 100), 1);
	assert_int_equal(outq_count(oq), 3);
	check_books(oq);

	flush(oq, fd, &r);
	check_stream(&r, want, 5);
	assert_int_equal(outq_stats(oq)->dropped_msgs, 2);
	check_books(oq);
	close_pipe(fd, &r);
	outq_free(oq);
}

/* With nothing else queued, a message over the byte limit is still dropped. */
static void
test_too_long(void **state)
{
	struct outq	*oq = outq_new(100, 0);

	(void)state;
	assert_int_equal(push(oq, 1, 100), 0);
	assert_int_equal(push(oq, 2, 101), 1);
	assert_int_equal(outq_count(oq), 1);
	assert_int_equal(outq_bytes(oq), 100);
	assert_int_equal(push(oq, 3, 100), 1);		/* 1 goes */
	assert_int_equal(outq_stats(oq)->dropped_bytes, 201);
	check_books(oq);
	outq_free(oq);
	outq_free(NULL);
}

/* More small messages than one writev takes all go in one outq_write. */
static void
test_many(void **state)
{
	struct outq	*oq = outq_new(0, 0);
	struct reader	 r;
	uint32_t	 seq;
	int		 fd;

	(void)state;
	open_pipe(&fd, &r);
	assert_true(fcntl(fd, F_SETPIPE_SZ, 65536) >= 65536);
	for (seq = 0; seq < 3000; seq++)
		assert_int_equal(push(oq, seq, 16), 0);
	assert_int_equal(outq_write(oq, fd), 0);
	assert_true(outq_empty(oq));
	assert_int_equal(drain(&r, 0), 3000 * 16);
	assert_int_equal(check_stream(&r, NULL, 0), 3000);
	assert_int_equal(outq_stats(oq)->written_msgs, 3000);
	check_books(oq);
	close_pipe(fd, &r);
	outq_free(oq);
}

/* The reader has gone: EPIPE, and the message is still queued. */
static void
test_epipe(void **state)
{
	struct outq	*oq = outq_new(0, 0);
	struct reader	 r;
	int		 fd;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	open_pipe(&fd, &r);
	close(r.fd);
	r.fd = -1;
	push(oq, 1, 100);
	errno = 0;
	assert_int_equal(outq_write(oq, fd), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(outq_count(oq), 1);
	assert_int_equal(outq_bytes(oq), 100);
	assert_int_equal(outq_stats(oq)->written_bytes, 0);
	check_books(oq);
	close_pipe(fd, &r);
	outq_free(oq);
}

/*
 * Random pushes, writes and reads of random sizes: the books balance at
 * every step, the limits hold, and the reader gets whole messages in
 * order, as many as were written.
 */
static void
test_random(void **state)
{
	struct outq		*oq = outq_new(20000, 8);
	const struct outq_stats	*st = outq_stats(oq);
	struct reader		 r;
	uint32_t		 x = 42, seq = 0;
	u_int			 i;
	int			 fd;

	(void)state;
	open_pipe(&fd, &r);
	for (i = 0; i < 20000; i++) {
		switch (lcg(&x) % 4) {
		case 0:
		case 1:
			push(oq, seq++, HDR + lcg(&x) % 6000);
			break;
		case 2:
			assert_int_equal(outq_write(oq, fd), 0);
			break;
		case 3:
			drain(&r, 1 + lcg(&x) % 5000);
			break;
		}
		check_books(oq);
		assert_true(outq_count(oq) <= 8 + 1);
		assert_true(outq_bytes(oq) <= 20000 + 6008);
	}
	flush(oq, fd, &r);
	check_books(oq);
	assert_int_equal(st->msgs, seq);
	assert_true(st->dropped_msgs > 0);
	assert_true(st->written_msgs > 0);
	assert_int_equal(check_stream(&r, NULL, 0), st->written_msgs);
	assert_int_equal(r.len, st->written_bytes);
	close_pipe(fd, &r);
	outq_free(oq);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_max_msgs),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_epipe),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
