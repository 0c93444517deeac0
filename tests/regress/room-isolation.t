#!/bin/sh
# Two rooms in parallel on one node, with different hosts: nothing of one
# reaches the other, and ending one leaves the other running.
. "$(dirname "$0")/lib.sh"
plan 9

hears() { ctl "$1" -s "$2" wait -T 5 chat "$3" >/dev/null; }

start_node A
ctl A create red --as alice >/dev/null
ctl A join red --as bob >/dev/null
ctl A create blue --as dave >/dev/null
ctl A join blue --as erin >/dev/null
ctl A -s alice say secret of red
ctl A -s dave say secret of blue
ctl A -s erin react 👍

check "bob hears red's chat" hears A bob alice
check "erin hears blue's chat" hears A erin dave
ctl A -s bob events > "$T/bob.ev"
ctl A -s erin events > "$T/erin.ev"
check "nothing of blue reaches red" eval "! grep -E 'blue|dave|erin|👍' $T/bob.ev"
check "nothing of red reaches blue" eval "! grep -E 'red|alice|bob' $T/erin.ev"
check "red's roster has no one of blue" eval \
    "! ctl A -s bob who | grep -E 'dave|erin'"
ctl A -s alice end >/dev/null
check "after red ends, blue still runs" ctl A -s dave say still here
check "erin still hears dave" hears A erin dave
check "rooms lists only blue" test \
    "$(ctl A -j rooms | jq -c '[.rooms[].name]')" = '["blue"]'
check "red's sessions are gone" eval \
    'no_session A alice && no_session A bob'
