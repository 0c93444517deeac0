/*
 * SFrame (RFC 9605) for end-to-end encrypted rooms: the header, the key
 * schedule from a base key, senders with their counters, keyrings with
 * the keys a member's node holds and a replay window per KID, and shared
 * files sealed in chunks.  The keys themselves come from e2ee.c.
 *
 * OpenSSL does the cryptography (HKDF and AES-128-GCM).  Every frame opened
 * here came through a hub that is not trusted: its header is parsed with
 * each length checked, nothing is derived for a KID whose epoch and sender
 * the node does not hold, and a frame whose tag fails leaves no plaintext.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "byteorder.h"
#include "e2ee.h"
#include "xmalloc.h"

#define E2EE_SFRAME_LABEL	"meet sframe"
#define E2EE_KEY_LABEL		"SFrame 1.0 Secret key "
#define E2EE_SALTL_LABEL	"SFrame 1.0 Secret salt "
#define E2EE_LABEL_MAX		32	/* the longest label above */
#define E2EE_KID_MAX		((uint64_t)E2EE_SENDER_MASK << \
				    E2EE_KID_SHIFT_SENDER | \
				    (uint64_t)E2EE_STREAM_MAX << \
				    E2EE_KID_SHIFT_STREAM | E2EE_EPOCH_MASK)

/* The keys of one KID as a receiver holds them, and its replay window. */
struct e2ee_recv {
	uint64_t		 kid;
	uint8_t			 salt[E2EE_NONCE_LEN];
	EVP_CIPHER_CTX		*ctx;
	int			 any;		/* a frame was taken */
	uint64_t		 high;		/* the highest CTR taken */
	unsigned __int128	 seen;		/* bit d: CTR high - d taken */
};

struct e2ee_epoch {
	uint32_t		 epoch;
	uint8_t			 secret[E2EE_SECRET_LEN];
};

struct e2ee_sender {
	uint64_t		 kid;
	uint64_t		 ctr;		/* the next one */
	int			 spent;		/* CTR 2^64 - 1 was used */
	uint8_t			 salt[E2EE_NONCE_LEN];
	EVP_CIPHER_CTX		*ctx;		/* keyed once */
};

struct e2ee_keyring {
	size_t			 max_epochs;
	struct e2ee_epoch	*epochs;	/* oldest first */
	size_t			 nepochs;
	int			 any_epoch;
	uint32_t		 newest;	/* the highest epoch added */
	uint32_t		*senders;	/* sorted */
	size_t			 nsenders;
	struct e2ee_recv	**recv;		/* sorted by KID */
	size_t			 nrecv;
};

static size_t	 e2ee_label(uint8_t *, const char *, uint64_t, int);
static int	 e2ee_stream_valid(unsigned int);
static size_t	 e2ee_uint_len(uint64_t);
static void	 e2ee_put_uint(uint8_t *, uint64_t, size_t);
static int	 e2ee_get_field(const uint8_t *, size_t, size_t *, int,
		    unsigned int, uint64_t *);
static void	 e2ee_nonce(const uint8_t *, uint64_t, uint8_t *);
static EVP_CIPHER_CTX *e2ee_gcm_new(const uint8_t *, int);
static struct e2ee_epoch *e2ee_keyring_epoch(struct e2ee_keyring *,
		    uint32_t);
static size_t	 e2ee_sender_slot(struct e2ee_keyring *, uint32_t);
static int	 e2ee_keyring_knows(struct e2ee_keyring *, uint32_t);
static struct e2ee_recv *e2ee_recv_find(struct e2ee_keyring *, uint64_t,
		    size_t *);
static struct e2ee_recv *e2ee_recv_add(struct e2ee_keyring *,
		    const uint8_t *, uint64_t);
static void	 e2ee_recv_free(struct e2ee_recv *);
static void	 e2ee_recv_drop(struct e2ee_keyring *, uint64_t, uint64_t);
static int	 e2ee_window_seen(const struct e2ee_recv *, uint64_t);
static void	 e2ee_window_take(struct e2ee_recv *, uint64_t);

/*
 * An HKDF info: the label, then the KID as 8 bytes big-endian (RFC 9605
 * encodes it so, not as in the header), then the cipher suite in 2 bytes
 * when suite is set.  Its length.
 */
static size_t
e2ee_label(uint8_t *buf, const char *label, uint64_t kid, int suite)
{
	size_t	 n = strlen(label);

	memcpy(buf, label, n);
	e2ee_put_uint(buf + n, kid, 8);
	n += 8;
	if (suite) {
		put16(buf + n, E2EE_SUITE);
		n += 2;
	}
	return n;
}

static int
e2ee_stream_valid(unsigned int stream)
{
	return stream >= E2EE_STREAM_AUDIO && stream <= E2EE_STREAM_FILE;
}

/* The SFrame header (RFC 9605 section 4.3). */

/* How many bytes v takes big-endian, at least 1. */
static size_t
e2ee_uint_len(uint64_t v)
{
	size_t	 n = 1;

	while (n < 8 && (v >> (8 * n)) != 0)
		n++;
	return n;
}

static void
e2ee_put_uint(uint8_t *p, uint64_t v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

size_t
e2ee_header_encode(uint64_t kid, uint64_t ctr, uint8_t *buf)
{
	size_t	 off = 1, n;
	uint8_t	 config = 0;

	if (kid < 8)
		config |= (uint8_t)(kid << 4);
	else {
		n = e2ee_uint_len(kid);
		config |= (uint8_t)(0x80 | (n - 1) << 4);
		e2ee_put_uint(buf + off, kid, n);
		off += n;
	}
	if (ctr < 8)
		config |= (uint8_t)ctr;
	else {
		n = e2ee_uint_len(ctr);
		config |= (uint8_t)(0x08 | (n - 1));
		e2ee_put_uint(buf + off, ctr, n);
		off += n;
	}
	buf[0] = config;
	return off;
}

/*
 * One of the header's two values: in the 3 bits themselves, or (extended)
 * in bits + 1 bytes at *off, which must be the fewest that hold it.
 */
static int
e2ee_get_field(const uint8_t *buf, size_t len, size_t *off, int extended,
    unsigned int bits, uint64_t *v)
{
	size_t	 n, i;

	if (!extended) {
		*v = bits;
		return 0;
	}
	n = bits + 1;
	if (len - *off < n)
		return E2EE_ERR_MALFORMED;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | buf[*off + i];
	if (*v < 8 || e2ee_uint_len(*v) != n)
		return E2EE_ERR_MALFORMED;
	*off += n;
	return 0;
}

int
e2ee_header_decode(const uint8_t *buf, size_t len, uint64_t *kid,
    uint64_t *ctr)
{
	size_t	 off = 1;
	uint8_t	 config;

	if (len < 1)
		return E2EE_ERR_MALFORMED;
	config = buf[0];
	if (e2ee_get_field(buf, len, &off, config & 0x80,
	    (config >> 4) & 7, kid) != 0)
		return E2EE_ERR_MALFORMED;
	if (e2ee_get_field(buf, len, &off, config & 0x08, config & 7,
	    ctr) != 0)
		return E2EE_ERR_MALFORMED;
	return (int)off;
}

/* The key schedule. */

int
e2ee_base_key(const uint8_t *epoch_secret, uint64_t kid, uint8_t *base)
{
	uint8_t	 info[E2EE_LABEL_MAX + 10];
	size_t	 n;

	n = e2ee_label(info, E2EE_SFRAME_LABEL, kid, 0);
	return e2ee_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, epoch_secret,
	    E2EE_SECRET_LEN, NULL, 0, info, n, base, E2EE_SECRET_LEN);
}

/* RFC 9605 section 4.4.2's derive_key_salt, for suite 0x0004. */
int
e2ee_key_salt(const uint8_t *base, size_t len, uint64_t kid, uint8_t *key,
    uint8_t *salt)
{
	uint8_t	 secret[32], info[E2EE_LABEL_MAX + 10];
	size_t	 n;
	int	 r;

	r = e2ee_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, base, len, NULL, 0,
	    NULL, 0, secret, sizeof secret);
	if (r == 0) {
		n = e2ee_label(info, E2EE_KEY_LABEL, kid, 1);
		r = e2ee_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret,
		    sizeof secret, NULL, 0, info, n, key, E2EE_KEY_LEN);
	}
	if (r == 0) {
		n = e2ee_label(info, E2EE_SALTL_LABEL, kid, 1);
		r = e2ee_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, secret,
		    sizeof secret, NULL, 0, info, n, salt, E2EE_NONCE_LEN);
	}
	explicit_bzero(secret, sizeof secret);
	return r;
}

/* The nonce: the salt XOR the CTR, big-endian in the last 8 bytes. */
static void
e2ee_nonce(const uint8_t *salt, uint64_t ctr, uint8_t *nonce)
{
	size_t	 i;

	memcpy(nonce, salt, E2EE_NONCE_LEN);
	for (i = 0; i < 8; i++)
		nonce[E2EE_NONCE_LEN - 1 - i] ^= (uint8_t)(ctr >> (8 * i));
}

/* An AES-128-GCM context keyed once; each frame sets only its nonce. */
static EVP_CIPHER_CTX *
e2ee_gcm_new(const uint8_t *key, int enc)
{
	EVP_CIPHER_CTX	*ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, NULL,
	    enc) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Metadata. */

size_t
e2ee_meta_audio(uint8_t *buf, size_t size, uint8_t level)
{
	if (size < 2)
		return 0;
	buf[0] = E2EE_STREAM_AUDIO;
	buf[1] = level;
	return 2;
}

size_t
e2ee_meta_video(uint8_t *buf, size_t size, enum e2ee_stream stream,
    uint8_t layer)
{
	if (size < 2 || (stream != E2EE_STREAM_VIDEO &&
	    stream != E2EE_STREAM_SCREEN))
		return 0;
	buf[0] = (uint8_t)stream;
	buf[1] = layer;
	return 2;
}

size_t
e2ee_meta_chat(uint8_t *buf, size_t size, const char *type,
    const char *room)
{
	size_t	 tlen = strlen(type), rlen = strlen(room);

	if (tlen > 255 || rlen > 255 || size < 3 + tlen + rlen)
		return 0;
	buf[0] = E2EE_STREAM_CHAT;
	buf[1] = (uint8_t)tlen;
	memcpy(buf + 2, type, tlen);
	buf[2 + tlen] = (uint8_t)rlen;
	memcpy(buf + 3 + tlen, room, rlen);
	return 3 + tlen + rlen;
}

size_t
e2ee_meta_file(uint8_t *buf, size_t size, const char *room,
    const uint8_t *nonce, uint64_t index, int last)
{
	size_t	 rlen = strlen(room), off;

	if (rlen > 255 || size < 2 + rlen + E2EE_FILE_NONCE_LEN + 8 + 1)
		return 0;
	buf[0] = E2EE_STREAM_FILE;
	buf[1] = (uint8_t)rlen;
	memcpy(buf + 2, room, rlen);
	off = 2 + rlen;
	memcpy(buf + off, nonce, E2EE_FILE_NONCE_LEN);
	off += E2EE_FILE_NONCE_LEN;
	e2ee_put_uint(buf + off, index, 8);
	off += 8;
	buf[off++] = last ? 1 : 0;
	return off;
}

/* Senders. */

struct e2ee_sender *
e2ee_sender_new(const uint8_t *epoch_secret, uint64_t kid, char **cause)
{
	struct e2ee_sender	*s;
	uint8_t			 base[E2EE_SECRET_LEN];

	if (e2ee_base_key(epoch_secret, kid, base) != 0) {
		xasprintf(cause, "HKDF failed for KID %llx",
		    (unsigned long long)kid);
		return NULL;
	}
	s = e2ee_sender_new_base(base, sizeof base, kid, cause);
	explicit_bzero(base, sizeof base);
	return s;
}

struct e2ee_sender *
e2ee_sender_new_base(const uint8_t *base, size_t len, uint64_t kid,
    char **cause)
{
	struct e2ee_sender	*s;
	uint8_t			 key[E2EE_KEY_LEN];

	s = xcalloc(1, sizeof *s);
	s->kid = kid;
	if (e2ee_key_salt(base, len, kid, key, s->salt) != 0) {
		xasprintf(cause, "HKDF failed for KID %llx",
		    (unsigned long long)kid);
		goto fail;
	}
	if ((s->ctx = e2ee_gcm_new(key, 1)) == NULL) {
		xasprintf(cause, "AES-128-GCM is not available");
		goto fail;
	}
	explicit_bzero(key, sizeof key);
	return s;
fail:
	explicit_bzero(key, sizeof key);
	e2ee_sender_free(s);
	return NULL;
}

void
e2ee_sender_free(struct e2ee_sender *s)
{
	if (s == NULL)
		return;
	EVP_CIPHER_CTX_free(s->ctx);
	explicit_bzero(s, sizeof *s);
	free(s);
}

uint64_t
e2ee_sender_kid(const struct e2ee_sender *s)
{
	return s->kid;
}

void
e2ee_sender_set_ctr(struct e2ee_sender *s, uint64_t ctr)
{
	s->ctr = ctr;
	s->spent = 0;
}

int
e2ee_seal(struct e2ee_sender *s, const uint8_t *meta, size_t metalen,
    const uint8_t *pt, size_t len, uint8_t *out, size_t size,
    size_t *outlen)
{
	uint8_t	 hdr[E2EE_HEADER_MAX], nonce[E2EE_NONCE_LEN];
	size_t	 hl;
	int	 n = 0, m = 0;

	if (s->spent)
		return E2EE_ERR_FAIL;
	hl = e2ee_header_encode(s->kid, s->ctr, hdr);
	if (len > INT_MAX || metalen > INT_MAX)
		return E2EE_ERR_ROOM;
	if (size < hl + E2EE_TAG_LEN || size - hl - E2EE_TAG_LEN < len)
		return E2EE_ERR_ROOM;
	e2ee_nonce(s->salt, s->ctr, nonce);
	if (EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(s->ctx, NULL, &n, hdr, (int)hl) != 1 ||
	    (metalen > 0 && EVP_EncryptUpdate(s->ctx, NULL, &n, meta,
	    (int)metalen) != 1))
		return E2EE_ERR_FAIL;
	memcpy(out, hdr, hl);
	n = 0;
	if (len > 0 && EVP_EncryptUpdate(s->ctx, out + hl, &n, pt,
	    (int)len) != 1)
		return E2EE_ERR_FAIL;
	if (EVP_EncryptFinal_ex(s->ctx, out + hl + n, &m) != 1 ||
	    (size_t)n + (size_t)m != len ||
	    EVP_CIPHER_CTX_ctrl(s->ctx, EVP_CTRL_GCM_GET_TAG, E2EE_TAG_LEN,
	    out + hl + len) != 1)
		return E2EE_ERR_FAIL;
	*outlen = hl + len + E2EE_TAG_LEN;

	/* Never the same (KID, CTR) twice: the last CTR spends the key. */
	if (s->ctr == UINT64_MAX)
		s->spent = 1;
	else
		s->ctr++;
	return 0;
}

/* Keyrings. */

struct e2ee_keyring *
e2ee_keyring_new(size_t max_epochs)
{
	struct e2ee_keyring	*kr;

	if (max_epochs == 0 || max_epochs > E2EE_EPOCHS_MAX)
		max_epochs = E2EE_EPOCHS_MAX;
	kr = xcalloc(1, sizeof *kr);
	kr->max_epochs = max_epochs;
	kr->epochs = xcalloc(max_epochs, sizeof *kr->epochs);
	return kr;
}

void
e2ee_keyring_free(struct e2ee_keyring *kr)
{
	size_t	 i;

	if (kr == NULL)
		return;
	for (i = 0; i < kr->nrecv; i++)
		e2ee_recv_free(kr->recv[i]);
	free(kr->recv);
	explicit_bzero(kr->epochs, kr->max_epochs * sizeof *kr->epochs);
	free(kr->epochs);
	free(kr->senders);
	free(kr);
}

/* The epoch whose low 16 bits are these, or NULL. */
static struct e2ee_epoch *
e2ee_keyring_epoch(struct e2ee_keyring *kr, uint32_t low)
{
	size_t	 i;

	for (i = kr->nepochs; i > 0; i--) {
		if ((kr->epochs[i - 1].epoch & E2EE_EPOCH_MASK) == low)
			return &kr->epochs[i - 1];
	}
	return NULL;
}

int
e2ee_keyring_add_epoch(struct e2ee_keyring *kr, uint32_t epoch,
    const uint8_t *secret)
{
	struct e2ee_epoch	*ep;

	/*
	 * An epoch's keys start with fresh replay windows, so an epoch comes
	 * once and in order: the same secret again (a box the hub sent
	 * twice) changes nothing, another secret for an epoch held is
	 * refused, and so is an epoch older than one added before (a box
	 * kept back and sent again), lest the frames of it be replayed.
	 */
	if ((ep = e2ee_keyring_epoch(kr, epoch & E2EE_EPOCH_MASK)) != NULL &&
	    ep->epoch == epoch) {
		if (CRYPTO_memcmp(ep->secret, secret, E2EE_SECRET_LEN) == 0)
			return 0;
		return E2EE_ERR_FAIL;
	}
	if (kr->any_epoch && epoch < kr->newest)
		return E2EE_ERR_REPLAY;

	/* One epoch per KID value: one 65536 epochs older goes. */
	if (ep != NULL)
		e2ee_keyring_drop_epoch(kr, ep->epoch);
	if (kr->nepochs == kr->max_epochs)
		e2ee_keyring_drop_epoch(kr, kr->epochs[0].epoch);
	ep = &kr->epochs[kr->nepochs++];
	ep->epoch = epoch;
	memcpy(ep->secret, secret, E2EE_SECRET_LEN);
	kr->any_epoch = 1;
	kr->newest = epoch;
	return 0;
}

void
e2ee_keyring_drop_epoch(struct e2ee_keyring *kr, uint32_t epoch)
{
	size_t	 i;

	for (i = 0; i < kr->nepochs; i++) {
		if (kr->epochs[i].epoch == epoch)
			break;
	}
	if (i == kr->nepochs)
		return;
	e2ee_recv_drop(kr, E2EE_EPOCH_MASK, epoch & E2EE_EPOCH_MASK);
	explicit_bzero(&kr->epochs[i], sizeof kr->epochs[i]);
	memmove(&kr->epochs[i], &kr->epochs[i + 1],
	    (kr->nepochs - i - 1) * sizeof kr->epochs[i]);
	kr->nepochs--;
	explicit_bzero(&kr->epochs[kr->nepochs], sizeof kr->epochs[0]);
}

int
e2ee_keyring_has_epoch(struct e2ee_keyring *kr, uint32_t epoch)
{
	struct e2ee_epoch	*ep;

	ep = e2ee_keyring_epoch(kr, epoch & E2EE_EPOCH_MASK);
	return ep != NULL && ep->epoch == epoch;
}

/* Where sender is in the sorted list, or where it would go. */
static size_t
e2ee_sender_slot(struct e2ee_keyring *kr, uint32_t sender)
{
	size_t	 lo = 0, hi = kr->nsenders, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kr->senders[mid] < sender)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
e2ee_keyring_knows(struct e2ee_keyring *kr, uint32_t sender)
{
	size_t	 i = e2ee_sender_slot(kr, sender);

	return i < kr->nsenders && kr->senders[i] == sender;
}

int
e2ee_keyring_add_sender(struct e2ee_keyring *kr, uint32_t sender)
{
	size_t	 i;

	if (sender == 0 || sender > E2EE_SENDER_MASK)
		return E2EE_ERR_KID;
	i = e2ee_sender_slot(kr, sender);
	if (i < kr->nsenders && kr->senders[i] == sender)
		return 0;
	if (kr->nsenders == E2EE_SENDERS_MAX)
		return E2EE_ERR_ROOM;
	kr->senders = xreallocarray(kr->senders, kr->nsenders + 1,
	    sizeof *kr->senders);
	memmove(&kr->senders[i + 1], &kr->senders[i],
	    (kr->nsenders - i) * sizeof *kr->senders);
	kr->senders[i] = sender;
	kr->nsenders++;
	return 0;
}

void
e2ee_keyring_drop_sender(struct e2ee_keyring *kr, uint32_t sender)
{
	size_t	 i = e2ee_sender_slot(kr, sender);

	if (i == kr->nsenders || kr->senders[i] != sender)
		return;
	memmove(&kr->senders[i], &kr->senders[i + 1],
	    (kr->nsenders - i - 1) * sizeof *kr->senders);
	kr->nsenders--;
	e2ee_recv_drop(kr, (uint64_t)E2EE_SENDER_MASK << E2EE_KID_SHIFT_SENDER,
	    (uint64_t)sender << E2EE_KID_SHIFT_SENDER);
}

/* The receive keys of kid, or NULL with *slot where they would go. */
static struct e2ee_recv *
e2ee_recv_find(struct e2ee_keyring *kr, uint64_t kid, size_t *slot)
{
	size_t	 lo = 0, hi = kr->nrecv, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kr->recv[mid]->kid < kid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*slot = lo;
	if (lo < kr->nrecv && kr->recv[lo]->kid == kid)
		return kr->recv[lo];
	return NULL;
}

/* Derive kid's keys from its epoch's secret, at its first frame. */
static struct e2ee_recv *
e2ee_recv_add(struct e2ee_keyring *kr, const uint8_t *epoch_secret,
    uint64_t kid)
{
	struct e2ee_recv	*r;
	uint8_t			 base[E2EE_SECRET_LEN], key[E2EE_KEY_LEN];
	size_t			 slot;

	if (e2ee_recv_find(kr, kid, &slot) != NULL ||
	    kr->nrecv == E2EE_RECV_MAX)
		return NULL;
	r = xcalloc(1, sizeof *r);
	r->kid = kid;
	if (e2ee_base_key(epoch_secret, kid, base) != 0 ||
	    e2ee_key_salt(base, sizeof base, kid, key, r->salt) != 0 ||
	    (r->ctx = e2ee_gcm_new(key, 0)) == NULL) {
		explicit_bzero(base, sizeof base);
		explicit_bzero(key, sizeof key);
		e2ee_recv_free(r);
		return NULL;
	}
	explicit_bzero(base, sizeof base);
	explicit_bzero(key, sizeof key);
	kr->recv = xreallocarray(kr->recv, kr->nrecv + 1, sizeof *kr->recv);
	memmove(&kr->recv[slot + 1], &kr->recv[slot],
	    (kr->nrecv - slot) * sizeof *kr->recv);
	kr->recv[slot] = r;
	kr->nrecv++;
	return r;
}

static void
e2ee_recv_free(struct e2ee_recv *r)
{
	if (r == NULL)
		return;
	EVP_CIPHER_CTX_free(r->ctx);
	explicit_bzero(r, sizeof *r);
	free(r);
}

/* Forget the receive keys of every KID with (kid & mask) == value. */
static void
e2ee_recv_drop(struct e2ee_keyring *kr, uint64_t mask, uint64_t value)
{
	size_t	 i, j = 0;

	for (i = 0; i < kr->nrecv; i++) {
		if ((kr->recv[i]->kid & mask) == value)
			e2ee_recv_free(kr->recv[i]);
		else
			kr->recv[j++] = kr->recv[i];
	}
	kr->nrecv = j;
}

/* Replay windows, as RFC 3711 section 3.3.2 keeps them. */

static int
e2ee_window_seen(const struct e2ee_recv *r, uint64_t ctr)
{
	uint64_t	 d;

	if (!r->any || ctr > r->high)
		return 0;
	d = r->high - ctr;
	if (d >= E2EE_REPLAY_WINDOW)
		return 1;	/* too old to tell: refused */
	return (int)((r->seen >> d) & 1);
}

static void
e2ee_window_take(struct e2ee_recv *r, uint64_t ctr)
{
	uint64_t	 shift;

	if (!r->any) {
		r->any = 1;
		r->high = ctr;
		r->seen = 1;
	} else if (ctr > r->high) {
		shift = ctr - r->high;
		r->seen = shift >= E2EE_REPLAY_WINDOW ? 0 : r->seen << shift;
		r->seen |= 1;
		r->high = ctr;
	} else
		r->seen |= (unsigned __int128)1 << (r->high - ctr);
}

int
e2ee_open(struct e2ee_keyring *kr, const uint8_t *meta, size_t metalen,
    const uint8_t *in, size_t len, uint8_t *out, size_t size,
    size_t *outlen, struct e2ee_opened *info)
{
	struct e2ee_epoch	*ep;
	struct e2ee_recv	*r;
	uint8_t			 nonce[E2EE_NONCE_LEN], tag[E2EE_TAG_LEN];
	uint64_t		 kid, ctr;
	size_t			 hl, ctlen, slot;
	unsigned int		 stream;
	int			 n = 0, m = 0, h;

	memset(info, 0, sizeof *info);
	if ((h = e2ee_header_decode(in, len, &kid, &ctr)) < 0)
		return E2EE_ERR_MALFORMED;
	hl = (size_t)h;
	if (len - hl < E2EE_TAG_LEN || metalen > INT_MAX)
		return E2EE_ERR_MALFORMED;
	ctlen = len - hl - E2EE_TAG_LEN;
	if (ctlen > INT_MAX)
		return E2EE_ERR_MALFORMED;
	stream = e2ee_kid_stream(kid);
	info->kid = kid;
	info->ctr = ctr;
	info->sender = e2ee_kid_sender(kid);
	info->epoch = e2ee_kid_epoch(kid);
	info->stream = (enum e2ee_stream)stream;

	if ((ep = e2ee_keyring_epoch(kr, info->epoch)) == NULL)
		return E2EE_ERR_EPOCH;
	if (kid > E2EE_KID_MAX || !e2ee_stream_valid(stream) ||
	    !e2ee_keyring_knows(kr, info->sender))
		return E2EE_ERR_KID;
	if ((r = e2ee_recv_find(kr, kid, &slot)) == NULL &&
	    (r = e2ee_recv_add(kr, ep->secret, kid)) == NULL)
		return E2EE_ERR_KID;	/* no room for its keys: not taken */
	if (stream != E2EE_STREAM_FILE && e2ee_window_seen(r, ctr))
		return E2EE_ERR_REPLAY;
	if (size < ctlen)
		return E2EE_ERR_ROOM;

	e2ee_nonce(r->salt, ctr, nonce);
	memcpy(tag, in + hl + ctlen, sizeof tag);
	if (EVP_DecryptInit_ex(r->ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(r->ctx, NULL, &n, in, (int)hl) != 1 ||
	    (metalen > 0 && EVP_DecryptUpdate(r->ctx, NULL, &n, meta,
	    (int)metalen) != 1) ||
	    EVP_CIPHER_CTX_ctrl(r->ctx, EVP_CTRL_GCM_SET_TAG, E2EE_TAG_LEN,
	    tag) != 1)
		return E2EE_ERR_FAIL;
	n = 0;
	if (ctlen > 0 && EVP_DecryptUpdate(r->ctx, out, &n, in + hl,
	    (int)ctlen) != 1) {
		explicit_bzero(out, ctlen);
		return E2EE_ERR_FAIL;
	}
	if (EVP_DecryptFinal_ex(r->ctx, out + n, &m) != 1 ||
	    (size_t)n + (size_t)m != ctlen) {
		/* Nothing unauthenticated is left for the caller to use. */
		explicit_bzero(out, ctlen);
		return E2EE_ERR_AUTH;
	}
	if (stream != E2EE_STREAM_FILE)
		e2ee_window_take(r, ctr);
	*outlen = ctlen;
	return 0;
}

/* Shared files. */

int
e2ee_file_seal_begin(struct e2ee_file *f, const char *room,
    uint8_t *preamble)
{
	if (strlen(room) >= sizeof f->room)
		return E2EE_ERR_FAIL;
	memset(f, 0, sizeof *f);
	memcpy(f->room, room, strlen(room) + 1);
	arc4random_buf(f->nonce, sizeof f->nonce);
	memcpy(preamble, E2EE_FILE_MAGIC, E2EE_FILE_MAGIC_LEN);
	memcpy(preamble + E2EE_FILE_MAGIC_LEN, f->nonce, sizeof f->nonce);
	return 0;
}

int
e2ee_file_seal_chunk(struct e2ee_file *f, struct e2ee_sender *s,
    const uint8_t *pt, size_t len, int last, uint8_t *out, size_t size,
    size_t *outlen)
{
	uint8_t	 meta[E2EE_META_MAX];
	size_t	 mlen;
	int	 r;

	if (f->ended || len > E2EE_FILE_CHUNK ||
	    (!last && len != E2EE_FILE_CHUNK) ||
	    e2ee_kid_stream(e2ee_sender_kid(s)) != E2EE_STREAM_FILE)
		return E2EE_ERR_FAIL;
	mlen = e2ee_meta_file(meta, sizeof meta, f->room, f->nonce, f->index,
	    last);
	if (mlen == 0)
		return E2EE_ERR_FAIL;
	if ((r = e2ee_seal(s, meta, mlen, pt, len, out, size, outlen)) != 0)
		return r;
	f->index++;
	f->ended = last;
	return 0;
}

int
e2ee_file_open_begin(struct e2ee_file *f, const char *room,
    const uint8_t *preamble, size_t len)
{
	if (strlen(room) >= sizeof f->room)
		return E2EE_ERR_FAIL;
	if (len < E2EE_FILE_PREAMBLE ||
	    memcmp(preamble, E2EE_FILE_MAGIC, E2EE_FILE_MAGIC_LEN) != 0)
		return E2EE_ERR_MALFORMED;
	memset(f, 0, sizeof *f);
	memcpy(f->room, room, strlen(room) + 1);
	memcpy(f->nonce, preamble + E2EE_FILE_MAGIC_LEN, sizeof f->nonce);
	return 0;
}

int
e2ee_file_chunk_len(const uint8_t *buf, size_t avail, uint64_t remaining,
    size_t *chunklen, int *last)
{
	uint64_t	 kid, ctr, full;
	int		 h;

	if (avail > remaining ||
	    (h = e2ee_header_decode(buf, avail, &kid, &ctr)) < 0)
		return E2EE_ERR_MALFORMED;
	if (remaining < (uint64_t)h + E2EE_TAG_LEN)
		return E2EE_ERR_MALFORMED;
	full = (uint64_t)h + E2EE_FILE_CHUNK + E2EE_TAG_LEN;
	if (remaining > full) {
		*chunklen = (size_t)full;
		*last = 0;
	} else {
		*chunklen = (size_t)remaining;
		*last = 1;
	}
	return 0;
}

int
e2ee_file_open_chunk(struct e2ee_file *f, struct e2ee_keyring *kr,
    const uint8_t *in, size_t len, int last, uint8_t *out, size_t size,
    size_t *outlen, struct e2ee_opened *info)
{
	uint8_t		 meta[E2EE_META_MAX];
	uint64_t	 kid, ctr;
	size_t		 mlen;
	int		 r;

	memset(info, 0, sizeof *info);
	if (f->ended || e2ee_header_decode(in, len, &kid, &ctr) < 0)
		return E2EE_ERR_MALFORMED;
	/* One file, one sender: a chunk from another KID is not its. */
	if (e2ee_kid_stream(kid) != E2EE_STREAM_FILE ||
	    (f->have_kid && kid != f->kid))
		return E2EE_ERR_KID;
	mlen = e2ee_meta_file(meta, sizeof meta, f->room, f->nonce, f->index,
	    last);
	if (mlen == 0)
		return E2EE_ERR_FAIL;
	r = e2ee_open(kr, meta, mlen, in, len, out, size, outlen, info);
	if (r != 0)
		return r;
	if (*outlen > E2EE_FILE_CHUNK ||
	    (!last && *outlen != E2EE_FILE_CHUNK)) {
		explicit_bzero(out, *outlen);
		return E2EE_ERR_MALFORMED;
	}
	f->have_kid = 1;
	f->kid = kid;
	f->index++;
	f->ended = last;
	return 0;
}

int
e2ee_file_open_end(const struct e2ee_file *f)
{
	return f->ended ? 0 : E2EE_ERR_TRUNCATED;
}
