"""Bad input on a node's page port (tests/regress/web-bad-input.t): what no
browser sends, each on its own connection, must close that connection
with the answer RFC 6455 and HTTP name, and leave everyone else alone.
Prints "PASS what" or "FAIL what" lines for the .t to count.

usage: badinput.py PORT   (the node runs with [web] max_message = 4096,
handshake_timeout = 1, max_handshakes = 4)"""

import socket
import sys
import time

import wsraw

PORT = int(sys.argv[1])


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what, flush=True)


def http(raw, timeout=5):
    """What the server answers to raw bytes, until it closes."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    s.sendall(raw)
    got = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
    except socket.timeout:
        got += b"<still open>"
    s.close()
    return got


def status(resp):
    return resp.split(b"\r\n")[0].decode(errors="replace")


def closed_with(frame_bytes, code, what):
    s = wsraw.handshake(PORT)
    wsraw.recv_json(s)              # hello
    s.sendall(frame_bytes)
    got = wsraw.expect_close(s)
    check(got == code, "%s: closed with %s (got %s)" % (what, code, got))
    # And then the connection is gone.
    try:
        s.settimeout(3)
        rest = s.recv(1)
    except (ConnectionError, socket.timeout):
        rest = b"?"
    check(rest == b"", "%s: then the connection is closed" % what)
    s.close()


# A participant that behaves, there before and after all of it.
good = wsraw.handshake(PORT)
hello = wsraw.recv_json(good)
check(hello.get("hello") == "meet", "a good client gets the hello")

# --- HTTP ---------------------------------------------------------------
r = http(b"GET / HTTP/1.1\nHost: x\n\n")
check(status(r) == "HTTP/1.1 400 Bad Request", "bare LF: 400 (%s)" %
      status(r))
r = http(b"GET / HTTP/1.1\r\nHost: x\r\nCookie: " + b"a" * 9000)
check(status(r).startswith("HTTP/1.1 431"), "a 9 KB head: 431 (%s)" %
      status(r))
r = http(b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n")
check(status(r) == "HTTP/1.1 400 Bad Request", "a folded header: 400")
r = http(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
check(status(r) == "HTTP/1.1 400 Bad Request", "two Hosts: 400")
r = http(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
check(status(r).startswith("HTTP/1.1 413"), "a body: 413 (%s)" % status(r))
r = http(b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
check(status(r).startswith("HTTP/1.1 405") and b"Allow: GET" in r,
      "DELETE: 405 with Allow")
r = http(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
check(status(r).startswith("HTTP/1.1 426"), "GET /ws without Upgrade: 426")
r = http(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n")
check(status(r).startswith("HTTP/1.1 404"), "a path outside the page: 404")
r = http(b"GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n")
check(status(r).startswith("HTTP/1.1 400"), "an escaped NUL: 400")
r = http(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64)
check(status(r).startswith("HTTP/1.1 400"), "a TLS hello: 400")
try:
    wsraw.handshake(PORT, origin="http://evil.example")
    check(False, "a WebSocket from another site is refused")
except ValueError as e:
    check("403" in str(e), "a WebSocket from another site: 403 (%s)" % e)
try:
    wsraw.handshake(PORT, extra=b"Sec-WebSocket-Key: second\r\n")
    check(False, "two keys are refused")
except ValueError as e:
    check("400" in str(e), "two Sec-WebSocket-Keys: 400")

# --- WebSocket ------------------------------------------------------------
closed_with(wsraw.frame(1, b'{"type":"rooms"}', mask=False), 1002,
            "an unmasked frame")
# Only the header: the size is refused before the payload is sent.
closed_with(wsraw.frame(1, b"", length=5000), 1009, "a 5000-byte frame")
closed_with(wsraw.frame(1, b"x" * 3000, fin=False) +
            wsraw.frame(0, b"x" * 3000), 1009,
            "a 6000-byte message in two frames")
closed_with(wsraw.frame(1, b'{"type":"say","text":"\xc3\x28"}'), 1007,
            "bad UTF-8 in a text message")
closed_with(wsraw.frame(1, b"\xe2\x82", fin=False) + wsraw.frame(0, b"!"),
            1007, "a character cut between fragments")
closed_with(wsraw.frame(3, b"x"), 1002, "a reserved opcode")
closed_with(wsraw.frame(1, b"x", rsv=4), 1002, "a reserved bit")
closed_with(wsraw.frame(9, b"p", fin=False), 1002, "a fragmented ping")
closed_with(wsraw.frame(0, b"x"), 1002, "a continuation of nothing")
closed_with(wsraw.frame(2, b"\xff\xd8"), 1003, "a binary message (no media "
            "from browsers yet)")
closed_with(wsraw.frame(8, b"\x03\xed"), 1002, "close code 1005 on the "
            "wire")
closed_with(wsraw.frame(8, b"\x03\xe8"), 1000, "a close: echoed")

s = wsraw.handshake(PORT)
wsraw.recv_json(s)
s.sendall(wsraw.frame(9, b"are you there"))
op, p = wsraw.recv_frame(s)
check(op == 10 and p == b"are you there", "a ping gets its pong")
wsraw.send_json(s, [1, 2])
o = wsraw.recv_json(s)
check("error" in o, "a message that is not an object: an error, %s" % o)
s.sendall(wsraw.frame(1, b"{not json"))
o = wsraw.recv_json(s)
check("error" in o, "one that is not JSON: an error")
o = wsraw.command(s, "format-disk")
check("unknown message type" in o.get("error", ""), "an unknown type: "
      "an error")
o = wsraw.command(s, "say", text="hi")
check("not in a room" in o.get("error", ""), "say before joining: refused")
o = wsraw.command(s, "join", room=["standup"], name="x")
check("a string is needed" in o.get("error", ""), "a room that is no "
      "string: refused")
o = wsraw.command(s, "join", room="standup", name="zed")
check(o.get("code") == 0, "then it joins standup")
o = wsraw.command(s, "say", text="-t alice secret")
check(o.get("code") == 0, "and says '-t alice secret'")
o = wsraw.command(s, "kick", name="-a")
check(o.get("code") != 0 and "only the host" in o.get("err", ""),
      "kick '-a' is a kick of someone called -a, refused: not the host")
s.close()

# --- the handshake's bounds ------------------------------------------------
t0 = time.time()
r = http(b"GET / HTTP/1.1\r\n", timeout=5)
took = time.time() - t0
check(status(r).startswith("HTTP/1.1 408") and took < 3,
      "a request that never ends: 408 after %.1f s" % took)
idle = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(4)]
time.sleep(0.2)
# Refused at once, unread: its request may reach a closed socket, and the
# 503 then be lost to the reset.  Either way, it is not served.
try:
    r = http(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
except ConnectionResetError:
    r = b"HTTP/1.1 503 (reset)"
check(status(r).startswith("HTTP/1.1 503"), "a fifth connection while 4 "
      "wait ([web] max_handshakes): 503 (%s)" % status(r))
time.sleep(1.5)
r = http(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
check(status(r) == "HTTP/1.1 200 OK", "once they timed out, the page again")
for c in idle:
    c.close()

# The good client never noticed.
o = wsraw.command(good, "join", room="standup", name="good")
check(o.get("code") == 0, "the good client still runs commands")
o = wsraw.command(good, "rooms")
check("unknown message type" in o.get("error", ""), "a page may not list "
      "the node's rooms: it joins the one it is told")
good.close()
