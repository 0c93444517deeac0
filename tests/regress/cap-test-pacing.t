#!/bin/sh
# meet-cap paces video in real time: 30 frames at 15 fps take about 2 s,
# and -t is honoured.  Bounds are generous; only gross errors fail.
. "$(dirname "$0")/lib.sh"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 4

now() { date +%s%N; }

t0=$(now)
timeout 20 meet-cap -v test -r 15 -n 30 >"$T/a.mjpeg" 2>"$T/a.log"
t1=$(now)
ms=$(( (t1 - t0) / 1000000 ))
check "30 frames at 15 fps in 1.5 to 4 s (took $ms ms)" \
    test "$ms" -ge 1500 -a "$ms" -le 4000
n=$(ffprobe -v error -f mjpeg -count_frames -show_entries \
    stream=nb_read_frames -of default=nw=1:nk=1 "$T/a.mjpeg")
check "30 frames written (got $n)" test "$n" = 30

t0=$(now)
timeout 20 meet-cap -v test -r 10 -t 1.5 -s 160x120 >"$T/b.mjpeg" 2>>"$T/a.log"
t1=$(now)
ms=$(( (t1 - t0) / 1000000 ))
n=$(ffprobe -v error -f mjpeg -count_frames -show_entries \
    stream=nb_read_frames -of default=nw=1:nk=1 "$T/b.mjpeg")
check "-t 1.5 at 10 fps makes 15 frames (got $n)" test "$n" = 15
check "-t 1.5 takes 1 to 4 s (took $ms ms)" \
    test "$ms" -ge 1000 -a "$ms" -le 4000
