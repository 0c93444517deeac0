#!/bin/sh
# meet-cap -a sine and silence: exact byte counts for -t, the tone's
# frequency measured with goertzel, real-time pacing with generous bounds.
. "$(dirname "$0")/lib.sh"
plan 9

# level FILE RATE CH FREQ: the tone's level in dB, as goertzel measures it.
level() {
	goertzel -r "$2" -c "$3" "$4" <"$1" | awk -v f="$4" '$1 == f { print $2 }'
}
# above A B: A > B, as numbers with decimals.
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

now() { date +%s%N; }

t0=$(now)
timeout 20 meet-cap -a sine:1000 -t 1 >"$T/a.raw" 2>"$T/a.log"
t1=$(now)
ms=$(( (t1 - t0) / 1000000 ))
n=$(wc -c <"$T/a.raw")
check "1 s of 48 kHz mono is 96000 bytes (got $n)" test "$n" = 96000
check "paced: 1 s takes 0.8 to 3 s (took $ms ms)" \
    test "$ms" -ge 800 -a "$ms" -le 3000
l=$(level "$T/a.raw" 48000 1 1000)
check "1000 Hz is there, near -6 dB (got $l)" above "$l" -8
l=$(level "$T/a.raw" 48000 1 440)
check "440 Hz is not (got $l)" above -60 "$l"

timeout 20 meet-cap -a sine -r 16000 -c 2 -t 0.5 >"$T/b.raw" 2>>"$T/a.log"
n=$(wc -c <"$T/b.raw")
check "0.5 s of 16 kHz stereo is 32000 bytes (got $n)" test "$n" = 32000
l=$(level "$T/b.raw" 16000 2 440)
check "the default tone is 440 Hz (got $l)" above "$l" -8

# 11025 Hz is no multiple of 50: blocks vary but the total is exact.
timeout 20 meet-cap -a sine -r 11025 -t 0.3 >"$T/c.raw" 2>>"$T/a.log"
n=$(wc -c <"$T/c.raw")
check "0.3 s at 11025 Hz is 6616 bytes (got $n)" test "$n" = 6616

timeout 20 meet-cap -a silence -t 0.2 >"$T/d.raw" 2>>"$T/a.log"
n=$(wc -c <"$T/d.raw")
z=$(tr -d '\000' <"$T/d.raw" | wc -c)
check "silence is 19200 zero bytes (got $n, $z not zero)" \
    test "$n" = 19200 -a "$z" = 0
check "stderr is quiet" test ! -s "$T/a.log"
