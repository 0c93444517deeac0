#!/bin/sh
# Chat text: a length limit (config), invalid UTF-8 and control characters
# refused with a clear error; say - sends each line of stdin; the history
# keeps the last N messages (config); reactions.
. "$(dirname "$0")/lib.sh"
plan 11

cat > "$T/A.conf" <<CONF
[chat]
max_length = 20
history = 3
CONF
start_node A -f "$T/A.conf"
ctl A create standup --as alice >/dev/null
ctl A join standup --as bob >/dev/null

check "20 bytes pass" ctl A -s alice say 12345678901234567890
ctl A -s alice say 123456789012345678901 2>"$T/err"
check "21 bytes are refused, saying why" eval \
    "test $? = 1 && grep -q 'longer than the limit of 20' $T/err"
ctl A -s alice say "$(printf 'bad\033[31m')" 2>"$T/err"
check "an escape character is refused" eval \
    "test $? = 1 && grep -q 'control character 0x1b' $T/err"
ctl A -s alice say "$(printf 'a\tb')"
check "a tab is fine" test $? = 0
ctl A -s alice say "$(printf '\377\376')" 2>"$T/err"
check "invalid UTF-8 is refused" eval "grep -q 'UTF-8' $T/err"
check "an emoji reaction passes" ctl A -s bob react 🎉
check "a sentence is not a reaction" expect_code 1 \
    ctl A -s bob react "two words"

printf 'one\ntwo\n\nthree' | ctl A -s bob say - 
check "say - exits 0" test $? = 0
ctl A -s alice wait -T 5 chat bob >/dev/null
ctl A -s alice wait -T 5 chat bob >/dev/null
ctl A -s alice wait -T 5 chat bob > "$T/third"
check "say - sends each line, the last without a newline too" \
    contains "$T/third" "<bob> three"
check "the history keeps the last 3" test \
    "$(ctl A -s alice history | wc -l)" = 3
printf 'fine\n%s\n' "$(printf 'x\033')" | ctl A -s bob say - 2>"$T/err"
check "say - reports a bad line and exits 1" eval \
    "test $? = 1 && grep -q 'control character' $T/err"
