#!/bin/sh
# Files go when their room ends.  With keep = 0 (A): after alice ends the
# room, A's spool holds no file (no *.part either) and the id is no longer
# known, even to a new room of alice's.  A room ended in the middle of an
# upload (bob on B, through tcpproxy at 1 MB/s) fails the upload (exit 1)
# and leaves no *.part on either node.  With keep = 2 (K): the file is still
# there a second after the end, and goes about two seconds after it.
. "$(dirname "$0")/lib.sh"
plan 18

for n in A B; do
	printf '[files]\nspool = %s\n' "$T/spool$n" >"$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
printf '[files]\nspool = %s\nkeep = 2\n' "$T/spoolK" >"$T/K.conf"
start_node K -f "$T/K.conf"
# spool_empty DIR: no file of any kind left (empty folders are allowed).
spool_empty() { [ -z "$(find "$1" -mindepth 1 ! -type d 2>/dev/null)" ]; }
spool_files() { [ -n "$(find "$1" -type f 2>/dev/null)" ]; }
no_part() { [ -z "$(find "$1" -name '*.part' 2>/dev/null)" ]; }
# running PID: the process is there and not a zombie (kill -0 passes on a
# child nobody has reaped yet, as in a $(...) subshell).
running() { _st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$_st" ] &&
    [ "${_st#Z}" = "$_st" ]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- keep = 0 ----------------------------------------------------------
ctl A create one --as alice >/dev/null
ctl B join "one@$addr_A" --as bob >/dev/null
wait_for 10 in_roster A alice bob
head -c 1048576 /dev/urandom >"$T/f1"
ctl B -s bob -j file send "$T/f1" >"$T/f1.json"
id=$(jq -r '.id // empty' "$T/f1.json" 2>/dev/null)
check "alice can get bob's file" ctl A -s alice file get "$id" \
    -o "$T/f1.out"
check "it is in A's spool" spool_files "$T/spoolA"
check "alice ends the meeting" ctl A -s alice end
check "A's spool is left with no file" wait_for 5 spool_empty "$T/spoolA"
diag "A's spool: $(ls -A "$T/spoolA" 2>&1 | tr '\n' ' ')"
check "nor B's" spool_empty "$T/spoolB"
ctl A create two --as alice >/dev/null
check "the id is unknown to a new room" eval \
    'expect_code 1 ctl A -s alice file get "$id" -o "$T/again" \
    2>"$T/again.err"'
check "no file ID" contains "$T/again.err" "no file $id"
check "nothing was written" test ! -e "$T/again" -a ! -e "$T/again.part"
check "the new room lists no file" eval \
    'ctl A -s alice -j file list | jqe ".files == []"'

# --- ended during an upload --------------------------------------------
tcpproxy -l 127.0.0.1:0 -t "$addr_A" -b 1000000 -p "$T/proxy.port" \
    2>"$T/proxy.log" &
proxy=$!
track $proxy
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
port=$(cat "$T/proxy.port")
ctl B join "two@127.0.0.1:$port" --as carol >/dev/null
wait_for 10 in_roster A alice carol
head -c 10485760 /dev/urandom >"$T/f2"
ctl B -s carol file send "$T/f2" >"$T/f2.out" 2>"$T/f2.err" &
send=$!
track $send
going() { ctl B -s carol -j stats | jqe \
    'any(.transfers[]; .offset >= 1048576)'; }
check "carol's upload gets 1 MB in" wait_for 10 going
check "alice ends the meeting" ctl A -s alice end
check "carol's upload stops within 10 s" \
    wait_for 10 eval '! running $send'
wait $send
rc=$?
diag "send: exit $rc, $(cat "$T/f2.err")"
check "with exit 1" test $rc = 1
check "A's spool is left with no file, no *.part" \
    wait_for 5 spool_empty "$T/spoolA"
check "B has no *.part" no_part "$T/spoolB"

# --- keep = 2 ----------------------------------------------------------
ctl K create three --as alice >/dev/null
printf 'kept a while\n' >"$T/f3"
ctl K -s alice file send "$T/f3" >/dev/null
ctl K -s alice end
t0=$(now_ms)
sleep 1
check "with keep = 2 the file is still there a second after" \
    spool_files "$T/spoolK"
wait_for 8 spool_empty "$T/spoolK"
gone=$(( $(now_ms) - t0 ))
diag "gone $gone ms after the end"
check "and goes within 5 s" spool_empty "$T/spoolK"
check "not before 1.5 s" test $gone -ge 1500 -a $gone -le 5000
