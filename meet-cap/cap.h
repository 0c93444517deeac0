/*
 * meet-cap: what the capture sources share with main().
 *
 * A source is a small registry entry (name, open, next or read, close) whose
 * per-instance state is opaque and lives only in its own src-*.c file.  The
 * tables in sources.c list them all; adding a source is one file and one row.
 */
#ifndef MEET_CAP_H
#define MEET_CAP_H

#include <stddef.h>
#include <stdint.h>

/* What a video source is asked for; a device may change size and rate. */
struct cap_vparams {
	int	width;
	int	height;
	double	fps;		/* 0: as fast as possible */
	int	quality;	/* JPEG quality, 1 to 100 */
};

/* One JPEG image, owned by the source and valid until its next call. */
struct cap_frame {
	const uint8_t	*data;
	size_t		 len;
};

struct cap_video_source {
	const char	*name;
	int		 takes_arg;	/* "name:ARG" is allowed */
	int		 self_paced;	/* the device sets the pace */
	/* 0 and *state, or -1 and an allocated *cause. */
	int		(*open)(void **, const char *, struct cap_vparams *,
			    char **);
	/* 1 and a frame, 0 at the end, -1 and an allocated *cause. */
	int		(*next)(void *, struct cap_frame *, char **);
	void		(*close)(void *);
};

/* The format every audio source delivers: S16LE interleaved. */
struct cap_aparams {
	int	rate;
	int	channels;
};

struct cap_audio_source {
	const char	*name;
	int		 takes_arg;
	int		(*open)(void **, const char *,
			    const struct cap_aparams *, char **);
	/*
	 * Fill up to n frames; the number filled (fewer only at the end), or
	 * -1 and an allocated *cause.
	 */
	long		(*read)(void *, int16_t *, size_t, char **);
	void		(*close)(void *);
};

extern const struct cap_video_source *cap_video_sources[];
extern const struct cap_audio_source *cap_audio_sources[];

const struct cap_video_source *cap_video_find(const char *, const char **);
const struct cap_audio_source *cap_audio_find(const char *, const char **);

/* jpegenc.c: baseline 4:2:0 JPEG from planes, standard Huffman tables. */
struct jpegenc;
struct jpegenc *jpegenc_new(int, int, int, char **);
int	jpegenc_planes(struct jpegenc *, const uint8_t *[3],
	    const int[3], struct cap_frame *, char **);
void	jpegenc_free(struct jpegenc *);

/* yuv.c: packed camera formats to planar 4:2:0 (I420). */
void	yuv_yuyv_to_i420(const uint8_t *, size_t, int, int, uint8_t *,
	    uint8_t *, uint8_t *);
void	yuv_nv12_to_i420(const uint8_t *, size_t, const uint8_t *, size_t,
	    int, int, uint8_t *, uint8_t *, uint8_t *);


/* resample.c: channel mixing and rate conversion with libswresample. */
struct resampler;
struct resampler *resampler_new(int, int, int, int, char **);
long	resampler_convert(struct resampler *, const int16_t *, size_t,
	    const int16_t **);
void	resampler_free(struct resampler *);

/* pcmfifo.c: a queue of frames; channels set before use, zeroed start. */
struct pcm_fifo {
	int16_t	*buf;		/* owned */
	size_t	 len;		/* frames queued */
	size_t	 size;		/* frames that fit */
	int	 channels;
};
void	pcm_fifo_put(struct pcm_fifo *, const int16_t *, size_t);
size_t	pcm_fifo_get(struct pcm_fifo *, int16_t *, size_t);
void	pcm_fifo_clear(struct pcm_fifo *);

#endif
