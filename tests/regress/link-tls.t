#!/bin/sh
# Node links are TLS 1.3 with the node's key, and the joining node knows
# whom it talks to: openssl s_client completes TLS 1.3 on the link port and
# sees the key status names; a plaintext hello gets no byte of meet's
# protocol; the first join writes the hub's key to known_nodes; a hub
# restarted with a new key at the same address is refused, naming both
# keys; --fingerprint with a wrong key is refused before the hub hears of
# any session, and with the right one pins a new node.
. "$(dirname "$0")/lib.sh"
plan 24

start_node A -v
start_node B
fp_A=$(ctl A -j status | jq -r .fingerprint)
check "status -j shows a fingerprint" \
    sh -c "echo '$fp_A' | grep -Eqx 'sha256:[0-9a-f]{64}'"
ctl A status >"$T/status"
check "status shows it in text" contains "$T/status" "$fp_A"

# A key made on first start: 0600, its folder private.
key_A="$T/A.sock.key"
check "the key was made beside the socket" test -f "$key_A"
check "the key is 0600" sh -c "[ \$(stat -c %a '$key_A') = 600 ]"

# A real TLS client nobody here wrote, with a key of its own.
openssl req -x509 -newkey ed25519 -nodes -keyout "$T/sc.key" \
    -out "$T/sc.crt" -subj /CN=s_client -days 1 2>/dev/null
timeout 10 openssl s_client -connect "$addr_A" -tls1_3 -cert "$T/sc.crt" \
    -key "$T/sc.key" -showcerts </dev/null >"$T/s_client" 2>&1
check "s_client: TLS 1.3" grep -q "^New, TLSv1.3" "$T/s_client"
sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' "$T/s_client" |
    openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER |
    sha256sum | sed 's/^\([0-9a-f]*\).*/sha256:\1/' >"$T/s_client.fp"
check "s_client: the certificate carries the key status names" \
    grep -qx "$fp_A" "$T/s_client.fp"
# Without a key of its own the hub lets it say nothing.
timeout 10 openssl s_client -connect "$addr_A" -tls1_3 </dev/null \
    >"$T/s_client2" 2>&1
check "s_client without a certificate: refused" \
    grep -qiE "alert|certificate required|errno|error" "$T/s_client2"

# Plaintext, as an older meetd would speak: nothing of meet's comes back.
frame 1 '{"version": 1, "node": "0123456789abcdef0123456789abcdef"}' |
    python3 "$top/tests/tools/link-client.py" --plain "$addr_A" reply \
    >"$T/plain"
check "plaintext hello: the connection ends" grep -qx EOF "$T/plain"
check "plaintext hello: no meet frame comes back" \
    sh -c "! grep -q '^RAW 4d45' '$T/plain'"
check "plaintext hello: no hello text comes back" \
    sh -c "! grep -qi 'version' '$T/plain'"

# First contact: B learns A's key.
ctl A create standup --as alice >/dev/null
check "B joins A's room" quiet ctl B join "standup@$addr_A" --as carol
check "B's known_nodes names A's address and key" \
    grep -qx "$addr_A $fp_A" "$T/B.sock.known_nodes"
ctl B -s carol say "over TLS" >/dev/null
check "chat crosses the TLS link" saw_chat A alice carol "over TLS"
ctl B -s carol leave >/dev/null

# A restarts with a new key at the same address.
stop_node A
rm -f "$key_A"
start_node A -l "$addr_A"
fp_A2=$(ctl A -j status | jq -r .fingerprint)
check "A has a new key" test "$fp_A2" != "$fp_A"
ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as carol >"$T/out" 2>"$T/err"
check "B refuses A's new key (exit 1)" test $? = 1
check "the error names the address" contains "$T/err" "$addr_A"
check "the error names both keys" \
    sh -c "grep -qF '$fp_A' '$T/err' && grep -qF '$fp_A2' '$T/err'"
check "A never saw carol" not_in_roster A alice carol

# --fingerprint: a wrong one is refused before any session data goes out.
start_node C -v
expect_code 1 ctl C join "standup@$addr_A" --as dave \
    --fingerprint "$fp_A" 2>"$T/err"
check "a wrong --fingerprint is refused, naming both keys" \
    sh -c "grep -qF '$fp_A' '$T/err' && grep -qF '$fp_A2' '$T/err'"
check "the hub got no join from C" sh -c "! grep -q 'dave' '$T/A.log'"
check "create ROOM@HUB with a wrong --fingerprint is refused too" \
    expect_code 1 ctl C create "other@$addr_A" --as erin \
    --fingerprint "$fp_A"
ctl A -j rooms >"$T/rooms" 2>&1
check "and the hub has no room other" \
    sh -c "grep -q '\"standup\"' '$T/rooms' && ! grep -q '\"other\"' '$T/rooms'"
check "the right --fingerprint joins" quiet ctl C join "standup@$addr_A" \
    --as dave --fingerprint "$fp_A2"
check "and C remembers the key" \
    grep -qx "$addr_A $fp_A2" "$T/C.sock.known_nodes"
