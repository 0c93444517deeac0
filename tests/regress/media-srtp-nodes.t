#!/bin/sh
# Media between nodes is SRTP, and a stream is taken only from whom it was
# set up for.  carol, on B, in alice's room on A, sends a solid red camera
# and a constant tone: a capture of the UDP between the nodes (tcpdump on
# lo) holds no plaintext (the payloads do not compress, where the red
# JPEG's scans compress to a fraction).  A spoofer on another port that
# sends under the SSRC the video-on event announced, before carol's first
# image, owns nothing: alice still sees carol's red camera, and A counts
# the forgeries as auth-failed.  A spoofer sending Opus under carol's mix
# SSRC to B: carol still hears alice's tone, and B counts them.
. "$(dirname "$0")/lib.sh"
plan 10

command -v tcpdump >/dev/null || skip_all "no tcpdump (make deps installs it)"
start_node A -v
start_node B -v
port_A=${addr_A##*:}
ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
wait_for 10 in_roster A alice carol

ffmpeg -nostdin -loglevel error -f lavfi -i color=red:s=320x240:r=10 -t 8 \
    -pix_fmt yuvj420p -c:v mjpeg -q:v 3 -f mjpeg "$T/red.mjpeg"
timeout 20 tcpdump -i lo -U -w "$T/cap.pcap" "udp port $port_A" \
    2>"$T/tcpdump.log" &
tcpdump_pid=$!
track $tcpdump_pid
wait_for 5 grep -q "listening" "$T/tcpdump.log"

# alice watches carol's camera; carol's first image waits 2 s.
timeout -k 2 10 meetctl -S "$T/A.sock" -s alice recv -v -F carol \
    >"$T/alice.mjpeg" 2>"$T/recv.log" &
track $!
ctl A -s alice events -f -j >"$T/events" 2>/dev/null &
track $!
{ sleep 3; cat "$T/red.mjpeg"; } | timeout 20 meetctl -S "$T/B.sock" \
    -s carol send -v 2>"$T/send.log" &
track $!
wait_for 5 grep -q '"video-on"' "$T/events"
ssrc=$(jq -r 'select(.event == "video-on" and .name == "carol") | .ssrc' \
    "$T/events" | head -n 1)
check "video-on announced carol's SSRC ($ssrc)" test -n "$ssrc"
# The spoofer: same host, another port, that SSRC, before the real camera.
rtp-inject -n 100 -i 5 "$addr_A" rtp "$ssrc" 26 >/dev/null 2>&1
ctl A -j stats >"$T/statsA"

# carol's tone to the room, and alice's to carol (for the mix spoof).
mkfifo "$T/carol.fifo" "$T/alice.fifo"
meet-cap -a sine:700 -t 9 >"$T/carol.fifo" 2>/dev/null &
track $!
timeout 20 meetctl -S "$T/B.sock" -s carol send -a <"$T/carol.fifo" \
    2>>"$T/send.log" &
track $!
meet-cap -a sine:440 -t 9 >"$T/alice.fifo" 2>/dev/null &
track $!
timeout 20 meetctl -S "$T/A.sock" -s alice send -a <"$T/alice.fifo" \
    2>>"$T/send.log" &
track $!
sleep 2
timeout -k 2 4 meetctl -S "$T/B.sock" -s carol recv -a >"$T/carol.pcm" \
    2>>"$T/recv.log" &
carol_recv=$!
track $carol_recv
# The mix spoof: Opus silence under carol's mix SSRC to each of B's ports.
mix_ssrc() { ctl B -j stats | jq -r '.streams[] | select(.kind == "mix") |
    .ssrc' | head -n 1 | grep -x '[0-9][0-9]*'; }
wait_for 5 mix_ssrc
mix=$(mix_ssrc)
for p in $(ss -Hulpn | awk -v pid="pid=$pid_B," 'index($0, pid) {
    n = split($4, a, ":"); print a[n] }'); do
	rtp-inject -n 100 -i 10 "127.0.0.1:$p" rtp "$mix" 111 \
	    >>"$T/inject.log" 2>&1 &
	track $!
done
wait $carol_recv 2>/dev/null
ctl B -j stats >"$T/statsB"
diag "A: $(jq -c '[.streams[] | {dir, name, kind, ssrc, drops}], .dropped' "$T/statsA")"
diag "B: $(jq -c '[.streams[] | {kind, ssrc, drops}], .dropped' "$T/statsB")"
sleep 3

check "alice sees carol's camera: decodable images" decodes "$T/alice.mjpeg"
ffmpeg -nostdin -loglevel error -f mjpeg -i "$T/alice.mjpeg" -frames:v 1 \
    -vf scale=1:1 -f rawvideo -pix_fmt rgb24 - 2>/dev/null | od -An -tu1 \
    >"$T/pixel"
check "and they are red ($(cat "$T/pixel"))" \
    awk '{ exit !($1 > 200 && $2 < 60 && $3 < 60) }' "$T/pixel"
auth_A=$(jq --arg s "$ssrc" '[.streams[] |
    select((.ssrc | tostring) == $s) | .drops["auth-failed"] // 0] | add' \
    "$T/statsA")
check "A counted the spoofer's packets as auth-failed ($auth_A)" \
    test "${auth_A:-0}" -ge 50
check "carol hears alice's tone through the spoof" \
    above "$(tone_level "$T/carol.pcm" 440)" -30
auth_B=$(jq '[.streams[] | select(.kind == "mix") |
    .drops["auth-failed"] // 0] | add' "$T/statsB")
check "B counted the forged mix as auth-failed ($auth_B)" \
    test "${auth_B:-0}" -ge 50

kill "$tcpdump_pid" 2>/dev/null
wait_for 5 sh -c "! kill -0 $tcpdump_pid 2>/dev/null"
# The payloads between the nodes, as zlib sees them; and the same for the
# red images themselves, to show the measure tells plaintext apart.
python3 - "$T/cap.pcap" "$T/red.mjpeg" "$port_A" >"$T/ratios" <<'EOF'
import struct, sys, zlib
pcap, mjpeg, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(pcap, "rb").read()
link = struct.unpack("<I", d[20:24])[0]
off, video, audio, n = 24, b"", b"", 0
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    pkt = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:] if link == 1 else pkt[16:] if link == 113 else pkt
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        continue
    ihl = (ip[0] & 15) * 4
    udp = ip[ihl:ihl + 8]
    sport, dport = struct.unpack(">HH", udp[:4])
    if port not in (sport, dport):
        continue
    rtp = ip[ihl + 8:]
    if len(rtp) < 12 or rtp[0] >> 6 != 2 or 192 <= rtp[1] <= 223:
        continue
    n += 1
    if rtp[12:].count(0) * 2 > len(rtp) - 12:
        continue	# the spoofers' zeros, not the nodes'
    if rtp[1] & 127 == 26:
        video += rtp[12 + 8:]
    elif rtp[1] & 127 == 111:
        audio += rtp[12:]
def ratio(b):
    return len(zlib.compress(b, 9)) / len(b) if b else 0
scans = open(mjpeg, "rb").read()
print("packets", n)
print("video %d %.3f" % (len(video), ratio(video)))
print("audio %d %.3f" % (len(audio), ratio(audio)))
print("plain %d %.3f" % (len(scans), ratio(scans)))
EOF
diag "$(tr '\n' ' ' <"$T/ratios")"
r() { awk -v k="$1" '$1 == k { print $3 }' "$T/ratios"; }
b() { awk -v k="$1" '$1 == k { print $2 }' "$T/ratios"; }
check "the capture holds video and audio between the nodes" \
    sh -c "[ \"$(b video)\" -gt 20000 ] && [ \"$(b audio)\" -gt 2000 ]"
check "the red camera's payloads do not compress ($(r video))" \
    awk -v x="$(r video)" 'BEGIN { exit !(x > 0.95) }'
check "nor the constant tone's ($(r audio))" \
    awk -v x="$(r audio)" 'BEGIN { exit !(x > 0.95) }'
check "where the red JPEGs themselves compress ($(r plain))" \
    awk -v x="$(r plain)" 'BEGIN { exit !(x < 0.5) }'
