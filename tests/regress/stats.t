#!/bin/sh
# stats: an object with the transfers, and -w printing again every second
# until meetctl goes away.
. "$(dirname "$0")/lib.sh"
plan 4

start_node A
check "stats -j has a transfers array" eval \
    'ctl A -j stats | jqe ".transfers | type == \"array\""'
timeout 2.6 meetctl -S "$T/A.sock" -j stats -w > "$T/watch"
check "stats -w refreshes (3 or 4 objects in 2.6 s)" eval \
    'n=$(wc -l < "$T/watch"); [ "$n" -ge 3 ] && [ "$n" -le 4 ]'
check "every line is an object" eval \
    'jq -e ".transfers" "$T/watch" >/dev/null'
check "the node serves on after the watcher went" ctl A status
