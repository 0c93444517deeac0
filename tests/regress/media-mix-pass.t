#!/bin/sh
# A mix of one talker is that talker's own packets, passed on: three
# plain-RTP Opus peers in a room, alice talking (440 Hz) from start to end
# with a pause at 7 s, bob (660 Hz, softly, so that a seam is not hidden
# under his onset) only from 3 s to 6 s, carol listening.  While alice
# talks alone, what carol gets are alice's payloads byte for byte (no
# decode, no encode); while both talk, alice gets bob's and bob gets
# alice's (each hears the other alone) and carol a mix of both (encoded
# here).  After bob stops, carol goes back to alice's packets at alice's
# pause, not before.  Across both switches carol's stream has no gap and
# no timestamp jump (50 packets a second, sequence numbers and timestamps
# one step apart), and her decoded audio shows no dropout and no click:
# alice's tone keeps its level and nothing broadband appears.
. "$(dirname "$0")/lib.sh"
plan 13

# A free UDP port on loopback.
free_port() {
	perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(Proto => "udp",
	    LocalAddr => "127.0.0.1") or die; print $s->sockport'
}

start_node A
check "host creates room r" quiet ctl A create r --as host
for who in alice bob carol; do
	port=$(free_port)
	eval "port_$who=$port"
	ctl A -s host -j rtp --as "$who" --peer "127.0.0.1:$port" \
	    >"$T/$who.json" 2>>"$T/rtp.log"
	eval "to_$who=\$(jq -r .send_to \"\$T/\$who.json\")"
done
check "three plain-RTP peers joined" eval '[ -n "$to_alice" ] &&
    [ -n "$to_bob" ] && [ -n "$to_carol" ]'

opus-peer -b "127.0.0.1:$port_alice" -f 440 -p 7:7.3 -t 9 -o "$T/alice.pcm" \
    -l "$T/alice.rx" -L "$T/alice.tx" "$to_alice" >"$T/alice.out" \
    2>>"$T/peer.log" &
track $!
pa=$!
opus-peer -b "127.0.0.1:$port_bob" -f 660 -a 100 -s 3 -e 6 -t 9 \
    -o "$T/bob.pcm" -l "$T/bob.rx" -L "$T/bob.tx" "$to_bob" \
    >"$T/bob.out" 2>>"$T/peer.log" &
track $!
pb=$!
opus-peer -b "127.0.0.1:$port_carol" -s 9 -t 9 -o "$T/carol.pcm" \
    -l "$T/carol.rx" "$to_carol" >"$T/carol.out" 2>>"$T/peer.log" &
track $!
pc=$!
for p in $pa $pb $pc; do
	timeout 20 sh -c "while kill -0 $p 2>/dev/null; do sleep 0.2; done"
done

# passed RX TX: how many packets of RX carry a payload sent in TX.
passed() {
	awk 'NR == FNR { sent[$5] = 1; next } ($5 in sent) { n++ }
	    END { print n + 0 }' "$2" "$1"
}
n_carol=$(wc -l <"$T/carol.rx")
p_carol=$(passed "$T/carol.rx" "$T/alice.tx")
pb_carol=$(passed "$T/carol.rx" "$T/bob.tx")
p_alice=$(passed "$T/alice.rx" "$T/bob.tx")
p_bob=$(passed "$T/bob.rx" "$T/alice.tx")
diag "carol got $n_carol packets: $p_carol of alice's, $pb_carol of bob's;" \
    "alice got $p_alice of bob's, bob $p_bob of alice's"
# About 235 on a quiet machine (0-3 s and 7.3-9 s); a late packet of
# alice's is encoded, and so is what follows it until her pause.
check "carol hears alice's own packets while she talks alone ($p_carol)" \
    eval '[ "$p_carol" -ge 120 ]'
check "but not while bob talks too: 150 packets and more fewer" \
    eval '[ "$((n_carol - p_carol))" -ge 140 ]'
check "carol never gets bob's packets alone ($pb_carol)" \
    eval '[ "$pb_carol" -le 5 ]'
check "alice hears bob's own packets while both talk ($p_alice)" \
    eval '[ "$p_alice" -ge 120 ]'
check "and bob hears alice's ($p_bob)" eval '[ "$p_bob" -ge 120 ]'
# Mix-minus: alone she got silence, with bob bob alone.
own=$(passed "$T/alice.rx" "$T/alice.tx")
own440=$(goertzel -s 0.5 440 <"$T/alice.pcm" 2>/dev/null | awk '$1 == 440 {
    print $2 }')
check "alice gets none of her packets ($own), hears no 440 Hz (${own440:-?})" \
    eval '[ "$own" = 0 ] && [ -n "$own440" ] &&
    awk -v l="$own440" "BEGIN { exit !(l < -60) }"'

# Continuity: one packet per 20 ms, sequence numbers and timestamps in
# steps of 1 and 960 from first to last, none missing.
steps=$(awk '{ if (NR > 1) { ds = ($2 - s + 65536) % 65536;
    dt = ($3 - t + 4294967296) % 4294967296;
    if (ds != 1 || dt != 960) bad++ } s = $2; t = $3 }
    END { print bad + 0 }' "$T/carol.rx")
check "carol's stream has no gap nor timestamp jump ($steps bad steps)" \
    test "$steps" = 0
check "at 50 packets a second ($n_carol in 9 s)" \
    eval '[ "$n_carol" -ge 400 ]'

# The switches: the first of carol's packets that is not alice's (bob
# comes in) and the first of alice's after that (bob goes).
switch_in=$(awk 'NR == FNR { sent[$5] = 1; next } { i++ }
    !($5 in sent) && i > 50 { print i; exit }' "$T/alice.tx" "$T/carol.rx")
switch_out=$(awk -v from="${switch_in:-0}" 'NR == FNR { sent[$5] = 1; next }
    { i++ } i > from + 50 && ($5 in sent) { print i; exit }' \
    "$T/alice.tx" "$T/carol.rx")
# Which of alice's packets that was: the 350th is the first of her pause.
back=$(awk -v i="${switch_out:-0}" 'NR == FNR { n++; at[$5] = n; next }
    { j++ } j == i { print at[$5] + 0 }' "$T/alice.tx" "$T/carol.rx")
diag "bob came in at carol's packet ${switch_in:-?}; carol was back on" \
    "alice's at her packet ${switch_out:-?}, alice's ${back:-?}"
check "and went back to alice's packets at her pause, not before" \
    eval '[ "${back:-0}" -ge 345 ] && [ "${back:-0}" -le 366 ]'

# window FIRST N: N frames of carol's audio from frame FIRST (1-based).
window() {
	dd if="$T/carol.pcm" bs=1920 skip=$(($1 - 1)) count="$2" 2>/dev/null
}
# level FREQ FIRST N: the level of FREQ in that window.
level() {
	window "$2" "$3" | goertzel "$1" 2>/dev/null | awk -v f="$1" \
	    '$1 == f { print $2 }'
}
steady=$(level 440 30 20)
in440=$(level 440 $((switch_in - 3)) 6)
diag "alice's 440 Hz: $steady dB alone, $in440 dB as bob comes"
check "alice's tone carries on as carol's mix starts to be encoded" eval '
    [ -n "$steady" ] && [ -n "$in440" ] &&
    awk -v s="$steady" -v a="$in440" "BEGIN {
    exit !(a > s - 2 && a < s + 2) }"'
# A click is broadband: at 5 and 9 kHz, where neither tone has anything,
# nothing comes above -80 dB at either switch (without priming the
# encoder, the way in reads about -74).
hf=$(for f in 5000 9000; do
	level $f $((switch_in - 3)) 6
	level $f $((switch_out - 3)) 6
done | sort -n | tail -n 1)
diag "highest level at 5 and 9 kHz around the switches: $hf dB"
check "no click at either switch" eval '[ -n "$hf" ] &&
    awk -v h="$hf" "BEGIN { exit !(h < -80) }"'
