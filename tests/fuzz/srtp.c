/*
 * Fuzzing SRTP contexts (lib/srtpctx.c over libsrtp2): the input's first
 * byte picks the profile, then comes a series of operations, each a byte,
 * a 16-bit length and that many bytes.  Packets to protect are given the
 * sending context's SSRC and exactly the room srtpctx_protect asks for, in
 * a buffer of that size, so that a tag written past it is an overflow ASan
 * sees; what protects must unprotect to the same bytes, or be refused for
 * a reason.  Anything at all goes to the receivers (for one SSRC, from a
 * rollover counter the input sets, and for any SSRC), whose every answer
 * must be one of the codes srtpctx.h names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "fuzz.h"
#include "srtpctx.h"

#define FUZZ_SRTP_MAX	2048
#define FUZZ_SRTP_SSRC	0x5501a0b2

enum fuzz_srtp_op {
	FUZZ_SRTP_RTP,		/* protect, then unprotect */
	FUZZ_SRTP_RTCP,
	FUZZ_SRTP_IN,		/* unprotect what comes */
	FUZZ_SRTP_IN_RTCP,
	FUZZ_SRTP_ROC,		/* the receiver starts where it says */
	FUZZ_SRTP_OPS
};

struct fuzz_srtp {
	size_t		 tag;		/* what protect adds to RTP */
	struct srtpctx	*out;
	struct srtpctx	*in;		/* FUZZ_SRTP_SSRC */
	struct srtpctx	*any;
};

static void	fuzz_srtp_known(int);
static void	fuzz_srtp_round_trip(struct fuzz_srtp *, const uint8_t *,
		    size_t, int);
static void	fuzz_srtp_receive(struct fuzz_srtp *, const uint8_t *,
		    size_t, int);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_srtp_known(int error)
{
	if (error > 0 || error < SRTPCTX_ERR_FAIL)
		abort();
}

/* Protect a copy of p as the sender's, then the receiver must agree. */
static void
fuzz_srtp_round_trip(struct fuzz_srtp *f, const uint8_t *p, size_t len,
    int rtcp)
{
	uint8_t	*buf, *plain;
	size_t	 size, n = len;
	int	 error;

	size = len + f->tag + (rtcp ? 4 : 0);	/* and not a byte more */
	buf = malloc(size);
	plain = malloc(len == 0 ? 1 : len);
	if (buf == NULL || plain == NULL)
		abort();
	memcpy(buf, p, len);
	if (!rtcp && len >= 12)
		put32(buf + 8, FUZZ_SRTP_SSRC);
	if (rtcp && len >= 8)
		put32(buf + 4, FUZZ_SRTP_SSRC);
	memcpy(plain, buf, len);
	error = rtcp ? srtpctx_protect_rtcp(f->out, buf, &n, size) :
	    srtpctx_protect(f->out, buf, &n, size);
	fuzz_srtp_known(error);
	if (error == 0) {
		if (n <= len || n > size)
			abort();
		error = rtcp ? srtpctx_unprotect_rtcp(f->in, buf, &n) :
		    srtpctx_unprotect(f->in, buf, &n);
		fuzz_srtp_known(error);
		if (error == 0 && (n != len || memcmp(buf, plain, len) != 0))
			abort();
	}
	free(buf);
	free(plain);
}

/* Whatever came, to both receivers, each from a buffer of its size. */
static void
fuzz_srtp_receive(struct fuzz_srtp *f, const uint8_t *p, size_t len,
    int rtcp)
{
	struct srtpctx	*to[2] = { f->in, f->any };
	uint8_t		*buf;
	size_t		 n, i;
	int		 error;

	for (i = 0; i < 2; i++) {
		if ((buf = malloc(len == 0 ? 1 : len)) == NULL)
			abort();
		memcpy(buf, p, len);
		n = len;
		error = rtcp ? srtpctx_unprotect_rtcp(to[i], buf, &n) :
		    srtpctx_unprotect(to[i], buf, &n);
		fuzz_srtp_known(error);
		if (error == 0 && n > len)
			abort();
		free(buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct fuzz_srtp	 f;
	struct srtpctx_key	 key;
	enum srtpctx_profile	 profile;
	const uint8_t		*p;
	size_t			 len, i;
	uint32_t		 roc;
	uint16_t		 seq;
	uint8_t			 op;
	char			*cause = NULL;

	fuzz_input_init(&in, data, size);
	profile = fuzz_u8(&in) & 1 ? SRTPCTX_AES_CM_128_HMAC_SHA1_80 :
	    SRTPCTX_AEAD_AES_128_GCM;
	/* A fixed key: what libsrtp does must depend on the input only. */
	memset(&key, 0, sizeof key);
	key.profile = profile;
	key.len = srtpctx_key_len(profile);
	for (i = 0; i < key.len; i++)
		key.key[i] = (uint8_t)(i * 7 + 1);
	f.out = srtpctx_new(&key, SRTPCTX_OUT, FUZZ_SRTP_SSRC, &cause);
	f.in = srtpctx_new(&key, SRTPCTX_IN, FUZZ_SRTP_SSRC, &cause);
	f.any = srtpctx_new(&key, SRTPCTX_IN_ANY, 0, &cause);
	if (f.out == NULL || f.in == NULL || f.any == NULL)
		abort();
	f.tag = profile == SRTPCTX_AEAD_AES_128_GCM ? 16 : 10;
	while (in.left > 0) {
		op = fuzz_u8(&in) % FUZZ_SRTP_OPS;
		if (op == FUZZ_SRTP_ROC) {
			roc = fuzz_u32(&in);
			seq = fuzz_u16(&in);
			if (srtpctx_set_roc(f.in, roc, seq) != 0 ||
			    srtpctx_roc(f.in, &roc, &seq) != 0)
				abort();
			continue;
		}
		len = fuzz_u16(&in) % FUZZ_SRTP_MAX;
		p = fuzz_bytes(&in, len, &len);
		if (op == FUZZ_SRTP_RTP || op == FUZZ_SRTP_RTCP)
			fuzz_srtp_round_trip(&f, p, len, op == FUZZ_SRTP_RTCP);
		else
			fuzz_srtp_receive(&f, p, len, op == FUZZ_SRTP_IN_RTCP);
	}
	srtpctx_free(f.out);
	srtpctx_free(f.in);
	srtpctx_free(f.any);
	return 0;
}
