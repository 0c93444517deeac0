#!/bin/sh
# Chat: private messages reach only the addressee (and the sender's own
# history), across nodes too; a late joiner reads back the public history.
. "$(dirname "$0")/lib.sh"
plan 8

start_node A
start_node B
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null

ctl A -s alice say -t carol for carol only
ctl B -s carol say --to bob for bob only
ctl A -s bob say for everyone
check "carol gets alice's private line" eval \
    'ctl B -s carol wait -T 5 chat alice | grep -q "\[to carol\] for carol only"'
check "bob gets carol's private line" eval \
    'ctl A -s bob wait -T 5 chat carol | grep -q "for bob only"'
ctl A -s alice wait -T 5 chat bob >/dev/null
ctl A -s bob events > "$T/bob.ev"; ctl A -s bob history >> "$T/bob.ev"
check "bob never sees alice's line to carol" eval "! grep -q 'for carol only' $T/bob.ev"
ctl A -s alice events > "$T/alice.ev"; ctl A -s alice history >> "$T/alice.ev"
check "alice never sees carol's line to bob" eval "! grep -q 'for bob only' $T/alice.ev"
check "alice's own history keeps her private line" eval \
    'ctl A -s alice history | grep -q "for carol only"'

ctl A join standup --as dave >/dev/null
ctl A -s dave history > "$T/dave.hist"
check "a late joiner reads the public history" contains "$T/dave.hist" \
    "<bob> for everyone"
check "but none of the private lines" eval \
    "! grep -q 'only' $T/dave.hist"
check "private to someone absent is refused" expect_code 1 \
    ctl A -s alice say -t nobody hello
