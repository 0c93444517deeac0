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
