#!/bin/sh
# meet-play -i on a recording made as record-spec.md says meetd makes them
# (made here with ffmpeg): room, start, duration, everyone named anywhere
# (metadata, track titles, joins, a reserved track taken by a join), one
# line per track with its packets, the chat messages; the same as JSON with
# -j; a file cut short (head -c) described up to where it ends, quietly;
# and each thing that is not a recording refused with status 1 naming it.
. "$(dirname "$0")/lib.sh"
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
plan 35

make_rec "$T/rec.mkv"
check "recording made" test -s "$T/rec.mkv"

meet-play -i "$T/rec.mkv" > "$T/info.txt" 2> "$T/info.err"
check "-i exits 0" test $? = 0
check "nothing on stderr" test ! -s "$T/info.err"
check "room" grep -qx 'room r' "$T/info.txt"
check "start" grep -qx 'start 2026-11-21T10:00:00.000Z' "$T/info.txt"
dur=$(sed -n 's/^duration \([0-9.]*\) s$/\1/p' "$T/info.txt")
check "duration about 6 s ($dur)" \
    sh -c "echo '$dur > 5.9 && $dur < 6.2' | bc | grep -qx 1"
check "participants: metadata, titles, joins" \
    grep -qx 'participants alice, bob, carol, dave' "$T/info.txt"
n=$(sed -n 's/^track 0 audio opus mix \([0-9]*\) packets$/\1/p' \
    "$T/info.txt")
# Five seconds of 20 ms packets: the gap has none.
check "the mix: 5 s of packets ($n)" test "${n:-0}" -ge 245 -a "${n:-0}" -le 255
check "a speaker" grep -q '^track 1 audio opus speaker alice [0-9]* packets$' \
    "$T/info.txt"
check "a screen" grep -qx 'track 6 video mjpeg screen bob/screen 60 packets' \
    "$T/info.txt"
check "the reserved camera, taken by dave" grep -qx \
    'track 7 video mjpeg camera "camera slot 1" (dave) 45 packets' \
    "$T/info.txt"
check "the chat track" grep -qx 'track 8 subtitle subrip chat 7 packets' \
    "$T/info.txt"
check "chat messages, not joins or reactions" \
    grep -qx 'chat 3 messages' "$T/info.txt"

meet-play -i -j "$T/rec.mkv" > "$T/info.json"
check "-i -j exits 0, one line" test $? = 0 -a "$(wc -l < "$T/info.json")" = 1
check "JSON: room, start, messages" jqe '.room == "r" and
    .start == "2026-11-21T10:00:00.000Z" and .chat_messages == 3' \
    < "$T/info.json"
check "JSON: participants" jqe \
    '.participants == ["alice", "bob", "carol", "dave"]' < "$T/info.json"
check "JSON: duration" jqe '.duration > 5.9 and .duration < 6.2' \
    < "$T/info.json"
check "JSON: tracks" jqe '(.tracks | length) == 9 and
    .tracks[0] == {index: 0, kind: "audio", codec: "opus", title: "mix",
    role: "mix", name: null, packets: .tracks[0].packets} and
    .tracks[6].name == "bob" and .tracks[7].name == "dave" and
    .tracks[7].title == "camera slot 1" and .tracks[5].packets == 90 and
    .tracks[8].kind == "subtitle" and .tracks[8].role == "chat"' \
    < "$T/info.json"

# Cut where a crash would cut it: in the middle, with no end.
size=$(wc -c < "$T/rec.mkv")
head -c $((size / 2)) "$T/rec.mkv" > "$T/cut.mkv"
meet-play -i -j "$T/cut.mkv" > "$T/cut.json" 2> "$T/cut.err"
check "a cut file: -i exits 0, nothing on stderr" \
    test $? = 0 -a ! -s "$T/cut.err"
check "a cut file lasts until where it was cut" jqe \
    '.duration > 1 and .duration < 5.5 and .tracks[0].packets > 40 and
    .tracks[0].packets < 250' < "$T/cut.json"

# What is not a recording: status 1 and "meet-play: FILE: what is wrong".
refused() {
	d=$1; f=$2; why=$3
	if expect_code 1 meet-play -i "$f" > /dev/null 2> "$T/err" &&
	    grep -qF "meet-play: $f: $why" "$T/err"; then
		ok "$d"
	else
		not_ok "$d"
		sed 's/^/# /' "$T/err"
	fi
}
refused "no such file" "$T/nope.mkv" "No such file or directory"
refused "a directory" "$T" "is a directory"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=440:d=1" -y "$T/x.wav"
refused "a WAV file" "$T/x.wav" "not a Matroska file"
printf 'hello\n' > "$T/x.txt"
refused "a text file" "$T/x.txt" "not a Matroska file"
ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc=d=1" -c:v mpeg4 \
    -y "$T/mpeg4.mkv"
refused "Matroska with nothing meet-play knows" "$T/mpeg4.mkv" \
    "no streams meet-play knows"
head -c 100 "$T/rec.mkv" > "$T/head.mkv"
refused "cut before its tracks" "$T/head.mkv" "Matroska file cut short"

# A reserved track taken as record-spec.md first said: "* erin joined
# (audio track 5, video track 1)" names track 1 (there is no track 5).
cat > "$T/erin.srt" <<'EOF'
1
00:00:00,200 --> 00:00:04,200
* erin joined (audio track 5, video track 1)
EOF
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=440:d=1" \
    -f lavfi -i "color=red:s=160x120:r=15:d=1" -i "$T/erin.srt" \
    -map 0 -map 1 -map 2 -c:a libopus -c:v mjpeg -pix_fmt yuvj420p \
    -c:s copy -metadata:s:1 title="camera slot 1" -y "$T/erin.mkv"
meet-play -i "$T/erin.mkv" > "$T/erin.txt"
check "(video track 1) names the reserved camera" grep -qx \
    'track 1 video mjpeg camera "camera slot 1" (erin) 15 packets' \
    "$T/erin.txt"
check "and erin was there" grep -qx 'participants erin' "$T/erin.txt"

# A recording with no meet metadata: the first audio track is the mix.
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=440:d=1" \
    -c:a libopus -y "$T/plain.mkv"
meet-play -i -j "$T/plain.mkv" | jqe '.room == null and
    .participants == [] and .tracks[0].role == "mix"'
check "no metadata: nulls, and the first audio track is the mix" test $? = 0

# The command line: usage errors exit 2 with a usage line, long options.
usage_error() {
	d=$1; shift
	if expect_code 2 meet-play "$@" < /dev/null > /dev/null 2> "$T/err" &&
	    grep -q '^meet-play: ' "$T/err" && grep -q '^usage: ' "$T/err"
	then ok "$d"; else not_ok "$d"; sed 's/^/# /' "$T/err"; fi
}
usage_error "-j without -i" -j "$T/rec.mkv"
usage_error "-i without a recording" -i
usage_error "-i with two recordings" -i "$T/rec.mkv" "$T/rec.mkv"
usage_error "-o with a sink" -o "$T/x.mp4" -v tty "$T/rec.mkv"
usage_error "-s that is no number of seconds" -s 1:00 "$T/rec.mkv"
meet-play --info --json "$T/rec.mkv" | jqe '.chat_messages == 3' &&
    meet-play --start 5 --output "$T/long.mp4" "$T/rec.mkv" &&
    test -s "$T/long.mp4"
check "long options: --info --json, --start --output" test $? = 0
