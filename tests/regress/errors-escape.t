#!/bin/sh
# Errors that name what someone typed or sent print it escaped: a bad name,
# room, session, command or recv source holding ESC, BEL, CR or a C1 CSI
# reaches the terminal as \x1b, \x07, \r and \xc2\x9b, never as the byte;
# an error from the hosting node, relayed by this one, too; and an error is
# one line whatever newlines the text it names holds; and what a node logs
# of what a stranger sent, too.
. "$(dirname "$0")/lib.sh"
plan 9

start_node A
start_node B
ctl A create r --as alice > /dev/null

# raw FILE: the file holds none of ESC, BEL, CR, or the bytes of CSI.
raw() { LC_ALL=C grep -q "$(printf '[\033\007\r\302\233]')" "$1"; }
# safe FILE TEXT: the file has TEXT (escaped) and no raw control byte.
safe() {
	if raw "$1"; then
		diag "raw control bytes in: $(od -c "$1" | head -n 3)"
		return 1
	fi
	contains "$1" "$2"
}

ctl A join r --as "$(printf 'x\033[2J\007')" 2> "$T/name.err"
check "a bad name is escaped" safe "$T/name.err" 'bad name: x\x1b[2J\x07'
ctl A join "$(printf 'r\033]0;pwned\007')" --as bob 2> "$T/room.err"
check "a bad room is escaped" safe "$T/room.err" 'r\x1b]0;pwned\x07'
ctl A -s "$(printf 's\r\033[1A')" who 2> "$T/session.err"
check "a session that is not there is escaped" safe "$T/session.err" \
    'no session s\r\x1b[1A on this node'
ctl A "$(printf 'cmd\302\233' )31m" 2> "$T/cmd.err"
check "an unknown command is escaped, C1 CSI too" safe "$T/cmd.err" \
    'unknown command: cmd\xc2\x9b31m'
ctl A -s alice recv -v -F "$(printf 'a\033b')" > /dev/null 2> "$T/recv.err"
check "a bad recv source is escaped" safe "$T/recv.err" 'bad name: a\x1bb'
ctl A join r --as "$(printf 'two\nlines')" 2> "$T/lines.err"
check "a name with a newline stays on one line" eval \
    '[ "$(wc -l < "$T/lines.err")" = 1 ] &&
    contains "$T/lines.err" "bad name: two\\nlines"'

# Relayed from the hosting node: bob on B says to someone not in r.
ctl B join "r@$addr_A" --as bob > /dev/null
ctl B -s bob say -t "$(printf 'eve\033[5m')" hello 2> "$T/relay.err"
check "an error from the hosting node is escaped" safe "$T/relay.err" \
    'eve\x1b[5m'

# A stranger on A's link port says goodbye with a reason that would drive
# a terminal and forge a line of the log: A logs it, escaped.
python3 - "$top/tests/tools" "$addr_A" > "$T/stranger" <<'PY'
import base64, os, sys
sys.path.insert(0, sys.argv[1])
Link = __import__("link-client").Link
x = Link(sys.argv[2])
x.send(1, {"version": 2, "instance": "1" * 32, "name": "stranger",
           "media_port": 1,
           "media_key": base64.b64encode(os.urandom(32)).decode()})
f = x.read()
print("hello", "answered" if f and f[0] == 1 else "refused")
x.send(35, {"reason": "bye\033]0;pwned\007\nmeetd: forged"})
print("after", x.read())
PY
diag "$(tr '\n' ' ' < "$T/stranger")"
check "A logs the stranger's reason, escaped" eval \
    'wait_for 5 contains "$T/A.log" "going away: bye\\x1b]0;pwned\\x07"'
check "the nodes log no raw control byte, and no forged line" eval \
    '! raw "$T/A.log" && ! raw "$T/B.log" &&
    ! grep -q "^meetd: forged" "$T/A.log"'
