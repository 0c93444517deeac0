#!/bin/sh
# A room's life: the host ends it (everyone is told and removed), it ends
# by itself when the last one leaves, and when the host leaves the one
# present longest becomes host.
. "$(dirname "$0")/lib.sh"
plan 12

start_node A
start_node B

# End by the host, with a participant on another node.
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
ctl A -s bob wait -T 10 ended > "$T/bob.ended" &
w1=$!; track $w1
ctl B -s carol wait -T 10 ended > "$T/carol.ended" &
w2=$!; track $w2
sleep 0.3
check "only the host may end" expect_code 1 ctl A -s bob end
check "the host ends the meeting" ctl A -s alice end
check "bob is told" wait $w1
check "carol on B is told" wait $w2
check "the ended line names the host" contains "$T/carol.ended" "ended by alice"
check "the sessions are gone" eval \
    'no_session A bob && no_session A alice'
check "carol's session on B is gone" wait_for 5 no_session B carol
check "nobody can join the ended room" expect_code 1 \
    ctl A join standup --as dave

# Hand-over, then the room ends when empty.
ctl A create daily --as alice >/dev/null
ctl A join daily --as bob >/dev/null
ctl B join "daily@$addr_A" --as carol >/dev/null
ctl A -s alice leave >/dev/null
check "bob, present longest, is now host" eval \
    'ctl A -s bob -j wait -T 5 host bob | jqe ".name == \"bob\""'
check "carol is told too" eval \
    'ctl B -s carol -j wait -T 5 host | jqe ".name == \"bob\""'
check "the new host can lock" ctl A -s bob lock
ctl A -s bob leave >/dev/null
ctl B -s carol leave >/dev/null
check "the empty room ends by itself" wait_for 5 eval \
    'test "$(ctl A -j rooms | jq ".rooms | length")" = 0'
