#!/bin/sh
# -a file:PATH writes the PCM from stdin to a sound file chosen by its
# extension: a WAV (and a FLAC, lossless) whose samples equal the input,
# stereo at another rate, and a trailing odd byte that is not a frame.
. "$(dirname "$0")/lib.sh"
plan 9

ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=440:r=48000:d=1" \
    -f s16le -ac 1 -y "$T/in.raw"
timeout 30 meet-play -a file:"$T/x.wav" < "$T/in.raw" 2> "$T/play.log"
check "meet-play exits 0" test $? = 0
check "WAV at 48000 Hz mono" sh -c "ffprobe -v error -show_entries \
    stream=sample_rate,channels -of csv=p=0 '$T/x.wav' | grep -qx '48000,1'"
ffmpeg -nostdin -loglevel error -i "$T/x.wav" -f s16le -y "$T/x.raw"
check "WAV samples equal the input" cmp "$T/x.raw" "$T/in.raw"

timeout 30 meet-play -a file:"$T/x.flac" < "$T/in.raw" 2> "$T/flac.log"
check "FLAC exits 0" test $? = 0
ffmpeg -nostdin -loglevel error -i "$T/x.flac" -f s16le -y "$T/f.raw"
check "FLAC samples equal the input" cmp "$T/f.raw" "$T/in.raw"

# Stereo at 16000 Hz, with one byte too many at the end.
ffmpeg -nostdin -loglevel error -f lavfi -i "sine=f=300:r=16000:d=1" \
    -ac 2 -f s16le -y "$T/st.raw"
{ cat "$T/st.raw"; printf 'x'; } | timeout 30 meet-play -a \
    file:"$T/st.wav" -r 16000 -c 2 2> "$T/st.log"
check "stereo exits 0" test $? = 0
check "WAV at 16000 Hz stereo" sh -c "ffprobe -v error -show_entries \
    stream=sample_rate,channels -of csv=p=0 '$T/st.wav' | grep -qx '16000,2'"
ffmpeg -nostdin -loglevel error -i "$T/st.wav" -f s16le -y "$T/st2.raw"
check "stereo samples equal the input, odd byte dropped" \
    cmp "$T/st2.raw" "$T/st.raw"

if expect_code 1 meet-play -a file:"$T/nodir/x.wav" < "$T/in.raw" \
    2> "$T/err.log" && grep -q 'nodir/x.wav' "$T/err.log"; then
	ok "unwritable file: status 1 naming it"
else
	not_ok "unwritable file: status 1 naming it"
fi
