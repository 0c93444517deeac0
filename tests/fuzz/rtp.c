/*
 * Fuzzing the RTP reader (lib/rtp.c): the input is a series of packets,
 * each a 16-bit length, a 32-bit arrival time and the packet.  Each one is
 * parsed; what parses is written again and must parse back the same, and
 * is accounted to its source as a receiver does (sequence numbers, loss,
 * jitter), whatever order and numbers the input gives.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rtp.h"

#define FUZZ_RTP_MAX	2048

static void	rtp_round_trip(const struct rtp_header *);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
rtp_round_trip(const struct rtp_header *h)
{
	uint8_t			buf[FUZZ_RTP_MAX + 512];
	struct rtp_header	back;
	size_t			len;

	len = rtp_write(buf, sizeof buf, h);
	if (len == 0) {
		/* Refused only for a marked payload type RTCP would take. */
		if (!(h->marker && h->pt >= 64 && h->pt <= 95))
			abort();
		return;
	}
	if (len != h->header_len + h->payload_len + h->pad_len)
		abort();
	if (rtp_parse(buf, len, &back) != 0)
		abort();
	if (back.seq != h->seq || back.ts != h->ts || back.ssrc != h->ssrc ||
	    back.pt != h->pt || back.marker != h->marker ||
	    back.cc != h->cc || back.ext_len != h->ext_len ||
	    back.payload_len != h->payload_len ||
	    back.pad_len != h->pad_len ||
	    memcmp(back.csrc, h->csrc, sizeof h->csrc) != 0 ||
	    (h->ext_len > 0 && memcmp(back.ext, h->ext, h->ext_len) != 0) ||
	    (h->payload_len > 0 &&
	    memcmp(back.payload, h->payload, h->payload_len) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input	 in;
	struct rtp_header	 h;
	struct rtp_source	 src;
	const uint8_t		*p;
	size_t			 len;
	uint32_t		 arrival;
	int			 started = 0, error;

	fuzz_input_init(&in, data, size);
	while (in.left > 0) {
		len = fuzz_u16(&in) % FUZZ_RTP_MAX;
		arrival = fuzz_u32(&in);
		p = fuzz_bytes(&in, len, &len);
		(void)rtp_is_rtcp(p, len);
		error = rtp_parse(p, len, &h);
		if (rtp_strerror(error) == NULL)
			abort();
		if (error != 0)
			continue;
		if (h.header_len + h.payload_len + h.pad_len != len)
			abort();
		rtp_round_trip(&h);
		if (!started) {
			rtp_source_init(&src, h.ssrc);
			started = 1;
		}
		(void)rtp_source_update(&src, &h, arrival);
		(void)rtp_source_ext_max(&src);
		(void)rtp_source_expected(&src);
		(void)rtp_source_lost(&src);
		(void)rtp_source_fraction(&src);
		(void)rtp_source_jitter(&src);
	}
	return 0;
}
