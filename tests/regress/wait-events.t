#!/bin/sh
# events and wait: wait returns the oldest matching event no earlier wait
# returned, including ones before it was called; -n only new ones; -T
# bounds it; events -f follows until the session ends.
. "$(dirname "$0")/lib.sh"
plan 8

start_node A
ctl A create standup --as alice -a >/dev/null
ctl A join standup --as bob --no-wait >/dev/null
ctl A join standup --as carol --no-wait >/dev/null
check "a knock from before the wait counts" eval \
    'ctl A -s alice wait -T 2 knock | grep -q bob'
check "the next wait takes the next knock" eval \
    'ctl A -s alice wait -T 2 knock | grep -q carol'
check "no third knock: timeout, exit 1" expect_code 1 \
    ctl A -s alice wait -T 0.5 knock
check "-n ignores what came before" expect_code 1 \
    ctl A -s alice wait -n -T 0.5 joined alice
check "an unknown event is a usage error" expect_code 2 \
    ctl A -s alice wait knok

ctl A -s bob events -f > "$T/follow" &
f=$!; track $f
ctl A -s alice admit bob >/dev/null
ctl A -s alice say hi bob
wait_for 5 grep -q "hi bob" "$T/follow"
check "events -f follows" contains "$T/follow" "<alice> hi bob"
ctl A -s alice kick bob >/dev/null
check "events -f ends with the session" wait $f
check "its last line is the kick" eval \
    'tail -n 1 "$T/follow" | grep -q "removed by alice"'
