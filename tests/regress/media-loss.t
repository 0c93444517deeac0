#!/bin/sh
# Media through 10% packet loss: bob, on node B, reaches alice's room on A
# through tcpproxy (the link) and udpproxy -L 10 on the same port number
# (the media), and sends a tone and a test pattern.  alice's audio stays
# continuous and keeps the tone (concealment), every JPEG she gets is whole
# and decodes cleanly, and A's stats see bob's audio with about 10% loss.
. "$(dirname "$0")/lib.sh"
command -v udpproxy >/dev/null || { echo "Bail out! no udpproxy"; exit 1; }
plan 11

# feed NODE SESSION SENDFLAG CAP-ARGS...: meet-cap into send, in the
# background, through a FIFO so that both processes are tracked.
feed() {
	f_node=$1 f_sess=$2 f_flag=$3; shift 3
	mkfifo "$T/$f_sess$f_flag.fifo"
	meet-cap "$@" >"$T/$f_sess$f_flag.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$f_node.sock" -s "$f_sess" send "$f_flag" \
	    <"$T/$f_sess$f_flag.fifo" 2>>"$T/send.log" &
	track $!
}

start_node A
start_node B
tcpproxy -l 127.0.0.1:0 -t "$addr_A" -p "$T/tcp.port" 2>"$T/tcpproxy.log" &
track $!
wait_for 10 test -s "$T/tcp.port" || { echo "Bail out! no tcpproxy"; exit 1; }
port=$(cat "$T/tcp.port")
# UDP and TCP ports are separate: the same number, another proxy, losing
# 10% of what goes up (from B to A).
udpproxy -L 10 -s 1 -D up -p "$T/udp.port" "127.0.0.1:$port" "$addr_A" \
    2>"$T/udpproxy.log" &
track $!
wait_for 10 test -s "$T/udp.port" || { echo "Bail out! no udpproxy"; exit 1; }
check "udpproxy listens on the tcpproxy's port number" \
    test "$(cat "$T/udp.port")" = "$port"

ctl A create r --as alice >/dev/null
check "bob joins through the proxies" \
    quiet ctl B join "r@127.0.0.1:$port" --as bob
wait_for 10 in_roster A alice bob

feed B bob -a -a sine:660 -t 15
feed B bob -v -v test -s 320x240 -r 15 -q 50 -t 15
check "alice sees bob's audio and video start" eval \
    'quiet ctl A -s alice wait -T 10 audio-on bob &&
    quiet ctl A -s alice wait -T 10 video-on bob'
sleep 1

timeout -k 2 4 meetctl -S "$T/A.sock" -s alice recv -a >"$T/a.pcm" \
    2>>"$T/recv.log" &
ra=$!; track $ra
timeout -k 2 4 meetctl -S "$T/A.sock" -s alice recv -v >"$T/v.mjpeg" \
    2>>"$T/recv.log" &
rv=$!; track $rv
wait $ra; wait $rv

# Audio: 4 s at 48 kHz mono is 384000 bytes; within 10%.
n=$(wc -c <"$T/a.pcm")
check "the audio is continuous: 4 s of it, within 10% (got $n bytes)" \
    test "$n" -ge 345600 -a "$n" -le 422400
l=$(tone_level "$T/a.pcm" 660)
check "bob's 660 Hz comes through the loss ($l dB)" above "$l" -40

# Video: split at each SOI; each JPEG must also end with an EOI.
perl -0777 -ne '@f = split /(?=\xff\xd8\xff)/;
    $bad = grep { !/\A\xff\xd8/ || !/\xff\xd9\z/ } @f;
    print scalar(@f), " $bad\n"' "$T/v.mjpeg" >"$T/split" 2>&1
read jpegs cut <"$T/split"
check "alice got JPEGs, no more than 4 s at 15 fps (${jpegs:-0})" \
    test "${jpegs:-0}" -ge 1 -a "${jpegs:-0}" -le 70
check "every one is whole: SOI to EOI (${cut:-?} are not)" test "${cut:-1}" = 0
ffmpeg -nostdin -v warning -f mjpeg -i "$T/v.mjpeg" -f null - \
    2>"$T/ffmpeg.err"
rc=$?
check "ffmpeg decodes them all (exit $rc)" test "$rc" = 0
check "and has nothing to say about them" test ! -s "$T/ffmpeg.err"
nf=$(ffprobe -v error -f mjpeg -count_frames -select_streams v:0 \
    -show_entries stream=nb_read_frames -of default=nw=1:nk=1 \
    "$T/v.mjpeg" 2>>"$T/ffprobe.log")
check "ffprobe counts as many frames (${nf:-none})" test "${nf:-x}" = "$jpegs"

ctl A -j stats >"$T/stats.json"
diag "bob's incoming audio: $(jq -c '.streams[]? | select(.dir == "in" and
    .name == "bob" and .kind == "audio") | {packets, lost, loss}' \
    "$T/stats.json" 2>/dev/null)"
check "stats: bob's audio into A lost 3 to 20%" jqe '.streams |
    any(.[]; .dir == "in" and .name == "bob" and .kind == "audio" and
    (.loss | type == "number") and .loss >= 3 and .loss <= 20)' \
    <"$T/stats.json"
