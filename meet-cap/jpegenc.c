/*
 * JPEG encoding for meet-cap: baseline, 4:2:0, standard Huffman tables, from
 * Y, U and V planes, which is what RFC 2435 can carry and what the test
 * pattern and the V4L2 YUYV and NV12 paths produce.
 */
#include <stdlib.h>

#include <turbojpeg.h>

#include "cap.h"
#include "xmalloc.h"

struct jpegenc {
	tjhandle	 tj;
	int		 width;
	int		 height;
	int		 quality;
	unsigned char	*buf;	/* owned; sized for the worst case */
	unsigned long	 size;
};

/* An encoder for w x h images at quality q; NULL and *cause on error. */
struct jpegenc *
jpegenc_new(int w, int h, int q, char **cause)
{
	struct jpegenc	*enc;

	enc = xcalloc(1, sizeof *enc);
	enc->width = w;
	enc->height = h;
	enc->quality = q;
	if ((enc->tj = tjInitCompress()) == NULL) {
		xasprintf(cause, "TurboJPEG: %s", tjGetErrorStr2(NULL));
		goto out;
	}
	enc->size = tjBufSize(w, h, TJSAMP_420);
	if (enc->size == (unsigned long)-1) {
		xasprintf(cause, "TurboJPEG: %dx%d: %s", w, h,
		    tjGetErrorStr2(enc->tj));
		goto out;
	}
	enc->buf = tjAlloc(enc->size);
	if (enc->buf == NULL) {
		xasprintf(cause, "TurboJPEG: out of memory");
		goto out;
	}
	return enc;
out:
	jpegenc_free(enc);
	return NULL;
}

/*
 * Encode one image.  The frame points into the encoder's buffer and is valid
 * until the next call.  TJFLAG_NOREALLOC keeps the one buffer sized by
 * tjBufSize; optimised Huffman tables and progressive mode are never asked
 * for, so the tables are the standard ones RFC 2435 assumes.
 */
int
jpegenc_planes(struct jpegenc *enc, const uint8_t *planes[3],
    const int strides[3], struct cap_frame *f, char **cause)
{
	unsigned long	len = enc->size;

	if (tjCompressFromYUVPlanes(enc->tj, planes, enc->width, strides,
	    enc->height, TJSAMP_420, &enc->buf, &len, enc->quality,
	    TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
		xasprintf(cause, "TurboJPEG: %s", tjGetErrorStr2(enc->tj));
		return -1;
	}
	f->data = enc->buf;
	f->len = len;
	return 0;
}

void
jpegenc_free(struct jpegenc *enc)
{
	if (enc == NULL)
		return;
	if (enc->tj != NULL)
		tjDestroy(enc->tj);
	tjFree(enc->buf);
	free(enc);
}
