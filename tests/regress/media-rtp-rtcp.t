#!/bin/sh
# RTCP with a plain-RTP participant (RFC 3550): the node sends, once a
# second, a sender report on the mix it sends the participant, to the RTCP
# port of the SDP (--peer's port + 1), with a CNAME; GStreamer's rtpbin,
# receiving the mix from there, answers with receiver reports that echo it,
# and stats shows the round trip of the participant's mix.
. "$(dirname "$0")/lib.sh"
command -v gst-launch-1.0 >/dev/null || skip_all "no gst-launch-1.0"
gst-inspect-1.0 rtpbin >/dev/null 2>&1 || skip_all "no GStreamer rtpbin"
gst-inspect-1.0 rtpopusdepay >/dev/null 2>&1 ||
    skip_all "no GStreamer rtpopusdepay"
plan 6

# An even UDP port P with P+1 free too.
P=$(perl -MIO::Socket::INET -e 'for (1 .. 50) {
	my @s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:0") or next;
	my $p = $s[0]->sockport; next if $p % 2 or $p > 65000;
	push @s, IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:" . ($p + 1));
	next if grep { !defined } @s;
	print "$p\n"; exit 0 } exit 1') ||
    { echo "Bail out! no free UDP port"; exit 1; }
# out_mix NAME FIELD: that field of the mix the node sends NAME.
out_mix() { ctl A -j stats | jq -r --arg n "$1" --arg f "$2" '.streams[] |
	select(.dir == "out" and .kind == "mix" and .name == $n) | .[$f]'; }
has_rtt() { _r=$(out_mix gst rtt_ms); diag "rtt_ms: $_r";
	[ -n "$_r" ] && [ "$_r" != null ]; }

start_node A
ctl A create r --as alice >/dev/null
ctl A -s alice -j rtp --as gst --peer "127.0.0.1:$P" >"$T/rtp.json"
send_to=$(jq -r '.send_to // empty' "$T/rtp.json")
meet-cap -a sine:700 -t 40 2>>"$T/cap.log" |
    ctl A -s alice send -a 2>>"$T/send.log" &
track $!
sleep 1
ssrc=$(out_mix gst ssrc)
diag "send_to $send_to, the mix's SSRC $ssrc"

# What arrives at P+1 in 3.5 s: for each datagram, the types of its
# packets, the reporter's SSRC, how far its NTP time is from now (s), its
# packet count, and its CNAME.
perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time -e '
	my $s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1:$ARGV[0]") or die "bind: $!\n";
	my ($sel, $end) = (IO::Select->new($s), time + 3.5);
	while ((my $left = $end - time) > 0) {
		next unless $sel->can_read($left);
		$s->recv(my $d, 65535);
		my ($off, @types, $cname) = (0);
		my ($ssrc, $ntp, $count) = (0, 0, 0);
		while ($off + 8 <= length $d) {
			my ($b0, $pt, $w) = unpack("CCn", substr($d, $off, 4));
			push @types, $pt;
			if ($pt == 200) {
				($ssrc, my $sec) = unpack("NN",
				    substr($d, $off + 4, 8));
				$ntp = $sec - 2208988800 - time;
				$count = unpack("N", substr($d, $off + 20, 4));
			} elsif ($pt == 202) {
				my $len = unpack("C", substr($d, $off + 9, 1));
				$cname = substr($d, $off + 10, $len);
			}
			$off += 4 * ($w + 1);
		}
		printf "%s %u %.0f %u %s\n", join(",", @types), $ssrc, $ntp,
		    $count, $cname // "-";
	}' $((P + 1)) >"$T/rtcp.txt" 2>>"$T/rtcp.log"
sed 's/^/# /' "$T/rtcp.txt"
check "SR and SDES from the mix's SSRC reach P+1 once a second" eval '
    [ "$(grep -c "^200,202 ${ssrc:-x} " "$T/rtcp.txt")" -ge 3 ] &&
    [ "$(wc -l <"$T/rtcp.txt")" -le 5 ]'
check "their NTP time is now and they count the packets sent" eval '
    awk "{ if (\$3 < -2 || \$3 > 2 || \$4 < 50) bad = 1 }
    END { exit bad || NR == 0 }" "$T/rtcp.txt"'
check "with a CNAME" eval 'awk "{ if (\$5 == \"-\") bad = 1 }
    END { exit bad || NR == 0 }" "$T/rtcp.txt"'
check "no round trip is known before gst reports" eval '
    [ "$(out_mix gst rtt_ms)" = null ]'

# GStreamer receives the mix and reports back to send_to.
timeout 30 gst-launch-1.0 -q rtpbin name=rb \
    udpsrc address=127.0.0.1 port="$P" caps="application/x-rtp,\
media=(string)audio,clock-rate=(int)48000,encoding-name=(string)OPUS,\
payload=(int)111" ! rb.recv_rtp_sink_0 \
    udpsrc address=127.0.0.1 port=$((P + 1)) ! rb.recv_rtcp_sink_0 \
    rb. ! rtpopusdepay ! fakesink sync=false \
    rb.send_rtcp_src_0 ! udpsink host="${send_to%:*}" port="${send_to##*:}" \
    sync=false async=false >"$T/gst.log" 2>&1 &
track $!
check "gst's receiver reports give the round trip of gst's mix" \
    wait_for 20 has_rtt
check "a round trip of loopback: under 50 ms" eval '
    awk -v r="$(out_mix gst rtt_ms)" "BEGIN { exit !(r >= 0 && r < 50) }"'
