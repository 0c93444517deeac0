#!/bin/sh
# Chat is not starved by a file transfer: bob, on B, uploads 200 MB to the
# room alice hosts on A, through a link held to 50 MB/s by tcpproxy (about
# four seconds).  While the upload runs (seen in stats, and the send still
# running afterwards), a chat line from alice reaches bob within a second,
# and one from bob, which shares the busy direction, reaches alice within a
# second.  The upload then completes and A's spool copy is byte-identical.
. "$(dirname "$0")/lib.sh"
plan 11

for n in A B; do
	printf '[files]\nspool = %s\n' "$T/spool$n" >"$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
spool_has() { find "$1" -type f ! -name '*.part' \
    -exec cmp -s "$2" {} \; -print 2>/dev/null | grep -q .; }
# running PID: the process is there and not a zombie (kill -0 passes on a
# child nobody has reaped yet, as in a $(...) subshell).
running() { _st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$_st" ] &&
    [ "${_st#Z}" = "$_st" ]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
sending() { ctl B -s bob -j stats | jqe '.transfers | length > 0'; }

tcpproxy -l 127.0.0.1:0 -t "$addr_A" -b 50000000 -p "$T/proxy.port" \
    2>"$T/proxy.log" &
proxy=$!
track $proxy
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
port=$(cat "$T/proxy.port")

ctl A create standup --as alice >/dev/null
ctl B join "standup@127.0.0.1:$port" --as bob >/dev/null
wait_for 10 in_roster A alice bob

size=209715200
head -c $size /dev/urandom >"$T/big"
start=$(now_ms)
ctl B -s bob file send "$T/big" >"$T/send.out" 2>&1 &
send=$!
track $send

check "a transfer shows in B's stats" wait_for 10 sending
ctl B -s bob -j stats >"$T/stats.json"
check "stats -j: id, direction send, offset, size, window, node" \
    jqe --argjson size $size 'any(.transfers[]; .direction == "send" and
    .size == $size and (.offset | type == "number") and
    .offset <= $size and (.window | type == "number") and
    (.node | type == "string") and .id != null)' <"$T/stats.json"
ctl B -s bob stats >"$T/stats.txt"
check "stats as text shows a line for it" grep -q . "$T/stats.txt"

t0=$(now_ms)
ctl A -s alice say "during the upload" >/dev/null
ctl B -s bob wait -T 1 chat alice >"$T/bob.chat"
rc=$?
t1=$(now_ms)
diag "alice -> bob: $((t1 - t0)) ms"
check "alice's chat reaches bob within a second" test $rc = 0
check "it is her line" contains "$T/bob.chat" "during the upload"

t0=$(now_ms)
ctl B -s bob say "me too" >/dev/null
ctl A -s alice wait -T 1 chat bob >"$T/alice.chat"
rc=$?
t1=$(now_ms)
diag "bob -> alice, the busy direction: $((t1 - t0)) ms"
check "bob's chat reaches alice within a second" test $rc = 0
check "the upload was still running meanwhile" running $send

# Bounded: ctl gives the send 30 s.
wait $send
rc=$?
diag "upload took $(( $(now_ms) - start )) ms"
check "the upload completes" test $rc = 0
check "send says it shared it" \
    grep -Eq "^shared big \\($size bytes\\) as " "$T/send.out"
check "A's spool copy is byte-identical" spool_has "$T/spoolA" "$T/big"
check "no transfer is left in stats" \
    eval 'ctl B -s bob -j stats | jqe ".transfers | length == 0"'
