/*
 * Fuzzing the RFC 2435 depacketizer (lib/rfc2435.c) as a receiver meets
 * it: the input is a byte for the frame size limit, one for the payload
 * size frames are cut into again, then a series of packets, each a
 * 16-bit length, the RTP timestamp, sequence number and marker bit, and
 * the payload.  Every frame it rebuilds that jpeg_rtp_info takes is
 * packetized again and must come back the same, and the counters must
 * add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rfc2435.h"

#define FUZZ_PAYLOAD_MAX	4096

/* A second depacketizer, fed what the packetizer makes of a frame. */
struct repack {
	struct rfc2435_depack	*d;
	uint16_t		 seq;
	const uint8_t		*want;
	size_t			 want_len;
	int			 frames;
};

static void	depack_frame(const uint8_t *, size_t, void *);
static void	repack_emit(const uint8_t *, size_t, int, void *);
static void	repack_frame(const uint8_t *, size_t, void *);
static void	depack_check_stats(const struct rfc2435_stats *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
repack_frame(const uint8_t *p, size_t len, void *arg)
{
	struct repack	*r = arg;

	if (len != r->want_len || memcmp(p, r->want, len) != 0)
		abort();
	r->frames++;
}

static void
repack_emit(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct repack	*r = arg;

	if (rfc2435_depack_push(r->d, p, len, 1000, r->seq++, marker,
	    repack_frame, r) != 0)
		abort();
}

/* A frame out of the depacketizer: if it can travel, it travels back. */
static void
depack_frame(const uint8_t *p, size_t len, void *arg)
{
	struct jpeg_rtp_info	 info;
	struct repack		 r;
	char			 err[256];
	size_t			 max = *(size_t *)arg;

	if (len < 4 || p[0] != 0xff || p[1] != 0xd8 || p[len - 2] != 0xff ||
	    p[len - 1] != 0xd9)
		abort();
	if (jpeg_rtp_info(p, len, &info, err, sizeof err) != 0)
		return;
	/*
	 * The payloads may hold an EOI of their own: the image is then read
	 * to there, as a decoder reads it, and what travels is that much.
	 */
	memset(&r, 0, sizeof r);
	r.d = rfc2435_depack_new(info.scan_len);
	r.want = p;
	r.want_len = (size_t)(info.scan - p) + info.scan_len + 2;
	if (rfc2435_packetize(&info, max, repack_emit, &r) < 0 ||
	    r.frames != 1)
		abort();
	rfc2435_depack_free(r.d);
}

static void
depack_check_stats(const struct rfc2435_stats *st)
{
	if (st->frames_dropped != st->drop_no_first + st->drop_no_last +
	    st->drop_gap + st->drop_too_large + st->drop_mismatch +
	    st->drop_no_tables)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct rfc2435_depack	*d;
	const uint8_t		*p;
	size_t			 len, max;
	uint32_t		 ts;
	uint16_t		 seq;
	int			 marker;

	fuzz_input_init(&in, data, size);
	d = rfc2435_depack_new(((size_t)fuzz_u8(&in) + 1) * 1024);
	max = RFC2435_MIN_PAYLOAD + fuzz_u8(&in) * 16;
	while (in.left > 0) {
		len = fuzz_u16(&in) % FUZZ_PAYLOAD_MAX;
		ts = fuzz_u32(&in);
		seq = fuzz_u16(&in);
		marker = fuzz_u8(&in) & 1;
		p = fuzz_bytes(&in, len, &len);
		(void)rfc2435_depack_push(d, p, len, ts, seq, marker,
		    depack_frame, &max);
		depack_check_stats(rfc2435_depack_stats(d));
	}
	rfc2435_depack_free(d);
	return 0;
}
