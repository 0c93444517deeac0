#!/bin/sh
# Bad audio never harms the room: PCM that ends mid-sample is sent with a
# warning, an unsupported rate is a usage error, and while bob's tone flows
# from B to alice on A, garbage, short and RTCP-garbage datagrams at A's
# UDP port, then RTP with bob's real SSRC from another port, are dropped
# and counted: alice's tone stays as it was and A keeps serving.
. "$(dirname "$0")/lib.sh"
command -v rtp-inject >/dev/null || { echo "Bail out! no rtp-inject"; exit 1; }
plan 14

# rec SECONDS FILE: alice's recv -a.
rec() { timeout -k 2 "$1" meetctl -S "$T/A.sock" -s alice recv -a >"$2" \
    2>>"$T/recv.log"; }
level() { goertzel -s 0.5 660 <"$1" 2>>"$T/goertzel.log" |
    awk '$1 == 660 { print $2 }'; }
# near LEVEL: the tone is there, within 10 dB of the first recording.
near() { [ -n "$1" ] && awk -v l="$1" -v b="$base" \
    'BEGIN { exit !(l > -40 && l > b - 10 && l < b + 10) }'; }
# bad: the sum of the numbers in A's stats and status under any key that
# names malformed, bad, invalid or unknown packets, or a wrong source.
bad() { { ctl A -j stats; ctl A -j status; } 2>/dev/null | jq -s '[.[] |
    . as $o | paths(numbers) as $p | select(any($p[]; strings |
    test("malformed|bad|invalid|unknown|source|spoof"; "i"))) |
    $o | getpath($p)] | add // 0' 2>/dev/null; }
# more X Y: X > Y as numbers; false when either is missing.
more() { [ -n "$1" ] && [ -n "$2" ] && awk -v x="$1" -v y="$2" \
    'BEGIN { exit !(x > y) }'; }

start_node A
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
wait_for 10 in_roster A alice bob

printf '\001\002\003' | ctl A -s alice send -a 2>"$T/odd.err"
rc=$?
check "3 bytes of PCM: send exits 0 (got $rc)" test "$rc" = 0
check "and says the input ended mid-sample, 1 byte dropped" \
    contains "$T/odd.err" "ended mid-sample (1 byte dropped)"
ctl A -s alice send -a -r 44100 </dev/null 2>"$T/rate.err"
rc=$?
check "send -a -r 44100: usage error, exit 2 (got $rc)" test "$rc" = 2
check "naming the rate" contains "$T/rate.err" 44100
check "send -a -c 3: usage error, exit 2" expect_code 2 \
    ctl A -s alice send -a -c 3 </dev/null 2>/dev/null

mkfifo "$T/bob.fifo"
meet-cap -a sine:660 -t 60 >"$T/bob.fifo" 2>>"$T/cap.log" &
track $!
timeout 70 meetctl -S "$T/B.sock" -s bob send -a <"$T/bob.fifo" \
    2>>"$T/send.log" &
track $!
ctl A -s alice -j wait -T 10 audio-on bob >"$T/on.json"
ssrc=$(jq -r '.ssrc // empty' "$T/on.json" 2>/dev/null)
check "audio-on for bob carries his SSRC (${ssrc:-none})" test -n "$ssrc"
sleep 1
rec 2 "$T/0.pcm"
base=$(level "$T/0.pcm")
check "alice hears bob's 660 Hz ($base dB)" near "$base"

# Garbage while alice listens.
b0=$(bad)
inj=""
for kind in garbage short rtcp-garbage; do
	timeout 20 rtp-inject -n 300 -i 10 -s 1 "$addr_A" $kind \
	    >>"$T/inject.log" 2>&1 &
	track $!
	inj="$inj $!"
done
rec 3 "$T/1.pcm"
failed=0
for p in $inj; do wait "$p" || failed=1; done
check "rtp-inject sent garbage, short and rtcp-garbage" test $failed = 0
check "A is alive and answers" eval 'kill -0 $pid_A && quiet ctl A status'
l=$(level "$T/1.pcm")
check "alice's tone is as before ($l dB)" near "$l"
b1=$(bad)
check "A counts the bad datagrams ($b0 before, $b1 after)" more "$b1" "$b0"

# bob's SSRC from a port that is not bob's: dropped, counted.
timeout 20 rtp-inject -n 150 -i 20 -s 1 "$addr_A" rtp "$ssrc" 111 \
    >>"$T/inject.log" 2>&1 &
p=$!
track $p
rec 3 "$T/2.pcm"
wait $p
rc=$?
check "rtp-inject sent RTP with bob's SSRC (exit $rc)" test "$rc" = 0
l=$(level "$T/2.pcm")
check "alice's tone is unaffected ($l dB)" near "$l"
b2=$(bad)
check "A counts the spoofed packets ($b1 before, $b2 after)" more "$b2" "$b1"
