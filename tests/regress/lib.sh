# Shared by the regress tests (tests/regress/*.t, run by prove).
#
# Each test sources this file, starts what it needs with the helpers below,
# and prints TAP with ok/not_ok.  Everything a test starts is recorded and
# killed by PID when it exits, and every wait is bounded.
#
#   MEET_BIN    folder of the programs under test (default build/bin)
#   MEET_TOOLS  folder of the test tools (default build/tools)

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
MEET_BIN=${MEET_BIN:-$top/build/bin}
MEET_TOOLS=${MEET_TOOLS:-$top/build/tools}
PATH=$MEET_BIN:$MEET_TOOLS:$PATH
export PATH MEET_BIN MEET_TOOLS
unset MEET_SOCKET XDG_RUNTIME_DIR
# The sanitizers must not hide a real error behind a clean exit status.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

T=$(mktemp -d "${TMPDIR:-/tmp}/meet-test.XXXXXX")
_pids=""
_n=0
_failed=0

cleanup() {
	for p in $_pids; do kill "$p" 2>/dev/null; done
	for p in $_pids; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	if [ "$_failed" = 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "# files kept in $T" >&2
		for f in "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "# --- $f" >&2
			tail -n 30 "$f" | sed 's/^/# /' >&2
		done
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# track PID: kill PID when the test ends.
track() { _pids="$_pids $1"; }

plan() { echo "1..$1"; }
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); _failed=1; echo "not ok $_n - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}
diag() { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# wait_for SECONDS COMMAND...: poll until the command succeeds; 1 on timeout.
wait_for() {
	_limit=$(( $1 * 10 )); shift
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ $_i -ge $_limit ] && return 1
		sleep 0.1
	done
	return 0
}

# expect_code CODE COMMAND...: run, and succeed when the exit status is CODE.
expect_code() {
	_want=$1; shift
	"$@"
	_got=$?
	[ "$_got" = "$_want" ] && return 0
	echo "# exit status $_got, wanted $_want: $*" >&2
	return 1
}

# contains FILE TEXT: the file holds the text (fixed string).
contains() { grep -qF -- "$2" "$1"; }

# --- meetd nodes -----------------------------------------------------------
#
# start_node NAME [MEETD ARGS...]: meetd on $T/NAME.sock and an ephemeral
# port on 127.0.0.1, logging to $T/NAME.log.  Sets $pid_NAME and $addr_NAME
# (ADDR:PORT read back from status).  Config files: write $T/NAME.conf
# first and pass -f "$T/NAME.conf".
start_node() {
	_name=$1; shift
	meetd -S "$T/$_name.sock" -l 127.0.0.1:0 "$@" 2>"$T/$_name.log" &
	_pid=$!
	track $_pid
	eval "pid_$_name=$_pid"
	if ! wait_for 10 meetctl -S "$T/$_name.sock" status; then
		echo "Bail out! meetd $_name did not start"
		cat "$T/$_name.log" >&2
		exit 1
	fi
	eval "addr_$_name=\$(meetctl -S \"$T/$_name.sock\" -j status |
	    jq -r .listen)"
}

# ctl NAME ARGS...: meetctl against node NAME.
# Every call is bounded: a hung command fails the test instead of the run.
ctl() { _node=$1; shift; timeout 30 meetctl -S "$T/$_node.sock" "$@"; }

# stop_node NAME: SIGTERM and wait (bounded) for it to exit.
stop_node() {
	eval "_p=\$pid_$1"
	kill "$_p" 2>/dev/null
	_i=0
	while kill -0 "$_p" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
}

# in_roster NODE SESSION NAME: NAME is on the roster SESSION sees.  The
# answer is read first: jq -e passes on empty input, so a failed meetctl
# must not look like a match.
in_roster() {
	_out=$(ctl "$1" -s "$2" -j who 2>/dev/null) || return 1
	printf '%s\n' "$_out" | jq -e --arg n "$3" \
	    'any(.participants[]; .name == $n)' >/dev/null
}

# has_session NODE NAME: the node answers and holds a session NAME.
has_session() {
	_out=$(ctl "$1" -j sessions 2>/dev/null) || return 1
	printf '%s\n' "$_out" | jq -e --arg n "$2" \
	    'any(.sessions[]; .name == $n)' >/dev/null
}

# no_session NODE NAME: the node answers and holds no session NAME.
no_session() {
	_out=$(ctl "$1" -j sessions 2>/dev/null) || return 1
	printf '%s\n' "$_out" | jq -e --arg n "$2" \
	    'all(.sessions[]; .name != $n)' >/dev/null
}

# quick_conf FILE: a config with short link timers for loss tests.
quick_conf() {
	cat >"$1" <<CONF
[node]
link_grace = ${GRACE:-3}
keepalive = 0.2
keepalive_timeout = 1
reconnect_max = 0.3
CONF
}

# jqe FILTER...: jq -e on standard input that fails on empty input (jq 1.6
# passes it), so a command that printed nothing never passes a check.
jqe() {
	_in=$(cat)
	[ -n "$_in" ] || return 1
	printf '%s\n' "$_in" | jq -e "$@" >/dev/null
}

# not_in_roster NODE SESSION NAME: the roster answers and lacks NAME.
not_in_roster() {
	_out=$(ctl "$1" -s "$2" -j who 2>/dev/null) || return 1
	printf '%s\n' "$_out" | jq -e --arg n "$3" \
	    'all(.participants[]; .name != $n)' >/dev/null
}

# quiet COMMAND...: run it without its output.
quiet() { "$@" >/dev/null; }
# saw_chat NODE SESSION FROM TEXT: the session's next chat from FROM is TEXT.
saw_chat() { ctl "$1" -s "$2" -j wait -T 10 chat "$3" | jqe --arg t "$4" \
    '.text == $t'; }

# --- raw frames, for the bad-input tests -----------------------------------
#
# raw TARGET MODE < BYTES: see tests/tools/raw-frames.pl.
# frame TYPE BODY: a well-formed frame; header TYPE LENGTH: a header only.
frame() { perl -e 'print pack("a2CCN", "ME", $ARGV[0], 0, length $ARGV[1]),
    $ARGV[1]' "$1" "$2"; }
header() { perl -e 'print pack("a2CCN", "ME", $ARGV[0], 0, $ARGV[1])' \
    "$1" "$2"; }
raw() { perl "$top/tests/tools/raw-frames.pl" "$@"; }

# --- MJPEG ---------------------------------------------------------------
#
# jpegs FILE: a line "SRC TS SOF WxH SAMPLING" a JPEG of an MJPEG file, SRC
# and TS from the tag meet:src=SRC;ts=TS ("-" when untagged), SOF the frame
# marker in hex (c0 baseline, c2 progressive), SAMPLING each component's HV.
jpegs() { perl -e '
	local $/; my $d = <STDIN>; my $p = 0;
	while (($p = index($d, "\xff\xd8", $p)) >= 0) {
		my ($q, $src, $ts, $sof, $wh, $smp) = ($p + 2, ("-") x 5);
		while ($q + 4 <= length $d) {
			my ($ff, $m, $len) = unpack "CCn", substr($d, $q, 4);
			last if $ff != 0xff;
			if ($m >= 0xc0 && $m <= 0xcf && $m != 0xc4 && $m != 0xc8 &&
			    $m != 0xcc) {
				my ($h, $w, $nf) = unpack "x5nnC", substr($d, $q, 10);
				($sof, $wh) = (sprintf("%02x", $m), "${w}x$h");
				$smp = join ",", map { sprintf "%02x", ord substr($d,
				    $q + 11 + 3 * $_, 1) } 0 .. $nf - 1;
			}
			($src, $ts) = ($1, $2) if $m == 0xfe && substr($d,
			    $q + 4, $len - 2) =~ /^meet:src=([^;]*);ts=(\d+)/;
			$q += 2 + $len;
			last if $m == 0xda;
		}
		(my $e = index($d, "\xff\xd9", $q)) >= 0 or last;
		print "$src $ts $sof $wh $smp\n";
		$p = $e + 2;
	}' <"$1"; }
# decodes FILE: not empty, and ffmpeg decodes every JPEG without a word.
decodes() {
	[ -s "$1" ] || { echo "# $1 is empty" >&2; return 1; }
	_e=$(ffmpeg -nostdin -v error -f mjpeg -i "$1" -f null - 2>&1) &&
	    [ -z "$_e" ] && return 0
	echo "# $1: $_e" | head -n 5 >&2; return 1
}

# --- Recordings ----------------------------------------------------------
#
# make_rec FILE: six seconds; the mix (three tones) has a gap from 2.5 s
# to 3.5 s; cameras alice (red) and carol (a test pattern), bob's screen
# (blue) from 2 s, and a reserved camera (green) from 3 s that dave takes
# at 2.8 s.  Chat lines as meetd writes them ("alice: hello") and as
# record-spec.md first had them ("<bob> hi"), copied raw: "-c:s srt" would
# take "<bob>" for markup and drop it.
make_rec() {
	cat > "$T/chat.srt" <<-'EOF'
	1
	00:00:00,500 --> 00:00:04,500
	* bob joined

	2
	00:00:01,200 --> 00:00:05,200
	alice: hello

	3
	00:00:02,300 --> 00:00:06,300
	<bob> hi alice

	4
	00:00:02,700 --> 00:00:06,700
	* dave joined

	5
	00:00:02,800 --> 00:00:06,800
	* dave takes camera track 7

	6
	00:00:04,100 --> 00:00:08,100
	carol: bye & <b>not markup</b>

	7
	00:00:05,400 --> 00:00:09,400
	* carol reacts 👍
	EOF
	ffmpeg -nostdin -loglevel error \
	    -f lavfi -i "sine=f=440:d=6" -f lavfi -i "sine=f=660:d=6" \
	    -f lavfi -i "sine=f=880:d=6" \
	    -f lavfi -i "color=red:s=320x240:r=15:d=6" \
	    -f lavfi -i "testsrc=s=320x240:r=15:d=6" \
	    -f lavfi -i "color=blue:s=640x360:r=15:d=4" \
	    -f lavfi -i "color=green:s=320x240:r=15:d=3" \
	    -i "$T/chat.srt" \
	    -filter_complex "[0][1][2]amix=inputs=3:normalize=0,aselect='not(between(t,2.5,3.5))'[mix];[5]setpts=PTS+2/TB[scr];[6]setpts=PTS+3/TB[slot]" \
	    -map "[mix]" -map 0 -map 1 -map 2 -map 3 -map 4 -map "[scr]" \
	    -map "[slot]" -map 7 \
	    -c:a libopus -ar 48000 -ac 1 -c:v mjpeg -pix_fmt yuvj420p -c:s copy \
	    -metadata title="meet room r" -metadata meet_room=r \
	    -metadata meet_start=2026-11-21T10:00:00.000Z \
	    -metadata meet_participants=alice,bob,carol \
	    -metadata:s:0 title=mix -metadata:s:0 meet_role=mix \
	    -metadata:s:1 title=alice -metadata:s:1 meet_role=speaker \
	    -metadata:s:1 meet_name=alice \
	    -metadata:s:2 title=bob -metadata:s:2 meet_role=speaker \
	    -metadata:s:3 title=carol -metadata:s:3 meet_role=speaker \
	    -metadata:s:4 title=alice -metadata:s:4 meet_role=camera \
	    -metadata:s:5 title=carol -metadata:s:5 meet_role=camera \
	    -metadata:s:6 title=bob/screen -metadata:s:6 meet_role=screen \
	    -metadata:s:7 title="camera slot 1" -metadata:s:7 meet_role=camera \
	    -metadata:s:8 title=chat -metadata:s:8 meet_role=chat \
	    -y "$1"
}

# --- Tones ----------------------------------------------------------------
#
# tone_level FILE HZ: the level (dB full scale) of HZ in the 48 kHz mono
# PCM of FILE, after its first half second; nothing when FILE is too short.
tone_level() { goertzel -s 0.5 "$2" <"$1" 2>/dev/null | awk -v f="$2" \
    '$1 == f { print $2 }'; }
# above LEVEL DB: LEVEL is a number, and above DB.
above() { [ -n "$1" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }
