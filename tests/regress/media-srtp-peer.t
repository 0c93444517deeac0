#!/bin/sh
# A plain-RTP participant that speaks SRTP: ffmpeg's srtp://.  rtp --srtp
# answers an SDP whose every m= line is RTP/SAVP and carries a=crypto with
# the key the node made, and -j gives that key as srtp_key, the one ffmpeg
# takes.  Plain RTP sent to the port before ffmpeg starts fails
# authentication, is counted, and opens no stream.  ffmpeg sends a 1 kHz
# tone with the key and alice hears it; RTP from another port under ff's
# SSRC is then dropped and counted while the tone goes on.  ffmpeg, reading
# the SDP, hears alice's 700 Hz; with the SDP less its a=crypto lines it
# hears nothing of it, since what the node sends is encrypted; and the RTCP
# the node sends to P+1 is SRTCP.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v rtp-inject >/dev/null || { echo "Bail out! no rtp-inject"; exit 1; }
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
ffmpeg -hide_banner -protocols 2>/dev/null | grep -q '^ *srtp$' ||
    skip_all "ffmpeg has no srtp protocol"
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
# tone PCM HZ OTHER: HZ is there (above -40 dB) and 20 dB over OTHER.
tone() {
	[ -s "$1" ] || return 1
	set -- $(goertzel -s 0.5 "$2" "$3" <"$1" | awk '{ print $2 }')
	diag "levels: $*"
	[ -n "${2:-}" ] && awk -v a="$1" -v b="$2" \
	    'BEGIN { exit !(a > -40 && a - b > 20) }'
}
bytes() { if [ -f "$1" ]; then wc -c <"$1"; else echo 0; fi; }
# port_drops NAME REASON: what ff's port dropped for REASON.
port_drops() { ctl A -j stats | jq --arg n "$1" --arg r "$2" '
	[.streams[] | select(.kind == "port" and .name == $n) |
	.drops[$r] // 0] | add // 0'; }
# at_least N COMMAND...: the number COMMAND prints is N or more.
at_least() { _want=$1; shift; _got=$("$@"); diag "$* = $_got";
	[ "${_got:-0}" -ge "$_want" ]; }
# in_ssrc NAME: the SSRC of the audio NAME sends, as stats -j shows it.
in_ssrc() { ctl A -j stats | jq -r --arg n "$1" '.streams[] |
	select(.dir == "in" and .kind == "audio" and .name == $n) | .ssrc'; }

start_node A
ctl A create r --as alice >/dev/null
check "rtp --srtp adds ff to the room" eval 'ctl A -s alice -j rtp --srtp \
    --audio opus --video jpeg --as ff --peer "127.0.0.1:$P" >"$T/rtp.json"'
send_to=$(jq -r '.send_to // empty' "$T/rtp.json" 2>/dev/null)
key=$(jq -r '.srtp_key // empty' "$T/rtp.json" 2>/dev/null)
jq -r '.sdp // empty' "$T/rtp.json" >"$T/room.sdp" 2>/dev/null
diag "peer 127.0.0.1:$P, send_to $send_to"
check "rtp -j: srtp_suite AES_CM_128_HMAC_SHA1_80 and a 30-byte srtp_key" \
    eval 'jqe ".srtp_suite == \"AES_CM_128_HMAC_SHA1_80\"" <"$T/rtp.json" &&
    [ "$(printf %s "$key" | base64 -d 2>/dev/null | wc -c)" = 30 ]'
check "each m= line is RTP/SAVP and has a=crypto:1 with that key" eval '
    [ "$(grep -c "^m=[a-z]* [0-9]* RTP/SAVP " "$T/room.sdp")" = 2 ] &&
    [ "$(grep -c "^m=" "$T/room.sdp")" = 2 ] &&
    [ "$(grep -cFx "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:$key$(printf \
    "\r")" "$T/room.sdp")" = 2 ]'
ctl A -s alice -j rtp --srtp --as ff2 --peer "127.0.0.1:$((P + 20))" \
    >"$T/rtp2.json" 2>>"$T/ctl.log"
check "a second --srtp participant gets a key of its own" eval '
    k2=$(jq -r ".srtp_key // empty" "$T/rtp2.json");
    [ -n "$k2" ] && [ "$k2" != "$key" ]'
check "without --srtp, no key and no a=crypto" eval 'ctl A -s alice -j rtp \
    --as ff3 --peer "127.0.0.1:$((P + 40))" | jqe ".srtp_key == null and
    (.sdp | test(\"crypto\") | not) and (.sdp | test(\"RTP/AVP 111\"))"'

# Plain RTP before anything latched: it fails authentication.
rtp-inject -n 20 -i 5 "$send_to" rtp 0x1234 111 >/dev/null 2>>"$T/inject.log"
check "20 plain RTP packets at ff's port: 20 auth-failed" \
    wait_for 3 at_least 20 port_drops ff auth-failed
check "and they opened no stream of ff's" eval '[ -z "$(in_ssrc ff)" ]'

# ffmpeg sends with the key.
ffmpeg -nostdin -v error -re -f lavfi -i sine=f=1000:r=48000 -t 10 \
    -c:a libopus -ar 48000 -ac 1 -f rtp \
    -srtp_out_suite AES_CM_128_HMAC_SHA1_80 -srtp_out_params "$key" \
    "srtp://$send_to" >/dev/null 2>"$T/ff-send.log" &
fa=$!; track $fa
check "alice sees audio-on from ff" eval 'ctl A -s alice -j wait -T 5 \
    audio-on ff | jqe ".name == \"ff\""'
sleep 1
ssrc=$(in_ssrc ff)
diag "ff sends under SSRC $ssrc"
# While alice listens, plain RTP under ff's SSRC from another port.
timeout 10 rtp-inject -n 100 -i 20 "$send_to" rtp "${ssrc:-1}" 97 \
    >/dev/null 2>>"$T/inject.log" &
track $!
timeout 3 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log"
check "alice gets audio ($(bytes "$T/alice.pcm") bytes)" \
    test "$(bytes "$T/alice.pcm")" -ge 192000
check "alice hears ff's 1000 Hz over SRTP, spoofer or not" \
    tone "$T/alice.pcm" 1000 700
check "RTP from another port under ff's SSRC: dropped as source" \
    wait_for 5 at_least 100 port_drops ff source
kill $fa 2>/dev/null
wait $fa 2>/dev/null

# ffmpeg receives alice's tone, from the SDP alone.
meet-cap -a sine:700 -t 30 2>>"$T/cap.log" |
    ctl A -s alice send -a 2>>"$T/send.log" &
track $!
sleep 0.5
timeout 8 ffmpeg -nostdin -v error -protocol_whitelist file,udp,rtp,srtp \
    -analyzeduration 1000000 -i "$T/room.sdp" -map 0:a -t 3 -f s16le \
    -ar 48000 -ac 1 -y "$T/ff.pcm" 2>"$T/ff-recv.log"
rc=$?
b=$(bytes "$T/ff.pcm")
check "ffmpeg decrypts 3 s from the SDP (exit $rc, $b bytes)" \
    eval '[ "$rc" = 0 ] && [ "$b" -ge 250000 ]'
check "ffmpeg hears alice's 700 Hz" tone "$T/ff.pcm" 700 1000
# The same SDP without the key: what arrives is no Opus it can play.
sed -e '/^a=crypto/d' -e 's|RTP/SAVP|RTP/AVP|' "$T/room.sdp" >"$T/plain.sdp"
timeout 8 ffmpeg -nostdin -v error -protocol_whitelist file,udp,rtp \
    -analyzeduration 1000000 -i "$T/plain.sdp" -map 0:a -t 2 -f s16le \
    -ar 48000 -ac 1 -y "$T/plain.pcm" 2>"$T/ff-plain.log"
check "without a=crypto ffmpeg hears no 700 Hz: the packets are encrypted" \
    eval '! tone "$T/plain.pcm" 700 1000'

# RTCP at P+1: SRTCP (RFC 3711 section 3.4), a compound packet (a multiple
# of 4 bytes, encrypted after its first 8), then E and the SRTCP index in 4
# bytes, then the 10 bytes of the tag.
perl -MIO::Socket::INET -MIO::Select -e '
	my $s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:$ARGV[0]") or die "bind: $!\n";
	IO::Select->new($s)->can_read(4) or die "no RTCP in 4 s\n";
	$s->recv(my $d, 65535);
	my $n = length $d;
	my ($pt, $e) = (unpack("xC", $d), unpack("N", substr($d, $n - 14, 4)));
	printf "%d %d %d %d\n", $n, $pt, $e >> 31, $e & 0x7fffffff;
' $((P + 1)) >"$T/rtcp.txt" 2>>"$T/rtcp.log"
diag "RTCP: length, type, E, index: $(cat "$T/rtcp.txt" 2>/dev/null)"
check "the node's RTCP to P+1 is SRTCP: an SR, E set, index and tag after" \
    eval 'read n pt e index <"$T/rtcp.txt" && [ "$pt" = 200 ] &&
    [ $(((n - 14) % 4)) = 0 ] && [ "$e" = 1 ] && [ "$index" -lt 1000 ]'
