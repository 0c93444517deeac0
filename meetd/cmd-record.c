/*
 * record start [-o PATH], record stop, record status: recording the meeting
 * (record.c).  They run on the node hosting the room, which has all of its
 * media; PATH is a path on that node, relative to [record] dir unless it
 * starts with '/'.  The host may start and stop a recording, or anyone when
 * [record] anyone is 1; everyone may ask its status.
 */
#include <stdlib.h>
#include <string.h>

#include "meetd.h"

static int	cmd_record_exec(struct cmdq *);

static const struct option cmd_record_longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_record_entry = {
	.name = "record", .usage = "start [-o PATH] | stop | status",
	.optstring = "o:", .longopts = cmd_record_longopts,
	.lower = 1, .upper = 1, .flags = CMD_SESSION | CMD_ROOM | CMD_JOINED,
	.exec = cmd_record_exec
};

static int
cmd_record_status(struct cmdq *q, struct room *r)
{
	json_t	*o;

	if ((o = media_record_status(r)) == NULL) {
		if (q->json)
			cmdq_json(q, json_pack("{s:b}", "recording", 0));
		else
			cmdq_print(q, "%s is not being recorded", r->name);
		return EXIT_DONE;
	}
	if (q->json) {
		cmdq_json(q, o);
		return EXIT_DONE;
	}
	cmdq_print(q, "%s is being recorded to %s by %s for %.0f s", r->name,
	    json_string_value(json_object_get(o, "path")),
	    json_string_value(json_object_get(o, "by")),
	    json_real_value(json_object_get(o, "seconds")));
	json_decref(o);
	return EXIT_DONE;
}

static int
cmd_record_exec(struct cmdq *q)
{
	struct member	*m = q->member;
	struct room	*r = m->room;
	const char	*what = q->args[0];
	char		*cause;
	json_t		*o;

	if (strcmp(what, "status") == 0)
		return cmd_record_status(q, r);
	if (strcmp(what, "start") != 0 && strcmp(what, "stop") != 0) {
		cmdq_error(q, "record: %s is not start, stop or status", what);
		cmdq_error(q, "usage: meetctl record %s", q->entry->usage);
		return EXIT_USAGE;
	}
	if (cmdq_has(q, 'o') && strcmp(what, "start") != 0) {
		cmdq_error(q, "record: -o goes with start");
		return EXIT_USAGE;
	}
	if (r->host != m && !cfg->record_anyone) {
		cmdq_error(q, "record: only the host (%s) may %s recording",
		    r->host != NULL ? r->host->name : "none", what);
		return EXIT_REFUSED;
	}
	if (strcmp(what, "stop") == 0) {
		if (!r->recording) {
			cmdq_error(q, "record: %s is not being recorded",
			    r->name);
			return EXIT_REFUSED;
		}
		media_record_stop(r, m->name);
		return EXIT_DONE;
	}
	if (media_record_start(r, cmdq_get(q, 'o'), m->name, &cause) != 0) {
		cmdq_error(q, "record: %s", cause);
		free(cause);
		return EXIT_REFUSED;
	}
	if ((o = media_record_status(r)) == NULL)
		o = json_pack("{s:b}", "recording", 0);	/* it failed at once */
	if (q->json)
		cmdq_json(q, o);
	else {
		cmdq_print(q, "recording %s to %s", r->name,
		    json_string_value(json_object_get(o, "path")));
		json_decref(o);
	}
	return EXIT_DONE;
}
