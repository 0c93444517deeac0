#!/bin/sh
# meet-play -a on a machine with no sound card says so, names the device it
# tried, and names -a file:PATH, the way to play without one; a device that
# is not there (with a card or without) is named, with the same way out.
. "$(dirname "$0")/lib.sh"
plan 4

if [ -e /proc/asound/cards ] &&
    grep -q '^ *[0-9]' /proc/asound/cards 2>/dev/null; then
	skip_all "this machine has a sound card"
fi

meet-play -a < /dev/null 2> "$T/err"
rc=$?
diag "$(cat "$T/err")"
check "meet-play -a exits 1 ($rc)" test "$rc" = 1
check "it says there is no sound card, and which device it tried" \
    contains "$T/err" "no ALSA device to play on: default: "
check "and names -a file:PATH" contains "$T/err" "-a file:PATH"
export ALSA_CONFIG_PATH=/usr/share/alsa/alsa.conf:$top/tests/asound.conf
meet-play -a alsa:nosuch < /dev/null 2> "$T/err2"
diag "$(cat "$T/err2")"
check "an unknown device is named, with the way out" eval \
    'contains "$T/err2" ": nosuch: " && contains "$T/err2" "-a file:PATH"'
