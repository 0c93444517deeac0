/*
 * Unit tests for end-to-end encrypted rooms (lib/e2ee.c, lib/e2ee-frame.c).
 *
 * Known answers: the SFrame header against RFC 9605 appendix C.1, and the
 * key schedule and a sealed frame against appendix C.3's vector for
 * AES_128_GCM_SHA256_128; what is meet's own (the Argon2id root, the
 * epoch secret, the base key, a sealed Opus frame and chat line, a member
 * tag) against values computed apart from this code by
 * tests/unit/test-e2ee-vectors.py (Python's BLAKE2b, and Argon2id, HKDF,
 * HMAC and AES-GCM from the "cryptography" package).
 *
 * Behaviour: round trips; a wrong passphrase fails on the tag, a frame of
 * an epoch not held fails as such, a sender not known as such; a changed
 * header, payload, tag or metadata fails; a replayed or too old CTR fails,
 * and a forged frame does not move the window; after a member leaves, the
 * new epoch's frames do not open with the old epoch's secret and its salt
 * does not open for the one who left, and a late joiner opens none of what
 * came before; the KDF is the same for the same passphrase, name and id
 * and differs when any changes; the key file's rules; shared files in
 * chunks, cut, reordered or mixed with another file's, fail.
 *
 * The cost of Argon2id and of sealing and opening an Opus frame and a
 * JPEG is printed by tests/bench/e2ee.c, not here.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "e2ee.h"

#define OPUS_LEN	100
#define JPEG_LEN	40000

static void	test_header_rfc9605(void **);
static void	test_header_refused(void **);
static void	test_sframe_rfc9605(void **);
static void	test_kdf_known_answer(void **);
static void	test_kdf_inputs(void **);
static void	test_round_trip(void **);
static void	test_wrong_passphrase(void **);
static void	test_wrong_epoch(void **);
static void	test_unknown_sender(void **);
static void	test_tampered(void **);
static void	test_replay(void **);
static void	test_leave_and_join(void **);
static void	test_salt_box(void **);
static void	test_member_tag(void **);
static void	test_passphrase_file(void **);
static void	test_file_chunks(void **);
static void	test_file_attacks(void **);
static void	test_meta(void **);
static void	test_keyring_bounds(void **);
static void	test_epoch_order(void **);
static void	test_ctr_spent(void **);
static void	hex(const char *, uint8_t *, size_t);
static void	passphrase(struct e2ee_passphrase *, const char *);
static void	root_of(const char *, const char *, const uint8_t *,
		    uint8_t *);
static void	epoch_of(const uint8_t *, uint32_t, uint8_t, uint8_t *);
static struct e2ee_sender *sender(const uint8_t *, uint32_t,
		    enum e2ee_stream, uint32_t);
static struct e2ee_keyring *keyring(uint32_t, const uint8_t *, uint32_t);
static void	seal_audio(struct e2ee_sender *, uint8_t, const uint8_t *,
		    size_t, uint8_t *, size_t *);
static int	open_audio(struct e2ee_keyring *, uint8_t, const uint8_t *,
		    size_t, uint8_t *, size_t *, struct e2ee_opened *);
static int	key_file(const char *, size_t, mode_t, char *, size_t);
static void	file_seal(struct e2ee_sender *, const char *, const uint8_t *,
		    size_t, uint8_t *, size_t *);
static int	file_open(struct e2ee_keyring *, const char *,
		    const uint8_t *, size_t, uint8_t *, size_t *);

static const uint8_t	room_id[E2EE_ROOM_ID_LEN] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

/* RFC 9605 appendix C.1: KID, CTR and the header they encode to. */
static const struct {
	uint64_t	 kid;
	uint64_t	 ctr;
	const char	*header;
} rfc9605_headers[] = {
	{ 0x0, 0x0, "00" },
	{ 0x0, 0x1, "01" },
	{ 0x0, 0xff, "08ff" },
	{ 0x0, 0x100, "090100" },
	{ 0x0, 0xffffffffffffffffULL, "0fffffffffffffffff" },
	{ 0x1, 0x1, "11" },
	{ 0x1, 0xffffffffff, "1cffffffffff" },
	{ 0xff, 0xff, "88ffff" },
	{ 0xff, 0x10000000000, "8dff010000000000" },
	{ 0x100, 0x100, "9901000100" },
	{ 0xffff, 0x1000000000000, "9effff01000000000000" },
	{ 0x10000, 0x10000, "aa010000010000" },
	{ 0xffffff, 0x100000000000000, "afffffff0100000000000000" },
	{ 0x1000000, 0xffffffffffffffffULL, "bf01000000ffffffffffffffff" },
	{ 0x100000000, 0x0, "c00100000000" },
	{ 0x100000000, 0x100000000, "cc01000000000100000000" },
	{ 0xffffffffff, 0x1, "c1ffffffffff" },
	{ 0xffffffffff, 0xffffff, "caffffffffffffffff" },
};

/* tests/unit/test-e2ee-vectors.py's inputs and what it printed. */
#define V_PASSPHRASE	"correct horse battery staple"
#define V_ROOM		"standup"
#define V_EPOCH		7
#define V_SENDER	0xabcdefU
#define V_CTR		0x1234
#define V_LEVEL		0x85
#define V_OPUS		"an opus packet, or nearly"
#define V_CHAT_CTR	3
#define V_CHAT		"hello, room"
#define V_NAME		"alice"
static const char v_pwhash_salt[] = "c114885ddab159813fb0a84d9f651d34";
static const char v_root[] =
	"69056811cfdfe018b560aa55ec4407d214b2115415b58ddd4e1773021689b59a";
static const char v_epoch_secret[] =
	"ecce9ef97257c0f823f6fa7ada386aa8867d871d0d87d1dfacdf90cd9075dcfb";
static const char v_base_key[] =
	"f529d210663ee20c445a5a2a1cd8e6bb9da8e43d55f0c5786f74da8976ea1012";
static const char v_sframe_key[] = "d3fc443bb7b2b572a80b7b60c7ffa9a0";
static const char v_sframe_salt[] = "6e683c4dfffaea3588efa6a5";
static const char v_sealed[] = "d90abcdef10007123498be9cfa3b7e8f7aa13be0"
	"809b061ca2ecda206e27234f770006310398a4d5d58a16c3a0e6248a1067";
static const char v_chat[] = "d30abcdef400077b670e891f7d4a059e09ea6410"
	"83500a384139254b7f9a6439dc09";
static const char v_member_tag[] =
	"e7104ae0b769af484b3768a82fed4d906fdf9aed4f26358fc84d4a7a8c289379";

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
passphrase(struct e2ee_passphrase *pass, const char *text)
{
	memset(pass, 0, sizeof *pass);
	assert_true(strlen(text) <= E2EE_PASSPHRASE_MAX);
	memcpy(pass->text, text, strlen(text));
	pass->len = strlen(text);
}

static void
root_of(const char *text, const char *room, const uint8_t *id,
    uint8_t *root)
{
	struct e2ee_passphrase	pass;

	passphrase(&pass, text);
	assert_int_equal(e2ee_root_derive(&pass, room, id, root), 0);
	e2ee_passphrase_clear(&pass);
}

/* An epoch's secret, its salt 32 bytes of fill. */
static void
epoch_of(const uint8_t *root, uint32_t epoch, uint8_t fill, uint8_t *secret)
{
	uint8_t	salt[E2EE_SALT_LEN];

	memset(salt, fill, sizeof salt);
	assert_int_equal(e2ee_epoch_secret(root, epoch, salt, secret), 0);
}

static struct e2ee_sender *
sender(const uint8_t *secret, uint32_t id, enum e2ee_stream stream,
    uint32_t epoch)
{
	struct e2ee_sender	*s;
	char			*cause = NULL;

	s = e2ee_sender_new(secret, e2ee_kid(id, stream, epoch), &cause);
	if (s == NULL)
		fail_msg("e2ee_sender_new: %s", cause);
	return s;
}

/* A keyring holding one epoch and one sender. */
static struct e2ee_keyring *
keyring(uint32_t epoch, const uint8_t *secret, uint32_t id)
{
	struct e2ee_keyring	*kr;

	kr = e2ee_keyring_new(0);
	assert_int_equal(e2ee_keyring_add_epoch(kr, epoch, secret), 0);
	assert_int_equal(e2ee_keyring_add_sender(kr, id), 0);
	return kr;
}

static void
seal_audio(struct e2ee_sender *s, uint8_t level, const uint8_t *pt,
    size_t len, uint8_t *out, size_t *outlen)
{
	uint8_t	meta[4];
	size_t	mlen;

	mlen = e2ee_meta_audio(meta, sizeof meta, level);
	assert_int_equal(mlen, 2);
	assert_int_equal(e2ee_seal(s, meta, mlen, pt, len, out,
	    len + E2EE_OVERHEAD_MAX, outlen), 0);
}

static int
open_audio(struct e2ee_keyring *kr, uint8_t level, const uint8_t *in,
    size_t len, uint8_t *out, size_t *outlen, struct e2ee_opened *info)
{
	uint8_t	meta[4];
	size_t	mlen;

	mlen = e2ee_meta_audio(meta, sizeof meta, level);
	return e2ee_open(kr, meta, mlen, in, len, out, len, outlen, info);
}

static void
test_header_rfc9605(void **state)
{
	uint8_t		want[E2EE_HEADER_MAX], got[E2EE_HEADER_MAX];
	uint64_t	kid, ctr;
	size_t		i, n, len;

	(void)state;
	for (i = 0; i < sizeof rfc9605_headers / sizeof rfc9605_headers[0];
	    i++) {
		len = strlen(rfc9605_headers[i].header) / 2;
		hex(rfc9605_headers[i].header, want, len);
		n = e2ee_header_encode(rfc9605_headers[i].kid,
		    rfc9605_headers[i].ctr, got);
		assert_int_equal(n, len);
		assert_memory_equal(got, want, len);
		assert_int_equal(e2ee_header_decode(want, len, &kid, &ctr),
		    (int)len);
		assert_true(kid == rfc9605_headers[i].kid);
		assert_true(ctr == rfc9605_headers[i].ctr);

		/* Every header cut short is refused. */
		for (n = 0; n < len; n++) {
			assert_int_equal(e2ee_header_decode(want, n, &kid,
			    &ctr), E2EE_ERR_MALFORMED);
		}
	}
}

/* Headers in more bytes than needed: refused, as RFC 9605 says MUST. */
static void
test_header_refused(void **state)
{
	static const char *const bad[] = {
		"8005",		/* KID 5 in an extended field */
		"0805",		/* CTR 5 likewise */
		"90000f",	/* KID 15 in 2 bytes */
		"09000f",	/* CTR 15 in 2 bytes */
		"b8000000ff00",	/* KID 255 in 4 bytes */
	};
	uint8_t		buf[E2EE_HEADER_MAX];
	uint64_t	kid, ctr;
	size_t		i, len;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		len = strlen(bad[i]) / 2;
		hex(bad[i], buf, len);
		assert_int_equal(e2ee_header_decode(buf, len, &kid, &ctr),
		    E2EE_ERR_MALFORMED);
	}
}

/*
 * RFC 9605 appendix C.3, AES_128_GCM_SHA256_128: from the base key down
 * the key schedule and the sealed frame are the RFC's.
 */
static void
test_sframe_rfc9605(void **state)
{
	uint8_t			 base[16], key[E2EE_KEY_LEN], salt[12];
	uint8_t			 want_key[16], want_salt[12], meta[14];
	uint8_t			 pt[21], want[42], out[64];
	struct e2ee_sender	*s;
	char			*cause = NULL;
	size_t			 len;

	(void)state;
	hex("000102030405060708090a0b0c0d0e0f", base, sizeof base);
	hex("d34f547f4ca4f9a7447006fe7fcbf768", want_key, sizeof want_key);
	hex("75234edefe07819026751816", want_salt, sizeof want_salt);
	hex("4945544620534672616d65205747", meta, sizeof meta);
	hex("64726166742d696574662d736672616d652d656e63", pt, sizeof pt);
	hex("9901234567b7412c2513a1b66dbb48841bbaf17f598751176ad847681a69c6d0"
	    "b091c07018ce4adb34eb", want, sizeof want);

	assert_int_equal(e2ee_key_salt(base, sizeof base, 0x123, key, salt),
	    0);
	assert_memory_equal(key, want_key, sizeof key);
	assert_memory_equal(salt, want_salt, sizeof salt);

	s = e2ee_sender_new_base(base, sizeof base, 0x123, &cause);
	assert_non_null(s);
	e2ee_sender_set_ctr(s, 0x4567);
	assert_int_equal(e2ee_seal(s, meta, sizeof meta, pt, sizeof pt, out,
	    sizeof out, &len), 0);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(out, want, sizeof want);

	/* No room for the tag: refused, nothing counted. */
	assert_int_equal(e2ee_seal(s, meta, sizeof meta, pt, sizeof pt, out,
	    sizeof want - 1, &len), E2EE_ERR_ROOM);
	e2ee_sender_free(s);
}

/* meet's own derivations against test-e2ee-vectors.py. */
static void
test_kdf_known_answer(void **state)
{
	uint8_t			 salt[16], root[32], secret[32], base[32];
	uint8_t			 key[16], fsalt[12], want[128], got[128];
	uint8_t			 esalt[E2EE_SALT_LEN], pk[32], tag[32];
	uint8_t			 meta[E2EE_META_MAX];
	struct e2ee_sender	*s, *c;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	uint64_t		 kid;
	size_t			 len, mlen, i;

	(void)state;
	assert_int_equal(e2ee_pwhash_salt(V_ROOM, room_id, salt), 0);
	hex(v_pwhash_salt, want, 16);
	assert_memory_equal(salt, want, 16);

	root_of(V_PASSPHRASE, V_ROOM, room_id, root);
	hex(v_root, want, 32);
	assert_memory_equal(root, want, 32);

	for (i = 0; i < sizeof esalt; i++)
		esalt[i] = (uint8_t)(0x20 + i);
	assert_int_equal(e2ee_epoch_secret(root, V_EPOCH, esalt, secret), 0);
	hex(v_epoch_secret, want, 32);
	assert_memory_equal(secret, want, 32);

	kid = e2ee_kid(V_SENDER, E2EE_STREAM_AUDIO, V_EPOCH);
	assert_true(kid == 0xabcdef10007ULL);
	assert_int_equal(e2ee_kid_sender(kid), V_SENDER);
	assert_int_equal(e2ee_kid_stream(kid), E2EE_STREAM_AUDIO);
	assert_int_equal(e2ee_kid_epoch(kid), V_EPOCH);
	assert_int_equal(e2ee_base_key(secret, kid, base), 0);
	hex(v_base_key, want, 32);
	assert_memory_equal(base, want, 32);
	assert_int_equal(e2ee_key_salt(base, sizeof base, kid, key, fsalt), 0);
	hex(v_sframe_key, want, 16);
	assert_memory_equal(key, want, 16);
	hex(v_sframe_salt, want, 12);
	assert_memory_equal(fsalt, want, 12);

	s = sender(secret, V_SENDER, E2EE_STREAM_AUDIO, V_EPOCH);
	e2ee_sender_set_ctr(s, V_CTR);
	seal_audio(s, V_LEVEL, (const uint8_t *)V_OPUS, strlen(V_OPUS), got,
	    &len);
	assert_int_equal(len, strlen(v_sealed) / 2);
	hex(v_sealed, want, len);
	assert_memory_equal(got, want, len);

	c = sender(secret, V_SENDER, E2EE_STREAM_CHAT, V_EPOCH);
	e2ee_sender_set_ctr(c, V_CHAT_CTR);
	mlen = e2ee_meta_chat(meta, sizeof meta, "chat", V_ROOM);
	assert_int_equal(e2ee_seal(c, meta, mlen, (const uint8_t *)V_CHAT,
	    strlen(V_CHAT), got, sizeof got, &len), 0);
	assert_int_equal(len, strlen(v_chat) / 2);
	hex(v_chat, want, len);
	assert_memory_equal(got, want, len);

	/* What was sealed opens with a keyring of the same epoch. */
	kr = keyring(V_EPOCH, secret, V_SENDER);
	hex(v_sealed, want, strlen(v_sealed) / 2);
	assert_int_equal(open_audio(kr, V_LEVEL, want, strlen(v_sealed) / 2,
	    got, &len, &info), 0);
	assert_int_equal(len, strlen(V_OPUS));
	assert_memory_equal(got, V_OPUS, len);
	assert_true(info.ctr == V_CTR);
	assert_int_equal(info.sender, V_SENDER);

	for (i = 0; i < sizeof pk; i++)
		pk[i] = (uint8_t)(0x40 + i);
	assert_int_equal(e2ee_member_tag(root, V_SENDER, pk, V_NAME, tag), 0);
	hex(v_member_tag, want, 32);
	assert_memory_equal(tag, want, 32);

	e2ee_keyring_free(kr);
	e2ee_sender_free(c);
	e2ee_sender_free(s);
}

/* The same inputs give the same root; any one changed, another. */
static void
test_kdf_inputs(void **state)
{
	uint8_t	a[32], b[32], id2[E2EE_ROOM_ID_LEN];
	uint8_t	s1[32], s2[32], s3[32];

	(void)state;
	root_of("a passphrase", "room", room_id, a);
	root_of("a passphrase", "room", room_id, b);
	assert_memory_equal(a, b, sizeof a);

	root_of("a passphrasf", "room", room_id, b);
	assert_memory_not_equal(a, b, sizeof a);
	root_of("a passphrase", "roon", room_id, b);
	assert_memory_not_equal(a, b, sizeof a);
	memcpy(id2, room_id, sizeof id2);
	id2[15] ^= 1;
	root_of("a passphrase", "room", id2, b);
	assert_memory_not_equal(a, b, sizeof a);

	/* The name's length is hashed: no name and id run into each other. */
	assert_int_equal(e2ee_pwhash_salt("room", room_id, s1), 0);
	assert_int_equal(e2ee_pwhash_salt("roo", room_id, s2), 0);
	assert_memory_not_equal(s1, s2, 16);

	/* Epoch secrets: by number and by salt. */
	epoch_of(a, 1, 0x11, s1);
	epoch_of(a, 2, 0x11, s2);
	epoch_of(a, 1, 0x12, s3);
	assert_memory_not_equal(s1, s2, 32);
	assert_memory_not_equal(s1, s3, 32);
	epoch_of(a, 1, 0x11, s2);
	assert_memory_equal(s1, s2, 32);
}

static void
test_round_trip(void **state)
{
	static const size_t	 lens[] = { 0, 1, OPUS_LEN, 1500, JPEG_LEN };
	uint8_t			 root[32], secret[32], meta[4], *pt, *ct;
	uint8_t			*out;
	struct e2ee_sender	*a, *v;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 i, j, len, olen, mlen;

	(void)state;
	pt = malloc(JPEG_LEN);
	ct = malloc(JPEG_LEN + E2EE_OVERHEAD_MAX);
	out = malloc(JPEG_LEN + E2EE_OVERHEAD_MAX);
	assert_non_null(pt);
	assert_non_null(ct);
	assert_non_null(out);
	for (i = 0; i < JPEG_LEN; i++)
		pt[i] = (uint8_t)(i * 7);

	root_of("round trip", "r", room_id, root);
	epoch_of(root, 0, 1, secret);
	a = sender(secret, 0x10203, E2EE_STREAM_AUDIO, 0);
	v = sender(secret, 0x10203, E2EE_STREAM_VIDEO, 0);
	kr = keyring(0, secret, 0x10203);
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		seal_audio(a, 0x7f, pt, lens[i], ct, &len);
		assert_true(len <= lens[i] + E2EE_OVERHEAD_MAX);
		assert_int_equal(open_audio(kr, 0x7f, ct, len, out, &olen,
		    &info), 0);
		assert_int_equal(olen, lens[i]);
		if (lens[i] > 0)
			assert_memory_equal(out, pt, lens[i]);
		assert_int_equal(info.stream, E2EE_STREAM_AUDIO);
		assert_true(info.ctr == i);

		/* The video stream counts apart, under its own key. */
		for (j = 0; j < 3; j++) {
			mlen = e2ee_meta_video(meta, sizeof meta,
			    E2EE_STREAM_VIDEO, (uint8_t)j);
			assert_int_equal(e2ee_seal(v, meta, mlen, pt, lens[i],
			    ct, lens[i] + E2EE_OVERHEAD_MAX, &len), 0);
			assert_int_equal(e2ee_open(kr, meta, mlen, ct, len,
			    out, lens[i], &olen, &info), 0);
			assert_int_equal(info.stream, E2EE_STREAM_VIDEO);
			assert_true(info.ctr == i * 3 + j);
			assert_int_equal(olen, lens[i]);
		}
	}

	/* The plaintext's room is checked. */
	seal_audio(a, 0, pt, OPUS_LEN, ct, &len);
	assert_int_equal(e2ee_open(kr, NULL, 0, ct, len, out, OPUS_LEN - 1,
	    &olen, &info), E2EE_ERR_ROOM);

	e2ee_keyring_free(kr);
	e2ee_sender_free(v);
	e2ee_sender_free(a);
	free(out);
	free(ct);
	free(pt);
}

/* The right epoch from the wrong passphrase: the tag fails. */
static void
test_wrong_passphrase(void **state)
{
	uint8_t			 root[32], bad[32], secret[32], wrong[32];
	uint8_t			 ct[OPUS_LEN + E2EE_OVERHEAD_MAX], pt[OPUS_LEN];
	uint8_t			 out[sizeof ct];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, olen;

	(void)state;
	memset(pt, 'x', sizeof pt);
	root_of("the right one", "room", room_id, root);
	root_of("the wrong one", "room", room_id, bad);
	epoch_of(root, 3, 9, secret);
	epoch_of(bad, 3, 9, wrong);
	s = sender(secret, 0x777, E2EE_STREAM_AUDIO, 3);
	seal_audio(s, 0x10, pt, sizeof pt, ct, &len);

	kr = keyring(3, wrong, 0x777);
	memset(out, 'y', sizeof out);
	assert_int_equal(open_audio(kr, 0x10, ct, len, out, &olen, &info),
	    E2EE_ERR_AUTH);
	assert_int_equal(info.sender, 0x777);	/* whom to name */
	assert_int_equal(info.epoch, 3);
	e2ee_keyring_free(kr);

	kr = keyring(3, secret, 0x777);
	assert_int_equal(open_audio(kr, 0x10, ct, len, out, &olen, &info), 0);
	assert_memory_equal(out, pt, sizeof pt);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

/* A frame of an epoch the receiver does not hold. */
static void
test_wrong_epoch(void **state)
{
	uint8_t			 root[32], e4[32], e5[32];
	uint8_t			 ct[OPUS_LEN + E2EE_OVERHEAD_MAX], pt[OPUS_LEN];
	uint8_t			 out[sizeof ct];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, olen;

	(void)state;
	memset(pt, 1, sizeof pt);
	root_of("epochs", "room", room_id, root);
	epoch_of(root, 4, 4, e4);
	epoch_of(root, 5, 5, e5);
	s = sender(e5, 0x42, E2EE_STREAM_AUDIO, 5);
	seal_audio(s, 0, pt, sizeof pt, ct, &len);

	kr = keyring(4, e4, 0x42);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	assert_int_equal(info.sender, 0x42);
	assert_int_equal(info.epoch, 5);

	/* Given epoch 5, it opens; epoch 4 dropped, epoch 4's frames don't. */
	assert_int_equal(e2ee_keyring_add_epoch(kr, 5, e5), 0);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info), 0);
	assert_true(e2ee_keyring_has_epoch(kr, 4));
	e2ee_keyring_drop_epoch(kr, 4);
	assert_false(e2ee_keyring_has_epoch(kr, 4));
	e2ee_sender_free(s);
	s = sender(e4, 0x42, E2EE_STREAM_AUDIO, 4);
	seal_audio(s, 0, pt, sizeof pt, ct, &len);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

static void
test_unknown_sender(void **state)
{
	uint8_t			 root[32], secret[32];
	uint8_t			 ct[OPUS_LEN + E2EE_OVERHEAD_MAX], pt[OPUS_LEN];
	uint8_t			 out[sizeof ct];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, olen;

	(void)state;
	memset(pt, 2, sizeof pt);
	root_of("senders", "room", room_id, root);
	epoch_of(root, 1, 1, secret);
	s = sender(secret, 0x5151, E2EE_STREAM_AUDIO, 1);
	seal_audio(s, 0, pt, sizeof pt, ct, &len);

	kr = keyring(1, secret, 0x5152);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_KID);
	assert_int_equal(info.sender, 0x5151);
	assert_int_equal(e2ee_keyring_add_sender(kr, 0x5151), 0);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info), 0);

	/* A sender that left: its keys go with it. */
	e2ee_keyring_drop_sender(kr, 0x5151);
	seal_audio(s, 0, pt, sizeof pt, ct, &len);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_KID);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

/* Any bit of header, payload, tag or metadata changed: refused. */
static void
test_tampered(void **state)
{
	uint8_t			 root[32], secret[32], pt[OPUS_LEN];
	uint8_t			 ct[OPUS_LEN + E2EE_OVERHEAD_MAX];
	uint8_t			 bad[sizeof ct], out[sizeof ct];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	uint64_t		 kid, ctr;
	size_t			 len, olen, i, hl;
	int			 r;

	(void)state;
	memset(pt, 3, sizeof pt);
	root_of("tamper", "room", room_id, root);
	epoch_of(root, 2, 2, secret);
	s = sender(secret, 0x99, E2EE_STREAM_AUDIO, 2);
	kr = keyring(2, secret, 0x99);
	e2ee_sender_set_ctr(s, 0x300);	/* flipping bit 0 keeps it minimal */
	seal_audio(s, 0x20, pt, sizeof pt, ct, &len);
	hl = (size_t)e2ee_header_decode(ct, len, &kid, &ctr);

	for (i = 0; i < len; i++) {
		memcpy(bad, ct, len);
		bad[i] ^= 0x01;
		r = open_audio(kr, 0x20, bad, len, out, &olen, &info);
		if (i == 0 || i >= hl) {
			/* The config byte, the payload and the tag. */
			assert_true(r == E2EE_ERR_AUTH ||
			    r == E2EE_ERR_MALFORMED);
			if (i >= hl)
				assert_int_equal(r, E2EE_ERR_AUTH);
		} else if (i > hl - 3) {
			/* The CTR's bytes (two of them): another nonce. */
			assert_int_equal(r, E2EE_ERR_AUTH);
		} else {
			/* The KID's: another epoch, stream or sender. */
			assert_true(r == E2EE_ERR_EPOCH || r == E2EE_ERR_KID);
		}
	}

	/*
	 * The tag alone changed: the key is right, so the payload decrypts,
	 * but none of it is left in the output.
	 */
	memcpy(bad, ct, len);
	bad[len - 1] ^= 0x80;
	memset(out, 0, sizeof out);
	assert_int_equal(open_audio(kr, 0x20, bad, len, out, &olen, &info),
	    E2EE_ERR_AUTH);
	assert_memory_not_equal(out, pt, sizeof pt);

	/* The metadata in the clear: another audio level. */
	assert_int_equal(open_audio(kr, 0x21, ct, len, out, &olen, &info),
	    E2EE_ERR_AUTH);
	/* Cut short, or only a header. */
	assert_int_equal(open_audio(kr, 0x20, ct, len - 1, out, &olen, &info),
	    E2EE_ERR_AUTH);
	assert_int_equal(open_audio(kr, 0x20, ct, hl + E2EE_TAG_LEN - 1, out,
	    &olen, &info), E2EE_ERR_MALFORMED);
	assert_int_equal(open_audio(kr, 0x20, ct, 0, out, &olen, &info),
	    E2EE_ERR_MALFORMED);

	/* Untouched, it still opens: none of the above moved the window. */
	assert_int_equal(open_audio(kr, 0x20, ct, len, out, &olen, &info), 0);
	assert_memory_equal(out, pt, sizeof pt);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

static void
test_replay(void **state)
{
	uint8_t			 root[32], secret[32], pt[OPUS_LEN];
	uint8_t			 ct[200][OPUS_LEN + E2EE_OVERHEAD_MAX];
	uint8_t			 forged[OPUS_LEN + E2EE_OVERHEAD_MAX];
	uint8_t			 out[OPUS_LEN + E2EE_OVERHEAD_MAX];
	size_t			 len[200], olen, flen, i;
	struct e2ee_sender	*s, *f;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;

	(void)state;
	memset(pt, 4, sizeof pt);
	root_of("replay", "room", room_id, root);
	epoch_of(root, 1, 1, secret);
	s = sender(secret, 0x31, E2EE_STREAM_AUDIO, 1);
	kr = keyring(1, secret, 0x31);
	for (i = 0; i < 200; i++)
		seal_audio(s, 0, pt, sizeof pt, ct[i], &len[i]);

	assert_int_equal(open_audio(kr, 0, ct[0], len[0], out, &olen, &info),
	    0);
	assert_int_equal(open_audio(kr, 0, ct[0], len[0], out, &olen, &info),
	    E2EE_ERR_REPLAY);

	/* Out of order within the window: each once. */
	assert_int_equal(open_audio(kr, 0, ct[5], len[5], out, &olen, &info),
	    0);
	assert_int_equal(open_audio(kr, 0, ct[3], len[3], out, &olen, &info),
	    0);
	assert_int_equal(open_audio(kr, 0, ct[3], len[3], out, &olen, &info),
	    E2EE_ERR_REPLAY);
	assert_int_equal(open_audio(kr, 0, ct[5], len[5], out, &olen, &info),
	    E2EE_ERR_REPLAY);

	/*
	 * A forged frame far ahead (the right KID, a key that is not) fails
	 * and does not move the window: frames behind it still open.
	 */
	f = sender(root, 0x31, E2EE_STREAM_AUDIO, 1);
	e2ee_sender_set_ctr(f, 1000000);
	seal_audio(f, 0, pt, sizeof pt, forged, &flen);
	assert_int_equal(open_audio(kr, 0, forged, flen, out, &olen, &info),
	    E2EE_ERR_AUTH);
	assert_int_equal(open_audio(kr, 0, ct[4], len[4], out, &olen, &info),
	    0);

	/* 199 taken: 71 is 128 behind, too old; 72 is not. */
	assert_int_equal(open_audio(kr, 0, ct[199], len[199], out, &olen,
	    &info), 0);
	assert_int_equal(open_audio(kr, 0, ct[71], len[71], out, &olen,
	    &info), E2EE_ERR_REPLAY);
	assert_int_equal(open_audio(kr, 0, ct[72], len[72], out, &olen,
	    &info), 0);
	assert_int_equal(open_audio(kr, 0, ct[72], len[72], out, &olen,
	    &info), E2EE_ERR_REPLAY);

	e2ee_keyring_free(kr);
	e2ee_sender_free(f);
	e2ee_sender_free(s);
}

/*
 * Three members with the passphrase, A (the host), B and C.  C leaves:
 * A's node draws epoch 2's salt and boxes it to A and B only.  C, who has
 * the passphrase and epoch 1, opens nothing of epoch 2: it has no secret
 * for it, its guess from what it has fails on the tag, the box for B does
 * not open with C's key, and a box C makes does not pass for A's.  D
 * joins after: epoch 3's salt is boxed to A, B and D; D opens epoch 3 and
 * nothing of epochs 1 and 2.
 */
static void
test_leave_and_join(void **state)
{
	struct e2ee_member_key	 ka, kb, kc, kd;
	uint8_t			 root[32], salt1[32], salt2[32], salt3[32];
	uint8_t			 got[32], box_a[E2EE_SALT_BOX_LEN];
	uint8_t			 box_b[E2EE_SALT_BOX_LEN];
	uint8_t			 box_c[E2EE_SALT_BOX_LEN];
	uint8_t			 box_d[E2EE_SALT_BOX_LEN];
	uint8_t			 e1[32], e2[32], e3[32], guess[32];
	uint8_t			 pt[OPUS_LEN], out[OPUS_LEN + 64];
	uint8_t			 f1[OPUS_LEN + 64], f2[OPUS_LEN + 64];
	uint8_t			 f3[OPUS_LEN + 64];
	size_t			 l1, l2, l3, olen;
	uint32_t		 epoch;
	struct e2ee_sender	*a1, *a2, *a3;
	struct e2ee_keyring	*b, *c, *d;
	struct e2ee_opened	 info;

	(void)state;
	memset(pt, 5, sizeof pt);
	root_of("members", "room", room_id, root);
	e2ee_member_key_make(&ka);
	e2ee_member_key_make(&kb);
	e2ee_member_key_make(&kc);
	e2ee_member_key_make(&kd);

	/* Epoch 1: A, B, C. */
	e2ee_epoch_salt_make(salt1);
	assert_int_equal(e2ee_salt_seal(1, salt1, &ka, kc.pk, box_c), 0);
	assert_int_equal(e2ee_salt_open(box_c, sizeof box_c, &kc, ka.pk,
	    &epoch, got), 0);
	assert_int_equal(epoch, 1);
	assert_memory_equal(got, salt1, 32);
	assert_int_equal(e2ee_epoch_secret(root, 1, salt1, e1), 0);
	a1 = sender(e1, 0xa, E2EE_STREAM_AUDIO, 1);
	seal_audio(a1, 0, pt, sizeof pt, f1, &l1);
	c = keyring(1, e1, 0xa);
	assert_int_equal(open_audio(c, 0, f1, l1, out, &olen, &info), 0);

	/* C leaves; epoch 2 for A and B. */
	e2ee_epoch_salt_make(salt2);
	assert_memory_not_equal(salt1, salt2, 32);
	assert_int_equal(e2ee_salt_seal(2, salt2, &ka, ka.pk, box_a), 0);
	assert_int_equal(e2ee_salt_seal(2, salt2, &ka, kb.pk, box_b), 0);
	assert_int_equal(e2ee_salt_open(box_b, sizeof box_b, &kb, ka.pk,
	    &epoch, got), 0);
	assert_int_equal(e2ee_epoch_secret(root, epoch, got, e2), 0);
	a2 = sender(e2, 0xa, E2EE_STREAM_AUDIO, 2);
	seal_audio(a2, 0, pt, sizeof pt, f2, &l2);
	b = keyring(2, e2, 0xa);
	assert_int_equal(open_audio(b, 0, f2, l2, out, &olen, &info), 0);

	assert_int_equal(open_audio(c, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	assert_int_equal(e2ee_salt_open(box_b, sizeof box_b, &kc, ka.pk,
	    &epoch, got), E2EE_ERR_AUTH);
	/*
	 * Nor can C start an epoch of its own choosing (with the hub's
	 * help): a box from C's key does not open as the host's.
	 */
	assert_int_equal(e2ee_salt_seal(2, salt1, &kc, kb.pk, box_c), 0);
	assert_int_equal(e2ee_salt_open(box_c, sizeof box_c, &kb, ka.pk,
	    &epoch, got), E2EE_ERR_AUTH);
	assert_int_equal(e2ee_epoch_secret(root, 2, salt1, guess), 0);
	assert_int_equal(e2ee_keyring_add_epoch(c, 2, guess), 0);
	assert_int_equal(open_audio(c, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_AUTH);
	/* Epoch 1's secret itself, taken for epoch 2: no better. */
	e2ee_keyring_drop_epoch(c, 2);
	assert_int_equal(e2ee_keyring_add_epoch(c, 2, e1), 0);
	assert_int_equal(open_audio(c, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_AUTH);

	/* D joins; epoch 3 for A, B and D. */
	e2ee_epoch_salt_make(salt3);
	assert_int_equal(e2ee_salt_seal(3, salt3, &ka, kd.pk, box_d), 0);
	assert_int_equal(e2ee_salt_open(box_d, sizeof box_d, &kd, ka.pk,
	    &epoch, got), 0);
	assert_int_equal(epoch, 3);
	assert_int_equal(e2ee_epoch_secret(root, 3, got, e3), 0);
	d = keyring(3, e3, 0xa);
	a3 = sender(e3, 0xa, E2EE_STREAM_AUDIO, 3);
	seal_audio(a3, 0, pt, sizeof pt, f3, &l3);
	assert_int_equal(open_audio(d, 0, f3, l3, out, &olen, &info), 0);
	assert_int_equal(open_audio(d, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	assert_int_equal(open_audio(d, 0, f1, l1, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	/* D's best guesses for epoch 2, from its own salt and secret. */
	assert_int_equal(e2ee_epoch_secret(root, 2, salt3, guess), 0);
	e2ee_keyring_free(d);
	d = e2ee_keyring_new(0);
	assert_int_equal(e2ee_keyring_add_sender(d, 0xa), 0);
	assert_int_equal(e2ee_keyring_add_epoch(d, 2, guess), 0);
	assert_int_equal(open_audio(d, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_AUTH);
	e2ee_keyring_drop_epoch(d, 2);
	assert_int_equal(e2ee_keyring_add_epoch(d, 2, e3), 0);
	assert_int_equal(open_audio(d, 0, f2, l2, out, &olen, &info),
	    E2EE_ERR_AUTH);

	e2ee_keyring_free(d);
	e2ee_keyring_free(c);
	e2ee_keyring_free(b);
	e2ee_sender_free(a3);
	e2ee_sender_free(a2);
	e2ee_sender_free(a1);
	e2ee_member_key_clear(&kd);
	e2ee_member_key_clear(&kc);
	e2ee_member_key_clear(&kb);
	e2ee_member_key_clear(&ka);
}

static void
test_salt_box(void **state)
{
	struct e2ee_member_key	 host, k, other;
	uint8_t			 salt[32], got[32], box[E2EE_SALT_BOX_LEN];
	uint8_t			 bad[E2EE_SALT_BOX_LEN];
	uint32_t		 epoch;
	size_t			 i;

	(void)state;
	e2ee_member_key_make(&host);
	e2ee_member_key_make(&k);
	e2ee_member_key_make(&other);
	e2ee_epoch_salt_make(salt);
	assert_int_equal(e2ee_salt_seal(0x10002, salt, &host, k.pk, box), 0);
	assert_int_equal(e2ee_salt_open(box, sizeof box, &k, host.pk, &epoch,
	    got), 0);
	assert_int_equal(epoch, 0x10002);
	assert_memory_equal(got, salt, sizeof salt);

	/* Not for this key, not from this host. */
	assert_int_equal(e2ee_salt_open(box, sizeof box, &other, host.pk,
	    &epoch, got), E2EE_ERR_AUTH);
	assert_int_equal(e2ee_salt_open(box, sizeof box, &k, other.pk,
	    &epoch, got), E2EE_ERR_AUTH);
	/* Any byte changed, the nonce's included. */
	for (i = 0; i < sizeof box; i++) {
		memcpy(bad, box, sizeof box);
		bad[i] ^= 0x80;
		assert_int_equal(e2ee_salt_open(bad, sizeof bad, &k, host.pk,
		    &epoch, got), E2EE_ERR_AUTH);
	}
	assert_int_equal(e2ee_salt_open(box, sizeof box - 1, &k, host.pk,
	    &epoch, got), E2EE_ERR_MALFORMED);

	/* Two boxes of one salt differ: each has its own nonce. */
	memcpy(bad, box, sizeof box);
	assert_int_equal(e2ee_salt_seal(0x10002, salt, &host, k.pk, box), 0);
	assert_memory_not_equal(bad, box, sizeof box);
	e2ee_member_key_clear(&other);
	e2ee_member_key_clear(&k);
	e2ee_member_key_clear(&host);
}

static void
test_member_tag(void **state)
{
	struct e2ee_member_key	 k;
	uint8_t			 root[32], bad[32], tag[32];

	(void)state;
	root_of("tags", "room", room_id, root);
	root_of("tags!", "room", room_id, bad);
	e2ee_member_key_make(&k);
	assert_int_equal(e2ee_member_tag(root, 0x123456, k.pk, "bob", tag), 0);
	assert_int_equal(e2ee_member_tag_check(root, 0x123456, k.pk, "bob",
	    tag), 0);
	/* Another passphrase, sender id, key or name: refused. */
	assert_int_equal(e2ee_member_tag_check(bad, 0x123456, k.pk, "bob",
	    tag), E2EE_ERR_AUTH);
	assert_int_equal(e2ee_member_tag_check(root, 0x123457, k.pk, "bob",
	    tag), E2EE_ERR_AUTH);
	assert_int_equal(e2ee_member_tag_check(root, 0x123456, k.pk, "bob2",
	    tag), E2EE_ERR_AUTH);
	k.pk[0] ^= 1;
	assert_int_equal(e2ee_member_tag_check(root, 0x123456, k.pk, "bob",
	    tag), E2EE_ERR_AUTH);
	e2ee_member_key_clear(&k);
}

/* A key file with these bytes and mode; its path into path. */
static int
key_file(const char *data, size_t len, mode_t mode, char *path, size_t size)
{
	int	fd;

	snprintf(path, size, "%s/test-e2ee.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if ((fd = mkstemp(path)) == -1)
		fail_msg("mkstemp %s", path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	return 0;
}

static void
test_passphrase_file(void **state)
{
	static const struct {
		const char	*data;
		size_t		 len;
		mode_t		 mode;
		const char	*want;		/* NULL: refused */
		const char	*why;		/* in the refusal */
	} cases[] = {
		{ "secret\n", 7, 0600, "secret", NULL },
		{ "secret", 6, 0400, "secret", NULL },
		{ "secret\r\nnext line\n", 18, 0600, "secret", NULL },
		{ " two words \n", 12, 0600, " two words ", NULL },
		{ "\nsecret\n", 8, 0600, NULL, "empty" },
		{ "\r\n", 2, 0600, NULL, "empty" },
		{ "", 0, 0600, NULL, "empty" },
		{ "secret\n", 7, 0644, NULL, "too open" },
		{ "secret\n", 7, 0640, NULL, "too open" },
		{ "secret\n", 7, 0602, NULL, "too open" },
		{ "sec\0ret\n", 8, 0600, NULL, "NUL" },
	};
	struct e2ee_passphrase	 pass;
	char			 path[4096], *cause, *big;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		key_file(cases[i].data, cases[i].len, cases[i].mode, path,
		    sizeof path);
		cause = NULL;
		if (cases[i].want != NULL) {
			if (e2ee_passphrase_read(path, &pass, &cause) != 0)
				fail_msg("case %zu: %s", i, cause);
			assert_int_equal(pass.len, strlen(cases[i].want));
			assert_string_equal(pass.text, cases[i].want);
		} else {
			assert_int_equal(e2ee_passphrase_read(path, &pass,
			    &cause), -1);
			assert_non_null(strstr(cause, path));
			if (strstr(cause, cases[i].why) == NULL)
				fail_msg("case %zu: %s", i, cause);
			free(cause);
		}
		unlink(path);
	}

	/* The longest line taken, one more byte refused. */
	big = malloc(E2EE_PASSPHRASE_MAX + 3);
	assert_non_null(big);
	memset(big, 'p', E2EE_PASSPHRASE_MAX + 2);
	big[E2EE_PASSPHRASE_MAX] = '\n';
	key_file(big, E2EE_PASSPHRASE_MAX + 1, 0600, path, sizeof path);
	cause = NULL;
	assert_int_equal(e2ee_passphrase_read(path, &pass, &cause), 0);
	assert_int_equal(pass.len, E2EE_PASSPHRASE_MAX);
	unlink(path);
	memcpy(big + E2EE_PASSPHRASE_MAX, "\r\n", 2);
	key_file(big, E2EE_PASSPHRASE_MAX + 2, 0600, path, sizeof path);
	assert_int_equal(e2ee_passphrase_read(path, &pass, &cause), 0);
	assert_int_equal(pass.len, E2EE_PASSPHRASE_MAX);
	unlink(path);
	memset(big, 'p', E2EE_PASSPHRASE_MAX + 2);
	big[E2EE_PASSPHRASE_MAX + 1] = '\n';
	key_file(big, E2EE_PASSPHRASE_MAX + 2, 0600, path, sizeof path);
	assert_int_equal(e2ee_passphrase_read(path, &pass, &cause), -1);
	assert_non_null(strstr(cause, "longer"));
	free(cause);
	unlink(path);
	key_file(big, E2EE_PASSPHRASE_MAX + 2 - 1, 0600, path, sizeof path);
	cause = NULL;
	assert_int_equal(e2ee_passphrase_read(path, &pass, &cause), -1);
	assert_non_null(strstr(cause, "longer"));
	free(cause);
	unlink(path);
	free(big);

	/* No file, and a directory. */
	cause = NULL;
	assert_int_equal(e2ee_passphrase_read("/nonexistent/key", &pass,
	    &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent/key"));
	free(cause);
	cause = NULL;
	assert_int_equal(e2ee_passphrase_read("/", &pass, &cause), -1);
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	e2ee_passphrase_clear(&pass);
}

/* A whole file sealed into out: preamble, then chunks. */
static void
file_seal(struct e2ee_sender *s, const char *room, const uint8_t *data,
    size_t len, uint8_t *out, size_t *outlen)
{
	struct e2ee_file	 f;
	size_t			 off = 0, n, clen;
	int			 last;

	assert_int_equal(e2ee_file_seal_begin(&f, room, out), 0);
	*outlen = E2EE_FILE_PREAMBLE;
	do {
		n = len - off > E2EE_FILE_CHUNK ? E2EE_FILE_CHUNK : len - off;
		last = off + n == len;
		assert_int_equal(e2ee_file_seal_chunk(&f, s, data + off, n,
		    last, out + *outlen, E2EE_FILE_SEALED_MAX, &clen), 0);
		*outlen += clen;
		off += n;
	} while (!last);
	assert_int_equal(e2ee_file_seal_chunk(&f, s, data, 0, 1,
	    out + *outlen, E2EE_FILE_SEALED_MAX, &clen), E2EE_ERR_FAIL);
}

/* Open a sealed file as a fetching node would: 0 or the first error. */
static int
file_open(struct e2ee_keyring *kr, const char *room, const uint8_t *in,
    size_t len, uint8_t *out, size_t *outlen)
{
	struct e2ee_file	 f;
	struct e2ee_opened	 info;
	size_t			 off, clen, n;
	int			 r, last;

	if ((r = e2ee_file_open_begin(&f, room, in, len)) != 0)
		return r;
	*outlen = 0;
	off = E2EE_FILE_PREAMBLE;
	while (off < len) {
		r = e2ee_file_chunk_len(in + off, len - off > E2EE_HEADER_MAX ?
		    E2EE_HEADER_MAX : len - off, len - off, &clen, &last);
		if (r != 0)
			return r;
		r = e2ee_file_open_chunk(&f, kr, in + off, clen, last,
		    out + *outlen, E2EE_FILE_CHUNK, &n, &info);
		if (r != 0)
			return r;
		*outlen += n;
		off += clen;
	}
	return e2ee_file_open_end(&f);
}

static void
test_file_chunks(void **state)
{
	static const size_t	 sizes[] = { 0, 1, E2EE_FILE_CHUNK - 1,
		E2EE_FILE_CHUNK, E2EE_FILE_CHUNK + 1, 2 * E2EE_FILE_CHUNK,
		2 * E2EE_FILE_CHUNK + E2EE_FILE_CHUNK / 2 };
	uint8_t			 root[32], secret[32], *data, *sealed, *out;
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	size_t			 i, j, len, olen, max = 3 * E2EE_FILE_CHUNK;

	(void)state;
	data = malloc(max);
	sealed = malloc(max + 4 * E2EE_OVERHEAD_MAX + E2EE_FILE_PREAMBLE);
	out = malloc(max + E2EE_FILE_CHUNK);
	assert_non_null(data);
	assert_non_null(sealed);
	assert_non_null(out);
	for (i = 0; i < max; i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	root_of("files", "room", room_id, root);
	epoch_of(root, 6, 6, secret);
	s = sender(secret, 0xf11e, E2EE_STREAM_FILE, 6);
	kr = keyring(6, secret, 0xf11e);

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		file_seal(s, "room", data, sizes[i], sealed, &len);
		/* Fetched twice, opened twice: files are not replays. */
		for (j = 0; j < 2; j++) {
			assert_int_equal(file_open(kr, "room", sealed, len,
			    out, &olen), 0);
			assert_int_equal(olen, sizes[i]);
			if (olen > 0)
				assert_memory_equal(out, data, olen);
		}
		/* No byte of the plaintext is there to be seen. */
		if (sizes[i] >= 64)
			assert_null(memmem(sealed, len, data, 64));
	}
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
	free(out);
	free(sealed);
	free(data);
}

/* Cut, reordered, spliced, renamed to another room: each fails. */
static void
test_file_attacks(void **state)
{
	uint8_t			 root[32], secret[32], *data, *a, *b, *bad;
	uint8_t			*out;
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	size_t			 i, la, lb, olen, c0, c1, size;
	uint64_t		 kid, ctr;

	(void)state;
	size = 2 * E2EE_FILE_CHUNK + 100;
	data = malloc(size);
	a = malloc(size + 4 * E2EE_OVERHEAD_MAX + E2EE_FILE_PREAMBLE);
	b = malloc(size + 4 * E2EE_OVERHEAD_MAX + E2EE_FILE_PREAMBLE);
	bad = malloc(size + 4 * E2EE_OVERHEAD_MAX + E2EE_FILE_PREAMBLE);
	out = malloc(size + E2EE_FILE_CHUNK);
	assert_non_null(data);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(bad);
	assert_non_null(out);
	for (i = 0; i < size; i++)
		data[i] = (uint8_t)i;
	root_of("file attacks", "room", room_id, root);
	epoch_of(root, 1, 1, secret);
	s = sender(secret, 0xabc, E2EE_STREAM_FILE, 1);
	kr = keyring(1, secret, 0xabc);
	file_seal(s, "room", data, size, a, &la);
	file_seal(s, "room", data, size, b, &lb);
	assert_int_equal(la, lb);

	/* Where the chunks are: each header then a full chunk and tag. */
	c0 = E2EE_FILE_PREAMBLE;
	c1 = c0 + (size_t)e2ee_header_decode(a + c0, la - c0, &kid, &ctr) +
	    E2EE_FILE_CHUNK + E2EE_TAG_LEN;

	/*
	 * Cut after the first or second chunk, inside the last, or so that
	 * what is left cannot be a chunk (shorter than a header and tag).
	 */
	assert_int_equal(file_open(kr, "room", a, c1, out, &olen),
	    E2EE_ERR_AUTH);
	assert_int_equal(file_open(kr, "room", a, c1 + (c1 - c0), out, &olen),
	    E2EE_ERR_AUTH);
	assert_int_equal(file_open(kr, "room", a, la - 50, out, &olen),
	    E2EE_ERR_AUTH);
	assert_int_equal(file_open(kr, "room", a, la - 1, out, &olen),
	    E2EE_ERR_AUTH);
	assert_int_equal(file_open(kr, "room", a, la - 110, out, &olen),
	    E2EE_ERR_MALFORMED);
	/* Only the preamble: no last chunk. */
	assert_int_equal(file_open(kr, "room", a, E2EE_FILE_PREAMBLE, out,
	    &olen), E2EE_ERR_TRUNCATED);
	/* Not a sealed file. */
	assert_int_equal(file_open(kr, "room", data, size, out, &olen),
	    E2EE_ERR_MALFORMED);

	/* The first two chunks swapped (they are the same length). */
	memcpy(bad, a, la);
	memcpy(bad + c0, a + c1, c1 - c0);
	memcpy(bad + c1, a + c0, c1 - c0);
	assert_int_equal(file_open(kr, "room", bad, la, out, &olen),
	    E2EE_ERR_AUTH);

	/* The second chunk taken from the other file (another nonce). */
	memcpy(bad, a, la);
	memcpy(bad + c1, b + c1, c1 - c0);
	assert_int_equal(file_open(kr, "room", bad, la, out, &olen),
	    E2EE_ERR_AUTH);

	/* The whole file given as another room's. */
	assert_int_equal(file_open(kr, "other", a, la, out, &olen),
	    E2EE_ERR_AUTH);

	/* Untouched, both open. */
	assert_int_equal(file_open(kr, "room", a, la, out, &olen), 0);
	assert_int_equal(file_open(kr, "room", b, lb, out, &olen), 0);
	assert_memory_equal(out, data, size);

	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
	free(out);
	free(bad);
	free(b);
	free(a);
	free(data);
}

/* What is sealed for one use does not open as another. */
static void
test_meta(void **state)
{
	uint8_t			 root[32], secret[32], meta[E2EE_META_MAX];
	uint8_t			 ct[64], out[64];
	struct e2ee_sender	*c;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, mlen, olen;

	(void)state;
	root_of("meta", "room", room_id, root);
	epoch_of(root, 1, 1, secret);
	c = sender(secret, 0xc4a7, E2EE_STREAM_CHAT, 1);
	kr = keyring(1, secret, 0xc4a7);
	mlen = e2ee_meta_chat(meta, sizeof meta, "chat", "room");
	assert_int_equal(e2ee_seal(c, meta, mlen, (const uint8_t *)"hi", 2,
	    ct, sizeof ct, &len), 0);
	mlen = e2ee_meta_chat(meta, sizeof meta, "reaction", "room");
	assert_int_equal(e2ee_open(kr, meta, mlen, ct, len, out, sizeof out,
	    &olen, &info), E2EE_ERR_AUTH);
	mlen = e2ee_meta_chat(meta, sizeof meta, "chat", "room2");
	assert_int_equal(e2ee_open(kr, meta, mlen, ct, len, out, sizeof out,
	    &olen, &info), E2EE_ERR_AUTH);
	mlen = e2ee_meta_audio(meta, sizeof meta, 0);
	assert_int_equal(e2ee_open(kr, meta, mlen, ct, len, out, sizeof out,
	    &olen, &info), E2EE_ERR_AUTH);
	mlen = e2ee_meta_chat(meta, sizeof meta, "chat", "room");
	assert_int_equal(e2ee_open(kr, meta, mlen, ct, len, out, sizeof out,
	    &olen, &info), 0);
	assert_int_equal(olen, 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(info.stream, E2EE_STREAM_CHAT);

	/* The builders refuse what does not fit. */
	assert_int_equal(e2ee_meta_audio(meta, 1, 0), 0);
	assert_int_equal(e2ee_meta_video(meta, sizeof meta, E2EE_STREAM_CHAT,
	    0), 0);
	assert_int_equal(e2ee_meta_chat(meta, 10, "chat", "room"), 0);
	e2ee_keyring_free(kr);
	e2ee_sender_free(c);
}

static void
test_keyring_bounds(void **state)
{
	struct e2ee_keyring	*kr;
	uint8_t			 secret[32];
	uint32_t		 i;

	(void)state;
	memset(secret, 0, sizeof secret);
	kr = e2ee_keyring_new(2);
	assert_int_equal(e2ee_keyring_add_epoch(kr, 1, secret), 0);
	assert_int_equal(e2ee_keyring_add_epoch(kr, 2, secret), 0);
	assert_int_equal(e2ee_keyring_add_epoch(kr, 3, secret), 0);
	assert_false(e2ee_keyring_has_epoch(kr, 1));	/* the oldest went */
	assert_true(e2ee_keyring_has_epoch(kr, 2));
	assert_true(e2ee_keyring_has_epoch(kr, 3));
	/* 65536 epochs on, the same KID bits: it replaces the old one. */
	assert_int_equal(e2ee_keyring_add_epoch(kr, 2 + 65536, secret), 0);
	assert_false(e2ee_keyring_has_epoch(kr, 2));
	assert_true(e2ee_keyring_has_epoch(kr, 2 + 65536));

	assert_int_equal(e2ee_keyring_add_sender(kr, 0), E2EE_ERR_KID);
	assert_int_equal(e2ee_keyring_add_sender(kr, E2EE_SENDER_MASK + 1),
	    E2EE_ERR_KID);
	for (i = 1; i <= E2EE_SENDERS_MAX; i++)
		assert_int_equal(e2ee_keyring_add_sender(kr, i * 7), 0);
	assert_int_equal(e2ee_keyring_add_sender(kr, 7), 0);	/* again */
	assert_int_equal(e2ee_keyring_add_sender(kr, 3), E2EE_ERR_ROOM);
	e2ee_keyring_drop_sender(kr, 7);
	assert_int_equal(e2ee_keyring_add_sender(kr, 3), 0);
	e2ee_keyring_free(kr);

	for (i = 0; i < 1000; i++) {
		uint32_t	id = e2ee_sender_id_make();

		assert_true(id != 0 && id <= E2EE_SENDER_MASK);
	}
}

/*
 * A salt box the hub sends twice, or keeps back and sends later, must not
 * start an epoch's replay windows afresh.
 */
static void
test_epoch_order(void **state)
{
	uint8_t			 root[32], e1[32], e2[32], pt[OPUS_LEN];
	uint8_t			 ct[OPUS_LEN + E2EE_OVERHEAD_MAX];
	uint8_t			 out[sizeof ct];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, olen;

	(void)state;
	memset(pt, 6, sizeof pt);
	root_of("order", "room", room_id, root);
	epoch_of(root, 1, 1, e1);
	epoch_of(root, 2, 2, e2);
	s = sender(e1, 0x61, E2EE_STREAM_AUDIO, 1);
	seal_audio(s, 0, pt, sizeof pt, ct, &len);
	kr = keyring(1, e1, 0x61);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info), 0);

	/* Epoch 1 again, same secret: nothing changes, the replay fails. */
	assert_int_equal(e2ee_keyring_add_epoch(kr, 1, e1), 0);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_REPLAY);
	/* Another secret for epoch 1: refused. */
	assert_int_equal(e2ee_keyring_add_epoch(kr, 1, e2), E2EE_ERR_FAIL);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_REPLAY);

	/* On to epoch 2, epoch 1 dropped: epoch 1 cannot come back. */
	assert_int_equal(e2ee_keyring_add_epoch(kr, 2, e2), 0);
	e2ee_keyring_drop_epoch(kr, 1);
	assert_int_equal(e2ee_keyring_add_epoch(kr, 1, e1), E2EE_ERR_REPLAY);
	assert_int_equal(open_audio(kr, 0, ct, len, out, &olen, &info),
	    E2EE_ERR_EPOCH);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

/* The last CTR seals once; after it the sender refuses. */
static void
test_ctr_spent(void **state)
{
	uint8_t			 secret[32], ct[64], out[64];
	struct e2ee_sender	*s;
	struct e2ee_keyring	*kr;
	struct e2ee_opened	 info;
	size_t			 len, olen;

	(void)state;
	memset(secret, 0x5a, sizeof secret);
	s = sender(secret, 0x1, E2EE_STREAM_AUDIO, 0);
	kr = keyring(0, secret, 0x1);
	e2ee_sender_set_ctr(s, UINT64_MAX);
	assert_int_equal(e2ee_seal(s, NULL, 0, (const uint8_t *)"x", 1, ct,
	    sizeof ct, &len), 0);
	assert_int_equal(e2ee_open(kr, NULL, 0, ct, len, out, sizeof out,
	    &olen, &info), 0);
	assert_true(info.ctr == UINT64_MAX);
	assert_int_equal(e2ee_seal(s, NULL, 0, (const uint8_t *)"x", 1, ct,
	    sizeof ct, &len), E2EE_ERR_FAIL);
	e2ee_keyring_free(kr);
	e2ee_sender_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_rfc9605),
		cmocka_unit_test(test_header_refused),
		cmocka_unit_test(test_sframe_rfc9605),
		cmocka_unit_test(test_kdf_known_answer),
		cmocka_unit_test(test_kdf_inputs),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_wrong_passphrase),
		cmocka_unit_test(test_wrong_epoch),
		cmocka_unit_test(test_unknown_sender),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_leave_and_join),
		cmocka_unit_test(test_salt_box),
		cmocka_unit_test(test_member_tag),
		cmocka_unit_test(test_passphrase_file),
		cmocka_unit_test(test_file_chunks),
		cmocka_unit_test(test_file_attacks),
		cmocka_unit_test(test_meta),
		cmocka_unit_test(test_keyring_bounds),
		cmocka_unit_test(test_epoch_order),
		cmocka_unit_test(test_ctr_spent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
