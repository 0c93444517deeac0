#!/bin/sh
# SIGHUP rereads the configuration; SIGTERM ends rooms, tells everyone and
# removes the socket; a second meetd on a live socket is refused, a stale
# socket is replaced.
. "$(dirname "$0")/lib.sh"
plan 8

printf '[chat]\nmax_length = 100\n' > "$T/A.conf"
start_node A -f "$T/A.conf"
ctl A create standup --as alice >/dev/null
check "10 bytes pass under the first limit" ctl A -s alice say 0123456789
printf '[chat]\nmax_length = 5\n' > "$T/A.conf"
kill -HUP "$pid_A"
check "after SIGHUP the new limit holds" wait_for 5 eval \
    '! ctl A -s alice say 0123456789 2>/dev/null'
printf '[chat]\nmax_lenght = 5\n' > "$T/A.conf"
kill -HUP "$pid_A"
check "a bad file on SIGHUP is logged and the node goes on" wait_for 5 eval \
    'grep -q "keeping the running configuration" "$T/A.log" &&
    ctl A status >/dev/null'
meetd -S "$T/A.sock" -l 127.0.0.1:0 2>"$T/second.log"
check "a second meetd on a live socket is refused" contains \
    "$T/second.log" "another meetd is running there"

ctl A -s alice wait -T 10 ended > "$T/ended" &
w=$!; track $w
sleep 0.2
stop_node A
check "SIGTERM: the node exits" eval '! kill -0 "$pid_A" 2>/dev/null'
check "the session is told the meeting ended" wait $w
check "the socket is removed" test ! -e "$T/A.sock"
# A socket file nobody listens on is stale: the next meetd takes it.
perl -MIO::Socket::UNIX -e 'IO::Socket::UNIX->new(Local => $ARGV[0],
    Listen => 1) or die' "$T/A.sock"
start_node A
check "a stale socket is replaced" ctl A status
