/*
 * Finishing a recording once it stops (DESIGN.md section 5).  record.c
 * writes a file that plays while it is written and survives a crash: every
 * track is declared at its start, with tracks kept free for those who come
 * later and a placeholder size for cameras not yet on.  A player given the
 * finished meeting is better served by a file without the tracks nobody
 * used (ffprobe warns of each, and a player that shows the first video
 * track shows an empty one), whose cameras declare their size, whose
 * default tracks are the mix and a camera that was on, and whose last chat
 * lines end with the meeting.  So the file is copied, packet by packet with
 * libavformat and nothing decoded, to PATH.part beside it, and the copy is
 * renamed over it.  Until the rename the file is the one written as the
 * meeting went; if the copy fails, it stays so.
 *
 * The copy reads and writes the whole file, so it runs on a thread of its
 * own rather than on the room's media worker, whose rooms would wait, and
 * hands the result back to that worker (worker_post), which says that the
 * recording stopped.  A worker that ends, as the node shuts down, waits for
 * the copies it started as its thread exits, in the destructor of a
 * thread-specific key: its rooms are gone by then, and the results that
 * reach its task queue are never run, so that destructor frees them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavformat/avformat.h>

#include "meetd.h"
#include "record-finish.h"

static pthread_once_t	record_finish_once = PTHREAD_ONCE_INIT;
static pthread_key_t	record_finish_key;	/* a worker's running copies */

static void	record_finish_init(void);
static void	record_finish_exit(void *);
static void	*record_finish_main(void *);
static void	record_finish_done(void *);
static void	record_finish_report(struct record_finish *, int);
static int	record_finish_copy(struct record_finish *);
static int	record_finish_open(struct record_finish *, AVFormatContext *,
		    AVFormatContext **, int *);
static int	record_finish_line(struct record_finish *, AVPacket *,
		    AVRational, const int *);

/*
 * A plan for the file at path of room (id and name), stopped by by at end
 * (ms since its start), with ntracks tracks, none kept yet.
 */
struct record_finish *
record_finish_new(const char *path, uint64_t room, const char *room_name,
    const char *by, int64_t end, int ntracks)
{
	struct record_finish	*fin;

	fin = xcalloc(1, sizeof *fin);
	fin->path = xstrdup(path);
	xasprintf(&fin->part, "%s.part", path);
	fin->room = room;
	snprintf(fin->room_name, sizeof fin->room_name, "%s", room_name);
	snprintf(fin->by, sizeof fin->by, "%s", by != NULL ? by : "");
	fin->end = end;
	fin->chat_stream = -1;
	fin->ntracks = ntracks;
	fin->tracks = xcalloc((size_t)ntracks, sizeof *fin->tracks);
	return fin;
}

void
record_finish_free(struct record_finish *fin)
{
	if (fin == NULL)
		return;
	free(fin->path);
	free(fin->part);
	free(fin->tracks);
	free(fin->cause);
	free(fin);
}

static void
record_finish_init(void)
{
	int	error;

	if ((error = pthread_key_create(&record_finish_key,
	    record_finish_exit)) != 0)
		fatalx("pthread_key_create: %s", strerror(error));
}

/*
 * Copy the file on a thread of its own, and say it stopped when that is
 * done; fin is taken.  Away from a worker (no thread to hand back to), the
 * copy is made here and now.
 */
void
record_finish_start(struct record_finish *fin)
{
	int	error;

	pthread_once(&record_finish_once, record_finish_init);
	if ((fin->worker = worker_self) != NULL) {
		error = pthread_create(&fin->thread, NULL, record_finish_main,
		    fin);
		if (error == 0) {
			fin->next = pthread_getspecific(record_finish_key);
			pthread_setspecific(record_finish_key, fin);
			return;
		}
		log_warnx("room %s: no thread to finish %s: %s",
		    fin->room_name, fin->path, strerror(error));
		fin->worker = NULL;
	}
	record_finish_copy(fin);
	record_finish_report(fin, 1);
	record_finish_free(fin);
}

static void *
record_finish_main(void *arg)
{
	struct record_finish	*fin = arg;

	record_finish_copy(fin);
	worker_post(fin->worker, record_finish_done, fin);
	return NULL;
}

/* On the worker: a copy is over. */
static void
record_finish_done(void *arg)
{
	struct record_finish	*fin = arg, *f, **fp;

	f = pthread_getspecific(record_finish_key);
	for (fp = &f; *fp != NULL; fp = &(*fp)->next) {
		if (*fp == fin) {
			*fp = fin->next;
			break;
		}
	}
	pthread_setspecific(record_finish_key, f);
	pthread_join(fin->thread, NULL);
	record_finish_report(fin, 1);
	record_finish_free(fin);
}

/* A worker's thread ends: wait for the copies it started. */
static void
record_finish_exit(void *arg)
{
	struct record_finish	*fin = arg, *next;

	for (; fin != NULL; fin = next) {
		next = fin->next;
		log_debug("room %s: waiting for %s to be finished",
		    fin->room_name, fin->path);
		pthread_join(fin->thread, NULL);
		record_finish_report(fin, 0);
		record_finish_free(fin);
	}
}

/* Log how it went and, while the room is there, tell it (announce). */
static void
record_finish_report(struct record_finish *fin, int announce)
{
	struct room_media	*rm;

	if (fin->cause == NULL)
		log_info("room %s: recording to %s stopped (%d of its %d "
		    "tracks kept)", fin->room_name, fin->path, fin->kept,
		    fin->ntracks);
	else
		log_warnx("room %s: recording to %s stopped, left as it was "
		    "written: %s", fin->room_name, fin->path, fin->cause);
	if (announce && (rm = media_room_find(fin->room)) != NULL)
		record_announce(rm, fin->path, "stopped",
		    fin->by[0] != '\0' ? fin->by : NULL, NULL);
}

/*
 * The copy: 0 when it is in place of the file, else -1 and fin->cause,
 * the file untouched.
 */
static int
record_finish_copy(struct record_finish *fin)
{
	AVFormatContext	*in = NULL, *out = NULL;
	AVPacket	*pkt = NULL;
	AVRational	 tb;
	struct stat	 sb;
	int		*map = NULL, made = 0, i, r;

	/* Never over a file of someone else's. */
	if (lstat(fin->part, &sb) == 0 || errno != ENOENT) {
		xasprintf(&fin->cause, "%s is in the way", fin->part);
		goto fail;
	}
	if ((r = avformat_open_input(&in, fin->path, NULL, NULL)) < 0) {
		xasprintf(&fin->cause, "cannot read it: %s", av_err2str(r));
		goto fail;
	}
	if ((int)in->nb_streams != fin->ntracks) {
		xasprintf(&fin->cause, "it has %u tracks, not %d",
		    in->nb_streams, fin->ntracks);
		goto fail;
	}
	map = xcalloc((size_t)fin->ntracks, sizeof *map);
	made = 1;
	if (record_finish_open(fin, in, &out, map) != 0)
		goto fail;
	if ((pkt = av_packet_alloc()) == NULL) {
		xasprintf(&fin->cause, "out of memory");
		goto fail;
	}
	while ((r = av_read_frame(in, pkt)) >= 0) {
		i = pkt->stream_index;
		if (i < 0 || i >= fin->ntracks || map[i] == -1) {
			av_packet_unref(pkt);
			continue;
		}
		tb = in->streams[i]->time_base;
		if (i == fin->chat_stream &&
		    record_finish_line(fin, pkt, tb, map) != 0)
			goto fail;
		av_packet_rescale_ts(pkt, tb, out->streams[map[i]]->time_base);
		pkt->stream_index = map[i];
		pkt->pos = -1;
		if ((r = av_interleaved_write_frame(out, pkt)) < 0) {
			xasprintf(&fin->cause, "%s: %s", fin->part,
			    av_err2str(r));
			goto fail;
		}
	}
	if (r != AVERROR_EOF) {
		xasprintf(&fin->cause, "cannot read it: %s", av_err2str(r));
		goto fail;
	}
	if ((r = av_write_trailer(out)) < 0 ||
	    (r = avio_closep(&out->pb)) < 0) {
		xasprintf(&fin->cause, "%s: %s", fin->part, av_err2str(r));
		goto fail;
	}
	if (rename(fin->part, fin->path) != 0) {
		xasprintf(&fin->cause, "%s: %s", fin->part, strerror(errno));
		goto fail;
	}
	fin->kept = (int)out->nb_streams;
	av_packet_free(&pkt);
	avformat_free_context(out);
	avformat_close_input(&in);
	free(map);
	return 0;

fail:
	av_packet_free(&pkt);
	if (out != NULL) {
		if (out->pb != NULL)
			avio_closep(&out->pb);
		avformat_free_context(out);
	}
	if (made)
		unlink(fin->part);	/* what we made, if anything */
	avformat_close_input(&in);
	free(map);
	return -1;
}

/*
 * The copy's tracks, those of in that fin keeps, in their order (map: the
 * copy's index of each, -1 when dropped), and its header written.
 */
static int
record_finish_open(struct record_finish *fin, AVFormatContext *in,
    AVFormatContext **outp, int *map)
{
	AVFormatContext			*out;
	AVStream			*st;
	AVDictionary			*opts = NULL;
	struct record_finish_track	*t;
	int				 i, r;

	if ((r = avformat_alloc_output_context2(outp, NULL, "matroska",
	    fin->part)) < 0 || *outp == NULL) {
		xasprintf(&fin->cause, "matroska: %s", av_err2str(r));
		return -1;
	}
	out = *outp;
	av_dict_copy(&out->metadata, in->metadata, 0);
	for (i = 0; i < fin->ntracks; i++) {
		t = &fin->tracks[i];
		map[i] = -1;
		if (!t->keep)
			continue;
		if ((st = avformat_new_stream(out, NULL)) == NULL ||
		    avcodec_parameters_copy(st->codecpar,
		    in->streams[i]->codecpar) < 0) {
			xasprintf(&fin->cause, "out of memory");
			return -1;
		}
		st->codecpar->codec_tag = 0;
		if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
		    t->width > 0 && t->height > 0) {
			st->codecpar->width = t->width;
			st->codecpar->height = t->height;
		}
		st->time_base = in->streams[i]->time_base;
		st->disposition = t->is_default ? AV_DISPOSITION_DEFAULT : 0;
		av_dict_copy(&st->metadata, in->streams[i]->metadata, 0);
		map[i] = st->index;
	}
	if ((r = avio_open(&out->pb, fin->part, AVIO_FLAG_WRITE)) < 0) {
		xasprintf(&fin->cause, "cannot write %s: %s", fin->part,
		    av_err2str(r));
		return -1;
	}
	/* FlagDefault as the dispositions say, whatever a release infers. */
	av_dict_set(&opts, "default_mode", "passthrough", 0);
	r = avformat_write_header(out, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		xasprintf(&fin->cause, "%s: %s", fin->part, av_err2str(r));
		return -1;
	}
	return 0;
}

/*
 * A chat packet for the copy (time base tb): a line that runs past the end
 * of the recording ends there, and one that names a track by its index
 * names it by its index in the copy.  0, or -1 and fin->cause.
 */
static int
record_finish_line(struct record_finish *fin, AVPacket *pkt, AVRational tb,
    const int *map)
{
	char	 text[256];
	int64_t	 end;
	int	 n;

	end = av_rescale_q(fin->end, (AVRational){ 1, 1000 }, tb);
	if (pkt->pts != AV_NOPTS_VALUE && pkt->duration > 0 &&
	    pkt->pts + pkt->duration > end)
		pkt->duration = end > pkt->pts ? end - pkt->pts : 1;
	n = record_finish_renumber((const char *)pkt->data, (size_t)pkt->size,
	    map, fin->ntracks, text, sizeof text);
	if (n <= 0)
		return 0;
	if (av_packet_make_writable(pkt) < 0 || (n > pkt->size &&
	    av_grow_packet(pkt, n - pkt->size) < 0)) {
		xasprintf(&fin->cause, "out of memory");
		return -1;
	}
	if (n < pkt->size)
		av_shrink_packet(pkt, n);
	memcpy(pkt->data, text, (size_t)n);
	return 0;
}

/*
 * A line as record.c writes it when someone takes a track, "* carol takes
 * audio track 7", with the track's index in the copy instead (map, of n
 * tracks): its length in out (size bytes), or 0 for any other line, or one
 * whose track the copy does not have.
 */
int
record_finish_renumber(const char *line, size_t len, const int *map, int n,
    char *out, size_t size)
{
	const char	*takes, *track, *p, *end = line + len;
	size_t		 prefix;
	long		 index = 0;
	int		 written;

	if (len < 2 || memcmp(line, "* ", 2) != 0 ||
	    (takes = memmem(line, len, " takes ", 7)) == NULL)
		return 0;
	/* The last " track ", then digits to the end. */
	track = NULL;
	for (p = takes; (p = memmem(p, (size_t)(end - p), " track ",
	    7)) != NULL; p += 7)
		track = p;
	if (track == NULL || track + 7 == end)
		return 0;
	for (p = track + 7; p < end; p++) {
		if (*p < '0' || *p > '9' || index > n)
			return 0;
		index = index * 10 + (*p - '0');
	}
	if (index >= n || map[index] < 0)
		return 0;
	prefix = (size_t)(track + 7 - line);
	written = snprintf(out, size, "%.*s%d", (int)prefix, line,
	    map[index]);
	if (written < 0 || (size_t)written >= size)
		return 0;
	return written;
}
