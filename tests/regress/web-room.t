#!/bin/sh
# Two browsers (Debian's chromium, headless) and a CLI session in a room:
# the lobby, who, chat both ways, private chat, reactions, talking, a
# shared file downloaded from the page, speaker view and pinning, a
# screenshot, leaving.  tests/browser/room.mjs holds the steps.
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

web_need_browser
web_conf "$T/a.conf"
start_node a -f "$T/a.conf"
ctl a create standup --as alice -a >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
printf 'the notes of the meeting\n' >"$T/notes.txt"
web_scenario a room.mjs
