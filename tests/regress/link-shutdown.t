#!/bin/sh
# The hosting node shuts down (SIGTERM): it ends its rooms and says
# goodbye, so carol's session on node B ends at once with "ended", not
# after the grace period.  The grace is long (30 s) so that only the
# shutdown notice can explain a quick end.
. "$(dirname "$0")/lib.sh"
plan 6

GRACE=30 quick_conf "$T/A.conf"
GRACE=30 quick_conf "$T/B.conf"
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"

exited() { ! kill -0 "$1" 2>/dev/null; }

ctl A create standup --as alice >/dev/null
check "carol joins from B" quiet ctl B join "standup@$addr_A" --as carol
wait_for 10 in_roster A alice carol

ctl B -s carol -j wait -T 10 ended >"$T/wait.out" 2>"$T/wait.err" &
waiter=$!
track $waiter
# The wait must be in place before the session can end.
sleep 1
stop_node A
check "A exits on SIGTERM" exited "$pid_A"

wait_for 10 exited $waiter
wait $waiter
check "carol's wait for ended exits 0" test $? = 0
check "it printed the ended event for standup" \
    jqe '.event == "ended" and .room == "standup"' <"$T/wait.out"
check "B no longer has a session carol" wait_for 5 no_session B carol
check "B still answers status" quiet ctl B status
