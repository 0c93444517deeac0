#!/bin/sh
# SRTP across a sequence number wrap (libsrtp's rollover counter): carol,
# on B, sends an unpaced test pattern of more than 65,536 packets into the
# room on A, which forwards it to alice on C.  Whatever its random first
# sequence number, the stream wraps; every packet still opens on A (from
# B) and on C (from A), and alice's last images decode.
. "$(dirname "$0")/lib.sh"
plan 5

for n in A B C; do
	printf '[media]\nrate_per_source = 0\nrate_per_stream = 0\n' \
	    >"$T/$n.conf"
done
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"
start_node C -f "$T/C.conf"
ctl A create wrap --as host >/dev/null
ctl B join "wrap@$addr_A" --as carol >/dev/null
ctl C join "wrap@$addr_A" --as alice >/dev/null
wait_for 10 in_roster A host alice

timeout -k 2 90 meetctl -S "$T/C.sock" -s alice recv -v -F carol \
    >"$T/alice.mjpeg" 2>"$T/recv.log" &
recv=$!
track $recv
sleep 1
# 3,000 images of 1280x720, some 30 packets each: about 90,000 packets.
# The pipe stays open a while after the last image, so the stream's
# counters are still there to read.
{ meet-cap -v test -s 1280x720 -r 0 -n 3000 2>/dev/null; touch "$T/sent";
    sleep 6; } | timeout 80 meetctl -S "$T/B.sock" -s carol send -v \
    2>"$T/send.log" &
track $!
wait_for 80 test -e "$T/sent"
sleep 2
ctl A -j stats >"$T/statsA"
ctl C -j stats >"$T/statsC"
kill $recv 2>/dev/null
row() { jq -c '[.streams[] | select(.name == "carol" and .kind == "video"
    and .dir == "in")] | .[0] // {}' "$1"; }
diag "A: $(row "$T/statsA")"
diag "C: $(row "$T/statsC")"
pkts=$(row "$T/statsA" | jq '.packets // 0')
check "A took more than 65,536 packets of carol's camera ($pkts)" \
    test "$pkts" -gt 65536
check "none failed to open on A" test "$(row "$T/statsA" |
    jq '(.drops["auth-failed"] // 0) + (.drops.replay // 0)')" = 0
check "C took them too ($(row "$T/statsC" | jq '.packets // 0'))" \
    test "$(row "$T/statsC" | jq '.packets // 0')" -gt 65536
check "none failed to open on C" test "$(row "$T/statsC" |
    jq '(.drops["auth-failed"] // 0) + (.drops.replay // 0)')" = 0
tail -c 300000 "$T/alice.mjpeg" >"$T/tail.mjpeg"
# The last images: cut the tail at its first whole image.
perl -e 'local $/; my $d = <STDIN>; my $p = index($d, "\xff\xd8");
    print substr($d, $p) if $p >= 0' <"$T/tail.mjpeg" >"$T/last.mjpeg"
check "alice's last images decode" decodes "$T/last.mjpeg"
