#!/bin/sh
# A reader that goes away (head) ends meet-play quietly with status 0, for
# the y4m and mjpeg sinks; so does a closed stdout.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
plan 5

mjpeg green "$T/g.mjpeg" 50
st=$(timeout 30 bash -c "meet-play -v y4m:- < '$T/g.mjpeg' \
    2> '$T/play.log' | head -c 1000 > '$T/head.out';
    echo \${PIPESTATUS[0]}")
check "y4m to head: status 0 (got $st)" test "$st" = 0
check "quietly" test ! -s "$T/play.log"
check "head got the start of a y4m stream" grep -q '^YUV4MPEG2' "$T/head.out"

st=$(timeout 30 bash -c "meet-play -v mjpeg:- < '$T/g.mjpeg' \
    2> '$T/play2.log' | head -c 10 > /dev/null; echo \${PIPESTATUS[0]}")
check "mjpeg to head: status 0 (got $st)" test "$st" = 0

timeout 30 meet-play -v y4m:- < "$T/g.mjpeg" >&- 2> "$T/closed.log"
st=$?
check "closed stdout: status 0 (got $st)" test "$st" = 0
