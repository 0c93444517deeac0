#!/bin/sh
# Sessions belong to their Unix user, and the control socket's group
# counts as a supplementary group.  Two temporary users have the socket's
# group as a supplementary group only: ann makes a session, and ben may
# not act as it (-s), see it in sessions, end its meeting, leave it, say
# in it, nor take its name; without -s, ben's commands choose among ben's
# own sessions only.  Root may act as all.  A third user, not in the
# group, is refused with exit 1 and the daemon's reason, also when its
# command is too large to be written before the daemon hangs up.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root, to add users"
for c in useradd userdel groupadd groupdel setpriv; do
	command -v $c >/dev/null || skip_all "no $c"
done
plan 30

# Unique names, removed when the test ends, whatever happens.
tag=$$
grp=meetg$tag
ann=meeta$tag
ben=meetb$tag
cal=meetc$tag
users_cleanup() {
	for u in $ann $ben $cal; do
		userdel "$u" 2>/dev/null
		groupdel "$u" 2>/dev/null
	done
	groupdel "$grp" 2>/dev/null
}
trap 'users_cleanup; cleanup' EXIT
groupadd "$grp" || { echo "Bail out! groupadd $grp"; exit 1; }
# -U: each has a group of its own as its primary group, so that the
# socket's group is only a supplementary one.
for u in $ann $ben; do
	useradd -M -U -G "$grp" "$u" || { echo "Bail out! useradd $u"; exit 1; }
done
useradd -M -U "$cal" || { echo "Bail out! useradd $cal"; exit 1; }

# The socket in $T: others may pass through, not list it.
chmod 0711 "$T"
cat >"$T/A.conf" <<EOF
[control]
group = $grp
EOF
start_node A -f "$T/A.conf"

# as USER ARGS...: meetctl against A as USER, with USER's groups.
as() {
	as_user=$1; shift
	timeout 30 setpriv --reuid="$as_user" --regid="$(id -g "$as_user")" \
	    --init-groups meetctl -S "$T/A.sock" "$@"
}
# fails_as USER CODE MESSAGE ARGS...: exit CODE, and stderr is MESSAGE.
fails_as() {
	u_user=$1; u_want=$2; u_msg=$3; shift 3
	as "$u_user" "$@" 2>"$T/err"
	u_code=$?
	[ "$u_code" = "$u_want" ] || {
		echo "# exit status $u_code, wanted $u_want: $(cat "$T/err")" >&2
		return 1
	}
	grep -qxF -- "meetctl: $u_msg" "$T/err" || {
		echo "# stderr: $(cat "$T/err")" >&2; return 1; }
}
# refused_as USER MESSAGE ARGS...: exit 1, and stderr is MESSAGE.
refused_as() { u_user=$1; shift; fails_as "$u_user" 1 "$@"; }
# sees USER NAMES: the sessions USER sees are NAMES (in order, one space
# apart; "" for none).
sees() {
	u_out=$(as "$1" -j sessions) || return 1
	u_names=$(printf '%s\n' "$u_out" |
	    jq -r '[.sessions[].name] | join(" ")') || return 1
	[ "$u_names" = "$2" ] && return 0
	echo "# $1 sees '$u_names', not '$2'" >&2
	return 1
}

check "the socket's group is one of ben's supplementary groups only" eval \
    '[ "$(id -gn "$ben")" != "$grp" ] && id -Gn "$ben" | grep -qw "$grp"'
check "ann, by a supplementary group, may use the node" \
    quiet as $ann create standup --as alice
check "ben may run status" quiet as $ben status
check "ben may not act as ann's session" refused_as $ben \
    "session alice belongs to another user" -s alice who
check "ben does not see it in sessions -j" sees $ben ""
check "nor in sessions" eval \
    'as $ben sessions >"$T/out" 2>&1 && [ ! -s "$T/out" ]'
check "ben may not end its meeting" refused_as $ben \
    "session alice belongs to another user" -s alice end
check "ben may not leave as it" refused_as $ben \
    "session alice belongs to another user" -s alice leave
check "ben may not say as it" refused_as $ben \
    "session alice belongs to another user" -s alice say hello
check "ben may not follow its events" refused_as $ben \
    "session alice belongs to another user" -s alice events
check "without -s, ben has no session" refused_as $ben \
    "no session: create or join a room first" who
check "ben may not take its name" refused_as $ben \
    "there is already a session alice on this node, and it belongs to another user" \
    create other --as alice
check "the room is still there" eval \
    'ctl A -j rooms | jqe "any(.rooms[]; .name == \"standup\")"'
check "with alice in it" in_roster A alice alice
check "ann still acts as alice" quiet as $ann -s alice who
check "ann's own name taken twice: the usual refusal" refused_as $ann \
    "there is already a session alice on this node" join standup --as alice

# Each has a session of its own: without -s, each gets its own.
as $ben join standup --as bob >/dev/null
ctl A create rootroom --as carol >/dev/null
check "ben, one session of its own among three, needs no -s" eval \
    'as $ben -j who | jqe "any(.participants[]; .name == \"bob\")"'
check "ann too" eval \
    'as $ann -j who | jqe "any(.participants[]; .name == \"alice\")"'
check "ben sees only bob" sees $ben bob
check "ann sees only alice" sees $ann alice
check "ben may not act as root's session" refused_as $ben \
    "session carol belongs to another user" -s carol who
as $ben join rootroom --as bob2 >/dev/null
check "with two, ben's list of them holds only ben's" fails_as $ben 2 \
    "there are several sessions (bob, bob2): pick one with -s" who
check "root sees all" sees root "alice bob carol bob2"
check "root may act as ann's session" quiet ctl A -s alice say from root
check "and end its meeting" quiet ctl A -s alice end
check "ben's session ended with it" sees $ben bob2

# Not in the group: refused, and told why.  The kernel keeps cal out of
# the 0660 socket; open it to all, as a mistake might, to see that the
# daemon refuses cal all the same.
chmod 0666 "$T/A.sock"
why="permission denied: uid $(id -u $cal) is not root, not the daemon's user, and not in the socket's group (gid $(getent group $grp | cut -d: -f3))"
check "cal, not in the group, is refused with exit 1 and the reason" \
    refused_as $cal "$why" status
# A command larger than the socket's buffer: meetctl is still writing
# when the daemon hangs up, and must read the reason, not die of EPIPE.
big=$(head -c 100000 /dev/zero | tr '\0' x)
check "also when its write fails (a 300 KB command)" \
    refused_as $cal "$why" say "$big" "$big" "$big"
check "the refusal is logged" contains "$T/A.log" \
    "refused uid $(id -u $cal)"
check "the node still answers" quiet ctl A status
