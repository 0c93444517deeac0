#!/usr/bin/perl
# hold-conns PATH COUNT SECONDS < BYTES: open COUNT connections to the Unix
# socket PATH, one after the other, write BYTES on each (a write that fails
# because the far end has gone is not an error), print "ready N" (N opened),
# then keep them all open for SECONDS, printing what comes back as it comes:
#	I error TEXT	connection I got an error frame saying TEXT
#	I exit CODE	an exit frame
#	I eof T		the far end closed it, T seconds after it was opened
# and "done" at the end.  For the flood tests of the control socket.
use strict; use warnings;
use IO::Socket::UNIX; use IO::Select; use Time::HiRes qw(time);

my ($path, $count, $hold) = @ARGV;
die "usage: hold-conns PATH COUNT SECONDS < BYTES\n" unless defined $hold;
$| = 1;
$SIG{PIPE} = 'IGNORE';
$SIG{ALRM} = sub { print "TIMEOUT\n"; exit 1 };
alarm $hold + 60;
binmode STDIN;
my $data = do { local $/; <STDIN> };
die "hold-conns: nothing to send on stdin\n" unless length $data;
my (%sock, %opened, %in);
my $sel = IO::Select->new;

for my $i (1 .. $count) {
	my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path);
	if (!$s) { print "$i connect $!\n"; next }
	$opened{$i} = time;
	my $off = 0;
	while ($off < length $data) {
		my $n = syswrite $s, $data, length($data) - $off, $off;
		last unless defined $n && $n > 0;
		$off += $n;
	}
	$sock{$i} = $s;
	$in{$i} = '';
	$sel->add([$s, $i]);
}
print "ready ", scalar(keys %sock), "\n";

my $end = time + $hold;
while ((my $left = $end - time) > 0 && $sel->count) {
	for my $h ($sel->can_read($left)) {
		my ($s, $i) = @$h;
		my $n = sysread $s, $in{$i}, 65536, length $in{$i};
		while (length $in{$i} >= 8) {
			my ($m, $t, $f, $l) = unpack 'a2CCN', $in{$i};
			last if length $in{$i} < 8 + $l;
			my $body = substr $in{$i}, 8, $l;
			substr($in{$i}, 0, 8 + $l) = '';
			if ($t == 2 && $body =~ /"error":\s*"((?:[^"\\]|\\.)*)"/) {
				print "$i error $1\n";
			} elsif ($t == 18 && $body =~ /"code":\s*(\d+)/) {
				print "$i exit $1\n";
			}
		}
		if (!$n) {
			printf "%d eof %.2f\n", $i, time - $opened{$i};
			$sel->remove($h);
		}
	}
}
print "done\n";
