/*
 * SHA-256 through libcrypto's EVP interface: the well-kept implementation
 * every Debian machine has, rather than one of our own.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "log.h"
#include "sha256.h"

struct sha256 {
	EVP_MD_CTX	*ctx;
};

struct sha256 *
sha256_new(void)
{
	struct sha256	*h;

	if ((h = calloc(1, sizeof *h)) == NULL ||
	    (h->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		fatalx("sha256: cannot set up a digest");
	return h;
}

void
sha256_update(struct sha256 *h, const void *p, size_t len)
{
	if (EVP_DigestUpdate(h->ctx, p, len) != 1)
		fatalx("sha256: digest update failed");
}

void
sha256_hex(struct sha256 *h, char *buf)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len = 0, i;

	if (EVP_DigestFinal_ex(h->ctx, md, &len) != 1 ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		fatalx("sha256: digest final failed");
	for (i = 0; i < len && i < 32; i++)
		snprintf(buf + 2 * i, 3, "%02x", md[i]);
}

void
sha256_free(struct sha256 *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}
