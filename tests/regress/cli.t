#!/bin/sh
# meetctl's contract: exit statuses, errors on stderr as "meetctl: ...",
# -j status, and -s when there are several sessions.
. "$(dirname "$0")/lib.sh"
plan 12

check "no daemon: exit 3" expect_code 3 meetctl -S "$T/none.sock" status
meetctl -S "$T/none.sock" status 2>"$T/err"
check "it says where it looked" contains "$T/err" "meetctl: cannot reach meetd at $T/none.sock"
start_node A
check "unknown command: exit 2" expect_code 2 ctl A frobnicate
ctl A frobnicate 2>"$T/err"
check "errors read meetctl: ..." contains "$T/err" "meetctl: unknown command: frobnicate"
check "unknown option: exit 2" expect_code 2 ctl A status -x
check "create without --as: exit 2" expect_code 2 ctl A create r
check "no session: exit 1" expect_code 1 ctl A who
ctl A -j status > "$T/status.json"
check "status -j has version, listen, rooms, sessions" jqe '
    (.version | type == "string") and (.listen | test(":[0-9]+$")) and
    .rooms == 0 and .sessions == 0' < "$T/status.json"
check "listen is the bound ephemeral port" eval \
    'test "$(jq -r .listen "$T/status.json")" != "127.0.0.1:0"'
ctl A create r1 --as alice >/dev/null
check "with one session, -s is not needed" ctl A who
ctl A create r2 --as bob >/dev/null
check "with two, a command without -s is a usage error" expect_code 2 ctl A who
check "-j may follow the command" eval \
    'ctl A sessions -j | jqe ".sessions | length == 2"'
