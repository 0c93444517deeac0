#!/bin/sh
# File sharing across three nodes: alice hosts on A, bob is on B and carol
# on C, both joined remotely.  bob shares a 10 MB file: it lands in A's
# spool, alice and carol get a file event that names it rightly, everyone
# lists it, and a get on A (local) and on C (remote) is byte-identical,
# without a .part left behind.
. "$(dirname "$0")/lib.sh"
plan 23

for n in A B C; do
	printf '[files]\nspool = %s\n' "$T/spool$n" >"$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
sha() { sha256sum "$1" | cut -d' ' -f1; }
# spool_has DIR FILE: a finished file in the spool is byte-identical.
spool_has() { find "$1" -type f ! -name '*.part' \
    -exec cmp -s "$2" {} \; -print 2>/dev/null | grep -q .; }
lists() { ctl "$1" -s "$2" -j file list | jqe --arg id "$3" \
    --argjson size "$4" 'any(.files[]; .id == $id and .name == "big" and
    .size == $size and .from == "bob" and .to == null)'; }

ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as bob >/dev/null
ctl C join "standup@$addr_A" --as carol >/dev/null
wait_for 10 in_roster A alice bob
wait_for 10 in_roster A alice carol

size=10485760
head -c $size /dev/urandom >"$T/big"
sum=$(sha "$T/big")

check "bob shares a 10 MB file" \
    eval 'ctl B -s bob -j file send "$T/big" >"$T/send.json"'
id=$(jq -r '.id // empty' "$T/send.json" 2>/dev/null)
diag "id $id"
check "send -j answers id, name, size and sha256" jqe --arg s "$sum" \
    --argjson size $size '(.id | type == "string" and length > 0) and
    .name == "big" and .size == $size and .sha256 == $s' <"$T/send.json"
check "the upload is in A's spool, byte-identical" spool_has "$T/spoolA" \
    "$T/big"

ev_ok() { jqe --arg id "$id" --arg s "$sum" --argjson size $size \
    '.event == "file" and .room == "standup" and .id == $id and
    .name == "big" and .size == $size and .from == "bob" and
    .sha256 == $s and .to == null and (.ts | type == "string")' <"$1"; }
ctl A -s alice -j wait -T 20 file bob >"$T/alice.ev"
check "alice gets the file event" ev_ok "$T/alice.ev"
ctl C -s carol -j wait -T 20 file bob >"$T/carol.ev"
check "carol (remote) gets the file event" ev_ok "$T/carol.ev"

check "alice lists it" lists A alice "$id" $size
check "bob lists it" lists B bob "$id" $size
check "carol lists it" lists C carol "$id" $size
ctl A -s alice file list >"$T/list.txt"
check "the text list has the header ID NAME SIZE FROM TO" \
    eval 'head -n 1 "$T/list.txt" | grep -Eq "^ *ID +NAME +SIZE +FROM +TO *$"'
check "and a line for the file" \
    eval 'grep -E "^$id +big +$size +bob( |$)" "$T/list.txt" >/dev/null'

check "alice gets it on A" \
    eval 'ctl A -s alice -j file get "$id" -o "$T/alice.out" >"$T/aget.json"'
check "alice's copy is byte-identical" cmp -s "$T/big" "$T/alice.out"
check "with the same SHA-256" test "$(sha "$T/alice.out")" = "$sum"
check "get -j answers id, path, size, sha256" jqe --arg id "$id" \
    --arg p "$T/alice.out" --arg s "$sum" --argjson size $size \
    '.id == $id and .path == $p and .size == $size and .sha256 == $s' \
    <"$T/aget.json"
check "no .part is left on A's side" test ! -e "$T/alice.out.part"

check "carol gets it on C" \
    eval 'ctl C -s carol file get "$id" -o "$T/carol.out" >"$T/cget.txt"'
check "carol's copy is byte-identical" cmp -s "$T/big" "$T/carol.out"
check "with the same SHA-256" test "$(sha "$T/carol.out")" = "$sum"
check "get says what it got and where" contains "$T/cget.txt" \
    "got big ($size bytes) into $T/carol.out"
check "no .part is left on C's side" test ! -e "$T/carol.out.part"

# The text form of send, with a small file.
printf 'hello\n' >"$T/small.txt"
check "send in text says what it shared" \
    eval 'ctl B -s bob file send "$T/small.txt" >"$T/send.txt"'
check "as: shared NAME (SIZE bytes) as ID" \
    grep -Eq '^shared small\.txt \(6 bytes\) as [^ ]+$' "$T/send.txt"
check "bob gets it back byte-identical" \
    eval 'sid=$(sed -n "s/.* as //p" "$T/send.txt") &&
    ctl B -s bob file get "$sid" -o "$T/small.out" >/dev/null &&
    cmp -s "$T/small.txt" "$T/small.out"'
