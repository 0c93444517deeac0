#!/bin/sh
# meet-play REC.mkv plays a recording (made as in play-rec-info.t) in real
# time on its own clock: the mix to -a (a raw file here, and ALSA's file
# plugin, which is not paced), the grid to -v (y4m), each chat line on
# stdout at its time as "[HH:MM:SS] <alice> hello".  The chat's timing is
# judged against the program's own output: how much audio it had written
# when it printed each line.  -s 2 starts 2 s in, to the sample; a gap in
# the mix is silence; a file cut short plays to where it ends; the tty sink
# shows labels and the chat under the grid.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
plan 37

# seconds FILE: the length of raw 48 kHz mono S16LE audio.
seconds() { echo "scale=3; $(wc -c < "$1") / 96000" | bc; }
# near A B TOLERANCE: |A - B| <= TOLERANCE.
near() { echo "d = $1 - $2; if (d < 0) d = -d; d <= $3" | bc | grep -qx 1; }
# part RAW FROM TO: the audio between two times, in seconds.
part() {
	dd if="$1" bs=960 skip=$(echo "$2 * 100 / 1" | bc) \
	    count=$(echo "($3 - $2) * 100 / 1" | bc) 2>/dev/null
}
# tones RAW FROM TO: the three speakers' tones are all there.
tones() {
	part "$@" | goertzel 440 660 880 | awk '
	    $1 != "rms" && $2 < -30 { bad = 1; print "# " $0 }
	    END { exit bad }'
}
# quiet_part RAW FROM TO: silence.
quiet_part() {
	part "$@" | goertzel 440 | awk '
	    $1 == "rms" && $2 > -60 { bad = 1; print "# " $0 }
	    END { exit bad }'
}
# stamp RAW: each line of stdin after the seconds of audio in RAW by then.
stamp() {
	perl -e '$| = 1; while (<STDIN>) {
	    printf "%.2f %s", ((-s $ARGV[0]) || 0) / 96000, $_ }' "$1"
}

make_rec "$T/rec.mkv"
check "recording made" test -s "$T/rec.mkv"

t0=$(date +%s.%N)
{ meet-play -a file:"$T/out.raw" -v y4m:"$T/out.y4m" "$T/rec.mkv" \
    2> "$T/play.log"; echo $? > "$T/rc"; } | stamp "$T/out.raw" \
    > "$T/chat.txt"
t1=$(date +%s.%N)
check "meet-play exits 0" test "$(cat "$T/rc")" = 0
check "nothing on stderr" test ! -s "$T/play.log"
check "paced in real time ($(echo "$t1 - $t0" | bc) s)" \
    sh -c "echo '$t1 - $t0 >= 5.5 && $t1 - $t0 < 20' | bc | grep -qx 1"

cut -d' ' -f2- "$T/chat.txt" > "$T/lines.txt"
cat > "$T/want.txt" <<'EOF'
[00:00:00] * bob joined
[00:00:01] <alice> hello
[00:00:02] <bob> hi alice
[00:00:02] * dave joined
[00:00:02] * dave takes camera track 7
[00:00:04] <carol> bye & <b>not markup</b>
[00:00:05] * carol reacts 👍
EOF
check "every chat line with its time, chat as <name> text" \
    cmp "$T/lines.txt" "$T/want.txt"
# Each line is printed when the audio reaches its time, within 0.5 s.
paste -d' ' "$T/chat.txt" - > "$T/when.txt" <<'EOF'
0.5
1.2
2.3
2.7
2.8
4.1
5.4
EOF
check "each line at its time, by the audio written" awk '
    { d = $1 - $NF; if (d < 0) d = -d; if (d > 0.5) { bad = 1;
    print "# audio at " $1 " s for a line at " $NF " s" } }
    END { exit bad || NR != 7 }' "$T/when.txt"

len=$(seconds "$T/out.raw")
check "audio as long as the recording ($len s)" near "$len" 6.01 0.3
check "the mix: three tones" tones "$T/out.raw" 0.1 2.4
check "the gap in the mix is silence" quiet_part "$T/out.raw" 2.6 3.4
check "the mix after the gap" tones "$T/out.raw" 3.6 5.9

n=$(frames_of "$T/out.y4m")
check "25 frames a second for 6 s ($n)" test "${n:-0}" -ge 149 -a "${n:-0}" -le 152
check "y4m at 1280x720, 25 fps" sh -c \
    "head -c 64 '$T/out.y4m' | grep -q '^YUV4MPEG2 W1280 H720 F25:1'"
ffmpeg -nostdin -loglevel error -i "$T/out.y4m" -vf "select=eq(n\,25)" \
    -frames:v 1 -f rawvideo -pix_fmt rgb24 -y "$T/one.rgb"
check "at 1 s: alice on the left" is red "$T/one.rgb" 1280 320 360
check "at 1 s: two side by side, nobody below" is black "$T/one.rgb" 1280 320 60
last_rgb "$T/out.y4m" 1280 720 "$T/last.rgb"
check "at the end: alice top left" is red "$T/last.rgb" 1280 320 180
check "at the end: bob's screen bottom left" is blue "$T/last.rgb" 1280 320 540
check "at the end: dave's camera bottom right" is green "$T/last.rgb" 1280 960 540

# From 2 s in.
meet-play -s 2 -a file:"$T/s2.raw" "$T/rec.mkv" > "$T/s2.txt" \
    2> "$T/s2.log"
check "-s 2 exits 0" test $? = 0
check "-s 2: the first line is the first after 2 s" \
    test "$(head -n 1 "$T/s2.txt")" = "[00:00:02] <bob> hi alice"
check "-s 2: the lines after" test "$(wc -l < "$T/s2.txt")" = 5
len=$(seconds "$T/s2.raw")
check "-s 2: audio 2 s shorter ($len s)" near "$len" 4.01 0.3
# The gap, 2.5 s to 3.5 s in the recording, is 0.5 s to 1.5 s here.
check "-s 2: the tones first" tones "$T/s2.raw" 0.05 0.42
check "-s 2: the gap where it was" quiet_part "$T/s2.raw" 0.58 1.42
check "-s 2: then the tones" tones "$T/s2.raw" 1.6 3.9
check "-s past the end: status 1" sh -c "meet-play -s 100 -a \
    file:'$T/x.raw' '$T/rec.mkv' 2>&1 >/dev/null | grep -q 'nothing after'"

# ALSA's file plugin takes everything at once: the program's clock paces.
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top/tests/asound.conf
export MEET_PLAY_OUTFILE="$T/dev.raw"
t0=$(date +%s.%N)
meet-play -a alsa:meetplay -s 3 "$T/rec.mkv" > /dev/null 2> "$T/alsa.log"
rc=$?
t1=$(date +%s.%N)
check "alsa: exits 0" test $rc = 0
check "alsa: paced ($(echo "$t1 - $t0" | bc) s)" \
    sh -c "echo '$t1 - $t0 >= 2.5' | bc | grep -qx 1"
len=$(seconds "$T/dev.raw")
check "alsa: 3 s to the device ($len s)" near "$len" 3.01 0.3
check "alsa: the tones" tones "$T/dev.raw" 0.6 2.9

# Cut short, as by kill -9: played to where it ends.
size=$(wc -c < "$T/rec.mkv")
head -c $((size / 2)) "$T/rec.mkv" > "$T/cut.mkv"
cutd=$(meet-play -i -j "$T/cut.mkv" | jq .duration)
meet-play -a file:"$T/cut.raw" "$T/cut.mkv" > "$T/cut.txt" 2> "$T/cut.log"
check "a cut file plays, exits 0" test $? = 0 -a ! -s "$T/cut.log"
len=$(seconds "$T/cut.raw")
check "a cut file plays to where it ends ($len of $cutd s)" near "$len" "$cutd" 0.3

# SIGINT ends playing with status 0, once it has played a little.
meet-play -a file:"$T/int.raw" "$T/rec.mkv" > /dev/null 2>&1 &
p=$!
track $p
wait_for 10 sh -c "test \$(wc -c < '$T/int.raw') -ge 48000"
kill -INT $p
wait $p
check "SIGINT: status 0" test $? = 0
len=$(seconds "$T/int.raw")
check "SIGINT: stopped early ($len s)" sh -c \
    "echo '$len >= 0.5 && $len < 5' | bc | grep -qx 1"

# The tty from 3.5 s: labels as text (the reserved camera named by the join
# before the start, which the seek skipped) and the chat under the grid.
if command -v tmux >/dev/null; then
	play=$(command -v meet-play)
	sock="$T/tmux.sock"
	tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 40 \
	    "$play -s 3.5 -a file:'$T/tty.raw' '$T/rec.mkv' 2> '$T/tty.log';
	     echo \"status \$?\" > '$T/status'; sleep 60"
	pid=$(tmux -S "$sock" display -p '#{pid}' 2>/dev/null)
	[ -n "$pid" ] && track "$pid"
	wait_for 20 test -s "$T/status"
	tmux -S "$sock" capture-pane -p > "$T/screen.txt"
	tmux -S "$sock" kill-server 2>/dev/null
	check "tty: exits 0" grep -q '^status 0' "$T/status"
	check "tty: the reserved camera is dave's" grep -q 'dave' \
	    "$T/screen.txt"
	check "tty: labels" grep -q 'bob/screen' "$T/screen.txt"
	check "tty: the chat under the grid" sh -c "grep -n \
	    '^\[00:00:04\] <carol> bye' '$T/screen.txt' | grep -q '^3[0-9]:'"
else
	for i in 1 2 3 4; do ok "# SKIP no tmux"; done
fi
