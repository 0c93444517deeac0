#!/bin/sh
# Media workers: node A runs two (a config), and its rooms r1 and r2 land
# on different ones.  bob and eve join them from node B, which sends their
# media to A's one UDP port; the kernel must steer each datagram to its
# room's worker by SSRC.  Each room hears only its own tone, alice sees
# bob's camera, bob on B hears alice, and A's port drops nothing as
# unknown (a datagram on the wrong worker would be).  A third room goes to
# the worker with the fewest rooms.  A reload cannot change the number.
. "$(dirname "$0")/lib.sh"
plan 14

printf '[media]\nworkers = 2\n' >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
check "status -j says A runs 2 workers" eval \
    'ctl A -j status | jqe ".workers == 2"'
check "status says so too" eval 'ctl A status | grep -q "^workers:  2$"'

quiet ctl A create r1 --as alice
quiet ctl A create r2 --as dave
quiet ctl B join "r1@$addr_A" --as bob
quiet ctl B join "r2@$addr_A" --as eve
wait_for 10 in_roster A alice bob
wait_for 10 in_roster A dave eve
check "r1 and r2 are on different workers" eval \
    'ctl A -j rooms | jqe "[.rooms[] | .worker] | sort == [0, 1]"'

# tone NODE SESSION HZ: 10 s of a sine into the session's room.
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t 10 >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# listen NODE SESSION FILE ARGS...: 4 s of recv into FILE.
listen() {
	l_node=$1 l_sess=$2 l_file=$3; shift 3
	timeout -k 2 4 meetctl -S "$T/$l_node.sock" -s "$l_sess" recv "$@" \
	    >"$l_file" 2>>"$T/recv.log" &
	track $!
	recs="$recs $!"
}
recs=""
tone A alice 440
tone B bob 660
tone B eve 990
meet-cap -v test -s 320x240 -r 10 -t 10 2>>"$T/cap.log" |
    timeout 30 meetctl -S "$T/B.sock" -s bob send -v 2>>"$T/send.log" &
track $!
check "alice sees bob's audio and video on" eval \
    'quiet ctl A -s alice wait -T 10 audio-on bob &&
    quiet ctl A -s alice wait -T 10 video-on bob'
check "dave sees eve's audio on" quiet ctl A -s dave wait -T 10 audio-on eve
sleep 1
listen A alice "$T/alice.pcm" -a
listen A dave "$T/dave.pcm" -a
listen A alice "$T/alice.mjpeg" -v
listen B bob "$T/bob.pcm" -a
for p in $recs; do wait "$p" 2>/dev/null; done

l660=$(tone_level "$T/alice.pcm" 660) l990=$(tone_level "$T/alice.pcm" 990)
check "alice hears bob's 660 Hz ($l660 dB)" above "$l660" -40
check "alice does not hear r2's 990 Hz ($l990 dB)" eval \
    '[ -n "$l990" ] && awk -v a="$l660" -v b="$l990" "BEGIN { exit !(a > b + 25) }"'
d990=$(tone_level "$T/dave.pcm" 990) d660=$(tone_level "$T/dave.pcm" 660)
check "dave hears eve's 990 Hz ($d990 dB)" above "$d990" -40
check "dave does not hear r1's 660 Hz ($d660 dB)" eval \
    '[ -n "$d660" ] && awk -v a="$d990" -v b="$d660" "BEGIN { exit !(a > b + 25) }"'
b440=$(tone_level "$T/bob.pcm" 440)
check "bob on B hears alice's 440 Hz ($b440 dB)" above "$b440" -40
n=$(jpegs "$T/alice.mjpeg" | awk '$1 == "bob"' | wc -l)
check "alice gets bob's camera ($n frames in 4 s)" test "$n" -ge 20

check "A's port dropped nothing as unknown or malformed" eval \
    'ctl A -j stats | jqe ".dropped as \$d | (\$d.unknown // 0) == 0 and
    (\$d.malformed // 0) == 0"'

quiet ctl A create r3 --as frank
check "a third room goes to a worker (0 or 1)" eval \
    'ctl A -j rooms | jqe "any(.rooms[]; .name == \"r3\" and
    (.worker == 0 or .worker == 1))"'

printf '[media]\nworkers = 1\n' >"$T/A.conf"
kill -HUP "$pid_A"
check "a reload keeps 2 workers and says why" eval \
    'wait_for 5 contains "$T/A.log" "workers changed" &&
    ctl A -j status | jqe ".workers == 2"'
