/*
 * A bounded output queue of whole messages for a non-blocking descriptor.
 *
 * Each message is one allocation holding its bytes and how many of them
 * are written; the queue is a tail queue of them, written with writev from
 * the head.  Only the head can be started, so the limits are checked
 * against the messages after it (or from it, while it is not started), and
 * dropping takes the first of those.  The head is bounded as well: it was
 * within the limits when it was pushed.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "outq.h"
#include "xmalloc.h"

#ifndef IOV_MAX
#define IOV_MAX		1024
#endif

struct outq_msg {
	TAILQ_ENTRY(outq_msg)	 entry;
	size_t			 len;
	size_t			 off;		/* bytes written */
	uint8_t			 data[];
};
TAILQ_HEAD(outq_msgs, outq_msg);

struct outq {
	struct outq_msgs	 msgs;		/* the queue owns them */
	size_t			 count;		/* messages queued */
	size_t			 bytes;		/* of them, not yet written */
	size_t			 max_bytes;	/* unstarted; 0: no limit */
	size_t			 max_msgs;
	struct outq_stats	 stats;
};

static struct outq_msg *outq_unstarted(const struct outq *);
static int	 outq_fits(const struct outq *, size_t);
static void	 outq_remove(struct outq *, struct outq_msg *);
static void	 outq_advance(struct outq *, size_t);

struct outq *
outq_new(size_t max_bytes, size_t max_msgs)
{
	struct outq	*oq;

	oq = xcalloc(1, sizeof *oq);
	TAILQ_INIT(&oq->msgs);
	oq->max_bytes = max_bytes;
	oq->max_msgs = max_msgs;
	return oq;
}

void
outq_free(struct outq *oq)
{
	struct outq_msg	*m;

	if (oq == NULL)
		return;
	while ((m = TAILQ_FIRST(&oq->msgs)) != NULL)
		outq_remove(oq, m);
	free(oq);
}

size_t
outq_push(struct outq *oq, const void *buf, size_t len)
{
	struct outq_msg	*m;
	size_t		 dropped = 0;

	oq->stats.msgs++;
	oq->stats.bytes += len;
	if (oq->max_bytes != 0 && len > oq->max_bytes) {
		oq->stats.dropped_msgs++;
		oq->stats.dropped_bytes += len;
		return 1;
	}
	while (!outq_fits(oq, len)) {
		m = outq_unstarted(oq);
		oq->stats.dropped_msgs++;
		oq->stats.dropped_bytes += m->len;
		outq_remove(oq, m);
		dropped++;
	}

	if (len > SIZE_MAX - sizeof *m)
		fatalx("%s: %zu bytes", __func__, len);
	m = xmalloc(sizeof *m + len);
	m->len = len;
	m->off = 0;
	if (len > 0)
		memcpy(m->data, buf, len);
	TAILQ_INSERT_TAIL(&oq->msgs, m, entry);
	oq->count++;
	oq->bytes += len;
	return dropped;
}

int
outq_write(struct outq *oq, int fd)
{
	struct iovec	 iov[IOV_MAX];
	struct outq_msg	*m;
	size_t		 total, rest;
	ssize_t		 n;
	int		 niov;

	while (!TAILQ_EMPTY(&oq->msgs)) {
		niov = 0;
		total = 0;
		TAILQ_FOREACH(m, &oq->msgs, entry) {
			rest = m->len - m->off;
			if (niov == IOV_MAX || rest > SSIZE_MAX - total)
				break;
			iov[niov].iov_base = m->data + m->off;
			iov[niov].iov_len = rest;
			niov++;
			total += rest;
		}

		n = writev(fd, iov, niov);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		outq_advance(oq, n);

		/* A short write: the descriptor has taken what it can. */
		if ((size_t)n < total)
			return 0;
	}
	return 0;
}

int
outq_empty(const struct outq *oq)
{
	return TAILQ_EMPTY(&oq->msgs);
}

size_t
outq_count(const struct outq *oq)
{
	return oq->count;
}

size_t
outq_bytes(const struct outq *oq)
{
	return oq->bytes;
}

const struct outq_stats *
outq_stats(const struct outq *oq)
{
	return &oq->stats;
}

/* The oldest message of which nothing is written yet, or NULL. */
static struct outq_msg *
outq_unstarted(const struct outq *oq)
{
	struct outq_msg	*m;

	m = TAILQ_FIRST(&oq->msgs);
	if (m != NULL && m->off > 0)
		m = TAILQ_NEXT(m, entry);
	return m;
}

/* Whether the unstarted messages leave room for one of len bytes. */
static int
outq_fits(const struct outq *oq, size_t len)
{
	const struct outq_msg	*head = TAILQ_FIRST(&oq->msgs);
	size_t			 bytes = oq->bytes, count = oq->count;

	if (head != NULL && head->off > 0) {
		bytes -= head->len - head->off;
		count--;
	}
	if (oq->max_bytes != 0 && bytes > oq->max_bytes - len)
		return 0;
	if (oq->max_msgs != 0 && count >= oq->max_msgs)
		return 0;
	return 1;
}

static void
outq_remove(struct outq *oq, struct outq_msg *m)
{
	TAILQ_REMOVE(&oq->msgs, m, entry);
	oq->count--;
	oq->bytes -= m->len - m->off;
	free(m);
}

/* Account for n bytes written from the head on. */
static void
outq_advance(struct outq *oq, size_t n)
{
	struct outq_msg	*m;
	size_t		 rest;

	oq->stats.written_bytes += n;
	while ((m = TAILQ_FIRST(&oq->msgs)) != NULL) {
		rest = m->len - m->off;
		if (n < rest) {
			m->off += n;
			oq->bytes -= n;
			break;
		}
		n -= rest;
		oq->stats.written_msgs++;
		outq_remove(oq, m);
	}
}
