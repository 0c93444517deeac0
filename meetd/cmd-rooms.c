/* rooms [HOST[:PORT]]: the rooms of this node or of another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meetd.h"

static int	cmd_rooms_exec(struct cmdq *);
static void	cmd_rooms_done(int, const char *, const char *, void *);
static void	cmd_rooms_cancel(struct cmdq *);

const struct cmd_entry cmd_rooms_entry = {
	.name = "rooms",
	.usage = "[HOST[:PORT]]",
	.optstring = "",
	.lower = 0,
	.upper = 1,
	.flags = CMD_REMOTE,
	.exec = cmd_rooms_exec
};

static int
cmd_rooms_exec(struct cmdq *q)
{
	struct node_addr	 na;
	struct peer		*p;
	struct room		*r;
	json_t			*a, *argv;
	char			 err[512], *cause;
	int			 rc;

	if (q->argc == 1) {
		if (q->remote != NULL) {
			cmdq_error(q, "rooms HOST is not relayed");
			return EXIT_REFUSED;
		}
		if (node_addr_parse(q->args[0], ADDR_DEFAULT_PORT, &na, err,
		    sizeof err) != 0) {
			cmdq_error(q, "%s", err);
			return EXIT_USAGE;
		}
		if ((p = peer_get(&na, NULL, &cause)) == NULL) {
			cmdq_error(q, "%s", cause);
			free(cause);
			return EXIT_REFUSED;
		}
		argv = json_pack("[s]", "rooms");
		rc = cmd_peer_call(p, NULL, argv, q->json, cmd_rooms_done, q,
		    &cause);
		json_decref(argv);
		if (rc != 0) {
			cmdq_error(q, "%s", cause);
			free(cause);
			return EXIT_REFUSED;
		}
		q->on_cancel = cmd_rooms_cancel;
		return CMD_WAIT;
	}

	if (q->json) {
		a = json_array();
		TAILQ_FOREACH(r, &rooms, entry)
			json_array_append_new(a, room_summary(r));
		cmdq_json(q, json_pack("{s:o}", "rooms", a));
		return EXIT_DONE;
	}
	if (TAILQ_EMPTY(&rooms))
		return EXIT_DONE;
	cmdq_print(q, "%-20s %-16s %5s %7s %-5s %-6s %s", "ROOM", "HOST",
	    "PEOPLE", "WAITING", "LOBBY", "LOCKED", "RECORDING");
	TAILQ_FOREACH(r, &rooms, entry) {
		cmdq_print(q, "%-20s %-16s %6u %7u %-5s %-6s %s", r->name,
		    r->host != NULL ? r->host->name : "-", r->njoined,
		    r->nwaiting, r->lobby ? "yes" : "no",
		    r->locked ? "yes" : "no", r->recording ? "yes" : "no");
	}
	return EXIT_DONE;
}

static void
cmd_rooms_done(int code, const char *out, const char *err, void *arg)
{
	struct cmdq	*q = arg;

	if (out != NULL)
		cmdq_write(q, 1, out, strlen(out));
	if (err != NULL)
		cmdq_write(q, 2, err, strlen(err));
	q->on_cancel = NULL;
	cmdq_finish(q, code);
}

static void
cmd_rooms_cancel(struct cmdq *q)
{
	cmd_call_forget(q);
}
