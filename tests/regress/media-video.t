#!/bin/sh
# Video across three nodes: bob (on B) sends his camera into a room hosted
# on A; alice (on A) and carol (on C) receive it at the same moment.  Every
# JPEG they get decodes, is tagged src=bob, and the tags' capture times give
# 15 fps within 10%; bob never gets his own video back.  carol then presents
# her screen while bob's camera runs, a second presenter is refused, recv -F
# carol gets carol's frames only, and alice sees video-on, screen-on and the
# -off events when the inputs end.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
plan 20

# only FILE NAME: at least one JPEG, and every one tagged src=NAME.
only() { jpegs "$1" | awk -v n="$2" '$1 != n { bad++ }
    END { exit !(NR > 0 && !bad) }'; }
# fps FILE: frames a second over the tags' capture times, (n-1)/(last-first).
fps() { jpegs "$1" | awk 'NR == 1 { f = $2 } { l = $2 } END {
    printf "%.2f\n", (NR > 1 && l > f) ? (NR - 1) * 1e6 / (l - f) : 0 }'; }
near15() { awk -v f="$1" 'BEGIN { exit !(f >= 13.5 && f <= 16.5) }'; }
ended() { ! kill -0 "$1" 2>/dev/null; }
# saw SECONDS EVENT NAME: alice gets EVENT for NAME, with its ssrc.
saw() { ctl A -s alice -j wait -T "$1" "$2" "$3" | jqe --arg n "$3" \
    --arg e "$2" '.event == $e and .name == $n and .room == "standup" and
    has("ssrc")'; }

start_node A
start_node B
start_node C
ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as bob >/dev/null
ctl C join "standup@$addr_A" --as carol >/dev/null
check "alice, bob and carol are in standup" eval 'wait_for 10 in_roster A \
    alice bob && wait_for 10 in_roster A alice carol &&
    wait_for 10 in_roster C carol bob'

# bob's camera runs 14 s: long enough to overlap carol's screen below.
mkfifo "$T/bob.fifo" "$T/carol.fifo"
meet-cap -v test -s 320x240 -r 15 -t 14 >"$T/bob.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/B.sock" -s bob send -v <"$T/bob.fifo" \
    2>"$T/bob-send.log" &
bsend=$!; track $bsend
check "alice sees video-on from bob" saw 5 video-on bob
sleep 1

# alice, carol and bob himself receive for 5 s, all at once.
rp=
for ns in A:alice C:carol B:bob; do
	timeout 5 meetctl -S "$T/${ns%%:*}.sock" -s "${ns#*:}" recv -v \
	    >"$T/${ns#*:}.mjpeg" 2>>"$T/recv.log" &
	rp="$rp $!"; track $!
done
for p in $rp; do wait $p; rs=$?; done
for s in alice carol; do
	check "every JPEG $s got decodes" decodes "$T/$s.mjpeg"
	n=$(jpegs "$T/$s.mjpeg" | wc -l)
	check "$s got bob's camera: $n frames, all tagged src=bob" \
	    eval '[ "$n" -ge 45 ] && only "$T/$s.mjpeg" bob'
	f=$(fps "$T/$s.mjpeg")
	check "$s sees 15 fps within 10% (got $f)" near15 "$f"
done
check "bob's recv runs 5 s and gets no video of his own (status $rs)" \
    eval '[ "$rs" = 124 ] && [ ! -s "$T/bob.mjpeg" ]'

# carol presents her screen, at another size to tell it from bob's camera.
meet-cap -v test -s 640x480 -r 10 -t 6 >"$T/carol.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/C.sock" -s carol send -d <"$T/carol.fifo" \
    2>"$T/carol-send.log" &
csend=$!; track $csend
check "alice sees screen-on from carol" saw 5 screen-on carol
meet-cap -v test -s 320x240 -r 0 -n 5 >"$T/five.mjpeg" 2>>"$T/cap.log"
check "a second presenter is refused with exit 1" eval 'expect_code 1 \
    ctl A -s alice send -d <"$T/five.mjpeg" 2>"$T/alice-d.err"'
check "because carol is presenting" contains "$T/alice-d.err" \
    "meetctl: send: carol is already presenting in standup"

sleep 0.5
timeout 3 meetctl -S "$T/A.sock" -s alice recv -v -F carol \
    >"$T/only-carol.mjpeg" 2>>"$T/recv.log"
check "recv -F carol: every JPEG decodes" decodes "$T/only-carol.mjpeg"
sizes=$(jpegs "$T/only-carol.mjpeg" | awk '{ print $4 }' | sort -u | xargs)
check "all of them carol's 640x480 screen (got $sizes)" \
    test "$sizes" = 640x480
check "all tagged as carol's screen" eval '[ -s "$T/only-carol.mjpeg" ] &&
    jpegs "$T/only-carol.mjpeg" |
    awk "\$1 != \"carol/screen\" { bad++ } END { exit (bad > 0) }"'
check "bob's camera ran all along" kill -0 $bsend

wait_for 10 ended $bsend
wait $bsend; rc=$?
check "bob's send exits 0 when his camera ends (got $rc)" test "$rc" = 0
check "alice sees video-off from bob" saw 5 video-off bob
wait_for 10 ended $csend
wait $csend; rc=$?
check "carol's send -d exits 0 when her screen ends (got $rc)" test "$rc" = 0
check "alice sees screen-off from carol" saw 5 screen-off carol
