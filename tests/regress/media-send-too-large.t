#!/bin/sh
# Images over send -v's limit (8 MiB an image): the sender is told why they
# were not sent, with the limit and the size, and stats counts them as
# too-large on the stream while it runs, in a room on the session's node
# (the room's track) and in one on another node (the send's own row).
. "$(dirname "$0")/lib.sh"
plan 5

# big FILE: a valid baseline JPEG of about 9 MB (a small image with 140
# COM segments of 64 KiB in front of it), which no limit below that lets by.
big() {
	meet-cap -v test -s 64x48 -n 1 2>>"$T/cap.log" | perl -e '
	    local $/; my $j = <STDIN>;
	    my $com = "\xff\xfe" . pack("n", 65535) . ("x" x 65533);
	    print substr($j, 0, 2), $com x 140, substr($j, 2);' >"$1"
}
# drops NODE DIR: the too-large drops stats shows on alice's video row.
drops() { ctl "$1" -j stats | jq -r --arg d "$2" '[.streams[] |
    select(.name == "alice" and .kind == "video" and .dir == $d) |
    .drops["too-large"] // 0] | add // 0'; }
at_least() { [ "$(drops "$1" "$2")" -ge "$3" ]; }

big "$T/big.jpg"
size=$(wc -c <"$T/big.jpg")
start_node A
start_node B
ctl A create r --as alice >/dev/null
ctl A join r --as carol >/dev/null

# Two images too large, and the pipe kept open a while: stats sees them.
{ cat "$T/big.jpg" "$T/big.jpg"; sleep 4; } |
    ctl A -s alice send -v 2>"$T/send-a.err" &
sa=$!
track $sa
wait_for 10 at_least A in 2
n=$(drops A in)
check "stats counts the two images on alice's video ($n)" test "$n" = 2
wait $sa
rc=$?
diag "$(tr "\n" " " <"$T/send-a.err")"
check "send ends with status 1: nothing was sent ($rc)" test "$rc" = 1
check "send says the limit and the size of the largest" \
    grep -q "2 images over the limit of 8 MiB an image (the largest $size bytes) were dropped" \
    "$T/send-a.err"

# The same from a session on B, in the room on A: the send's own row.
ctl A create r2 --as dave >/dev/null
ctl B join "r2@$addr_A" --as alice >/dev/null
{ cat "$T/big.jpg"; sleep 4; } |
    ctl B -s alice send -v 2>"$T/send-b.err" &
sb=$!
track $sb
wait_for 10 at_least B out 1
n=$(drops B out)
check "on B, stats counts the image on alice's send ($n)" test "$n" = 1
wait $sb
check "and B's send says why too" \
    grep -q "1 image over the limit of 8 MiB an image (the largest $size bytes) was dropped" \
    "$T/send-b.err"
