/*
 * SRTP contexts over libsrtp2 (srtpctx.h says what for, and the threads).
 *
 * libsrtp does the cryptography, the key derivation, the replay window and
 * the rollover counter; this file picks its policies, checks what it is
 * handed before libsrtp reads it (lengths, room for the tag, alignment),
 * turns its status codes into the few reasons callers count, and carries
 * a receiver's starting point across a wrap that libsrtp cannot guess.
 */
#include <sys/types.h>

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <srtp2/srtp.h>

#include "byteorder.h"
#include "srtpctx.h"
#include "xmalloc.h"

#define SRTPCTX_RTP_MIN		12	/* a fixed RTP header */
#define SRTPCTX_RTCP_MIN	8	/* an RTCP header and SSRC */
#define SRTPCTX_SEQ_HALF	0x8000

struct srtpctx {
	srtp_t			 session;
	enum srtpctx_dir	 dir;
	uint32_t		 ssrc;		/* SRTPCTX_OUT and SRTPCTX_IN */

	/*
	 * Where srtpctx_set_roc said the sender was, until a packet is
	 * taken: each packet's ROC is worked out from it, as RFC 3711
	 * appendix A does from the highest index seen.
	 */
	int			 join;
	uint32_t		 join_roc;
	uint16_t		 join_seq;
	uint64_t		 high;		/* highest index taken, + 1 */

	/* SRTPCTX_IN_ANY: the SSRCs taken so far. */
	uint32_t		 any[SRTPCTX_ANY_MAX];
	size_t			 nany;
};

static void	 srtpctx_init_once(void);
static void	 srtpctx_policy(srtp_policy_t *, enum srtpctx_profile);
static int	 srtpctx_result(srtp_err_status_t);
static int	 srtpctx_check(struct srtpctx *, const uint8_t *, size_t,
		    size_t, enum srtpctx_dir);
static int	 srtpctx_any_full(struct srtpctx *, uint32_t);
static void	 srtpctx_any_add(struct srtpctx *, uint32_t);
static void	 srtpctx_join_roc(struct srtpctx *, uint16_t);
static void	 srtpctx_taken(struct srtpctx *, uint16_t);

static pthread_once_t		 srtpctx_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t	 srtpctx_init_status;

static void
srtpctx_init_once(void)
{
	srtpctx_init_status = srtp_init();
}

size_t
srtpctx_key_len(enum srtpctx_profile profile)
{
	switch (profile) {
	case SRTPCTX_AEAD_AES_128_GCM:
		return SRTP_AES_GCM_128_KEY_LEN_WSALT;
	case SRTPCTX_AES_CM_128_HMAC_SHA1_80:
		return SRTP_AES_ICM_128_KEY_LEN_WSALT;
	}
	return 0;
}

const char *
srtpctx_suite(enum srtpctx_profile profile)
{
	switch (profile) {
	case SRTPCTX_AEAD_AES_128_GCM:
		return "AEAD_AES_128_GCM";
	case SRTPCTX_AES_CM_128_HMAC_SHA1_80:
		return "AES_CM_128_HMAC_SHA1_80";
	}
	return "?";
}

void
srtpctx_key_make(struct srtpctx_key *k, enum srtpctx_profile profile)
{
	memset(k, 0, sizeof *k);
	k->profile = profile;
	k->len = srtpctx_key_len(profile);
	arc4random_buf(k->key, k->len);
}

int
srtpctx_key_set(struct srtpctx_key *k, enum srtpctx_profile profile,
    const uint8_t *key, size_t len)
{
	if (len != srtpctx_key_len(profile) || len > sizeof k->key)
		return -1;
	memset(k, 0, sizeof *k);
	k->profile = profile;
	k->len = len;
	memcpy(k->key, key, len);
	return 0;
}

/*
 * The key of one stream (ssrc) from a master secret that covers every
 * stream of one direction between two nodes: HKDF-SHA256, salted with a
 * fixed label, the SSRC as info.  Both ends derive the same key, so a
 * stream needs no key of its own on the wire, and a key learnt for one
 * stream opens no other.  0, or -1.
 */
int
srtpctx_key_derive(struct srtpctx_key *k, enum srtpctx_profile profile,
    const uint8_t *master, size_t mlen, uint32_t ssrc)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[5], *p = params;
	uint8_t		 info[16];
	int		 r;

	memset(k, 0, sizeof *k);
	k->profile = profile;
	k->len = srtpctx_key_len(profile);
	memcpy(info, "meet srtp ", 10);
	info[10] = (uint8_t)profile;
	info[11] = 0;
	put32(info + 12, ssrc);
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)master, mlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)(uintptr_t)"meet srtp streams", 17);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
	    sizeof info);
	*p = OSSL_PARAM_construct_end();
	r = kctx != NULL && EVP_KDF_derive(kctx, k->key, k->len, params) ==
	    1 ? 0 : -1;
	EVP_KDF_CTX_free(kctx);
	if (r != 0)
		srtpctx_key_clear(k);
	return r;
}

void
srtpctx_key_clear(struct srtpctx_key *k)
{
	explicit_bzero(k, sizeof *k);
}

void
srtpctx_key_base64(const struct srtpctx_key *k, char *buf)
{
	EVP_EncodeBlock((unsigned char *)buf, k->key, (int)k->len);
}

int
srtpctx_key_from_base64(struct srtpctx_key *k, enum srtpctx_profile profile,
    const char *text)
{
	uint8_t	 raw[SRTPCTX_KEY_B64_MAX / 4 * 3];
	size_t	 want = srtpctx_key_len(profile), enc, pad, i;
	int	 n;

	/* Only the one canonical text: 4 characters per 3 bytes, padded. */
	enc = 4 * ((want + 2) / 3);
	pad = enc / 4 * 3 - want;
	if (enc > SRTPCTX_KEY_B64_MAX || strlen(text) != enc)
		return -1;
	for (i = 0; i < enc; i++) {
		if ((text[i] == '=') != (i >= enc - pad))
			return -1;
	}
	n = EVP_DecodeBlock(raw, (const unsigned char *)text, (int)enc);
	if (n < 0 || (size_t)n != want + pad) {
		explicit_bzero(raw, sizeof raw);
		return -1;
	}
	n = srtpctx_key_set(k, profile, raw, want);
	explicit_bzero(raw, sizeof raw);
	return n;
}

static void
srtpctx_policy(srtp_policy_t *p, enum srtpctx_profile profile)
{
	memset(p, 0, sizeof *p);
	switch (profile) {
	case SRTPCTX_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p->rtcp);
		break;
	case SRTPCTX_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p->rtcp);
		break;
	}
	p->window_size = 128;
	p->allow_repeat_tx = 0;	/* an index is never used twice */
}

struct srtpctx *
srtpctx_new(const struct srtpctx_key *k, enum srtpctx_dir dir, uint32_t ssrc,
    char **cause)
{
	struct srtpctx		*c;
	srtp_policy_t		 p;
	uint8_t			 key[SRTPCTX_KEY_MAX];
	srtp_err_status_t	 st;

	if (pthread_once(&srtpctx_once, srtpctx_init_once) != 0 ||
	    srtpctx_init_status != srtp_err_status_ok) {
		xasprintf(cause, "libsrtp did not start (error %d)",
		    (int)srtpctx_init_status);
		return NULL;
	}
	if (k->len != srtpctx_key_len(k->profile)) {
		xasprintf(cause, "an SRTP key of %zu bytes for %s", k->len,
		    srtpctx_suite(k->profile));
		return NULL;
	}
	srtpctx_policy(&p, k->profile);
	switch (dir) {
	case SRTPCTX_OUT:
	case SRTPCTX_IN:
		p.ssrc.type = ssrc_specific;
		p.ssrc.value = ssrc;
		break;
	case SRTPCTX_IN_ANY:
		p.ssrc.type = ssrc_any_inbound;
		break;
	}
	/* libsrtp reads the key through a pointer that is not const. */
	memcpy(key, k->key, k->len);
	p.key = key;

	c = xcalloc(1, sizeof *c);
	c->dir = dir;
	c->ssrc = ssrc;
	st = srtp_create(&c->session, &p);
	explicit_bzero(key, sizeof key);
	if (st != srtp_err_status_ok) {
		xasprintf(cause, "libsrtp refused a %s context (error %d)",
		    srtpctx_suite(k->profile), (int)st);
		free(c);
		return NULL;
	}
	return c;
}

void
srtpctx_free(struct srtpctx *c)
{
	if (c == NULL)
		return;
	srtp_dealloc(c->session);	/* it clears the session keys */
	free(c);
}

/* libsrtp's status as the reason a caller counts. */
static int
srtpctx_result(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok:
		return 0;
	case srtp_err_status_auth_fail:
		return SRTPCTX_ERR_AUTH;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old:
		return SRTPCTX_ERR_REPLAY;
	case srtp_err_status_bad_param:
	case srtp_err_status_parse_err:
		return SRTPCTX_ERR_MALFORMED;
	case srtp_err_status_no_ctx:
		return SRTPCTX_ERR_SSRC;
	default:
		return SRTPCTX_ERR_FAIL;
	}
}

/*
 * What is checked before libsrtp sees a packet: the direction of the
 * context, the packet's length (min), that it fits libsrtp's int lengths
 * with room to spare, and its alignment, which libsrtp assumes.
 */
static int
srtpctx_check(struct srtpctx *c, const uint8_t *buf, size_t len, size_t min,
    enum srtpctx_dir want)
{
	if ((want == SRTPCTX_OUT) != (c->dir == SRTPCTX_OUT))
		return SRTPCTX_ERR_FAIL;
	if (len < min)
		return SRTPCTX_ERR_MALFORMED;
	if (len > INT_MAX / 2)
		return SRTPCTX_ERR_MALFORMED;
	if (((uintptr_t)buf & 3) != 0)
		return SRTPCTX_ERR_ALIGN;
	return 0;
}

/* SRTPCTX_IN_ANY: 1 when ssrc is new and there is no room for it. */
static int
srtpctx_any_full(struct srtpctx *c, uint32_t ssrc)
{
	size_t	i;

	if (c->dir != SRTPCTX_IN_ANY)
		return 0;
	for (i = 0; i < c->nany; i++) {
		if (c->any[i] == ssrc)
			return 0;
	}
	return c->nany == SRTPCTX_ANY_MAX;
}

static void
srtpctx_any_add(struct srtpctx *c, uint32_t ssrc)
{
	size_t	i;

	if (c->dir != SRTPCTX_IN_ANY)
		return;
	for (i = 0; i < c->nany; i++) {
		if (c->any[i] == ssrc)
			return;
	}
	if (c->nany < SRTPCTX_ANY_MAX)
		c->any[c->nany++] = ssrc;
}

/*
 * Before the first packet after srtpctx_set_roc: the packet's ROC is the
 * sender's, one more when its sequence number is far below the sender's
 * (it wrapped since), one less when far above (it is from before).
 */
static void
srtpctx_join_roc(struct srtpctx *c, uint16_t seq)
{
	uint32_t	roc = c->join_roc;

	if (!c->join)
		return;
	if (seq < c->join_seq && c->join_seq - seq > SRTPCTX_SEQ_HALF)
		roc++;
	else if (seq > c->join_seq && seq - c->join_seq > SRTPCTX_SEQ_HALF &&
	    roc > 0)
		roc--;
	srtp_set_stream_roc(c->session, c->ssrc, roc);
}

/* A packet was taken: the join point is spent; keep the highest index. */
static void
srtpctx_taken(struct srtpctx *c, uint16_t seq)
{
	uint32_t	roc;
	uint64_t	index;

	if (c->dir == SRTPCTX_IN_ANY)
		return;
	c->join = 0;
	if (srtp_get_stream_roc(c->session, c->ssrc, &roc) !=
	    srtp_err_status_ok)
		return;
	index = ((uint64_t)roc << 16 | seq) + 1;
	/*
	 * libsrtp's ROC is that of its highest index: a late packet from
	 * before a wrap has a sequence number far above the highest's.
	 */
	if (c->high != 0 && seq > (uint16_t)(c->high - 1) &&
	    seq - (uint16_t)(c->high - 1) > SRTPCTX_SEQ_HALF)
		return;
	if (index > c->high)
		c->high = index;
}

int
srtpctx_roc(struct srtpctx *c, uint32_t *roc, uint16_t *seq)
{
	if (c->dir == SRTPCTX_IN_ANY)
		return SRTPCTX_ERR_FAIL;
	if (c->join) {
		*roc = c->join_roc;
		*seq = c->join_seq;
	} else if (c->high == 0) {
		*roc = 0;
		*seq = 0;
	} else {
		*roc = (uint32_t)((c->high - 1) >> 16);
		*seq = (uint16_t)(c->high - 1);
	}
	return 0;
}

int
srtpctx_set_roc(struct srtpctx *c, uint32_t roc, uint16_t seq)
{
	if (c->dir == SRTPCTX_IN_ANY)
		return SRTPCTX_ERR_FAIL;
	c->join = 1;
	c->join_roc = roc;
	c->join_seq = seq;
	return 0;
}

int
srtpctx_protect(struct srtpctx *c, uint8_t *buf, size_t *len, size_t size)
{
	uint32_t	trailer;
	int		n, error;

	if ((error = srtpctx_check(c, buf, *len, SRTPCTX_RTP_MIN,
	    SRTPCTX_OUT)) != 0)
		return error;
	if (srtp_get_protect_trailer_length(c->session, 0, 0, &trailer) !=
	    srtp_err_status_ok)
		return SRTPCTX_ERR_FAIL;
	if (size < *len || size - *len < trailer)
		return SRTPCTX_ERR_ROOM;
	srtpctx_join_roc(c, get16(buf + 2));
	n = (int)*len;
	if ((error = srtpctx_result(srtp_protect(c->session, buf, &n))) != 0)
		return error;
	srtpctx_taken(c, get16(buf + 2));
	*len = (size_t)n;
	return 0;
}

int
srtpctx_unprotect(struct srtpctx *c, uint8_t *buf, size_t *len)
{
	uint32_t	ssrc;
	uint16_t	seq;
	int		n, error;

	if ((error = srtpctx_check(c, buf, *len, SRTPCTX_RTP_MIN,
	    SRTPCTX_IN)) != 0)
		return error;
	if ((buf[0] >> 6) != 2)
		return SRTPCTX_ERR_MALFORMED;
	seq = get16(buf + 2);
	ssrc = get32(buf + 8);
	if (srtpctx_any_full(c, ssrc))
		return SRTPCTX_ERR_SSRC;
	srtpctx_join_roc(c, seq);
	n = (int)*len;
	if ((error = srtpctx_result(srtp_unprotect(c->session, buf, &n))) != 0)
		return error;
	srtpctx_any_add(c, ssrc);
	srtpctx_taken(c, seq);
	*len = (size_t)n;
	return 0;
}

int
srtpctx_protect_rtcp(struct srtpctx *c, uint8_t *buf, size_t *len,
    size_t size)
{
	uint32_t	trailer;
	int		n, error;

	if ((error = srtpctx_check(c, buf, *len, SRTPCTX_RTCP_MIN,
	    SRTPCTX_OUT)) != 0)
		return error;
	if (srtp_get_protect_rtcp_trailer_length(c->session, 0, 0,
	    &trailer) != srtp_err_status_ok)
		return SRTPCTX_ERR_FAIL;
	if (size < *len || size - *len < trailer)
		return SRTPCTX_ERR_ROOM;
	n = (int)*len;
	if ((error = srtpctx_result(srtp_protect_rtcp(c->session, buf,
	    &n))) != 0)
		return error;
	*len = (size_t)n;
	return 0;
}

int
srtpctx_unprotect_rtcp(struct srtpctx *c, uint8_t *buf, size_t *len)
{
	uint32_t	ssrc;
	int		n, error;

	if ((error = srtpctx_check(c, buf, *len, SRTPCTX_RTCP_MIN,
	    SRTPCTX_IN)) != 0)
		return error;
	if ((buf[0] >> 6) != 2)
		return SRTPCTX_ERR_MALFORMED;
	ssrc = get32(buf + 4);
	if (srtpctx_any_full(c, ssrc))
		return SRTPCTX_ERR_SSRC;
	n = (int)*len;
	if ((error = srtpctx_result(srtp_unprotect_rtcp(c->session, buf,
	    &n))) != 0)
		return error;
	srtpctx_any_add(c, ssrc);
	*len = (size_t)n;
	return 0;
}

const char *
srtpctx_strerror(int error)
{
	switch (error) {
	case 0:
		return "no error";
	case SRTPCTX_ERR_AUTH:
		return "authentication failed";
	case SRTPCTX_ERR_REPLAY:
		return "replayed or too old";
	case SRTPCTX_ERR_MALFORMED:
		return "malformed packet";
	case SRTPCTX_ERR_SSRC:
		return "not a stream of this context";
	case SRTPCTX_ERR_ROOM:
		return "no room for the SRTP trailer";
	case SRTPCTX_ERR_ALIGN:
		return "packet not 32-bit aligned";
	case SRTPCTX_ERR_FAIL:
		return "SRTP failed";
	}
	return "unknown SRTP error";
}
