/*
 * File transfers: one file, one direction, over a node link or between two
 * descriptors on this node.
 *
 * Over a link the sender keeps a window of chunks in flight that grows and
 * shrinks like TCP Reno: one more chunk for each acknowledged one below
 * ssthresh (slow start), one more per window above it (congestion
 * avoidance), halved when no acknowledgement comes for XFER_STALL.  Chunks
 * are sent only while the link's output buffer is below XFER_LOWAT, so a
 * chat line or a command queued behind them waits for at most that much.
 * When the link drops, a transfer pauses; the side that asked resumes it
 * from what the receiver has (xfer_attach).
 *
 * Each side hashes the bytes exactly once and in order as they go through,
 * so SHA-256 is checked at both ends without reading the file twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "meetd.h"
#include "sha256.h"

#define XFER_CHUNK	(64 * 1024)
#define XFER_LOWAT	(256 * 1024)
#define XFER_STALL	1.0		/* seconds without an ack */
#define XFER_SSTHRESH	64		/* chunks */
#define XFER_LOCAL_STEP	(1024 * 1024)	/* copied per loop turn */

static TAILQ_HEAD(, xfer) xfers = TAILQ_HEAD_INITIALIZER(xfers);

static void	xfer_pump(struct xfer *);
static void	xfer_stalled(evutil_socket_t, short, void *);
static void	xfer_local_step(evutil_socket_t, short, void *);
static void	xfer_finish(struct xfer *, const char *);
static struct xfer *xfer_find(struct link *, uint64_t);
static int	xfer_feed_hash(struct xfer *, const uint8_t *, size_t,
		    uint64_t);

/*
 * A transfer of size bytes: sending from fd, or receiving into it.  done is
 * called once, when it completes (err NULL) or fails; the transfer is freed
 * by the caller with xfer_free, in done or later.
 */
struct xfer *
xfer_new(uint64_t id, int sending, int fd, uint64_t size,
    void (*done)(struct xfer *, const char *), void *arg)
{
	struct xfer	*x;

	x = xcalloc(1, sizeof *x);
	x->id = id;
	x->sending = sending;
	x->fd = fd;
	x->dst_fd = -1;
	x->size = size;
	x->hash = sha256_new();
	x->cwnd = 1;
	x->ssthresh = XFER_SSTHRESH;
	x->done = done;
	x->arg = arg;
	x->timer = timer_new(xfer_stalled, x);
	TAILQ_INSERT_TAIL(&xfers, x, entry);
	return x;
}

void
xfer_free(struct xfer *x)
{
	if (x == NULL)
		return;
	TAILQ_REMOVE(&xfers, x, entry);
	event_free(x->timer);
	sha256_free(x->hash);
	free(x);
}

/* A random id nobody else uses. */
uint64_t
xfer_new_id(void)
{
	uint64_t	id;

	do {
		arc4random_buf(&id, sizeof id);
		id &= INT64_MAX;	/* JSON integers are signed */
	} while (id == 0);
	return id;
}

static struct xfer *
xfer_find(struct link *l, uint64_t id)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->id == id && x->link == l)
			return x;
	}
	return NULL;
}

struct xfer *
xfer_by_id(uint64_t id)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->id == id)
			return x;
	}
	return NULL;
}

/* Feed bytes at offset to the hash if they are the next ones. */
static int
xfer_feed_hash(struct xfer *x, const uint8_t *p, size_t n, uint64_t offset)
{
	if (offset > x->hashed)
		return -1;		/* a hole: cannot happen in order */
	if (offset + n <= x->hashed)
		return 0;		/* sent again after a resume */
	sha256_update(x->hash, p + (x->hashed - offset),
	    n - (size_t)(x->hashed - offset));
	x->hashed = offset + n;
	return 0;
}

void
xfer_sha256(struct xfer *x, char *hex)
{
	sha256_hex(x->hash, hex);
}

/* (Re)start over link l from offset: what the receiver has. */
void
xfer_attach(struct xfer *x, struct link *l, uint64_t offset)
{
	x->link = l;
	if (x->sending) {
		x->sent = x->acked = offset;
		x->cwnd = 1;	/* a new path: slow start again */
		xfer_pump(x);
	} else
		x->have = offset;
}

/* The link is gone: transfers on it wait to be attached again. */
void
xfer_link_gone(struct link *l)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->link == l) {
			x->link = NULL;
			evtimer_del(x->timer);
		}
	}
}

/* The link's output drained below the low mark: send more. */
void
xfer_link_writable(struct link *l)
{
	struct xfer	*x, *x1;

	TAILQ_FOREACH_SAFE(x, &xfers, entry, x1) {
		if (x->link == l && x->sending)
			xfer_pump(x);
	}
}

static void
xfer_pump(struct xfer *x)
{
	struct evbuffer	*out;
	uint8_t		 buf[FRAME_HEADER + 16 + XFER_CHUNK], *p;
	uint64_t	 inflight;
	ssize_t		 n;
	size_t		 want;
	char		 why[256];

	if (x->link == NULL || x->link->closing || x->finished)
		return;
	out = bufferevent_get_output(x->link->bev);
	while (x->sent < x->size) {
		inflight = (x->sent - x->acked + XFER_CHUNK - 1) / XFER_CHUNK;
		if ((double)inflight >= x->cwnd ||
		    evbuffer_get_length(out) >= XFER_LOWAT)
			break;
		want = x->size - x->sent < XFER_CHUNK ?
		    (size_t)(x->size - x->sent) : XFER_CHUNK;
		p = buf + FRAME_HEADER + 16;
		n = pread(x->fd, p, want, (off_t)x->sent);
		if (n <= 0) {
			snprintf(why, sizeof why, "reading the file: %s",
			    n == 0 ? "it got shorter" : strerror(errno));
			xfer_abort(x, why);
			return;
		}
		xfer_feed_hash(x, p, (size_t)n, x->sent);
		frame_header_pack(buf, FRAME_CHUNK, 16 + (size_t)n);
		for (int i = 0; i < 8; i++) {
			buf[FRAME_HEADER + i] = (uint8_t)(x->id >> (56 - 8 * i));
			buf[FRAME_HEADER + 8 + i] =
			    (uint8_t)(x->sent >> (56 - 8 * i));
		}
		evbuffer_add(out, buf, FRAME_HEADER + 16 + (size_t)n);
		x->sent += (uint64_t)n;
		if (!evtimer_pending(x->timer, NULL))
			timer_start(x->timer, XFER_STALL);
	}
}

/* No ack for a while: halve the window (and wait on). */
static void
xfer_stalled(evutil_socket_t fd, short events, void *arg)
{
	struct xfer	*x = arg;

	(void)fd;
	(void)events;
	if (x->local) {
		xfer_local_step(fd, events, arg);
		return;
	}
	if (x->link == NULL || x->acked == x->sent)
		return;
	x->ssthresh = x->cwnd / 2 < 2 ? 2 : x->cwnd / 2;
	x->cwnd = x->ssthresh;
	x->stalls++;
	timer_start(x->timer, XFER_STALL);
}

static void
xfer_finish(struct xfer *x, const char *err)
{
	if (x->finished)
		return;
	x->finished = 1;
	evtimer_del(x->timer);
	x->done(x, err);
}

/* Give up: tell the other side (if linked) and the owner. */
void
xfer_abort(struct xfer *x, const char *why)
{
	json_t	*o;

	if (x->link != NULL) {
		o = json_pack("{s:I,s:s}", "xfer", (json_int_t)x->id, "error",
		    why);
		link_send(x->link, FRAME_ABORT, o);
		json_decref(o);
	}
	xfer_finish(x, why);
}

/* A chunk from a link: write it, acknowledge what we have. */
void
xfer_input_chunk(struct link *l, const uint8_t *p, size_t len)
{
	struct xfer	*x;
	uint64_t	 id = 0, offset = 0;
	size_t		 n;
	json_t		*o;
	char		 why[256];
	int		 i;

	if (len < 16) {
		link_close(l, "short chunk");
		return;
	}
	for (i = 0; i < 8; i++) {
		id = id << 8 | p[i];
		offset = offset << 8 | p[8 + i];
	}
	if ((x = xfer_find(l, id)) == NULL || x->sending || x->finished)
		return;		/* cancelled meanwhile */
	n = len - 16;
	if (offset != x->have || offset + n > x->size)
		return;		/* old data from before a resume */
	if (n > 0 && pwrite(x->fd, p + 16, n, (off_t)offset) != (ssize_t)n) {
		snprintf(why, sizeof why, "writing the file: %s",
		    errno == ENOSPC ? "the disk is full" : strerror(errno));
		xfer_abort(x, why);
		return;
	}
	xfer_feed_hash(x, p + 16, n, offset);
	x->have += n;
	o = json_pack("{s:I,s:I}", "xfer", (json_int_t)x->id, "have",
	    (json_int_t)x->have);
	link_send(l, FRAME_ACK, o);
	json_decref(o);
	if (x->have == x->size)
		xfer_finish(x, NULL);
}

void
xfer_input_ack(struct link *l, json_t *body)
{
	struct xfer	*x;
	json_t		*v;
	uint64_t	 have, chunks;

	v = json_object_get(body, "xfer");
	if (!json_is_integer(v) ||
	    (x = xfer_find(l, (uint64_t)json_integer_value(v))) == NULL ||
	    !x->sending || x->finished)
		return;
	v = json_object_get(body, "have");
	if (!json_is_integer(v))
		return;
	have = (uint64_t)json_integer_value(v);
	if (have <= x->acked || have > x->sent)
		return;
	chunks = (have - x->acked + XFER_CHUNK - 1) / XFER_CHUNK;
	x->acked = have;
	while (chunks-- > 0) {
		if (x->cwnd < x->ssthresh)
			x->cwnd += 1;
		else
			x->cwnd += 1 / x->cwnd;
	}
	evtimer_del(x->timer);
	if (x->acked == x->size) {
		xfer_finish(x, NULL);
		return;
	}
	if (x->acked < x->sent)
		timer_start(x->timer, XFER_STALL);
	xfer_pump(x);
}

void
xfer_input_abort(struct link *l, json_t *body)
{
	struct xfer	*x;
	json_t		*v;
	const char	*why;

	v = json_object_get(body, "xfer");
	if (!json_is_integer(v) ||
	    (x = xfer_find(l, (uint64_t)json_integer_value(v))) == NULL)
		return;
	why = json_string_value(json_object_get(body, "error"));
	x->link = NULL;		/* nothing more goes to the other side */
	xfer_finish(x, why != NULL ? why : "the other side gave up");
}

/*
 * A copy on this node, from fd to dst_fd, in steps so the loop stays
 * responsive.  done as for xfer_new.
 */
struct xfer *
xfer_local(int fd, int dst_fd, uint64_t size,
    void (*done)(struct xfer *, const char *), void *arg)
{
	struct xfer	*x;

	x = xfer_new(0, 1, fd, size, done, arg);
	x->local = 1;
	x->dst_fd = dst_fd;
	event_active(x->timer, EV_TIMEOUT, 0);
	return x;
}

static void
xfer_local_step(evutil_socket_t fd, short events, void *arg)
{
	struct xfer	*x = arg;
	uint8_t		 buf[XFER_CHUNK];
	size_t		 step = 0, want;
	ssize_t		 n;
	char		 why[256];

	(void)fd;
	(void)events;
	while (x->sent < x->size && step < XFER_LOCAL_STEP) {
		want = x->size - x->sent < sizeof buf ?
		    (size_t)(x->size - x->sent) : sizeof buf;
		if ((n = pread(x->fd, buf, want, (off_t)x->sent)) <= 0) {
			snprintf(why, sizeof why, "reading the file: %s",
			    n == 0 ? "it got shorter" : strerror(errno));
			xfer_finish(x, why);
			return;
		}
		if (pwrite(x->dst_fd, buf, (size_t)n, (off_t)x->sent) != n) {
			snprintf(why, sizeof why, "writing the file: %s",
			    errno == ENOSPC ? "the disk is full" :
			    strerror(errno));
			xfer_finish(x, why);
			return;
		}
		xfer_feed_hash(x, buf, (size_t)n, x->sent);
		x->sent += (uint64_t)n;
		x->acked = x->have = x->sent;
		step += (size_t)n;
	}
	if (x->sent == x->size)
		xfer_finish(x, NULL);
	else
		event_active(x->timer, EV_TIMEOUT, 0);
}

/* How far along it is: bytes acknowledged or received. */
uint64_t
xfer_progress(struct xfer *x)
{
	return x->sending ? x->acked : x->have;
}

json_t *
xfer_list(void)
{
	struct xfer	*x;
	json_t		*a = json_array();

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->finished)
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:f,"
		    "s:I,s:s}", "id", x->label, "direction", x->sending ?
		    "send" : "receive", "offset", (json_int_t)xfer_progress(x),
		    "size", (json_int_t)x->size, "window", x->sending &&
		    !x->local ? x->cwnd : 0.0, "stalls", (json_int_t)x->stalls,
		    "node", x->local ? "local" : x->link != NULL ?
		    x->link->addr : "(link down)"));
	}
	return a;
}

/* A transfer still running for owner, or NULL. */
struct xfer *
xfer_by_owner(void *owner)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->owner == owner && !x->finished)
			return x;
	}
	return NULL;
}

/* owner is going away: no transfer may point at it. */
void
xfer_forget_owner(void *owner)
{
	struct xfer	*x;

	TAILQ_FOREACH(x, &xfers, entry) {
		if (x->owner == owner)
			x->owner = NULL;
	}
}

void
xfer_foreach_owner(void *owner, void (*cb)(struct xfer *, void *), void *arg)
{
	struct xfer	*x, *x1;

	TAILQ_FOREACH_SAFE(x, &xfers, entry, x1) {
		if (x->owner == owner && !x->finished)
			cb(x, arg);
	}
}
