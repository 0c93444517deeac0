# Shared by the benchmark drivers (tests/bench/fanout, tests/bench/mixer):
# where the programs are, the cores the node and the load run on, a meetd
# of their own on a private socket, and cleanup of exactly what they start.
#
#   MEET_BIN     meetd, meetctl, meet-cap (default build/bin)
#   MEET_BENCH   loadgen, refrelay (default build/bench)
#   NODE_CORE    the core the node (meetd, refrelay) is pinned to (0)
#   LOAD_CORE    the core loadgen is pinned to (1)
#
# With one core, nothing is pinned and the figures say so.
#
#   BENCH_PRIO   rt: the node and loadgen run SCHED_FIFO 10 (chrt), so that
#                other work on a shared machine cannot take their cores
#                while they have packets to move (the kernel still leaves
#                5 % of each second to others); nice: nice -10; none.  The
#                default is rt where it is allowed, then nice.  meetd and
#                the relays always get the same.
#   BENCH_WORKERS  meetd's media workers, [media] workers (1; meetd's own
#                default, 0, is one per core).  The node is pinned to one
#                core, and a room's media is on one worker whatever the
#                count.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${MEET_BIN:-$top/build/bin}
BENCH=${MEET_BENCH:-$top/build/bench}
T=$(mktemp -d "${TMPDIR:-/tmp}/meet-bench.XXXXXX")
_pids=""

# bench_stop PID...: SIGTERM, 3 s to go, then SIGKILL; only ever given
# what this script started ($_pids).
bench_stop() {
	for p; do kill "$p" 2>/dev/null; done
	for p; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 30 ]; do
			sleep 0.1; i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
}

bench_cleanup() {
	bench_stop $_pids
	rm -rf "$T"
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

nice=""
case ${BENCH_PRIO:-rt} in
rt)	if chrt -f 10 true 2>/dev/null; then nice="chrt -f 10"
	elif nice -n -10 true 2>/dev/null; then nice="nice -n -10"; fi ;;
nice)	nice -n -10 true 2>/dev/null && nice="nice -n -10" ;;
esac
if [ "$(nproc)" -ge 2 ]; then
	NODE_CORE=${NODE_CORE:-0}
	LOAD_CORE=${LOAD_CORE:-1}
	on_node="taskset -c $NODE_CORE $nice"
	on_load="taskset -c $LOAD_CORE $nice"
	core_opt="-C $NODE_CORE"
else
	NODE_CORE=-1
	on_node="$nice"
	on_load="$nice"
	core_opt=""
fi

# start_meetd: a meetd pinned to the node's core on $T/meetd.sock with
# BENCH_WORKERS media workers; sets MEETD_PID.
start_meetd() {
	printf '[log]\nverbose = 0\n\n[media]\nworkers = %s\n' \
	    "${BENCH_WORKERS:-1}" > "$T/meetd.conf"
	$on_node "$BIN/meetd" -f "$T/meetd.conf" -S "$T/meetd.sock" \
	    -l 127.0.0.1:0 2>>"$T/meetd.log" &
	MEETD_PID=$!
	_pids="$_pids $MEETD_PID"
	i=0
	until "$BIN/meetctl" -S "$T/meetd.sock" status >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 50 ]; then
			echo "meetd did not start:" >&2
			tail -n 5 "$T/meetd.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

# stop_meetd: ends the meetd of start_meetd (that one only) and forgets
# it, so that another can start on the same socket.
stop_meetd() {
	bench_stop "$MEETD_PID"
	_pids=$(for p in $_pids; do
		[ "$p" = "$MEETD_PID" ] || printf ' %s' "$p"
	done)
	rm -f "$T/meetd.sock"
}

# bench_json LINE: a summary JSON line with the date, machine and cores.
bench_json() {
	printf 'json: {"date":"%s","cores":%s,"cpu":"%s",%s}\n' \
	    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)" \
	    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
	    head -n 1)" "$1"
}
