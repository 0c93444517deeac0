#!/bin/sh
# meetd -n and configuration errors: each names the file, the line and the
# key; no file at all means embedded defaults.
. "$(dirname "$0")/lib.sh"
plan 16

cat > "$T/good.conf" <<CONF
; a comment
[node]
name = hub-1
link_grace = 7.5
[chat]
history = 10
CONF
check "a good file checks" meetd -n -f "$T/good.conf"
printf '[chat]\nhistory = 10\nhistroy = 5\n' > "$T/typo.conf"
meetd -n -f "$T/typo.conf" 2>"$T/err"
check "a typo exits 1" test $? = 1
check "it names file, line and key" contains "$T/err" \
    "typo.conf:3: unknown key 'histroy' in [chat]"
printf '[node]\nlink_grace = soon\n' > "$T/bad.conf"
meetd -n -f "$T/bad.conf" 2>"$T/err"
check "a bad value names file, line and key" contains "$T/err" \
    "bad.conf:2: [node] link_grace: 'soon' is not a number of seconds"
printf '[chat]\nhistory = -1\n' > "$T/range.conf"
meetd -n -f "$T/range.conf" 2>"$T/err"
check "out of range says the range" contains "$T/err" "out of range"
printf '[nodes]\nname = x\n' > "$T/sect.conf"
meetd -n -f "$T/sect.conf" 2>"$T/err"
check "an unknown section is named" contains "$T/err" "unknown section [nodes]"
check "a missing -f file is an error" expect_code 1 \
    meetd -n -f "$T/nonexistent.conf"
meetd -n -f "$T" 2>"$T/err"
rc=$?
check "a directory is no configuration (exit $rc)" eval \
    '[ $rc = 1 ] && contains "$T/err" "$T: is a directory"'
printf '[chat]\nhistory = 10\n[chta]\n' > "$T/empty.conf"
meetd -n -f "$T/empty.conf" 2>"$T/err"
rc=$?
check "an unknown section with no keys is named, with its line" eval \
    '[ $rc = 1 ] && contains "$T/err" "empty.conf:3: unknown section [chta]"'
printf '[node]\nname = n\nlisten = 127.0.0.1:99999\n' > "$T/listen.conf"
meetd -n -f "$T/listen.conf" 2>"$T/err"
rc=$?
check "a bad listen address has its line" eval '[ $rc = 1 ] &&
    contains "$T/err" "listen.conf:3: [node] listen: 127.0.0.1:99999: bad port"'
check "-n checks -l too" expect_code 1 meetd -n -l 127.0.0.1:99999
meetd -n -f "$T/typo.conf" -S "$T/x.sock" 2>/dev/null
check "-n never starts a daemon" test ! -e "$T/x.sock"
start_node A -f "$T/good.conf"
check "the node runs on the file" test \
    "$(ctl A -j status | jq -r .node)" = hub-1

# The shipped file and the man page cover every key the code knows.
keys_code=$(grep -oE '\{ "[a-z]+", "[a-z_]+"' "$top/meetd/config.c" |
    awk -F'"' '{ print $4 }' | sort)
sed -E 's/^;[[:space:]]*([a-z_]+[[:space:]]*=)/\1/' "$top/etc/meetd.conf" \
    > "$T/all.conf"
check "etc/meetd.conf with every key uncommented checks" \
    meetd -n -f "$T/all.conf"
check "etc/meetd.conf shows every key" test "$keys_code" = \
    "$(grep -oE '^[a-z_]+' "$T/all.conf" | sort)"
missing=""
for k in $keys_code; do
	grep -q "^\.It Cm $k " "$top/man/meetd.conf.5" ||
	    missing="$missing $k"
done
check "meetd.conf(5) documents every key${missing:+ (missing:$missing)}" \
    test -z "$missing"
