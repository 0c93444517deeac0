/*
 * rtp: add a plain-RTP participant to the session's room.  It runs on the
 * node hosting the room, which checks what was asked, adds the member,
 * gives it a UDP port of its own, makes its SRTP key with --srtp, and
 * prints the SDP the peer receives with; the room's worker runs it from
 * then on (rtp-peer.c).
 */
#include <sys/socket.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "srtpctx.h"

#include "meetd.h"

static char	*cmd_rtp_sdp(const struct media_msg_rtp_peer *, const char *,
		    const char *, int, const char *);
static int	 cmd_rtp_port(const struct sockaddr_storage *, const char *,
		    char *, size_t, char **);
static int	 cmd_rtp_add(struct cmdq *, char **);
static int	 cmd_rtp_exec(struct cmdq *);

static const struct option cmd_rtp_longopts[] = {
	{ "as", required_argument, NULL, 'A' },
	{ "peer", required_argument, NULL, 'P' },
	{ "audio", required_argument, NULL, 'a' },
	{ "video", required_argument, NULL, 'v' },
	{ "video-from", required_argument, NULL, 'f' },
	{ "srtp", no_argument, NULL, 'S' },		/* long only */
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_rtp_entry = {
	.name = "rtp",
	.usage = "[--audio opus|l16] [--video jpeg] [--video-from NAME] "
	    "[--srtp] --as NAME --peer ADDR:PORT",
	.optstring = "A:P:a:v:f:", .longopts = cmd_rtp_longopts,
	.lower = 0, .upper = 0, .flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_rtp_exec
};

/*
 * The SDP a peer reads to receive what the node sends it; with a key, each
 * m= line is RTP/SAVP and carries it (RFC 4568).
 */
static char *
cmd_rtp_sdp(const struct media_msg_rtp_peer *mp, const char *room,
    const char *host, int port, const char *key)
{
	const char	*ip = strchr(host, ':') != NULL ? "IP6" : "IP4";
	const char	*proto = key != NULL ? "RTP/SAVP" : "RTP/AVP";
	char		*sdp, *video = NULL, *crypto = NULL;

	if (key != NULL)
		xasprintf(&crypto, "a=crypto:1 %s inline:%s\r\n",
		    srtpctx_suite(SRTPCTX_AES_CM_128_HMAC_SHA1_80), key);
	if (mp->video)
		xasprintf(&video, "m=video %d %s %d\r\n"
		    "a=rtpmap:%d JPEG/90000\r\n"
		    "%s"
		    "a=recvonly\r\n", port + 2, proto, MEDIA_PT_JPEG,
		    MEDIA_PT_JPEG, crypto != NULL ? crypto : "");
	xasprintf(&sdp, "v=0\r\n"
	    "o=- %u 1 IN %s %s\r\n"
	    "s=meet room %s\r\n"
	    "c=IN %s %s\r\n"
	    "t=0 0\r\n"
	    "m=audio %d %s %d\r\n"
	    "a=rtpmap:%d %s\r\n"
	    "%s"
	    "a=recvonly\r\n"
	    "%s",
	    arc4random(), ip, host, room, ip, host, port, proto,
	    mp->l16 ? MEDIA_PT_L16 : MEDIA_PT_OPUS,
	    mp->l16 ? MEDIA_PT_L16 : MEDIA_PT_OPUS,
	    mp->l16 ? "L16/48000/1" : "opus/48000/2",
	    crypto != NULL ? crypto : "", video != NULL ? video : "");
	free(crypto);
	free(video);
	return sdp;
}

/*
 * The peer's port, on the node's address in the family of where it
 * listens: its fd, or -1 and *cause.  Opened here, read on the room's
 * worker once the fd is handed over.
 */
static int
cmd_rtp_port(const struct sockaddr_storage *to, const char *peer,
    char *send_to, size_t len, char **cause)
{
	struct sockaddr_storage	 local;
	socklen_t		 local_len;
	int			 fd;

	if (listen_udp_address(&local, &local_len) != 0 ||
	    local.ss_family != to->ss_family) {
		xasprintf(cause, "--peer %s: this node does not listen on "
		    "that address family", peer);
		return -1;
	}
	sockaddr_set_port(&local, 0);
	if ((fd = udp_bind((struct sockaddr *)&local, local_len,
	    cause)) == -1)
		return -1;
	local_len = sizeof local;
	if (getsockname(fd, (struct sockaddr *)&local, &local_len) != 0) {
		xasprintf(cause, "--peer %s: cannot read the port's address",
		    peer);
		close(fd);
		return -1;
	}
	sockaddr_string((struct sockaddr *)&local, send_to, len);
	return fd;
}

/*
 * rtp --as NAME --peer ADDR:PORT on the hosting node, for q->member: 0 and
 * the SDP printed, or -1 and *cause.  Control checks and adds the member,
 * opens its port and makes its SRTP key; the room's worker runs the peer
 * from then on (rtp-peer.c).
 */
static int
cmd_rtp_add(struct cmdq *q, char **cause)
{
	struct member			*by = q->member, *m;
	struct room			*r = by->room;
	struct media_msg_rtp_peer	 mp;
	struct node_addr		 na;
	const char			*name, *peer, *audio, *video, *from;
	char				 err[256], *sdp;
	char				 key[SRTPCTX_KEY_B64_MAX + 1];

	name = cmdq_get(q, 'A');
	peer = cmdq_get(q, 'P');
	audio = cmdq_get(q, 'a');
	video = cmdq_get(q, 'v');
	from = cmdq_get(q, 'f');
	if (name == NULL || peer == NULL) {
		xasprintf(cause, "--as NAME and --peer ADDR:PORT are needed");
		return -1;
	}
	if (name_valid(name) != 0) {
		xasprintf(cause, "bad name: %s", name);
		return -1;
	}
	if (audio != NULL && strcmp(audio, "opus") != 0 &&
	    strcmp(audio, "l16") != 0) {
		xasprintf(cause, "--audio is opus or l16, not %s", audio);
		return -1;
	}
	if (video != NULL && strcmp(video, "jpeg") != 0) {
		xasprintf(cause, "--video is jpeg, not %s", video);
		return -1;
	}
	if (from != NULL && name_valid(from) != 0) {
		xasprintf(cause, "bad name: %s", from);
		return -1;
	}
	if (r->lobby && r->host != by) {
		xasprintf(cause, "%s has a lobby: only the host (%s) may add "
		    "participants", r->name, r->host != NULL ?
		    r->host->name : "none");
		return -1;
	}
	if (node_addr_parse(peer, 0, &na, err, sizeof err) != 0 ||
	    na.port == 0 || na.port > 65533) {
		xasprintf(cause, "--peer %s: %s", peer, na.port == 0 ||
		    na.port > 65533 ? "give a port (up to 65533)" : err);
		return -1;
	}
	memset(&mp, 0, sizeof mp);
	if (node_addr_resolve(&na, AF_UNSPEC, SOCK_DGRAM, AI_NUMERICHOST,
	    &mp.audio_to, &mp.to_len, err, sizeof err) != 0) {
		xasprintf(cause, "--peer %s: a numeric address is needed (%s)",
		    peer, err);
		return -1;
	}
	memcpy(&mp.video_to, &mp.audio_to, sizeof mp.video_to);
	sockaddr_set_port(&mp.video_to, na.port + 2);
	mp.l16 = audio != NULL && strcmp(audio, "l16") == 0;
	mp.video = video != NULL;
	snprintf(mp.video_from, sizeof mp.video_from, "%s",
	    from != NULL ? from : "");
	if (r->worker == NULL) {
		xasprintf(cause, "the node is shutting down");
		return -1;
	}
	mp.fd = cmd_rtp_port(&mp.audio_to, peer, mp.send_to,
	    sizeof mp.send_to, cause);
	if (mp.fd == -1)
		return -1;
	if ((m = room_add_plain(r, name, cause)) == NULL) {
		close(mp.fd);
		return -1;
	}
	mp.audio_ssrc = m->rtp_ssrc[0] = media_new_ssrc(NULL);
	mp.video_ssrc = m->rtp_ssrc[1] = media_new_ssrc(NULL);
	m->rtp = 1;
	mp.srtp = cmdq_has(q, 'S');
	if (mp.srtp) {
		srtpctx_key_make(&mp.srtp_key,
		    SRTPCTX_AES_CM_128_HMAC_SHA1_80);
		srtpctx_key_base64(&mp.srtp_key, key);
	}

	sdp = cmd_rtp_sdp(&mp, r->name, na.host, na.port,
	    mp.srtp ? key : NULL);
	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s,s:s,s:i,s:o?,s:s?,s:s?}",
		    "name", name, "sdp", sdp, "send_to", mp.send_to,
		    "audio_port", na.port, "video_port", mp.video ?
		    json_integer(na.port + 2) : NULL, "srtp_key", mp.srtp ?
		    key : NULL, "srtp_suite", mp.srtp ?
		    srtpctx_suite(SRTPCTX_AES_CM_128_HMAC_SHA1_80) : NULL));
	else
		cmdq_write(q, 1, sdp, strlen(sdp));
	free(sdp);
	explicit_bzero(key, sizeof key);
	log_info("room %s: %s is a plain-RTP participant at %s, sending to "
	    "%s%s", r->name, name, peer, mp.send_to, mp.srtp ?
	    ", with SRTP" : "");
	/* From here on its port is the worker's. */
	media_peer_attach(r, m, &mp);
	srtpctx_key_clear(&mp.srtp_key);
	return 0;
}

static int
cmd_rtp_exec(struct cmdq *q)
{
	char	*cause;

	if (cmd_rtp_add(q, &cause) != 0) {
		cmdq_error(q, "rtp: %s", cause);
		free(cause);
		return EXIT_REFUSED;
	}
	return EXIT_DONE;
}
