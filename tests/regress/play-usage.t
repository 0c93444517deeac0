#!/bin/sh
# The command line: usage errors exit 2 with "meet-play: ..." and a usage
# line, runtime errors exit 1 naming the device or file, --help and
# --version exit 0, and every long option is accepted.
. "$(dirname "$0")/lib.sh"
plan 14

usage_error() {
	d=$1; shift
	if expect_code 2 meet-play "$@" < /dev/null > "$T/out" 2> "$T/err" &&
	    grep -q '^meet-play: ' "$T/err" && grep -q '^usage: ' "$T/err"
	then ok "$d"; else not_ok "$d"; cat "$T/err" | sed 's/^/# /'; fi
}
usage_error "no mode"
usage_error "two recordings" a.mkv b.mkv
usage_error "two sinks" -v tty y4m:-
usage_error "-a and -v together" -a -v
usage_error "unknown video sink" -v nope
usage_error "y4m without a path" -v y4m
usage_error "bad rate" -a -r 12x
usage_error "bad size" -v y4m:- -s 1280
usage_error "unknown option" -v --frobnicate

check "--help exits 0" sh -c 'meet-play --help | grep -q "^usage: meet-play -a"'
check "--version" sh -c 'meet-play --version | grep -q "^meet-play [0-9]"'

export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top/tests/asound.conf
if expect_code 1 meet-play -a alsa:nosuchdevice < /dev/null 2> "$T/alsa" &&
    grep -q nosuchdevice "$T/alsa"; then
	ok "missing ALSA device: status 1 naming it"
else
	not_ok "missing ALSA device: status 1 naming it"
fi
if expect_code 1 meet-play -v y4m:"$T/no/dir.y4m" < /dev/null \
    2> "$T/y4m" && grep -q 'no/dir.y4m' "$T/y4m"; then
	ok "unwritable y4m: status 1 naming it"
else
	not_ok "unwritable y4m: status 1 naming it"
fi

printf '' | meet-play --audio --rate 16000 --channels 2 --verbose \
    file:"$T/x.wav" 2> "$T/long.log" &&
    printf '' | meet-play --video --size 320x240 --rate 10 y4m:"$T/x.y4m" \
    2>> "$T/long.log"
check "long options" test $? = 0
