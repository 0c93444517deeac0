#!/bin/sh
# A full spool: A runs in its own mount namespace with its spool on a 2 MB
# tmpfs.  A 5 MB file from bob (local) and one from carol (on B, over a
# link) are refused: exit 1, "No space left on device" or "disk is full";
# the spool is left with no *.part and no file; chat in the room still
# works both ways; and a small file shared afterwards arrives whole.
. "$(dirname "$0")/lib.sh"

mkdir "$T/probe"
unshare -m sh -c "mount -t tmpfs -o size=2m tmpfs '$T/probe'" \
    2>/dev/null || skip_all "no tmpfs mount here"
rmdir "$T/probe"
plan 16

mkdir "$T/spoolA"
printf '[files]\nspool = %s\n' "$T/spoolA" >"$T/A.conf"
printf '[files]\nspool = %s\n' "$T/spoolB" >"$T/B.conf"
unshare -m sh -c 'mount -t tmpfs -o size=2m tmpfs "$1" && shift &&
    exec "$@"' sh "$T/spoolA" meetd -S "$T/A.sock" -l 127.0.0.1:0 \
    -f "$T/A.conf" 2>"$T/A.log" &
pid_A=$!
track $pid_A
wait_for 10 meetctl -S "$T/A.sock" status ||
    { echo "Bail out! meetd A did not start"; cat "$T/A.log" >&2; exit 1; }
addr_A=$(meetctl -S "$T/A.sock" -j status | jq -r .listen)
start_node B -f "$T/B.conf"

# in_spool COMMAND...: run it inside A's mount namespace.
in_spool() { nsenter -t $pid_A -m "$@"; }
check "A's spool is the 2 MB tmpfs" \
    eval 'in_spool df "$T/spoolA" | grep -q "^tmpfs"'
spool_clean() { [ -z "$(in_spool find "$T/spoolA" -mindepth 1 ! -type d)" ]; }
# full NODE SESSION: file send of the big file fails as it should.
full() {
	ctl "$1" -s "$2" file send "$T/big" >/dev/null 2>"$T/$2.err"
	_rc=$?
	diag "$2: exit $_rc, $(cat "$T/$2.err")"
	[ $_rc = 1 ] && grep -Eqi 'no space left on device|disk is full' \
	    "$T/$2.err" && grep -q '^meetctl: ' "$T/$2.err"
}

ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
wait_for 10 in_roster A alice carol
head -c 5242880 /dev/urandom >"$T/big"

check "bob's 5 MB file is refused: disk full" full A bob
check "no *.part, no file left in the spool" wait_for 5 spool_clean
check "carol's (remote) 5 MB file is refused: disk full" full B carol
check "no *.part, no file left in the spool" wait_for 5 spool_clean
check "B has no *.part either" \
    test -z "$(find "$T/spoolB" -name '*.part' 2>/dev/null)"
check "neither is listed" eval \
    'ctl A -s alice -j file list | jqe ".files == []"'
check "A is still up" quiet ctl A status

ctl A -s alice say "still here?" >/dev/null
check "bob gets alice's chat" saw_chat A bob alice "still here?"
check "carol gets alice's chat" saw_chat B carol alice "still here?"
ctl B -s carol say "yes" >/dev/null
check "alice gets carol's" saw_chat A alice carol "yes"

head -c 102400 /dev/urandom >"$T/small"
check "a 100 KB file from carol now fits" eval \
    'ctl B -s carol -j file send "$T/small" >"$T/small.json"'
id=$(jq -r '.id // empty' "$T/small.json" 2>/dev/null)
check "alice gets it" \
    eval 'ctl A -s alice file get "$id" -o "$T/small.out" >/dev/null'
check "byte-identical" cmp -s "$T/small" "$T/small.out"
check "bob gets the event for it, not for the refused ones" eval \
    'ctl A -s bob -j events | jq -s "[.[] | select(.event == \"file\")] |
    length == 1 and .[0].id == \"$id\"" | grep -qx true'
check "alice too" eval \
    'ctl A -s alice -j events | jq -s "[.[] | select(.event == \"file\")] |
    length == 1 and .[0].id == \"$id\"" | grep -qx true'
