#!/bin/sh
# A flood of 50,000 packets a second from one address (127.0.0.2) at the
# node's port, under the SSRC of a real stream and under random ones,
# leaves another room's tones clean: what the address sends past [media]
# rate_per_source is dropped before anything else is done with it, and
# counted as rate-limited.
. "$(dirname "$0")/lib.sh"
plan 5

# A limit under what the flood sends (the default, 50,000, is not).
printf '[media]\nrate_per_source = 10000\n' >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
ctl A create quiet --as alice >/dev/null
ctl B join "quiet@$addr_A" --as bob >/dev/null
wait_for 10 in_roster A alice bob

# bob's tone to alice, across the link, for 8 s.
mkfifo "$T/bob.fifo"
meet-cap -a sine:660 -t 8 >"$T/bob.fifo" 2>/dev/null &
track $!
timeout 20 meetctl -S "$T/B.sock" -s bob send -a <"$T/bob.fifo" \
    2>"$T/send.log" &
track $!
sleep 1

# The flood: 4 s at 50,000 a second from 127.0.0.2, a burst every 1 ms.
python3 - "$addr_A" >"$T/flood" <<'EOF' &
import os, socket, struct, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.2", 0))
n, start = 0, time.time()
while time.time() - start < 4:
    t0 = time.time()
    for i in range(50):
        ssrc = struct.unpack(">I", os.urandom(4))[0]
        pkt = struct.pack(">BBHII", 0x80, 111, n & 0xffff, n * 960, ssrc)
        try:
            s.sendto(pkt + b"\0" * 100, (host, int(port)))
            n += 1
        except OSError:
            pass
    left = 0.001 - (time.time() - t0)
    if left > 0:
        time.sleep(left)
print("sent %d in %.1f s" % (n, time.time() - start))
EOF
flood=$!
track $flood
timeout -k 2 4 meetctl -S "$T/A.sock" -s alice recv -a >"$T/alice.pcm" \
    2>"$T/recv.log"
wait $flood 2>/dev/null
diag "$(cat "$T/flood")"
sent=$(sed -n 's/^sent \([0-9]*\).*/\1/p' "$T/flood")
check "the flood sent over 100,000 packets ($sent)" test "${sent:-0}" -gt 100000
level=$(tone_level "$T/alice.pcm" 660)
check "alice hears bob's tone during the flood ($level dB)" above "$level" -30
limited=$(ctl A -j stats | jq '.dropped["rate-limited"] // 0')
check "the node counted what was over the limit ($limited)" \
    test "${limited:-0}" -gt 50000
# The tone has no hole: every 20 ms of the recording holds the tone.
holes=$(python3 - "$T/alice.pcm" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
n = len(d) // 2
s = struct.unpack("<%dh" % n, d[:n * 2])
frame, holes = 960, 0
for i in range(48000 // 2, n - frame, frame):	# after the first 0.5 s
    if max(abs(x) for x in s[i:i + frame]) < 1000:
        holes += 1
print(holes)
EOF
)
check "and it has no silent 20 ms ($holes)" test "${holes:-1}" -le 1
check "the node still answers" quiet ctl A status
