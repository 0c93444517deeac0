#!/bin/sh
# Join tokens: a host mints one (token ROOM --as NAME), and its holder
# joins with --token past the lobby and the password, from another node
# too, while the lock and the size limit still hold.  A token for another
# name or room, an expired, tampered or re-algorithmed one, or one from
# another node is refused with exit 4 and its reason; a -T room takes no
# plain join; a --host token makes a co-host, who may kick and hears the
# lobby; a restart with the same key keeps tokens good, a new key voids them.
. "$(dirname "$0")/lib.sh"
plan 52

# forge TOKEN name NAME | alg ALG: the token with its payload's name or its
# header's alg changed, the signature kept.
forge() { perl -MJSON::PP -e '
	use MIME::Base64 qw(encode_base64url decode_base64url);
	my ($tok, $what, $val) = @ARGV;
	my ($h, $p, $s) = split /\./, $tok, -1;
	my $json = JSON::PP->new->canonical;
	if ($what eq "name") {
		my $c = $json->decode(decode_base64url($p));
		$c->{name} = $val;
		$p = encode_base64url($json->encode($c));
	} else {
		$h = encode_base64url($json->encode({ alg => $val,
		    typ => "JWT" }));
	}
	print "$h.$p.$s\n";' "$@"; }

# refused NODE ROOM NAME TOKEN TEXT: the join exits 4, stderr says TEXT,
# and no session is left behind.
refused() {
	ctl "$1" join "$2" --as "$3" --token "$4" >"$T/out" 2>"$T/err"
	_rc=$?
	if [ $_rc != 4 ]; then
		echo "# exit status $_rc, wanted 4" >&2; return 1
	fi
	if ! contains "$T/err" "$5"; then
		echo "# stderr: $(cat "$T/err")" >&2; return 1
	fi
	no_session "$1" "$3"
}

# no_knock NODE SESSION: the session's events so far (some) hold no knock.
no_knock() {
	_ev=$(ctl "$1" -s "$2" -j events) || return 1
	[ -n "$_ev" ] || return 1
	_any=$(printf '%s\n' "$_ev" | jq -s 'any(.[]; .event == "knock")')
	[ "$_any" = false ]
}

not_ours="the signature does not verify: tampered, or made by another node"

start_node hub
start_node joiner
hub=$addr_hub

# A lobby room with a password: a token lets bob past both at once.
ctl hub create standup --as alice -a -p sesame >/dev/null
tok=$(ctl hub -s alice token standup --as bob)
check "token prints a JWT (three base64url parts)" eval \
    'printf "%s\n" "$tok" |
    grep -Eq "^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$"'
check "bob joins from the joiner with it" eval \
    'ctl joiner join "standup@$hub" --as bob --token "$tok" >"$T/bob.out"'
check "he is in at once" contains "$T/bob.out" "bob joined standup@$hub"
check "his session is joined, not waiting" eval 'ctl joiner -j sessions |
    jqe ".sessions[] | select(.name == \"bob\") | .state == \"joined\""'
check "alice sees him on the roster" in_roster hub alice bob
check "and saw him join" eval 'ctl hub -s alice -j events |
    jqe -s "any(.[]; .event == \"joined\" and .name == \"bob\")"'
check "with no knock" no_knock hub alice
check "who shows him as a participant" eval 'ctl hub -s alice -j who |
    jqe ".participants[] | select(.name == \"bob\") |
    .role == \"participant\""'

# -j, and the options' bounds.
ctl hub -s alice -j token standup --as carol --ttl 600 >"$T/tok.json"
iso='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]{3})?Z$'
check "token -j: token, room, name, expires, host" jqe --arg iso "$iso" '
    (.token | split(".") | length == 3) and .room == "standup" and
    .name == "carol" and .host == false and (.expires | test($iso))' \
    <"$T/tok.json"
check "expires is --ttl from now" eval '
    exp=$(jq -r .expires "$T/tok.json" | sed "s/\.[0-9]*Z$/Z/");
    left=$(( $(date -u -d "$exp" +%s) - $(date -u +%s) ));
    [ $left -gt 590 ] && [ $left -le 600 ]'
check "--ttl 0 is a usage error" expect_code 2 \
    ctl hub -s alice token standup --as carol --ttl 0
check "so is --ttl 10x" expect_code 2 \
    ctl hub -s alice token standup --as carol --ttl 10x
check "and more than a year" expect_code 2 \
    ctl hub -s alice token standup --as carol --ttl 40000000
check "a token needs --as" expect_code 2 ctl hub -s alice token standup
check "only the host mints tokens" expect_code 1 \
    ctl joiner -s bob token "standup@$hub" --as carol
check "ROOM must be the session's room" expect_code 1 \
    ctl hub -s alice token retro --as carol

# A host on the joiner, of a room on the hub: minted by the hub for it.
ctl joiner create "retro@$hub" --as dave >/dev/null
tok_erin=$(ctl joiner -s dave token "retro@$hub" --as erin)
check "a host on another node mints through the hub" test -n "$tok_erin"
check "erin joins retro on the hub with it" \
    quiet ctl hub join retro --as erin --token "$tok_erin"
check "dave sees erin" in_roster joiner dave erin

# Refusals: exit 4, the reason on stderr, no session left.
check "bob's token for carol: refused, naming both" \
    refused joiner "standup@$hub" carol "$tok" \
    "meetctl: token refused: the token is for bob, not carol"
tok_frank=$(ctl hub -s alice token standup --as frank)
check "a standup token for retro: refused, naming both rooms" \
    refused joiner "retro@$hub" frank "$tok_frank" \
    "token refused: the token is for room standup, not retro"
tok_gina=$(ctl hub -s alice token standup --as gina --ttl 1)
sleep 2
check "an expired token: refused, saying when" \
    refused joiner "standup@$hub" gina "$tok_gina" \
    "token refused: the token expired at "
check "a tampered payload: refused" \
    refused joiner "standup@$hub" mallory "$(forge "$tok" name mallory)" \
    "token refused: $not_ours"
# One character of the signature changed (the first: the last has unused
# bits, and a change there could make it malformed rather than wrong).
sig=${tok##*.}
rest=${sig#?}
case $sig in A*) first=B ;; *) first=A ;; esac
check "a tampered signature: refused" \
    refused joiner "standup@$hub" bob2 "${tok%.*}.$first$rest" \
    "token refused: the signature does not verify"
check "alg none: refused, naming it" \
    refused joiner "standup@$hub" bob2 "$(forge "$tok" alg none)" \
    "token refused: the token names alg none (unsigned), not HS256"
check "alg HS512: refused, naming it" \
    refused joiner "standup@$hub" bob2 "$(forge "$tok" alg HS512)" \
    "token refused: the token is signed with alg HS512, not HS256"
check "not a token at all: refused as malformed" \
    refused joiner "standup@$hub" bob2 "not-a-token" \
    "token refused: malformed token (not three base64url parts"

# The joiner hosts a standup of its own: its tokens are not the hub's.
ctl joiner create standup --as zed >/dev/null
tok_other=$(ctl joiner -s zed token standup --as hank)
check "the joiner's token works on the joiner" \
    quiet ctl joiner join standup --as hank --token "$tok_other"
ctl joiner -s hank leave >/dev/null
check "a token from another node: refused" \
    refused joiner "standup@$hub" hank "$tok_other" \
    "token refused: $not_ours"
check "none of these knocked" no_knock hub alice
check "and none is on the roster" eval '! ctl hub -s alice who |
    grep -Eq "^(carol|frank|gina|mallory|bob2|hank) "'

# Without a token, standup still has its lobby and its password.
check "a plain join still needs the password" expect_code 4 \
    ctl joiner join "standup@$hub" --as ivy
check "and with it waits in the lobby" eval \
    'ctl joiner join "standup@$hub" --as ivy -p sesame --no-wait |
    grep -q "waiting in the lobby"'
ctl hub -s alice deny ivy >/dev/null

# The lock and the size limit hold for token holders.
ctl hub -s alice lock >/dev/null
tok_mia=$(ctl hub -s alice token standup --as mia)
check "a locked room refuses a token" eval \
    'ctl joiner join "standup@$hub" --as mia --token "$tok_mia" \
    2>"$T/err"; [ $? = 4 ] && contains "$T/err" "standup is locked"'
ctl hub -s alice unlock >/dev/null
check "and takes it once unlocked" \
    quiet ctl joiner join "standup@$hub" --as mia --token "$tok_mia"
ctl hub create small --as nina -m 2 >/dev/null
ctl hub -s nina token small --as oscar >"$T/oscar"
ctl hub -s nina token small --as peggy >"$T/peggy"
quiet ctl joiner join "small@$hub" --as oscar --token "$(cat "$T/oscar")"
check "a full room refuses a token" eval \
    'ctl joiner join "small@$hub" --as peggy --token "$(cat "$T/peggy")" \
    2>"$T/err"; [ $? = 4 ] && contains "$T/err" "small is full"'

# -T: joining needs a token, here and for a room made from another node.
ctl hub create vault --as quinn -T >/dev/null
check "a -T room refuses a plain join (exit 4)" eval \
    'ctl joiner join "vault@$hub" --as rita 2>"$T/err"; [ $? = 4 ] &&
    contains "$T/err" "meetctl: vault needs a join token (--token)"'
check "and takes a token" \
    quiet ctl joiner join "vault@$hub" --as rita \
    --token "$(ctl hub -s quinn token vault --as rita)"
ctl joiner create "vault2@$hub" --as sam --token-only >/dev/null
check "rooms shows a -T room made from another node as token_only" eval \
    'ctl hub -j rooms | jqe ".rooms[] | select(.name == \"vault2\") |
    .token_only == true"'
check "a plain join of it is refused" expect_code 4 \
    ctl hub join vault2 --as tess
check "a token minted for it through the hub lets tess in" \
    quiet ctl hub join vault2 --as tess \
    --token "$(ctl joiner -s sam token "vault2@$hub" --as tess)"

# A --host token makes a co-host, who may kick; a plain holder may not.
tok_lena=$(ctl hub -s alice token standup --as lena --host)
quiet ctl joiner join "standup@$hub" --as lena --token "$tok_lena"
check "who shows lena as co-host" eval 'ctl hub -s alice -j who |
    jqe ".participants[] | select(.name == \"lena\") |
    .role == \"co-host\""'
check "bob (no --host) may not kick" expect_code 1 \
    ctl joiner -s bob kick mia
check "lena may" quiet ctl joiner -s lena kick mia
check "mia is out" wait_for 5 not_in_roster hub alice mia
check "but may not remove the host" expect_code 1 \
    ctl joiner -s lena kick alice
ctl joiner join "standup@$hub" --as walt -p sesame --no-wait >/dev/null
check "the co-host hears a knock" eval \
    'ctl joiner -s lena wait -T 5 knock walt >/dev/null'
check "sees the lobby in who" eval 'ctl joiner -s lena -j who |
    jqe ".participants[] | select(.name == \"walt\") | .role == \"waiting\""'
check "and may admit" quiet ctl joiner -s lena admit walt
check "alice is still the host" eval 'ctl hub -s alice -j who |
    jqe ".participants[] | select(.name == \"alice\") | .role == \"host\""'

# A restart with the same key keeps tokens good; a new key voids them.
tok_uma=$(ctl hub -s alice token standup --as uma)
tok_vic=$(ctl hub -s alice token standup --as vic)
stop_node hub
mv "$T/hub.log" "$T/hub-first.log"
start_node hub
ctl hub create standup --as alice -a >/dev/null
check "a token survives a restart with the same key" \
    quiet ctl hub join standup --as uma --token "$tok_uma"
stop_node hub
mv "$T/hub.log" "$T/hub-second.log"
printf '[node]\nkey = %s\n' "$T/new.key" >"$T/hub.conf"
start_node hub -f "$T/hub.conf"
ctl hub create standup --as alice -a >/dev/null
check "a new key voids the tokens of the old" \
    refused hub standup vic "$tok_vic" \
    "token refused: the signature does not verify"
