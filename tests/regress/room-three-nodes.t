#!/bin/sh
# Three participants in one room across three nodes: the hosting node A and
# two others.  Everyone is on one roster and hears everyone's chat.
. "$(dirname "$0")/lib.sh"
plan 11

hears() { ctl "$1" -s "$2" wait -T 5 chat "$3" >/dev/null; }

start_node A
start_node B
start_node C
check "alice creates standup on A" ctl A create standup --as alice
check "bob joins from B" ctl B join "standup@$addr_A" --as bob
check "carol joins from C" ctl C join "standup@$addr_A" --as carol
check "alice sees carol on the roster" in_roster A alice carol
check "carol sees alice and bob" eval 'in_roster C carol alice &&
    in_roster C carol bob'
check "A has one link in from each node" test "$(ctl A -j status |
    jq '[.links[] | select(.direction == "in")] | length')" = 2

ctl B -s bob say hello from B
ctl C -s carol say hello from C
ctl A -s alice say hello from A
check "alice hears bob and carol" eval 'hears A alice bob &&
    hears A alice carol'
check "bob hears alice and carol" eval 'hears B bob alice &&
    hears B bob carol'
out=$(ctl C -s carol wait -T 5 chat alice)
check "carol's line reads as chat" test "${out#*] }" = "<alice> hello from A"
ctl C -s carol -j wait -T 5 chat bob > "$T/ev.json"
check "events as JSON carry ts, event, room, from, text" jqe '
    .event == "chat" and .room == "standup" and .from == "bob" and
    .text == "hello from B" and
    (.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$"))' \
    < "$T/ev.json"
check "B lists the room hosted on A" eval \
    'ctl B -j rooms "$addr_A" | jqe ".rooms[0].participants == 3"'
