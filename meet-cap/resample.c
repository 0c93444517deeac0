/*
 * Rate conversion and channel mixing for the audio sources whose device or
 * file differs from -r and -c: S16 interleaved in, S16 interleaved out,
 * through libswresample with its default (standard downmix) matrix.
 */
#include <stdlib.h>

#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "cap.h"
#include "xmalloc.h"

struct resampler {
	SwrContext	*swr;
	int		 inrate;
	int		 outrate;
	int		 outch;
	int16_t		*out;		/* owned; converted frames */
	size_t		 outsize;	/* in frames */
};

/* A converter from inrate/inch to outrate/outch; NULL and *cause on error. */
struct resampler *
resampler_new(int inrate, int inch, int outrate, int outch, char **cause)
{
	struct resampler	*rs;
	AVChannelLayout		 inl, outl;
	char			 err[AV_ERROR_MAX_STRING_SIZE];
	int			 r;

	rs = xcalloc(1, sizeof *rs);
	rs->inrate = inrate;
	rs->outrate = outrate;
	rs->outch = outch;
	av_channel_layout_default(&inl, inch);
	av_channel_layout_default(&outl, outch);
	r = swr_alloc_set_opts2(&rs->swr, &outl, AV_SAMPLE_FMT_S16, outrate,
	    &inl, AV_SAMPLE_FMT_S16, inrate, 0, NULL);
	if (r >= 0)
		r = swr_init(rs->swr);
	av_channel_layout_uninit(&inl);
	av_channel_layout_uninit(&outl);
	if (r < 0) {
		av_strerror(r, err, sizeof err);
		xasprintf(cause, "converting %d Hz %d ch to %d Hz %d ch: %s",
		    inrate, inch, outrate, outch, err);
		goto out;
	}
	return rs;
out:
	resampler_free(rs);
	return NULL;
}

/*
 * Convert n input frames (n 0 and in NULL: flush what is held back).  *out
 * points into the resampler's buffer until the next call; the number of
 * output frames, or -1.
 */
long
resampler_convert(struct resampler *rs, const int16_t *in, size_t n,
    const int16_t **out)
{
	const uint8_t	*inp[1];
	uint8_t		*outp[1];
	int64_t		 want;
	int		 r;

	want = swr_get_delay(rs->swr, rs->inrate) + (int64_t)n;
	want = want * rs->outrate / rs->inrate + 16;
	if ((size_t)want > rs->outsize) {
		rs->out = xreallocarray(rs->out, want,
		    rs->outch * sizeof *rs->out);
		rs->outsize = want;
	}
	inp[0] = (const uint8_t *)in;
	outp[0] = (uint8_t *)rs->out;
	r = swr_convert(rs->swr, outp, (int)rs->outsize,
	    in != NULL ? inp : NULL, (int)n);
	if (r < 0)
		return -1;
	*out = rs->out;
	return r;
}

void
resampler_free(struct resampler *rs)
{
	if (rs == NULL)
		return;
	swr_free(&rs->swr);
	free(rs->out);
	free(rs);
}
