/*
 * SRTP and SRTCP (RFC 3711) for meet, over libsrtp2: master keys made here,
 * one context per stream and direction, packets protected and checked in
 * place, and the inline key of SDES (RFC 4568) for plain-RTP peers.
 *
 * Two profiles: AEAD_AES_128_GCM (RFC 7714) between nodes, and
 * AES_CM_128_HMAC_SHA1_80 for plain-RTP peers such as ffmpeg's srtp://.
 *
 * Threads: srtpctx_new initializes libsrtp once per process, from any
 * thread.  A context is not locked: it must be used by one thread only (the
 * media worker that owns the stream), since its replay window and rollover
 * counter change with every packet.  Making one costs about a millisecond
 * of CPU (libsrtp derives its keys through OpenSSL): one per stream and
 * direction, made when the stream starts, never per packet.
 *
 * The rollover counter (ROC): SRTP numbers packets with 48 bits, the 16 of
 * the RTP sequence number and 32 that neither side sends.  A receiver that
 * saw the stream from its first packet follows the wraps at 65535 by
 * itself; one that starts later, after a wrap, must be given the sender's
 * ROC (srtpctx_set_roc, with what the sender's srtpctx_roc said), or
 * nothing it gets authenticates.  So must one after a gap of 32768 packets
 * or more, which a receiver cannot tell from reordering.
 */
#ifndef MEET_SRTPCTX_H
#define MEET_SRTPCTX_H

#include <stddef.h>
#include <stdint.h>

enum srtpctx_profile {
	SRTPCTX_AEAD_AES_128_GCM,		/* RFC 7714: node to node */
	SRTPCTX_AES_CM_128_HMAC_SHA1_80		/* RFC 3711: plain RTP */
};

/* Which packets a context is for. */
enum srtpctx_dir {
	SRTPCTX_OUT,		/* protect, one SSRC */
	SRTPCTX_IN,		/* unprotect, one SSRC */
	SRTPCTX_IN_ANY		/* unprotect, up to SRTPCTX_ANY_MAX SSRCs */
};

#define SRTPCTX_KEY_MAX		30	/* master key and salt, longest */
#define SRTPCTX_KEY_B64_MAX	40	/* its base64, without the NUL */
#define SRTPCTX_ANY_MAX		8	/* SSRCs of an SRTPCTX_IN_ANY */
/* The most protect adds: the tag, and for SRTCP the E flag and index. */
#define SRTPCTX_TRAILER_MAX	20

/*
 * What the packet functions return: 0, or one of these (srtpctx_strerror
 * names them), distinct so that callers count drops by reason.
 */
#define SRTPCTX_ERR_AUTH	-1	/* authentication failed */
#define SRTPCTX_ERR_REPLAY	-2	/* an index seen before, or too old */
#define SRTPCTX_ERR_MALFORMED	-3	/* too short or not RTP/RTCP */
#define SRTPCTX_ERR_SSRC	-4	/* an SSRC this context is not for */
#define SRTPCTX_ERR_ROOM	-5	/* no room in the buffer for the tag */
#define SRTPCTX_ERR_ALIGN	-6	/* the packet is not 32-bit aligned */
#define SRTPCTX_ERR_FAIL	-7	/* libsrtp failed otherwise */

/*
 * A master key and salt, back to back as SDES and libsrtp take them; len
 * is srtpctx_key_len(profile).  This is what a sending node hands its
 * stream's receivers over the TLS link.
 */
struct srtpctx_key {
	enum srtpctx_profile	 profile;
	uint8_t			 key[SRTPCTX_KEY_MAX];
	size_t			 len;
};

struct srtpctx;

size_t		 srtpctx_key_len(enum srtpctx_profile);
/* "AEAD_AES_128_GCM" or "AES_CM_128_HMAC_SHA1_80", as SDP names them. */
const char	*srtpctx_suite(enum srtpctx_profile);
/* A fresh key from the system's CSPRNG. */
void		 srtpctx_key_make(struct srtpctx_key *, enum srtpctx_profile);
/* A key from len bytes (off the link): 0, or -1 when len is wrong. */
int		 srtpctx_key_set(struct srtpctx_key *, enum srtpctx_profile,
		     const uint8_t *, size_t);
void		 srtpctx_key_clear(struct srtpctx_key *);
int		 srtpctx_key_derive(struct srtpctx_key *, enum srtpctx_profile,
		     const uint8_t *, size_t, uint32_t);
/*
 * The key as SDES's inline: base64 (RFC 4648, with padding) into buf of
 * at least SRTPCTX_KEY_B64_MAX + 1 bytes; and back: 0, or -1 when the
 * text is not the base64 of a key of that profile.
 */
void		 srtpctx_key_base64(const struct srtpctx_key *, char *);
int		 srtpctx_key_from_base64(struct srtpctx_key *,
		     enum srtpctx_profile, const char *);

/*
 * A context for the key and SSRC (ignored for SRTPCTX_IN_ANY, which takes
 * each SSRC whose first packet authenticates, up to SRTPCTX_ANY_MAX);
 * NULL and *cause when libsrtp refuses.  The context keeps no pointer to
 * the key.
 */
struct srtpctx	*srtpctx_new(const struct srtpctx_key *, enum srtpctx_dir,
		     uint32_t, char **);
void		 srtpctx_free(struct srtpctx *);
/*
 * The rollover counter (SRTPCTX_OUT and SRTPCTX_IN only).  srtpctx_roc
 * gives the ROC and sequence number of the highest packet taken so far (0
 * and 0 before any), which is what a receiver joining later is given;
 * srtpctx_set_roc, before the first packet, says the sender was there: a
 * first packet whose sequence number is far below it (more than 32768) is
 * taken as after a wrap, one far above as from before it.
 */
int		 srtpctx_roc(struct srtpctx *, uint32_t *, uint16_t *);
int		 srtpctx_set_roc(struct srtpctx *, uint32_t, uint16_t);

/*
 * In place: protect the packet of *len bytes in buf, which has room for
 * size, and set *len to the protected length; unprotect the packet of *len
 * bytes and set *len to what is left of it.  0 or an SRTPCTX_ERR_* code;
 * on an error the buffer holds nothing to use.
 */
int		 srtpctx_protect(struct srtpctx *, uint8_t *, size_t *,
		     size_t);
int		 srtpctx_unprotect(struct srtpctx *, uint8_t *, size_t *);
int		 srtpctx_protect_rtcp(struct srtpctx *, uint8_t *, size_t *,
		     size_t);
int		 srtpctx_unprotect_rtcp(struct srtpctx *, uint8_t *, size_t *);
const char	*srtpctx_strerror(int);

#endif
