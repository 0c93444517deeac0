#!/bin/sh
# A browser whose page is served by node b joins a room on node hub: its
# session goes through b's link like a CLI session's (the lobby, who, chat
# both ways, kick).  tests/browser/remote.mjs holds the steps.
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

web_need_browser
printf '[node]\nname = hubnode\n[web]\nlisten =\n' >"$T/hub.conf"
start_node hub -f "$T/hub.conf"
web_conf "$T/b.conf"
printf '[node]\nname = bnode\n' >>"$T/b.conf"
start_node b -f "$T/b.conf"
head -c 3000000 /dev/urandom >"$T/agenda.bin"
head -c 40000000 /dev/zero >"$T/big.bin"
ctl hub create hub --as alice -a >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
MEET_HUB="$addr_hub" MEET_HUB_SOCK="$T/hub.sock" MEET_NODE_NAME=bnode \
    web_scenario b remote.mjs
