/*
 * TLS for node links: TLS 1.3 only, both ends presenting a certificate
 * self-signed with their node key (nodekey.c).
 *
 * There is no certificate authority.  A certificate only carries the key;
 * the handshake proves the far end holds it (TLS 1.3's CertificateVerify),
 * and the link's owner then decides by the key's fingerprint: the joining
 * node against its known nodes (knownnodes.c), the hub by binding what a
 * link creates to the key that created it (remote.c).  So the verify
 * callback accepts any certificate, and the caller must look at the
 * fingerprint before it trusts the link with anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "meetd.h"

static SSL_CTX	*tls_server;
static SSL_CTX	*tls_client;

static X509	*tls_make_cert(EVP_PKEY *, char **);
static SSL_CTX	*tls_make_ctx(int, X509 *, EVP_PKEY *, char **);
static int	 tls_verify(int, X509_STORE_CTX *);

/* The last OpenSSL error as text, for a cause. */
const char *
tls_error_string(void)
{
	static char	 buf[256];
	unsigned long	 e;

	if ((e = ERR_peek_last_error()) == 0)
		return "unknown TLS error";
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

static X509 *
tls_make_cert(EVP_PKEY *pk, char **cause)
{
	X509		*x;
	X509_NAME	*name;
	uint64_t	 serial;

	if ((x = X509_new()) == NULL)
		goto fail;
	arc4random_buf(&serial, sizeof serial);
	if (X509_set_version(x, 2) != 1 || ASN1_INTEGER_set_uint64(
	    X509_get_serialNumber(x), serial >> 1) != 1)
		goto fail;
	/* Validity is not what anyone checks; the key is. */
	if (X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650) == NULL)
		goto fail;
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"meet node", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, pk) != 1)
		goto fail;
	/* Ed25519 signs with no separate digest. */
	if (X509_sign(x, pk, EVP_PKEY_get_id(pk) == EVP_PKEY_ED25519 ? NULL :
	    EVP_sha256()) == 0)
		goto fail;
	return x;

fail:
	xasprintf(cause, "cannot make the node's certificate: %s",
	    tls_error_string());
	X509_free(x);
	return NULL;
}

/* Any certificate will do here: its key is checked by the link's owner. */
static int
tls_verify(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

static SSL_CTX *
tls_make_ctx(int server, X509 *cert, EVP_PKEY *pk, char **cause)
{
	SSL_CTX	*ctx;
	int	 mode;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_use_certificate(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, pk) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		xasprintf(cause, "TLS set-up: %s", tls_error_string());
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Both ends show their key: the hub binds sessions to it. */
	mode = SSL_VERIFY_PEER;
	if (server)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(ctx, mode, tls_verify);
	/* Links are long-lived and few: no tickets, no resumption to keep. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	return ctx;
}

/* Both contexts from the node's key; 0, or -1 and *cause. */
int
tls_init(char **cause)
{
	EVP_PKEY	*pk = nodekey_get();
	X509		*cert;

	if (pk == NULL) {
		xasprintf(cause, "TLS set-up: no node key");
		return -1;
	}
	if ((cert = tls_make_cert(pk, cause)) == NULL)
		return -1;
	tls_server = tls_make_ctx(1, cert, pk, cause);
	if (tls_server != NULL)
		tls_client = tls_make_ctx(0, cert, pk, cause);
	X509_free(cert);
	if (tls_client == NULL) {
		tls_free();
		return -1;
	}
	return 0;
}

void
tls_free(void)
{
	SSL_CTX_free(tls_server);
	SSL_CTX_free(tls_client);
	tls_server = tls_client = NULL;
}

/* A new TLS connection object, for a link we accepted or one we open. */
SSL *
tls_new(int server)
{
	SSL	*ssl;

	ssl = SSL_new(server ? tls_server : tls_client);
	if (ssl == NULL)
		fatalx("SSL_new: %s", tls_error_string());
	return ssl;
}

/* The fingerprint of the key the far end proved it holds; 0, or -1. */
int
tls_peer_fingerprint(SSL *ssl, char *buf, size_t len)
{
	X509		*x;
	EVP_PKEY	*pk;
	int		 r;

	if ((x = SSL_get1_peer_certificate(ssl)) == NULL)
		return -1;
	pk = X509_get0_pubkey(x);
	r = pk != NULL ? nodekey_fingerprint(pk, buf, len) : -1;
	X509_free(x);
	return r;
}
