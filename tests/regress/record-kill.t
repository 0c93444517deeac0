#!/bin/sh
# A recording survives the death of the node writing it.  Room r on A
# ([record] dir = $T/rec), alice on A sends 440 Hz, bob from B 660 Hz and a
# camera; alice records to k.mkv.  Three seconds in, the file being written
# already plays: ffmpeg decodes its mix.  Five seconds in, A is killed
# with SIGKILL: no trailer is ever written.  ffprobe still reads the file,
# ffmpeg decodes its mix (exit 0) with both tones in it, and the mix and
# the camera last to within 2.5 s of the kill; a copy made with ffmpeg
# -map 0 -c copy has a duration to match; the chat line said 4.5 s before
# is there.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 15

now() { date +%s.%N; }
until_at() {
	_d=$(awk -v s="$t0b" -v at="$1" -v n="$(now)" \
	    'BEGIN { d = s + at - n; printf "%.3f\n", (d > 0 ? d : 0) }')
	sleep "$_d"
}
# within A LO HI: LO <= A <= HI, false when A is missing.
within() { [ -n "$1" ] && awk -v a="$1" -v l="$2" -v h="$3" \
    'BEGIN { exit !(a >= l && a <= h) }'; }
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t "$4" >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# last_end STREAM: when the stream's last packet ends, in seconds since
# the start of the recording.
last_end() { ffprobe -v error -select_streams "$1" -show_entries \
    packet=pts_time,duration_time -of csv=p=0 "$f" 2>/dev/null |
    awk -F, '$1 != "" { e = $1 + ($2 == "N/A" ? 0 : $2) }
    END { if (NR) printf "%.3f\n", e }'; }

printf '[record]\ndir = %s\n' "$T/rec" >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
check "alice and bob are in r" wait_for 10 in_roster A alice bob

tone A alice 440 14
tone B bob 660 14
mkfifo "$T/cam.fifo"
meet-cap -v test -s 320x240 -r 15 -t 14 >"$T/cam.fifo" 2>>"$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/B.sock" -s bob send -v <"$T/cam.fifo" \
    2>>"$T/send.log" &
track $!
check "alice sees audio-on and video-on from bob" eval \
    'quiet ctl A -s alice wait -T 5 audio-on bob &&
    quiet ctl A -s alice wait -T 5 video-on bob'

f=$T/rec/k.mkv
# The start is known between t0a and t0b.
t0a=$(now)
ctl A -s alice record start -o k.mkv >/dev/null 2>"$T/start.err"
rc=$?
t0b=$(now)
check "alice starts recording to k.mkv (exit $rc)" test "$rc" = 0
# A line is written as it is said (record-finish.t has one said a second
# before a crash).
until_at 0.5
ctl B -s bob say "before the crash" >/dev/null

# While it is written, the file plays as it is.
until_at 3
ffmpeg -nostdin -v error -i "$f" -map 0:0 -f s16le -ac 1 -ar 48000 - \
    >"$T/early.pcm" 2>"$T/early.err"
rc=$?
n=$(wc -c <"$T/early.pcm")
what="3 s in, ffmpeg decodes the mix of the file being written"
check "$what (exit $rc, $n bytes: over 1 s)" eval '[ "$rc" = 0 ] &&
    [ "$n" -ge 96000 ]'

until_at 5
kill -9 "$pid_A"
tk=$(now)
wait "$pid_A" 2>/dev/null
# The kill came between klo and khi seconds after the start.
klo=$(awk -v a="$t0b" -v k="$tk" 'BEGIN { printf "%.3f\n", k - a }')
khi=$(awk -v a="$t0a" -v k="$tk" 'BEGIN { printf "%.3f\n", k - a }')
diag "A killed $klo..$khi s after the recording started"
check "A is gone" eval '! kill -0 "$pid_A" 2>/dev/null'

ffprobe -v error -show_streams -show_format -of json "$f" >"$T/probe.json" \
    2>"$T/probe.err"
rc=$?
diag "ffprobe: $(head -c 300 "$T/probe.err")"
check "ffprobe reads the file (exit $rc)" eval '[ "$rc" = 0 ] &&
    jqe ".streams[0].codec_name == \"opus\"" <"$T/probe.json"'
ffmpeg -nostdin -v error -i "$f" -map 0:0 -f s16le -ac 1 -ar 48000 - \
    >"$T/mix.pcm" 2>"$T/mix.err"
rc=$?
diag "ffmpeg: $(head -c 300 "$T/mix.err")"
check "ffmpeg decodes the mix (exit $rc)" eval '[ "$rc" = 0 ] &&
    [ -s "$T/mix.pcm" ]'
goertzel -s 0.5 440 660 <"$T/mix.pcm" >"$T/mix.lv" 2>>"$T/goertzel.log"
x=$(awk '$1 == 440 { print $2 }' "$T/mix.lv")
y=$(awk '$1 == 660 { print $2 }' "$T/mix.lv")
check "the mix holds 440 Hz (${x:-nothing} dB) and 660 Hz (${y:-nothing} dB)" \
    eval 'within "$x" -40 0 && within "$y" -40 0'

# What the file holds must reach to 2.5 s before the kill, and not past it.
lo=$(awk -v k="$klo" 'BEGIN { print k - 2.5 }')
hi=$(awk -v k="$khi" 'BEGIN { print k + 0.5 }')
e=$(last_end 0)
check "the mix's last packet ends at $e s, within 2.5 s of the kill" \
    within "$e" "$lo" "$hi"
# The decoded samples tell the same: from the first packet to the last.
first=$(ffprobe -v error -select_streams 0 -show_entries packet=pts_time \
    -read_intervals '%+#1' -of csv=p=0 "$f" 2>/dev/null | head -n 1)
mixend=$(awk -v n="$(wc -c <"$T/mix.pcm")" -v f="${first:-0}" \
    'BEGIN { printf "%.3f\n", f + n / 96000 }')
check "the decoded mix runs from $first s to $mixend s, 2.5 s from the kill" \
    within "$mixend" "$lo" "$hi"

cam=$(jq -r '[.streams[] | select(.codec_type == "video" and
    ((.tags // {}) | with_entries(.key |= ascii_downcase) | .title) ==
    "bob") | .index] | first // empty' "$T/probe.json")
np=$(ffprobe -v error -select_streams "${cam:-99}" -count_packets \
    -show_entries stream=nb_read_packets -of csv=p=0 "$f" 2>/dev/null)
nf=$(ffprobe -v error -select_streams "${cam:-99}" -show_entries \
    frame=width -of csv=p=0 "$f" 2>/dev/null | grep -c .)
what="bob's camera track ($cam): an image decoded from each of its"
check "$what $np packets ($nf)" eval '[ -n "$cam" ] && [ "${nf:-0}" -gt 0 ] &&
    [ "$nf" = "$np" ]'
e=$(last_end "${cam:-99}")
check "its last image is at $e s, within 2.5 s of the kill" \
    within "$e" "$lo" "$hi"

# meetd(8): a cut file has no duration nor index; a copy gets both.
ffmpeg -nostdin -v error -i "$f" -map 0 -c copy "$T/whole.mkv" \
    2>"$T/whole.err"
rc=$?
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$T/whole.mkv" 2>/dev/null)
check "ffmpeg -map 0 -c copy makes a whole copy (exit $rc), ${dur:-no} s long" \
    eval '[ "$rc" = 0 ] && within "$dur" "$lo" "$hi"'

ffmpeg -nostdin -v error -copyts -i "$f" -map 0:s -c:s copy -f srt - \
    >"$T/chat.srt" 2>/dev/null
check "the chat said before the crash is there" \
    contains "$T/chat.srt" "bob: before the crash"
check "B carries on" quiet ctl B status
