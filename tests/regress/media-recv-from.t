#!/bin/sh
# recv -a -F NAME: one speaker alone, not the mix.  alice (on A, hosting)
# sends 440 Hz and bob (on B) 660 Hz; carol on A hears bob alone, and dave
# on B hears alice alone (her packets forwarded to B and decoded there).
. "$(dirname "$0")/lib.sh"
plan 5

tone() {
	meet-cap -a "sine:$3" -t 12 2>>"$T/cap.log" |
	    ctl "$1" -s "$2" send -a 2>>"$T/send.log" &
	track $!
}
# alone FILE HEARD NOT: HEARD is loud and NOT at least 25 dB under it.
alone() {
	_hl=$(tone_level "$1" "$2"); _nl=$(tone_level "$1" "$3")
	echo "# $1: $2 Hz ${_hl:-none} dB, $3 Hz ${_nl:-none} dB"
	[ -n "$_hl" ] && [ -n "$_nl" ] && awk -v h="$_hl" -v n="$_nl" \
	    'BEGIN { exit !(h > -20 && h - n >= 25) }'
}

start_node A
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
ctl A join r --as carol >/dev/null
ctl B join "r@$addr_A" --as dave >/dev/null
check "four in the room" wait_for 10 in_roster A alice dave
tone A alice 440
tone B bob 660
sleep 1.5
timeout 3 meetctl -S "$T/A.sock" -s carol recv -a -F bob >"$T/carol.pcm" \
    2>>"$T/recv.log" &
track $!
timeout 3 meetctl -S "$T/B.sock" -s dave recv -a -F alice >"$T/dave.pcm" \
    2>>"$T/recv.log" &
track $!
timeout 3 meetctl -S "$T/B.sock" -s dave recv -a >"$T/dave-mix.pcm" \
    2>>"$T/recv.log"
sleep 0.5
check "carol, on the hosting node, hears bob alone" alone "$T/carol.pcm" \
    660 440
check "dave, on another node, hears alice alone" alone "$T/dave.pcm" 440 660
check "while his mix holds both" eval \
    'above "$(tone_level "$T/dave-mix.pcm" 440)" -20 &&
    above "$(tone_level "$T/dave-mix.pcm" 660)" -20'
check "recv -F of oneself is a usage error" expect_code 2 \
    ctl A -s carol recv -a -F carol 2>/dev/null
