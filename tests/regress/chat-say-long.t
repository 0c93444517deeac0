#!/bin/sh
# say - and a line over its 64 KiB limit: the whole line is refused, saying
# which line, and no piece of it is posted; the lines around it still go.
. "$(dirname "$0")/lib.sh"
plan 5

cat > "$T/A.conf" <<CONF
[chat]
max_length = 65536
CONF
start_node A -f "$T/A.conf"
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null

# 100000 bytes on line 2: longer than one read and than the limit, with a
# tail shorter than the limit that must not become a message.
{
	echo before
	head -c 100000 /dev/zero | tr '\0' x
	echo
	echo after
	head -c 70000 /dev/zero | tr '\0' y
} > "$T/in"
ctl A -s bob say - < "$T/in" 2>"$T/err"
check "say - exits 1" test $? = 1
check "the error names the line and the limit" \
    contains "$T/err" "line 2 is longer than 65536 bytes: not sent"
check "the last line, without a newline, is refused too" \
    contains "$T/err" "line 4 is longer than 65536 bytes: not sent"
ctl A -s alice -j history > "$T/history"
check "the lines around it are posted" test \
    "$(jq -r .text "$T/history" | tr '\n' ' ')" = "before after "
check "no fragment of the long lines is posted" \
    eval "! grep -q xxx '$T/history' && ! grep -q yyy '$T/history'"
