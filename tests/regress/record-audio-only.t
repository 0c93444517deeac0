#!/bin/sh
# Audio-only recordings: record start -o x.flac, x.wav and x.ogg write the
# room's mix with libsndfile.  Room r on A ([record] dir = $T/rec); alice
# on A sends 440 Hz, bob from B 660 Hz.  alice records about 3 s to each
# file in turn.  Each one: FLAC, 16-bit WAV or Ogg Opus as its name says,
# 48 kHz mono, ffmpeg decodes it without a word, both tones are in it, and
# it lasts as long as the recording did, within 0.5 s; and a lossless one
# has no silence inside, since both speak all along.  The .ogg checks
# are skipped when this libsndfile cannot write Ogg Opus.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 26

now() { date +%s.%N; }
tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t "$4" >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 60 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# inside X LO..HI TOL: LO - TOL <= X <= HI + TOL, false when X is missing.
inside() {
	[ -n "$1" ] && awk -v x="$1" -v w="$2" -v t="$3" 'BEGIN {
	    split(w, r, /\.\./); exit !(x >= r[1] - t && x <= r[2] + t) }'
}
loud() { [ -n "$1" ] && awk -v l="$1" 'BEGIN { exit !(l > -40) }'; }
skip_n() {	# skip_n N REASON: N checks skipped
	_k=0
	while [ $_k -lt "$1" ]; do
		_n=$((_n + 1)); _k=$((_k + 1))
		echo "ok $_n # skip $2"
	done
}

printf '[record]\ndir = %s\n' "$T/rec" >"$T/A.conf"
start_node A -f "$T/A.conf"
start_node B
ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
check "alice and bob are in r" wait_for 10 in_roster A alice bob
tone A alice 440 25
tone B bob 660 25
check "alice sees audio-on from bob" quiet ctl A -s alice wait -T 5 \
    audio-on bob
sleep 0.5

# judge EXT CODEC: record 3 s to x.EXT and judge the file (7 checks, and
# an 8th for a lossless one).
judge() {
	x=$T/rec/x.$1
	t0a=$(now)
	ctl A -s alice record start -o "x.$1" >"$T/$1.out" 2>"$T/$1.err"
	rc=$?
	t0b=$(now)
	if [ "$rc" != 0 ] && [ "$1" = ogg ] &&
	    grep -q "cannot write this format" "$T/$1.err"; then
		skip_n 7 "this libsndfile writes no Ogg Opus: $(cat "$T/$1.err")"
		return
	fi
	check "record start -o x.$1: exit 0 (got $rc)" test "$rc" = 0
	sleep 3
	t1a=$(now)
	ctl A -s alice record stop >/dev/null 2>>"$T/$1.err"
	rc=$?
	# The recording lasted between these two, whatever the commands took.
	span=$(awk -v a0="$t0a" -v a1="$t0b" -v b0="$t1a" -v b1="$(now)" \
	    'BEGIN { printf "%.3f..%.3f\n", b0 - a1, b1 - a0 }')
	check "record stop: exit 0 (got $rc)" test "$rc" = 0
	ffprobe -v error -show_streams -show_format -of json "$x" \
	    >"$T/$1.json" 2>"$T/$1.probe"
	c=$(jq -r '.streams[0] | "\(.codec_name) \(.sample_rate) Hz" +
	    " \(.channels) ch"' "$T/$1.json" 2>/dev/null)
	check "x.$1 is $2, 48000 Hz, mono (${c:-unreadable})" \
	    test "$c" = "$2 48000 Hz 1 ch"
	dur=$(jq -r '.format.duration // empty' "$T/$1.json" 2>/dev/null)
	check "it lasts $dur s: the recording's $span s within 0.5 s" \
	    inside "$dur" "$span" 0.5
	ffmpeg -nostdin -v error -i "$x" -f s16le -ac 1 -ar 48000 - \
	    2>"$T/$1.ffmpeg" >"$T/$1.pcm"
	rc=$?
	diag "ffmpeg: $(head -c 200 "$T/$1.ffmpeg")"
	pcm=$T/$1.pcm err=$T/$1.ffmpeg
	check "ffmpeg decodes it without a word (exit $rc)" eval \
	    '[ "$rc" = 0 ] && [ -s "$pcm" ] && ! [ -s "$err" ]'
	goertzel -s 0.5 440 660 <"$T/$1.pcm" >"$T/$1.lv" 2>/dev/null
	l1=$(awk '$1 == 440 { print $2 }' "$T/$1.lv")
	l2=$(awk '$1 == 660 { print $2 }' "$T/$1.lv")
	check "the mix in it holds alice's 440 Hz (${l1:-nothing} dB)" loud "$l1"
	check "and bob's 660 Hz (${l2:-nothing} dB)" loud "$l2"
	# Both send all along: a lossless file has no run of silence after
	# its first 0.1 s.  (A lossy one has no exact zeros to look for.)
	[ "$1" = ogg ] && return
	z=$(holes "$pcm")
	check "no silence inside it while both speak (${z:-none})" test -z "$z"
}
# holes PCM: where 4 or more zero samples in a row follow the first 0.1 s
# of 48 kHz mono s16le: "SECONDS:SAMPLES ...".
holes() { perl -e 'local $/; my @s = unpack "s<*", <STDIN>; my ($n, @h);
	for my $i (4800 .. $#s) {
		if ($s[$i] == 0) { $n++; next }
		push @h, sprintf("%.3f:%d", ($i - $n) / 48000, $n) if $n >= 4;
		$n = 0;
	}
	print join(" ", @h[0 .. ($#h < 5 ? $#h : 5)]), "\n" if @h' <"$1"; }
judge flac flac
judge wav pcm_s16le
judge ogg opus

# The node that recorded shuts down cleanly: exit 0, and (under the
# sanitizers) no report in its log.
stop_node A
wait "$pid_A" 2>/dev/null
rc=$?
check "A shuts down cleanly (exit $rc, no sanitizer report)" eval \
    '[ "$rc" = 0 ] && [ -s "$T/A.log" ] &&
    ! grep -Eq "Sanitizer|runtime error" "$T/A.log"'
