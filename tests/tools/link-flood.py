#!/usr/bin/env python3
# link-flood: many half-open connections to a node's link port.
#
#   link-flood.py [-s SOURCE] HOST:PORT N MODE HOLD
#
# Opens N connections one after another and leaves each half-done:
#   big      TLS with a key of its own, then the start of a 1 MiB frame
#   partial  TLS, then the start of a small frame that never ends
#   raw      no TLS: the start of a TLS record that never ends
#   garbage  no TLS: bytes that are no TLS record at all
# prints "ready K" (K connections the node accepted and did not close at
# once), then holds them for HOLD seconds and prints "closed C" (how many
# the node closed meanwhile).  -s binds the connections to SOURCE (another
# loopback address, say), so a limit per address can be seen.  Bounded: every connect and handshake has a
# timeout, and it exits after HOLD.
import os
import select
import socket
import ssl
import struct
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
make_key = __import__("link-client").make_key

args = sys.argv[1:]
src = None
if args[0] == "-s":
    src, args = (args[1], 0), args[2:]
addr, n, mode, hold = args[0], int(args[1]), args[2], float(args[3])
host, port = addr.rsplit(":", 1)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
key, cert = make_key(tempfile.mkdtemp(prefix="link-flood."))
ctx.load_cert_chain(cert, key)

socks = []
for i in range(n):
    try:
        s = socket.create_connection((host, int(port)), timeout=5,
                                     source_address=src)
        if mode == "raw":
            s.sendall(b"\x16\x03\x01\x40\x00" + b"\x01" * 100)
        elif mode == "garbage":
            s.sendall(b"ME\x01\x00\x00\x10\x00\x00" + b"\x00" * 100)
        else:
            s = ctx.wrap_socket(s)
            if mode == "big":
                s.sendall(b"ME\x01\x00" + struct.pack(">I", 1 << 20) +
                          b"x" * 1000)
            else:
                s.sendall(b"ME\x01\x00" + struct.pack(">I", 1000) +
                          b"{\"version\"")
        s.setblocking(False)
        socks.append(s)
    except (OSError, ssl.SSLError):
        pass

# What the node closed at once does not count as held.
time.sleep(0.3)


def gone(s):
    try:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            return False
        return s.recv(65536) == b""
    except ssl.SSLWantReadError:
        return False
    except (OSError, ssl.SSLError):
        return True


held = [s for s in socks if not gone(s)]
print("ready %d" % len(held), flush=True)
end = time.time() + hold
closed = set()
while time.time() < end and len(closed) < len(held):
    for i, s in enumerate(held):
        if i not in closed and gone(s):
            closed.add(i)
    time.sleep(0.1)
print("closed %d" % len(closed), flush=True)
for s in socks:
    s.close()
