#!/bin/sh
# Before its handshake a link costs the node little and not for long:
# hundreds of connections that stop half-way (TLS done and the start of a
# small frame; the start of a TLS record) each cost the hub less than 64 KiB,
# it keeps answering and keeps admitting real nodes, and closes them all at
# [node] handshake_timeout.  A frame announced at 1 MiB before hello is
# refused at once, and so are bytes that are no TLS.  And one address may hold only
# [node] max_handshakes_per_address handshakes at a time.
. "$(dirname "$0")/lib.sh"
plan 15

cat >"$T/A.conf" <<CONF
[node]
handshake_timeout = 8
keepalive_timeout = 30
max_handshakes = 2000
max_handshakes_per_address = 2000
CONF
# Under ASan, freed memory waits in a quarantine and RSS would grow with
# every handshake's buffers whether or not anything is kept: no quarantine.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:quarantine_size_mb=0" start_node A \
    -f "$T/A.conf" -v
start_node B
ctl A create standup --as alice >/dev/null
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid_A/status"; }
N=300

# flood MODE: N connections from 127.0.0.2 held for 16 s; sets ready and
# per (KiB of RSS per held connection); closed comes when it ends.
flood() {
	rm -f "$T/flood"
	before=$(rss)
	python3 "$top/tests/tools/link-flood.py" -s 127.0.0.2 "$addr_A" $N \
	    "$1" 16 >"$T/flood" &
	_fp=$!
	track $_fp
	wait_for 60 grep -q '^ready' "$T/flood"
	ready=$(sed -n 's/^ready //p' "$T/flood")
	after=$(rss)
	per=$(( (after - before) / (ready > 0 ? ready : 1) ))
	diag "$1: $ready held, RSS $before -> $after KiB, $per KiB each"
}
# flood_end: wait (bounded) for the flood tool to finish.
flood_end() { wait_for 30 grep -q '^closed' "$T/flood"; \
    closed=$(sed -n 's/^closed //p' "$T/flood"); }

flood partial
check "TLS then a partial frame: $N connections held" test "$ready" -ge 250
check "each costs less than 64 KiB" test "$per" -lt 64
check "the hub still answers status" quiet ctl A status
check "and still admits a real node" quiet ctl B join "standup@$addr_A" \
    --as carol
ctl B -s carol say "during the flood" >/dev/null
check "carol's chat reaches alice during the flood" \
    saw_chat A alice carol "during the flood"
flood_end
check "every held connection was closed at the deadline" \
    test "$closed" = "$ready"
check "the log says why" grep -q "no hello within 8 s" "$T/A.log"

flood raw
check "raw bytes, no TLS: connections held" test "$ready" -ge 250
check "each costs less than 64 KiB" test "$per" -lt 64
flood_end
check "every one closed at the deadline" test "$closed" = "$ready"
check "the log says why" grep -q "no TLS handshake within 8 s" "$T/A.log"

flood garbage
check "bytes that are no TLS: every connection closed at once" \
    test "$ready" -lt 10
flood_end

flood big
check "a 1 MiB frame before hello: every connection closed at once" \
    test "$ready" -lt 10
flood_end

# The default limit per address.
start_node C
python3 "$top/tests/tools/link-flood.py" -s 127.0.0.2 "$addr_C" 60 raw 1 \
    >"$T/flood"
check "one address holds at most 16 handshakes" \
    test "$(sed -n 's/^ready //p' "$T/flood")" -le 16
check "the refusals are logged with the limit" \
    grep -q "max_handshakes_per_address" "$T/C.log"
