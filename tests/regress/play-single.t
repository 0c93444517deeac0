#!/bin/sh
# An untagged MJPEG stream as ffmpeg writes it is one source filling the
# canvas with its aspect kept; piped in faster than real time, every frame
# comes out, one a tick, and the mjpeg sink gives JPEGs ffmpeg reads.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
plan 8

mjpeg red "$T/red.mjpeg" 20
timeout 30 meet-play -v y4m:"$T/out.y4m" < "$T/red.mjpeg" 2> "$T/play.log"
check "meet-play exits 0" test $? = 0
n=$(frames_of "$T/out.y4m")
check "20 frames in, 20 frames out (got $n)" test "$n" = 20
last_rgb "$T/out.y4m" 1280 720 "$T/last.rgb"
# 320x240 in 1280x720: 960x720 from x=160.
check "centre is red" is red "$T/last.rgb" 1280 640 360
check "picture reaches its left edge" is red "$T/last.rgb" 1280 170 700
check "left bar is black" is black "$T/last.rgb" 1280 100 360
check "right bar is black" is black "$T/last.rgb" 1280 1180 360

timeout 30 meet-play -v mjpeg:- -s 320x180 -r 50 < "$T/red.mjpeg" \
    > "$T/out.mjpeg" 2> "$T/play2.log"
check "mjpeg sink exits 0" test $? = 0
ffmpeg -nostdin -loglevel error -f mjpeg -i "$T/out.mjpeg" \
    -f rawvideo -pix_fmt rgb24 -y "$T/m.rgb"
check "mjpeg output decodes to red" is red "$T/m.rgb" 320 160 90
