/*
 * Packets read ahead of their time: a recording's pictures, chat lines and
 * mix wait here, a queue for each, in the order they were read, until the
 * clock (rec-play.c) or the output frame (rec-render.c) comes to them.
 * Tracks are not in time order in the file (meetd writes a chat line only
 * when the next one comes): reading ahead finds each packet before its
 * time, and a queue per kind keeps one kind from waiting behind another.
 */
#include <stdlib.h>

#include "log.h"
#include "rec.h"
#include "xmalloc.h"

/* A packet and its time since the recording started; owns pkt. */
struct rec_item {
	AVPacket	*pkt;
	int64_t		 usec;
};

struct rec_queue {
	struct rec_item	*items;
	size_t		 head;
	size_t		 len;
	size_t		 size;
};

/* The caller frees the queue, and what it holds, with rec_queue_free. */
struct rec_queue *
rec_queue_new(void)
{
	return xcalloc(1, sizeof (struct rec_queue));
}

void
rec_queue_free(struct rec_queue *q)
{
	if (q == NULL)
		return;
	while (q->len > 0)
		rec_queue_drop(q);
	free(q->items);
	free(q);
}

/* Queue the packet at usec: its reference moves to the queue. */
void
rec_queue_push(struct rec_queue *q, AVPacket *pkt, int64_t usec)
{
	struct rec_item	*it;
	size_t		 i;

	if (q->head + q->len == q->size) {
		/* Move what is left to the front before growing. */
		for (i = 0; i < q->len; i++)
			q->items[i] = q->items[q->head + i];
		q->head = 0;
		if (q->len == q->size) {
			q->size = q->size == 0 ? 64 : q->size * 2;
			q->items = xreallocarray(q->items, q->size,
			    sizeof *q->items);
		}
	}
	it = &q->items[q->head + q->len++];
	if ((it->pkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	av_packet_move_ref(it->pkt, pkt);
	it->usec = usec;
}

/* The oldest packet, still the queue's, and its time; NULL when empty. */
AVPacket *
rec_queue_peek(struct rec_queue *q, int64_t *usec)
{
	if (q->len == 0)
		return NULL;
	*usec = q->items[q->head].usec;
	return q->items[q->head].pkt;
}

/* Free the oldest packet. */
void
rec_queue_drop(struct rec_queue *q)
{
	if (q->len == 0)
		return;
	av_packet_free(&q->items[q->head].pkt);
	q->head++;
	if (--q->len == 0)
		q->head = 0;
}

size_t
rec_queue_len(const struct rec_queue *q)
{
	return q->len;
}
