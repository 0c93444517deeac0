#!/bin/sh
# meet-cap -v file:PATH hands out an MJPEG file's images unchanged, re-paced
# at -r, and ends at the end of the file.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
plan 7

count() {
	ffprobe -v error -f mjpeg -count_frames -show_entries \
	    stream=nb_read_frames -of default=nw=1:nk=1 "$1"
}
now() { date +%s%N; }

# ffmpeg writes the input, so meet-cap's own encoder is not what is judged.
ffmpeg -v error -f lavfi -i testsrc=size=320x240:rate=25 -frames:v 20 \
    -pix_fmt yuvj420p -c:v mjpeg -f mjpeg "$T/in.mjpeg" 2>"$T/ffmpeg.log"

t0=$(now)
timeout 20 meet-cap -v file:"$T/in.mjpeg" -r 20 >"$T/a.mjpeg" 2>"$T/a.log"
rc=$?
t1=$(now)
ms=$(( (t1 - t0) / 1000000 ))
check "ends at the end of the file, status 0 (got $rc)" test "$rc" = 0
check "the images pass through unchanged" cmp -s "$T/in.mjpeg" "$T/a.mjpeg"
check "20 frames at 20 fps take 0.7 to 3 s (took $ms ms)" \
    test "$ms" -ge 700 -a "$ms" -le 3000

timeout 20 meet-cap -v file:"$T/in.mjpeg" -r 0 -n 5 >"$T/b.mjpeg" 2>>"$T/a.log"
n=$(count "$T/b.mjpeg")
check "-n 5 gives 5 frames (got $n)" test "$n" = 5

# Garbage before and between images is skipped.
{ printf 'garbage'; cat "$T/in.mjpeg"; printf 'more'; } >"$T/dirty.mjpeg"
timeout 20 meet-cap -v file:"$T/dirty.mjpeg" -r 0 >"$T/c.mjpeg" 2>>"$T/a.log"
check "garbage around images is dropped" cmp -s "$T/in.mjpeg" "$T/c.mjpeg"

timeout 20 meet-cap -v file:"$T/missing.mjpeg" >/dev/null 2>"$T/err"
rc=$?
check "a missing file is exit status 1 (got $rc)" test "$rc" = 1
check "and the error names it" contains "$T/err" \
    "meet-cap: $T/missing.mjpeg: No such file or directory"
