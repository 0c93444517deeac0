#!/bin/sh
# send -a paces what comes faster than real time: 300 ms of audio arrive
# at once, then nothing for a while, then the rest in real time, and the
# stream goes on to the end (it used to stop for good when the pipe was
# empty after its first pause), its packets at 50 a second, not faster.
. "$(dirname "$0")/lib.sh"
plan 3

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
meet-cap -a sine:500 -t 0.3 -r 48000 >"$T/burst.raw" 2>>"$T/cap.log"

mkfifo "$T/in"
# The burst is written before send starts reading; the rest is paced.
(cat "$T/burst.raw"; sleep 0.6; meet-cap -a sine:500 -t 4 \
    2>>"$T/cap.log") >"$T/in" &
track $!
ctl A -s alice send -a <"$T/in" 2>>"$T/send.log" &
track $!
sleep 2
packets() { ctl A -j stats | jq '[.streams[] | select(.name == "alice" and
    .kind == "audio") | .packets] | add // 0'; }
p1=$(packets)
timeout 2 meetctl -S "$T/A.sock" -s bob recv -a >"$T/bob.pcm" \
    2>>"$T/recv.log"
p2=$(packets)
check "the stream goes on after the burst ($p1, then $p2 packets)" \
    test "$p2" -gt $((p1 + 60))
check "at the pace of real time, not faster (2 s: $((p2 - p1)))" \
    test $((p2 - p1)) -le 130
l=$(goertzel -s 0.5 500 <"$T/bob.pcm" 2>/dev/null | awk '$1 == 500 {
    print $2 }')
check "bob hears it (${l:-nothing} dB)" eval '[ -n "$l" ] &&
    awk -v l="$l" "BEGIN { exit !(l > -20) }"'
