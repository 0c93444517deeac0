/*
 * Room events: how they are made, printed and matched.  An event is a JSON
 * object with at least ts (ISO 8601 UTC, milliseconds), event and room.
 */
#include <stdio.h>
#include <string.h>

#include "meetd.h"

static const char *ev_str(json_t *, const char *);

json_t *
events_new(const char *type, const char *room)
{
	char	ts[TIMESTAMP_LEN];

	timestamp_iso(now_usec(), ts);
	return json_pack("{s:s,s:s,s:s}", "ts", ts, "event", type, "room",
	    room);
}

static const char *
ev_str(json_t *ev, const char *key)
{
	const char	*s = json_string_value(json_object_get(ev, key));

	return s != NULL ? s : "?";
}

/* Print an event for a person ("[HH:MM:SS] ...") or as a JSON line. */
void
events_print(struct cmdq *q, json_t *ev)
{
	const char	*type = ev_str(ev, "event"), *ts = ev_str(ev, "ts");
	const char	*name = ev_str(ev, "name"), *reason;
	char		 clock[9];
	json_t		*to;

	if (q->json) {
		cmdq_json(q, json_incref(ev));
		return;
	}
	if (strlen(ts) >= 19)
		snprintf(clock, sizeof clock, "%.8s", ts + 11);
	else
		snprintf(clock, sizeof clock, "--:--:--");
	reason = json_string_value(json_object_get(ev, "reason"));
	if (reason != NULL && strcmp(reason, "left") == 0)
		reason = NULL;

	if (strcmp(type, "chat") == 0) {
		to = json_object_get(ev, "to");
		if (json_is_string(to))
			cmdq_print(q, "[%s] <%s> [to %s] %s", clock,
			    ev_str(ev, "from"), json_string_value(to),
			    ev_str(ev, "text"));
		else
			cmdq_print(q, "[%s] <%s> %s", clock,
			    ev_str(ev, "from"), ev_str(ev, "text"));
	} else if (strcmp(type, "reaction") == 0)
		cmdq_print(q, "[%s] * %s reacts %s", clock, ev_str(ev, "from"),
		    ev_str(ev, "emoji"));
	else if (strcmp(type, "joined") == 0)
		cmdq_print(q, "[%s] * %s joined", clock, name);
	else if (strcmp(type, "left") == 0)
		cmdq_print(q, "[%s] * %s left%s%s%s", clock, name,
		    reason != NULL ? " (" : "", reason != NULL ? reason : "",
		    reason != NULL ? ")" : "");
	else if (strcmp(type, "knock") == 0)
		cmdq_print(q, "[%s] * %s is waiting in the lobby (admit %s, "
		    "or deny %s)", clock, name, name, name);
	else if (strcmp(type, "gave-up") == 0)
		cmdq_print(q, "[%s] * %s gave up waiting", clock, name);
	else if (strcmp(type, "admitted") == 0)
		cmdq_print(q, "[%s] * %s was admitted", clock, name);
	else if (strcmp(type, "denied") == 0)
		cmdq_print(q, "[%s] * %s was turned away", clock, name);
	else if (strcmp(type, "kicked") == 0)
		cmdq_print(q, "[%s] * %s was removed by %s", clock, name,
		    ev_str(ev, "by"));
	else if (strcmp(type, "host") == 0)
		cmdq_print(q, "[%s] * %s is now the host", clock, name);
	else if (strcmp(type, "locked") == 0 || strcmp(type, "unlocked") == 0)
		cmdq_print(q, "[%s] * %s %s the room", clock, ev_str(ev, "by"),
		    type);
	else if (strcmp(type, "ended") == 0)
		cmdq_print(q, "[%s] * the meeting was ended%s%s", clock,
		    json_object_get(ev, "by") != NULL ? " by " :
		    (reason != NULL ? ": " : ""),
		    json_object_get(ev, "by") != NULL ? ev_str(ev, "by") :
		    (reason != NULL ? reason : ""));
	else if (strcmp(type, "file") == 0)
		cmdq_print(q, "[%s] * %s shared %s%s%s (%lld bytes): meetctl file "
		    "get %s", clock, ev_str(ev, "from"), ev_str(ev, "name"),
		    json_object_get(ev, "to") != NULL ? " with " : "",
		    json_object_get(ev, "to") != NULL ? ev_str(ev, "to") : "",
		    (long long)json_integer_value(json_object_get(ev, "size")),
		    ev_str(ev, "id"));
	else if (strcmp(type, "muted") == 0 || strcmp(type, "unmuted") == 0)
		cmdq_print(q, "[%s] * %s %s %s%s%s", clock, name, type,
		    ev_str(ev, "media"), strcmp(ev_str(ev, "by"), name) != 0 ?
		    " by " : "", strcmp(ev_str(ev, "by"), name) != 0 ?
		    ev_str(ev, "by") : "");
	else if (strcmp(type, "recording") == 0)
		cmdq_print(q, "[%s] * recording %s%s%s%s%s: %s", clock,
		    ev_str(ev, "state"), json_object_get(ev, "by") != NULL ?
		    " by " : "", json_object_get(ev, "by") != NULL ?
		    ev_str(ev, "by") : "", reason != NULL ? ", " : "",
		    reason != NULL ? reason : "", ev_str(ev, "path"));
	else if (strcmp(type, "reconnected") == 0)
		cmdq_print(q, "[%s] * %s reconnected", clock, name);
	else if (strcmp(type, "disconnected") == 0)
		cmdq_print(q, "[%s] * disconnected from %s: %s", clock,
		    ev_str(ev, "room"), reason != NULL ? reason : "link lost");
	else
		cmdq_print(q, "[%s] * %s %s", clock, type, name);
}

/*
 * Does ev match what wait asks for: its type, and when name is given, the
 * participant it is about (name) or from (from).
 */
int
events_match(json_t *ev, const char *type, const char *name)
{
	const char	*s;

	if (strcmp(ev_str(ev, "event"), type) != 0)
		return 0;
	if (name == NULL)
		return 1;
	if ((s = json_string_value(json_object_get(ev, "name"))) != NULL &&
	    strcmp(s, name) == 0)
		return 1;
	if ((s = json_string_value(json_object_get(ev, "from"))) != NULL &&
	    strcmp(s, name) == 0)
		return 1;
	/* Who did it: wait recording alice. */
	if ((s = json_string_value(json_object_get(ev, "by"))) != NULL &&
	    strcmp(s, name) == 0)
		return 1;
	return 0;
}
