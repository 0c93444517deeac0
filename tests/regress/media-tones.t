#!/bin/sh
# Mix-minus across three nodes: room r on A; alice (on A), bob (from B) and
# carol (from C) each send a tone.  Each hears the other two and not their
# own voice, at 48 kHz mono and (bob) at 16 kHz stereo.  dave's tone in
# room "other" on the same node stays there: eve, with him, hears it and
# none of r's; nobody in r hears it.  Tones are judged by goertzel.
. "$(dirname "$0")/lib.sh"
plan 20

# tone NODE SESSION HZ: 12 s of a sine into the session's room, in the
# background.  Through a FIFO, not a pipe, so both processes are tracked.
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t 12 >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# listen NODE SESSION FILE [ARGS]: 4 s of recv -a into FILE, in background.
recs=""
listen() {
	l_node=$1 l_sess=$2 l_file=$3; shift 3
	timeout -k 2 4 meetctl -S "$T/$l_node.sock" -s "$l_sess" recv -a \
	    "$@" >"$l_file" 2>>"$T/recv.log" &
	track $!
	recs="$recs $!"
}
# levels FILE [RATE CH]: goertzel over FILE after its first 0.5 s.
levels() {
	goertzel -r "${2:-48000}" -c "${3:-1}" -s 0.5 440 660 990 1900 \
	    <"$1" >"$1.lv" 2>>"$T/goertzel.log" || : >"$1.lv"
}
db() { awk -v f="$2" '$1 == f { print $2 }' "$1.lv"; }
# dbtest EXPR LEVEL...: awk EXPR on the levels as a, b, c; false when a
# level is missing (no audio at all).
dbtest() {
	t_expr=$1; shift
	for t_v in "$@"; do [ -n "$t_v" ] || return 1; done
	awk -v a="$1" -v b="${2:-0}" -v c="${3:-0}" "BEGIN { exit !($t_expr) }"
}
# judge SESSION OWN HZ1 HZ2: the session hears HZ1 and HZ2, not its own
# tone OWN, nor room other's 1900 Hz.
judge() {
	f="$T/$1.pcm"
	levels "$f"
	o=$(db "$f" "$2") x=$(db "$f" "$3") y=$(db "$f" "$4") z=$(db "$f" 1900)
	check "$1 hears $3 Hz ($x dB) and $4 Hz ($y dB)" \
	    dbtest 'a > -40 && b > -40' "$x" "$y"
	check "$1's own $2 Hz is 25 dB under both ($o dB)" \
	    dbtest 'a + 25 <= b && a + 25 <= c' "$o" "$x" "$y"
	check "$1 does not hear room other's 1900 Hz ($z dB)" \
	    dbtest 'a + 25 <= b && a + 25 <= c' "$z" "$x" "$y"
}

start_node A
start_node B
start_node C
check "alice creates r on A" quiet ctl A create r --as alice
check "bob joins r from B" quiet ctl B join "r@$addr_A" --as bob
check "carol joins r from C" quiet ctl C join "r@$addr_A" --as carol
check "dave creates other on A and eve joins it" eval \
    'quiet ctl A create other --as dave && quiet ctl A join other --as eve'
wait_for 10 in_roster A alice bob
wait_for 10 in_roster A alice carol
wait_for 10 in_roster B bob carol
wait_for 10 in_roster C carol bob

tone A alice 440
tone B bob 660
tone C carol 990
tone A dave 1900
check "alice sees audio-on from bob and carol" eval \
    'quiet ctl A -s alice wait -T 10 audio-on bob &&
    quiet ctl A -s alice wait -T 10 audio-on carol'
check "eve sees audio-on from dave" quiet ctl A -s eve wait -T 10 audio-on dave
sleep 1

listen A alice "$T/alice.pcm"
listen B bob "$T/bob.pcm"
listen C carol "$T/carol.pcm"
listen A eve "$T/eve.pcm"
listen B bob "$T/bob16.pcm" -r 16000 -c 2
for p in $recs; do wait "$p"; done

judge alice 440 660 990
judge bob 660 440 990
judge carol 990 440 660

levels "$T/eve.pcm"
f="$T/eve.pcm"
x=$(db "$f" 1900) o=$(db "$f" 440) y=$(db "$f" 660) z=$(db "$f" 990)
check "eve hears dave's 1900 Hz ($x dB)" dbtest 'a > -40' "$x"
loud=$(printf '%s\n' "$o" "$y" "$z" | sort -g | tail -n 1)
check "eve hears none of r's tones ($o, $y, $z dB)" \
    dbtest 'b + 25 <= a' "$x" "$loud"

# 16 kHz stereo: 64000 bytes a second, whole frames, the same tones.
n=$(wc -c <"$T/bob16.pcm")
check "recv -r 16000 -c 2: about 4 s at 64000 B/s, whole frames (got $n)" \
    test "$n" -ge 230400 -a "$n" -le 281600 -a $((n % 4)) = 0
levels "$T/bob16.pcm" 16000 2
f="$T/bob16.pcm"
o=$(db "$f" 660) x=$(db "$f" 440) y=$(db "$f" 990)
check "at 16 kHz stereo bob hears 440 Hz ($x dB) and 990 Hz ($y dB)" \
    dbtest 'a > -40 && b > -40' "$x" "$y"
check "and not his own 660 Hz ($o dB)" \
    dbtest 'a + 25 <= b && a + 25 <= c' "$o" "$x" "$y"
