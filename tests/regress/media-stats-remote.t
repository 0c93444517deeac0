#!/bin/sh
# stats for a room on another node.  bob on B receives alice's camera and
# the room's mix in two stretches with a pause between, when nobody on B
# reads and the hosting node rightly sends nothing: that gap is no loss.
# And the hosting node shows what it forwards to B, a row going out.
. "$(dirname "$0")/lib.sh"
plan 5

# row NODE DIR NAME KIND FIELD: that field of the stream stats shows.
row() { ctl "$1" -j stats | jq -r --arg d "$2" --arg n "$3" --arg k "$4" \
    --arg f "$5" '[.streams[] | select(.dir == $d and .name == $n and
    .kind == $k) | .[$f]] | first // empty'; }
less() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# both SECONDS: bob receives video and audio for that long.
both() {
	timeout "$1" meetctl -S "$T/B.sock" -s bob recv -v >/dev/null \
	    2>>"$T/recv.log" &
	_v=$!
	timeout "$1" meetctl -S "$T/B.sock" -s bob recv -a >/dev/null \
	    2>>"$T/recv.log"
	wait $_v
}

start_node A
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
meet-cap -v test -s 320x240 -r 25 -t 14 2>>"$T/cap.log" |
    ctl A -s alice send -v 2>>"$T/send.log" &
track $!
meet-cap -a sine:440 -t 14 2>>"$T/cap.log" |
    ctl A -s alice send -a 2>>"$T/send.log" &
track $!
sleep 1
both 3
sleep 3
both 3

p=$(row B in alice video packets)
l=$(row B in alice video loss)
check "B received alice's video in both stretches ($p packets)" \
    test "${p:-0}" -gt 100
check "and the pause between is no loss (${l:-none} %)" less "$l" 2
p=$(row B in bob mix packets)
l=$(row B in bob mix loss)
check "B received bob's mix in both stretches ($p packets)" \
    test "${p:-0}" -gt 150
check "and its pause is no loss either (${l:-none} %)" less "$l" 2
p=$(row A out alice video packets)
check "A shows alice's video going out to B ($p packets)" \
    test "${p:-0}" -gt 100
