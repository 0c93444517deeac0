#!/bin/sh
# [media] rtp_timeout: a plain-RTP participant that sends nothing for that
# long leaves the room, as the roster and a left event show; one that
# keeps sending stays.  With the default (0) nobody is timed out.
. "$(dirname "$0")/lib.sh"
plan 4

printf '[media]\nrtp_timeout = 1.5\n' >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
for n in A B; do
	ctl $n create r --as alice >/dev/null
	ctl $n -s alice rtp --as quiet --peer 127.0.0.1:9 >/dev/null
done
ctl A -s alice -j rtp --as talker --peer 127.0.0.1:9 >"$T/talker.json"
to=$(jq -r .send_to "$T/talker.json")
# talker sends RTP every 100 ms from 127.0.0.1 (any port is its own).
rtp-inject -n 40 -i 100 "$to" rtp 0x1234 111 >/dev/null 2>>"$T/inject.log" &
track $!
check "the silent participant leaves after the timeout" \
    wait_for 6 not_in_roster A alice quiet
check "the room is told it left" eval 'ctl A -s alice -j events |
    jqe -s "any(.[]; .event == \"left\" and .name == \"quiet\")"'
check "the one sending stays" in_roster A alice talker
check "with rtp_timeout 0 nobody is timed out" in_roster B alice quiet
