#!/bin/sh
# Garbage on the control socket: random bytes, a truncated frame, a frame
# over the 1 MiB limit, a body that is not JSON, a command before hello.
# Each ends that connection only, with an error frame where the daemon can
# still answer; the daemon keeps serving, a room in progress keeps working,
# and the log names what was wrong.
. "$(dirname "$0")/lib.sh"
plan 21

start_node A

sock="unix:$T/A.sock"

# refused TEXT: the reply was an error frame (type 2) naming TEXT, then EOF.
refused() { grep -q "^2 .*$1" "$T/reply" && tail -n 1 "$T/reply" |
    grep -qx EOF; }
# logged TEXT: the node's log has a line with TEXT (fixed string).
logged() { grep -qF -- "$1" "$T/A.log"; }

# A meeting in progress, which every bad client must leave alone.
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
n=0
still_works() {
	n=$((n + 1))
	check "$1: the daemon still answers status" quiet ctl A status
	ctl A -s bob say "line $n" >/dev/null
	check "$1: the room still carries chat" saw_chat A alice bob "line $n"
}

{ printf 'XX'; head -c 4094 /dev/urandom; } | raw "$sock" reply >"$T/reply"
check "random bytes: refused, closed" refused "bad frame magic"
check "random bytes: logged" logged "bad frame magic"
still_works "random bytes"

{ header 1 100; printf '{"version"'; } | raw "$sock" close
still_works "truncated frame"

{ header 1 2097152; head -c 1000 /dev/zero; } | raw "$sock" reply >"$T/reply"
check "oversized frame: refused, closed" refused "over the limit"
check "oversized frame: logged" \
    logged "frame of 2097152 bytes is over the limit"
still_works "oversized frame"

frame 1 '{"version": 1,,}' | raw "$sock" reply >"$T/reply"
check "bad JSON: refused, closed" refused "bad frame body"
check "bad JSON: logged" logged "bad frame body"
still_works "bad JSON"

frame 1 '[1, 2, 3]' | raw "$sock" reply >"$T/reply"
check "JSON that is not an object: refused, closed" refused "not a JSON object"
still_works "JSON array"

frame 16 '{"argv": ["status"], "json": false, "fds": 0}' |
    raw "$sock" reply >"$T/reply"
check "command before hello: refused, closed" refused "expected hello"
# Known gap: client_fail (meetd/client.c) answers but does not log.
check "command before hello: logged" logged "expected hello"
still_works "command before hello"
