#!/bin/sh
# A source that stops sending leaves the grid after a few seconds on the
# program's clock: red and green, then only red; the grid goes from 2x1
# back to one tile.  The output keeps its frame rate meanwhile.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
plan 5

mjpeg red "$T/red.mjpeg" 5
mjpeg green "$T/green.mjpeg" 5
(
	mjpeg-tag red:"$T/red.mjpeg" green:"$T/green.mjpeg"
	sleep 1
	mjpeg-tag red:"$T/red.mjpeg"
	sleep 4
	mjpeg-tag red:"$T/red.mjpeg"
) | timeout 30 meet-play -v y4m:"$T/out.y4m" -s 160x90 -r 10 \
    2> "$T/play.log"
check "meet-play exits 0" test $? = 0

# An early frame holds both sources side by side.  Not necessarily the
# very first: on a loaded machine green's first picture may be decoded a
# tick after red's.
both_early() {
	for i in 0 1 2 3 4 5 6 7; do
		ffmpeg -nostdin -loglevel error -i "$T/out.y4m" \
		    -vf "select=eq(n\\,$i)" -frames:v 1 -f rawvideo \
		    -pix_fmt rgb24 -y "$T/early.rgb" || return 1
		is red "$T/early.rgb" 160 40 45 &&
		    is green "$T/early.rgb" 160 120 45 && return 0
	done
	return 1
}
check "early on, red on the left and green on the right" both_early
last_rgb "$T/out.y4m" 160 90 "$T/last.rgb"
check "last frame: red alone in the middle" is red "$T/last.rgb" 160 80 45
check "last frame: red where green was" is red "$T/last.rgb" 160 125 45
# About 5 s at 10 frames a second; loose bounds, no strict timing.
n=$(frames_of "$T/out.y4m")
check "frames kept coming while input paused (got $n)" \
    test "$n" -ge 25 -a "$n" -le 200
