#!/bin/sh
# Recordings that cannot be made, or cannot go on, and a meeting that goes
# on regardless.  Room r on A ([record] dir = $T/rec, anyone = 0); alice
# hosts it and sends 440 Hz, bob joins from B.  bob may not record (exit
# 1); record stop with nothing recorded exits 1; a path outside the record
# directory and one in a directory that does not exist fail with exit 1
# and a message naming the path, as do a path where a file is (left as it
# was), one with .. and a name ending neither in .mkv nor in an audio
# format; nobody gets a recording event, and chat and audio still flow.
# A runs in a mount namespace of its own with a 300 KB tmpfs (or else a
# 1 MB ext2 image) at $T/rec/small: recording there while bob's camera
# sends ends with a recording event of state failed, naming the disk, and
# a line in A's log; the file keeps what was written; bob's camera still
# reaches alice, bob still hears alice, chat still works, and a new
# recording elsewhere works.  On C, with anyone = 1, dave (a participant,
# from B) records and stops.
. "$(dirname "$0")/lib.sh"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
command -v ffprobe >/dev/null || skip_all "no ffprobe"
plan 41

tone() {
	mkfifo "$T/$2.fifo"
	meet-cap -a "sine:$3" -t "$4" >"$T/$2.fifo" 2>>"$T/cap.log" &
	track $!
	timeout 60 meetctl -S "$T/$1.sock" -s "$2" send -a <"$T/$2.fifo" \
	    2>>"$T/send.log" &
	track $!
}
# refused NAME CMD...: the command exits 1; its stderr in $T/NAME.err.
refused() {
	_f=$1; shift
	"$@" >"$T/$_f.out" 2>"$T/$_f.err"
	_rc=$?
	diag "exit $_rc: $(cat "$T/$_f.err")"
	[ "$_rc" = 1 ]
}
# hears NODE SESSION HZ: 3 s of the session's recv -a hold HZ above -20 dB.
hears() {
	timeout 3 meetctl -S "$T/$1.sock" -s "$2" recv -a >"$T/$2.pcm" \
	    2>>"$T/recv.log"
	_l=$(goertzel -s 0.5 "$3" <"$T/$2.pcm" 2>/dev/null |
	    awk -v f="$3" '$1 == f { print $2 }')
	diag "$2 hears $3 Hz at ${_l:-nothing} dB"
	[ -n "$_l" ] && awk -v l="$_l" 'BEGIN { exit !(l > -20) }'
}
# no_recording_event NODE SESSION: the session got no recording event.
no_recording_event() {
	_out=$(ctl "$1" -s "$2" -j events) || return 1
	! printf '%s\n' "$_out" | grep -q '"event": *"recording"'
}
not_recorded() {
	ctl A -j rooms | jqe 'any(.rooms[]; .name == "r" and
	    .recording == false)'
}
skip_n() {	# skip_n N REASON: N checks skipped
	_k=0
	while [ $_k -lt "$1" ]; do
		_n=$((_n + 1)); _k=$((_k + 1))
		echo "ok $_n # skip $2"
	done
}

# --- a tiny file system for A's recordings, in A's mount namespace --------
mkdir -p "$T/rec/small" "$T/probe"
small=
if unshare -m sh -c "mount -t tmpfs -o size=300k tmpfs '$T/probe'" \
    2>/dev/null; then
	small=tmpfs
elif command -v mkfs.ext2 >/dev/null && dd if=/dev/zero of="$T/small.img" \
    bs=1024 count=1024 2>/dev/null && mkfs.ext2 -q -F "$T/small.img" \
    >/dev/null 2>&1 && unshare -m sh -c \
    "mount -o loop '$T/small.img' '$T/probe'" 2>/dev/null; then
	small=ext2
fi
rmdir "$T/probe"
printf '[record]\ndir = %s\nanyone = 0\n' "$T/rec" >"$T/A.conf"
if [ -n "$small" ]; then
	# The mount lives and dies with A's namespace: nothing to unmount.
	if [ "$small" = tmpfs ]; then mnt="mount -t tmpfs -o size=300k tmpfs"
	else mnt="mount -o loop $T/small.img"; fi
	unshare -m sh -c "$mnt \"\$1\" && shift && exec \"\$@\"" sh \
	    "$T/rec/small" meetd -S "$T/A.sock" -l 127.0.0.1:0 \
	    -f "$T/A.conf" 2>"$T/A.log" &
	pid_A=$!
	track $pid_A
	wait_for 10 meetctl -S "$T/A.sock" status || {
		echo "Bail out! meetd A did not start"; cat "$T/A.log" >&2
		exit 1; }
	addr_A=$(meetctl -S "$T/A.sock" -j status | jq -r .listen)
	diag "A records onto a small $small at $T/rec/small"
else
	start_node A -f "$T/A.conf"
	diag "no tmpfs nor loop mount here: the full disk is skipped"
fi
start_node B
printf '[record]\ndir = %s\nanyone = 1\n' "$T/recC" >"$T/C.conf"
start_node C -f "$T/C.conf"
# in_a COMMAND...: run it in A's mount namespace.
in_a() { nsenter -t "$pid_A" -m "$@"; }

ctl A create r --as alice >/dev/null
ctl B join "r@$addr_A" --as bob >/dev/null
check "alice and bob are in r" wait_for 10 in_roster A alice bob
tone A alice 440 40

# --- who may, and what is not there ---------------------------------------
check "bob, not the host, may not record: exit 1" \
    refused bob ctl B -s bob record start -o bob.mkv
check "he is told only the host may" \
    contains "$T/bob.err" "only the host (alice) may start recording"
check "and no file was made" test ! -e "$T/rec/bob.mkv"
check "nor may he stop a recording (exit 1)" \
    refused bobstop ctl B -s bob record stop
check "record stop with nothing recorded: exit 1" \
    refused stop ctl A -s alice record stop
check "that says r is not being recorded" \
    contains "$T/stop.err" "r is not being recorded"

# --- paths that cannot be written -----------------------------------------
check "record start -o /nonexistent/dir/x.mkv: exit 1" \
    refused abs ctl A -s alice record start -o /nonexistent/dir/x.mkv
check "the message names the path" contains "$T/abs.err" \
    "/nonexistent/dir/x.mkv"
check "record start -o nodir/x.mkv (no such directory): exit 1" \
    refused rel ctl A -s alice record start -o nodir/x.mkv
check "the message names the path it could not write" \
    contains "$T/rel.err" "cannot write $T/rec/nodir/x.mkv"
# meetctl(1): never over a file, never outside the directory, and the
# name says the format.
echo "keep me" >"$T/rec/taken.mkv"
check "record start -o taken.mkv, where a file is: exit 1" \
    refused taken ctl A -s alice record start -o taken.mkv
check "a file is already there, and it is left as it was" eval \
    'contains "$T/taken.err" "$T/rec/taken.mkv: a file is already there" &&
    [ "$(cat "$T/rec/taken.mkv")" = "keep me" ]'
check "record start -o ../up.mkv: exit 1, nothing made" eval \
    'refused up ctl A -s alice record start -o ../up.mkv &&
    contains "$T/up.err" "../up.mkv" && [ ! -e "$T/up.mkv" ]'
check "record start -o x.mp4: exit 1, naming it" eval \
    'refused mp4 ctl A -s alice record start -o x.mp4 &&
    contains "$T/mp4.err" "x.mp4" && [ ! -e "$T/rec/x.mp4" ]'
check "r is not being recorded" not_recorded
check "record status says so too" eval \
    'ctl B -s bob -j record status | jqe ".recording == false"'
check "bob got no recording event" no_recording_event B bob
ctl A -s alice say "still here" >/dev/null
check "the meeting goes on: bob gets alice's chat" \
    saw_chat B bob alice "still here"
check "and hears her 440 Hz" hears B bob 440
if grep -q 'nodir/x.mkv' "$T/A.log"; then
	diag "A logged the failed start: $(grep 'nodir/x.mkv' "$T/A.log")"
else
	diag "A logged nothing about the failed start (not required)"
fi

# --- a full disk ------------------------------------------------------------
if [ -n "$small" ]; then
	mkfifo "$T/cam.fifo"
	meet-cap -v test -s 320x240 -r 15 -t 40 >"$T/cam.fifo" \
	    2>>"$T/cap.log" &
	track $!
	timeout 60 meetctl -S "$T/B.sock" -s bob send -v <"$T/cam.fifo" \
	    2>>"$T/send.log" &
	track $!
	quiet ctl A -s alice wait -T 5 video-on bob
	full=$T/rec/small/full.mkv
	check "alice records onto the small $small (exit 0)" \
	    quiet ctl A -s alice record start -o small/full.mkv
	# 300 KB at some 100 KB/s of camera: full in a few seconds.
	ctl A -s alice -j wait -T 30 recording >/dev/null	# started
	ctl A -s alice -j wait -T 30 recording >"$T/failed.json"
	diag "alice's event: $(cat "$T/failed.json")"
	check "the recording ends with a recording event: failed" \
	    jqe --arg p "$full" '.state == "failed" and .path == $p' \
	    <"$T/failed.json"
	check "its reason names the disk" eval 'jq -r .reason \
	    "$T/failed.json" | grep -Eqi "disk|space"'
	check "bob gets the failed event too" eval 'ctl B -s bob -j wait -T 5 \
	    recording | jqe ".state == \"started\"" && ctl B -s bob -j wait \
	    -T 5 recording | jqe ".state == \"failed\""'
	check "A's log has a line for it" eval \
	    'grep -F "recording to $full failed" "$T/A.log" |
	    grep -Eqi "disk|space"'
	diag "$(grep "failed" "$T/A.log" | head -n 3)"
	check "r is not being recorded any more" not_recorded
	in_a ffprobe -v error -show_streams "$full" >"$T/partial.json" \
	    2>"$T/partial.err"
	rc=$?
	diag "ffprobe on the cut file: $(head -c 200 "$T/partial.err")"
	check "the file keeps what was written: ffprobe reads it (exit $rc)" \
	    eval '[ "$rc" = 0 ] && grep -q codec_name=opus "$T/partial.json"'
	timeout 2 meetctl -S "$T/A.sock" -s alice recv -v >"$T/alice.mjpeg" \
	    2>>"$T/recv.log"
	n=$(jpegs "$T/alice.mjpeg" | awk '$1 == "bob"' | wc -l)
	check "the meeting goes on: alice gets bob's camera ($n images)" \
	    eval '[ "$n" -ge 15 ] && decodes "$T/alice.mjpeg"'
	check "and bob still hears alice's 440 Hz" hears B bob 440
	ctl B -s bob say "and so do we" >/dev/null
	check "and bob's chat" saw_chat A alice bob "and so do we"
	check "a new recording where there is room: exit 0" \
	    quiet ctl A -s alice record start -o again.mkv
	sleep 1
	check "and record stop: exit 0" quiet ctl A -s alice record stop
	check "that file plays" eval 'e=$(ffmpeg -nostdin -v error \
	    -i "$T/rec/again.mkv" -map 0:0 -f null - 2>&1) && [ -z "$e" ]'
else
	skip_n 13 "cannot mount a small file system here"
fi

# --- anyone = 1 ---------------------------------------------------------------
ctl C create s --as carol >/dev/null
ctl B join "s@$addr_C" --as dave >/dev/null
check "carol hosts s on C (anyone = 1), dave joins from B" \
    wait_for 10 in_roster C carol dave
check "dave, not the host, records s (exit 0)" \
    quiet ctl B -s dave record start -o s.mkv
check "carol gets the recording event: started by dave" eval \
    'ctl C -s carol -j wait -T 5 recording | jqe ".state == \"started\" and
    .by == \"dave\" and .path == \"$T/recC/s.mkv\""'
check "a second record start is refused (exit 1)" \
    refused again ctl C -s carol record start -o s2.mkv
check "because s is already being recorded" \
    contains "$T/again.err" "already being recorded"
check "dave stops it (exit 0)" quiet ctl B -s dave record stop
check "the file is there" test -s "$T/recC/s.mkv"

# The node that recorded shuts down cleanly: exit 0, and (under the
# sanitizers) no report in its log.
stop_node A
wait "$pid_A" 2>/dev/null
rc=$?
check "A shuts down cleanly (exit $rc, no sanitizer report)" eval \
    '[ "$rc" = 0 ] && [ -s "$T/A.log" ] &&
    ! grep -Eq "Sanitizer|runtime error" "$T/A.log"'
