/*
 * Fuzzing what a member's node opens of end-to-end encrypted rooms
 * (lib/e2ee-frame.c, lib/e2ee.c): the input is a series of pieces, each a
 * selector byte, a 16-bit length and the bytes.  Each is taken, as the
 * selector says, as a frame to open with the audio, video or chat
 * metadata, a shared file (preamble and chunks, cut where the chunk
 * lengths say), or a sealed epoch salt.  One keyring, new for each input,
 * holds the frames' windows across its pieces.  Every result must be one
 * that e2ee_strerror names; what parses as a header must encode back to
 * the same bytes; what opens must be shorter than what was opened, by the
 * header and tag.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "e2ee.h"
#include "fuzz.h"

#define FUZZ_E2EE_MAX	(3 * E2EE_FILE_SEALED_MAX)
#define FUZZ_E2EE_SENDERS 3
#define FUZZ_E2EE_EPOCHS 2

static struct e2ee_keyring	*fuzz_kr;
static struct e2ee_member_key	 fuzz_mk;
static uint8_t			 fuzz_out[FUZZ_E2EE_MAX];

static struct e2ee_keyring *e2ee_keyring_fixed(void);
static void	e2ee_check(int);
static void	e2ee_header(const uint8_t *, size_t);
static void	e2ee_frame(int, const uint8_t *, size_t);
static void	e2ee_file(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	e2ee_member_key_make(&fuzz_mk);
	return 0;
}

/*
 * The keys are fixed, so that seeds made with them (senders 1 to 3,
 * epochs 1 and 2, each epoch's secret 32 bytes of its number) open.
 */
static struct e2ee_keyring *
e2ee_keyring_fixed(void)
{
	struct e2ee_keyring	*kr;
	uint8_t			 secret[E2EE_SECRET_LEN];
	uint32_t		 i;

	kr = e2ee_keyring_new(FUZZ_E2EE_EPOCHS);
	for (i = 1; i <= FUZZ_E2EE_EPOCHS; i++) {
		memset(secret, (int)i, sizeof secret);
		e2ee_keyring_add_epoch(kr, i, secret);
	}
	for (i = 1; i <= FUZZ_E2EE_SENDERS; i++)
		e2ee_keyring_add_sender(kr, i);
	return kr;
}

static void
e2ee_check(int r)
{
	if (strcmp(e2ee_strerror(r), "unknown error") == 0)
		abort();
}

static void
e2ee_header(const uint8_t *p, size_t len)
{
	uint8_t		buf[E2EE_HEADER_MAX];
	uint64_t	kid, ctr;
	int		hl;

	hl = e2ee_header_decode(p, len, &kid, &ctr);
	if (hl < 0) {
		e2ee_check(hl);
		return;
	}
	if ((size_t)hl > len || (size_t)hl > E2EE_HEADER_MAX ||
	    e2ee_header_encode(kid, ctr, buf) != (size_t)hl ||
	    memcmp(buf, p, (size_t)hl) != 0)
		abort();
}

static void
e2ee_frame(int kind, const uint8_t *p, size_t len)
{
	struct e2ee_opened	 info;
	uint8_t			 meta[E2EE_META_MAX];
	size_t			 mlen, olen = 0;
	int			 r;

	switch (kind) {
	case 0:
		mlen = e2ee_meta_audio(meta, sizeof meta, 0x85);
		break;
	case 1:
		mlen = e2ee_meta_video(meta, sizeof meta, E2EE_STREAM_VIDEO,
		    0);
		break;
	default:
		mlen = e2ee_meta_chat(meta, sizeof meta, "chat", "fuzz");
		break;
	}
	r = e2ee_open(fuzz_kr, meta, mlen, p, len, fuzz_out, sizeof fuzz_out,
	    &olen, &info);
	e2ee_check(r);
	/* At least a config byte and the tag were taken off. */
	if (r == 0 && olen + 1 + E2EE_TAG_LEN > len)
		abort();
}

/* A whole sealed file, as a fetching node reads it. */
static void
e2ee_file(const uint8_t *p, size_t len)
{
	struct e2ee_file	 f;
	struct e2ee_opened	 info;
	size_t			 off, clen, n;
	int			 r, last;

	if ((r = e2ee_file_open_begin(&f, "fuzz", p, len)) != 0) {
		e2ee_check(r);
		return;
	}
	off = E2EE_FILE_PREAMBLE;
	while (off < len) {
		r = e2ee_file_chunk_len(p + off, len - off > E2EE_HEADER_MAX ?
		    E2EE_HEADER_MAX : len - off, len - off, &clen, &last);
		if (r == 0 && (clen == 0 || clen > len - off))
			abort();
		if (r == 0)
			r = e2ee_file_open_chunk(&f, fuzz_kr, p + off, clen,
			    last, fuzz_out, E2EE_FILE_CHUNK, &n, &info);
		e2ee_check(r);
		if (r != 0)
			return;
		if (n > E2EE_FILE_CHUNK)
			abort();
		off += clen;
	}
	e2ee_check(e2ee_file_open_end(&f));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	const uint8_t		*p;
	uint8_t			 salt[E2EE_SALT_LEN];
	uint32_t		 epoch;
	size_t			 len;
	int			 sel;

	fuzz_kr = e2ee_keyring_fixed();
	fuzz_input_init(&in, data, size);
	while (in.left > 0) {
		sel = fuzz_u8(&in) % 5;
		len = fuzz_u16(&in);
		if (sel == 3)
			len = (len << 2) % FUZZ_E2EE_MAX;
		p = fuzz_bytes(&in, len, &len);
		e2ee_header(p, len);
		switch (sel) {
		case 0:
		case 1:
		case 2:
			e2ee_frame(sel, p, len);
			break;
		case 3:
			e2ee_file(p, len);
			break;
		default:
			e2ee_check(e2ee_salt_open(p, len, &fuzz_mk,
			    fuzz_mk.pk, &epoch, salt));
			break;
		}
	}
	e2ee_keyring_free(fuzz_kr);
	fuzz_kr = NULL;
	return 0;
}
