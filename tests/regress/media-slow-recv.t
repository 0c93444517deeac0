#!/bin/sh
# A recv -a reader that never reads does not stall the node: carol sends a
# tone into alice's room on A; bob's recv -a writes into a FIFO that nobody
# reads, while alice's recv -a into a file stays continuous and keeps the
# tone.  A answers status at once meanwhile, its stats count drops on bob's
# recv, and bob's next recv hears the tone again.
. "$(dirname "$0")/lib.sh"
plan 8

now_ms() { date +%s%3N; }
# quick: status answers within a second.
quick() {
	q_t0=$(now_ms)
	timeout 5 meetctl -S "$T/A.sock" status >/dev/null || return 1
	ms=$(( $(now_ms) - q_t0 ))
	[ "$ms" -lt 1000 ]
}

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
ctl A join r --as carol >/dev/null

mkfifo "$T/tone.fifo"
meet-cap -a sine:770 -t 30 >"$T/tone.fifo" 2>>"$T/cap.log" &
track $!
timeout 40 meetctl -S "$T/A.sock" -s carol send -a <"$T/tone.fifo" \
    2>>"$T/send.log" &
track $!
check "alice sees carol's audio start" \
    quiet ctl A -s alice wait -T 10 audio-on carol
sleep 1

# alice records 6 s into a file; bob's recv writes into a FIFO held open
# for reading (so that its open does not block) and never read.
timeout -k 2 6 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log" &
ra=$!; track $ra
mkfifo "$T/slow"
exec 3<>"$T/slow"
timeout -k 2 8 meetctl -S "$T/A.sock" -s bob recv -a >"$T/slow" \
    2>>"$T/recv.log" &
rb=$!; track $rb

sleep 4
ms=none
check "A answers status at once while bob's reader stalls" quick
diag "status took $ms ms"
# While bob's recv still runs: its stream counts what it dropped.
ctl A -j stats >"$T/stats.json"
diag "bob's out streams: $(jq -c '[.streams[]? | select(.dir == "out" and
    .name == "bob") | {kind, drops}]' "$T/stats.json" 2>/dev/null)"
check "stats: drops on bob's recv" jqe '.streams | any(.[];
    .dir == "out" and .name == "bob" and (.drops | if type == "number"
    then . else [.[]? | numbers] | add // 0 end) > 0)' <"$T/stats.json"

wait $ra
n=$(wc -c <"$T/alice.pcm")
check "alice's audio is continuous: 6 s within 5% (got $n bytes)" \
    test "$n" -ge 547200 -a "$n" -le 604800
l=$(tone_level "$T/alice.pcm" 770)
check "alice hears carol's 770 Hz ($l dB)" above "$l" -40

wait $rb
exec 3<&-
ms=none
check "A still answers status at once" quick
diag "status took $ms ms"

timeout -k 2 2 meetctl -S "$T/A.sock" -s bob recv -a >"$T/bob.pcm" \
    2>>"$T/recv.log"
l=$(tone_level "$T/bob.pcm" 770)
check "bob's next recv hears the tone again ($l dB)" above "$l" -40
check "bob is still in the room" in_roster A alice bob
