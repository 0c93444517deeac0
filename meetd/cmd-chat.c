/*
 * Chat: say, react and history.  say - reads lines from meetctl's stdin on
 * meetctl's own node and sends each one as it arrives, wherever the room is.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meetd.h"

#define SAY_INFLIGHT	64	/* lines sent and not yet answered */
#define SAY_LINE_MAX	(64 * 1024)

struct say_stdin {
	struct event	*ev;
	struct evbuffer	*buf;
	int		 regular;	/* a file: no readiness to wait for */
	int		 eof;
	int		 inflight;
	int		 failed;
	int		 reading;	/* inside cmd_say_read */
	int		 skipping;	/* the rest of a refused line */
	u_int		 lineno;	/* lines of stdin seen so far */
};

static int	cmd_say_exec(struct cmdq *);
static int	cmd_say_local(struct cmdq *);
static void	cmd_say_read(evutil_socket_t, short, void *);
static void	cmd_say_lines(struct cmdq *);
static void	cmd_say_too_long(struct cmdq *, u_int);
static void	cmd_say_line(struct cmdq *, const char *);
static void	cmd_say_done(int, const char *, const char *, void *);
static int	cmd_say_event(struct cmdq *, json_t *, int);
static void	cmd_say_cancel(struct cmdq *);
static void	cmd_say_free(struct cmdq *);
static void	cmd_say_resume(struct cmdq *);
static int	cmd_say_maybe_finish(struct cmdq *);
static int	cmd_react_exec(struct cmdq *);
static int	cmd_history_exec(struct cmdq *);

static const struct option cmd_say_longopts[] = {
	{ "to", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_say_entry = {
	.name = "say",
	.usage = "[-t NAME] TEXT... | -",
	.optstring = "t:",
	.longopts = cmd_say_longopts,
	.lower = 1,
	.upper = -1,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED | CMD_TEXT,
	.exec = cmd_say_exec,
	.local = cmd_say_local
};

const struct cmd_entry cmd_react_entry = {
	.name = "react",
	.usage = "EMOJI",
	.optstring = "",
	.lower = 1,
	.upper = 1,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_react_exec
};

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage = "",
	.optstring = "",
	.lower = 0,
	.upper = 0,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_history_exec
};

/* On the room's node: one message. */
static int
cmd_say_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	struct member	*to = NULL;
	const char	*name;
	char		*text, err[256];
	size_t		 len = 0;
	int		 i;
	json_t		*ev;

	if ((name = cmdq_get(q, 't')) != NULL) {
		to = room_member(r, name);
		if (to == NULL || to->state != MEMBER_JOINED) {
			cmdq_error(q, "no one called %s in %s", name, r->name);
			return EXIT_REFUSED;
		}
	}
	for (i = 0; i < q->argc; i++)
		len += strlen(q->args[i]) + 1;
	text = xmalloc(len + 1);
	text[0] = '\0';
	for (i = 0; i < q->argc; i++) {
		if (i > 0)
			strcat(text, " ");
		strcat(text, q->args[i]);
	}
	if (text_check(text, (size_t)cfg->chat_max_length, err,
	    sizeof err) != 0) {
		cmdq_error(q, "say: %s", err);
		free(text);
		return EXIT_REFUSED;
	}
	ev = room_event(r, "chat");
	json_object_set_new(ev, "from", json_string(q->member->name));
	if (to != NULL)
		json_object_set_new(ev, "to", json_string(to->name));
	json_object_set_new(ev, "text", json_string(text));
	free(text);
	room_chat(r, ev, q->member, to);
	json_decref(ev);
	return EXIT_DONE;
}

/* On meetctl's node: say - takes over; anything else goes on. */
static int
cmd_say_local(struct cmdq *q)
{
	struct say_stdin	*in;
	struct stat		 st;

	if (q->argc != 1 || strcmp(q->args[0], "-") != 0)
		return 0;
	if (q->in_fd == -1 || fstat(q->in_fd, &st) != 0) {
		cmdq_error(q, "say -: no standard input");
		return EXIT_REFUSED;
	}
	in = xcalloc(1, sizeof *in);
	in->buf = evbuffer_new();
	in->regular = !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) &&
	    !S_ISCHR(st.st_mode);
	/*
	 * The descriptor is shared with meetctl's shell, so it is not made
	 * non-blocking: a read comes only after readiness, one at a time.
	 */
	if (in->regular)
		in->ev = event_new(base, -1, 0, cmd_say_read, q);
	else
		in->ev = event_new(base, q->in_fd, EV_READ | EV_PERSIST,
		    cmd_say_read, q);
	q->data = in;
	q->on_event = cmd_say_event;
	q->on_cancel = cmd_say_cancel;
	session_add_waiter(q->session, q);
	cmd_say_resume(q);
	return CMD_WAIT;
}

static void
cmd_say_resume(struct cmdq *q)
{
	struct say_stdin	*in = q->data;

	if (in->regular)
		event_active(in->ev, EV_READ, 0);
	else
		event_add(in->ev, NULL);
}

static void
cmd_say_read(evutil_socket_t fd, short events, void *arg)
{
	struct cmdq		*q = arg;
	struct say_stdin	*in = q->data;
	char			 buf[8192];
	ssize_t			 n;

	(void)fd;
	(void)events;
	n = read(q->in_fd, buf, sizeof buf);
	if (n == -1 && (errno == EINTR || errno == EAGAIN)) {
		if (in->regular)
			event_active(in->ev, EV_READ, 0);
		return;
	}
	if (n <= 0) {
		in->eof = 1;
		event_del(in->ev);
		if (evbuffer_get_length(in->buf) > 0)
			evbuffer_add(in->buf, "\n", 1);
	} else
		evbuffer_add(in->buf, buf, (size_t)n);
	in->reading = 1;
	cmd_say_lines(q);
	in->reading = 0;
	if (cmd_say_maybe_finish(q))
		return;
	if (in->eof)
		return;
	if (in->inflight >= SAY_INFLIGHT)
		event_del(in->ev);	/* cmd_say_done resumes */
	else if (in->regular)
		event_active(in->ev, EV_READ, 0);
}

/*
 * Send each complete line in the buffer.  A line longer than SAY_LINE_MAX is
 * refused whole: its first part is dropped when the buffer passes the limit
 * with no newline, and the rest, up to the newline, when it arrives, so no
 * piece of it is ever posted as a message of its own.
 */
static void
cmd_say_lines(struct cmdq *q)
{
	struct say_stdin	*in = q->data;
	char			*line;
	size_t			 len;

	while ((line = evbuffer_readln(in->buf, &len,
	    EVBUFFER_EOL_LF)) != NULL) {
		if (in->skipping) {
			/* The tail of a line already refused. */
			in->skipping = 0;
			free(line);
			continue;
		}
		in->lineno++;
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > SAY_LINE_MAX)
			cmd_say_too_long(q, in->lineno);
		else if (len > 0)
			cmd_say_line(q, line);
		free(line);
	}
	if (evbuffer_get_length(in->buf) > SAY_LINE_MAX) {
		if (!in->skipping) {
			in->lineno++;
			cmd_say_too_long(q, in->lineno);
			in->skipping = 1;
		}
		evbuffer_drain(in->buf, evbuffer_get_length(in->buf));
	}
}

static void
cmd_say_too_long(struct cmdq *q, u_int lineno)
{
	struct say_stdin	*in = q->data;

	cmdq_error(q, "say -: line %u is longer than %d bytes: not sent",
	    lineno, SAY_LINE_MAX);
	in->failed = 1;
}

/* Finish once stdin is over and every line is answered: 1 when done. */
static int
cmd_say_maybe_finish(struct cmdq *q)
{
	struct say_stdin	*in = q->data;
	int			 failed = in->failed;

	if (!in->eof || in->inflight > 0 || in->reading)
		return 0;
	cmd_say_free(q);
	free(in);
	cmdq_finish(q, failed ? EXIT_REFUSED : EXIT_DONE);
	return 1;
}

static void
cmd_say_line(struct cmdq *q, const char *line)
{
	struct say_stdin	*in = q->data;
	json_t			*argv;
	const char		*to = cmdq_get(q, 't');
	char			*cause;

	if (to != NULL)
		argv = json_pack("[s,s,s,s,s]", "say", "-t", to, "--", line);
	else
		argv = json_pack("[s,s,s]", "say", "--", line);
	if (argv == NULL) {
		cmdq_error(q, "say -: a line is not valid UTF-8");
		in->failed = 1;
		return;
	}
	in->inflight++;
	if (cmd_room_call(q->session, argv, 0, cmd_say_done, q,
	    &cause) != 0) {
		in->inflight--;
		in->failed = 1;
		cmdq_error(q, "%s", cause);
		free(cause);
	}
	json_decref(argv);
}

static void
cmd_say_done(int code, const char *out, const char *err, void *arg)
{
	struct cmdq		*q = arg;
	struct say_stdin	*in = q->data;

	(void)out;
	in->inflight--;
	if (code != 0) {
		in->failed = 1;
		if (err != NULL)
			cmdq_write(q, 2, err, strlen(err));
	}
	if (cmd_say_maybe_finish(q))
		return;
	if (!in->eof && !in->reading && in->inflight == SAY_INFLIGHT - 1)
		cmd_say_resume(q);
}

/* The session ended under say -: stop. */
static int
cmd_say_event(struct cmdq *q, json_t *ev, int end)
{
	struct say_stdin	*in = q->data;

	(void)ev;
	if (!end)
		return 0;
	cmd_call_forget(q);
	cmd_say_free(q);
	free(in);
	q->session = NULL;
	cmdq_error(q, "say -: the session ended");
	cmdq_finish(q, EXIT_REFUSED);
	return 1;
}

static void
cmd_say_cancel(struct cmdq *q)
{
	struct say_stdin	*in = q->data;

	cmd_call_forget(q);
	cmd_say_free(q);
	free(in);
}

/* Stop reading; q->data is left for the caller to free. */
static void
cmd_say_free(struct cmdq *q)
{
	struct say_stdin	*in = q->data;

	if (in == NULL)
		return;
	event_free(in->ev);
	evbuffer_free(in->buf);
	in->ev = NULL;
	q->data = NULL;
	if (q->session != NULL)
		session_remove_waiter(q->session, q);
}

static int
cmd_react_exec(struct cmdq *q)
{
	struct room	*r = q->member->room;
	const char	*e = q->args[0];
	char		 err[256];
	json_t		*ev;

	if (strlen(e) > 32 || strpbrk(e, " \t") != NULL ||
	    text_check(e, 32, err, sizeof err) != 0) {
		cmdq_error(q, "react: a reaction is one emoji or a short word "
		    "(at most 32 bytes of UTF-8, no spaces)");
		return EXIT_REFUSED;
	}
	ev = room_event(r, "reaction");
	json_object_set_new(ev, "from", json_string(q->member->name));
	json_object_set_new(ev, "emoji", json_string(e));
	room_broadcast(r, ev);
	json_decref(ev);
	return EXIT_DONE;
}

static int
cmd_history_exec(struct cmdq *q)
{
	struct room		*r = q->member->room;
	struct chat_line	*l;
	size_t			 i;
	uint64_t		 me = q->member->id;

	for (i = 0; i < r->hcount; i++) {
		l = &r->history[(r->hfirst + i) % r->hsize];
		if (l->to != 0 && l->to != me && l->from != me)
			continue;
		events_print(q, l->ev);
	}
	return EXIT_DONE;
}
