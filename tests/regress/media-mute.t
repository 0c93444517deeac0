#!/bin/sh
# mute and unmute: bob's self mute silences his tone for alice, with muted
# and unmuted events and who showing "muted"; the host's mute of bob holds
# until bob himself unmutes (unmute takes no NAME); a non-host cannot mute
# someone else.  What alice hears is judged by goertzel on 2 s of recv -a.
. "$(dirname "$0")/lib.sh"
plan 22

# rec FILE: 2 s of alice's recv -a.  With nobody sending, recv may write
# nothing at all: an empty recording has no tone.
rec() { timeout -k 2 2 meetctl -S "$T/A.sock" -s alice recv -a >"$1" \
    2>>"$T/recv.log"; }
level() { goertzel -s 0.5 550 <"$1" 2>>"$T/goertzel.log" |
    awk '$1 == 550 { print $2 }'; }
# heard LEVEL: the tone is there, and within 10 dB of before the mutes.
heard() { [ -n "$1" ] && awk -v l="$1" -v b="$base" \
    'BEGIN { exit !(l > -40 && l > b - 10) }'; }
# silent LEVEL: no tone at all, or 25 dB under what alice heard before.
silent() { [ -z "$1" ] || awk -v l="$1" -v b="$base" \
    'BEGIN { exit !(l + 25 <= b) }'; }
# event SESSION KIND BY: the next KIND event about bob, on audio, by BY.
event() { ctl A -s "$1" -j wait -T 5 "$2" bob | jqe --arg by "$3" \
    '.name == "bob" and .media == "audio" and .by == $by'; }
audio_is() { ctl A -s alice -j who | jqe --arg s "$1" \
    'any(.participants[]; .name == "bob" and .audio == $s)'; }

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
mkfifo "$T/tone.fifo"
meet-cap -a sine:550 -t 60 >"$T/tone.fifo" 2>>"$T/cap.log" &
track $!
timeout 70 meetctl -S "$T/A.sock" -s bob send -a <"$T/tone.fifo" \
    2>>"$T/send.log" &
track $!
quiet ctl A -s alice wait -T 10 audio-on bob
sleep 1

rec "$T/0.pcm"
base=$(level "$T/0.pcm")
check "alice hears bob's tone ($base dB)" heard "$base"
check "who shows bob's audio on" audio_is on

# bob mutes himself.
check "bob mutes himself" quiet ctl A -s bob mute -a
check "alice gets muted: bob, audio, by bob" event alice muted bob
check "bob gets it too" event bob muted bob
check "who shows bob's audio muted" audio_is muted
rec "$T/1.pcm"
l=$(level "$T/1.pcm")
check "alice no longer hears the tone (${l:-nothing})" silent "$l"

check "bob unmutes" quiet ctl A -s bob unmute -a
check "alice gets unmuted: bob, audio, by bob" event alice unmuted bob
check "who shows bob's audio on again" audio_is on
rec "$T/2.pcm"
l=$(level "$T/2.pcm")
check "the tone is back ($l dB)" heard "$l"

# The host mutes bob: only bob may undo it.
check "alice, the host, mutes bob" quiet ctl A -s alice mute -a bob
check "alice gets muted: bob, audio, by alice" event alice muted alice
check "who shows bob's audio muted" audio_is muted
rec "$T/3.pcm"
l=$(level "$T/3.pcm")
check "alice no longer hears the tone (${l:-nothing})" silent "$l"
check "unmute takes no NAME: usage error, exit 2" expect_code 2 \
    ctl A -s alice unmute -a bob 2>/dev/null
check "bob is still muted" audio_is muted
check "bob unmutes himself" quiet ctl A -s bob unmute -a
check "alice gets unmuted: bob, audio, by bob" event alice unmuted bob
rec "$T/4.pcm"
l=$(level "$T/4.pcm")
check "the tone is back ($l dB)" heard "$l"

check "a non-host cannot mute someone else: exit 1" expect_code 1 \
    ctl A -s bob mute -a alice 2>/dev/null
check "alice was not muted" eval 'ctl A -s bob -j who | jqe \
    "any(.participants[]; .name == \"alice\" and .audio != \"muted\")"'
