/*
 * token: the host mints a join token, a signed pass that lets NAME into
 * the room without the lobby or the password (join --token), and makes
 * its holder a co-host with --host.  It runs on the node hosting the room,
 * since only that node's secret signs what that node will accept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "meetd.h"
#include "token.h"

#define TOKEN_TTL_DEFAULT	86400		/* a day */
#define TOKEN_TTL_MAX		(366 * 86400)	/* a year */

static int	cmd_token_local(struct cmdq *);
static int	cmd_token_exec(struct cmdq *);
static int	cmd_token_ttl(struct cmdq *, int64_t *);

static const struct option cmd_token_longopts[] = {
	{ "as", required_argument, NULL, 'A' },
	{ "ttl", required_argument, NULL, 'L' },	/* long only */
	{ "host", no_argument, NULL, 'H' },		/* long only */
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_token_entry = {
	.name = "token",
	.usage = "ROOM[@HOST[:PORT]] --as NAME [--ttl SECONDS] [--host]",
	.optstring = "A:",
	.longopts = cmd_token_longopts,
	.lower = 1,
	.upper = 1,
	.flags = CMD_SESSION | CMD_ROOM | CMD_JOINED | CMD_HOST,
	.exec = cmd_token_exec,
	.local = cmd_token_local
};

/*
 * On meetctl's node: ROOM must be the room of the session the command acts
 * for, as that session names it, or the token would be for another room.
 */
static int
cmd_token_local(struct cmdq *q)
{
	struct session		*s = q->session;
	struct node_addr	 na;
	char			 room[NAME_MAX_LEN + 1];
	char			 where[ADDR_HOST_MAX + 8], err[512];
	char			 in[NAME_MAX_LEN + ADDR_HOST_MAX + 16];
	int			 remote;

	if (room_addr_parse(q->args[0], room, &remote, &na, err,
	    sizeof err) != 0) {
		cmdq_error(q, "%s", err);
		return EXIT_USAGE;
	}
	where[0] = '\0';
	if (remote)
		node_addr_format(&na, where, sizeof where);
	if (strcmp(room, s->room) != 0 || strcmp(where, s->where) != 0) {
		cmdq_error(q, "%s is in %s, not %s: pick the host's session "
		    "with -s", s->name, session_room_string(s, in, sizeof in),
		    q->args[0]);
		return EXIT_REFUSED;
	}
	return 0;
}

/* --ttl SECONDS into *ttl; -1 after printing why. */
static int
cmd_token_ttl(struct cmdq *q, int64_t *ttl)
{
	const char	*s = cmdq_get(q, 'L');
	char		*end;
	long long	 l;

	*ttl = TOKEN_TTL_DEFAULT;
	if (s == NULL)
		return 0;
	l = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || l < 1 || l > TOKEN_TTL_MAX) {
		cmdq_error(q, "bad --ttl %s: seconds, from 1 to %d (a year)", s,
		    TOKEN_TTL_MAX);
		return -1;
	}
	*ttl = l;
	return 0;
}

/* On the hosting node, for its host (or a co-host). */
static int
cmd_token_exec(struct cmdq *q)
{
	struct room		*r = q->member->room;
	struct token_claims	 c;
	struct node_addr	 na;
	uint8_t			 secret[TOKEN_SECRET_LEN];
	const char		*name;
	char			 room[NAME_MAX_LEN + 1], err[512];
	char			 expires[TIMESTAMP_LEN], *token;
	int64_t			 ttl, now;
	int			 remote;

	if (room_addr_parse(q->args[0], room, &remote, &na, err,
	    sizeof err) != 0) {
		cmdq_error(q, "%s", err);
		return EXIT_USAGE;
	}
	if (strcmp(room, r->name) != 0) {
		cmdq_error(q, "%s is in %s, not %s", q->member->name, r->name,
		    room);
		return EXIT_REFUSED;
	}
	if ((name = cmdq_get(q, 'A')) == NULL) {
		cmdq_error(q, "token: say whom it is for with --as NAME");
		return EXIT_USAGE;
	}
	if (name_valid(name) != 0) {
		cmdq_error(q, "bad name: %s (letters, digits, '.', '_' and "
		    "'-', 1 to %d of them)", name, NAME_MAX_LEN);
		return EXIT_USAGE;
	}
	if (cmd_token_ttl(q, &ttl) != 0)
		return EXIT_USAGE;

	now = (int64_t)(now_usec() / 1000000);
	memset(&c, 0, sizeof c);
	snprintf(c.room, sizeof c.room, "%s", r->name);
	snprintf(c.name, sizeof c.name, "%s", name);
	c.iat = now;
	c.exp = now + ttl;
	c.host = cmdq_has(q, 'H');
	snprintf(c.iss, sizeof c.iss, "%s", nodekey_own_fingerprint());
	if (room_token_secret(secret) != 0) {
		cmdq_error(q, "this node has no key to sign tokens with");
		return EXIT_REFUSED;
	}
	token = token_mint(&c, secret, sizeof secret);
	OPENSSL_cleanse(secret, sizeof secret);
	if (token == NULL) {
		cmdq_error(q, "the token for %s could not be signed", name);
		return EXIT_REFUSED;
	}

	timestamp_iso((uint64_t)c.exp * 1000000, expires);
	log_info("room %s: %s made a %stoken for %s, until %s", r->name,
	    q->member->name, c.host ? "co-host " : "", name, expires);
	if (q->json)
		cmdq_json(q, json_pack("{s:s,s:s,s:s,s:s,s:b}", "token", token,
		    "room", r->name, "name", name, "expires", expires, "host",
		    c.host));
	else
		cmdq_print(q, "%s", token);
	free(token);
	return EXIT_DONE;
}
