#!/bin/sh
# Garbage on the link port of node A, from a stranger that completed TLS
# with a key of its own (tests/tools/link-client.py): random bytes, a
# truncated frame, a frame over the 1 MiB limit, a body that is not JSON, a
# hello with the wrong protocol version, a frame before hello.  A logs each
# and closes that connection only; carol, on node B, joined to alice's room
# on A, keeps chatting through all of it.
. "$(dirname "$0")/lib.sh"
plan 29

GRACE=3 quick_conf "$T/A.conf"
GRACE=3 quick_conf "$T/B.conf"
start_node A -f "$T/A.conf"
start_node B -f "$T/B.conf"

# raw TARGET MODE: bytes over TLS, as a stranger with its own key.
raw() { python3 "$top/tests/tools/link-client.py" "${1#tcp:}" "$2"; }
sock="tcp:$addr_A"

# closed: the reply ended in EOF: A hung up on that connection.
closed() { tail -n 1 "$T/reply" | grep -qx EOF; }
# refused TEXT: an error frame (type 2) naming TEXT came first.
refused() { grep -q "^2 .*$1" "$T/reply"; }
# logged TEXT: the node's log has a line with TEXT (fixed string).
logged() { grep -qF -- "$1" "$T/A.log"; }

# A meeting with a remote participant, which no bad link may disturb.
ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
wait_for 10 in_roster A alice carol
n=0
still_works() {
	n=$((n + 1))
	ctl B -s carol say "line $n" >/dev/null
	check "$1: carol's chat reaches alice" saw_chat A alice carol "line $n"
	ctl A -s alice say "answer $n" >/dev/null
	check "$1: alice's reaches carol" saw_chat B carol alice "answer $n"
}

{ printf 'XX'; head -c 4094 /dev/urandom; } | raw "$sock" reply >"$T/reply"
check "random bytes: closed" closed
check "random bytes: logged" logged "bad frame magic"
still_works "random bytes"

{ header 1 100; printf '{"version"'; } | raw "$sock" close
still_works "truncated frame"

{ header 1 2097152; head -c 1000 /dev/zero; } | raw "$sock" reply >"$T/reply"
check "oversized frame: closed" closed
check "oversized frame: logged" \
    logged "frame of 2097152 bytes is over the limit"
still_works "oversized frame"

# Before hello, even a frame within the limit is too large past 4 KiB.
{ header 1 65536; head -c 1000 /dev/zero; } | raw "$sock" reply >"$T/reply"
check "a large frame before hello: closed" closed
check "a large frame before hello: logged" \
    logged "a frame of 65536 bytes before hello"
still_works "a large frame before hello"

frame 1 '{"version": 1,,}' | raw "$sock" reply >"$T/reply"
check "bad JSON: closed" closed
check "bad JSON: logged" logged "bad frame body"
still_works "bad JSON"

frame 1 '{"version": 1, "node": "0123456789abcdef0123456789abcdef"}' |
    raw "$sock" reply >"$T/reply"
check "old version: closed" closed
check "old version: logged" logged "protocol version 1 is not spoken here"
check "old version: answered with an error frame that says so" \
    refused "protocol version 1 is not spoken here: this node speaks"
still_works "old version"

frame 32 '{"id": 1, "op": "join", "room": "standup", "name": "mallory"}' |
    raw "$sock" reply >"$T/reply"
check "frame before hello: closed" closed
check "frame before hello: logged" logged "frame before hello"
check "frame before hello: nobody joined" \
    sh -c "! grep -q mallory '$T/A.log'"
still_works "frame before hello"
check "carol is still on alice's roster" in_roster A alice carol
