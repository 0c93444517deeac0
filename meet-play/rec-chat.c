/*
 * The chat track of a recording: each subrip packet holds lines as meetd
 * wrote them, "alice: hello" (or "<alice> hello", as record-spec.md first
 * had it) for chat, and lines starting "* " for what happened in the room:
 * "* bob joined", "* bob takes audio track 3" (or "* bob joined (audio
 * track 3, video track 11)") when someone takes a reserved track.  The
 * packets are read raw, not through the subrip decoder, which would take
 * "<alice>" for markup.  Chat is shown as meetctl shows it, "<alice> hello".
 *
 * The text is what participants typed and is not trusted: control
 * characters, which could drive a terminal, and bytes that are not UTF-8
 * become '?' before a line is handed on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec.h"
#include "text.h"

#define CHAT_LINE_MAX	4096	/* longer lines are cut */

static size_t	chat_clean(const char *, size_t, char *, size_t);

/* Copy a line into out (size bytes), made safe to print; its length. */
static size_t
chat_clean(const char *in, size_t len, char *out, size_t size)
{
	const uint8_t	*p = (const uint8_t *)in;
	size_t		 i = 0, n = 0;
	int		 valid;

	valid = utf8_valid(in, len) == 0;
	while (i < len && n + 4 < size) {
		if (p[i] == '\t') {
			out[n++] = ' ';
			i++;
		} else if (p[i] < 0x20 || p[i] == 0x7f) {
			out[n++] = '?';
			i++;
		} else if (p[i] < 0x80) {
			out[n++] = (char)p[i++];
		} else if (!valid) {
			out[n++] = '?';
			i++;
		} else if (p[i] == 0xc2 && i + 1 < len && p[i + 1] < 0xa0) {
			/* C1 controls, U+0080 to U+009F. */
			out[n++] = '?';
			i += 2;
		} else {
			/* One whole UTF-8 character. */
			do {
				out[n++] = (char)p[i++];
			} while (i < len && (p[i] & 0xc0) == 0x80);
		}
	}
	out[n] = '\0';
	return n;
}

/*
 * Call cb with each non-empty line of a chat packet, cleaned; a line is
 * valid during the call only.
 */
void
rec_chat_lines(const AVPacket *pkt, rec_line_cb cb, void *arg)
{
	char		 line[CHAT_LINE_MAX];
	const char	*p, *end, *nl;
	size_t		 n;

	if (pkt->data == NULL)
		return;
	p = (const char *)pkt->data;
	end = p + pkt->size;
	/* Some muxers pad the text with NULs. */
	if ((nl = memchr(p, '\0', (size_t)(end - p))) != NULL)
		end = nl;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (chat_clean(p, n, line, sizeof line) > 0)
			cb(line, arg);
		p = nl != NULL ? nl + 1 : end;
	}
}

/*
 * Whether a line says someone joined or took a reserved track, "* NAME
 * joined", "* NAME joined (audio track N, video track M)" or "* NAME takes
 * camera track N": 1 with the name in name (size bytes) and the track
 * numbers (stream indexes) in tracks, at most max of them.
 */
int
rec_chat_joined(const char *line, char *name, size_t size, int *tracks,
    int max, int *ntracks)
{
	const char	*sp, *q;
	char		*end;
	long		 v;
	size_t		 verb;

	*ntracks = 0;
	if (strncmp(line, "* ", 2) != 0 || (sp = strchr(line + 2, ' ')) ==
	    NULL)
		return 0;
	if (strncmp(sp, " joined", 7) == 0)
		verb = 7;
	else if (strncmp(sp, " takes ", 7) == 0)
		verb = 6;
	else
		return 0;
	if ((sp[verb] != '\0' && sp[verb] != ' ') ||
	    (size_t)(sp - line - 2) >= size)
		return 0;
	memcpy(name, line + 2, (size_t)(sp - line - 2));
	name[sp - line - 2] = '\0';
	if (name_valid(name) != 0)
		return 0;
	q = sp + verb;
	while (*ntracks < max && (q = strstr(q, "track ")) != NULL) {
		q += 6;
		v = strtol(q, &end, 10);
		if (end != q && v >= 0 && v < 65536)
			tracks[(*ntracks)++] = (int)v;
		q = end;
	}
	return 1;
}

/*
 * A join that names reserved tracks gives them their participant.  Only a
 * track still reserved is named: one line cannot take someone else's.
 */
void
rec_chat_apply(struct rec *r, const char *line)
{
	struct rec_stream	*st;
	char			 name[NAME_MAX_LEN + 1];
	int			 tracks[8], n, i;

	if (!rec_chat_joined(line, name, sizeof name, tracks, 8, &n))
		return;
	for (i = 0; i < n; i++) {
		if (tracks[i] >= r->nst)
			continue;
		st = &r->st[tracks[i]];
		if (st->slot && (st->kind == REC_VIDEO ||
		    st->kind == REC_SPEAKER))
			rec_set_name(r, tracks[i], name);
	}
}

/* Whether a line is a chat message, not something that happened. */
int
rec_chat_message(const char *line)
{
	return strncmp(line, "* ", 2) != 0;
}

/*
 * "[HH:MM:SS] line", the time since the recording started, with a message
 * "alice: hello" shown as meetctl shows chat, "<alice> hello".
 */
void
rec_chat_format(int64_t usec, const char *line, char *buf, size_t size)
{
	char		 name[NAME_MAX_LEN + 1];
	const char	*colon;
	long long	 s;

	s = usec > 0 ? usec / REC_USEC : 0;
	colon = strstr(line, ": ");
	if (rec_chat_message(line) && colon != NULL &&
	    (size_t)(colon - line) < sizeof name) {
		memcpy(name, line, (size_t)(colon - line));
		name[colon - line] = '\0';
		if (name_valid(name) == 0) {
			snprintf(buf, size, "[%02lld:%02lld:%02lld] <%s> %s",
			    s / 3600, s / 60 % 60, s % 60, name, colon + 2);
			return;
		}
	}
	snprintf(buf, size, "[%02lld:%02lld:%02lld] %s", s / 3600,
	    s / 60 % 60, s % 60, line);
}
