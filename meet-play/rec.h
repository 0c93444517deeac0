/*
 * meet-play: what the review side of recordings shares (issue 6).
 *
 * A recording is one Matroska file written by meetd (notes/record-spec.md):
 * the room's mix, one audio track per speaker, one MJPEG track per camera or
 * screen, the chat as a subtitle track, and metadata naming the room.
 * rec-open.c opens and sorts its streams, rec-chat.c reads the chat lines,
 * rec-audio.c decodes the mix onto the recording's time line, rec-queue.c
 * holds packets read ahead, and rec-info.c, rec-play.c and rec-render.c are
 * the three things meet-play does with a recording.
 */
#ifndef MEET_PLAY_REC_H
#define MEET_PLAY_REC_H

#include <stddef.h>
#include <stdint.h>

#include <libavformat/avformat.h>
#include <libavutil/samplefmt.h>

#include "play.h"

#define REC_USEC	1000000LL	/* microseconds a second */
/*
 * meetd holds a chat line back until the next one (its display ends
 * there), for at most RECORD_LINE_MS: a line can come this long after the
 * media of its time in the file.
 */
#define REC_CHAT_LATE	4500000

/* What meet-play makes of a stream. */
enum rec_kind {
	REC_OTHER,		/* not ours: counted by -i, else skipped */
	REC_MIX,		/* the room's mix: what is heard */
	REC_SPEAKER,		/* one speaker's audio */
	REC_VIDEO,		/* a camera or screen, MJPEG */
	REC_CHAT		/* the chat, subrip */
};

/* What a stream is; rec_close frees the strings. */
struct rec_stream {
	enum rec_kind	 kind;
	char		*role;		/* meet_role, or the one inferred */
	char		*title;		/* "" when none */
	char		*name;		/* who it is, NULL when nobody yet */
	char		*label;		/* the grid's label for a video */
	int		 screen;	/* a screen, not a camera */
	int		 slot;		/* reserved for a later participant */
};

/* An open recording; rec_close frees it and everything it points to. */
struct rec {
	char		*path;
	AVFormatContext	*fmt;
	struct rec_stream *st;		/* one per stream of fmt */
	int		 nst;
	int		 mix;		/* stream index, -1 when none */
	int		 chat;		/* stream index, -1 when none */
	int		 nvideo;
	char		*room;		/* metadata, NULL when absent */
	char		*start;
	char		*participants;
	int		 cut;		/* reading stopped at damage */
	int		 slots;		/* a video or speaker slot is free */
};

/* rec-open.c */
int	rec_open(struct rec **, const char *, char **);
void	rec_close(struct rec *);
void	rec_discard_unused(struct rec *);
int	rec_seek(struct rec *, int64_t);
int	rec_read(struct rec *, AVPacket *);
int64_t	rec_packet_usec(const struct rec *, const AVPacket *);
int64_t	rec_packet_end(const struct rec *, const AVPacket *);
int64_t	rec_declared_usec(const struct rec *);
void	rec_name_slots(struct rec *, int64_t);
void	rec_set_name(struct rec *, int, const char *);
void	rec_source_key(int, char *, size_t);

/* rec-chat.c: the lines of a chat packet, and what they say. */
typedef void (*rec_line_cb)(const char *, void *);
void	rec_chat_lines(const AVPacket *, rec_line_cb, void *);
int	rec_chat_joined(const char *, char *, size_t, int *, int, int *);
void	rec_chat_apply(struct rec *, const char *);
int	rec_chat_message(const char *);
void	rec_chat_format(int64_t, const char *, char *, size_t);

/* rec-audio.c: the mix, decoded onto the recording's time line. */
struct rec_audio;
struct rec_audio *rec_audio_new(const struct rec *, enum AVSampleFormat,
	    int, int64_t, char **);
void	rec_audio_free(struct rec_audio *);
int	rec_audio_rate(const struct rec_audio *);
int	rec_audio_channels(const struct rec_audio *);
void	rec_audio_packet(struct rec_audio *, const AVPacket *);
int64_t	rec_audio_end(const struct rec_audio *);
int64_t	rec_audio_taken(const struct rec_audio *);
int	rec_audio_avail(const struct rec_audio *);
int	rec_audio_take(struct rec_audio *, void **, int);
void	rec_audio_pad(struct rec_audio *, int64_t);

/* rec-queue.c: packets read ahead of their time, in reading order. */
struct rec_queue;
struct rec_queue *rec_queue_new(void);
void	rec_queue_free(struct rec_queue *);
void	rec_queue_push(struct rec_queue *, AVPacket *, int64_t);
AVPacket *rec_queue_peek(struct rec_queue *, int64_t *);
void	rec_queue_drop(struct rec_queue *);
size_t	rec_queue_len(const struct rec_queue *);

/* How rec-play.c plays a recording: main() fills this in. */
struct rec_play_opts {
	const char		*path;
	int64_t			 start;		/* microseconds in */
	const struct aout_sink	*asink;
	const char		*aarg;
	int			 aexplicit;	/* -a was given */
	const struct vout_sink	*vsink;		/* NULL: no video */
	const char		*varg;
	struct vout_params	 vp;
};

int	rec_info_run(const char *, int);
int	rec_play_run(const struct rec_play_opts *);
int	rec_render_run(const char *, const char *, int64_t, int);

#endif
