#!/bin/sh
# Talking detection: alice sends, in one send -a, 2 s of silence, 2 s of a
# loud tone and 3 s of silence, then EOF.  bob sees audio-on, talking when
# the tone starts (not during the silence before it), stopped-talking once
# it ends (well before EOF), and audio-off after EOF; the send exits 0.
# Times are event timestamps against the shell's clock when sending began.
. "$(dirname "$0")/lib.sh"
plan 10

now_ms() { date +%s%3N; }
# at FILE: the event's ts in ms since the sending began.
at() { jq -r --argjson t0 "$t0" '(.ts[0:19] + "Z" | fromdate) * 1000 +
    (.ts[20:23] | tonumber) - $t0' "$1" 2>/dev/null; }
# between X LO HI: LO <= X <= HI; false when X is missing.
between() { [ -n "$1" ] && awk -v x="$1" -v lo="$2" -v hi="$3" \
    'BEGIN { exit !(x >= lo && x <= hi) }'; }
# before X Y: X <= Y; false when either is missing.
before() { [ -n "$1" ] && [ -n "$2" ] && awk -v x="$1" -v y="$2" \
    'BEGIN { exit !(x <= y) }'; }
# seen EVENT FILE: bob's next EVENT about alice, into FILE.
seen() { ctl A -s bob -j wait -T 10 "$1" alice >"$2" && jqe \
    '.name == "alice"' <"$2"; }

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null

mkfifo "$T/alice.fifo"
t0=$(now_ms)
(
	meet-cap -a silence -t 2
	meet-cap -a sine:600 -t 2
	meet-cap -a silence -t 3
) >"$T/alice.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/A.sock" -s alice send -a <"$T/alice.fifo" \
    2>"$T/send.err" &
sp=$!
track $sp

check "bob sees alice talking" seen talking "$T/talking.json"
check "then stopped-talking" seen stopped-talking "$T/stopped.json"
wait $sp
rc=$?
check "send exits 0 at EOF (got $rc)" test "$rc" = 0
check "and says nothing" test ! -s "$T/send.err"
check "bob saw audio-on for alice" seen audio-on "$T/on.json"
check "and audio-off" seen audio-off "$T/off.json"

on=$(at "$T/on.json") talk=$(at "$T/talking.json")
stop=$(at "$T/stopped.json") off=$(at "$T/off.json")
diag "ms after sending began: audio-on $on, talking $talk," \
    "stopped-talking $stop, audio-off $off"
check "talking came with the tone at 2 s, not in the silence before" \
    eval 'between "$talk" 1500 4000 && before "$on" "$talk"'
check "stopped-talking came after the tone ended at 4 s, before EOF" \
    between "$stop" 3500 6500
check "audio-off came at EOF (7 s), after stopped-talking" \
    eval 'between "$off" 6500 12000 && before "$stop" "$off"'
check "bob, who sent nothing, never talked" expect_code 1 \
    ctl A -s alice wait -T 0.5 talking bob 2>/dev/null
