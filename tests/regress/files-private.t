#!/bin/sh
# A private file: carol (on B) shares a file with alice alone.  alice (the
# host, on A), and carol herself, list it; alice fetches it byte-identical.
# bob (on A, the hosting node) and dave (on B, carol's own node) neither
# list it nor can fetch it ("no file ID", exit 1), and never get a file event
# for it: the public file carol shares next is the only one they hear of.
. "$(dirname "$0")/lib.sh"
plan 19

for n in A B; do
	printf '[files]\nspool = %s\n' "$T/spool$n" >"$T/$n.conf"
	start_node $n -f "$T/$n.conf"
done
lists() { ctl "$1" -s "$2" -j file list | jqe --arg id "$3" \
    'any(.files[]; .id == $id)'; }
not_lists() { ctl "$1" -s "$2" -j file list | jqe --arg id "$3" \
    'all(.files[]; .id != $id)'; }
# refused NODE SESSION: get of the private file fails, names it, leaves
# nothing behind.
refused() {
	ctl "$1" -s "$2" file get "$id" -o "$T/$2.out" >/dev/null \
	    2>"$T/$2.err"
	_rc=$?
	[ $_rc = 1 ] || { diag "$2: exit $_rc"; return 1; }
	contains "$T/$2.err" "no file $id" || { diag "$2: $(cat "$T/$2.err")"
	    return 1; }
	[ ! -e "$T/$2.out" ] && [ ! -e "$T/$2.out.part" ]
}
# only_public NODE SESSION: the session's only file event is the public one.
only_public() {
	ctl "$1" -s "$2" -j events | jq -s --arg p "$pubid" \
	    '[.[] | select(.event == "file")] | length == 1 and .[0].id == $p' |
	    grep -qx true
}

ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
ctl B join "standup@$addr_A" --as dave >/dev/null
wait_for 10 in_roster A alice carol
wait_for 10 in_roster A alice dave

head -c 300000 /dev/urandom >"$T/secret"
check "carol shares a file with alice alone" \
    eval 'ctl B -s carol -j file send -t alice "$T/secret" >"$T/send.json"'
id=$(jq -r '.id // empty' "$T/send.json" 2>/dev/null)
diag "private id $id"
ctl A -s alice -j wait -T 20 file carol >"$T/alice.ev"
check "alice gets the file event, addressed to her" jqe --arg id "$id" \
    '.event == "file" and .id == $id and .to == "alice" and
    .from == "carol" and .name == "secret"' <"$T/alice.ev"
check "alice lists it" lists A alice "$id"
check "carol lists it (hers)" lists B carol "$id"
check "the list says whom it is to" eval 'ctl A -s alice -j file list |
    jqe --arg id "$id" "any(.files[]; .id == \$id and .to == \"alice\")"'
check "bob does not list it" not_lists A bob "$id"
check "dave does not list it" not_lists B dave "$id"
check "nor does bob's text list" \
    eval '! ctl A -s bob file list | grep -qF -- "$id"'
check "alice fetches it" \
    ctl A -s alice file get "$id" -o "$T/alice.out"
check "byte-identical" cmp -s "$T/secret" "$T/alice.out"
check "bob's get fails: exit 1, no file ID" refused A bob
check "dave's get fails: exit 1, no file ID" refused B dave

# A public file after it: once bob and dave have its event, they would
# have had the private one before it.
printf 'for everyone\n' >"$T/public"
check "carol shares a public file" \
    eval 'ctl B -s carol -j file send "$T/public" >"$T/pub.json"'
pubid=$(jq -r '.id // empty' "$T/pub.json" 2>/dev/null)
check "bob's next file event is the public file" eval \
    'ctl A -s bob -j wait -T 20 file carol | jqe --arg p "$pubid" ".id == \$p"'
check "dave's next file event is the public file" eval \
    'ctl B -s dave -j wait -T 20 file carol | jqe --arg p "$pubid" ".id == \$p"'
check "bob never got an event for the private file" only_public A bob
check "dave never got an event for the private file" only_public B dave

check "-t nobody is refused (exit 1)" eval 'expect_code 1 \
    ctl B -s carol file send -t nobody "$T/public" 2>"$T/nobody.err"'
check "naming the missing person" contains "$T/nobody.err" "nobody"
