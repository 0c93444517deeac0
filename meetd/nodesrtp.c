/*
 * SRTP between nodes, on a media worker: every RTP and RTCP packet one
 * node sends another is AEAD_AES_128_GCM (RFC 7714, libsrtp2 through
 * lib/srtpctx.c).
 *
 * Keys.  For each other node it links to, a node makes a master secret
 * for what it sends there and gives it in its hello, over the TLS link
 * (peer.c, remote.c); so each direction between two nodes has its own,
 * and only those two nodes know it.  The key of one stream (one SSRC, one
 * direction) is derived from that direction's master and the SSRC
 * (srtpctx_key_derive), the same at both ends: no stream waits for a key
 * of its own, and a stream's receivers can open it and no other node can.
 *
 * Here.  Control tells every worker each node's two masters
 * (MEDIA_MSG_NODE_KEYS) before any of that node's media can flow, and
 * when the node is gone.  A worker keeps a context per (node, SSRC,
 * direction) it has used, made at the stream's first packet (libsrtp's
 * contexts are used by one thread only, and one takes ~1 ms to make), and
 * forgets it when the stream ends, so that an SSRC given out again starts
 * afresh.  The table is bounded; past its size the context used longest
 * ago goes.
 *
 * How the hub forwards.  It opens what a node sends it once (to mix,
 * record, depacketize and to know it is real) and protects what it sends
 * each other node with that node's key: one encryption per copy.  Passing
 * the sender's protected packet on unchanged would save that, but it
 * would hand every receiving node the sender's key, and the hub must
 * rewrite what it forwards for each receiver anyway to give each the
 * video layer and frame rate its path carries (sequence numbers that run
 * on per receiver).
 */
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "srtpctx.h"

#include "meetd.h"

#define NODESRTP_MASTER	32
#define NODESRTP_NODES	1024		/* nodes a worker knows keys of */
#define NODESRTP_CTXS	8192		/* contexts a worker keeps */
#define NODESRTP_BUCKETS 1024

struct nodesrtp_node {
	uint64_t			 id;
	uint8_t				 in[NODESRTP_MASTER];	/* it to us */
	uint8_t				 out[NODESRTP_MASTER];	/* us to it */
	TAILQ_ENTRY(nodesrtp_node)	 entry;
};

struct nodesrtp_ctx {
	uint64_t			 node;
	uint32_t			 ssrc;
	int				 out;
	struct srtpctx			*ctx;
	uint64_t			 used;		/* a counter, for LRU */
	TAILQ_ENTRY(nodesrtp_ctx)	 hentry;
};

struct nodesrtp {
	TAILQ_HEAD(, nodesrtp_node)	 nodes;
	u_int				 nnodes;
	TAILQ_HEAD(, nodesrtp_ctx)	 hash[NODESRTP_BUCKETS];
	u_int				 nctxs;
	uint64_t			 clock;
};
static __thread struct nodesrtp	*ns;

static struct nodesrtp_node *nodesrtp_node_find(uint64_t);
static struct nodesrtp_ctx *nodesrtp_get(uint64_t, uint32_t, int);
static void	nodesrtp_drop(struct nodesrtp_ctx *);
static void	nodesrtp_evict(void);
static u_int	nodesrtp_bucket(uint64_t, uint32_t);

static void
nodesrtp_init(void)
{
	int	i;

	if (ns != NULL)
		return;
	ns = xcalloc(1, sizeof *ns);
	TAILQ_INIT(&ns->nodes);
	for (i = 0; i < NODESRTP_BUCKETS; i++)
		TAILQ_INIT(&ns->hash[i]);
}

/* The worker stops: every key and context goes. */
void
nodesrtp_end(void)
{
	struct nodesrtp_node	*n;
	struct nodesrtp_ctx	*c;
	int			 i;

	if (ns == NULL)
		return;
	for (i = 0; i < NODESRTP_BUCKETS; i++) {
		while ((c = TAILQ_FIRST(&ns->hash[i])) != NULL)
			nodesrtp_drop(c);
	}
	while ((n = TAILQ_FIRST(&ns->nodes)) != NULL) {
		TAILQ_REMOVE(&ns->nodes, n, entry);
		explicit_bzero(n, sizeof *n);
		free(n);
	}
	free(ns);
	ns = NULL;
}

static u_int
nodesrtp_bucket(uint64_t node, uint32_t ssrc)
{
	return (u_int)((node * 2654435761u) ^ ssrc) % NODESRTP_BUCKETS;
}

static struct nodesrtp_node *
nodesrtp_node_find(uint64_t id)
{
	struct nodesrtp_node	*n;

	if (ns == NULL)
		return NULL;
	TAILQ_FOREACH(n, &ns->nodes, entry) {
		if (n->id == id)
			return n;
	}
	return NULL;
}

/* Drop every context of node (its keys changed, or it is gone). */
static void
nodesrtp_drop_node_ctxs(uint64_t node)
{
	struct nodesrtp_ctx	*c, *c1;
	int			 i;

	for (i = 0; i < NODESRTP_BUCKETS; i++) {
		TAILQ_FOREACH_SAFE(c, &ns->hash[i], hentry, c1) {
			if (c->node == node)
				nodesrtp_drop(c);
		}
	}
}

/* A node's masters, from control; gone when the message says so. */
void
nodesrtp_keys(const struct media_msg_node_keys *msg)
{
	struct nodesrtp_node	*n;

	nodesrtp_init();
	n = nodesrtp_node_find(msg->node);
	if (msg->gone) {
		if (n == NULL)
			return;
		nodesrtp_drop_node_ctxs(n->id);
		TAILQ_REMOVE(&ns->nodes, n, entry);
		ns->nnodes--;
		explicit_bzero(n, sizeof *n);
		free(n);
		return;
	}
	if (n == NULL) {
		if (ns->nnodes >= NODESRTP_NODES) {
			log_warnx("media: keys of more than %d nodes; node "
			    "%llu's media will be dropped", NODESRTP_NODES,
			    (unsigned long long)msg->node);
			return;
		}
		n = xcalloc(1, sizeof *n);
		n->id = msg->node;
		TAILQ_INSERT_TAIL(&ns->nodes, n, entry);
		ns->nnodes++;
	} else if (memcmp(n->in, msg->in, sizeof n->in) != 0 ||
	    memcmp(n->out, msg->out, sizeof n->out) != 0)
		nodesrtp_drop_node_ctxs(n->id);
	memcpy(n->in, msg->in, sizeof n->in);
	memcpy(n->out, msg->out, sizeof n->out);
}

static void
nodesrtp_drop(struct nodesrtp_ctx *c)
{
	TAILQ_REMOVE(&ns->hash[nodesrtp_bucket(c->node, c->ssrc)], c, hentry);
	ns->nctxs--;
	srtpctx_free(c->ctx);
	free(c);
}

/* The table is full: the context used longest ago goes. */
static void
nodesrtp_evict(void)
{
	struct nodesrtp_ctx	*c, *oldest = NULL;
	int			 i;

	for (i = 0; i < NODESRTP_BUCKETS; i++) {
		TAILQ_FOREACH(c, &ns->hash[i], hentry) {
			if (oldest == NULL || c->used < oldest->used)
				oldest = c;
		}
	}
	if (oldest != NULL)
		nodesrtp_drop(oldest);
}

/* The context for (node, ssrc, direction), made at need; NULL: no keys. */
static struct nodesrtp_ctx *
nodesrtp_get(uint64_t node, uint32_t ssrc, int out)
{
	struct nodesrtp_node	*n;
	struct nodesrtp_ctx	*c;
	struct srtpctx_key	 k;
	struct srtpctx		*ctx;
	char			*cause;
	u_int			 b;

	if (ns == NULL)
		return NULL;
	b = nodesrtp_bucket(node, ssrc);
	TAILQ_FOREACH(c, &ns->hash[b], hentry) {
		if (c->node == node && c->ssrc == ssrc && c->out == out) {
			c->used = ++ns->clock;
			return c;
		}
	}
	if ((n = nodesrtp_node_find(node)) == NULL)
		return NULL;
	if (srtpctx_key_derive(&k, SRTPCTX_AEAD_AES_128_GCM, out ? n->out :
	    n->in, NODESRTP_MASTER, ssrc) != 0)
		return NULL;
	ctx = srtpctx_new(&k, out ? SRTPCTX_OUT : SRTPCTX_IN, ssrc, &cause);
	srtpctx_key_clear(&k);
	if (ctx == NULL) {
		log_warnx("media: SRTP context for SSRC %08x: %s", ssrc,
		    cause);
		free(cause);
		return NULL;
	}
	if (ns->nctxs >= NODESRTP_CTXS)
		nodesrtp_evict();
	c = xcalloc(1, sizeof *c);
	c->node = node;
	c->ssrc = ssrc;
	c->out = out;
	c->ctx = ctx;
	c->used = ++ns->clock;
	TAILQ_INSERT_HEAD(&ns->hash[b], c, hentry);
	ns->nctxs++;
	return c;
}

/* Is the packet RTCP?  As RFC 5761 tells them apart. */
static int
nodesrtp_is_rtcp(const uint8_t *buf, size_t len)
{
	return len >= 8 && buf[1] >= 192 && buf[1] <= 223;
}

/*
 * Protect a packet for node in place (cap: the buffer's size, at least
 * len + SRTPCTX_TRAILER_MAX): 0, or an SRTPCTX_ERR_ code.
 */
int
nodesrtp_protect(uint64_t node, uint8_t *buf, size_t *len, size_t cap)
{
	struct nodesrtp_ctx	*c;
	int			 rtcp = nodesrtp_is_rtcp(buf, *len);

	if (*len < (rtcp ? 8u : 12u))
		return SRTPCTX_ERR_MALFORMED;
	if ((c = nodesrtp_get(node, get32(buf + (rtcp ? 4 : 8)), 1)) == NULL)
		return SRTPCTX_ERR_FAIL;
	return rtcp ? srtpctx_protect_rtcp(c->ctx, buf, len, cap) :
	    srtpctx_protect(c->ctx, buf, len, cap);
}

/*
 * Open a packet from node in place: 0, or an SRTPCTX_ERR_ code (a node
 * whose keys this worker does not have fails as SRTPCTX_ERR_AUTH: nothing
 * it sends can be told from a forgery).
 */
int
nodesrtp_unprotect(uint64_t node, uint8_t *buf, size_t *len)
{
	struct nodesrtp_ctx	*c;
	int			 rtcp = nodesrtp_is_rtcp(buf, *len);

	if (*len < (rtcp ? 8u : 12u))
		return SRTPCTX_ERR_MALFORMED;
	if ((c = nodesrtp_get(node, get32(buf + (rtcp ? 4 : 8)), 0)) == NULL)
		return SRTPCTX_ERR_AUTH;
	return rtcp ? srtpctx_unprotect_rtcp(c->ctx, buf, len) :
	    srtpctx_unprotect(c->ctx, buf, len);
}

/* A stream of node ended: its contexts both ways go. */
void
nodesrtp_forget(uint64_t node, uint32_t ssrc)
{
	struct nodesrtp_ctx	*c, *c1;
	u_int			 b;

	if (ns == NULL)
		return;
	b = nodesrtp_bucket(node, ssrc);
	TAILQ_FOREACH_SAFE(c, &ns->hash[b], hentry, c1) {
		if (c->node == node && c->ssrc == ssrc)
			nodesrtp_drop(c);
	}
}

/* Why a packet that did not open is dropped. */
enum media_drop
nodesrtp_drop_reason(int error)
{
	switch (error) {
	case SRTPCTX_ERR_REPLAY:
		return DROP_REPLAY;
	case SRTPCTX_ERR_MALFORMED:
	case SRTPCTX_ERR_ALIGN:
		return DROP_MALFORMED;
	default:
		return DROP_AUTH;
	}
}
