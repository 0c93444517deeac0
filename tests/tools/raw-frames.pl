#!/usr/bin/perl
# raw-frames TARGET MODE < BYTES: send bytes to unix:PATH or tcp:HOST:PORT,
# for the bad-input tests.  MODE close: hang up at once; reply: print each
# frame that comes back as "TYPE BODY", then EOF when the other end hangs
# up (TIMEOUT after 5 s).
use strict; use warnings; use IO::Socket::UNIX; use IO::Socket::INET;
my ($target, $mode) = @ARGV;
my $s = $target =~ /^unix:(.*)/ ?
    IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $1) :
    IO::Socket::INET->new(PeerAddr => substr($target, 4), Proto => 'tcp');
die "connect $target: $!\n" unless $s;
binmode STDIN; local $/; my $data = <STDIN>;
$s->syswrite($data) == length $data or die "short write\n";
exit 0 if $mode eq 'close';
$SIG{ALRM} = sub { print "TIMEOUT\n"; exit 0 }; alarm 5;
my $in = '';
while (1) {
	my $n = $s->sysread($in, 65536, length $in);
	while (length $in >= 8) {
		my ($m, $t, $f, $l) = unpack 'a2CCN', $in;
		last if length $in < 8 + $l;
		print "$t ", substr($in, 8, $l), "\n";
		substr($in, 0, 8 + $l) = '';
	}
	if (!$n) { print "EOF\n"; exit 0 }
}
