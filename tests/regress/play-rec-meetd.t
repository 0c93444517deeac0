#!/bin/sh
# A recording as meetd writes it (the contract can drift from what the
# ffmpeg-made files of the other play-rec tests hold): room r on A, alice
# (440 Hz) there, bob from B with a camera, carol from B two seconds in
# (990 Hz, in a reserved speaker track).  meet-play -i names them all and
# carol's track; playing from 1.5 s in (a seek in a file whose index knows
# one camera only, the first cameras being empty) gives the rest of the
# audio, to the sample, with carol's tone, bob's camera on the grid and the
# chat after 1.5 s, each line at its time although meetd writes a line
# only when the next comes (judged by the audio written when it is
# printed); -o renders it; the file cut in half is read quietly.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 17

now() { date +%s.%N; }
# until_at SECONDS: sleep until SECONDS after the recording started.
until_at() {
	sleep "$(awk -v s="$t_start" -v at="$1" -v n="$(now)" \
	    'BEGIN { d = s + at - n; printf "%.3f\n", (d > 0 ? d : 0) }')"
}
# near A B TOLERANCE: |A - B| <= TOLERANCE, false when either is missing.
near() {
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" -v t="$3" \
	    'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}
# tone NODE SESSION HZ SECONDS: a sine into the session's room.
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t "$4" > "$T/$2.fifo" 2>> "$T/cap.log" &
	track $!
	timeout 30 meetctl -S "$T/$1.sock" -s "$2" send -a < "$T/$2.fifo" \
	    2>> "$T/send.log" &
	track $!
}
# stamp RAW: each line of stdin after the seconds of audio in RAW by then.
stamp() {
	perl -e '$| = 1; while (<STDIN>) {
	    printf "%.2f %s", ((-s $ARGV[0]) || 0) / 96000, $_ }' "$1"
}
# level RAW HZ: goertzel's level of one frequency in raw 48 kHz mono.
level() { goertzel "$2" < "$1" | awk -v f="$2" '$1 == f { print $2 }'; }

printf '[record]\ndir = %s\n' "$T/rec" > "$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
ctl A create r --as alice > /dev/null
ctl B join "r@$addr_A" --as bob > /dev/null
wait_for 10 in_roster A alice bob

t_start=$(now)
ctl A -s alice record start -o m.mkv > /dev/null
check "recording" test $? = 0
tone A alice 440 8
mkfifo "$T/cam.fifo"
meet-cap -v test -s 320x240 -r 15 -t 8 > "$T/cam.fifo" 2>> "$T/cap.log" &
track $!
timeout 30 meetctl -S "$T/B.sock" -s bob send -v < "$T/cam.fifo" \
    2>> "$T/send.log" &
track $!
until_at 1
ctl A -s alice say "hello there" > /dev/null
until_at 2
ctl B join "r@$addr_A" --as carol > /dev/null
tone B carol 990 6
until_at 5
ctl A -s alice record stop > /dev/null
f="$T/rec/m.mkv"
check "meetd wrote the recording" test -s "$f"

meet-play -i -j "$f" > "$T/info.json" 2> "$T/info.err"
check "-i -j exits 0, quietly" test $? = 0 -a ! -s "$T/info.err"
diag "$(jq -c '[.duration, .participants, .chat_messages]' < "$T/info.json")"
check "-i: room, participants, one chat message" jqe '.room == "r" and
    .participants == ["alice", "bob", "carol"] and .chat_messages == 1' \
    < "$T/info.json"
check "-i: carol's reserved speaker track" jqe 'any(.tracks[];
    .role == "speaker" and .name == "carol" and
    (.title | test("slot")) and .packets > 50)' < "$T/info.json"
dur=$(jq .duration < "$T/info.json")

{ meet-play -s 1.5 -a file:"$T/out.raw" -v y4m:"$T/out.y4m" "$f" \
    2> "$T/play.log"; echo $? > "$T/rc"; } | stamp "$T/out.raw" \
    > "$T/stamped.txt"
cut -d' ' -f2- "$T/stamped.txt" > "$T/chat.txt"
check "-s 1.5 exits 0, quietly" test "$(cat "$T/rc")" = 0 -a ! -s "$T/play.log"
len=$(echo "scale=3; $(wc -c < "$T/out.raw") / 96000" | bc)
want=$(echo "$dur - 1.5" | bc)
check "-s 1.5: the rest of the audio ($len s of $want s)" \
    near "$len" "$want" 0.3
check "-s 1.5: the chat from 1.5 s: carol joins, takes a track" sh -c "
    head -n 1 '$T/chat.txt' | grep -q '^\[00:00:0[12]\] \* carol joined$' &&
    grep -q '^\[00:00:0[0-9]\] \* carol takes audio track [0-9]*$' \
    '$T/chat.txt' && ! grep -q 'hello there' '$T/chat.txt'"
# Each line's time in the file, from its subtitle track.
ffmpeg -nostdin -loglevel error -i "$f" -map 0:s -c:s copy -f srt \
    "$T/chat.srt"
awk '/-->/ { split($1, a, /[:,]/)
    s = a[1] * 3600 + a[2] * 60 + a[3] + a[4] / 1000
    getline; print s, $0 }' "$T/chat.srt" > "$T/chat.lines"
diag "chat: $(tr '\n' '|' < "$T/chat.lines")"
check "-s 1.5: each line when the audio reaches its time" awk '
    NR == FNR { t[substr($0, index($0, " ") + 1)] = $1; next }
    { text = $0; sub(/^[^ ]* [^ ]* /, "", text)
      if (!(text in t)) { bad = 1; print "# no such line: " text; next }
      d = $1 + 1.5 - t[text]; if (d < 0) d = -d
      if (d > 0.5) { bad = 1; print "# at " $1 + 1.5 " s: " $0 } }
    END { exit bad || FNR < 2 }' "$T/chat.lines" "$T/stamped.txt" &&
    test -s "$T/chat.lines"
tail -c 96000 "$T/out.raw" > "$T/end.raw"
l440=$(level "$T/end.raw" 440)
l990=$(level "$T/end.raw" 990)
check "the mix at the end holds alice and carol ($l440, $l990 dB)" awk \
    -v a="$l440" -v b="$l990" 'BEGIN { exit !(a > -30 && b > -30) }'
last_rgb "$T/out.y4m" 1280 720 "$T/last.rgb"
# The test pattern's bars, not a black canvas.
bright=$(od -An -tu1 -v "$T/last.rgb" | awk '{ for (i = 1; i <= NF; i++)
    s += $i; n += NF } END { printf "%d\n", s / n }')
check "bob's camera on the grid (mean level $bright)" test "$bright" -gt 40

# To the sample: the file played from 1.5 s is the one played from the
# start, less its first 1.5 s (Opus after a seek converges at once).
meet-play -a file:"$T/all.raw" "$f" > /dev/null 2>&1
tail -c +$((144000 + 1)) "$T/all.raw" | head -c 480000 > "$T/a.raw"
head -c 480000 "$T/out.raw" > "$T/b.raw"
check "-s 1.5 starts to the sample" perl -e '
    open(A, "<", $ARGV[0]) or die; open(B, "<", $ARGV[1]) or die;
    binmode A; binmode B; local $/; my @a = unpack("s<*", <A>);
    my @b = unpack("s<*", <B>); my $max = 0;
    # Past the decoder run-up after the seek.
    for my $i (2400 .. $#b) { my $d = abs($a[$i] - $b[$i]);
        $max = $d if $d > $max }
    print "# largest difference $max\n"; exit($max > 200)' \
    "$T/a.raw" "$T/b.raw"

meet-play -o "$T/out.mp4" "$f" 2> "$T/render.log"
check "-o exits 0" test $? = 0 -a ! -s "$T/render.log"
check "-o: H.264 and AAC" test "$(ffprobe -v error -show_entries \
    stream=codec_name -of csv=p=0 "$T/out.mp4" | tr '\n' ' ')" = "h264 aac "
d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 \
    "$T/out.mp4")
check "-o: as long as the recording ($d of $dur s)" near "$d" "$dur" 0.5

size=$(wc -c < "$f")
head -c $((size / 2)) "$f" > "$T/cut.mkv"
meet-play -i -j "$T/cut.mkv" > "$T/cut.json" 2> "$T/cut.err"
check "cut in half: -i exits 0, quietly" test $? = 0 -a ! -s "$T/cut.err"
meet-play -s 1 -a file:"$T/cut.raw" "$T/cut.mkv" > /dev/null \
    2> "$T/cutplay.err"
check "cut in half: plays from 1 s, quietly" test $? = 0 -a ! -s \
    "$T/cutplay.err"
