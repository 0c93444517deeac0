#!/bin/sh
# A stranger with a key of its own claims to be node B on hub A: it learns
# B's run id from B's own hello, presents it to A, says B has no sessions
# left (an empty resume), and uses carol's session id (read from A's debug
# log, as if it had been guessed or stolen) to resume it, to read its
# history and to post as it.  None of it works: on A everything B's link
# made belongs to B's key.  carol stays in the room, her private chat stays
# private, and nothing is posted in her name.
. "$(dirname "$0")/lib.sh"
plan 12

GRACE=3 quick_conf "$T/A.conf"
start_node A -f "$T/A.conf" -v
start_node B
ctl A create standup --as alice >/dev/null
ctl B join "standup@$addr_A" --as carol >/dev/null
wait_for 10 in_roster A alice carol
ctl A -s alice say -t carol "the secret is 42" >/dev/null
check "carol gets alice's private line" \
    saw_chat B carol alice "the secret is 42"
sid=$(sed -n 's/.*session \([0-9a-f]\{32\}\) of node .* as carol$/\1/p' \
    "$T/A.log" | head -n 1)
check "A's log names carol's session id" test -n "$sid"
check "session ids are 128 random bits" \
    sh -c "echo '$sid' | grep -Eqx '[0-9a-f]{32}'"

python3 - "$top/tests/tools" "$addr_A" "$addr_B" "$sid" >"$T/attack" <<'EOF'
import sys, json, base64, os
sys.path.insert(0, sys.argv[1])
key = base64.b64encode(os.urandom(32)).decode()
link_client = __import__("link-client")
Link = link_client.Link
hub, b, sid = sys.argv[2], sys.argv[3], sys.argv[4]

# B's run id: B says it in its own hello.
probe = Link(b)
probe.send(1, {"version": 2, "instance": "0" * 32, "name": "probe",
               "media_port": 1, "media_key": key})
f = probe.read()
b_instance = f[1]["instance"] if f and f[0] == 1 else None
print("b-instance", "known" if b_instance else "unknown")

# Claim to be B on the hub.
x = Link(hub)
x.send(1, {"version": 2, "instance": b_instance, "name": "B",
           "media_port": 1, "media_key": key})
f = x.read()
print("hello", "answered" if f and f[0] == 1 else "refused")
r = x.request(1, "resume", sessions=[])
print("empty-resume", json.dumps(r.get("alive") if r else None))
r = x.request(2, "resume", sessions=[sid])
print("resume", json.dumps(r.get("alive") if r else None))
r = x.request(3, "cmd", session=sid, argv=["history"], json=True)
print("history", json.dumps(r))
r = x.request(4, "cmd", session=sid, argv=["say", "mallory was here"],
              json=False)
print("say", r.get("code") if r else None)
r = x.request(5, "file_open", session=sid, file="1")
print("file_open", json.dumps(r))
EOF
diag "$(cat "$T/attack")"
check "the stranger learned B's run id (so the test means something)" \
    grep -qx "b-instance known" "$T/attack"
check "its empty resume changed nothing of B's" \
    grep -qx 'empty-resume \[\]' "$T/attack"
check "carol's session id resumes nothing for it" \
    grep -qx 'resume \[\]' "$T/attack"
check "it cannot read carol's history" \
    sh -c "grep '^history' '$T/attack' | grep -q 'no such participant' &&
    ! grep -q 'secret' '$T/attack'"
check "it cannot post as carol" grep -qx "say 1" "$T/attack"
check "nor fetch her files" \
    sh -c "grep '^file_open' '$T/attack' | grep -q 'no file'"
check "carol is still on alice's roster" in_roster A alice carol
ctl B -s carol say "still me" >/dev/null
check "carol still chats" saw_chat A alice carol "still me"
ctl A -s alice history >"$T/history"
check "nothing was posted as carol" \
    sh -c "! grep -q 'mallory was here' '$T/history'"
