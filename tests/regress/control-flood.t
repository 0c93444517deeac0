#!/bin/sh
# The control socket before a command costs little: 300 connections that
# each send a hello and then the header of a 1 MiB frame and a quarter of
# it are refused at the header and leave the node's memory as it was, and
# status answers meanwhile; a connection that sends no command is closed
# after [control] command_timeout; pending connections over
# max_pending_per_user and over max_pending (after a reload) are refused
# with the reason; a command frame over the limit is refused with the
# reason, and meetctl reports it even though its write failed; the longest
# say [chat] max_length allows still fits; and 100 commands whose argv
# holds a 60000-byte string and then a number leave the memory as it was
# (cmd_prepare leaked the strings before the number).
. "$(dirname "$0")/lib.sh"
plan 21

cat >"$T/A.conf" <<EOF
[control]
command_timeout = 2
max_pending = 100
max_pending_per_user = 30

[chat]
max_length = 65536
EOF
# Under ASan, freed memory waits in a quarantine, and RSS would grow with
# every command leak or not: let it be reused at once.
ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0" start_node A -f "$T/A.conf"
sock="$T/A.sock"

# rss: the node's resident memory, KiB.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid_A/status"; }
# hello: the hello of the protocol this tree speaks.
proto=$(awk '$1 == "#define" && $2 == "PROTO_VERSION" { print $3 }' \
    "$top/lib/proto.h")
hello() { frame 1 "{\"version\": $proto}"; }
# hold COUNT SECONDS IN OUT: hold-conns in the background, writing the
# bytes of file IN on each connection; its output in OUT, its PID in
# $hold_pid.  (A background command's stdin is /dev/null unless redirected.)
hold() {
	perl "$top/tests/tools/hold-conns.pl" "$sock" "$1" "$2" <"$3" >"$4" &
	hold_pid=$!
	track $hold_pid
}
# hold_wait COUNT SECONDS IN OUT: the same in the foreground.
hold_wait() {
	perl "$top/tests/tools/hold-conns.pl" "$sock" "$1" "$2" <"$3" >"$4"
}
# lines OUT PATTERN: how many lines of OUT match PATTERN (grep -E).
lines() { grep -cE -- "$2" "$1"; }
# at_least OUT PATTERN N: OUT has N lines matching PATTERN.
at_least() { [ "$(lines "$1" "$2")" -ge "$3" ]; }
# below A B: A < B, numbers.
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# Warm up: the first commands and connections grow the heap a little.
for i in 1 2 3 4 5; do ctl A status >/dev/null; done

# --- the argv leak -------------------------------------------------------
# First, while the heap has no room freed by others to hide a leak in.
# argv: a 60000-byte string, then a number.
perl -e 'print "{\"argv\": [\"", "x" x 60000, "\", 1], \"fds\": 0}"' \
    >"$T/bad-argv.json"
{ hello; frame 16 "$(cat "$T/bad-argv.json")"; } >"$T/bad-argv.bytes"
hold_wait 20 1 "$T/bad-argv.bytes" "$T/warm.out"
before=$(rss)
hold_wait 100 2 "$T/bad-argv.bytes" "$T/argv.out"
after=$(rss)
diag "RSS $before KiB before, $after KiB after 100 non-string argv"
check "each non-string argv is a usage error" \
    eval '[ "$(lines "$T/argv.out" " exit 2$")" = 100 ]'
check "100 of them leave RSS as it was (within 2 MiB; the leak was 6)" \
    below $((after - before)) 2048

# --- 300 partial 1 MiB frames ---------------------------------------------
before=$(rss)
{ hello; header 16 1048576; head -c 262144 /dev/zero; } >"$T/partial.bytes"
hold 300 60 "$T/partial.bytes" "$T/partial.out"
wait_for 60 grep -q '^ready' "$T/partial.out"
check "300 connections were opened" grep -qx 'ready 300' "$T/partial.out"
wait_for 20 at_least "$T/partial.out" ' error ' 300
check "status answers while they are held" quiet ctl A status
after=$(rss)
diag "RSS $before KiB before, $after KiB with 300 partial 1 MiB frames held"
check "RSS grew by less than 64 KiB a connection" \
    below $((after - before)) $((300 * 64))
check "each was refused at its header, with the reason" eval \
    '[ "$(lines "$T/partial.out" \
    " error frame of 1048576 bytes is over the limit of [0-9]+ for a command")" \
    = 300 ]'
kill $hold_pid 2>/dev/null

# --- a command over the limit, and the longest legitimate say ------------
big=$(head -c 100000 /dev/zero | tr '\0' x)
ctl A say "$big" "$big" "$big" 2>"$T/err"
code=$?
check "a 300 KB command: exit 1" [ "$code" = 1 ]
check "meetctl prints the daemon's reason, not Broken pipe" grep -qE \
    '^meetctl: frame of [0-9]+ bytes is over the limit of 200704 for a command$' \
    "$T/err"
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
# 65536 bytes that JSON escapes, each one twice as long in the frame.
quotes=$(head -c 65536 /dev/zero | tr '\0' '"')
check "a say of [chat] max_length quotes fits in a command frame" \
    quiet ctl A -s bob say "$quotes"
said() { ctl A -s alice -j history | jqe -s --arg t "$1" \
    'any(.[]; .text == $t)'; }
check "and reaches the room" said "$quotes"

# --- pending connections: per user, the deadline --------------------------
hello >"$T/hello.bytes"
hold_wait 40 5 "$T/hello.bytes" "$T/pending.out"
check "30 pending connections of one user are held" eval \
    '[ "$(lines "$T/pending.out" " error no command within 2 seconds")" = 30 ]'
check "the 31st to 40th are refused with the reason" eval \
    '[ "$(lines "$T/pending.out" \
    " error uid 0 has too many connections waiting to send their command \(30, \[control\] max_pending_per_user\)")" = 10 ]'
check "the refusal is logged" contains "$T/A.log" \
    "refused uid 0: uid 0 has too many connections waiting"
# Those held were closed at the deadline: 2 s after they were opened.
awk '$2 == "eof" && $3 >= 1.5' "$T/pending.out" >"$T/late"
check "a connection that sends no command is closed after 2 s" eval \
    '[ "$(wc -l <"$T/late")" = 30 ]'
check "none was held much longer" awk \
    '$2 == "eof" && $3 > 4.5 { late = 1 } END { exit late }' "$T/pending.out"
check "status answers once they are gone" quiet ctl A status

# --- pending connections in all, after a reload --------------------------
cat >"$T/A.conf" <<EOF
[control]
command_timeout = 2
max_pending = 20
max_pending_per_user = 100

[chat]
max_length = 65536
EOF
kill -HUP "$pid_A"
wait_for 10 contains "$T/A.log" "reloaded $T/A.conf"
hold_wait 25 4 "$T/hello.bytes" "$T/total.out"
check "20 pending connections are held" eval \
    '[ "$(lines "$T/total.out" " error no command within 2 seconds")" = 20 ]'
check "over [control] max_pending, they are refused with the reason" eval \
    '[ "$(lines "$T/total.out" \
    " error too many connections are waiting to send their command \(20, \[control\] max_pending\)")" = 5 ]'

# --- frames after the command are small too -------------------------------
# A file result larger than 4 KiB, while a command (events -f) runs.
{ hello; frame 16 '{"argv": ["events", "-f"], "session": "alice", "fds": 0}';
    header 20 100000; head -c 100000 /dev/zero; } |
    raw "unix:$sock" reply >"$T/reply"
check "a large frame once the command runs: refused with the reason" \
    grep -q "^2 .*frame of 100000 bytes is over the limit of 4096 once the command runs" \
    "$T/reply"
check "and the connection closed" eval 'tail -n 1 "$T/reply" | grep -qx EOF'
check "the node still answers" quiet ctl A status
