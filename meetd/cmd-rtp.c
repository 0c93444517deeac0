/*
 * rtp: add a plain-RTP participant (rtp-peer.c) to the session's room.  It
 * runs on the node hosting the room, which gives the participant its port.
 */
#include <stdlib.h>

#include "meetd.h"

static int	cmd_rtp_exec(struct cmdq *);

static const struct option cmd_rtp_longopts[] = {
	{ "as", required_argument, NULL, 'A' },
	{ "peer", required_argument, NULL, 'P' },
	{ "audio", required_argument, NULL, 'a' },
	{ "video", required_argument, NULL, 'v' },
	{ "video-from", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_rtp_entry = {
	.name = "rtp",
	.usage = "[--audio opus|l16] [--video jpeg] [--video-from NAME] "
	    "--as NAME --peer ADDR:PORT",
	.optstring = "A:P:a:v:f:", .longopts = cmd_rtp_longopts,
	.lower = 0, .upper = 0, .flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_rtp_exec
};

static int
cmd_rtp_exec(struct cmdq *q)
{
	char	*cause;

	if (rtp_peer_add(q, &cause) != 0) {
		cmdq_error(q, "rtp: %s", cause);
		free(cause);
		return EXIT_REFUSED;
	}
	return EXIT_DONE;
}
