/*
 * Unit tests for SRTP contexts (lib/srtpctx.c).  Both profiles round trip
 * RTP and RTCP; a changed payload, a changed header, a replay and a wrong
 * key are refused, each with its own code; a stream that starts near
 * sequence 65535 decrypts across the wrap, and a receiver that starts
 * after the wrap decrypts when given the sender's rollover counter and
 * fails without it.  The known answer: libsrtp's packets are compared with
 * ones built here from OpenSSL's AES and HMAC by RFC 3711 (AES-CM and
 * HMAC-SHA1) and RFC 7714 (AES-GCM), whose key derivation is first checked
 * against RFC 3711 appendix B.3, its AES-CM keystream against B.2, and its
 * AES-GCM packet against RFC 7714 section 16.1.1.
 */
#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "byteorder.h"
#include "srtpctx.h"

#define PAYLOAD_LEN	160
#define BUF_LEN		512

/* A packet buffer aligned as libsrtp wants it. */
struct pkt {
	uint8_t		 b[BUF_LEN] __attribute__((aligned(8)));
	size_t		 len;
};

static void	test_key(void **);
static void	test_base64(void **);
static void	test_round_trip(void **);
static void	test_rtcp_round_trip(void **);
static void	test_tampered(void **);
static void	test_replay(void **);
static void	test_wrong_key(void **);
static void	test_ssrc(void **);
static void	test_room(void **);
static void	test_malformed(void **);
static void	test_in_any(void **);
static void	test_wrap(void **);
static void	test_late_join(void **);
static void	test_late_join_across(void **);
static void	test_kdf_known_answer(void **);
static void	test_cm_known_answer(void **);
static void	test_gcm_rfc7714(void **);
static void	test_gcm_known_answer(void **);
static void	test_strerror(void **);
static void	test_derive(void **);
static void	make_rtp(struct pkt *, uint16_t, uint32_t, uint32_t);
static void	make_rtcp(struct pkt *, uint32_t);
static void	key_fixed(struct srtpctx_key *, enum srtpctx_profile, uint8_t);
static struct srtpctx *ctx(const struct srtpctx_key *, enum srtpctx_dir,
		    uint32_t);
static void	hex(const char *, uint8_t *, size_t);
static void	ref_kdf(const uint8_t *, const uint8_t *, size_t, uint8_t,
		    uint8_t *, size_t);
static void	ref_cm_protect(const uint8_t *, size_t, uint32_t,
		    const uint8_t *, uint8_t *, size_t *);
static void	ref_gcm_seal(const uint8_t *, const uint8_t *, uint32_t,
		    const uint8_t *, size_t, uint8_t *, size_t *);

static const enum srtpctx_profile profiles[] = {
	SRTPCTX_AEAD_AES_128_GCM,
	SRTPCTX_AES_CM_128_HMAC_SHA1_80
};
#define NPROFILES	(sizeof profiles / sizeof profiles[0])

/* RFC 3711 appendix B.3: the master key and salt. */
static const char b3_master[] = "e1f97a0d3e018be0d64fa32c06de4139"
	"0ec675ad498afeebb6960b3aabe6";

/* A 12-byte header (PT 111) and a payload of ascending bytes. */
static void
make_rtp(struct pkt *p, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	size_t	i;

	memset(p->b, 0, sizeof p->b);
	p->b[0] = 0x80;
	p->b[1] = 111;
	put16(p->b + 2, seq);
	put32(p->b + 4, ts);
	put32(p->b + 8, ssrc);
	for (i = 0; i < PAYLOAD_LEN; i++)
		p->b[12 + i] = (uint8_t)(i + seq);
	p->len = 12 + PAYLOAD_LEN;
}

/* An RR with one report block: 32 bytes. */
static void
make_rtcp(struct pkt *p, uint32_t ssrc)
{
	size_t	i;

	memset(p->b, 0, sizeof p->b);
	p->b[0] = 0x81;
	p->b[1] = 201;
	put16(p->b + 2, 7);
	put32(p->b + 4, ssrc);
	for (i = 8; i < 32; i++)
		p->b[i] = (uint8_t)i;
	p->len = 32;
}

static void
key_fixed(struct srtpctx_key *k, enum srtpctx_profile profile, uint8_t fill)
{
	uint8_t	raw[SRTPCTX_KEY_MAX];
	size_t	i;

	for (i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)(fill + i);
	assert_int_equal(srtpctx_key_set(k, profile, raw,
	    srtpctx_key_len(profile)), 0);
}

static struct srtpctx *
ctx(const struct srtpctx_key *k, enum srtpctx_dir dir, uint32_t ssrc)
{
	struct srtpctx	*c;
	char		*cause = NULL;

	c = srtpctx_new(k, dir, ssrc, &cause);
	if (c == NULL)
		fail_msg("srtpctx_new: %s", cause);
	return c;
}

static void
hex(const char *s, uint8_t *out, size_t len)
{
	size_t		i;
	unsigned int	v;

	assert_int_equal(strlen(s), 2 * len);
	for (i = 0; i < len; i++) {
		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
test_key(void **state)
{
	struct srtpctx_key	a, b;
	uint8_t			raw[SRTPCTX_KEY_MAX] = { 0 };

	(void)state;
	assert_int_equal(srtpctx_key_len(SRTPCTX_AEAD_AES_128_GCM), 28);
	assert_int_equal(srtpctx_key_len(SRTPCTX_AES_CM_128_HMAC_SHA1_80),
	    30);
	assert_string_equal(srtpctx_suite(SRTPCTX_AEAD_AES_128_GCM),
	    "AEAD_AES_128_GCM");
	assert_string_equal(srtpctx_suite(SRTPCTX_AES_CM_128_HMAC_SHA1_80),
	    "AES_CM_128_HMAC_SHA1_80");

	/* Two keys made are not the same, and fill their length. */
	srtpctx_key_make(&a, SRTPCTX_AES_CM_128_HMAC_SHA1_80);
	srtpctx_key_make(&b, SRTPCTX_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(a.len, 30);
	assert_memory_not_equal(a.key, b.key, a.len);
	srtpctx_key_make(&a, SRTPCTX_AEAD_AES_128_GCM);
	assert_int_equal(a.len, 28);
	assert_int_equal(a.profile, SRTPCTX_AEAD_AES_128_GCM);

	/* A key of the wrong length is refused. */
	assert_int_equal(srtpctx_key_set(&a, SRTPCTX_AEAD_AES_128_GCM, raw,
	    30), -1);
	assert_int_equal(srtpctx_key_set(&a, SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    raw, 28), -1);
	assert_int_equal(srtpctx_key_set(&a, SRTPCTX_AEAD_AES_128_GCM, raw,
	    28), 0);

	srtpctx_key_clear(&b);
	assert_int_equal(b.len, 0);
}

static void
test_base64(void **state)
{
	struct srtpctx_key	k, back;
	uint8_t			raw[SRTPCTX_KEY_MAX];
	char			b64[SRTPCTX_KEY_B64_MAX + 1];
	size_t			i;

	(void)state;
	/* As SDES writes it: the RFC 3711 B.3 key is 40 characters. */
	hex(b3_master, raw, 30);
	assert_int_equal(srtpctx_key_set(&k, SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    raw, 30), 0);
	srtpctx_key_base64(&k, b64);
	assert_string_equal(b64, "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqvm");
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AES_CM_128_HMAC_SHA1_80, b64), 0);
	assert_int_equal(back.len, 30);
	assert_memory_equal(back.key, raw, 30);

	/* 28 bytes: one '=' of padding. */
	for (i = 0; i < 28; i++)
		raw[i] = (uint8_t)i;
	assert_int_equal(srtpctx_key_set(&k, SRTPCTX_AEAD_AES_128_GCM, raw,
	    28), 0);
	srtpctx_key_base64(&k, b64);
	assert_string_equal(b64, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGw==");
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AEAD_AES_128_GCM, b64), 0);
	assert_memory_equal(back.key, raw, 28);

	/* Wrong length, wrong profile, bad characters, bad padding. */
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AES_CM_128_HMAC_SHA1_80, b64), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqv"), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOqv!"), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    "4fl6DT4Bi+DWT6MsBt5BOQ7Gda1Jiv7rtpYLOq=="), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AEAD_AES_128_GCM,
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGwA="), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AEAD_AES_128_GCM,
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBk=Gw="), -1);
	assert_int_equal(srtpctx_key_from_base64(&back,
	    SRTPCTX_AEAD_AES_128_GCM, ""), -1);
}

/*
 * Stream keys from a direction's master: the same on both ends, another
 * for another SSRC or master, and a context of one stream's key opens
 * nothing of another's.
 */
static void
test_derive(void **state)
{
	struct srtpctx_key	 a, b, c, d;
	struct srtpctx		*out, *in;
	struct pkt		 p;
	uint8_t			 master[32], master2[32];

	(void)state;
	memset(master, 7, sizeof master);
	memset(master2, 8, sizeof master2);
	assert_int_equal(srtpctx_key_derive(&a, SRTPCTX_AEAD_AES_128_GCM,
	    master, sizeof master, 0x1234), 0);
	assert_int_equal(srtpctx_key_derive(&b, SRTPCTX_AEAD_AES_128_GCM,
	    master, sizeof master, 0x1234), 0);
	assert_int_equal(srtpctx_key_derive(&c, SRTPCTX_AEAD_AES_128_GCM,
	    master, sizeof master, 0x1235), 0);
	assert_int_equal(srtpctx_key_derive(&d, SRTPCTX_AEAD_AES_128_GCM,
	    master2, sizeof master2, 0x1234), 0);
	assert_int_equal(a.len, srtpctx_key_len(SRTPCTX_AEAD_AES_128_GCM));
	assert_memory_equal(a.key, b.key, a.len);
	assert_memory_not_equal(a.key, c.key, a.len);
	assert_memory_not_equal(a.key, d.key, a.len);

	/* Both ends derive: what one protects the other opens. */
	out = ctx(&a, SRTPCTX_OUT, 0x1234);
	in = ctx(&b, SRTPCTX_IN, 0x1234);
	make_rtp(&p, 1, 960, 0x1234);
	assert_int_equal(srtpctx_protect(out, p.b, &p.len, sizeof p.b), 0);
	assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), 0);
	srtpctx_free(in);
	/* Another master's key for the same SSRC does not. */
	in = ctx(&d, SRTPCTX_IN, 0x1234);
	make_rtp(&p, 2, 1920, 0x1234);
	assert_int_equal(srtpctx_protect(out, p.b, &p.len, sizeof p.b), 0);
	assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), SRTPCTX_ERR_AUTH);
	srtpctx_free(in);
	srtpctx_free(out);
}

static void
test_round_trip(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p, plain;
	size_t			 i, tag;
	uint16_t		 seq;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		tag = profiles[i] == SRTPCTX_AEAD_AES_128_GCM ? 16 : 10;
		out = ctx(&k, SRTPCTX_OUT, 0x1234);
		in = ctx(&k, SRTPCTX_IN, 0x1234);
		for (seq = 100; seq < 110; seq++) {
			make_rtp(&p, seq, seq * 960u, 0x1234);
			plain = p;
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
			assert_int_equal(p.len, plain.len + tag);
			/* The header stays clear, the payload does not. */
			assert_memory_equal(p.b, plain.b, 12);
			assert_memory_not_equal(p.b + 12, plain.b + 12,
			    PAYLOAD_LEN);
			assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
			    0);
			assert_int_equal(p.len, plain.len);
			assert_memory_equal(p.b, plain.b, plain.len);
		}
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

static void
test_rtcp_round_trip(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p, plain;
	size_t			 i, tag;
	uint32_t		 index, first = 0;
	int			 n;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		tag = profiles[i] == SRTPCTX_AEAD_AES_128_GCM ? 16 : 10;
		out = ctx(&k, SRTPCTX_OUT, 0xabcd);
		in = ctx(&k, SRTPCTX_IN, 0xabcd);
		for (n = 0; n < 3; n++) {
			make_rtcp(&p, 0xabcd);
			plain = p;
			assert_int_equal(srtpctx_protect_rtcp(out, p.b,
			    &p.len, sizeof p.b), 0);
			/*
			 * The tag, and the E flag with the SRTCP index:
			 * after the tag for AES-GCM (RFC 7714 section 9),
			 * before it for AES-CM (RFC 3711 section 3.4).
			 */
			assert_int_equal(p.len, plain.len + tag + 4);
			assert_memory_equal(p.b, plain.b, 8);
			assert_memory_not_equal(p.b + 8, plain.b + 8, 24);
			index = get32(p.b + plain.len + (tag == 16 ? tag : 0));
			if (n == 0)
				first = index;
			assert_int_equal(index, first + (uint32_t)n);
			assert_true(index & 0x80000000u);
			assert_int_equal(srtpctx_unprotect_rtcp(in, p.b,
			    &p.len), 0);
			assert_int_equal(p.len, plain.len);
			assert_memory_equal(p.b, plain.b, plain.len);
		}
		/* A replayed SRTCP index is refused too. */
		make_rtcp(&p, 0xabcd);
		assert_int_equal(srtpctx_protect_rtcp(out, p.b, &p.len,
		    sizeof p.b), 0);
		plain = p;
		assert_int_equal(srtpctx_unprotect_rtcp(in, p.b, &p.len), 0);
		assert_int_equal(srtpctx_unprotect_rtcp(in, plain.b,
		    &plain.len), SRTPCTX_ERR_REPLAY);
		/* And a changed one fails authentication. */
		make_rtcp(&p, 0xabcd);
		assert_int_equal(srtpctx_protect_rtcp(out, p.b, &p.len,
		    sizeof p.b), 0);
		p.b[20] ^= 1;
		assert_int_equal(srtpctx_unprotect_rtcp(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

static void
test_tampered(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p, good;
	size_t			 i;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 7);
		in = ctx(&k, SRTPCTX_IN, 7);

		/* A payload bit. */
		make_rtp(&p, 1, 0, 7);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		p.b[40] ^= 0x10;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);

		/* A header bit: the timestamp, and the marker. */
		make_rtp(&p, 2, 0, 7);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		good = p;
		p.b[7] ^= 1;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		p = good;
		p.b[1] ^= 0x80;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);

		/* A tag bit, and a tag cut short. */
		p = good;
		p.b[p.len - 1] ^= 1;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		p = good;
		p.len--;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);

		/* The packet itself still passes: none of that counted. */
		p = good;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), 0);
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

static void
test_replay(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p, copy, old;
	size_t			 i;
	uint16_t		 seq;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 9);
		in = ctx(&k, SRTPCTX_IN, 9);

		make_rtp(&p, 1000, 0, 9);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		copy = p;
		old = p;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), 0);
		assert_int_equal(srtpctx_unprotect(in, copy.b, &copy.len),
		    SRTPCTX_ERR_REPLAY);

		/* Out of order but new is taken; behind the window is not. */
		make_rtp(&p, 1002, 0, 9);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		make_rtp(&copy, 1001, 0, 9);
		assert_int_equal(srtpctx_protect(out, copy.b, &copy.len,
		    sizeof copy.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), 0);
		assert_int_equal(srtpctx_unprotect(in, copy.b, &copy.len), 0);
		for (seq = 1003; seq < 1200; seq++) {
			make_rtp(&p, seq, 0, 9);
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
			assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
			    0);
		}
		/* 1000 again, 200 packets on. */
		assert_int_equal(srtpctx_unprotect(in, old.b, &old.len),
		    SRTPCTX_ERR_REPLAY);

		/* The sender will not use an index twice either. */
		make_rtp(&p, 1100, 0, 9);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), SRTPCTX_ERR_REPLAY);
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

static void
test_wrong_key(void **state)
{
	struct srtpctx_key	 k, other;
	struct srtpctx		*out, *in;
	struct pkt		 p;
	size_t			 i;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		key_fixed(&k, profiles[i], 1);
		key_fixed(&other, profiles[i], 1);
		other.key[0] ^= 1;	/* one bit of the master key */
		out = ctx(&k, SRTPCTX_OUT, 5);
		in = ctx(&other, SRTPCTX_IN, 5);
		make_rtp(&p, 1, 0, 5);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		srtpctx_free(in);

		/* One bit of the salt. */
		key_fixed(&other, profiles[i], 1);
		other.key[other.len - 1] ^= 1;
		in = ctx(&other, SRTPCTX_IN, 5);
		make_rtp(&p, 2, 0, 5);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		srtpctx_free(in);
		srtpctx_free(out);
	}
}

static void
test_ssrc(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *out2, *in;
	struct pkt		 p;
	size_t			 i;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 1);
		out2 = ctx(&k, SRTPCTX_OUT, 2);
		in = ctx(&k, SRTPCTX_IN, 1);

		/* A sender's context is for its SSRC only. */
		make_rtp(&p, 1, 0, 2);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), SRTPCTX_ERR_SSRC);

		/* The same key under another SSRC: not this receiver's. */
		make_rtp(&p, 1, 0, 2);
		assert_int_equal(srtpctx_protect(out2, p.b, &p.len,
		    sizeof p.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_SSRC);

		/* And an SSRC rewritten on the way fails authentication. */
		make_rtp(&p, 1, 0, 2);
		assert_int_equal(srtpctx_protect(out2, p.b, &p.len,
		    sizeof p.b), SRTPCTX_ERR_REPLAY);
		make_rtp(&p, 2, 0, 2);
		assert_int_equal(srtpctx_protect(out2, p.b, &p.len,
		    sizeof p.b), 0);
		put32(p.b + 8, 1);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);

		/* Wrong directions. */
		assert_int_equal(srtpctx_unprotect(out, p.b, &p.len),
		    SRTPCTX_ERR_FAIL);
		make_rtp(&p, 3, 0, 1);
		assert_int_equal(srtpctx_protect(in, p.b, &p.len,
		    sizeof p.b), SRTPCTX_ERR_FAIL);
		srtpctx_free(out);
		srtpctx_free(out2);
		srtpctx_free(in);
	}
}

static void
test_room(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out;
	struct pkt		 p;
	size_t			 i, tag;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		tag = profiles[i] == SRTPCTX_AEAD_AES_128_GCM ? 16 : 10;
		out = ctx(&k, SRTPCTX_OUT, 3);

		make_rtp(&p, 1, 0, 3);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    p.len + tag - 1), SRTPCTX_ERR_ROOM);
		assert_int_equal(p.len, 12 + PAYLOAD_LEN);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    p.len - 1), SRTPCTX_ERR_ROOM);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    p.len + tag), 0);
		assert_true(tag <= SRTPCTX_TRAILER_MAX);

		make_rtcp(&p, 3);
		assert_int_equal(srtpctx_protect_rtcp(out, p.b, &p.len,
		    p.len + tag + 3), SRTPCTX_ERR_ROOM);
		assert_int_equal(srtpctx_protect_rtcp(out, p.b, &p.len,
		    p.len + tag + 4), 0);
		assert_true(tag + 4 <= SRTPCTX_TRAILER_MAX);
		srtpctx_free(out);
	}
}

static void
test_malformed(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p;
	uint8_t			 odd[BUF_LEN + 4] __attribute__((aligned(8)));
	size_t			 len, i;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 4);
		in = ctx(&k, SRTPCTX_IN, 4);

		/* Shorter than a header, in and out. */
		make_rtp(&p, 1, 0, 4);
		len = 11;
		assert_int_equal(srtpctx_protect(out, p.b, &len, sizeof p.b),
		    SRTPCTX_ERR_MALFORMED);
		assert_int_equal(srtpctx_unprotect(in, p.b, &len),
		    SRTPCTX_ERR_MALFORMED);
		len = 7;
		assert_int_equal(srtpctx_unprotect_rtcp(in, p.b, &len),
		    SRTPCTX_ERR_MALFORMED);

		/* A CSRC count that overruns the packet. */
		make_rtp(&p, 1, 0, 4);
		p.b[0] |= 0x0f;
		p.len = 20;
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), SRTPCTX_ERR_MALFORMED);

		/* Not version 2. */
		make_rtp(&p, 2, 0, 4);
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		p.b[0] = 0x40;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_MALFORMED);

		/* A header and nothing for a tag: too short to check. */
		make_rtp(&p, 3, 0, 4);
		p.len = 12;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len) != 0, 1);

		/* Not aligned. */
		make_rtp(&p, 4, 0, 4);
		memcpy(odd + 1, p.b, p.len);
		len = p.len;
		assert_int_equal(srtpctx_protect(out, odd + 1, &len,
		    sizeof odd - 1), SRTPCTX_ERR_ALIGN);
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

/* A receiver for any SSRC takes up to SRTPCTX_ANY_MAX that authenticate. */
static void
test_in_any(void **state)
{
	struct srtpctx_key	 k, other;
	struct srtpctx		*out[SRTPCTX_ANY_MAX + 1], *in, *bad;
	struct pkt		 p;
	size_t			 i;
	uint32_t		 roc;
	uint16_t		 seq;

	(void)state;
	srtpctx_key_make(&k, SRTPCTX_AES_CM_128_HMAC_SHA1_80);
	srtpctx_key_make(&other, SRTPCTX_AES_CM_128_HMAC_SHA1_80);
	in = ctx(&k, SRTPCTX_IN_ANY, 0);
	bad = ctx(&other, SRTPCTX_OUT, 1000);

	/* Forged packets under new SSRCs take no room. */
	for (i = 0; i < 2 * SRTPCTX_ANY_MAX; i++) {
		srtpctx_free(bad);
		bad = ctx(&other, SRTPCTX_OUT, 1000 + (uint32_t)i);
		make_rtp(&p, 1, 0, 1000 + (uint32_t)i);
		assert_int_equal(srtpctx_protect(bad, p.b, &p.len,
		    sizeof p.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
	}
	for (i = 0; i <= SRTPCTX_ANY_MAX; i++) {
		out[i] = ctx(&k, SRTPCTX_OUT, 50 + (uint32_t)i);
		make_rtp(&p, 1, 0, 50 + (uint32_t)i);
		assert_int_equal(srtpctx_protect(out[i], p.b, &p.len,
		    sizeof p.b), 0);
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    i < SRTPCTX_ANY_MAX ? 0 : SRTPCTX_ERR_SSRC);
	}
	/* Those it took go on, with their own replay windows. */
	make_rtp(&p, 2, 0, 50);
	assert_int_equal(srtpctx_protect(out[0], p.b, &p.len, sizeof p.b), 0);
	assert_int_equal(srtpctx_unprotect(in, p.b, &p.len), 0);
	make_rtp(&p, 1, 0, 51);
	assert_int_equal(srtpctx_protect(out[1], p.b, &p.len, sizeof p.b),
	    SRTPCTX_ERR_REPLAY);
	make_rtcp(&p, 52);
	assert_int_equal(srtpctx_protect_rtcp(out[2], p.b, &p.len,
	    sizeof p.b), 0);
	assert_int_equal(srtpctx_unprotect_rtcp(in, p.b, &p.len), 0);
	make_rtcp(&p, 50 + SRTPCTX_ANY_MAX);
	assert_int_equal(srtpctx_protect_rtcp(out[SRTPCTX_ANY_MAX], p.b,
	    &p.len, sizeof p.b), 0);
	assert_int_equal(srtpctx_unprotect_rtcp(in, p.b, &p.len),
	    SRTPCTX_ERR_SSRC);

	/* It has no single rollover counter. */
	assert_int_equal(srtpctx_roc(in, &roc, &seq), SRTPCTX_ERR_FAIL);
	assert_int_equal(srtpctx_set_roc(in, 1, 0), SRTPCTX_ERR_FAIL);
	for (i = 0; i <= SRTPCTX_ANY_MAX; i++)
		srtpctx_free(out[i]);
	srtpctx_free(bad);
	srtpctx_free(in);
}

/* From 65500 past 65535: 100 packets, the ROC goes to 1 on both sides. */
static void
test_wrap(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p, plain, late, copy;
	size_t			 i;
	uint32_t		 n, roc;
	uint16_t		 seq;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 0x77);
		in = ctx(&k, SRTPCTX_IN, 0x77);
		assert_int_equal(srtpctx_roc(out, &roc, &seq), 0);
		assert_int_equal(roc, 0);
		for (n = 0; n < 100; n++) {
			make_rtp(&p, (uint16_t)(65500 + n), n * 960, 0x77);
			plain = p;
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
			/* 65534 comes late, after the wrap. */
			if (n == 34) {
				late = p;
				continue;
			}
			assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
			    0);
			assert_memory_equal(p.b, plain.b, plain.len);
			if (n == 40) {
				copy = late;
				assert_int_equal(srtpctx_unprotect(in, late.b,
				    &late.len), 0);
				assert_int_equal(get16(late.b + 2), 65534);
				assert_int_equal(srtpctx_unprotect(in, copy.b,
				    &copy.len), SRTPCTX_ERR_REPLAY);
			}
		}
		assert_int_equal(srtpctx_roc(out, &roc, &seq), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(seq, (uint16_t)(65500 + 99));
		assert_int_equal(srtpctx_roc(in, &roc, &seq), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(seq, (uint16_t)(65500 + 99));

		srtpctx_free(out);
		srtpctx_free(in);
	}
}

/*
 * A sender past its first wrap; a receiver that starts then decrypts
 * with the sender's ROC and fails without it.
 */
static void
test_late_join(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in, *blind;
	struct pkt		 p, copy, plain;
	size_t			 i;
	uint32_t		 n, roc;
	uint16_t		 seq;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 0x88);
		for (n = 0; n < 20; n++) {
			make_rtp(&p, (uint16_t)(65530 + n), 0, 0x88);
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
		}
		assert_int_equal(srtpctx_roc(out, &roc, &seq), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(seq, 13);

		in = ctx(&k, SRTPCTX_IN, 0x88);
		blind = ctx(&k, SRTPCTX_IN, 0x88);
		assert_int_equal(srtpctx_set_roc(in, roc, seq), 0);
		for (n = 14; n < 40; n++) {
			make_rtp(&p, (uint16_t)n, 0, 0x88);
			plain = p;
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
			copy = p;
			assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
			    0);
			assert_memory_equal(p.b, plain.b, plain.len);
			assert_int_equal(srtpctx_unprotect(blind, copy.b,
			    &copy.len), SRTPCTX_ERR_AUTH);
		}
		assert_int_equal(srtpctx_roc(in, &roc, &seq), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(seq, 39);
		srtpctx_free(out);
		srtpctx_free(in);
		srtpctx_free(blind);
	}
}

/*
 * Told the sender was at 65530 of ROC 0, a receiver whose first packet
 * is 5 (the wrap came in between) takes it as ROC 1.  A forged packet
 * before it does not spend the join point.
 */
static void
test_late_join_across(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out, *in;
	struct pkt		 p;
	size_t			 i;
	uint32_t		 n, roc;
	uint16_t		 seq;

	(void)state;
	for (i = 0; i < NPROFILES; i++) {
		srtpctx_key_make(&k, profiles[i]);
		out = ctx(&k, SRTPCTX_OUT, 0x99);
		in = ctx(&k, SRTPCTX_IN, 0x99);
		for (n = 0; n < 12; n++) {
			make_rtp(&p, (uint16_t)(65530 + n), 0, 0x99);
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
		}
		assert_int_equal(srtpctx_set_roc(in, 0, 65530), 0);
		make_rtp(&p, 5, 0, 0x99);
		p.len += 16;
		assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
		    SRTPCTX_ERR_AUTH);
		assert_int_equal(srtpctx_roc(in, &roc, &seq), 0);
		assert_int_equal(roc, 0);
		assert_int_equal(seq, 65530);
		for (n = 6; n < 10; n++) {
			make_rtp(&p, (uint16_t)n, 0, 0x99);
			assert_int_equal(srtpctx_protect(out, p.b, &p.len,
			    sizeof p.b), 0);
			assert_int_equal(srtpctx_unprotect(in, p.b, &p.len),
			    0);
		}
		assert_int_equal(srtpctx_roc(in, &roc, &seq), 0);
		assert_int_equal(roc, 1);
		assert_int_equal(seq, 9);
		srtpctx_free(out);
		srtpctx_free(in);
	}
}

/*
 * The AES-CM PRF of RFC 3711 section 4.3.3 with a key derivation rate of
 * 0: the keystream of AES-CTR under the master key from the IV (master
 * salt XOR label at byte 7) times 2^16.  A 12-byte salt (RFC 7714) is
 * padded with zeros to 14, as libsrtp does.
 */
static void
ref_kdf(const uint8_t *mkey, const uint8_t *msalt, size_t saltlen,
    uint8_t label, uint8_t *out, size_t len)
{
	EVP_CIPHER_CTX	*e;
	uint8_t		 iv[16] = { 0 }, zero[64] = { 0 };
	int		 n;

	assert_true(len <= sizeof zero);
	memcpy(iv, msalt, saltlen);
	iv[7] ^= label;
	assert_non_null(e = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(e, EVP_aes_128_ctr(), NULL, mkey,
	    iv), 1);
	assert_int_equal(EVP_EncryptUpdate(e, out, &n, zero, (int)len), 1);
	assert_int_equal((size_t)n, len);
	EVP_CIPHER_CTX_free(e);
}

/*
 * RFC 3711 sections 4.1.1 and 4.2.1: the payload under AES-CTR from the IV
 * (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), then 80 bits of
 * HMAC-SHA1 over the header, the payload and the ROC.
 */
static void
ref_cm_protect(const uint8_t *master, size_t len, uint32_t roc,
    const uint8_t *plain, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX	*e;
	uint8_t		 ckey[16], csalt[14], akey[20], iv[16] = { 0 };
	uint8_t		 mac[EVP_MAX_MD_SIZE];
	uint64_t	 index = (uint64_t)roc << 16 | get16(plain + 2);
	unsigned int	 maclen;
	int		 n, i;

	ref_kdf(master, master + 16, 14, 0, ckey, sizeof ckey);
	ref_kdf(master, master + 16, 14, 1, akey, sizeof akey);
	ref_kdf(master, master + 16, 14, 2, csalt, sizeof csalt);
	memcpy(iv, csalt, 14);
	for (i = 0; i < 4; i++)
		iv[4 + i] ^= plain[8 + i];
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(index >> (8 * (5 - i)));
	memcpy(out, plain, 12);
	assert_non_null(e = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(e, EVP_aes_128_ctr(), NULL, ckey,
	    iv), 1);
	assert_int_equal(EVP_EncryptUpdate(e, out + 12, &n, plain + 12,
	    (int)len - 12), 1);
	EVP_CIPHER_CTX_free(e);

	/* The ROC goes after the packet for the MAC, then the tag there. */
	put32(out + len, roc);
	assert_non_null(HMAC(EVP_sha1(), akey, sizeof akey, out, len + 4, mac,
	    &maclen));
	assert_int_equal(maclen, 20);
	memcpy(out + len, mac, 10);
	*outlen = len + 10;
}

/*
 * RFC 7714 section 8: AES-128-GCM under the session key with the IV
 * (0 || SSRC || ROC || SEQ) XOR the 12-byte session salt, the header as
 * associated data and a 16-byte tag after the ciphertext.
 */
static void
ref_gcm_seal(const uint8_t *skey, const uint8_t *ssalt, uint32_t roc,
    const uint8_t *plain, size_t len, uint8_t *out, size_t *outlen)
{
	EVP_CIPHER_CTX	*e;
	uint8_t		 iv[12] = { 0 };
	int		 n, i;

	memcpy(iv + 2, plain + 8, 4);
	put32(iv + 6, roc);
	memcpy(iv + 10, plain + 2, 2);
	for (i = 0; i < 12; i++)
		iv[i] ^= ssalt[i];
	memcpy(out, plain, 12);
	assert_non_null(e = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(e, EVP_aes_128_gcm(), NULL, NULL,
	    NULL), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_SET_IVLEN, 12,
	    NULL), 1);
	assert_int_equal(EVP_EncryptInit_ex(e, NULL, NULL, skey, iv), 1);
	assert_int_equal(EVP_EncryptUpdate(e, NULL, &n, plain, 12), 1);
	assert_int_equal(EVP_EncryptUpdate(e, out + 12, &n, plain + 12,
	    (int)len - 12), 1);
	assert_int_equal(EVP_EncryptFinal_ex(e, out + 12 + n, &n), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_GCM_GET_TAG, 16,
	    out + len), 1);
	EVP_CIPHER_CTX_free(e);
	*outlen = len + 16;
}

/* The reference's key derivation and keystream, against RFC 3711. */
static void
test_kdf_known_answer(void **state)
{
	EVP_CIPHER_CTX	*e;
	uint8_t		 master[30], got[20], want[20], iv[16] = { 0 };
	uint8_t		 zero[16] = { 0 };
	int		 n;

	(void)state;
	hex(b3_master, master, sizeof master);
	ref_kdf(master, master + 16, 14, 0, got, 16);
	hex("c61e7a93744f39ee10734afe3ff7a087", want, 16);
	assert_memory_equal(got, want, 16);
	ref_kdf(master, master + 16, 14, 2, got, 14);
	hex("30cbbc08863d8c85d49db34a9ae1", want, 14);
	assert_memory_equal(got, want, 14);
	ref_kdf(master, master + 16, 14, 1, got, 20);
	hex("cebe321f6ff7716b6fd4ab49af256a156d38baa4", want, 20);
	assert_memory_equal(got, want, 20);

	/* B.2: the first keystream block of session salt * 2^16. */
	hex("2b7e151628aed2a6abf7158809cf4f3c", got, 16);
	hex("f0f1f2f3f4f5f6f7f8f9fafbfcfd", iv, 14);
	assert_non_null(e = EVP_CIPHER_CTX_new());
	assert_int_equal(EVP_EncryptInit_ex(e, EVP_aes_128_ctr(), NULL, got,
	    iv), 1);
	assert_int_equal(EVP_EncryptUpdate(e, want, &n, zero, 16), 1);
	EVP_CIPHER_CTX_free(e);
	hex("e03ead0935c95e80e166b16dd92b4eb4", got, 16);
	assert_memory_equal(want, got, 16);
}

/* libsrtp's AES_CM_128_HMAC_SHA1_80 packets, before and after a wrap. */
static void
test_cm_known_answer(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out;
	struct pkt		 p, plain;
	uint8_t			 master[30], want[BUF_LEN];
	size_t			 wantlen;
	uint32_t		 n;

	(void)state;
	hex(b3_master, master, sizeof master);
	assert_int_equal(srtpctx_key_set(&k, SRTPCTX_AES_CM_128_HMAC_SHA1_80,
	    master, 30), 0);
	out = ctx(&k, SRTPCTX_OUT, 0xcafebabe);
	for (n = 0; n < 4; n++) {
		make_rtp(&p, (uint16_t)(65534 + n), 0xdecafbad, 0xcafebabe);
		plain = p;
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		ref_cm_protect(master, plain.len, n < 2 ? 0 : 1, plain.b,
		    want, &wantlen);
		assert_int_equal(p.len, wantlen);
		assert_memory_equal(p.b, want, wantlen);
	}
	srtpctx_free(out);
}

/* The reference's AES-GCM, against RFC 7714 section 16.1.1. */
static void
test_gcm_rfc7714(void **state)
{
	uint8_t	key[16], salt[12], plain[50], want[66], got[66];
	size_t	len;

	(void)state;
	hex("000102030405060708090a0b0c0d0e0f", key, sizeof key);
	hex("517569642070726f2071756f", salt, sizeof salt);
	hex("8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e6973"
	    "2064697669736120696e207061727465732074726573", plain,
	    sizeof plain);
	hex("8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bca"
	    "be633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb1"
	    "6a9152cf765ee4390cce", want, sizeof want);
	ref_gcm_seal(key, salt, 0, plain, sizeof plain, got, &len);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(got, want, sizeof want);
}

/* libsrtp's AEAD_AES_128_GCM packets, before and after a wrap. */
static void
test_gcm_known_answer(void **state)
{
	struct srtpctx_key	 k;
	struct srtpctx		*out;
	struct pkt		 p, plain;
	uint8_t			 master[28], skey[16], ssalt[12];
	uint8_t			 want[BUF_LEN];
	size_t			 wantlen, i;
	uint32_t		 n;

	(void)state;
	for (i = 0; i < sizeof master; i++)
		master[i] = (uint8_t)(0x40 + 3 * i);
	assert_int_equal(srtpctx_key_set(&k, SRTPCTX_AEAD_AES_128_GCM, master,
	    28), 0);
	ref_kdf(master, master + 16, 12, 0, skey, sizeof skey);
	ref_kdf(master, master + 16, 12, 2, ssalt, sizeof ssalt);
	out = ctx(&k, SRTPCTX_OUT, 0x5501a0b2);
	for (n = 0; n < 4; n++) {
		make_rtp(&p, (uint16_t)(65534 + n), 0x8041f8d3, 0x5501a0b2);
		plain = p;
		assert_int_equal(srtpctx_protect(out, p.b, &p.len,
		    sizeof p.b), 0);
		ref_gcm_seal(skey, ssalt, n < 2 ? 0 : 1, plain.b, plain.len,
		    want, &wantlen);
		assert_int_equal(p.len, wantlen);
		assert_memory_equal(p.b, want, wantlen);
	}
	srtpctx_free(out);
}

static void
test_strerror(void **state)
{
	int	e;

	(void)state;
	assert_string_equal(srtpctx_strerror(SRTPCTX_ERR_AUTH),
	    "authentication failed");
	for (e = SRTPCTX_ERR_FAIL; e < 0; e++)
		assert_string_not_equal(srtpctx_strerror(e),
		    "unknown SRTP error");
	assert_string_equal(srtpctx_strerror(-100), "unknown SRTP error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_rtcp_round_trip),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_ssrc),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_in_any),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_late_join),
		cmocka_unit_test(test_late_join_across),
		cmocka_unit_test(test_kdf_known_answer),
		cmocka_unit_test(test_cm_known_answer),
		cmocka_unit_test(test_gcm_rfc7714),
		cmocka_unit_test(test_gcm_known_answer),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_derive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
