/*
 * Making the smaller layers of a camera image with TurboJPEG.
 *
 * Each layer is one scaled decode and one encode: TurboJPEG's decoder
 * scales by 1/2, 1/4 or 1/8 inside its inverse DCT (it computes only the
 * low frequencies, so a smaller layer decodes faster than the full image),
 * and decoding to YUV planes leaves out the colour conversion both ways:
 * the planes go to the encoder as they came, in the image's own
 * subsampling (4:2:0 or 4:2:2, the two RFC 2435 carries).  A side that is
 * no multiple of 8 after scaling is cropped by pointing the encoder into
 * the planes, which costs nothing.
 *
 * TurboJPEG writes the Annex K Huffman tables and no restart markers unless
 * TJ_OPTIMIZE or TJ_RESTART is set in the environment, so every layer made
 * is checked with jpeg_rtp_info before it is handed out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <turbojpeg.h>

#include "jpeglayers.h"
#include "rfc2435.h"
#include "xmalloc.h"

/* A layer's encoder output, grown to the largest image it has held. */
struct jpeglayers_out {
	unsigned char	*buf;	/* tjAlloc'd */
	unsigned long	 size;
};

struct jpeglayers {
	tjhandle		 dec;
	tjhandle		 enc;
	int			 quality[JPEGLAYERS_MAX];
	uint8_t			*planes;	/* one decode at a time */
	size_t			 planes_size;
	struct jpeglayers_out	 out[JPEGLAYERS_MAX];
	struct jpeglayers_stats	 stats;
};

/* Where a scaled image is cropped to the size of its layer. */
struct jpeglayers_crop {
	int	sw, sh;		/* as decoded */
	int	w, h;		/* as sent: multiples of 8 */
	int	x, y;		/* luma offsets, even */
};

static int	layers_default_quality(int);
static int	layers_side(int, int);
static int	layers_scaled(struct jpeglayers *, const uint8_t *, size_t,
		    const struct jpeg_rtp_info *, unsigned int,
		    struct jpeglayer *, char *, size_t);
static int	layers_one(struct jpeglayers *, const uint8_t *, size_t, int,
		    int, int, int, struct jpeglayer *, char *, size_t);
static void	layers_planes(struct jpeglayers *, int, int, int, int *,
		    uint8_t **);
static int	layers_encode(struct jpeglayers *, int, uint8_t **,
		    const int *, const struct jpeglayers_crop *, int,
		    struct jpeglayer *, char *, size_t);
static uint64_t	layers_usec(void);

struct jpeglayers *
jpeglayers_new(const int *quality, char *err, size_t errlen)
{
	struct jpeglayers	*jl;
	int			 i, q;

	jl = xcalloc(1, sizeof *jl);
	for (i = 1; i < JPEGLAYERS_MAX; i++) {
		q = quality != NULL ? quality[i] : layers_default_quality(i);
		if (q < 1 || q > 100) {
			snprintf(err, errlen, "layer %d: quality %d not "
			    "between 1 and 100", i, q);
			goto fail;
		}
		jl->quality[i] = q;
	}
	if ((jl->dec = tjInitDecompress()) == NULL ||
	    (jl->enc = tjInitCompress()) == NULL) {
		snprintf(err, errlen, "TurboJPEG: %s", tjGetErrorStr2(NULL));
		goto fail;
	}
	return jl;

fail:
	jpeglayers_free(jl);
	return NULL;
}

void
jpeglayers_free(struct jpeglayers *jl)
{
	int	i;

	if (jl == NULL)
		return;
	if (jl->dec != NULL)
		tjDestroy(jl->dec);
	if (jl->enc != NULL)
		tjDestroy(jl->enc);
	for (i = 0; i < JPEGLAYERS_MAX; i++)
		tjFree(jl->out[i].buf);
	free(jl->planes);
	free(jl);
}

static int
layers_default_quality(int i)
{
	switch (i) {
	case 1:
		return JPEGLAYERS_QUALITY_HALF;
	case 2:
		return JPEGLAYERS_QUALITY_QUARTER;
	default:
		return JPEGLAYERS_QUALITY_EIGHTH;
	}
}

/*
 * One side of layer i: TurboJPEG's scaled side (rounded up, as TJSCALED
 * does), then down to a multiple of 8; -1 when under the least.
 */
static int
layers_side(int side, int i)
{
	int	denom = 1 << i, v;

	v = (side + denom - 1) / denom;
	v -= v % 8;
	if (v < JPEGLAYERS_MIN_SIDE)
		return -1;
	return v;
}

int
jpeglayers_size(int w, int h, int i, int *lw, int *lh)
{
	if (i < 0 || i >= JPEGLAYERS_MAX || w <= 0 || h <= 0 ||
	    w > RFC2435_MAX_DIM || h > RFC2435_MAX_DIM)
		return -1;
	/* Layer 0 is sent as it is: only what RFC 2435 carries. */
	if (i == 0 && (w % 8 != 0 || h % 8 != 0))
		return -1;
	if ((*lw = layers_side(w, i)) == -1 || (*lh = layers_side(h, i)) == -1)
		return -1;
	return 0;
}

unsigned int
jpeglayers_ladder(int w, int h, int floor_height)
{
	unsigned int	mask = 0;
	int		i, lw, lh;

	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if (jpeglayers_size(w, h, i, &lw, &lh) != 0)
			break;
		mask |= JPEGLAYERS_BIT(i);
		if (lh <= floor_height)
			break;
	}
	return mask;
}

int
jpeglayers_make(struct jpeglayers *jl, const uint8_t *jpeg, size_t len,
    unsigned int mask, struct jpeglayer *out, char *err, size_t errlen)
{
	struct jpeg_rtp_info	 info;
	int			 i, made = 0;
	char			 why[128];

	memset(out, 0, JPEGLAYERS_MAX * sizeof *out);
	if (len > 0xffffffffUL) {
		snprintf(err, errlen, "image of %zu bytes", len);
		jl->stats.failed++;
		return -1;
	}
	if (jpeg_rtp_info(jpeg, len, &info, why, sizeof why) != 0) {
		snprintf(err, errlen, "not for RFC 2435: %s", why);
		jl->stats.failed++;
		return -1;
	}
	for (i = 0; i < JPEGLAYERS_MAX; i++) {
		if (jpeglayers_size(info.width, info.height, i, &out[i].width,
		    &out[i].height) != 0)
			out[i].width = out[i].height = 0;
	}
	if ((mask & JPEGLAYERS_ALL & ~JPEGLAYERS_BIT(0)) != 0 &&
	    (made = layers_scaled(jl, jpeg, len, &info, mask, out, err,
	    errlen)) < 0) {
		for (i = 0; i < JPEGLAYERS_MAX; i++) {
			out[i].made = 0;
			out[i].jpeg = NULL;
			out[i].len = 0;
		}
		jl->stats.failed++;
		return -1;
	}
	if (mask & JPEGLAYERS_BIT(0)) {
		out[0].made = 1;
		out[0].jpeg = jpeg;
		out[0].len = len;
		jl->stats.made[0]++;
		jl->stats.bytes[0] += len;
		made |= JPEGLAYERS_BIT(0);
	}
	return made;
}

/* The layers of mask below the first: their mask, or -1. */
static int
layers_scaled(struct jpeglayers *jl, const uint8_t *jpeg, size_t len,
    const struct jpeg_rtp_info *info, unsigned int mask,
    struct jpeglayer *out, char *err, size_t errlen)
{
	uint64_t	start;
	int		i, w = 0, h = 0, subsamp, cs, made = 0;

	if (tjDecompressHeader3(jl->dec, jpeg, (unsigned long)len, &w, &h,
	    &subsamp, &cs) != 0) {
		snprintf(err, errlen, "TurboJPEG: %s", tjGetErrorStr2(jl->dec));
		return -1;
	}
	/* jpeg_rtp_info has checked both; TurboJPEG must agree. */
	if (w != info->width || h != info->height ||
	    (subsamp != TJSAMP_420 && subsamp != TJSAMP_422)) {
		snprintf(err, errlen, "TurboJPEG reads %dx%d, subsampling %d",
		    w, h, subsamp);
		return -1;
	}
	for (i = 1; i < JPEGLAYERS_MAX; i++) {
		if ((mask & JPEGLAYERS_BIT(i)) == 0)
			continue;
		start = layers_usec();
		switch (layers_one(jl, jpeg, len, w, h, subsamp, i, &out[i],
		    err, errlen)) {
		case -1:
			return -1;
		case 0:
			jl->stats.made[i]++;
			jl->stats.usec[i] += layers_usec() - start;
			jl->stats.bytes[i] += out[i].len;
			made |= JPEGLAYERS_BIT(i);
			break;
		}
	}
	return made;
}

/* Layer i: 0 when made, 1 when it cannot exist, -1 on failure. */
static int
layers_one(struct jpeglayers *jl, const uint8_t *jpeg, size_t len, int w,
    int h, int subsamp, int i, struct jpeglayer *out, char *err,
    size_t errlen)
{
	struct jpeglayers_crop	 c;
	tjscalingfactor		 sf;
	uint8_t			*planes[3];
	int			 strides[3];

	if (jpeglayers_size(w, h, i, &c.w, &c.h) != 0)
		return 1;
	sf.num = 1;
	sf.denom = 1 << i;
	c.sw = TJSCALED(w, sf);
	c.sh = TJSCALED(h, sf);
	/* Even offsets keep the chroma planes aligned with the luma. */
	c.x = ((c.sw - c.w) / 2) & ~1;
	c.y = ((c.sh - c.h) / 2) & ~1;

	layers_planes(jl, c.sw, c.sh, subsamp, strides, planes);
	/*
	 * A warning (a scan cut short, say) still leaves a whole image, grey
	 * where data was missing, as the full layer shows it.  No
	 * TJFLAG_FASTDCT here: at 1/2, libjpeg-turbo decodes the chroma of
	 * 4:2:0 with the full 8x8 inverse DCT (it needs no upsampling then),
	 * and its fast 8x8 one gives colours far off in that case (2.1.5);
	 * the reduced ones ignore the flag.
	 */
	if (tjDecompressToYUVPlanes(jl->dec, jpeg, (unsigned long)len, planes,
	    c.sw, strides, c.sh, 0) != 0 &&
	    tjGetErrorCode(jl->dec) != TJERR_WARNING) {
		snprintf(err, errlen, "layer %d: decoding: %s", i,
		    tjGetErrorStr2(jl->dec));
		return -1;
	}
	return layers_encode(jl, i, planes, strides, &c, subsamp, out, err,
	    errlen);
}

/* The planes of an sw x sh decode, in one buffer grown as needed. */
static void
layers_planes(struct jpeglayers *jl, int sw, int sh, int subsamp,
    int *strides, uint8_t **planes)
{
	size_t	need = 0, off[3];
	int	c;

	for (c = 0; c < 3; c++) {
		strides[c] = tjPlaneWidth(c, sw, subsamp);
		off[c] = need;
		need += tjPlaneSizeYUV(c, sw, strides[c], sh, subsamp);
	}
	if (need > jl->planes_size) {
		free(jl->planes);
		jl->planes = xmalloc(need);
		jl->planes_size = need;
	}
	for (c = 0; c < 3; c++)
		planes[c] = jl->planes + off[c];
}

/* Encode the cropped planes as layer i and check RFC 2435 carries it. */
static int
layers_encode(struct jpeglayers *jl, int i, uint8_t **planes,
    const int *strides, const struct jpeglayers_crop *c, int subsamp,
    struct jpeglayer *out, char *err, size_t errlen)
{
	struct jpeglayers_out	*o = &jl->out[i];
	struct jpeg_rtp_info	 info;
	const unsigned char	*src[3];
	unsigned long		 need, size;
	int			 cy;
	char			 why[128];

	/* Chroma rows are halved in 4:2:0 only; columns in both. */
	cy = subsamp == TJSAMP_420 ? c->y / 2 : c->y;
	src[0] = planes[0] + (size_t)c->y * strides[0] + c->x;
	src[1] = planes[1] + (size_t)cy * strides[1] + c->x / 2;
	src[2] = planes[2] + (size_t)cy * strides[2] + c->x / 2;

	need = tjBufSize(c->w, c->h, subsamp);
	if (need > o->size) {
		tjFree(o->buf);
		if ((o->buf = tjAlloc(need)) == NULL) {
			o->size = 0;
			snprintf(err, errlen, "layer %d: out of memory", i);
			return -1;
		}
		o->size = need;
	}
	size = o->size;
	if (tjCompressFromYUVPlanes(jl->enc, src, c->w, strides, c->h,
	    subsamp, &o->buf, &size, jl->quality[i],
	    TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0) {
		snprintf(err, errlen, "layer %d: encoding: %s", i,
		    tjGetErrorStr2(jl->enc));
		return -1;
	}
	if (jpeg_rtp_info(o->buf, size, &info, why, sizeof why) != 0) {
		snprintf(err, errlen, "layer %d: not for RFC 2435: %s", i, why);
		return -1;
	}
	out->made = 1;
	out->width = c->w;
	out->height = c->h;
	out->jpeg = o->buf;
	out->len = size;
	return 0;
}

const struct jpeglayers_stats *
jpeglayers_stats(const struct jpeglayers *jl)
{
	return &jl->stats;
}

static uint64_t
layers_usec(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
