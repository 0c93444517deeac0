#!/bin/sh
# Refusals: password, lock, size limit (exit 4, saying which); names unique
# in a room; room names unique on a node.
. "$(dirname "$0")/lib.sh"
plan 12

start_node A
start_node B
ctl A create vault --as alice -p s3cret -m 3 >/dev/null

check "no password: exit 4" expect_code 4 ctl A join vault --as bob
ctl A join vault --as bob 2>"$T/err"
check "it says a password is needed" contains "$T/err" "needs a password"
check "wrong password: exit 4" expect_code 4 \
    ctl B join "vault@$addr_A" --as bob -p nope
ctl B join "vault@$addr_A" --as bob -p nope 2>"$T/err"
check "it says the password is wrong" contains "$T/err" "wrong password"
check "right password from another node" \
    ctl B join "vault@$addr_A" --as bob -p s3cret
check "a taken name is refused" expect_code 1 \
    ctl A join vault --as bob -p s3cret
ctl A -s alice lock >/dev/null
ctl A join vault --as carol -p s3cret 2>"$T/err"
check "locked: exit 4 and says so" eval \
    "test $? = 4 && grep -q 'is locked' $T/err"
ctl A -s alice unlock >/dev/null
check "unlocked: carol gets in" ctl A join vault --as carol -p s3cret
ctl A join vault --as dave -p s3cret 2>"$T/err"
check "full at 3: exit 4 and says so" eval \
    "test $? = 4 && grep -q 'is full' $T/err"
check "a second room of the same name is refused" expect_code 1 \
    ctl A create vault --as erin
check "bad room names are usage errors" expect_code 2 \
    ctl A create 'no/slash' --as erin
check "bad participant names are usage errors" expect_code 2 \
    ctl A create ok --as 'a b'
