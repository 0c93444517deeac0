#!/bin/sh
# A recording finished by record stop is what players expect, and chat
# reaches the file as it is said.  Room r on A ([record] slots = 2), alice
# and bob present as alice records f.mkv: alice speaks, bob shows a 320x240
# camera, carol joins and shows a 160x120 one two seconds in; nobody else
# sends.  Chat: two lines 50 ms apart, and one half a second before the
# stop, five seconds in.
# The finished file: no track without packets (the mix, alice's voice, the
# two cameras and the chat), ffprobe reads it without a warning, the mix
# and bob's camera are the default tracks (and no other audio or video),
# carol's track declares her camera's size, the line naming the track she
# took names its index in this file, each chat line shows for 4 s but the
# last, which ends with the recording, and meet-play -i names every track.
# Then k.mkv, no media sent, and A killed with SIGKILL a second after a
# line: the line is in the file, which keeps every track it declared.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 18

printf '[record]\ndir = %s\nslots = 2\n' "$T/rec" > "$T/A.conf"
start_node A -f "$T/A.conf"
ctl A create r --as alice > /dev/null
ctl A join r --as bob > /dev/null
ctl A -s alice record start -o f.mkv > /dev/null
ctl A -s alice -j wait -T 5 recording > /dev/null

# send NAME ARGS...: meet-cap ARGS into the room as NAME, in the background;
# $senders, the pids of the meetctl sends.
senders=""
send() {
	_who=$1; _how=$2; shift 2
	mkfifo "$T/$_who$_how.fifo"
	meet-cap "$@" > "$T/$_who$_how.fifo" 2>> "$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/A.sock" -s "$_who" send "$_how" \
	    < "$T/$_who$_how.fifo" 2>> "$T/send.log" &
	track $!
	senders="$senders $!"
}
send alice -a -a sine:440 -t 6
send bob -v -v test -s 320x240 -r 15 -t 6
quiet ctl A -s alice wait -T 5 video-on bob
ctl A -s alice say "first line"
sleep 0.05
ctl A -s bob say "second line"
sleep 1
ctl A join r --as carol > /dev/null
send carol -v -v test -s 160x120 -r 15 -t 4.5
quiet ctl A -s alice wait -T 5 video-on carol
sleep 3.5
ctl A -s alice say "last line"
sleep 0.5
ctl A -s alice record stop > /dev/null
check "the recording stops" eval 'ctl A -s alice -j wait -T 10 recording |
    jqe ".state == \"stopped\""'

f=$T/rec/f.mkv
ffprobe -v warning -show_streams -show_format -of json "$f" > "$T/probe.json" \
    2> "$T/probe.err"
diag "ffprobe: $(head -c 300 "$T/probe.err")"
check "ffprobe reads it without a warning" eval '[ -s "$T/probe.json" ] &&
    ! [ -s "$T/probe.err" ]'
tag() { printf '%s' "((.tags // {}) | with_entries(.key |= ascii_downcase) |
    .$1 // \"\")"; }
# streams: "INDEX TYPE ROLE TITLE DEFAULT WxH", separated by tabs.
jq -r ".streams[] | [.index, .codec_type, $(tag meet_role), $(tag title),
    .disposition.default, \"\(.width // 0)x\(.height // 0)\"] | @tsv" \
    "$T/probe.json" > "$T/streams"
diag "streams: $(tr '\n\t' '| ' < "$T/streams")"
field() { awk -F '\t' "$@" "$T/streams"; }
# index ROLE TITLE: the stream of that role and title.
index() { field -v r="$1" -v t="$2" '$3 == r && $4 == t { print $1 }'; }
mix=$(index mix mix)
voice=$(index speaker alice)
cam=$(index camera bob)
check "five tracks: the mix, alice's voice, two cameras, the chat" eval \
    '[ "$(wc -l < "$T/streams")" = 5 ] && [ "$mix" = 0 ] &&
    [ -n "$voice" ] && [ -n "$cam" ] &&
    [ "$(field "\$2 == \"video\"" | wc -l)" = 2 ] &&
    [ -n "$(index chat chat)" ]'
# Every track holds packets.
empty=""
for i in $(cut -f1 "$T/streams"); do
	n=$(ffprobe -v error -select_streams "$i" -count_packets -show_entries \
	    stream=nb_read_packets -of csv=p=0 "$f")
	[ "${n:-0}" -gt 0 ] || empty="$empty $i"
done
check "every track holds packets (empty:${empty:- none})" test -z "$empty"
check "the default audio is the mix, alone" test \
    "$(field '$2 == "audio" && $5 == 1 { print $1 }')" = "$mix"
check "the default video is bob's camera, alone" test \
    "$(field '$2 == "video" && $5 == 1 { print $1 }')" = "$cam"

ffmpeg -nostdin -v error -copyts -i "$f" -map 0:s -c:s copy -f srt - \
    > "$T/chat.srt" 2> "$T/srt.err"
# lines: "START END TEXT", in seconds, one per subtitle.
awk 'BEGIN { RS = ""; FS = "\n" } {
	split($2, t, / --> /)
	split(t[1], a, /[:,]/); split(t[2], b, /[:,]/)
	s = a[1] * 3600 + a[2] * 60 + a[3] + a[4] / 1000
	e = b[1] * 3600 + b[2] * 60 + b[3] + b[4] / 1000
	for (i = 3; i <= NF; i++) printf "%.3f %.3f %s\n", s, e, $i
}' "$T/chat.srt" > "$T/chat.lines"
diag "chat: $(tr '\n' '|' < "$T/chat.lines")"
# shows TEXT: how long the line shows.
shows() { awk -v t="$1" '{ s = $1; e = $2; sub(/^[^ ]* [^ ]* /, "") }
    $0 == t { printf "%.3f\n", e - s; exit }' "$T/chat.lines"; }
first=$(shows "alice: first line")
check "a line followed 50 ms later shows for 4 s ($first)" \
    test "$first" = 4.000
check "and so does the next ($(shows "bob: second line"))" \
    test "$(shows "bob: second line")" = 4.000
dur=$(jq -r .format.duration "$T/probe.json")
end=$(awk '$0 ~ / alice: last line$/ { print $2 }' "$T/chat.lines")
check "the last line ends with the recording ($end of $dur s)" eval \
    '[ -n "$end" ] && awk -v e="$end" -v d="$dur" \
    "BEGIN { exit !(e <= d + 0.01 && e > d - 1) }"'
carol=$(sed -n 's/^.* \* carol takes camera track \([0-9]*\)$/\1/p' \
    "$T/chat.lines")
check "carol's line names her track in this file (${carol:-none})" eval \
    '[ -n "$carol" ] && [ "$carol" != "$cam" ] &&
    field -v i="$carol" "\$1 == i && \$2 == \"video\"" | grep -q .'
check "which declares her camera's size, 160x120" eval \
    'field -v i="$carol" "\$1 == i { print \$6 }" | grep -qx 160x120'

meet-play -i -j "$f" > "$T/info.json" 2> "$T/info.err"
check "meet-play -i reads it quietly" test $? = 0 -a ! -s "$T/info.err"
check "and names alice's voice and both cameras" jqe '
    any(.tracks[]; .role == "speaker" and .name == "alice") and
    any(.tracks[]; .role == "camera" and .name == "bob") and
    any(.tracks[]; .role == "camera" and .name == "carol")' < "$T/info.json"

# --- a crash -----------------------------------------------------------------
# With no media at all, which would push a line to the file with it.
for p in $senders; do wait "$p"; done
ctl A -s alice record start -o k.mkv > /dev/null
ctl A -s alice -j wait -T 5 recording > /dev/null
sleep 1
ctl A -s bob say "before the crash"
sleep 1
kill -9 "$pid_A"
wait "$pid_A" 2> /dev/null
k=$T/rec/k.mkv
ffmpeg -nostdin -v error -copyts -i "$k" -map 0:s -c:s copy -f srt - \
    > "$T/k.srt" 2> /dev/null
check "a line said a second before a crash is in the file" \
    contains "$T/k.srt" "bob: before the crash"
n=$(ffprobe -v error -show_entries stream=index -of csv=p=0 "$k" | wc -l)
check "which keeps the tracks it declared (3 members, 2 slots: $n)" \
    test "$n" = 16
check "and nothing is left beside it" test \
    "$(ls -A "$T/rec" | tr '\n' ' ')" = "f.mkv k.mkv "

# --- a node that shuts down as it records ----------------------------------
printf '[record]\ndir = %s\nslots = 2\n' "$T/rec" > "$T/C.conf"
start_node C -f "$T/C.conf"
ctl C create q --as dave > /dev/null
ctl C -s dave record start -o q.mkv > /dev/null
ctl C -s dave say "nobody else came"
stop_node C
wait "$pid_C" 2> /dev/null
rc=$?
check "C shuts down cleanly (exit $rc, no sanitizer report)" eval \
    '[ "$rc" = 0 ] && ! grep -Eq "Sanitizer|runtime error" "$T/C.log"'
q=$T/rec/q.mkv
ffprobe -v warning -show_entries stream=index,codec_type -of csv=p=0 "$q" \
    > "$T/q.streams" 2> "$T/q.err"
diag "q.mkv: $(tr '\n' ' ' < "$T/q.streams") $(head -c 300 "$T/q.err")"
check "C finished it as it shut down: the mix and the chat, no warning" eval \
    '[ "$(tr "\n" " " < "$T/q.streams")" = "0,audio 1,subtitle " ] &&
    ! [ -s "$T/q.err" ] && ! [ -e "$q.part" ]'
