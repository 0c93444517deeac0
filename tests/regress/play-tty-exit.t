#!/bin/sh
# A recording played on the tty sink in a real terminal (tmux, 80x24) gives
# the terminal back with the cursor shown and on its last row, under the
# picture and the chat, whether the recording ends or SIGINT stops it: the
# shell's prompt never lands in the middle of the picture.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || skip_all "no tmux"
command -v ffmpeg >/dev/null || skip_all "no ffmpeg"
plan 6

make_rec "$T/rec.mkv"
play=$(command -v meet-play)
# run NAME: meet-play in a terminal of its own; $T/NAME.pid, then
# $T/NAME.status when it is over.
run() {
	tmux -S "$T/$1.sock" -f /dev/null new-session -d -x 80 -y 24 \
	    "COLORTERM=truecolor $play -a file:'$T/$1.wav' -v tty '$T/rec.mkv' \
	    2> '$T/$1.log' & echo \$! > '$T/$1.pid'; wait \$!;
	    echo \"status \$?\" > '$T/$1.status'; sleep 60"
	_p=$(tmux -S "$T/$1.sock" display -p '#{pid}' 2>/dev/null)
	[ -n "$_p" ] && track "$_p"
	wait_for 10 test -s "$T/$1.pid"
}
# cursor NAME: "X Y VISIBLE" of the terminal's cursor.
cursor() { tmux -S "$T/$1.sock" display -p \
    '#{cursor_x} #{cursor_y} #{cursor_flag}'; }

run end
wait_for 20 test -s "$T/end.status"
diag "at the end: cursor $(cursor end), $(cat "$T/end.status")"
check "played to the end, exit 0" grep -q '^status 0' "$T/end.status"
check "the cursor is shown, on the last row" test "$(cursor end)" = "0 23 1"
tmux -S "$T/end.sock" capture-pane -p > "$T/end.txt"
check "the picture and the chat are still there" eval \
    'grep -q "▀" "$T/end.txt" && grep -q "carol reacts" "$T/end.txt"'
tmux -S "$T/end.sock" kill-server 2>/dev/null

run int
sleep 2
kill -INT "$(cat "$T/int.pid")"
wait_for 10 test -s "$T/int.status"
diag "after SIGINT: cursor $(cursor int), $(cat "$T/int.status")"
check "SIGINT stops it" test -s "$T/int.status"
check "the cursor is shown, on the last row" test "$(cursor int)" = "0 23 1"
tmux -S "$T/int.sock" capture-pane -p > "$T/int.txt"
check "the picture is still there" grep -q "▀" "$T/int.txt"
tmux -S "$T/int.sock" kill-server 2>/dev/null
