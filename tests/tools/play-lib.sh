# Helpers for the meet-play regress tests (tests/regress/play-*.t), sourced
# after lib.sh: making MJPEG inputs with ffmpeg and judging decoded output.

# mjpeg COLOUR FILE [FRAMES] [SIZE]: an untagged MJPEG file of one colour.
mjpeg() {
	ffmpeg -nostdin -loglevel error -f lavfi \
	    -i "color=$1:s=${4:-320x240}:r=10" -frames:v "${3:-20}" \
	    -c:v mjpeg -f mjpeg -y "$2"
}

# last_rgb Y4M W H OUT: the last frame of a y4m file as raw rgb24.
last_rgb() {
	ffmpeg -nostdin -loglevel error -i "$1" -f rawvideo -pix_fmt rgb24 \
	    -y "$4.all" || return 1
	tail -c $(($2 * $3 * 3)) "$4.all" > "$4"
	rm -f "$4.all"
	[ "$(wc -c < "$4")" -eq $(($2 * $3 * 3)) ]
}

# frames_rgb Y4M: the number of frames ffprobe counts in a file.
frames_of() {
	ffprobe -v error -count_frames -select_streams v:0 \
	    -show_entries stream=nb_read_frames -of csv=p=0 "$1"
}

# pixel RGB W X Y: "R G B" of a pixel of a raw rgb24 frame.
pixel() {
	od -An -tu1 -j $((($4 * $2 + $3) * 3)) -N3 "$1" |
	    awk '{ print $1, $2, $3 }'
}

# is COLOUR RGB W X Y: the pixel is clearly red, green, blue or black.
is() {
	set -- "$1" $(pixel "$2" "$3" "$4" "$5")
	case $1 in
	red)	[ "$2" -gt 180 ] && [ "$3" -lt 80 ] && [ "$4" -lt 80 ] ;;
	green)	[ "$3" -gt 90 ] && [ "$2" -lt 60 ] && [ "$4" -lt 60 ] ;;
	blue)	[ "$4" -gt 180 ] && [ "$2" -lt 60 ] && [ "$3" -lt 60 ] ;;
	black)	[ "$2" -lt 40 ] && [ "$3" -lt 40 ] && [ "$4" -lt 40 ] ;;
	*)	return 1 ;;
	esac || { echo "# pixel is $2 $3 $4, not $1" >&2; return 1; }
}
