#!/bin/sh
# What stats says of media, and send's -r/-c: bob on B sends a tone at
# 16 kHz stereo (send converts it) and hears the room; RTCP between the
# nodes gives both sides a round trip for his streams, and the text form
# lists them under its header.
. "$(dirname "$0")/lib.sh"
plan 6

start_node A
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
meet-cap -a sine:770 -r 16000 -c 2 -t 10 2>>"$T/cap.log" |
    ctl B -s bob send -a -r 16000 -c 2 2>>"$T/send.log" &
track $!
meet-cap -a sine:440 -t 10 2>>"$T/cap.log" |
    ctl A -s alice send -a 2>>"$T/send.log" &
track $!
timeout 8 meetctl -S "$T/B.sock" -s bob recv -a >/dev/null 2>>"$T/recv.log" &
track $!
sleep 1
timeout 2 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log"
l=$(tone_level "$T/alice.pcm" 770)
check "bob's 16 kHz stereo tone reaches alice (${l:-nothing} dB)" \
    above "$l" -20

# rtt NODE DIR KIND: the round trip stats gives bob's stream, or nothing.
rtt() { ctl "$1" -j stats | jq -r --arg d "$2" --arg k "$3" '.streams[] |
    select(.name == "bob" and .dir == $d and .kind == $k) | .rtt_ms // empty'; }
has_rtt() { [ -n "$(rtt A in audio)" ] && [ -n "$(rtt B out audio)" ] &&
    [ -n "$(rtt A out mix)" ]; }
wait_for 10 has_rtt
r1=$(rtt A in audio)
check "the hosting node has a round trip for bob's audio (${r1:-none} ms)" \
    test -n "$r1"
r2=$(rtt B out audio)
check "bob's node has one for what it sends (${r2:-none} ms)" \
    test -n "$r2"
r3=$(rtt A out mix)
check "and for the mix it sends him (${r3:-none} ms)" test -n "$r3"
ctl A stats >"$T/stats.txt"
check "stats lists the streams under a header" eval '
    grep -q "^DIR *ROOM *NAME *KIND *PACKETS" "$T/stats.txt" &&
    grep -q "^in  *r  *bob  *audio" "$T/stats.txt"'
check "stats -j has what the node's port dropped" eval \
    'ctl A -j stats | jqe "has(\"dropped\") and (.streams | length) >= 3"'
