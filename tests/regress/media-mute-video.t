#!/bin/sh
# mute -v: bob's camera keeps being read but reaches nobody while he is
# muted; who shows it, the events say it in text, and unmute -v brings the
# frames back.
. "$(dirname "$0")/lib.sh"
plan 6

start_node A
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
meet-cap -v test -s 160x120 -r 15 -t 20 2>>"$T/cap.log" |
    ctl A -s bob send -v 2>>"$T/send.log" &
track $!
ctl A -s alice wait -T 5 video-on bob >/dev/null
# frames SECONDS: how many JPEGs alice gets in that long.
frames() { timeout "$1" meetctl -S "$T/A.sock" -s alice recv -v \
    2>>"$T/recv.log" | jpegs /dev/stdin | wc -l; }
n=$(frames 1.5)
check "alice sees bob's camera ($n frames in 1.5 s)" test "$n" -ge 10
check "bob mutes his video" quiet ctl A -s bob mute -v
check "who shows it" eval 'ctl A -s alice -j who | jqe \
    "any(.participants[]; .name == \"bob\" and .video == \"muted\")"'
check "the events say so in text" eval 'ctl A -s alice events |
    grep -q "\* bob muted video$"'
n=$(frames 1.5)
check "alice gets no frame while he is muted ($n)" test "$n" = 0
ctl A -s bob unmute -v
n=$(frames 1.5)
check "unmute -v brings them back ($n frames)" test "$n" -ge 10
