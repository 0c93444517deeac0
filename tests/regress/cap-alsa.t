#!/bin/sh
# meet-cap -a alsa: capture through ALSA's file plugin (tests/asound.conf),
# which reads a regular file and is not paced: what comes out must be what
# went in, at the program's own pace.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
[ -r /usr/share/alsa/alsa.conf ] || skip_all "no ALSA configuration"
plan 6

ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top/tests/asound.conf
export ALSA_CONFIG_PATH

ffmpeg -v error -f lavfi -i "sine=frequency=700:sample_rate=48000:duration=3" \
    -f s16le -ac 1 "$T/in.raw" 2>"$T/ffmpeg.log"
head -c 96000 "$T/in.raw" >"$T/first.raw"

now() { date +%s%N; }
t0=$(now)
MEET_CAP_INFILE=$T/in.raw timeout 20 meet-cap -a alsa:meetcap -t 1 \
    >"$T/a.raw" 2>"$T/a.log"
rc=$?
t1=$(now)
ms=$(( (t1 - t0) / 1000000 ))
check "exit status 0 (got $rc)" test "$rc" = 0
n=$(wc -c <"$T/a.raw")
check "1 s is 96000 bytes (got $n)" test "$n" = 96000
check "the bytes are the file's first second" cmp -s "$T/a.raw" "$T/first.raw"
check "paced by our clock: 0.8 to 3 s (took $ms ms)" \
    test "$ms" -ge 800 -a "$ms" -le 3000

timeout 20 meet-cap -a alsa:meet-no-such-pcm -t 1 >/dev/null 2>"$T/err"
rc=$?
check "a missing device is exit status 1 (got $rc)" test "$rc" = 1
check "and the error names it" contains "$T/err" "meet-cap: alsa:meet-no-such-pcm:"
