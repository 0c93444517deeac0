#!/bin/sh
# meet-play -o OUT.mp4 renders a recording (made as in play-rec-info.t) as
# one video: H.264 1280x720 at 15 fps with the grid (a source appears with
# its first picture), the mix as AAC, in an MP4 with its index first; as
# long as the recording, or from -s; black frames for a recording with no
# video; a file cut short rendered to where it ends; and outputs that
# cannot be written refused, leaving no file.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus ||
    skip_all "ffmpeg has no libopus encoder"
plan 25

# near A B TOLERANCE: |A - B| <= TOLERANCE.
near() { echo "d = $1 - $2; if (d < 0) d = -d; d <= $3" | bc | grep -qx 1; }
# probe FILE ENTRIES: ffprobe's values, one a line.
probe() {
	ffprobe -v error -show_entries "$2" -of default=nw=1:nk=1 "$1"
}
# frame_rgb MP4 N OUT: frame N as raw rgb24.
frame_rgb() {
	ffmpeg -nostdin -loglevel error -i "$1" -vf "select=eq(n\,$2)" \
	    -frames:v 1 -f rawvideo -pix_fmt rgb24 -y "$3"
}
# mix_tones MP4: the audio decoded back holds the three tones.
mix_tones() {
	ffmpeg -nostdin -loglevel error -i "$1" -f s16le -ac 1 -ar 48000 \
	    -y "$1.raw" || return 1
	dd if="$1.raw" bs=960 skip=10 count=230 2>/dev/null |
	    goertzel 440 660 880 | awk '
	    $1 != "rms" && $2 < -30 { bad = 1; print "# " $0 }
	    END { exit bad }'
}

make_rec "$T/rec.mkv"
check "recording made" test -s "$T/rec.mkv"

meet-play -o "$T/out.mp4" "$T/rec.mkv" 2> "$T/render.log"
check "-o exits 0" test $? = 0
check "no progress when stderr is no terminal" test ! -s "$T/render.log"
check "H.264 1280x720 yuv420p at 15 fps" test "$(ffprobe -v error \
    -select_streams v -show_entries \
    stream=codec_name,width,height,pix_fmt,r_frame_rate \
    -of default=nw=1:nk=1 "$T/out.mp4" | tr '\n' ' ')" = \
    "h264 1280 720 yuv420p 15/1 "
check "AAC at 48000 Hz, mono" test "$(ffprobe -v error -select_streams a \
    -show_entries stream=codec_name,sample_rate,channels \
    -of default=nw=1:nk=1 "$T/out.mp4" | tr '\n' ' ')" = "aac 48000 1 "
dur=$(probe "$T/out.mp4" format=duration)
check "as long as the recording ($dur s)" near "$dur" 6.01 0.5
n=$(frames_of "$T/out.mp4")
check "15 frames a second ($n)" test "${n:-0}" -ge 89 -a "${n:-0}" -le 92
check "the index first (+faststart)" sh -c \
    "head -c 64 '$T/out.mp4' | grep -aq moov"
check "the mix decoded back holds the tones" mix_tones "$T/out.mp4"
frame_rgb "$T/out.mp4" 15 "$T/one.rgb"
check "at 1 s: alice on the left" is red "$T/one.rgb" 1280 320 360
check "at 1 s: nobody below yet" is black "$T/one.rgb" 1280 320 700
frame_rgb "$T/out.mp4" 85 "$T/last.rgb"
check "at the end: alice top left" is red "$T/last.rgb" 1280 320 180
check "at the end: bob's screen bottom left" is blue "$T/last.rgb" 1280 320 540
check "at the end: dave's camera bottom right" is green "$T/last.rgb" 1280 960 540

meet-play -s 2 -o "$T/s2.mp4" "$T/rec.mkv"
check "-s 2 exits 0" test $? = 0
dur=$(probe "$T/s2.mp4" format=duration)
check "-s 2: 2 s shorter ($dur s)" near "$dur" 4.01 0.5
frame_rgb "$T/s2.mp4" 0 "$T/s2.rgb"
check "-s 2: alice's camera in the first frame" is red "$T/s2.rgb" 1280 320 360
frame_rgb "$T/s2.mp4" 2 "$T/s2b.rgb"
check "-s 2: bob's screen, from 2 s, in the third" is blue "$T/s2b.rgb" \
    1280 320 540

# The mix only: black frames, and the audio.
ffmpeg -nostdin -loglevel error -i "$T/rec.mkv" -map 0:0 -map 0:8 -c copy \
    -y "$T/audio.mkv"
meet-play -o "$T/audio.mp4" "$T/audio.mkv"
check "audio only: exits 0" test $? = 0
frame_rgb "$T/audio.mp4" 30 "$T/black.rgb"
check "audio only: black frames, and the tones" sh -c \
    ". '$top/tests/tools/play-lib.sh'; is black '$T/black.rgb' 1280 640 360" &&
    mix_tones "$T/audio.mp4"

# Cut short, as by kill -9: rendered to where it ends.
size=$(wc -c < "$T/rec.mkv")
head -c $((size / 2)) "$T/rec.mkv" > "$T/cut.mkv"
cutd=$(meet-play -i -j "$T/cut.mkv" | jq .duration)
meet-play -o "$T/cut.mp4" "$T/cut.mkv" 2> "$T/cut.log"
check "a cut file renders, exits 0" test $? = 0 -a ! -s "$T/cut.log"
dur=$(probe "$T/cut.mp4" format=duration)
check "a cut file renders to where it ends ($dur of $cutd s)" \
    near "$dur" "$cutd" 0.5

# Outputs that cannot be written: status 1 naming them, no file left.
refused() {
	d=$1; f=$2; why=$3
	if expect_code 1 meet-play -o "$f" "$T/rec.mkv" 2> "$T/err" &&
	    grep -qF "meet-play: $f: $why" "$T/err" && [ ! -e "$f" ]; then
		ok "$d"
	else
		not_ok "$d"
		sed 's/^/# /' "$T/err"
	fi
}
refused "no such directory" "$T/no/dir/x.mp4" "No such file or directory"
refused "a format with no H.264" "$T/x.wav" "cannot hold H.264"
if expect_code 1 meet-play -o "$T/rec.mkv" "$T/rec.mkv" 2> "$T/err" &&
    grep -q 'is the recording itself' "$T/err" &&
    meet-play -i "$T/rec.mkv" > /dev/null; then
	ok "the recording itself is not overwritten"
else
	not_ok "the recording itself is not overwritten"
fi
