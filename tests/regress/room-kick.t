#!/bin/sh
# kick: the host removes someone, whose session ends with a kicked event.
. "$(dirname "$0")/lib.sh"
plan 7

start_node A
start_node B
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null

check "only the host may kick" expect_code 1 ctl A -s bob kick carol
ctl B -s carol wait -T 10 kicked carol > "$T/carol.kicked" &
w=$!; track $w
sleep 0.2
check "the host kicks carol" ctl A -s alice kick carol
check "carol's wait sees the kick" wait $w
check "it says who did it" contains "$T/carol.kicked" "removed by alice"
check "carol's session on B ended" wait_for 5 no_session B carol
check "carol is off the roster" not_in_roster A alice carol
check "bob saw it" eval 'ctl A -s bob wait -T 5 kicked carol >/dev/null'
