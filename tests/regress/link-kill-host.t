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

quiet() { "$@" >/dev/null; }
# jq 1.6 -e passes on empty input, so a failed ctl would look like a
# match: these read the answer first and judge only a real one.
jqe() { _o=$(cat); [ -n "$_o" ] &&
    printf '%s\n' "$_o" | jq -e "$@" >/dev/null; }
on_roster() { ctl "$1" -s "$2" -j who | jqe --arg n "$3" \
    '.participants[] | select(.name == $n)'; }
no_session() { ctl "$1" -j sessions | jqe --arg n "$2" \
    '[.sessions[] | select(.name == $n)] | length == 0'; }
# exited PID: the process is gone (reaped, or a zombie of ours).
exited() { ! kill -0 "$1" 2>/dev/null; }

ctl A create standup --as alice >/dev/null
check "carol joins from B" quiet ctl B join "standup@$addr_A" --as carol
wait_for 10 on_roster A alice carol

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
check "and it has dave on its roster" on_roster B dave dave
