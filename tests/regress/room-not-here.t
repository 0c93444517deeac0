#!/bin/sh
# A room that is not on the node asked: the error names that node, by its
# name and the address it was reached at, when the asking was done from
# another node (not "this node", which would be the asker's); on the node
# itself it is this node.  The same for a node at its maximum of rooms.
. "$(dirname "$0")/lib.sh"
plan 6

printf '[node]\nname = hub-1\n[rooms]\nmax_rooms = 1\n' > "$T/A.conf"
start_node A -f "$T/A.conf"
start_node B

ctl B join "nosuch@$addr_A" --as bob 2> "$T/remote.err"
rc=$?
diag "$(cat "$T/remote.err")"
check "joining a room A does not have, from B: exit 1 ($rc)" test "$rc" = 1
check "the error names A, by name and address" contains "$T/remote.err" \
    "meetctl: no room nosuch on node hub-1 at $addr_A"
check "and not as this node" eval '! grep -q "this node" "$T/remote.err"'
ctl A join nosuch --as carol 2> "$T/local.err"
check "on A itself it is this node" contains "$T/local.err" \
    "meetctl: no room nosuch on this node"

ctl A create one --as alice > /dev/null
ctl B create "two@$addr_A" --as dave 2> "$T/full.err"
diag "$(cat "$T/full.err")"
check "a node at its maximum of rooms is named too" contains "$T/full.err" \
    "meetctl: node hub-1 at $addr_A has its maximum of 1 rooms"
ctl A create three --as erin 2> "$T/fulllocal.err"
check "and is this node on itself" contains "$T/fulllocal.err" \
    "this node has its maximum of 1 rooms"
