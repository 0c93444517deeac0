/*
 * Re-encoding JPEGs for RFC 2435 with TurboJPEG.
 *
 * The image is decoded to RGB (TurboJPEG's own scaling takes it down by
 * eighths first when it is far too large), resampled to the target size by
 * area averaging when the sides must change, and encoded as baseline 4:2:0.
 * TurboJPEG writes the Annex K Huffman tables unless TJ_OPTIMIZE is set in
 * the environment, and restart markers only when TJ_RESTART is, so the
 * result is checked with jpeg_rtp_info before it is handed out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <turbojpeg.h>

#include "jpeg-normalize.h"
#include "rfc2435.h"
#include "xmalloc.h"

static void	normalize_size(int, int, int *, int *);
static int	normalize_side(double);
static void	normalize_scaling(int, int, int, int, int *, int *);
static uint8_t	*normalize_resample(const uint8_t *, int, int, int, int);
static void	resample_line(const uint8_t *, size_t, int, uint8_t *, size_t,
		    int);
static uint8_t	*normalize_encode(const uint8_t *, int, int, int, size_t *,
		    char *, size_t);

uint8_t *
jpeg_normalize(const uint8_t *p, size_t len, int quality, size_t *outlen,
    char *err, size_t errlen)
{
	tjhandle	 tj;
	uint8_t		*rgb = NULL, *scaled, *out = NULL;
	int		 w = 0, h = 0, samp, cs, tw, th, dw, dh;

	if (quality < 1 || quality > 100) {
		snprintf(err, errlen, "quality %d not between 1 and 100",
		    quality);
		return NULL;
	}
	if ((tj = tjInitDecompress()) == NULL) {
		snprintf(err, errlen, "TurboJPEG: %s", tjGetErrorStr2(NULL));
		return NULL;
	}
	if (len == 0 || len > 0xffffffffUL ||
	    tjDecompressHeader3(tj, p, (unsigned long)len, &w, &h, &samp,
	    &cs) != 0) {
		snprintf(err, errlen, "not a JPEG: %s", len == 0 ? "empty" :
		    tjGetErrorStr2(tj));
		goto out;
	}
	/* A JPEG cut short can leave TurboJPEG content with no frame. */
	if (w <= 0 || h <= 0) {
		snprintf(err, errlen, "not a JPEG: no frame header");
		goto out;
	}
	if ((uint64_t)w * (uint64_t)h > JPEG_NORMALIZE_MAX_PIXELS) {
		snprintf(err, errlen, "%dx%d: too large to re-encode", w, h);
		goto out;
	}

	normalize_size(w, h, &tw, &th);
	normalize_scaling(w, h, tw, th, &dw, &dh);
	rgb = xreallocarray(NULL, (size_t)dw * dh, 3);
	/*
	 * A warning (a truncated scan, say) still leaves a whole image, grey
	 * where data was missing; only errors are failures.
	 */
	if (tjDecompress2(tj, p, (unsigned long)len, rgb, dw, 0, dh, TJPF_RGB,
	    0) != 0 && tjGetErrorCode(tj) != TJERR_WARNING) {
		snprintf(err, errlen, "decoding: %s", tjGetErrorStr2(tj));
		goto out;
	}
	if (dw != tw || dh != th) {
		scaled = normalize_resample(rgb, dw, dh, tw, th);
		free(rgb);
		rgb = scaled;
	}
	out = normalize_encode(rgb, tw, th, quality, outlen, err, errlen);

out:
	free(rgb);
	tjDestroy(tj);
	return out;
}

/*
 * The size to send: the same when RFC 2435 allows it, else scaled to fit
 * 2040 keeping the aspect ratio, each side rounded to a multiple of 8.
 */
static void
normalize_size(int w, int h, int *tw, int *th)
{
	double	s = 1.0;

	if (w > RFC2435_MAX_DIM)
		s = (double)RFC2435_MAX_DIM / w;
	if (h * s > RFC2435_MAX_DIM)
		s = (double)RFC2435_MAX_DIM / h;
	*tw = normalize_side(w * s);
	*th = normalize_side(h * s);
}

static int
normalize_side(double x)
{
	int	v;

	v = (int)(x / 8 + 0.5) * 8;
	if (v < 8)
		v = 8;
	if (v > RFC2435_MAX_DIM)
		v = RFC2435_MAX_DIM;
	return v;
}

/*
 * The smallest size TurboJPEG can decode to that is still no smaller than the
 * target: its scaling is far cheaper than resampling at full size.
 */
static void
normalize_scaling(int w, int h, int tw, int th, int *dw, int *dh)
{
	tjscalingfactor	*sf;
	int		 n, i, sw, sh;

	*dw = w;
	*dh = h;
	if ((sf = tjGetScalingFactors(&n)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (sf[i].num > sf[i].denom)
			continue;
		sw = TJSCALED(w, sf[i]);
		sh = TJSCALED(h, sf[i]);
		if (sw >= tw && sh >= th && sw <= *dw && sh <= *dh) {
			*dw = sw;
			*dh = sh;
		}
	}
}

/* An RGB image resampled by area averaging, rows first; the caller frees. */
static uint8_t *
normalize_resample(const uint8_t *src, int sw, int sh, int dw, int dh)
{
	uint8_t	*tmp, *dst;
	int	 y, x;

	tmp = xreallocarray(NULL, (size_t)dw * sh, 3);
	for (y = 0; y < sh; y++) {
		resample_line(src + (size_t)y * sw * 3, 3, sw,
		    tmp + (size_t)y * dw * 3, 3, dw);
	}
	dst = xreallocarray(NULL, (size_t)dw * dh, 3);
	for (x = 0; x < dw; x++) {
		resample_line(tmp + (size_t)x * 3, (size_t)dw * 3, sh,
		    dst + (size_t)x * 3, (size_t)dw * 3, dh);
	}
	free(tmp);
	return dst;
}

/*
 * Resample sn RGB pixels step bytes apart into dn: each output pixel is the
 * mean of the input it covers, weighted by how much of each it covers.
 */
static void
resample_line(const uint8_t *src, size_t sstep, int sn, uint8_t *dst,
    size_t dstep, int dn)
{
	double	scale = (double)sn / dn, a, b, lo, hi, wt, sum, acc[3];
	int	x, i, c, v;

	for (x = 0; x < dn; x++) {
		a = x * scale;
		b = (x + 1) * scale;
		if (b > sn)
			b = sn;
		acc[0] = acc[1] = acc[2] = sum = 0;
		for (i = (int)a; i < sn && i < b; i++) {
			lo = i > a ? i : a;
			hi = i + 1 < b ? i + 1 : b;
			if ((wt = hi - lo) <= 0)
				continue;
			for (c = 0; c < 3; c++)
				acc[c] += wt * src[(size_t)i * sstep + c];
			sum += wt;
		}
		for (c = 0; c < 3; c++) {
			v = sum > 0 ? (int)(acc[c] / sum + 0.5) : 0;
			dst[(size_t)x * dstep + c] = v > 255 ? 255 : v;
		}
	}
}

/* Encode RGB as baseline 4:2:0 and check that RFC 2435 can carry it. */
static uint8_t *
normalize_encode(const uint8_t *rgb, int w, int h, int quality,
    size_t *outlen, char *err, size_t errlen)
{
	struct jpeg_rtp_info	 info;
	tjhandle		 tj;
	unsigned char		*buf;
	unsigned long		 size;
	char			 why[128];

	if ((tj = tjInitCompress()) == NULL) {
		snprintf(err, errlen, "TurboJPEG: %s", tjGetErrorStr2(NULL));
		return NULL;
	}
	/* Our own buffer, so that the caller frees it with free(). */
	size = tjBufSize(w, h, TJSAMP_420);
	buf = xmalloc(size);
	if (tjCompress2(tj, rgb, w, 0, h, TJPF_RGB, &buf, &size, TJSAMP_420,
	    quality, TJFLAG_NOREALLOC) != 0) {
		snprintf(err, errlen, "encoding: %s", tjGetErrorStr2(tj));
		goto fail;
	}
	if (jpeg_rtp_info(buf, size, &info, why, sizeof why) != 0) {
		snprintf(err, errlen, "re-encoded image still unsuitable: %s",
		    why);
		goto fail;
	}
	tjDestroy(tj);
	*outlen = size;
	return buf;

fail:
	free(buf);
	tjDestroy(tj);
	return NULL;
}
