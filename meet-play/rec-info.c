/*
 * meet-play -i: what is in a recording.  The whole file is read (packets
 * only, nothing is decoded) to count each track's packets and the chat's
 * messages, to find who was there, and to measure the duration, which a
 * file cut short does not declare: the end of its last audio or video
 * packet, or the last chat line if that comes later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "log.h"
#include "rec.h"
#include "text.h"
#include "xmalloc.h"

struct info {
	struct rec	*r;
	uint64_t	*packets;	/* per stream */
	int64_t		 end;		/* microseconds */
	uint64_t	 messages;	/* chat lines, not "* " events */
	char		**names;	/* who was there, owned */
	size_t		 nnames;
	size_t		 size;
};

static void	info_add_name(struct info *, const char *, size_t);
static void	info_line(const char *, void *);
static void	info_read(struct info *);
static int	info_by_name(const void *, const void *);
static void	info_names(struct info *);
static void	info_text(struct info *);
static int	info_json(struct info *);

static void
info_add_name(struct info *in, const char *s, size_t len)
{
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;
	if (in->nnames == in->size) {
		in->size = in->size == 0 ? 16 : in->size * 2;
		in->names = xreallocarray(in->names, in->size,
		    sizeof *in->names);
	}
	in->names[in->nnames++] = xstrndup(s, len);
}

static void
info_line(const char *line, void *arg)
{
	struct info	*in = arg;
	char		 name[NAME_MAX_LEN + 1];
	int		 tracks[8], n;

	if (rec_chat_message(line))
		in->messages++;
	else if (rec_chat_joined(line, name, sizeof name, tracks, 8, &n))
		info_add_name(in, name, strlen(name));
	rec_chat_apply(in->r, line);
}

static void
info_read(struct info *in)
{
	AVPacket	*pkt;
	enum AVMediaType type;
	int64_t		 t;

	if ((pkt = av_packet_alloc()) == NULL)
		fatalx("out of memory");
	while (rec_read(in->r, pkt)) {
		in->packets[pkt->stream_index]++;
		type = in->r->fmt->streams[pkt->stream_index]->codecpar->
		    codec_type;
		if (type == AVMEDIA_TYPE_AUDIO || type == AVMEDIA_TYPE_VIDEO)
			t = rec_packet_end(in->r, pkt);
		else
			t = rec_packet_usec(in->r, pkt);
		if (t > in->end)
			in->end = t;
		if (pkt->stream_index == in->r->chat)
			rec_chat_lines(pkt, info_line, in);
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
}

static int
info_by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everyone named anywhere, sorted, each once. */
static void
info_names(struct info *in)
{
	const char	*p, *comma;
	size_t		 i, n;
	int		 s;

	if ((p = in->r->participants) != NULL) {
		for (;;) {
			comma = strchr(p, ',');
			info_add_name(in, p, comma == NULL ? strlen(p) :
			    (size_t)(comma - p));
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	}
	for (s = 0; s < in->r->nst; s++) {
		if (in->r->st[s].name != NULL)
			info_add_name(in, in->r->st[s].name,
			    strlen(in->r->st[s].name));
	}
	if (in->nnames == 0)
		return;
	qsort(in->names, in->nnames, sizeof *in->names, info_by_name);
	for (i = 1, n = 1; i < in->nnames; i++) {
		if (strcmp(in->names[i], in->names[n - 1]) == 0)
			free(in->names[i]);
		else
			in->names[n++] = in->names[i];
	}
	in->nnames = n;
}

static void
info_text(struct info *in)
{
	struct rec	*r = in->r;
	AVStream	*s;
	const char	*kind, *title;
	size_t		 i;
	int		 k;

	if (r->room != NULL)
		printf("room %s\n", r->room);
	if (r->start != NULL)
		printf("start %s\n", r->start);
	printf("duration %.2f s\n", in->end / 1e6);
	printf("participants");
	for (i = 0; i < in->nnames; i++)
		printf("%s %s", i == 0 ? "" : ",", in->names[i]);
	printf("\n");
	for (k = 0; k < r->nst; k++) {
		s = r->fmt->streams[k];
		kind = av_get_media_type_string(s->codecpar->codec_type);
		printf("track %d %s %s", k, kind != NULL ? kind : "unknown",
		    avcodec_get_name(s->codecpar->codec_id));
		if (*r->st[k].role != '\0')
			printf(" %s", r->st[k].role);
		title = r->st[k].title;
		if (*title != '\0' && strcmp(title, r->st[k].role) != 0)
			printf(strchr(title, ' ') != NULL ? " \"%s\"" : " %s",
			    title);
		if (r->st[k].slot == 0 && r->st[k].name != NULL &&
		    strcmp(r->st[k].name, title) != 0 &&
		    (r->st[k].label == NULL ||
		    strcmp(r->st[k].label, title) != 0))
			printf(" (%s)", r->st[k].name);
		printf(" %llu packets\n", (unsigned long long)in->packets[k]);
	}
	printf("chat %llu messages\n", (unsigned long long)in->messages);
}

static int
info_json(struct info *in)
{
	struct rec	*r = in->r;
	AVStream	*s;
	json_t		*o, *names, *tracks;
	const char	*kind;
	size_t		 i;
	int		 k, rc;

	names = json_array();
	for (i = 0; i < in->nnames; i++)
		json_array_append_new(names, json_string(in->names[i]));
	tracks = json_array();
	for (k = 0; k < r->nst; k++) {
		s = r->fmt->streams[k];
		kind = av_get_media_type_string(s->codecpar->codec_type);
		json_array_append_new(tracks, json_pack(
		    "{s:i,s:s,s:s,s:s,s:s,s:s?,s:I}",
		    "index", k,
		    "kind", kind != NULL ? kind : "unknown",
		    "codec", avcodec_get_name(s->codecpar->codec_id),
		    "title", r->st[k].title,
		    "role", r->st[k].role,
		    "name", r->st[k].name,
		    "packets", (json_int_t)in->packets[k]));
	}
	o = json_pack("{s:s?,s:s?,s:f,s:o,s:o,s:I}",
	    "room", r->room,
	    "start", r->start,
	    "duration", (double)(in->end / 1000) / 1e3,
	    "participants", names,
	    "tracks", tracks,
	    "chat_messages", (json_int_t)in->messages);
	if (o == NULL) {
		/* Not UTF-8: a title or name from elsewhere than meetd. */
		log_warnx("%s: metadata that is not UTF-8", r->path);
		return 1;
	}
	rc = json_dumpf(o, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(o);
	printf("\n");
	return rc == 0 ? 0 : 1;
}

/* Print what is in the recording at path, as text or JSON: the exit status. */
int
rec_info_run(const char *path, int json)
{
	struct info	 in;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	memset(&in, 0, sizeof in);
	if (rec_open(&in.r, path, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
		return 1;
	}
	in.packets = xcalloc((size_t)in.r->nst + 1, sizeof *in.packets);
	info_read(&in);
	info_names(&in);
	if (json)
		rc = info_json(&in);
	else {
		info_text(&in);
		rc = 0;
	}
	if (fflush(stdout) != 0)
		rc = 1;
	for (i = 0; i < in.nnames; i++)
		free(in.names[i]);
	free(in.names);
	free(in.packets);
	rec_close(in.r);
	return rc;
}
