#!/bin/sh
# A node on its default loopback address joins a hub on another host (a
# network namespace over veth) and both hear each other: its media leaves
# from a socket of its own, and the hub answers where that media comes
# from, not to the loopback port the node listens on.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root for ip netns"
command -v ip >/dev/null 2>&1 || skip_all "no ip(8)"
ns=meet$$
net=10.$(( $$ % 200 + 20 )).$(( ($$ / 200) % 250 )).
ip netns add "$ns" 2>/dev/null || skip_all "cannot create a network namespace"
ip link add "v$ns" type veth peer name "w$ns" 2>/dev/null || {
	ip netns del "$ns"; skip_all "no veth"; }
cleanup_ns() {
	ip link del "v$ns" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
}
# lib.sh's cleanup kills the nodes; the namespace goes after them.
trap 'cleanup; cleanup_ns' EXIT
ip link set "w$ns" netns "$ns"
ip addr add "${net}1/24" dev "v$ns"
ip link set "v$ns" up
ip netns exec "$ns" ip addr add "${net}2/24" dev "w$ns"
ip netns exec "$ns" ip link set "w$ns" up
ip netns exec "$ns" ip link set lo up
plan 4

# The hub, in the namespace, listening on its veth address.
ip netns exec "$ns" meetd -S "$T/hub.sock" -l "${net}2:0" \
    2>"$T/hub.log" &
track $!
wait_for 10 ctl hub status || { echo "Bail out! hub did not start"; exit 1; }
hub=$(ctl hub -j status | jq -r .listen)
start_node A		# on 127.0.0.1, as by default

ctl hub create r --as alice >/dev/null
check "bob joins the hub from a node on loopback" \
    quiet ctl A join "r@$hub" --as bob
meet-cap -a sine:440 -t 8 2>>"$T/cap.log" |
    ctl hub -s alice send -a 2>>"$T/send.log" &
track $!
meet-cap -a sine:660 -t 8 2>>"$T/cap.log" |
    ctl A -s bob send -a 2>>"$T/send.log" &
track $!
sleep 1.5
timeout 3 meetctl -S "$T/A.sock" -s bob recv -a >"$T/bob.pcm" \
    2>>"$T/recv.log" &
track $!
timeout 3 meetctl -S "$T/hub.sock" -s alice recv -a >"$T/alice.pcm" \
    2>>"$T/recv.log"
sleep 0.5
l=$(tone_level "$T/bob.pcm" 440)
check "bob hears alice across the hosts (${l:-nothing} dB)" above "$l" -20
l=$(tone_level "$T/alice.pcm" 660)
check "alice hears bob (${l:-nothing} dB)" above "$l" -20
check "the hub sees no loss on bob's audio" eval 'ctl hub -j stats |
    jqe "any(.streams[]; .name == \"bob\" and .kind == \"audio\" and
    .dir == \"in\" and .packets > 50 and .loss < 5)"'
