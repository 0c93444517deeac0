#!/bin/sh
# The tty sink in a real terminal (tmux, 120x40): the grid drawn with half
# blocks, each tile labelled with its source name as text, drawn in place
# (no scrolling), and the terminal given back at the end.
. "$(dirname "$0")/lib.sh"
. "$top/tests/tools/play-lib.sh"
command -v tmux >/dev/null || skip_all "no tmux"
plan 6

mjpeg red "$T/red.mjpeg" 10
mjpeg blue "$T/blue.mjpeg" 10
# Old capture times: the frames are played one a tick, not as live.
mjpeg-tag -o 100000000 alice:"$T/red.mjpeg" bob:"$T/blue.mjpeg" \
    > "$T/in.mjpeg"
play=$(command -v meet-play)
sock="$T/tmux.sock"
tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 40 \
    "COLORTERM=truecolor $play -v tty < '$T/in.mjpeg' 2> '$T/play.log';
     echo \"status \$?\" > '$T/status'; sleep 60"
pid=$(tmux -S "$sock" display -p '#{pid}' 2>/dev/null)
[ -n "$pid" ] && track "$pid"
check "tmux started" test -n "$pid"

wait_for 20 test -s "$T/status"
check "meet-play exits 0" grep -q '^status 0' "$T/status"
tmux -S "$sock" capture-pane -p > "$T/screen.txt"
check "label alice is shown" grep -q 'alice' "$T/screen.txt"
check "label bob is shown" grep -q 'bob' "$T/screen.txt"
check "the picture is half blocks" grep -q '▀' "$T/screen.txt"
# Drawn in place: the labels are on the top rows, not scrolled away.
check "labels on a top row" sh -c "head -n 15 '$T/screen.txt' | grep -q alice"
tmux -S "$sock" kill-server 2>/dev/null
