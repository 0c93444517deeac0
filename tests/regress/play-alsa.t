#!/bin/sh
# -a alsa:DEVICE through ALSA's file plugin (tests/asound.conf, pcm.meetplay):
# what reaches the device is the input, after at most some leading silence.
# Input that pauses gets silence in the gap instead of an underrun, and the
# program waits in poll, not in a busy loop.
. "$(dirname "$0")/lib.sh"
plan 6

export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top/tests/asound.conf
export MEET_PLAY_OUTFILE="$T/dev.raw"
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=440:r=48000:d=1" \
    -f s16le -ac 1 -y "$T/in.raw"

timeout 30 meet-play -a alsa:meetplay < "$T/in.raw" 2> "$T/play.log"
check "meet-play exits 0" test $? = 0
# Strip leading zero bytes (whole frames) and compare the rest.
strip() {
	perl -0777 -ne 's/^((?:\0\0)*)//; print' "$1"
}
strip "$T/dev.raw" > "$T/dev.trim"
strip "$T/in.raw" > "$T/in.trim"
check "device got the input" cmp "$T/dev.trim" "$T/in.trim"

# Half a second, a pause of a second, half a second.
export MEET_PLAY_OUTFILE="$T/gap.raw"
(
	head -c 48000 "$T/in.raw"
	sleep 1
	tail -c 48000 "$T/in.raw"
) | timeout 30 meet-play -V -a alsa:meetplay 2> "$T/gap.log"
check "paused input exits 0" test $? = 0
size=$(wc -c < "$T/gap.raw")
check "silence filled the gap ($size bytes)" \
    test "$size" -gt $((96000 + 9600)) -a "$size" -lt $((96000 * 3))
check "silence was counted" grep -q 'frames of silence' "$T/gap.log"
# The two halves are there in order, with zeros between them.
head -c 48000 "$T/in.raw" > "$T/a.raw"
tail -c 48000 "$T/in.raw" > "$T/b.raw"
strip "$T/gap.raw" > "$T/gap.trim"
strip "$T/a.raw" > "$T/a.trim"
check "both halves arrive whole" sh -c "
    cmp -n $(wc -c < "$T/a.trim") '$T/gap.trim' '$T/a.trim' &&
    tail -c 48000 '$T/gap.raw' | cmp - '$T/b.raw'"
