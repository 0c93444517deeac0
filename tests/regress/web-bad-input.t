#!/bin/sh
# Bad input on the page's port, from a raw client (tests/browser/
# badinput.py): malformed HTTP, an unmasked frame, oversize frames and
# messages, bad UTF-8, reserved bits and opcodes, bad close codes, idle
# connections past the deadline and the cap.  Each is closed with its
# answer; a good client connected all along is not affected, and neither
# is the node.
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
web_conf "$T/a.conf" "max_message = 4096" "handshake_timeout = 1" \
    "max_handshakes = 4"
start_node a -f "$T/a.conf"
ctl a create standup --as alice >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
port=$(web_address a | sed 's/.*://')
quiet() { "$@" >/dev/null 2>&1; }

PYTHONPATH="$top/tests/browser" timeout 120 python3 \
    "$top/tests/browser/badinput.py" "$port" >"$T/bad.out" 2>"$T/bad.err"
rc=$?
n=$(grep -c '' "$T/bad.out")
plan $((n + 7))
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	*) not_ok "${line#FAIL }" ;;
	esac
done <"$T/bad.out"
check "the raw client ran to its end" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/bad.err"
check "the node is still up" kill -0 "$pid_a"
check "no sanitizer report in its log" \
    sh -c "! grep -E 'Sanitizer|runtime error:' '$T/a.log'"
check "and answers status" quiet ctl a status
check "the log names an unmasked frame" \
    contains "$T/a.log" "client frame is not masked"
ctl a -s alice -j events >"$T/events.json"
check "the smuggled option was text: '-t alice secret' to everyone" \
    quiet jq -s -e 'any(.[]; .event == "chat" and .from == "zed" and
        .text == "-t alice secret" and (has("to") | not))' "$T/events.json"
check "zed left when its connection closed" \
    wait_for 5 sh -c "! meetctl -S '$T/a.sock' -s alice who | grep -q zed"
