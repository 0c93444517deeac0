#!/bin/sh
# meet-cap with bad arguments: status 2, "meet-cap: ..." and a usage line on
# stderr, nothing on stdout; --help and --version succeed.
. "$(dirname "$0")/lib.sh"

# bad ARGS...: a usage error.
bad() {
	timeout 20 meet-cap "$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q '^meet-cap: ' "$T/err" &&
	    grep -q '^usage: meet-cap' "$T/err" && [ ! -s "$T/out" ]; then
		ok "usage error: meet-cap $*"
	else
		not_ok "usage error: meet-cap $* (status $rc)"
		sed 's/^/# /' "$T/err"
	fi
}

plan 25

bad
bad -v test -a sine
bad -v nosuch
bad -a nosuch
bad -v test:arg
bad -a silence:1
bad -v test -s 100
bad -v test -s 33x20
bad -v test -s 0x0
bad -v test -s 640x480x
bad -v test -r abc
bad -v test -r -1
bad -v test -q 0
bad -v test -q 101
bad -v test -n 0
bad -v test -t 0
bad -a sine -r 0
bad -a sine -c 9
bad -a sine -s 320x240
bad -v test -c 2
bad --no-such-option -v test
bad -v test extra

timeout 20 meet-cap -a sine:0 -t 0.1 >"$T/out" 2>"$T/err"
rc=$?
check "sine:0 is refused, status 1 (got $rc)" test "$rc" = 1 -a ! -s "$T/out"

timeout 20 meet-cap --help >"$T/out" 2>"$T/err"
rc=$?
check "--help: status 0 and usage on stdout" \
    test "$rc" = 0 -a ! -s "$T/err" -a -s "$T/out"

v=$(timeout 20 meet-cap --version 2>&1)
check "--version says meet-cap and a version ($v)" \
    sh -c 'printf "%s\n" "$1" | grep -Eq "^meet-cap [0-9][0-9.]*$"' - "$v"
