"""A browser that stops reading must not delay the others
(tests/regress/web-slow.t).  Two raw participants join standup: "slow"
never reads again (a small receive buffer, so that the node's output to
it backs up), "fast" reads everything.  The CLI host floods the room with
chat; fast must get every line, and a last one promptly, and the node
must drop slow rather than queue for it without bound.  Prints "PASS
what" or "FAIL what" lines, and "# figure" lines.

usage: slow.py PORT SOCKET MEETCTL LINES"""

import socket
import subprocess
import sys
import threading
import time

import wsraw

PORT = int(sys.argv[1])
SOCK = sys.argv[2]
MEETCTL = sys.argv[3]
LINES = int(sys.argv[4])
TEXT = "x" * 3900


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what, flush=True)


def ctl(*args, stdin=None):
    return subprocess.run([MEETCTL, "-S", SOCK] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


# slow: a receive buffer of a few KiB, set before connecting (the window
# it offers), then never read after the join.
raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
raw.settimeout(10)
raw.connect(("127.0.0.1", PORT))
slow = wsraw.handshake(PORT, sock=raw)
wsraw.recv_json(slow)
r = wsraw.command(slow, "join", room="standup", name="slow")
check(r.get("code") == 0, "slow joins")

fast = wsraw.handshake(PORT)
wsraw.recv_json(fast)
r = wsraw.command(fast, "join", room="standup", name="fast")
check(r.get("code") == 0, "fast joins")

got = []            # (time, text) of each chat line fast gets
done = threading.Event()


def reader():
    try:
        while True:
            o = wsraw.recv_json(fast, 60)
            if o.get("event") == "chat":
                got.append((time.time(), o["text"]))
                if o["text"] == "the last line":
                    done.set()
                    return
    except Exception as e:      # the test fails on what is missing
        print("# fast's reader: %r" % e, flush=True)
        done.set()


th = threading.Thread(target=reader, daemon=True)
th.start()

t0 = time.time()
flood = "".join("%d %s\n" % (i, TEXT) for i in range(LINES))
r = ctl("-s", "alice", "say", "-", stdin=flood)
t1 = time.time()
check(r.returncode == 0, "alice floods the room with %d lines of 3.9 KB "
      "(%s)" % (LINES, r.stderr.strip()))
sent = time.time()
r = ctl("-s", "alice", "say", "the last line")
done.wait(30)
late = (got[-1][0] - sent) if got and got[-1][1] == "the last line" \
    else None
print("# flood of %d lines took %.2f s to post" % (LINES, t1 - t0))
print("# fast got %d lines; the last one %s after it was said" %
      (len(got), "%.0f ms" % (late * 1000) if late is not None else
       "never"), flush=True)
check(len(got) == LINES + 1, "fast got every line (%d of %d)" %
      (len(got), LINES + 1))
check(late is not None and late < 2.0, "fast got the last line at once "
      "(%s)" % ("%.0f ms" % (late * 1000) if late is not None else "never"))


def slow_gone():
    r = ctl("-s", "alice", "who")
    return r.returncode == 0 and "slow" not in r.stdout


end = time.time() + 10
while not slow_gone() and time.time() < end:
    time.sleep(0.2)
check(slow_gone(), "the node dropped slow, who no longer lists it")
try:
    slow.settimeout(5)
    # Whatever slow's kernel holds comes out, then the end.
    while slow.recv(65536):
        pass
    check(True, "slow's connection is closed")
except (ConnectionError, socket.timeout) as e:
    check(isinstance(e, ConnectionError), "slow's connection is closed "
          "(%r)" % e)
fast.close()
