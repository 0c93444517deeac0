#!/bin/sh
# The hosting node dies (kill -9): carol's node finds the link gone,
# retries through the grace period, then ends her session with a
# disconnected event.  Node B itself carries on.
. "$(dirname "$0")/lib.sh"
plan 7

GRACE=2 quick_conf "$T/A.conf"
GRACE=2 quick_conf "$T/B.conf"
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"

# exited PID: the process is gone (reaped, or a zombie of ours).
exited() { ! kill -0 "$1" 2>/dev/null; }

ctl A create standup --as alice >/dev/null
check "carol joins from B" quiet ctl B join "standup@$addr_A" --as carol
wait_for 10 in_roster A alice carol

# The session outlives the kill by the grace (2 s): time enough for the
# wait to be in place.
ctl B -s carol -j wait -T 20 disconnected >"$T/wait.out" 2>"$T/wait.err" &
waiter=$!
track $waiter
kill -9 "$pid_A"
wait "$pid_A" 2>/dev/null

wait_for 20 exited $waiter
wait $waiter
check "carol's wait for disconnected exits 0" test $? = 0
check "it printed the disconnected event" \
    jqe '.event == "disconnected" and .name == "carol"' <"$T/wait.out"
check "B no longer has a session carol" no_session B carol
check "B still answers status" quiet ctl B status
check "a room can be created on B" quiet ctl B create retro --as dave
check "and it has dave on its roster" in_roster B dave dave
