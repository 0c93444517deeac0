#!/bin/sh
# The lobby and the host's powers between browsers and the CLI: a wrong
# password, a denied, a kicked and a token-bearing browser, a meeting that
# ends under a page; a page that hosts, admits, mutes and removes a CLI
# participant.  tests/browser/lobby.mjs holds the steps.
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

web_need_browser
web_conf "$T/a.conf"
start_node a -f "$T/a.conf"
ctl a create standup --as alice -a -p sesame >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
web_scenario a lobby.mjs
