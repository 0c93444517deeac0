"""A raw WebSocket client for the web-*.t tests: frames built by hand, so
that a test can send what no browser would (unmasked, oversize, bad
UTF-8) and read exactly what meetd answers.  Standard library only."""

import base64
import json
import os
import socket
import struct
import time


class Closed(Exception):
    """The server closed: code and reason of its close frame, if any."""

    def __init__(self, code, reason):
        super().__init__("closed %s %s" % (code, reason))
        self.code = code
        self.reason = reason


def handshake(port, path="/ws", origin=None, extra=b"", timeout=10,
              sock=None):
    """A connected socket (sock, when given) past the 101, or ValueError
    with the status."""
    s = sock or socket.create_connection(("127.0.0.1", port),
                                         timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
           "Sec-WebSocket-Version: 13\r\n" % (path, port, key))
    if origin is not None:
        req += "Origin: %s\r\n" % origin
    s.sendall(req.encode() + extra + b"\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(1)
        if not b:
            raise ValueError("closed during the handshake: %r" % head)
        head += b
    status = head.split(b"\r\n")[0].decode()
    if " 101 " not in status:
        raise ValueError(status)
    return s


def frame(opcode, payload, mask=True, fin=True, rsv=0, length=None):
    """A client frame; length overrides the real one in the header."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    m = 0x80 if mask else 0
    if n < 126:
        h = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        h = struct.pack("!BBH", b0, m | 126, n)
    else:
        h = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return h + payload
    k = os.urandom(4)
    return h + k + bytes(c ^ k[i % 4] for i, c in enumerate(payload))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            raise EOFError("connection closed")
        buf += b
    return buf


def recv_frame(s):
    """(opcode, payload) of the next frame from the server."""
    b0, b1 = recv_exact(s, 2)
    if b1 & 0x80:
        raise ValueError("the server masked a frame")
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", recv_exact(s, 2))
    elif n == 127:
        (n,) = struct.unpack("!Q", recv_exact(s, 8))
    return b0 & 0x0F, recv_exact(s, n)


def recv_json(s, deadline=10.0):
    """The next text message as an object; pings are answered, a close
    raises Closed."""
    end = time.time() + deadline
    while True:
        s.settimeout(max(0.1, end - time.time()))
        op, p = recv_frame(s)
        if op == 1:
            return json.loads(p.decode())
        if op == 8:
            code = struct.unpack("!H", p[:2])[0] if len(p) >= 2 else None
            raise Closed(code, p[2:].decode(errors="replace"))
        if op == 9:
            s.sendall(frame(10, p))


def send_json(s, o):
    s.sendall(frame(1, json.dumps(o).encode()))


def expect_close(s, deadline=10.0):
    """The close code the server ends with (None: it just closed)."""
    try:
        while True:
            recv_json(s, deadline)
    except Closed as c:
        return c.code
    except (EOFError, ConnectionError):
        return None


def command(s, type_, timeout=10.0, **fields):
    """Send one command and return its reply, keeping events aside."""
    command.next_id = getattr(command, "next_id", 0) + 1
    msg = dict(fields, type=type_, id=command.next_id)
    send_json(s, msg)
    while True:
        o = recv_json(s, timeout)
        if o.get("reply") == command.next_id:
            return o
