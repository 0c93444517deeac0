#!/bin/sh
# Garbage between JPEGs, a truncated JPEG, a JPEG with a broken body, odd
# byte counts and random bytes never crash meet-play; the good frames still
# show.  Run under ASan/UBSan too.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
plan 7

mjpeg blue "$T/blue.mjpeg" 5
mjpeg red "$T/red.mjpeg" 1
# A truncated JPEG (its first 500 bytes), then garbage, then a JPEG whose
# entropy-coded data is overwritten, then good frames.
size=$(wc -c < "$T/red.mjpeg")
{
	printf 'garbage\377\000\377'
	head -c 500 "$T/red.mjpeg"
	head -c 3000 /dev/urandom | tr -d '\377'
	head -c $((size - 200)) "$T/red.mjpeg"
	head -c 150 /dev/urandom | tr -d '\377'
	printf '\377\331'
	printf 'x'
	cat "$T/blue.mjpeg"
	printf 'odd'
} > "$T/in.mjpeg"
timeout 30 meet-play -V -v y4m:"$T/out.y4m" -s 320x180 < "$T/in.mjpeg" \
    2> "$T/play.log"
check "mixed input: exits 0" test $? = 0
last_rgb "$T/out.y4m" 320 180 "$T/last.rgb"
check "the good frames are shown" is blue "$T/last.rgb" 320 160 90
check "bad input was counted" grep -Eq '[1-9][0-9]* (truncated|bad)' "$T/play.log"

# Random bytes only: nothing to show, no crash.
head -c 200000 /dev/urandom > "$T/random"
timeout 30 meet-play -v y4m:"$T/r.y4m" < "$T/random" 2> "$T/r.log"
check "random bytes: exits 0" test $? = 0

# A stream cut in the middle of a JPEG, delivered in odd-sized pieces.
{ cat "$T/blue.mjpeg"; head -c 777 "$T/blue.mjpeg"; } |
    dd bs=7 2>/dev/null |
    timeout 30 meet-play -v y4m:"$T/c.y4m" -s 320x180 2> "$T/c.log"
check "cut stream: exits 0" test $? = 0
last_rgb "$T/c.y4m" 320 180 "$T/c.rgb"
check "cut stream: whole frames shown" is blue "$T/c.rgb" 320 160 90

# Odd byte counts of audio do not crash the audio side either.
printf 'abc' | timeout 30 meet-play -a file:"$T/odd.wav" 2> "$T/o.log"
check "three bytes of PCM: exits 0" test $? = 0
