#!/bin/sh
# A plain-RTP participant that nobody here wrote: ffmpeg.  rtp adds "ff" to
# alice's room and answers an SDP and a send_to address; ffmpeg sends a
# 1 kHz Opus tone and an RTP/JPEG test pattern there, and alice hears the
# tone and sees decodable JPEGs tagged src=ff.  Then ffmpeg, reading only
# the SDP, hears alice's 700 Hz tone.  who lists ff; kick removes it, and
# the node sends nothing more to its port.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
ffmpeg -hide_banner -muxers 2>/dev/null | grep -q ' rtp ' ||
    skip_all "ffmpeg has no rtp muxer"
plan 15

# An even UDP port P with P+1..P+3 free too: the SDP receiver binds them.
P=$(perl -MIO::Socket::INET -e 'for (1 .. 50) {
	my @s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:0") or next;
	my $p = $s[0]->sockport; next if $p % 2 or $p > 65000;
	push @s, map { IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:" . ($p + $_)) } 1 .. 3;
	next if grep { !defined } @s;
	print "$p\n"; exit 0 } exit 1') ||
    { echo "Bail out! no free UDP port"; exit 1; }
# udp_count PORT SECONDS: how many datagrams arrive at 127.0.0.1:PORT.
udp_count() { perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time -e '
	my $s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:$ARGV[0]") or die "bind: $!\n";
	my ($sel, $n, $end) = (IO::Select->new($s), 0, time + $ARGV[1]);
	while ((my $left = $end - time) > 0) {
		next unless $sel->can_read($left);
		$s->recv(my $b, 65535); $n++;
	}
	print "$n\n"' "$1" "$2"; }
# tone PCM HZ OTHER: HZ is there (above -40 dB) and 20 dB over OTHER.
tone() {
	[ -f "$1" ] || return 1
	set -- $(goertzel -s 0.5 "$2" "$3" <"$1" | awk '{ print $2 }')
	diag "levels: $*"
	[ -n "${2:-}" ] && awk -v a="$1" -v b="$2" \
	    'BEGIN { exit !(a > -40 && a - b > 20) }'
}
# decodes FILE: not empty, and ffmpeg decodes every JPEG without a word.
decodes() {
	[ -s "$1" ] || { echo "# $1 is empty" >&2; return 1; }
	_e=$(ffmpeg -nostdin -v error -f mjpeg -i "$1" -f null - 2>&1) &&
	    [ -z "$_e" ] && return 0
	echo "# $1: $_e" | head -n 5 >&2; return 1
}
# tags FILE: the src= of each JPEG's meet COM tag, "-" when it has none.
tags() { perl -e 'local $/; $_ = <STDIN>;
	for (split /\xff\xd8/) { next unless length;
	print /\xff\xfe..meet:src=([^;]*);ts=\d+/s ? "$1\n" : "-\n" }' <"$1"; }
bytes() { if [ -f "$1" ]; then wc -c <"$1"; else echo 0; fi; }

start_node A
ctl A create r --as alice >/dev/null
check "rtp adds ff to the room" eval 'ctl A -s alice -j rtp --audio opus \
    --video jpeg --as ff --peer "127.0.0.1:$P" >"$T/rtp.json"'
send_to=$(jq -r '.send_to // empty' "$T/rtp.json" 2>/dev/null)
jq -r '.sdp // empty' "$T/rtp.json" >"$T/room.sdp" 2>/dev/null
diag "peer 127.0.0.1:$P, send_to $send_to"
check "rtp -j answers name, send_to, audio_port and video_port" \
    jqe --argjson p "$P" '.name == "ff" and (.send_to |
    test("^[0-9.]+:[0-9]+$")) and .audio_port == $p and
    .video_port == $p + 2' <"$T/rtp.json"
check "the SDP has Opus (PT 111) on P and JPEG (PT 26) on P+2" eval '
    grep -Eq "^m=audio $P RTP/AVP 111" "$T/room.sdp" &&
    grep -q "^a=rtpmap:111 opus/48000/2" "$T/room.sdp" &&
    grep -Eq "^m=video $((P + 2)) RTP/AVP 26" "$T/room.sdp"'
check "who lists ff" in_roster A alice ff

# ffmpeg sends: an Opus tone and a JPEG test pattern, two processes.
ffmpeg -nostdin -v error -re -f lavfi -i sine=f=1000:r=48000 -t 8 \
    -c:a libopus -ar 48000 -ac 1 -f rtp "rtp://$send_to" \
    >/dev/null 2>"$T/ff-audio.log" &
fa=$!; track $fa
ffmpeg -nostdin -v error -re -f lavfi -i testsrc=size=320x240:rate=15 -t 8 \
    -pix_fmt yuvj420p -c:v mjpeg -huffman default -f rtp "rtp://$send_to" \
    >/dev/null 2>"$T/ff-video.log" &
fv=$!; track $fv
check "alice sees audio-on from ff" eval 'ctl A -s alice -j wait -T 5 \
    audio-on ff | jqe ".name == \"ff\""'
sleep 1
timeout 4 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log" &
r1=$!; track $r1
timeout 4 meetctl -S "$T/A.sock" -s alice recv -v >"$T/alice.mjpeg" \
    2>>"$T/recv.log" &
r2=$!; track $r2
wait $r1; wait $r2
check "alice gets audio ($(bytes "$T/alice.pcm") bytes, 2 s at least)" \
    test "$(bytes "$T/alice.pcm")" -ge 192000
check "alice hears ff's 1000 Hz" tone "$T/alice.pcm" 1000 700
check "every JPEG alice gets decodes" decodes "$T/alice.mjpeg"
n=$(tags "$T/alice.mjpeg" | wc -l)
check "alice sees ff: $n frames, all tagged src=ff" eval '[ "$n" -ge 20 ] &&
    ! tags "$T/alice.mjpeg" | grep -vqx ff'
kill $fa $fv 2>/dev/null
wait $fa $fv 2>/dev/null

# ffmpeg receives what the node sends ff: alice's tone, from the SDP alone.
mkfifo "$T/tone.fifo"
meet-cap -a sine:700 -t 15 >"$T/tone.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/A.sock" -s alice send -a <"$T/tone.fifo" \
    2>"$T/alice-send.log" &
track $!
sleep 0.5
# -analyzeduration: no video comes, and ffmpeg would probe for it 5 s.
timeout 8 ffmpeg -nostdin -v error -protocol_whitelist file,udp,rtp \
    -analyzeduration 1000000 -i "$T/room.sdp" -t 3 -f s16le -ar 48000 \
    -ac 1 -y "$T/ff.pcm" 2>"$T/ff-recv.log"
rc=$?
b=$(bytes "$T/ff.pcm")
check "ffmpeg receives 3 s from the SDP (exit $rc, $b bytes)" \
    eval '[ "$rc" = 0 ] && [ "$b" -ge 250000 ]'
check "ffmpeg hears alice's 700 Hz" tone "$T/ff.pcm" 700 1000

n0=$(udp_count "$P" 1)
check "the node sends ff's audio to P (${n0:-no} packets in 1 s)" \
    test "${n0:-0}" -gt 0
check "alice kicks ff" quiet ctl A -s alice kick ff
check "ff is off the roster" wait_for 5 not_in_roster A alice ff
sleep 0.5
n=$(udp_count "$P" 1.5)
check "then nothing more to P (got ${n:-none})" \
    eval '[ "${n0:-0}" -gt 0 ] && [ "${n:-x}" = 0 ]'
