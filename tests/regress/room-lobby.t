#!/bin/sh
# The lobby: joiners wait, the host hears a knock and admits or denies;
# a waiting joiner can give up.  Across nodes too.
. "$(dirname "$0")/lib.sh"
plan 13

start_node A
start_node B
ctl A create standup --as alice -a >/dev/null

ctl A join standup --as bob > "$T/bob.out" 2>&1 &
jb=$!; track $jb
check "the host hears bob knock" eval \
    'ctl A -s alice wait -T 5 knock bob >/dev/null'
check "bob waits" eval 'ctl A -j sessions |
    jqe ".sessions[] | select(.name == \"bob\") | .state == \"waiting\""'
check "a waiting participant cannot chat" expect_code 1 \
    ctl A -s bob say hello
check "the host admits bob" ctl A -s alice admit bob
check "bob's join returns 0 once admitted" wait $jb
check "bob is in" in_roster A alice bob

ctl B join "standup@$addr_A" --as carol > "$T/carol.out" 2>&1 &
jc=$!; track $jc
ctl A -s alice wait -T 5 knock carol >/dev/null
check "only the host may admit" expect_code 1 ctl A -s bob admit carol
check "the others do not see the lobby" eval \
    '! ctl A -s bob who | grep -q carol'
ctl A -s alice deny carol >/dev/null
wait $jc
check "a denied join exits 4" test $? = 4
check "it says so" contains "$T/carol.out" "turned away"

# Giving up: the waiting client goes away.
# meetctl itself, not the ctl function: $! must be its pid to kill it.
meetctl -S "$T/A.sock" join standup --as dave >/dev/null 2>&1 &
jd=$!; track $jd
ctl A -s alice wait -T 5 knock dave >/dev/null
kill $jd
check "the host hears dave give up" eval \
    'ctl A -s alice wait -T 5 gave-up dave >/dev/null'
check "dave's session is gone" wait_for 5 no_session A dave

# --no-wait, then wait admitted.
ctl B join "standup@$addr_A" --as erin --no-wait >/dev/null
ctl A -s alice wait -T 5 knock erin >/dev/null
ctl A -s alice admit erin >/dev/null
check "wait admitted returns after --no-wait" eval \
    'ctl B -s erin wait -T 5 admitted >/dev/null'
