/*
 * Media commands: send, recv, mute and unmute.
 *
 * send and recv run on the session's node, which holds meetctl's pipes
 * (their local hook takes over); what they need of the room they ask of
 * the hosting node as operations of the node protocol (nodeop.h), which
 * run there for the member the session is, wherever the session lives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcmconv.h"

#include "meetd.h"

static int	cmd_send_local(struct cmdq *);
static int	cmd_recv_local(struct cmdq *);
static int	cmd_stream_exec(struct cmdq *);
static int	cmd_mute_exec(struct cmdq *);

#define MEDIA_FLAGS	(CMD_SESSION | CMD_ROOM | CMD_JOINED)

static const struct option cmd_send_longopts[] = {
	{ "audio", no_argument, NULL, 'a' },
	{ "video", no_argument, NULL, 'v' },
	{ "screen", no_argument, NULL, 'd' },
	{ "rate", required_argument, NULL, 'r' },
	{ "channels", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 }
};
static const struct option cmd_recv_longopts[] = {
	{ "audio", no_argument, NULL, 'a' },
	{ "video", no_argument, NULL, 'v' },
	{ "from", required_argument, NULL, 'F' },
	{ "rate", required_argument, NULL, 'r' },
	{ "channels", required_argument, NULL, 'c' },
	{ NULL, 0, NULL, 0 }
};
static const struct option cmd_mute_longopts[] = {
	{ "audio", no_argument, NULL, 'a' },
	{ "video", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_send_entry = {
	.name = "send", .usage = "-a|-v|-d [-r RATE] [-c CH]",
	.optstring = "avdr:c:", .longopts = cmd_send_longopts,
	.lower = 0, .upper = 0, .flags = MEDIA_FLAGS,
	.exec = cmd_stream_exec, .local = cmd_send_local
};
const struct cmd_entry cmd_recv_entry = {
	.name = "recv", .usage = "-a|-v [-F NAME] [-r RATE] [-c CH]",
	.optstring = "avF:r:c:", .longopts = cmd_recv_longopts,
	.lower = 0, .upper = 0, .flags = MEDIA_FLAGS,
	.exec = cmd_stream_exec, .local = cmd_recv_local
};
const struct cmd_entry cmd_mute_entry = {
	.name = "mute", .usage = "[-a|-v] [NAME]", .optstring = "av",
	.longopts = cmd_mute_longopts, .lower = 0, .upper = 1,
	.flags = MEDIA_FLAGS, .exec = cmd_mute_exec
};
const struct cmd_entry cmd_unmute_entry = {
	.name = "unmute", .usage = "[-a|-v]", .optstring = "av",
	.longopts = cmd_mute_longopts, .lower = 0, .upper = 0,
	.flags = MEDIA_FLAGS, .exec = cmd_mute_exec
};

/* -r and -c: 0, or an exit status after saying what is wrong. */
static int
cmd_media_format(struct cmdq *q, int *rate, int *channels)
{
	const char	*v;
	char		*end;
	long		 n;

	*rate = PCMCONV_RATE;
	*channels = 1;
	if ((v = cmdq_get(q, 'r')) != NULL) {
		n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || !pcmconv_rate_valid((int)n)) {
			cmdq_error(q, "%s: rate %s is not one of 8000, 12000, "
			    "16000, 24000, 48000", q->entry->name, v);
			return EXIT_USAGE;
		}
		*rate = (int)n;
	}
	if ((v = cmdq_get(q, 'c')) != NULL) {
		if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0) {
			cmdq_error(q, "%s: channels %s is not 1 or 2",
			    q->entry->name, v);
			return EXIT_USAGE;
		}
		*channels = atoi(v);
	}
	return 0;
}

/* Exactly one of the flags in which; its index, or -1 after an error. */
static int
cmd_media_which(struct cmdq *q, const char *which)
{
	int	i, found = -1, n = 0;

	for (i = 0; which[i] != '\0'; i++) {
		if (cmdq_has(q, which[i])) {
			found = i;
			n++;
		}
	}
	if (n == 1)
		return found;
	cmdq_error(q, "%s: give one of %s", q->entry->name,
	    strcmp(which, "avd") == 0 ? "-a, -v and -d" : "-a and -v");
	cmdq_error(q, "usage: meetctl %s %s", q->entry->name, q->entry->usage);
	return -1;
}

static int
cmd_media_ready(struct cmdq *q)
{
	struct session	*s = q->session;

	if (s->state != SESSION_JOINED) {
		cmdq_error(q, "%s: %s is %s %s", q->entry->name, s->name,
		    s->state == SESSION_WAITING ? "waiting in the lobby of" :
		    "still joining", s->room);
		return EXIT_REFUSED;
	}
	if (q->client == NULL) {
		cmdq_error(q, "%s: only meetctl can stream", q->entry->name);
		return EXIT_REFUSED;
	}
	return 0;
}

static int
cmd_send_local(struct cmdq *q)
{
	static const enum media_kind kinds[] = {
		MEDIA_AUDIO, MEDIA_VIDEO, MEDIA_SCREEN
	};
	char	*cause;
	int	 which, rate, channels, code;

	if ((which = cmd_media_which(q, "avd")) == -1)
		return EXIT_USAGE;
	if ((code = cmd_media_format(q, &rate, &channels)) != 0)
		return code;
	if (which != 0 && (cmdq_has(q, 'r') || cmdq_has(q, 'c'))) {
		cmdq_error(q, "send: -r and -c are for audio");
		return EXIT_USAGE;
	}
	if (q->in_fd != -1 && isatty(q->in_fd)) {
		cmdq_error(q, "send: stdin is a terminal: pipe media into it");
		return EXIT_USAGE;
	}
	if ((code = cmd_media_ready(q)) != 0)
		return code;
	if (stream_send_start(q, kinds[which], rate, channels,
	    &cause) != 0) {
		cmdq_error(q, "send: %s", cause);
		free(cause);
		return EXIT_REFUSED;
	}
	return CMD_WAIT;
}

static int
cmd_recv_local(struct cmdq *q)
{
	const char	*from;
	char		*cause;
	int		 which, rate, channels, code;

	if ((which = cmd_media_which(q, "av")) == -1)
		return EXIT_USAGE;
	if ((code = cmd_media_format(q, &rate, &channels)) != 0)
		return code;
	if (which != 0 && (cmdq_has(q, 'r') || cmdq_has(q, 'c'))) {
		cmdq_error(q, "recv: -r and -c are for audio");
		return EXIT_USAGE;
	}
	from = cmdq_get(q, 'F');
	if (from != NULL && name_valid(from) != 0) {
		cmdq_error(q, "recv: bad name: %s", from);
		return EXIT_USAGE;
	}
	if (from != NULL && strcmp(from, q->session->name) == 0) {
		cmdq_error(q, "recv: %s cannot receive from itself", from);
		return EXIT_USAGE;
	}
	if (q->out_fd != -1 && isatty(q->out_fd)) {
		cmdq_error(q, "recv: stdout is a terminal: pipe it into a "
		    "program (meet-play)");
		return EXIT_USAGE;
	}
	if ((code = cmd_media_ready(q)) != 0)
		return code;
	if (stream_recv_start(q, which == 0 ? MEDIA_AUDIO : MEDIA_VIDEO, from,
	    rate, channels, &cause) != 0) {
		cmdq_error(q, "recv: %s", cause);
		free(cause);
		return EXIT_REFUSED;
	}
	return CMD_WAIT;
}

/* send and recv never run on the room's node for another node. */
static int
cmd_stream_exec(struct cmdq *q)
{
	cmdq_error(q, "%s runs on the node of the session", q->entry->name);
	return EXIT_REFUSED;
}

static int
cmd_mute_exec(struct cmdq *q)
{
	struct member	*m = q->member, *target = m;
	int		 on = (q->entry == &cmd_mute_entry);
	int		 audio, video;

	audio = cmdq_has(q, 'a') || !cmdq_has(q, 'v');
	video = cmdq_has(q, 'v') || !cmdq_has(q, 'a');
	if (q->argc == 1 && strcmp(q->args[0], m->name) != 0) {
		if (m->room->host != m) {
			cmdq_error(q, "mute: only the host (%s) may mute "
			    "others", m->room->host != NULL ?
			    m->room->host->name : "none");
			return EXIT_REFUSED;
		}
		if ((target = room_member(m->room, q->args[0])) == NULL ||
		    target->state != MEMBER_JOINED) {
			cmdq_error(q, "mute: no one called %s in %s",
			    q->args[0], m->room->name);
			return EXIT_REFUSED;
		}
	}
	if (audio)
		media_set_muted(target, MEDIA_AUDIO, on, m->name);
	if (video)
		media_set_muted(target, MEDIA_VIDEO, on, m->name);
	return EXIT_DONE;
}
