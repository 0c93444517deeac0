#!/bin/sh
# meet-cap -a file:PATH converts a 44.1 kHz stereo FLAC to 48 kHz mono: the
# length in bytes says the rate, and the tone keeps its frequency.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
plan 7

level() {
	goertzel -r 48000 -s 0.05 "$2" <"$1" | awk -v f="$2" '$1 == f { print $2 }'
}
above() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

ffmpeg -v error -f lavfi -i "sine=frequency=1000:sample_rate=44100:duration=2" \
    -af volume=4 -ac 2 -c:a flac "$T/in.flac" 2>"$T/ffmpeg.log"

timeout 20 meet-cap -a file:"$T/in.flac" >"$T/a.raw" 2>"$T/a.log"
rc=$?
check "reads to the end, exit status 0 (got $rc)" test "$rc" = 0
n=$(wc -c <"$T/a.raw")
# 2 s at 48 kHz mono is 192000 bytes; the resampler may round at the ends.
check "2 s become 48 kHz mono: 191000 to 193000 bytes (got $n)" \
    test "$n" -ge 191000 -a "$n" -le 193000
l=$(level "$T/a.raw" 1000)
check "1000 Hz survives (got $l dB)" above "$l" -20
# Unconverted 44.1 kHz samples played at 48 kHz would sound at 1088 Hz.
l=$(level "$T/a.raw" 1088.4)
check "no tone at 1088 Hz (got $l dB)" above -60 "$l"

timeout 20 meet-cap -a file:"$T/in.flac" -t 0.5 >"$T/b.raw" 2>>"$T/a.log"
n=$(wc -c <"$T/b.raw")
check "-t 0.5 cuts at 48000 bytes (got $n)" test "$n" = 48000

timeout 20 meet-cap -a file:"$T/missing.wav" >/dev/null 2>"$T/err"
rc=$?
check "a missing file is exit status 1 (got $rc)" test "$rc" = 1
check "and the error names it" contains "$T/err" "$T/missing.wav: No such file"
