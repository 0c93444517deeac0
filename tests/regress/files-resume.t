#!/bin/sh
# Transfers survive a link drop: bob, on B, reaches alice's room on A
# through tcpproxy held to 2 MB/s.  A 12 MB upload is cut for three seconds
# once it is 5 MB in: it goes on when the link heals (from where it was,
# not from the start), file send exits 0, and A's spool copy and alice's
# get are byte-identical.  Then the same for bob's download of the file:
# while cut, only PATH.part exists, never PATH; at the end PATH is
# byte-identical and PATH.part is gone.
. "$(dirname "$0")/lib.sh"
plan 16

for n in A B; do
	GRACE=15 quick_conf "$T/$n.conf"
	printf '[files]\nspool = %s\n' "$T/spool$n" >>"$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
spool_has() { find "$1" -type f ! -name '*.part' \
    -exec cmp -s "$2" {} \; -print 2>/dev/null | grep -q .; }
# xfer DIRECTION: "OFFSET WINDOW" of bob's transfer that way, or "null null".
xfer() {
	_x=$(ctl B -s bob -j stats 2>/dev/null | jq -r --arg d "$1" \
	    '[.transfers[]? | select(.direction == $d)][0] |
	    "\(.offset) \(.window)"' 2>/dev/null)
	set -- $_x
	case "$#:${1:-}:${2:-}" in
	2:[0-9]*:[0-9]*) echo "$1 $2" ;;
	*) echo "null null" ;;
	esac
}
# past DIRECTION BYTES: the transfer is at least BYTES in.
past() { set -- $(xfer "$1") "$2"; [ "$1" != null ] && [ "$1" -ge "$3" ]; }
# lowest_progress DIRECTION PID: the lowest offset seen moving after the
# cut, while PID runs (bounded: 20 s).
lowest_progress() {
	_prev=none _low=none _i=0
	while running "$2" && [ $_i -lt 200 ]; do
		set -- "$1" "$2" $(xfer "$1")
		if [ "$3" != null ] && [ "$_prev" != none ] &&
		    [ "$_prev" != null ] && [ "$3" != "$_prev" ]; then
			if [ "$_low" = none ] || [ "$3" -lt "$_low" ]; then
				_low=$3
			fi
		fi
		_prev=$3
		_i=$((_i + 1))
		sleep 0.1
	done
	echo "$_low"
}
# resumed LOW O1 W1: the transfer went on from about where it was cut.
# The offset is what the receiver has (acknowledged), so a resume starts
# from at least about O1; a restart would be seen below 1 MB (the window,
# W1, is in chunks and only reported).
resumed() {
	case "$2" in
	[0-9]*) ;;
	*) diag "no offset before the cut"; return 1 ;;
	esac
	_min=$(( $2 - 1048576 ))
	diag "cut at $2 (window $3), lowest offset moving after: $1," \
	    "wanted >= $_min"
	[ "$1" != none ] && [ "$1" -ge $_min ]
}
# running PID: the process is there and not a zombie (kill -0 passes on a
# child nobody has reaped yet, as in a $(...) subshell).
running() { _st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$_st" ] &&
    [ "${_st#Z}" = "$_st" ]; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
cut_for_3s() {
	kill -USR1 $proxy
	sleep 3
	kill -USR2 $proxy
}

tcpproxy -l 127.0.0.1:0 -t "$addr_A" -b 2000000 -p "$T/proxy.port" \
    2>"$T/proxy.log" &
proxy=$!
track $proxy
wait_for 10 test -s "$T/proxy.port" || { echo "Bail out! no proxy"; exit 1; }
port=$(cat "$T/proxy.port")

ctl A create standup --as alice >/dev/null
ctl B join "standup@127.0.0.1:$port" --as bob >/dev/null
wait_for 10 in_roster A alice bob

size=12582912
head -c $size /dev/urandom >"$T/big"

# --- upload ------------------------------------------------------------
ctl B -s bob -j file send "$T/big" >"$T/send.json" 2>"$T/send.err" &
send=$!
track $send
t0=$(now_ms)
check "the upload gets 5 MB in" wait_for 15 past send 5242880
set -- $(xfer send)
o1=$1 w1=$2
cut_for_3s
check "the upload is still going after a 3 s cut" running $send
diag "cut and restored $(( $(now_ms) - t0 )) ms after the start"
low=$(lowest_progress send $send)
wait $send
rc=$?
diag "upload took $(( $(now_ms) - t0 )) ms"
check "file send exits 0" test $rc = 0
[ $rc = 0 ] || diag "send: $(cat "$T/send.err")"
check "it went on from where it was cut" resumed "$low" "$o1" "$w1"
id=$(jq -r '.id // empty' "$T/send.json" 2>/dev/null)
check "A's spool copy is byte-identical" spool_has "$T/spoolA" "$T/big"
check "alice gets it" \
    eval 'ctl A -s alice file get "$id" -o "$T/alice.out" >/dev/null'
check "alice's copy is byte-identical" cmp -s "$T/big" "$T/alice.out"

# --- download ----------------------------------------------------------
ctl B -s bob -j file get "$id" -o "$T/bob.out" >"$T/get.json" \
    2>"$T/get.err" &
get=$!
track $get
t0=$(now_ms)
check "the download gets 5 MB in" wait_for 15 past receive 5242880
set -- $(xfer receive)
o1=$1 w1=$2
kill -USR1 $proxy
sleep 1.5
check "while cut, the data is in bob.out.part" test -f "$T/bob.out.part"
check "and bob.out does not exist" test ! -e "$T/bob.out"
sleep 1.5
kill -USR2 $proxy
check "the download is still going after a 3 s cut" running $get
diag "cut and restored $(( $(now_ms) - t0 )) ms after the start"
low=$(lowest_progress receive $get)
wait $get
rc=$?
diag "download took $(( $(now_ms) - t0 )) ms"
check "file get exits 0" test $rc = 0
[ $rc = 0 ] || diag "get: $(cat "$T/get.err")"
check "it went on from where it was cut" resumed "$low" "$o1" "$w1"
check "bob's copy is byte-identical" cmp -s "$T/big" "$T/bob.out"
check "bob.out.part is gone" test ! -e "$T/bob.out.part"
check "get -j reports the size" \
    jqe --argjson s $size '.size == $s' <"$T/get.json"
