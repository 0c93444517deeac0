"""The page over TLS (tests/regress/web-tls.t): a client that trusts the
node's certificate gets the page and speaks WebSocket over it; one that
speaks plain HTTP to the TLS port gets no HTTP answer.  Prints "PASS what"
or "FAIL what" lines.

usage: tls.py PORT CERT"""

import socket
import ssl
import sys
import time

import wsraw

PORT = int(sys.argv[1])
CERT = sys.argv[2]


def check(cond, what):
    print(("PASS " if cond else "FAIL ") + what, flush=True)


ctx = ssl.create_default_context(cafile=CERT)


def tls_socket():
    raw = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="127.0.0.1")


s = tls_socket()
check(s.version() in ("TLSv1.2", "TLSv1.3"), "TLS with the node's "
      "certificate, checked (%s)" % s.version())
s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % PORT)
got = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
except (ssl.SSLError, ConnectionError):
    pass
check(got.startswith(b"HTTP/1.1 200 OK") and b"<!doctype html>" in got,
      "the page comes over TLS")

ws = wsraw.handshake(PORT, sock=tls_socket(),
                     origin="https://127.0.0.1:%d" % PORT)
hello = wsraw.recv_json(ws)
check(hello.get("hello") == "meet", "a WebSocket over TLS gets the hello")
r = wsraw.command(ws, "join", room="standup", name="tina")
check(r.get("code") == 0, "tina joins over it")
r = wsraw.command(ws, "say", text="hello over TLS")
check(r.get("code") == 0, "and says something")
try:
    wsraw.handshake(PORT, sock=tls_socket(),
                    origin="https://127.0.0.1:%d" % (PORT + 1))
    check(False, "a page on another port is another site")
except ValueError as e:
    check("403" in str(e), "a page on another port is another site: 403")

plain = socket.create_connection(("127.0.0.1", PORT), timeout=5)
plain.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
try:
    while True:
        b = plain.recv(65536)
        if not b:
            break
        got += b
except (socket.timeout, ConnectionError):
    pass
check(not got.startswith(b"HTTP/"), "plain HTTP to the TLS port gets no "
      "HTTP answer (%d bytes)" % len(got))

# A connection that starts no TLS is closed at the deadline ([web]
# handshake_timeout = 1 here): it does not linger past it.
idle = socket.create_connection(("127.0.0.1", PORT), timeout=10)
t0 = time.time()
try:
    rest = idle.recv(1)
except (socket.timeout, ConnectionError):
    rest = b"?"
took = time.time() - t0
check(rest == b"" and took < 3, "a silent connection is closed at the "
      "deadline (%.1f s)" % took)
ws.close()
