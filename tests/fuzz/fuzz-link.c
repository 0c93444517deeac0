/*
 * The far end of a node link inside a fuzzer (see fuzz-link.h): a fixed
 * TLS key and certificate as a node has them, the TLS connection driven
 * without blocking between the daemon's loop passes, the daemon's frames
 * read back, and lines made into frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "../../meetd/meetd.h"
#include "frame.h"
#include "sha256.h"
#include "fuzz-daemon.h"
#include "fuzz-link.h"

/* Loop passes a handshake or a write may wait for the daemon. */
#define FUZZ_LINK_ROUNDS	32
#define FUZZ_LINK_WRITE		16384	/* a TLS record's worth */

static X509	*fuzz_tls_cert(EVP_PKEY *);
static int	 fuzz_tls_verify(int, X509_STORE_CTX *);
static int	 fuzz_link_fill(struct fuzz_link *);
static const char *fuzz_line_var(const uint8_t *, const uint8_t *,
		    struct fuzz_vars *, char *);

/* A certificate self-signed with pk, as tls.c makes a node's. */
static X509 *
fuzz_tls_cert(EVP_PKEY *pk)
{
	X509		*x;
	X509_NAME	*name;

	if ((x = X509_new()) == NULL || X509_set_version(x, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 3650) == NULL)
		fatalx("fuzz-link: X509: %s", tls_error_string());
	name = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"meet fuzz node", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 ||
	    X509_set_pubkey(x, pk) != 1 || X509_sign(x, pk, NULL) == 0)
		fatalx("fuzz-link: X509: %s", tls_error_string());
	return x;
}

/* The far node takes any key, as a node does: the fingerprint decides. */
static int
fuzz_tls_verify(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

/*
 * A TLS 1.3 context for the far node, server or client, whose Ed25519 key
 * is made from seed (the same seed, the same key, in every run), or with
 * no certificate at all when seed is -1.
 */
SSL_CTX *
fuzz_tls_ctx(int server, int seed)
{
	SSL_CTX		*ctx;
	EVP_PKEY	*pk;
	X509		*x;
	uint8_t		 raw[32];
	size_t		 i;

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1)
		fatalx("fuzz-link: SSL_CTX: %s", tls_error_string());
	SSL_CTX_set_verify(ctx, server ? SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_NONE,
	    fuzz_tls_verify);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (seed < 0)
		return ctx;

	for (i = 0; i < sizeof raw; i++)
		raw[i] = (uint8_t)(seed * 31 + i * 7 + 1);
	pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw,
	    sizeof raw);
	if (pk == NULL)
		fatalx("fuzz-link: key: %s", tls_error_string());
	x = fuzz_tls_cert(pk);
	if (SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, pk) != 1)
		fatalx("fuzz-link: SSL_CTX: %s", tls_error_string());
	X509_free(x);
	EVP_PKEY_free(pk);
	return ctx;
}

/* The far end on fd, TLS with ctx (server or client), or plain. */
void
fuzz_link_open(struct fuzz_link *l, int fd, SSL_CTX *ctx, int server)
{
	memset(l, 0, sizeof *l);
	l->fd = fd;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0)
		fatal("fuzz-link: O_NONBLOCK");
	if (ctx == NULL) {
		l->up = 1;
		return;
	}
	if ((l->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(l->ssl, fd) != 1)
		fatalx("fuzz-link: SSL_new: %s", tls_error_string());
	if (server)
		SSL_set_accept_state(l->ssl);
	else
		SSL_set_connect_state(l->ssl);
}

/*
 * Drive the handshake while the daemon's loop runs: 0 once it is done
 * (and the daemon has had the last flight), -1 when it failed.  OpenSSL's
 * error queue is the daemon's too: it is left empty.
 */
int
fuzz_link_handshake(struct fuzz_link *l)
{
	int	i, r, e;

	if (l->ssl == NULL)
		return 0;
	for (i = 0; i < FUZZ_LINK_ROUNDS; i++) {
		if ((r = SSL_do_handshake(l->ssl)) == 1) {
			l->up = 1;
			fuzz_daemon_settle();
			return 0;
		}
		e = SSL_get_error(l->ssl, r);
		ERR_clear_error();
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		fuzz_daemon_settle();
	}
	return -1;
}

/* Read what there is into the buffer; -1 once the link is closed. */
static int
fuzz_link_fill(struct fuzz_link *l)
{
	ssize_t	n;
	int	e;

	if (l->fd == -1)
		return -1;
	for (;;) {
		if (l->size - l->len < 16384) {
			l->size = l->size * 2 + 16384;
			l->buf = xreallocarray(l->buf, 1, l->size);
		}
		if (l->ssl != NULL) {
			n = SSL_read(l->ssl, l->buf + l->len,
			    (int)(l->size - l->len));
			if (n <= 0) {
				e = SSL_get_error(l->ssl, (int)n);
				ERR_clear_error();
				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					return 0;
				l->up = 0;
				return -1;
			}
		} else {
			n = read(l->fd, l->buf + l->len, l->size - l->len);
			if (n == -1 && errno == EAGAIN)
				return 0;
			if (n <= 0) {
				l->up = 0;
				return -1;
			}
		}
		l->len += (size_t)n;
	}
}

/*
 * Read what the daemon wrote and give each whole frame to cb; 0, or -1
 * once the link is closed.  What the daemon writes must be frames: when
 * it is not, the harness stops there.  On a plain link the daemon speaks
 * TLS to bytes that are not: what it says is dropped.
 */
int
fuzz_link_read(struct fuzz_link *l, fuzz_frame_cb cb, void *arg)
{
	struct frame_header	 h;
	char			 err[256];
	size_t			 off = 0;
	int			 r;

	r = fuzz_link_fill(l);
	if (l->ssl == NULL) {
		l->len = 0;
		return r;
	}
	while (l->len - off >= FRAME_HEADER) {
		if (frame_header_parse(l->buf + off, &h, err, sizeof err) != 0)
			fatalx("meetd wrote a bad frame on a link: %s", err);
		if (l->len - off - FRAME_HEADER < h.length)
			break;
		cb(l, h.type, l->buf + off + FRAME_HEADER, h.length, arg);
		off += FRAME_HEADER + h.length;
	}
	memmove(l->buf, l->buf + off, l->len - off);
	l->len -= off;
	return r;
}

/*
 * Write all of p, letting the daemon read (and reading what it writes)
 * while it does not take more; 0, or -1 when the link is closed or the
 * daemon will not read.
 */
int
fuzz_link_write(struct fuzz_link *l, const void *p, size_t len)
{
	size_t	want;
	ssize_t	n;
	int	tries = 0, e;

	while (len > 0) {
		if (!l->up)
			return -1;
		want = len > FUZZ_LINK_WRITE ? FUZZ_LINK_WRITE : len;
		if (l->ssl != NULL) {
			/* A retry after WANT_WRITE has the same arguments. */
			n = SSL_write(l->ssl, p, (int)want);
			if (n <= 0) {
				e = SSL_get_error(l->ssl, (int)n);
				ERR_clear_error();
				if (e != SSL_ERROR_WANT_READ &&
				    e != SSL_ERROR_WANT_WRITE) {
					l->up = 0;
					return -1;
				}
				n = 0;
			}
		} else {
			n = write(l->fd, p, want);
			if (n == -1 && errno != EAGAIN) {
				l->up = 0;
				return -1;
			}
			if (n == -1)
				n = 0;
		}
		if (n == 0) {
			if (++tries == FUZZ_LINK_ROUNDS)
				return -1;
			fuzz_daemon_settle();
			(void)fuzz_link_fill(l);
			continue;
		}
		p = (const uint8_t *)p + n;
		len -= (size_t)n;
	}
	return 0;
}

/* Close this end: a TLS close_notify when it is up, then the socket. */
void
fuzz_link_close(struct fuzz_link *l)
{
	if (l->ssl != NULL) {
		if (l->up)
			(void)SSL_shutdown(l->ssl);
		ERR_clear_error();
		SSL_free(l->ssl);
	}
	if (l->fd != -1)
		close(l->fd);
	free(l->buf);
	memset(l, 0, sizeof *l);
	l->fd = -1;
}

/*
 * The length of the frame at p, or all that is left when there is no
 * whole good frame there.
 */
size_t
fuzz_frame_len(const uint8_t *p, size_t len)
{
	struct frame_header	h;
	char			err[256];

	if (len < FRAME_HEADER ||
	    frame_header_parse(p, &h, err, sizeof err) != 0 ||
	    h.length > len - FRAME_HEADER)
		return len;
	return FRAME_HEADER + h.length;
}

void
fuzz_vars_set(struct fuzz_vars *vars, int letter, const char *value)
{
	if (letter >= 'A' && letter <= 'Z')
		snprintf(vars->v[letter - 'A'], FUZZ_VAR_MAX, "%s", value);
}

/* A transfer the daemon named: chunk lines go to it from its start. */
void
fuzz_vars_xfer(struct fuzz_vars *vars, uint64_t id)
{
	char	s[32];

	vars->xfer = id;
	vars->datalen = 0;
	snprintf(s, sizeof s, "%" PRIu64, id);
	fuzz_vars_set(vars, 'X', s);
}

void
fuzz_vars_clear(struct fuzz_vars *vars)
{
	free(vars->data);
	memset(vars, 0, sizeof *vars);
}

/*
 * What $L at p stands for in a line (hex holds $H's), or NULL when there
 * is no $L at p.
 */
static const char *
fuzz_line_var(const uint8_t *p, const uint8_t *end, struct fuzz_vars *vars,
    char *hex)
{
	struct sha256	*hash;

	if (*p != '$' || end - p < 2 || p[1] < 'A' || p[1] > 'Z')
		return NULL;
	if (p[1] != 'H')
		return vars->v[p[1] - 'A'];
	hash = sha256_new();
	sha256_update(hash, vars->data, vars->datalen);
	sha256_hex(hash, hex);
	sha256_free(hash);
	return hex;
}

/*
 * A frame from the line at p (no newline): "TYPE BODY", its length made to
 * fit, so that a fuzzer inserting into a JSON body does not break the
 * frame; $L in the body is letter L's value, $H the SHA-256 of what chunk
 * lines sent, and "36 $DATA" a chunk of the transfer named last.  The
 * caller frees the frame.
 */
uint8_t *
fuzz_line_frame(const uint8_t *p, size_t len, struct fuzz_vars *vars,
    size_t *outlen)
{
	const uint8_t	*end = p + len, *q;
	uint8_t		*out, *body;
	char		 hex[SHA256_HEX];
	const char	*v;
	size_t		 o = 0, n;
	u_int		 type;
	int		 i;

	for (type = 0; p < end && *p >= '0' && *p <= '9'; p++)
		type = (type * 10 + (u_int)(*p - '0')) & 0xff;
	if (p < end && *p == ' ')
		p++;
	len = (size_t)(end - p);

	if (type == FRAME_CHUNK && len > 0 && *p == '$') {
		p++;
		len--;
		out = xmalloc(FRAME_HEADER + 16 + len);
		body = out + FRAME_HEADER;
		for (i = 0; i < 8; i++) {
			body[i] = (uint8_t)(vars->xfer >> (56 - 8 * i));
			body[8 + i] = (uint8_t)((uint64_t)vars->datalen >>
			    (56 - 8 * i));
		}
		memcpy(body + 16, p, len);
		o = 16 + len;
		if (vars->datasize - vars->datalen < len) {
			vars->datasize = vars->datalen + len + 4096;
			vars->data = xreallocarray(vars->data, 1,
			    vars->datasize);
		}
		if (len > 0)
			memcpy(vars->data + vars->datalen, p, len);
		vars->datalen += len;
		frame_header_pack(out, (int)type, o);
		*outlen = FRAME_HEADER + o;
		return out;
	}

	/* Once to size the frame, once to fill it. */
	for (n = 0, q = p; q < end; q++) {
		if ((v = fuzz_line_var(q, end, vars, hex)) == NULL)
			n++;
		else {
			n += strlen(v);
			q++;
		}
	}
	out = xmalloc(FRAME_HEADER + n + 1);
	body = out + FRAME_HEADER;
	for (q = p; q < end; q++) {
		if ((v = fuzz_line_var(q, end, vars, hex)) == NULL)
			body[o++] = *q;
		else {
			memcpy(body + o, v, strlen(v));
			o += strlen(v);
			q++;
		}
	}
	frame_header_pack(out, (int)type, o);
	*outlen = FRAME_HEADER + o;
	return out;
}
