/*
 * meet-play: what the playback sinks, the grid and main() share.
 *
 * A sink is a small registry entry (name, open, write or frame, close) whose
 * per-instance state is opaque and lives only in its own out-*.c file.  The
 * tables in audio.c and video.c list them; adding a sink is one file and one
 * row.
 */
#ifndef MEET_PLAY_H
#define MEET_PLAY_H

#include <stddef.h>
#include <stdint.h>

#include "timestamp.h"

#define PLAY_MAX_TILES	9	/* the largest grid is 3x3 */
#define PLAY_MAX_SIZE	8192	/* largest canvas or source side */
#define PLAY_LEAVE_USEC	3000000	/* a silent source leaves the grid */

/* A rectangle on the canvas, in pixels. */
struct grid_rect {
	int	x;
	int	y;
	int	w;
	int	h;
};

/* One tile of a composited grid: its cell, its picture and its label. */
struct grid_tile {
	struct grid_rect cell;		/* the part of the canvas it owns */
	struct grid_rect pic;		/* the picture, aspect kept, in cell */
	const char	*label;		/* source name, "" when untagged */
};

/*
 * A planar YUV 4:2:0 picture in full (JPEG) range, the form every video sink
 * receives.  Width and height are even.
 */
struct canvas {
	int		 w;
	int		 h;
	uint8_t		*plane[3];
	int		 stride[3];
};

/* grid.c: layout, independent of pixels so it can be unit tested. */
void	grid_shape(int, int *, int *);
int	grid_layout(int, int, int, struct grid_rect *);
void	grid_fit(const struct grid_rect *, int, int, struct grid_rect *);

/* colour.c: full-range BT.601 YCbCr to RGB, and RGB to xterm's palette. */
void	colour_yuv_to_rgb(int, int, int, uint8_t *, uint8_t *, uint8_t *);
void	colour_rgb_to_yuv(int, int, int, uint8_t *, uint8_t *, uint8_t *);
int	colour_rgb_to_256(int, int, int);

/* canvas.c: allocation, clearing and label boxes. */
struct canvas *canvas_new(int, int);
void	canvas_free(struct canvas *);
void	canvas_clear(struct canvas *);
void	canvas_label(struct canvas *, const struct grid_rect *, const char *);

/* out.c: what every sink needs to write its output. */
int	out_open_path(const char *, char **);
void	out_close_path(int);
int	out_write(int, const void *, size_t);

/* sources.c: the sources of a video stream and their latest pictures. */
#define SOURCES_TAKEN	0
#define SOURCES_HOLD	1
struct sources_stats {
	uint64_t	frames;		/* pictures decoded */
	uint64_t	bad;		/* JPEGs that would not decode */
	uint64_t	drops;		/* live pictures replaced unshown */
};
struct sources;
struct sources *sources_new(void);
void	sources_free(struct sources *);
const struct sources_stats *sources_stats(const struct sources *);
int	sources_offer(struct sources *, const uint8_t *, size_t, uint64_t);
int	sources_put(struct sources *, const char *, const char *,
	    const uint8_t *, size_t, uint64_t);
int	sources_expire(struct sources *, uint64_t);
int	sources_unshown(const struct sources *);
int	sources_compose(struct sources *, struct canvas *, int,
	    struct grid_tile *);
void	sources_report(struct sources *, uint64_t);

/* What a video sink is given at open. */
struct vout_params {
	int	width;		/* canvas size asked for with -s */
	int	height;
	int	fps;
	int	text_rows;	/* lines of text kept under the picture */
};

struct vout_sink {
	const char	*name;
	int		 takes_path;	/* "name:PATH" is required */
	int		 text_labels;	/* draws labels itself, as text */
	int		 timed;		/* a stream at a fixed frame rate */
	/* 0 and *state, or -1 and an allocated *cause. */
	int		(*open)(void **, const char *, const struct vout_params *,
			    char **);
	/* The canvas size wanted now (a terminal may be resized). */
	void		(*size)(void *, int *, int *);
	/*
	 * Show one composited grid; changed is 0 when it equals the last one.
	 * 0, or -1 with errno set (EPIPE: the reader went away).
	 */
	int		(*frame)(void *, const struct canvas *,
			    const struct grid_tile *, int, int);
	/*
	 * A line of text to show under the picture (a recording's chat),
	 * from the next frame on; NULL for a sink that shows none.
	 */
	void		(*text)(void *, const char *);
	void		(*close)(void *);
};

extern const struct vout_sink out_tty_sink;
extern const struct vout_sink out_y4m_sink;
extern const struct vout_sink out_mjpeg_sink;

const struct vout_sink *video_find_sink(const char *, const char **);
int	video_run(const struct vout_sink *, const char *,
	    const struct vout_params *);

/* The format every audio sink takes: S16LE interleaved. */
struct aout_params {
	unsigned int	rate;
	unsigned int	channels;
};

struct aout_sink {
	const char	*name;
	int		 takes_path;	/* "name:ARG" is required, not optional */
	/*
	 * A device that plays in real time: silence is written when input is
	 * late, on the program's clock, so it never underruns.
	 */
	int		 realtime;
	/* 0, *state and the frames queued before it starts, or -1, *cause. */
	int		(*open)(void **, const char *, const struct aout_params *,
			    size_t *, char **);
	/* 0, or -1 and an allocated *cause. */
	int		(*write)(void *, const int16_t *, size_t, char **);
	/* 1 after an underrun since the last call: the clock starts over. */
	int		(*restarted)(void *);
	/* Play out what is queued (when drain) and close. */
	void		(*close)(void *, int);
};

extern const struct aout_sink out_alsa_sink;
extern const struct aout_sink out_file_sink;

const struct aout_sink *audio_find_sink(const char *, const char **);
int	audio_run(const struct aout_sink *, const char *,
	    const struct aout_params *);

#endif
