#!/bin/sh
# meet-cap -v v4l2 with no camera: a missing device, or a file that is no
# capture device, is a runtime error (status 1) that names the device.
. "$(dirname "$0")/lib.sh"
plan 6

if [ ! -e /dev/video0 ]; then
	timeout 20 meet-cap -v v4l2 -n 1 >/dev/null 2>"$T/err0"
	rc=$?
	check "no /dev/video0 is exit status 1 (got $rc)" test "$rc" = 1
	check "the error names /dev/video0" contains "$T/err0" \
	    "meet-cap: /dev/video0: No such file or directory"
else
	ok "# SKIP /dev/video0 exists"
	ok "# SKIP /dev/video0 exists"
fi

timeout 20 meet-cap -v v4l2:"$T/video9" -n 1 >"$T/out" 2>"$T/err1"
rc=$?
check "a missing device is exit status 1 (got $rc)" test "$rc" = 1
check "the error names it" contains "$T/err1" \
    "meet-cap: $T/video9: No such file or directory"

timeout 20 meet-cap -v v4l2:/dev/null -n 1 >"$T/out" 2>"$T/err2"
rc=$?
check "/dev/null is exit status 1 (got $rc)" test "$rc" = 1
check "the error names it and says why" contains "$T/err2" \
    "meet-cap: /dev/null: not a streaming video capture device"
