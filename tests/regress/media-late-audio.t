#!/bin/sh
# Late audio is concealed, not mixed as silence: alice's tone stops for
# 60 ms in the middle (her pipe runs dry, so her packets come late, none
# lost) while bob listens on the same node.  bob's mix holds no run of
# digital silence between the start and the end of her tone: the Opus
# decoder fills the dry jitter buffer as it fills a loss.
. "$(dirname "$0")/lib.sh"
plan 4

start_node A
quiet ctl A create r --as alice
quiet ctl A join r --as bob
check "alice and bob are in r" wait_for 10 in_roster A bob alice

mkfifo "$T/alice.fifo"
{ meet-cap -a sine:440 -t 1.5; sleep 0.06; meet-cap -a sine:440 -t 1.5; } \
    >"$T/alice.fifo" 2>>"$T/cap.log" &
track $!
timeout 20 meetctl -S "$T/A.sock" -s alice send -a <"$T/alice.fifo" \
    2>>"$T/send.log" &
track $!
timeout -k 2 5 meetctl -S "$T/A.sock" -s bob recv -a >"$T/bob.pcm" \
    2>>"$T/recv.log" &
r=$!
track $r
wait $r 2>/dev/null

level=$(tone_level "$T/bob.pcm" 440)
check "bob hears alice's 440 Hz ($level dB)" above "$level" -40
# Runs of 10 ms or more of exact zeros (an empty tick is 20 ms of them)
# after the first 0.3 s of her tone and before its last 0.3 s (she sends
# about 3 s in all; the two sines meet at about 1.5 s).
holes=$(perl -e 'local $/; my @s = unpack "s<*", <STDIN>;
	my ($first, $last) = (-1, -1);
	for my $i (0 .. $#s) { next if $s[$i] == 0; $first = $i if $first < 0;
	    $last = $i }
	exit 0 if $first < 0;
	my ($n, @h) = (0);
	for my $i ($first + 14400 .. $last - 14400) {
		if ($s[$i] == 0) { $n++; next }
		push @h, sprintf("%.3f:%d", $i / 48000, $n) if $n >= 480;
		$n = 0;
	}
	print "span ", ($last - $first) / 48000, " holes @h\n"' <"$T/bob.pcm")
diag "$holes"
check "bob's mix covers about 3 s of her tone (${holes%% holes*})" eval \
    '[ -n "$holes" ] && awk -v s="${holes#span }" "BEGIN { exit !(s + 0 > 2.5) }"'
check "and has no digital silence inside it (${holes#*holes})" eval \
    '[ "${holes#*holes}" = " " ] || [ -z "${holes#*holes }" ]'
