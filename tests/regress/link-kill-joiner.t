#!/bin/sh
# The joining node dies (kill -9): the host keeps carol on the roster, away,
# for the grace period in case her node comes back, then drops her and
# tells the room she left, disconnected.
. "$(dirname "$0")/lib.sh"
plan 7

GRACE=2 quick_conf "$T/A.conf"
GRACE=2 quick_conf "$T/B.conf"
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"

roster() { ctl "$1" -s "$2" -j who | jqe --arg n "$3" "$4"; }
in_roster() { roster "$1" "$2" "$3" '.participants[] | select(.name == $n)'; }
off_roster() { roster "$1" "$2" "$3" '[.participants[] | select(.name == $n)] |
    length == 0'; }
link_away() { ctl A -j status | jqe \
    '.links[] | select(.direction == "in" and .state == "away")'; }
saw_chat() { ctl "$1" -s "$2" -j wait -T 10 chat "$3" | jqe --arg t "$4" \
    '.text == $t'; }
left_disconnected() { ctl A -s alice -j wait -T 10 left carol |
    jqe '.reason == "disconnected"'; }

ctl A create standup --as alice >/dev/null
check "carol joins from B" quiet ctl B join "standup@$addr_A" --as carol
wait_for 10 in_roster A alice carol

kill -9 "$pid_B"
wait "$pid_B" 2>/dev/null
check "A sees the link from B go away" wait_for 5 link_away
check "carol is kept on the roster, away, during the grace" \
    in_roster A alice carol
check "alice is told carol left, disconnected" left_disconnected
check "carol is off the roster once the grace is over" \
    wait_for 10 off_roster A alice carol
check "alice's room goes on" ctl A -s alice say "still here"
check "alice sees her own line" saw_chat A alice alice "still here"
