#!/bin/sh
# A meeting across two nodes, recorded on the node hosting it, judged by
# ffprobe and ffmpeg.  Room r on A ([record] dir = $T/rec); alice on A, bob
# from B.  alice starts recording to m.mkv: both get the recording event,
# rooms and who show it.  alice sends 440 Hz, bob 660 Hz and a 320x240
# test pattern at 15 fps, both chat at known times; carol joins from B two
# seconds in and sends 990 Hz; alice says bye at 6.5 s and stops at 7.5 s.
# The file: stream 0 is the mix, holding all three tones; alice's and
# bob's tracks (by title) and carol's (the slot the subtitle track says she
# took) each hold their own tone, the others 25 dB down, with a packet
# every 20 ms and no hole in their times; bob's camera track
# decodes at about 15 fps; the subtitle track has the chat lines and
# carol's join at the times they happened (within 0.5 s); the duration is
# the recording's within 0.5 s, the last line included; the metadata name
# the room, the start and the participants.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 49

now() { date +%s.%N; }
# Moments are known between two stamps taken around the command that made
# them, and the start of the recording between $t0a and $t0b: when A B
# gives "LO..HI", in seconds since the start, for a command run between
# the stamps A and B.  inside X LO..HI TOL: LO - TOL <= X <= HI + TOL,
# false when X is missing.
when() { awk -v s0="$t0a" -v s1="$t0b" -v a="$1" -v b="$2" \
    'BEGIN { printf "%.3f..%.3f\n", a - s1, b - s0 }'; }
inside() {
	[ -n "$1" ] && awk -v x="$1" -v w="$2" -v t="$3" 'BEGIN {
	    split(w, r, /\.\./); exit !(x >= r[1] - t && x <= r[2] + t) }'
}
# until_at SECONDS: sleep until SECONDS after the recording started.
until_at() {
	_d=$(awk -v s="$t0b" -v at="$1" -v n="$(now)" \
	    'BEGIN { d = s + at - n; printf "%.3f\n", (d > 0 ? d : 0) }')
	sleep "$_d"
}
# tone NODE SESSION HZ SECONDS: a sine into the session's room, in the
# background, through a FIFO so that both processes are tracked.
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t "$4" >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# say NODE SESSION TEXT: chat, and when it was said in $said.
say() {
	_a=$(now)
	ctl "$1" -s "$2" say "$3" >/dev/null
	_b=$(now)
	said=$(when "$_a" "$_b")
}
# event NODE SESSION STATE: the session gets a recording event STATE for
# m.mkv.
event() {
	ctl "$1" -s "$2" -j wait -T 5 recording | jqe --arg s "$3" \
	    --arg p "$T/rec/m.mkv" '.state == $s and .path == $p and
	    .by == "alice" and .room == "r"'
}
rooms_rec() {	# rooms_rec NODE [HOST] TRUE|FALSE
	_want=$2; [ $# = 3 ] && _want=$3
	if [ $# = 3 ]; then _out=$(ctl "$1" -j rooms "$2")
	else _out=$(ctl "$1" -j rooms); fi
	printf '%s\n' "$_out" | jqe --argjson w "$_want" \
	    'any(.rooms[]; .name == "r" and .recording == $w)'
}

printf '[record]\ndir = %s\n' "$T/rec" >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
check "alice and bob are in r" eval 'wait_for 10 in_roster A alice bob &&
    wait_for 10 in_roster B bob alice'

# --- record --------------------------------------------------------------
t0a=$(now)
ctl A -s alice record start -o m.mkv >"$T/start.out" 2>"$T/start.err"
rc=$?
t0b=$(now)
diag "record start: $(cat "$T/start.out" "$T/start.err")"
check "alice's record start exits 0 (got $rc)" test "$rc" = 0
check "and says where: $T/rec/m.mkv" \
    contains "$T/start.out" "recording r to $T/rec/m.mkv"
check "alice gets the recording event (started, by alice)" \
    event A alice started
check "bob, on B, gets it too" event B bob started
check "rooms on A shows r recording" rooms_rec A true
check "rooms of A asked from B shows it too" rooms_rec B "$addr_A" true
check "who shows it, to bob" eval \
    'ctl B -s bob -j who | jqe ".recording == true"'
check "record status: the path, by alice" eval 'ctl B -s bob -j record \
    status | jqe --arg p "$T/rec/m.mkv" ".recording == true and
    .path == \$p and .by == \"alice\""'

# --- the meeting -----------------------------------------------------------
tone A alice 440 14
tone B bob 660 14
mkfifo "$T/cam.fifo"
meet-cap -v test -s 320x240 -r 15 -t 14 >"$T/cam.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/B.sock" -s bob send -v <"$T/cam.fifo" \
    2>>"$T/send.log" &
track $!
check "alice sees audio-on from bob and video-on from bob" eval \
    'quiet ctl A -s alice wait -T 5 audio-on bob &&
    quiet ctl A -s alice wait -T 5 video-on bob'
until_at 1
say A alice "first line"
t_alice=$said
until_at 2
_a=$(now)
ctl B join "r@$addr_A" --as carol >/dev/null
_b=$(now)
t_carol=$(when "$_a" "$_b")
tone B carol 990 12
check "carol, joining late, sees in who that r is recorded" \
    eval 'ctl B -s carol -j who | jqe ".recording == true"'
until_at 3
say B bob "second line"
t_bob=$said
# A last word just before the stop, as meetings end: its line must not
# outlast the recording.
until_at 6.5
say A alice "bye"
t_bye=$said
diag "alice said at $t_alice s, carol joined at $t_carol s, bob said at" \
    "$t_bob s, alice said bye at $t_bye s"
until_at 7.5
_a=$(now)
ctl A -s alice record stop >"$T/stop.out" 2>"$T/stop.err"
rc=$?
_b=$(now)
span=$(when "$_a" "$_b")
check "record stop exits 0 after $span s (got $rc)" test "$rc" = 0
check "alice gets the recording event (stopped)" event A alice stopped
check "bob gets it" event B bob stopped
check "carol gets it" event B carol stopped
check "rooms on A no longer shows r recording" rooms_rec A false
check "record status says not recording" eval \
    'ctl A -s alice -j record status | jqe ".recording == false"'
ctl A -s alice say "after the recording" >/dev/null

# --- the file --------------------------------------------------------------
f=$T/rec/m.mkv
check "the file is there" test -s "$f"
ffprobe -v error -show_streams -show_format -of json "$f" >"$T/probe.json" \
    2>"$T/probe.err"
check "ffprobe reads it without a word" eval '[ -s "$T/probe.json" ] &&
    ! [ -s "$T/probe.err" ]'
# tag NAME: jq for a tag of a stream or the format, whatever its case.
tag() { printf '%s' "(.tags // {} | with_entries(.key |= ascii_downcase) |
    .$1)"; }
diag "streams: $(jq -r '[.streams[] | "\(.index):\(.codec_type)/" +
    "\(.codec_name)/" + ((.tags // {}) | with_entries(.key |= ascii_downcase)
    | .title // "")] | join(" ")' "$T/probe.json" 2>/dev/null | cut -c 1-900)"
# stream_of KIND TITLE: the index of the stream of that kind and title.
stream_of() { jq -r --arg k "$1" --arg t "$2" "[.streams[] |
    select(.codec_type == \$k and $(tag title) == \$t) | .index] |
    first // empty" "$T/probe.json"; }

check "stream 0 is the mix: Opus, 48 kHz mono, title mix" \
    jqe ".streams[0] | .codec_type == \"audio\" and .codec_name == \"opus\"
    and (.sample_rate | tonumber) == 48000 and .channels == 1 and
    $(tag title) == \"mix\"" <"$T/probe.json"
a_st=$(stream_of audio alice)
b_st=$(stream_of audio bob)
cam=$(stream_of video bob)
check "alice and bob each have an audio track ($a_st, $b_st)" \
    eval '[ -n "$a_st" ] && [ -n "$b_st" ]'
check "bob has a camera track, MJPEG ($cam)" eval '[ -n "$cam" ] &&
    jqe ".streams[$cam].codec_name == \"mjpeg\"" <"$T/probe.json"'
check "the last stream is the chat: subrip, title chat" \
    jqe ".streams[-1] | .codec_type == \"subtitle\" and
    .codec_name == \"subrip\" and $(tag title) == \"chat\"" <"$T/probe.json"
start_iso=$(jq -r ".format | $(tag meet_start) // empty" "$T/probe.json")
start_s=$(date -d "$start_iso" +%s.%N 2>/dev/null)
check "metadata: meet_room r, meet_participants alice,bob" \
    jqe ".format | $(tag meet_room) == \"r\" and
    ($(tag meet_participants) // \"\" | split(\",\") | sort) ==
    [\"alice\", \"bob\"]" <"$T/probe.json"
check "meet_start ($start_iso) is when the recording started" \
    inside "$start_s" "$t0a..$t0b" 0.5
dur=$(jq -r '.format.duration // empty' "$T/probe.json")
check "the duration ($dur s) is the recording's ($span s) within 0.5 s" \
    inside "$dur" "$span" 0.5

# --- the chat --------------------------------------------------------------
# -copyts: times from the start of the recording, not from the file's
# first packet (the mix starts when the first voice comes).
ffmpeg -nostdin -v error -copyts -i "$f" -map 0:s -c:s copy -f srt - \
    >"$T/chat.srt" 2>"$T/srt.err"
# lines: "START TEXT", START in seconds, one per subtitle.
awk 'BEGIN { RS = ""; FS = "\n" } {
	split($2, t, /[:,]/)
	s = t[1] * 3600 + t[2] * 60 + t[3] + t[4] / 1000
	for (i = 3; i <= NF; i++) printf "%.3f %s\n", s, $i
}' "$T/chat.srt" >"$T/chat.lines"
diag "chat: $(tr '\n' '|' <"$T/chat.lines")"
at() { awk -v t="$1" '{ s = $1; sub(/^[^ ]* /, "") } $0 == t { print s;
    exit }' "$T/chat.lines"; }
x=$(at "alice: first line")
check "the chat track has alice: first line at $t_alice s (${x:-none})" \
    inside "$x" "$t_alice" 0.5
x=$(at "bob: second line")
check "and bob: second line at $t_bob s (${x:-none})" inside "$x" "$t_bob" 0.5
x=$(at "* carol joined")
check "and * carol joined at $t_carol s (${x:-none})" inside "$x" "$t_carol" 0.5
x=$(at "alice: bye")
check "and alice: bye at $t_bye s (${x:-none})" inside "$x" "$t_bye" 0.5
check "but nothing said after the stop" \
    eval '! grep -q "after the recording" "$T/chat.lines"'
c_st=$(sed -n 's/^[^ ]* \* carol takes audio track \([0-9][0-9]*\)$/\1/p' \
    "$T/chat.lines" | head -n 1)
check "it names carol's audio track (${c_st:-none}), a reserved speaker slot" \
    eval '[ -n "$c_st" ] && jqe ".streams[$c_st] | .codec_type == \"audio\"
    and $(tag meet_role) == \"speaker\"" <"$T/probe.json"'

# --- the audio -------------------------------------------------------------
# levels STREAM: goertzel on the stream, decoded to 48 kHz mono.
levels() {
	: >"$T/s$1.lv"
	[ -n "$1" ] || return 0
	ffmpeg -nostdin -v error -i "$f" -map "0:$1" -f s16le -ac 1 \
	    -ar 48000 - 2>>"$T/ffmpeg.log" | goertzel -s 0.5 440 660 990 \
	    >"$T/s$1.lv" 2>>"$T/goertzel.log"
}
db() { awk -v f="$2" '$1 == f { print $2 }' "$T/s$1.lv"; }
dbtest() {
	t_expr=$1; shift
	for t_v in "$@"; do [ -n "$t_v" ] || return 1; done
	awk -v a="$1" -v b="${2:-0}" -v c="${3:-0}" "BEGIN { exit !($t_expr) }"
}
levels 0
x=$(db 0 440) y=$(db 0 660) z=$(db 0 990)
check "the mix holds 440 Hz ($x dB), 660 Hz ($y dB) and 990 Hz ($z dB)" \
    dbtest 'a > -40 && b > -40 && c > -40' "$x" "$y" "$z"
# own NAME STREAM HZ O1 O2: the track holds HZ, the others 25 dB down.
own() {
	levels "$2"
	o=$(db "$2" "$3") x=$(db "$2" "$4") y=$(db "$2" "$5")
	check "$1's track ($2) holds $3 Hz ($o dB)" dbtest 'a > -40' "$o"
	check "and not $4 Hz ($x dB) nor $5 Hz ($y dB)" \
	    dbtest 'b + 25 <= a && c + 25 <= a' "$o" "$x" "$y"
}
own alice "$a_st" 440 660 990
own bob "$b_st" 660 440 990
own carol "$c_st" 990 440 660
# Everyone speaks without a pause: the mix's packets follow each other
# every 20 ms, with no hole in their times (a hole is a click, and a shift
# of the rest), and no step is ever shorter.  A speaker's track is a copy
# of the packets that arrived in time, so a packet lost or late on a busy
# machine is a hole of 20 ms there: a few are allowed, never a shift.
# holes STREAM: "FROM->TO" (ms) where a step is not 20 ms; its last word
# is how many 20 ms frames the holes skip, and "bad" marks a step that is
# not a whole number of frames.
holes() { ffprobe -v error -select_streams "$1" -show_entries packet=pts \
    -of csv=p=0 "$f" 2>/dev/null | awk 'NR > 1 && $1 - p != 20 {
    h = h " " p "->" $1; n++; d = $1 - p; if (d % 20 || d <= 0) bad = 1;
    skip += d / 20 - 1 } { p = $1 } END { if (NR < 2) print "no packets";
    else if (n) print substr(h, 2, 120), (bad ? "bad" : skip + 0) }'; }
h=$(holes 0)
check "the mix: a packet every 20 ms (holes: ${h:-none})" test -z "$h"
for st in "$a_st" "$b_st" "$c_st"; do
	h=$(holes "${st:-99}")
	check "audio track ${st:-?}: every 20 ms, or a few frames missing \
(holes: ${h:-none})" eval '[ -z "$h" ] || { [ "${h##* }" != bad ] &&
	    [ "${h##* }" != packets ] && [ "${h##* }" -le 5 ]; }'
done
# The mix's last packet ends when the recording stopped.
mend=$(ffprobe -v error -select_streams 0 -show_entries \
    packet=pts_time,duration_time -of csv=p=0 "$f" 2>/dev/null |
    awk -F, '{ e = $1 + $2 } END { if (NR) printf "%.3f\n", e }')
check "the mix lasts to the stop ($mend s, stop at $span s)" \
    inside "$mend" "$span" 0.5

# --- the video -------------------------------------------------------------
# track_decodes STREAM: ffprobe decodes an image from every packet of the
# stream, without a word.  (Not ffmpeg -f null: the null muxer complains of
# two images within one 1/15 s when the first one came late, which says
# nothing of the file.)
track_decodes() {
	_np=$(ffprobe -v error -select_streams "$1" -count_packets \
	    -show_entries stream=nb_read_packets -of csv=p=0 "$f" 2>&1)
	_e=$(ffprobe -v error -select_streams "$1" -show_entries frame=width \
	    -of csv=p=0 "$f" 2>&1 >"$T/frames.$1")
	_nf=$(grep -c . "$T/frames.$1")
	[ -z "$_e" ] && [ "$_nf" -gt 0 ] && [ "$_nf" = "$_np" ] && return 0
	diag "stream $1: $_np packets, $_nf images decoded: $_e" | head -n 5
	return 1
}
check "bob's camera track decodes, every image" eval '[ -n "$cam" ] &&
    track_decodes "$cam"'
# Reserved slots that nobody took hold no image, and ffmpeg cannot
# configure a decoder for them ("Cannot determine format of input stream
# after EOF"): judge every video track that holds images, one at a time.
vids=$(ffprobe -v error -select_streams V -show_entries packet=stream_index \
    -of csv=p=0 "$f" 2>/dev/null | sort -un | xargs)
check "the video tracks with images ($vids) are bob's camera alone" \
    test "$vids" = "$cam"
ffprobe -v error -select_streams "${cam:-99}" -show_entries packet=pts_time \
    -of csv=p=0 "$f" >"$T/cam.pts" 2>/dev/null
n=$(wc -l <"$T/cam.pts")
fps=$(awk 'NR == 1 { f = $1 } { l = $1 } END {
    printf "%.2f\n", (NR > 1 && l > f) ? (NR - 1) / (l - f) : 0 }' \
    "$T/cam.pts")
check "bob's camera: $n images at 15 fps within 10% ($fps)" eval \
    '[ "$n" -ge 75 ] &&
    awk -v f="$fps" "BEGIN { exit !(f >= 13.5 && f <= 16.5) }"'
wh=$(ffprobe -v error -select_streams "${cam:-99}" -read_intervals '%+#1' \
    -show_entries frame=width,height -of csv=p=0 "$f" 2>/dev/null | head -n 1)
check "its images are 320x240 (${wh:-none})" test "$wh" = "320,240"

# The node that recorded shuts down cleanly: exit 0, and (under the
# sanitizers) no report in its log.
stop_node A
wait "$pid_A" 2>/dev/null
rc=$?
check "A shuts down cleanly (exit $rc, no sanitizer report)" eval \
    '[ "$rc" = 0 ] && [ -s "$T/A.log" ] &&
    ! grep -Eq "Sanitizer|runtime error" "$T/A.log"'
