#!/bin/sh
# A plain-RTP participant that takes L16 and video: ffmpeg, reading the SDP
# that rtp prints, hears the room's audio as L16 and sees the video of the
# one who sends it; with --video-from it sees that participant, not the
# other camera in the room.
. "$(dirname "$0")/lib.sh"

command -v ffmpeg >/dev/null 2>&1 || skip_all "no ffmpeg"
plan 7

# A free UDP port P with P+1 to P+3 free too.
P=$(perl -MIO::Socket::INET -e 'for (1 .. 50) {
	my $s = IO::Socket::INET->new(Proto => "udp", LocalAddr => "127.0.0.1")
	    or next; my $p = $s->sockport; close $s; next if $p % 2 || $p > 60000;
	my @t = map { IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1", LocalPort => $p + $_) } 0 .. 3;
	next if grep { !defined } @t; print $p; exit }')

# receive SDP SECONDS: ffmpeg reads the SDP, writes $T/out.pcm, $T/out.mjpeg.
receive() {
	timeout 15 ffmpeg -nostdin -v error -protocol_whitelist file,udp,rtp \
	    -analyzeduration 1000000 -i "$1" -t "$2" -map 0:a -f s16le \
	    -ar 48000 -ac 1 -y "$T/out.pcm" -map 0:v -t "$2" -f mjpeg \
	    -y "$T/out.mjpeg" 2>>"$T/ffmpeg.log"
}

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
meet-cap -a sine:700 -t 20 2>>"$T/cap.log" |
    ctl A -s alice send -a 2>>"$T/send.log" &
track $!
meet-cap -v test -s 320x240 -r 15 -t 20 2>>"$T/cap.log" |
    ctl A -s alice send -v 2>>"$T/send.log" &
track $!
meet-cap -v test -s 160x120 -r 15 -t 20 2>>"$T/cap.log" |
    ctl A -s bob send -v 2>>"$T/send.log" &
track $!
sleep 1

check "rtp takes --audio l16 --video-from bob" eval 'ctl A -s alice rtp \
    --audio l16 --video jpeg --video-from bob --as ff \
    --peer "127.0.0.1:$P" > "$T/ff.sdp"'
check "the SDP names L16 at P and JPEG at P+2" eval '
    grep -q "^m=audio $P RTP/AVP 112" "$T/ff.sdp" &&
    grep -q "^a=rtpmap:112 L16/48000/1" "$T/ff.sdp" &&
    grep -q "^m=video $((P + 2)) RTP/AVP 26" "$T/ff.sdp"'
receive "$T/ff.sdp" 3
level=$(goertzel -s 0.5 700 < "$T/out.pcm" 2>/dev/null | awk '$1 == 700 {
    print $2 }')
check "ffmpeg hears alice's 700 Hz as L16 (${level:-nothing} dB)" \
    eval '[ -n "$level" ] && awk -v l="$level" "BEGIN { exit !(l > -20) }"'
size=$(ffprobe -v error -select_streams v -show_entries stream=width,height \
    -of csv=p=0 "$T/out.mjpeg" 2>/dev/null | head -n 1)
check "ffmpeg sees bob's camera, 160x120 (got ${size:-nothing})" \
    test "$size" = "160,120"
n=$(ffprobe -v error -count_frames -select_streams v -show_entries \
    stream=nb_read_frames -of csv=p=0 "$T/out.mjpeg" 2>/dev/null)
check "and frames keep coming (${n:-no} frames)" \
    eval '[ "${n:-0}" -ge 20 ]'
check "ff is a participant, shown as plain RTP" eval \
    'ctl A -s alice -j who | jqe "any(.participants[]; .name == \"ff\" and
    .rtp)"'
check "a second rtp with the same name is refused" \
    expect_code 1 ctl A -s alice rtp --as ff --peer "127.0.0.1:$P" \
    2>/dev/null
