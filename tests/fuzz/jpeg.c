/*
 * Fuzzing the JPEG checks and the normalizer (lib/jpeg-rtp-info.c,
 * lib/jpeg-normalize.c): the input is an image as `send -v` gets one.
 * What jpeg_rtp_info takes is packetized and must come back whole from
 * the depacketizer; what it refuses is normalized, and what the normalizer
 * makes must pass jpeg_rtp_info, as its header promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "fuzz.h"
#include "jpeg-normalize.h"
#include "rfc2435.h"

/*
 * Larger images are decoded too, but slowly: a fuzzer spends its time
 * better on headers than on megapixels of grey.
 */
#define FUZZ_JPEG_MAX_PIXELS	(4096 * 4096)

struct travel {
	struct rfc2435_depack	*d;
	uint16_t		 seq;
	int			 frames;
};

static void	jpeg_travel(const struct jpeg_rtp_info *);
static void	travel_emit(const uint8_t *, size_t, int, void *);
static void	travel_frame(const uint8_t *, size_t, void *);
static int	jpeg_small(const uint8_t *, size_t);

static tjhandle	fuzz_tj;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_tj = tjInitDecompress()) == NULL)
		abort();
	return 0;
}

static void
travel_frame(const uint8_t *p, size_t len, void *arg)
{
	struct travel		*t = arg;
	struct jpeg_rtp_info	 info;
	char			 err[256];

	/* What comes out of RFC 2435 can go in again. */
	if (jpeg_rtp_info(p, len, &info, err, sizeof err) != 0)
		abort();
	t->frames++;
}

static void
travel_emit(const uint8_t *p, size_t len, int marker, void *arg)
{
	struct travel	*t = arg;

	if (rfc2435_depack_push(t->d, p, len, 90000, t->seq++, marker,
	    travel_frame, t) != 0)
		abort();
}

static void
jpeg_travel(const struct jpeg_rtp_info *info)
{
	struct travel	t;

	memset(&t, 0, sizeof t);
	t.d = rfc2435_depack_new(info->scan_len);
	if (rfc2435_packetize(info, 1400, travel_emit, &t) <= 0 ||
	    t.frames != 1)
		abort();
	rfc2435_depack_free(t.d);
}

/* Whether the image's frame header asks for few enough pixels. */
static int
jpeg_small(const uint8_t *p, size_t len)
{
	int	w, h, samp, cs;

	if (tjDecompressHeader3(fuzz_tj, p, (unsigned long)len, &w, &h, &samp,
	    &cs) != 0)
		return 1;	/* the normalizer's to refuse */
	return (uint64_t)w * (uint64_t)h <= FUZZ_JPEG_MAX_PIXELS;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jpeg_rtp_info	 info;
	uint8_t			*out;
	size_t			 outlen;
	char			 err[256];

	if (jpeg_rtp_info(data, size, &info, err, sizeof err) == 0) {
		if (info.scan < data || info.scan + info.scan_len >
		    data + size)
			abort();
		jpeg_travel(&info);
		return 0;
	}
	if (size == 0 || !jpeg_small(data, size))
		return 0;
	out = jpeg_normalize(data, size, 1 + (int)(size % 100), &outlen, err,
	    sizeof err);
	if (out == NULL)
		return 0;
	if (jpeg_rtp_info(out, outlen, &info, err, sizeof err) != 0)
		abort();
	jpeg_travel(&info);
	free(out);
	return 0;
}
