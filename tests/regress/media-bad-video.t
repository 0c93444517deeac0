#!/bin/sh
# Bad input on send -v: a JPEG cut mid-frame is dropped and bytes that are
# not JPEG are skipped, while the good frames around them all reach bob and
# decode; the sender is told how many bytes it skipped, and a stream of
# nothing but garbage fails with exit 1.  JPEGs RFC 2435 cannot carry as
# they are (progressive, 4:4:4) are re-encoded and reach bob as decodable
# baseline JPEGs.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
plan 14

frames() { jpegs "$1" | wc -l; }
# baseline FILE: every JPEG is baseline 4:2:0 or 4:2:2 and tagged src=alice.
baseline() { jpegs "$1" | awk '!($1 == "alice" && $3 == "c0" &&
    $5 ~ /^2[12],11,11$/) { print "# not so:", $0; bad++ }
    END { exit !(NR > 0 && !bad) }'; }
# sends NAME FILE: alice sends FILE (a regular file: paced) as her camera
# while bob receives into $T/NAME.mjpeg; $rc is send's status, its stderr
# is in $T/NAME.err, and $ran is 1 when bob's recv ran until the end.
sends() {
	timeout 20 meetctl -S "$T/A.sock" -s bob recv -v >"$T/$1.mjpeg" \
	    2>>"$T/recv.log" &
	_r=$!; track $_r
	sleep 0.5
	ctl A -s alice send -v <"$2" 2>"$T/$1.err"
	rc=$?
	sleep 1
	ran=0
	kill $_r 2>/dev/null && ran=1
	wait $_r 2>/dev/null
}
# junk FILE: 5000 random bytes, none of them 0xff: no JPEG marker in it.
junk() { perl -e 'print map { chr int rand 255 } 1 .. 5000' >"$1"; }

start_node A
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
check "alice and bob are in standup" in_roster A bob alice

# One good frame, junk, a frame cut in half, junk, seven good frames.
meet-cap -v test -s 320x240 -r 0 -n 1 >"$T/g1.jpg" 2>>"$T/cap.log"
meet-cap -v test -s 320x240 -r 0 -n 7 >"$T/g7.mjpeg" 2>>"$T/cap.log"
head -c $(($(wc -c <"$T/g1.jpg") / 2)) "$T/g1.jpg" >"$T/cut.jpg"
junk "$T/junk1"
junk "$T/junk2"
cat "$T/g1.jpg" "$T/junk1" "$T/cut.jpg" "$T/junk2" "$T/g7.mjpeg" \
    >"$T/mixed.in"
sends mixed "$T/mixed.in"
check "send -v of the mixed stream exits 0 (got $rc)" test "$rc" = 0
n=$(sed -n 's/^meetctl: send: \([0-9]*\) bytes were not JPEG.*/\1/p' \
    "$T/mixed.err")
check "stderr says ${n:-no} bytes were not JPEG (5000 at least)" \
    test "${n:-0}" -ge 5000
check "every JPEG bob gets decodes" decodes "$T/mixed.mjpeg"
check "bob gets the 8 good frames and nothing else (got $(frames \
    "$T/mixed.mjpeg"))" eval '[ "$(frames "$T/mixed.mjpeg")" = 8 ] &&
    baseline "$T/mixed.mjpeg"'

sends junk "$T/junk1"
check "send -v of garbage only exits 1 (got $rc)" test "$rc" = 1
check "stderr says the 5000 bytes were not JPEG" contains "$T/junk.err" \
    "meetctl: send: 5000 bytes were not JPEG and were skipped"
check "bob's recv runs on and gets nothing" eval '[ "$ran" = 1 ] &&
    [ ! -s "$T/junk.mjpeg" ]'

# Progressive: baseline JPEGs from ffmpeg, made progressive by jpegtran or
# ImageMagick, and checked to be so (SOF2) before they count.
ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x240:rate=15 \
    -frames:v 3 -q:v 5 -pix_fmt yuvj420p -c:v mjpeg -f image2 "$T/p%d.jpg"
for i in 1 2 3; do
	if command -v jpegtran >/dev/null; then
		jpegtran -progressive "$T/p$i.jpg"
	elif convert -version 2>/dev/null | grep -q ImageMagick; then
		convert "$T/p$i.jpg" -interlace JPEG jpg:-
	fi
done >"$T/prog.in" 2>>"$T/cap.log"
if jpegs "$T/prog.in" | awk '$3 == "c2" { n++ } END { exit n != 3 }'; then
	sends prog "$T/prog.in"
	check "send -v of progressive JPEGs exits 0 (got $rc)" test "$rc" = 0
	check "bob gets 3 frames that decode (got $(frames \
	    "$T/prog.mjpeg"))" eval 'decodes "$T/prog.mjpeg" &&
	    [ "$(frames "$T/prog.mjpeg")" = 3 ]'
	check "as baseline JPEGs" baseline "$T/prog.mjpeg"
else
	for i in 1 2 3; do
		ok "progressive JPEG # SKIP no jpegtran nor ImageMagick"
	done
fi

ffmpeg -nostdin -v error -f lavfi -i testsrc=size=320x240:rate=15 \
    -frames:v 3 -q:v 5 -pix_fmt yuvj444p -c:v mjpeg -f mjpeg "$T/444.in"
sends 444 "$T/444.in"
check "send -v of 4:4:4 JPEGs exits 0 (got $rc)" test "$rc" = 0
check "bob gets 3 frames that decode (got $(frames "$T/444.mjpeg"))" \
    eval 'decodes "$T/444.mjpeg" && [ "$(frames "$T/444.mjpeg")" = 3 ]'
check "re-encoded as baseline 4:2:0 or 4:2:2" baseline "$T/444.mjpeg"
