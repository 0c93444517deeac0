#!/bin/sh
# file send shows a progress line on stderr when stderr is a terminal, and
# none when it is not.  The link runs through a proxy held to 2 MB/s so that
# the upload lasts long enough for a line to show.
. "$(dirname "$0")/lib.sh"
plan 4

for n in A B; do
	printf '[files]\nspool = %s/spool%s\n' "$T" "$n" > "$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
tcpproxy -l 127.0.0.1:0 -t "$addr_A" -b 2000000 -p "$T/proxy.port" \
    2>"$T/proxy.log" &
track $!
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
ctl A create standup --as alice >/dev/null
ctl B join "standup@127.0.0.1:$(cat "$T/proxy.port")" --as bob >/dev/null
head -c 3000000 /dev/urandom > "$T/data"

# script(1) gives meetctl a terminal; what it wrote is in the typescript.
timeout 60 script -qec "meetctl -S '$T/B.sock' -s bob file send '$T/data'" \
    "$T/tty.out" >/dev/null
check "send on a terminal exits 0" test $? = 0
check "a progress line shows on the terminal" \
    grep -q "sending data: [0-9.]* of 3.0 MB" "$T/tty.out"

ctl B -s bob file send "$T/data" >"$T/plain.out" 2>"$T/plain.err"
check "send without a terminal exits 0" test $? = 0
check "and prints no progress" eval '! grep -q "sending" "$T/plain.err"'
