/*
 * TLS for the page, when [web] certificate and certificate_key name a
 * certificate for the page's address (one a browser trusts: a CA's, or
 * one its user chose to accept).  Unlike the node links' (tls.c), this is
 * TLS as the web knows it: the browser checks the certificate, meetd asks
 * for none.  TLS 1.2 or 1.3, OpenSSL's defaults otherwise.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "meetd.h"
#include "web.h"

static SSL_CTX	*web_tls_ctx;

/* Load the certificate chain and its key: 0, or -1 and *cause. */
int
web_tls_init(const char *cert, const char *key, char **cause)
{
	SSL_CTX	*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		xasprintf(cause, "[web] TLS: %s", tls_error_string());
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
		xasprintf(cause, "[web] TLS: %s", tls_error_string());
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		xasprintf(cause, "[web] certificate %s: %s", cert,
		    tls_error_string());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		xasprintf(cause, "[web] certificate_key %s: %s", key,
		    tls_error_string());
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		xasprintf(cause, "[web] certificate_key %s is not the key of "
		    "%s", key, cert);
		goto fail;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	web_tls_ctx = ctx;
	return 0;

fail:
	SSL_CTX_free(ctx);
	return -1;
}

/* Is the page served over TLS? */
int
web_tls_on(void)
{
	return web_tls_ctx != NULL;
}

/* A server-side TLS object for a new connection, or NULL. */
struct ssl_st *
web_tls_new(void)
{
	return SSL_new(web_tls_ctx);
}

void
web_tls_free(void)
{
	SSL_CTX_free(web_tls_ctx);
	web_tls_ctx = NULL;
}
