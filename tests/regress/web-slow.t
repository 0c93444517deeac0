#!/bin/sh
# A browser that stops reading does not delay the others: the node drops
# it once its output passes the bound, and a reading participant gets
# every line of a flood, and the last one at once (tests/browser/slow.py).
. "$(dirname "$0")/lib.sh"
. "$top/tests/browser/web.sh"

command -v python3 >/dev/null || skip_all "python3 is not installed"
web_conf "$T/a.conf"
start_node a -f "$T/a.conf"
ctl a create standup --as alice >/dev/null ||
	{ echo "Bail out! create failed"; exit 1; }
port=$(web_address a | sed 's/.*://')

PYTHONPATH="$top/tests/browser" timeout 120 python3 \
    "$top/tests/browser/slow.py" "$port" "$T/a.sock" \
    "$(command -v meetctl)" 2000 >"$T/slow.out" 2>"$T/slow.err"
rc=$?
n=$(grep -c '^PASS\|^FAIL' "$T/slow.out")
plan $((n + 4))
while IFS= read -r line; do
	case $line in
	"PASS "*) ok "${line#PASS }" ;;
	"FAIL "*) not_ok "${line#FAIL }" ;;
	*) echo "$line" ;;
	esac
done <"$T/slow.out"
check "the raw clients ran to their end" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/# /' "$T/slow.err"
check "the log says why slow was dropped" \
    contains "$T/a.log" "the browser is not reading what it is sent"
check "the node is still up" kill -0 "$pid_a"
check "no sanitizer report in its log" \
    sh -c "! grep -E 'Sanitizer|runtime error:' '$T/a.log'"
