/*
 * End-to-end encrypted rooms: the room's keys (e2ee.h says what is derived
 * from what): the key file's passphrase, the root from Argon2id, the epoch
 * secrets, the member key pairs and the boxes that carry each epoch's
 * salt, and the KIDs.  The frames sealed under those keys are
 * e2ee-frame.c's.
 *
 * The libraries do the cryptography: libsodium the memory-hard KDF, the
 * BLAKE2b of the KDF's salt and the boxes; OpenSSL the HKDF (EVP_KDF) and
 * the HMAC of member tags.  What this file reads itself, the key file,
 * it bounds before it reads.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include "byteorder.h"
#include "e2ee.h"
#include "xmalloc.h"

#define E2EE_SALT_MSG_LEN	(4 + E2EE_SALT_LEN)	/* epoch, salt */

_Static_assert(E2EE_SALT_BOX_LEN == crypto_box_NONCEBYTES +
    crypto_box_MACBYTES + E2EE_SALT_MSG_LEN, "E2EE_SALT_BOX_LEN");
#define E2EE_PWHASH_LABEL	"meet e2ee room"
#define E2EE_EPOCH_LABEL	"meet e2ee epoch"
#define E2EE_MEMBER_LABEL	"meet e2ee member"

static int	 e2ee_sodium(void);
static void	 e2ee_sodium_once(void);
static int	 e2ee_passphrase_line(const uint8_t *, size_t, int,
		    const char *, struct e2ee_passphrase *, char **);
static int	 e2ee_member_mac(const uint8_t *, uint32_t, const uint8_t *,
		    const char *, uint8_t *);

static pthread_once_t	 e2ee_once = PTHREAD_ONCE_INIT;
static int		 e2ee_sodium_status = -1;

static void
e2ee_sodium_once(void)
{
	e2ee_sodium_status = sodium_init() < 0 ? -1 : 0;
}

/* libsodium must be started once before its first use, from any thread. */
static int
e2ee_sodium(void)
{
	if (pthread_once(&e2ee_once, e2ee_sodium_once) != 0)
		return -1;
	return e2ee_sodium_status;
}

const char *
e2ee_strerror(int code)
{
	switch (code) {
	case 0:
		return "ok";
	case E2EE_ERR_EPOCH:
		return "no key for that epoch";
	case E2EE_ERR_KID:
		return "unknown sender";
	case E2EE_ERR_AUTH:
		return "authentication failed (wrong passphrase or tampered)";
	case E2EE_ERR_REPLAY:
		return "replayed or too old";
	case E2EE_ERR_MALFORMED:
		return "malformed";
	case E2EE_ERR_ROOM:
		return "no room for the output";
	case E2EE_ERR_TRUNCATED:
		return "truncated";
	case E2EE_ERR_FAIL:
		return "the cryptographic library failed";
	}
	return "unknown error";
}

/*
 * HKDF-SHA256 in one of OpenSSL's modes; a salt of length 0 is no salt,
 * which RFC 5869 takes as HashLen zero bytes.  0, or E2EE_ERR_FAIL.
 */
int
e2ee_hkdf(int mode, const uint8_t *key, size_t keylen, const uint8_t *salt,
    size_t saltlen, const uint8_t *info, size_t infolen, uint8_t *out,
    size_t outlen)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[6], *p = params;
	int		 r;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		return E2EE_ERR_FAIL;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return E2EE_ERR_FAIL;
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)key, keylen);
	if (saltlen > 0) {
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)(uintptr_t)salt, saltlen);
	}
	if (infolen > 0) {
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
		    (void *)(uintptr_t)info, infolen);
	}
	*p = OSSL_PARAM_construct_end();
	r = EVP_KDF_derive(kctx, out, outlen, params) == 1 ? 0 : E2EE_ERR_FAIL;
	EVP_KDF_CTX_free(kctx);
	return r;
}

/* Passphrases. */

int
e2ee_passphrase_read(const char *path, struct e2ee_passphrase *pass,
    char **cause)
{
	int	 fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		xasprintf(cause, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	r = e2ee_passphrase_read_fd(fd, path, pass, cause);
	close(fd);
	return r;
}

int
e2ee_passphrase_read_fd(int fd, const char *name,
    struct e2ee_passphrase *pass, char **cause)
{
	struct stat	 sb;
	uint8_t		 buf[E2EE_PASSPHRASE_MAX + 2];
	size_t		 have = 0;
	ssize_t		 n;
	int		 r;

	if (fstat(fd, &sb) == -1) {
		xasprintf(cause, "key file %s: %s", name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		xasprintf(cause, "key file %s: not a regular file", name);
		return -1;
	}
	if ((sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		xasprintf(cause, "key file %s: permissions %04o are too open, "
		    "others may read the passphrase (chmod 600 %s)", name,
		    (unsigned int)(sb.st_mode & 07777), name);
		return -1;
	}

	/* Enough for the longest line, a carriage return and a newline. */
	while (have < sizeof buf && memchr(buf, '\n', have) == NULL) {
		n = read(fd, buf + have, sizeof buf - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			xasprintf(cause, "key file %s: %s", name,
			    strerror(errno));
			explicit_bzero(buf, sizeof buf);
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	r = e2ee_passphrase_line(buf, have, have == sizeof buf, name, pass,
	    cause);
	explicit_bzero(buf, sizeof buf);
	return r;
}

/* The first line of what was read (full: the buffer filled up). */
static int
e2ee_passphrase_line(const uint8_t *buf, size_t have, int full,
    const char *name, struct e2ee_passphrase *pass, char **cause)
{
	const uint8_t	*nl;
	size_t		 len;

	/* No newline: the file ends without one, or the line is too long. */
	if ((nl = memchr(buf, '\n', have)) != NULL)
		len = (size_t)(nl - buf);
	else
		len = have;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		xasprintf(cause, "key file %s: the first line (the passphrase) "
		    "is empty", name);
		return -1;
	}
	if (len > E2EE_PASSPHRASE_MAX || (nl == NULL && full)) {
		xasprintf(cause, "key file %s: the passphrase is longer than "
		    "%d bytes", name, E2EE_PASSPHRASE_MAX);
		return -1;
	}
	if (memchr(buf, '\0', len) != NULL) {
		xasprintf(cause, "key file %s: the passphrase holds a NUL byte",
		    name);
		return -1;
	}
	memset(pass, 0, sizeof *pass);
	memcpy(pass->text, buf, len);
	pass->len = len;
	return 0;
}

void
e2ee_passphrase_clear(struct e2ee_passphrase *pass)
{
	explicit_bzero(pass, sizeof *pass);
}

/* The root. */

int
e2ee_pwhash_salt(const char *room, const uint8_t *id, uint8_t *salt)
{
	crypto_generichash_state	 st;
	size_t				 len = strlen(room);
	uint8_t				 n;

	if (len > 255 || e2ee_sodium() != 0)
		return E2EE_ERR_FAIL;
	n = (uint8_t)len;
	if (crypto_generichash_init(&st, NULL, 0,
	    crypto_pwhash_SALTBYTES) != 0)
		return E2EE_ERR_FAIL;
	crypto_generichash_update(&st, (const uint8_t *)E2EE_PWHASH_LABEL,
	    strlen(E2EE_PWHASH_LABEL));
	crypto_generichash_update(&st, &n, 1);
	crypto_generichash_update(&st, (const uint8_t *)room, len);
	crypto_generichash_update(&st, id, E2EE_ROOM_ID_LEN);
	if (crypto_generichash_final(&st, salt, crypto_pwhash_SALTBYTES) != 0)
		return E2EE_ERR_FAIL;
	return 0;
}

int
e2ee_root_derive(const struct e2ee_passphrase *pass, const char *room,
    const uint8_t *id, uint8_t *root)
{
	uint8_t	 salt[crypto_pwhash_SALTBYTES];

	if (e2ee_pwhash_salt(room, id, salt) != 0)
		return E2EE_ERR_FAIL;
	if (pass->len == 0 || pass->len > E2EE_PASSPHRASE_MAX)
		return E2EE_ERR_FAIL;
	if (crypto_pwhash(root, E2EE_SECRET_LEN, pass->text, pass->len, salt,
	    E2EE_PWHASH_OPSLIMIT, E2EE_PWHASH_MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return E2EE_ERR_FAIL;
	return 0;
}

/* Epochs. */

void
e2ee_epoch_salt_make(uint8_t *salt)
{
	arc4random_buf(salt, E2EE_SALT_LEN);
}

int
e2ee_epoch_secret(const uint8_t *root, uint32_t epoch, const uint8_t *salt,
    uint8_t *secret)
{
	uint8_t	 info[sizeof E2EE_EPOCH_LABEL - 1 + 4];
	size_t	 n = strlen(E2EE_EPOCH_LABEL);

	memcpy(info, E2EE_EPOCH_LABEL, n);
	put32(info + n, epoch);
	return e2ee_hkdf(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, root,
	    E2EE_SECRET_LEN, salt, E2EE_SALT_LEN, info, sizeof info, secret,
	    E2EE_SECRET_LEN);
}

/* Member keys and sealed salts. */

void
e2ee_member_key_make(struct e2ee_member_key *mk)
{
	if (e2ee_sodium() != 0 || crypto_box_keypair(mk->pk, mk->sk) != 0)
		abort();	/* libsodium cannot start: nothing works */
}

void
e2ee_member_key_clear(struct e2ee_member_key *mk)
{
	sodium_memzero(mk, sizeof *mk);
}

/*
 * The member tag's MAC into mac (E2EE_MEMBER_TAG_LEN bytes), over the
 * sender id, the public key and the name, under a key from the root.
 */
static int
e2ee_member_mac(const uint8_t *root, uint32_t sender, const uint8_t *pk,
    const char *name, uint8_t *mac)
{
	uint8_t		 key[E2EE_SECRET_LEN];
	uint8_t		 msg[4 + E2EE_MEMBER_PK_LEN + E2EE_NAME_MAX];
	size_t		 nlen = strlen(name);
	unsigned int	 len = 0;
	int		 r = E2EE_ERR_FAIL;

	if (nlen > E2EE_NAME_MAX)
		return E2EE_ERR_FAIL;
	if (e2ee_hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, root, E2EE_SECRET_LEN,
	    NULL, 0, (const uint8_t *)E2EE_MEMBER_LABEL,
	    strlen(E2EE_MEMBER_LABEL), key, sizeof key) != 0)
		return E2EE_ERR_FAIL;
	put32(msg, sender);
	memcpy(msg + 4, pk, E2EE_MEMBER_PK_LEN);
	memcpy(msg + 4 + E2EE_MEMBER_PK_LEN, name, nlen);
	if (HMAC(EVP_sha256(), key, sizeof key, msg,
	    4 + E2EE_MEMBER_PK_LEN + nlen, mac, &len) != NULL &&
	    len == E2EE_MEMBER_TAG_LEN)
		r = 0;
	explicit_bzero(key, sizeof key);
	return r;
}

int
e2ee_member_tag(const uint8_t *root, uint32_t sender, const uint8_t *pk,
    const char *name, uint8_t *tag)
{
	return e2ee_member_mac(root, sender, pk, name, tag);
}

int
e2ee_member_tag_check(const uint8_t *root, uint32_t sender,
    const uint8_t *pk, const char *name, const uint8_t *tag)
{
	uint8_t	 want[E2EE_MEMBER_TAG_LEN];
	int	 r;

	if (e2ee_member_mac(root, sender, pk, name, want) != 0)
		return E2EE_ERR_FAIL;
	r = CRYPTO_memcmp(want, tag, sizeof want) == 0 ? 0 : E2EE_ERR_AUTH;
	explicit_bzero(want, sizeof want);
	return r;
}

int
e2ee_salt_seal(uint32_t epoch, const uint8_t *salt,
    const struct e2ee_member_key *host, const uint8_t *member_pk, uint8_t *box)
{
	uint8_t	 msg[E2EE_SALT_MSG_LEN];
	int	 r;

	if (e2ee_sodium() != 0)
		return E2EE_ERR_FAIL;
	put32(msg, epoch);
	memcpy(msg + 4, salt, E2EE_SALT_LEN);
	randombytes_buf(box, crypto_box_NONCEBYTES);
	r = crypto_box_easy(box + crypto_box_NONCEBYTES, msg, sizeof msg, box,
	    member_pk, host->sk) == 0 ? 0 : E2EE_ERR_FAIL;
	sodium_memzero(msg, sizeof msg);
	return r;
}

int
e2ee_salt_open(const uint8_t *box, size_t len,
    const struct e2ee_member_key *mine, const uint8_t *host_pk,
    uint32_t *epoch, uint8_t *salt)
{
	uint8_t	 msg[E2EE_SALT_MSG_LEN];

	if (e2ee_sodium() != 0)
		return E2EE_ERR_FAIL;
	if (len != E2EE_SALT_BOX_LEN)
		return E2EE_ERR_MALFORMED;
	if (crypto_box_open_easy(msg, box + crypto_box_NONCEBYTES,
	    len - crypto_box_NONCEBYTES, box, host_pk, mine->sk) != 0)
		return E2EE_ERR_AUTH;
	*epoch = get32(msg);
	memcpy(salt, msg + 4, E2EE_SALT_LEN);
	sodium_memzero(msg, sizeof msg);
	return 0;
}

/* KIDs. */

uint32_t
e2ee_sender_id_make(void)
{
	uint32_t	 id;

	do
		id = arc4random() & E2EE_SENDER_MASK;
	while (id == 0);
	return id;
}

uint64_t
e2ee_kid(uint32_t sender, enum e2ee_stream stream, uint32_t epoch)
{
	return (uint64_t)(sender & E2EE_SENDER_MASK) << E2EE_KID_SHIFT_SENDER |
	    (uint64_t)((unsigned int)stream & E2EE_STREAM_MAX) <<
	    E2EE_KID_SHIFT_STREAM | (epoch & E2EE_EPOCH_MASK);
}

uint32_t
e2ee_kid_sender(uint64_t kid)
{
	return (uint32_t)(kid >> E2EE_KID_SHIFT_SENDER);
}

uint32_t
e2ee_kid_epoch(uint64_t kid)
{
	return (uint32_t)(kid & E2EE_EPOCH_MASK);
}

unsigned int
e2ee_kid_stream(uint64_t kid)
{
	return (unsigned int)(kid >> E2EE_KID_SHIFT_STREAM) & E2EE_STREAM_MAX;
}

