#!/bin/sh
# A plain-RTP participant without SRTP is bound to where its streams come
# from: ffmpeg sends ff's 1 kHz tone from a port of its own, and the first
# packet latches that port and ff's SSRC.  A spoofer on the same host, from
# another port, then sends RTP under ff's SSRC: every packet is
# dropped and counted as from the wrong source, alice still hears ff's tone
# clean, and ff's stream goes on.  A packet from another host is dropped
# too.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v rtp-inject >/dev/null || { echo "Bail out! no rtp-inject"; exit 1; }
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
plan 6

# tone PCM HZ OTHER: HZ is there (above -40 dB) and 20 dB over OTHER.
tone() {
	[ -s "$1" ] || return 1
	set -- $(goertzel -s 0.5 "$2" "$3" <"$1" | awk '{ print $2 }')
	diag "levels: $*"
	[ -n "${2:-}" ] && awk -v a="$1" -v b="$2" \
	    'BEGIN { exit !(a > -40 && a - b > 20) }'
}
bytes() { if [ -f "$1" ]; then wc -c <"$1"; else echo 0; fi; }
# port_drops NAME REASON: what NAME's port dropped for REASON.
port_drops() { ctl A -j stats | jq --arg n "$1" --arg r "$2" '
	[.streams[] | select(.kind == "port" and .name == $n) |
	.drops[$r] // 0] | add // 0'; }
# in_audio NAME FIELD: that field of the audio NAME sends, in stats -j.
in_audio() { ctl A -j stats | jq -r --arg n "$1" --arg f "$2" '.streams[] |
	select(.dir == "in" and .kind == "audio" and .name == $n) | .[$f]'; }
at_least() { _want=$1; shift; _got=$("$@"); diag "$* = $_got";
	[ "${_got:-0}" -ge "$_want" ]; }

start_node A
ctl A create r --as alice >/dev/null
ctl A -s alice -j rtp --as ff --peer 127.0.0.1:9 >"$T/rtp.json"
send_to=$(jq -r '.send_to // empty' "$T/rtp.json")
diag "send_to $send_to"

ffmpeg -nostdin -v error -re -f lavfi -i sine=f=1000:r=48000 -t 12 \
    -c:a libopus -ar 48000 -ac 1 -f rtp "rtp://$send_to" \
    >/dev/null 2>"$T/ff.log" &
track $!
check "alice sees audio-on from ff" eval 'ctl A -s alice -j wait -T 5 \
    audio-on ff | jqe ".name == \"ff\""'
sleep 1
ssrc=$(in_audio ff ssrc)
p0=$(in_audio ff packets)
diag "ff: SSRC $ssrc, $p0 packets"

# The spoofer: ff's SSRC, Opus silence, from a port of its own, while
# alice listens.
timeout 10 rtp-inject -n 150 -i 20 "$send_to" rtp "${ssrc:-1}" 97 \
    >/dev/null 2>>"$T/inject.log" &
spoof=$!; track $spoof
timeout 4 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log"
wait $spoof
check "alice gets audio ($(bytes "$T/alice.pcm") bytes)" \
    test "$(bytes "$T/alice.pcm")" -ge 288000
check "alice hears ff's 1000 Hz clean through the spoofing" \
    tone "$T/alice.pcm" 1000 700
check "150 packets under ff's SSRC from another port: 150 dropped as source" \
    eval '[ "$(port_drops ff source)" = 150 ]'
p1=$(in_audio ff packets)
check "ff's stream went on under its SSRC ($p0 then $p1 packets)" \
    eval '[ "${p1:-0}" -gt "${p0:-0}" ] &&
    [ "$(in_audio ff ssrc)" = "$ssrc" ]'
# From another host of the loopback net: not ff's address at all.
d0=$(port_drops ff source)
timeout 5 rtp-inject -b 127.0.0.2:0 -n 10 "$send_to" rtp "${ssrc:-1}" 97 \
    >/dev/null 2>>"$T/inject.log"
check "10 packets from 127.0.0.2: 10 more dropped as source" \
    wait_for 3 at_least $((d0 + 10)) port_drops ff source
