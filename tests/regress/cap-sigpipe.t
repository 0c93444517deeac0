#!/bin/sh
# meet-cap ends quietly with status 0 when its reader goes away (SIGPIPE,
# EPIPE) or when stdout is closed.
. "$(dirname "$0")/lib.sh"
command -v bash >/dev/null || skip_all "no bash for PIPESTATUS"
plan 6

# status SOURCE-ARGS...: "CAP HEAD" exit statuses of meet-cap | head -c 1000.
status() {
	bash -c 'timeout 20 meet-cap "$@" 2>"$0" | head -c 1000 >/dev/null;
	    echo "${PIPESTATUS[0]} ${PIPESTATUS[1]}"' "$T/err" "$@"
}

s=$(status -v test)
check "video: status 0 when head leaves (got $s)" test "$s" = "0 0"
check "video: nothing on stderr" test ! -s "$T/err"

s=$(status -a sine)
check "audio: status 0 when head leaves (got $s)" test "$s" = "0 0"
check "audio: nothing on stderr" test ! -s "$T/err"

timeout 20 meet-cap -v test -n 5 >&- 2>"$T/err"
rc=$?
check "closed stdout: status 0 (got $rc)" test "$rc" = 0
check "closed stdout: nothing on stderr" test ! -s "$T/err"
