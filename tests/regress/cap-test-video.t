#!/bin/sh
# meet-cap -v test: frame count, size, baseline 4:2:0 JPEG, and motion, all
# judged by ffprobe and ffmpeg decoding the output.
. "$(dirname "$0")/lib.sh"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 7

# probe FILE ENTRY: one stream entry of an MJPEG stream, as ffprobe says.
probe() {
	ffprobe -v error -f mjpeg -count_frames -select_streams v:0 \
	    -show_entries "stream=$2" -of default=nw=1:nk=1 "$1"
}

timeout 30 meet-cap -v test -s 320x240 -r 0 -n 30 >"$T/a.mjpeg" 2>"$T/a.log"
rc=$?
check "30 frames at 320x240, exit status 0 (got $rc)" test "$rc" = 0
check "stderr is quiet" test ! -s "$T/a.log"
n=$(probe "$T/a.mjpeg" nb_read_frames)
check "ffprobe counts 30 frames (got $n)" test "$n" = 30
size=$(probe "$T/a.mjpeg" width,height | tr '\n' x)
check "size is 320x240 (got $size)" test "$size" = "320x240x"
fmt=$(probe "$T/a.mjpeg" pix_fmt)
prof=$(probe "$T/a.mjpeg" profile)
check "baseline 4:2:0 (got $fmt, $prof)" \
    test "$fmt" = yuvj420p -a "$prof" = Baseline

# Every decoded frame differs from every other one: there is motion.
ffmpeg -v error -f mjpeg -i "$T/a.mjpeg" -f framemd5 - 2>>"$T/a.log" |
    grep -v '^#' | awk -F, '{ print $6 }' | sort -u >"$T/md5"
u=$(wc -l <"$T/md5")
check "30 distinct decoded frames (got $u)" test "$u" = 30

timeout 30 meet-cap -v test -n 3 -r 0 >"$T/d.mjpeg" 2>>"$T/a.log"
size=$(probe "$T/d.mjpeg" width,height | tr '\n' x)
check "default size is 640x480 (got $size)" test "$size" = "640x480x"
