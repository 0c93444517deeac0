#!/bin/sh
# The node protocol's operations across a link (meetd/nodeop.h): what a
# session's node asks of the room's node is done there and answered with a
# typed reply.  A join given up in a remote lobby leaves it (leave); a send
# the room's node refuses says why (media_track); and a send whose meetctl
# goes away before the room's node answers leaves no stream open there:
# the late answer is undone (media_untrack), so the next send works.  The
# link runs through tcpproxy, which the test stops (SIGSTOP) to hold the
# answer back.
. "$(dirname "$0")/lib.sh"
plan 11

start_node A
start_node B

tcpproxy -l 127.0.0.1:0 -t "$addr_A" -p "$T/proxy.port" 2>"$T/proxy.log" &
proxy=$!
track $proxy
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
hub="127.0.0.1:$(cat "$T/proxy.port")"

# tone SESSION SECONDS: a sine from node B's SESSION, in the background;
# $sender is meetctl's pid.
tone() {
	rm -f "$T/tone.fifo"
	mkfifo "$T/tone.fifo"
	meet-cap -a sine:440 -t "$2" >"$T/tone.fifo" 2>>"$T/cap.log" &
	track $!
	meetctl -S "$T/B.sock" -s "$1" send -a <"$T/tone.fifo" \
	    2>>"$T/send.log" &
	sender=$!
	track $sender
}

# leave: dave, from B, gives up waiting in a lobby on A.
ctl A create hall --as alice -a >/dev/null
meetctl -S "$T/B.sock" join "hall@$hub" --as dave >/dev/null 2>&1 &
jd=$!; track $jd
check "alice hears dave knock from B" eval \
    'ctl A -s alice wait -T 10 knock dave >/dev/null'
kill $jd
check "alice hears dave give up" eval \
    'ctl A -s alice wait -T 10 gave-up dave >/dev/null'
check "dave's session on B is gone" wait_for 10 no_session B dave

# media_track refused: bob already sends audio.
ctl A create r --as carol >/dev/null
ctl B join "r@$hub" --as bob >/dev/null
tone bob 4
check "carol hears of bob's audio" eval \
    'ctl A -s carol wait -T 10 audio-on bob >/dev/null'
head -c 1920 /dev/zero >"$T/short.pcm"
ctl B -s bob send -a <"$T/short.pcm" >/dev/null 2>"$T/twice.err"
check "a second send -a from bob exits 1" test $? = 1
check "it says why, as the room's node put it" \
    contains "$T/twice.err" "send: bob already sends audio"
check "the first send ends" wait $sender
ctl A -s carol wait -T 10 audio-off bob >/dev/null

# The answer to media_track comes after its send is gone.
kill -STOP $proxy
tone bob 10
sleep 1			# B has sent media_track into the stopped proxy
kill $sender
sleep 0.5		# and has seen its meetctl go
kill -CONT $proxy
check "the room's node opens bob's stream when the request arrives" eval \
    'ctl A -s carol wait -T 10 audio-on bob >/dev/null'
check "and closes it when B undoes the answer nobody waits for" eval \
    'ctl A -s carol wait -T 10 audio-off bob >/dev/null'
meet-cap -a sine:440 -t 1 2>>"$T/cap.log" | \
    ctl B -s bob send -a >/dev/null 2>"$T/again.err"
check "bob can send again" test $? = 0
check "bob is in r still" in_roster A carol bob
