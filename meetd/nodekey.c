/*
 * The node's long-term key: its identity to other nodes.
 *
 * An Ed25519 key in a PEM file ([node] key), made on first start, 0600 in a
 * 0700 folder.  Other nodes know this node by the fingerprint of its public
 * key ("sha256:" and the hex SHA-256 of the key's DER SubjectPublicKeyInfo),
 * never by anything it says about itself.  Secrets the node needs that must
 * outlive a restart (the key that signs join tokens) are derived from this
 * key with HKDF, so that there is one file to keep and one to lose.
 *
 * The default path: a node on the default control socket keeps its key in
 * its state folder ($STATE_DIRECTORY, /var/lib/meet for root, else
 * $XDG_STATE_HOME/meet or ~/.local/state/meet); a node given a socket of
 * its own (-S, $MEET_SOCKET, [control] socket) keeps it beside that socket,
 * so that several nodes of one user on one machine are several nodes.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>

#include "meetd.h"

static EVP_PKEY	*nodekey;
static char	 nodekey_fp[NODEKEY_FP_LEN + 1];
static char	*nodekey_file;

static int	nodekey_mkdir(const char *, char **);
static EVP_PKEY	*nodekey_read(const char *, char **);
static EVP_PKEY	*nodekey_make(const char *, char **);

/* The node's state folder, for what lasts across restarts; caller frees. */
char *
nodekey_state_dir(void)
{
	const char	*s, *home;
	char		*dir;

	if ((s = getenv("STATE_DIRECTORY")) != NULL && *s == '/')
		return xstrndup(s, strcspn(s, ":"));
	if (geteuid() == 0)
		return xstrdup("/var/lib/meet");
	if ((s = getenv("XDG_STATE_HOME")) != NULL && *s == '/') {
		xasprintf(&dir, "%s/meet", s);
		return dir;
	}
	if ((home = getenv("HOME")) != NULL && *home == '/') {
		xasprintf(&dir, "%s/.local/state/meet", home);
		return dir;
	}
	xasprintf(&dir, "/tmp/meet-state-%u", (unsigned)geteuid());
	return dir;
}

/*
 * Where a file of the node's (suffix "key" or "known_nodes") goes by
 * default, for a node on control socket path; caller frees.
 */
char *
nodekey_default_path(const char *socket, const char *suffix)
{
	char	*dir, *path;

	if (socket != NULL && strcmp(socket, control_default_path()) != 0) {
		xasprintf(&path, "%s.%s", socket, suffix);
		return path;
	}
	dir = nodekey_state_dir();
	xasprintf(&path, "%s/node.%s", dir, suffix);
	free(dir);
	return path;
}

/* Make the folders above path when they are missing, private to this user. */
static int
nodekey_mkdir(const char *path, char **cause)
{
	char	*copy, *p;
	int	 r = 0;

	copy = xstrdup(path);
	for (p = strchr(copy + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			xasprintf(cause, "%s: %s", copy, strerror(errno));
			r = -1;
			break;
		}
		*p = '/';
	}
	free(copy);
	return r;
}

static EVP_PKEY *
nodekey_read(const char *path, char **cause)
{
	struct stat	 st;
	EVP_PKEY	*pk;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077) != 0)
		log_warnx("%s: the node's key is readable by others (mode "
		    "%o); it should be 0600", path,
		    (unsigned)(st.st_mode & 0777));
	pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (pk == NULL) {
		xasprintf(cause, "%s: not a PEM private key", path);
		return NULL;
	}
	if (EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519 &&
	    EVP_PKEY_get_id(pk) != EVP_PKEY_EC) {
		xasprintf(cause, "%s: the key is neither Ed25519 nor ECDSA",
		    path);
		EVP_PKEY_free(pk);
		return NULL;
	}
	return pk;
}

static EVP_PKEY *
nodekey_make(const char *path, char **cause)
{
	EVP_PKEY	*pk;
	FILE		*f;
	char		*tmp;
	int		 fd;

	if (nodekey_mkdir(path, cause) != 0)
		return NULL;
	if ((pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL) {
		xasprintf(cause, "cannot make an Ed25519 key");
		return NULL;
	}
	/* Written aside and renamed, so a crash leaves no half a key. */
	xasprintf(&tmp, "%s.tmp%u", path, (unsigned)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		xasprintf(cause, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto fail;
	}
	if (PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) != 0 || fsync(fd) != 0) {
		xasprintf(cause, "%s: cannot write the key", tmp);
		fclose(f);
		unlink(tmp);
		goto fail;
	}
	fclose(f);
	if (link(tmp, path) != 0) {
		/* Another meetd made it first: use that one. */
		xasprintf(cause, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto fail;
	}
	unlink(tmp);
	free(tmp);
	log_info("made a new node key in %s", path);
	return pk;

fail:
	free(tmp);
	EVP_PKEY_free(pk);
	return NULL;
}

/* Load the node's key from path, making it first if it is missing. */
int
nodekey_load(const char *path, char **cause)
{
	EVP_PKEY	*pk;

	if (access(path, F_OK) == 0)
		pk = nodekey_read(path, cause);
	else if (errno == ENOENT)
		pk = nodekey_make(path, cause);
	else {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		pk = NULL;
	}
	if (pk == NULL)
		return -1;
	if (nodekey_fingerprint(pk, nodekey_fp, sizeof nodekey_fp) != 0) {
		xasprintf(cause, "%s: cannot read the public key", path);
		EVP_PKEY_free(pk);
		return -1;
	}
	EVP_PKEY_free(nodekey);
	nodekey = pk;
	free(nodekey_file);
	nodekey_file = xstrdup(path);
	return 0;
}

void
nodekey_free(void)
{
	EVP_PKEY_free(nodekey);
	nodekey = NULL;
	free(nodekey_file);
	nodekey_file = NULL;
}

EVP_PKEY *
nodekey_get(void)
{
	return nodekey;
}

const char *
nodekey_path(void)
{
	return nodekey_file != NULL ? nodekey_file : "";
}

/* This node's fingerprint, "sha256:..." */
const char *
nodekey_own_fingerprint(void)
{
	return nodekey_fp;
}

/* The fingerprint of any public key into buf; 0, or -1. */
int
nodekey_fingerprint(EVP_PKEY *pk, char *buf, size_t len)
{
	unsigned char	*der = NULL, md[32];
	unsigned int	 mdlen;
	int		 n, i;

	if (len < NODEKEY_FP_LEN + 1 || (n = i2d_PUBKEY(pk, &der)) <= 0)
		return -1;
	if (EVP_Digest(der, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1) {
		OPENSSL_free(der);
		return -1;
	}
	OPENSSL_free(der);
	memcpy(buf, "sha256:", 7);
	for (i = 0; i < 32; i++)
		snprintf(buf + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* Is s a fingerprint as nodekey_fingerprint writes it? */
int
nodekey_fingerprint_valid(const char *s)
{
	size_t	i;

	if (strlen(s) != NODEKEY_FP_LEN || strncmp(s, "sha256:", 7) != 0)
		return 0;
	for (i = 7; i < NODEKEY_FP_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * A secret for one purpose (label), derived from the node's private key
 * with HKDF-SHA256: the same for as long as the key is.  0, or -1.
 */
int
nodekey_derive(const char *label, uint8_t *out, size_t len)
{
	EVP_KDF		*kdf;
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[5], *p = params;
	unsigned char	*der = NULL;
	int		 n, r;

	if (nodekey == NULL || (n = i2d_PrivateKey(nodekey, &der)) <= 0)
		return -1;
	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL) {
		OPENSSL_clear_free(der, (size_t)n);
		return -1;
	}
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, der,
	    (size_t)n);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)(uintptr_t)"meet node key", 13);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)(uintptr_t)label, strlen(label));
	*p = OSSL_PARAM_construct_end();
	r = kctx != NULL && EVP_KDF_derive(kctx, out, len, params) == 1 ?
	    0 : -1;
	EVP_KDF_CTX_free(kctx);
	OPENSSL_clear_free(der, (size_t)n);
	return r;
}
