/*
 * A bounded queue of messages (audio chunks, whole JPEGs) for a
 * non-blocking file descriptor, such as a pipe to a reader that may be
 * slow.  A message is written whole or not at all: once its first byte is
 * written it stays at the head until its last is, and only messages not
 * yet started are dropped when the queue is full, oldest first.  Writing
 * to a pipe whose reader has gone raises SIGPIPE: the caller ignores it.
 */
#ifndef MEET_OUTQ_H
#define MEET_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/*
 * Counters, only ever increasing.  Every message pushed is written,
 * dropped or still queued (outq_count), and so is every byte but for the
 * head's: part of it may be written and the rest queued (outq_bytes).
 */
struct outq_stats {
	uint64_t	msgs;		/* pushed */
	uint64_t	bytes;
	uint64_t	written_msgs;	/* written whole */
	uint64_t	written_bytes;
	uint64_t	dropped_msgs;	/* dropped before any was written */
	uint64_t	dropped_bytes;
};

struct outq;

/*
 * A queue holding at most max_bytes bytes in at most max_msgs messages
 * not yet started, 0 for no limit; the head being written is counted in
 * neither.  The caller owns it and frees it with outq_free.
 */
struct outq	*outq_new(size_t, size_t);
void		 outq_free(struct outq *);

/*
 * Queue a copy of a message.  The oldest messages not yet started are
 * dropped to make room for it; a message longer than max_bytes is dropped
 * itself, and nothing else.  Returns how many messages this push dropped.
 */
size_t		 outq_push(struct outq *, const void *, size_t);

/*
 * Write as much as the descriptor takes: 0 when the queue is empty or the
 * descriptor would block, -1 with errno set on an error (EPIPE when the
 * reader has gone).
 */
int		 outq_write(struct outq *, int);

int		 outq_empty(const struct outq *);
/* Messages queued, and their bytes not yet written. */
size_t		 outq_count(const struct outq *);
size_t		 outq_bytes(const struct outq *);
const struct outq_stats *outq_stats(const struct outq *);

#endif
