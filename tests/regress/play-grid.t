#!/bin/sh
# Three tagged colour sources interleaved in one stream, as meetctl recv -v
# gives them, make a 2x2 grid on the y4m output with every colour in its
# tile, source order kept, and the fourth cell black.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
plan 7

for c in red green blue; do mjpeg $c "$T/$c.mjpeg"; done
mjpeg-tag red:"$T/red.mjpeg" green:"$T/green.mjpeg" blue:"$T/blue.mjpeg" \
    > "$T/in.mjpeg"
check "tagged stream made" test -s "$T/in.mjpeg"

timeout 30 meet-play -v y4m:"$T/out.y4m" < "$T/in.mjpeg" 2> "$T/play.log"
check "meet-play exits 0" test $? = 0
check "y4m header" sh -c "head -c 64 '$T/out.y4m' | grep -q '^YUV4MPEG2 W1280 H720 F25:1'"
last_rgb "$T/out.y4m" 1280 720 "$T/last.rgb"
check "top left tile is red" is red "$T/last.rgb" 1280 320 180
check "top right tile is green" is green "$T/last.rgb" 1280 960 180
check "bottom left tile is blue" is blue "$T/last.rgb" 1280 320 540
check "fourth cell is empty" is black "$T/last.rgb" 1280 960 540
