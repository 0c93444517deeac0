#!/bin/sh
# A recording in the text forms people read: who and rooms say the meeting
# is being recorded, record status says where, and the events say who
# started and stopped it.
. "$(dirname "$0")/lib.sh"
plan 6

printf '[record]\ndir = %s\n' "$T/rec" >"$T/A.conf"
start_node A -f "$T/A.conf"
ctl A create r --as alice >/dev/null
ctl A join r --as bob >/dev/null
ctl A -s alice record start -o m.mkv >/dev/null
check "who says it" eval 'ctl A -s bob who |
    grep -qx "(the meeting is being recorded)"'
check "rooms says it" eval 'ctl A rooms | grep -Eq "^r .* yes$"'
check "record status says where" eval 'ctl A -s bob record status |
    grep -q "^r is being recorded to $T/rec/m.mkv by alice"'
check "the events say who started it" eval 'ctl A -s bob events |
    grep -q "\* recording started by alice: $T/rec/m.mkv$"'
ctl A -s alice record stop
check "and who stopped it" eval 'ctl A -s bob events |
    grep -q "\* recording stopped by alice: $T/rec/m.mkv$"'
check "who no longer says it" eval '! ctl A -s bob who |
    grep -q "being recorded"'
