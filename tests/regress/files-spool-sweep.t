#!/bin/sh
# A node killed with SIGKILL leaves its shared files in the spool, and the
# next node to start on that spool removes them; nodes still running on the
# same spool (here B) keep theirs, and nothing of another's in the spool is
# touched.  A, B and then C share $T/spool: A and B each host a room with a
# file in it; A is killed; C starts: A's folder and file are gone (C says so
# in its log), B's file is still there and still fetched whole, and a file
# and a folder of someone else's in the spool, and a file that is not one
# of meet's in a dead run's folder, are left as they were.  B, stopped,
# leaves nothing.
. "$(dirname "$0")/lib.sh"
plan 10

printf '[files]\nspool = %s\n' "$T/spool" > "$T/spool.conf"
start_node A -f "$T/spool.conf"
start_node B -f "$T/spool.conf"
ctl A create ra --as alice > /dev/null
ctl B create rb --as bob > /dev/null
head -c 100000 /dev/urandom > "$T/fa"
head -c 100000 /dev/urandom > "$T/fb"
ida=$(ctl A -s alice -j file send "$T/fa" | jq -r '.id // empty')
idb=$(ctl B -s bob -j file send "$T/fb" | jq -r '.id // empty')
# in_spool ID: the spool holds a file of that id, in some run's folder.
in_spool() { [ -n "$1" ] && [ -n "$(find "$T/spool" -name "$1")" ]; }
check "A's and B's files are in the shared spool" eval \
    'in_spool "$ida" && in_spool "$idb"'

# Someone else's, in the spool: a file, a folder, and in a folder named as
# a run of meet's whose node is gone, one file of meet's and one not.
echo mine > "$T/spool/notes.txt"
mkdir "$T/spool/other" && echo theirs > "$T/spool/other/0123456789abcdef"
dead="$T/spool/meetd-0123456789abcdef0123456789abcdef"
mkdir "$dead" && echo x > "$dead/fedcba9876543210" &&
    echo keep > "$dead/keep.me"

kill -9 "$pid_A"
wait "$pid_A" 2> /dev/null
check "killed, A leaves its file" in_spool "$ida"

start_node C -f "$T/spool.conf"
check "C's start removes A's file" eval '! in_spool "$ida"'
check "and says so" grep -q "left by a run that is over removed" "$T/C.log"
check "B's file stays" in_spool "$idb"
check "and B still gives it whole" eval \
    'ctl B -s bob file get "$idb" -o "$T/fb.out" && cmp "$T/fb" "$T/fb.out"'
check "someone else's file and folder are left alone" eval \
    '[ "$(cat "$T/spool/notes.txt")" = mine ] &&
    [ "$(cat "$T/spool/other/0123456789abcdef")" = theirs ]'
check "in a dead run's folder, only meet's file goes" eval \
    '! [ -e "$dead/fedcba9876543210" ] && [ "$(cat "$dead/keep.me")" = keep ]'
check "A's folder is gone: B's, C's and the kept one are left" test \
    "$(ls -A "$T/spool" | grep -c '^meetd-')" = 3
stop_node B
check "B, stopped, leaves neither file nor folder" eval \
    '! in_spool "$idb" && [ "$(ls -A "$T/spool" | grep -c "^meetd-")" = 2 ]'
