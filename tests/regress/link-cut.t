#!/bin/sh
# A link that breaks and heals within the grace period: carol, on node B,
# reaches alice's room on node A through tcpproxy, which is cut for three
# seconds.  Nobody leaves: carol's session lives on, she stays on alice's
# roster, alice sees her reconnect, chat flows both ways again, and what
# alice said while the link was down reaches carol afterwards.
. "$(dirname "$0")/lib.sh"
plan 10

GRACE=15 quick_conf "$T/A.conf"
GRACE=15 quick_conf "$T/B.conf"
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"

session_there() { ctl "$1" -j sessions | jqe --arg n "$2" \
    '.sessions[] | select(.name == $n)'; }
# saw_chat NODE SESSION FROM TEXT: the session's next chat from FROM.
saw_chat() { ctl "$1" -s "$2" -j wait -T 10 chat "$3" | jqe --arg t "$4" \
    '.text == $t'; }
link_away() { ctl A -j status | jqe \
    '.links[] | select(.direction == "in" and .state == "away")'; }

tcpproxy -l 127.0.0.1:0 -t "$addr_A" -p "$T/proxy.port" 2>"$T/proxy.log" &
proxy=$!
track $proxy
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
port=$(cat "$T/proxy.port")

ctl A create standup --as alice >/dev/null
check "carol joins through the proxy" \
    ctl B join "standup@127.0.0.1:$port" --as carol
wait_for 10 in_roster A alice carol

# Cut, and wait until A has seen the link go (carol away on its side).
kill -USR1 $proxy
check "A sees the link from B go away" wait_for 10 link_away
check "alice can chat while the link is down" \
    ctl A -s alice say "said during the cut"
sleep 3
kill -USR2 $proxy

check "alice sees carol reconnect" \
    ctl A -s alice wait -T 10 reconnected carol
check "carol's session on B is still there" session_there B carol
check "carol is still on alice's roster" in_roster A alice carol
check "what alice said during the cut reaches carol" \
    saw_chat B carol alice "said during the cut"
check "carol can chat after healing" ctl B -s carol say "back again"
check "alice sees it" saw_chat A alice carol "back again"
ctl A -s alice say "welcome back"
check "carol sees alice's answer" saw_chat B carol alice "welcome back"
