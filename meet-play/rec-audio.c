/*
 * The mix of a recording, decoded (libavcodec: Opus, or whatever the track
 * holds) and converted (libswresample) to the format the caller asks for,
 * placed on the recording's time line from a start time on.
 *
 * The samples come out as one unbroken run from the start: what comes
 * before it is cut off to the sample, a gap in the timestamps (nobody
 * talked, so meetd sent nothing) becomes silence, and timestamps that wander
 * by less than AUDIO_SLACK (Matroska keeps milliseconds) are taken as
 * continuous.  Packets go to the decoder with their times in samples, so
 * the Opus pre-skip it cuts from the first one moves the time line by
 * exactly that (in milliseconds it would be rounded, and playing from the
 * start and from -s would differ by half a millisecond).  The caller takes
 * the samples out when it wants them.
 */
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "log.h"
#include "rec.h"
#include "xmalloc.h"

#define AUDIO_SLACK	10	/* milliseconds a timestamp may wander */
#define AUDIO_SILENCE	4800	/* samples of silence written at a time */

struct rec_audio {
	AVCodecContext		*dec;
	SwrContext		*swr;
	AVAudioFifo		*fifo;		/* placed, not yet taken */
	AVFrame			*frame;
	AVPacket		*pkt;		/* a packet, its times in samples */
	AVRational		 tb;		/* the stream's time base */

	enum AVSampleFormat	 fmt;		/* what the caller takes */
	AVChannelLayout		 layout;
	int			 rate;

	/* What swr converts from, to see when it changes. */
	int			 in_fmt;
	int			 in_rate;
	AVChannelLayout		 in_layout;

	uint8_t			*conv[AV_NUM_DATA_POINTERS];
	int			 conv_size;	/* samples conv holds */
	uint8_t			*silence[AV_NUM_DATA_POINTERS];

	int64_t			 start;		/* samples since zero */
	int64_t			 next;		/* placed since the start */
	int64_t			 taken;
	uint64_t		 bad;
};

static int	audio_convert(struct rec_audio *, AVFrame *);
static void	audio_place(struct rec_audio *, AVFrame *);
static void	audio_write(struct rec_audio *, int, int);

/*
 * A decoder for the recording's mix giving fmt at the track's rate, with at
 * most max_ch channels, from start_usec on: the caller frees it with
 * rec_audio_free.  NULL and an allocated *cause when it cannot be decoded.
 */
struct rec_audio *
rec_audio_new(const struct rec *r, enum AVSampleFormat fmt, int max_ch,
    int64_t start_usec, char **cause)
{
	struct rec_audio	*a;
	AVStream		*st = r->fmt->streams[r->mix];
	const AVCodec		*codec;
	int			 ch, err;

	a = xcalloc(1, sizeof *a);
	a->in_fmt = -1;
	if ((codec = avcodec_find_decoder(st->codecpar->codec_id)) == NULL) {
		xasprintf(cause, "%s: no decoder for the mix (%s)", r->path,
		    avcodec_get_name(st->codecpar->codec_id));
		goto fail;
	}
	if ((a->dec = avcodec_alloc_context3(codec)) == NULL ||
	    (a->frame = av_frame_alloc()) == NULL ||
	    (a->pkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	a->tb = st->time_base;
	a->fmt = fmt;
	a->rate = st->codecpar->sample_rate > 0 ?
	    st->codecpar->sample_rate : 48000;
	if ((err = avcodec_parameters_to_context(a->dec, st->codecpar)) < 0)
		goto bad;
	a->dec->pkt_timebase = (AVRational){ 1, a->rate };
	if ((err = avcodec_open2(a->dec, codec, NULL)) < 0)
		goto bad;
	ch = st->codecpar->ch_layout.nb_channels;
	if (ch <= 0)
		ch = 1;
	if (ch > max_ch)
		ch = max_ch;
	av_channel_layout_default(&a->layout, ch);
	if ((a->fifo = av_audio_fifo_alloc(fmt, ch, a->rate / 10)) == NULL)
		fatalx("out of memory");
	a->start = av_rescale(start_usec, a->rate, REC_USEC);
	return a;

bad:
	xasprintf(cause, "%s: the mix (%s): %s", r->path, codec->name,
	    av_err2str(err));
fail:
	rec_audio_free(a);
	return NULL;
}

void
rec_audio_free(struct rec_audio *a)
{
	if (a == NULL)
		return;
	if (a->bad > 0)
		log_debug("mix: %llu packets did not decode",
		    (unsigned long long)a->bad);
	avcodec_free_context(&a->dec);
	swr_free(&a->swr);
	if (a->fifo != NULL)
		av_audio_fifo_free(a->fifo);
	av_frame_free(&a->frame);
	av_packet_free(&a->pkt);
	av_freep(&a->conv[0]);
	av_freep(&a->silence[0]);
	av_channel_layout_uninit(&a->layout);
	av_channel_layout_uninit(&a->in_layout);
	free(a);
}

int
rec_audio_rate(const struct rec_audio *a)
{
	return a->rate;
}

int
rec_audio_channels(const struct rec_audio *a)
{
	return a->layout.nb_channels;
}

/* Convert a decoded frame into conv: the number of samples, -1 on error. */
static int
audio_convert(struct rec_audio *a, AVFrame *f)
{
	AVChannelLayout		*in = &f->ch_layout;
	const uint8_t		*inp[64];
	int			 n, i, planes;

	if (in->nb_channels == 0)
		in = &a->dec->ch_layout;
	if (a->swr == NULL || f->format != a->in_fmt ||
	    f->sample_rate != a->in_rate ||
	    av_channel_layout_compare(in, &a->in_layout) != 0) {
		swr_free(&a->swr);
		if (swr_alloc_set_opts2(&a->swr, &a->layout, a->fmt, a->rate,
		    in, f->format, f->sample_rate, 0, NULL) < 0 ||
		    swr_init(a->swr) < 0) {
			swr_free(&a->swr);
			return -1;
		}
		a->in_fmt = f->format;
		a->in_rate = f->sample_rate;
		av_channel_layout_uninit(&a->in_layout);
		if (av_channel_layout_copy(&a->in_layout, in) < 0)
			fatalx("out of memory");
	}
	planes = av_sample_fmt_is_planar(f->format) ? in->nb_channels : 1;
	if (planes > (int)(sizeof inp / sizeof inp[0]))
		return -1;
	for (i = 0; i < planes; i++)
		inp[i] = f->extended_data[i];
	n = swr_get_out_samples(a->swr, f->nb_samples);
	if (n > a->conv_size) {
		av_freep(&a->conv[0]);
		if (av_samples_alloc(a->conv, NULL, a->layout.nb_channels, n,
		    a->fmt, 0) < 0)
			fatalx("out of memory");
		a->conv_size = n;
	}
	return swr_convert(a->swr, a->conv, n, inp, f->nb_samples);
}

/* Write n converted samples from conv into the FIFO, skipping the first. */
static void
audio_write(struct rec_audio *a, int skip, int n)
{
	void	*p[AV_NUM_DATA_POINTERS];
	int	 i, planes, bytes;

	planes = av_sample_fmt_is_planar(a->fmt) ? a->layout.nb_channels : 1;
	bytes = av_get_bytes_per_sample(a->fmt) *
	    (av_sample_fmt_is_planar(a->fmt) ? 1 : a->layout.nb_channels);
	for (i = 0; i < planes; i++)
		p[i] = a->conv[i] + (size_t)skip * bytes;
	if (av_audio_fifo_write(a->fifo, p, n - skip) < n - skip)
		fatalx("out of memory");
	a->next += n - skip;
}

/* Put a decoded frame in its place on the time line. */
static void
audio_place(struct rec_audio *a, AVFrame *f)
{
	int64_t	ts, pos, slack;
	int	n, skip = 0;

	if ((n = audio_convert(a, f)) <= 0)
		return;
	ts = f->best_effort_timestamp != AV_NOPTS_VALUE ?
	    f->best_effort_timestamp : f->pts;
	if (ts == AV_NOPTS_VALUE)
		pos = a->next;
	else
		pos = ts - a->start;	/* in samples already */
	slack = (int64_t)a->rate * AUDIO_SLACK / 1000;
	if (pos + n <= 0)
		return;			/* before the start */
	if (pos < 0 && a->next == 0)
		skip = (int)-pos;	/* the start falls in this frame */
	else if (pos > a->next + slack)
		rec_audio_pad(a, pos);	/* a gap: nobody talked */
	else if (pos < a->next - slack) {
		/* Overlaps what is placed (silence put in a gap early). */
		if (pos + n <= a->next)
			return;
		skip = (int)(a->next - pos);
	}
	audio_write(a, skip, n);
}

/*
 * Decode one packet of the mix (NULL at the end of the file, to get what
 * the decoder holds).  A packet that does not decode is skipped.
 */
void
rec_audio_packet(struct rec_audio *a, const AVPacket *pkt)
{
	int	err;

	if (pkt != NULL) {
		if (av_packet_ref(a->pkt, pkt) < 0)
			fatalx("out of memory");
		av_packet_rescale_ts(a->pkt, a->tb,
		    (AVRational){ 1, a->rate });
	}
	err = avcodec_send_packet(a->dec, pkt != NULL ? a->pkt : NULL);
	av_packet_unref(a->pkt);
	if (err < 0 && err != AVERROR_EOF) {
		a->bad++;
		log_debug("mix: %s", av_err2str(err));
		return;
	}
	for (;;) {
		err = avcodec_receive_frame(a->dec, a->frame);
		if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
			break;
		if (err < 0) {
			a->bad++;
			log_debug("mix: %s", av_err2str(err));
			break;
		}
		audio_place(a, a->frame);
		av_frame_unref(a->frame);
	}
}

/* Samples placed since the start: taken ones and those waiting. */
int64_t
rec_audio_end(const struct rec_audio *a)
{
	return a->next;
}

int64_t
rec_audio_taken(const struct rec_audio *a)
{
	return a->taken;
}

int
rec_audio_avail(const struct rec_audio *a)
{
	return av_audio_fifo_size(a->fifo);
}

/* Take up to n samples into data (planes as fmt has them): how many. */
int
rec_audio_take(struct rec_audio *a, void **data, int n)
{
	int	got;

	if ((got = av_audio_fifo_read(a->fifo, data, n)) < 0)
		return 0;
	a->taken += got;
	return got;
}

/* Silence up to the sample `until' since the start. */
void
rec_audio_pad(struct rec_audio *a, int64_t until)
{
	int	n;

	if (a->silence[0] == NULL) {
		if (av_samples_alloc(a->silence, NULL, a->layout.nb_channels,
		    AUDIO_SILENCE, a->fmt, 0) < 0)
			fatalx("out of memory");
		av_samples_set_silence(a->silence, 0, AUDIO_SILENCE,
		    a->layout.nb_channels, a->fmt);
	}
	while (a->next < until) {
		n = until - a->next > AUDIO_SILENCE ? AUDIO_SILENCE :
		    (int)(until - a->next);
		if (av_audio_fifo_write(a->fifo, (void **)a->silence, n) < n)
			fatalx("out of memory");
		a->next += n;
	}
}
