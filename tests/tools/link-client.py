#!/usr/bin/env python3
# link-client: a stranger on a node's link port, for the trust tests.
#
#   link-client.py [--key DIR] HOST:PORT close|reply|hold SECONDS < BYTES
#
# Connects with TLS 1.3 and a key of its own (made in DIR, default a fresh
# temporary one, with the openssl command), sends BYTES, then: close hangs
# up at once; reply prints each frame that comes back as "TYPE BODY" and
# "EOF" when the node hangs up ("TIMEOUT" after 5 s); hold keeps the
# connection open SECONDS and prints EOF if the node closed it first.
# With --plain it speaks no TLS at all (and prints what came back, raw, as
# "RAW <hex>").
#
# As a module (python3 -c 'import ...'), Link gives scenarios a connection
# that sends and reads frames, for the impostor tests.
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time


def make_key(d):
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    if not os.path.exists(cert):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ed25519",
                        "-nodes", "-keyout", key, "-out", cert, "-subj",
                        "/CN=stranger", "-days", "1"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, cert


def frame(ftype, body):
    data = body if isinstance(body, bytes) else \
        json.dumps(body).encode()
    return b"ME" + struct.pack(">BBI", ftype, 0, len(data)) + data


class Link:
    def __init__(self, addr, keydir=None, plain=False, timeout=5):
        host, port = addr.rsplit(":", 1)
        raw = socket.create_connection((host.strip("[]"), int(port)),
                                       timeout=timeout)
        if plain:
            self.s = raw
        else:
            keydir = keydir or tempfile.mkdtemp(prefix="link-client.")
            key, cert = make_key(keydir)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.load_cert_chain(cert, key)
            self.s = ctx.wrap_socket(raw)
        self.buf = b""
        self.eof = False

    def send(self, ftype, body):
        self.s.sendall(frame(ftype, body))

    def send_raw(self, data):
        self.s.sendall(data)

    def read(self, timeout=5):
        """The next frame as (type, body), or None at EOF or timeout."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 8:
                ftype, _, n = struct.unpack(">BBI", self.buf[2:8])
                if len(self.buf) >= 8 + n:
                    body = self.buf[8:8 + n]
                    self.buf = self.buf[8 + n:]
                    try:
                        return ftype, json.loads(body) if body else {}
                    except ValueError:
                        return ftype, body
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                data = self.s.recv(65536)
            except socket.timeout:
                return None
            except (ssl.SSLError, OSError):
                self.eof = True
                return None
            if not data:
                self.eof = True
                return None
            self.buf += data

    def request(self, rid, op, **fields):
        """Send a request and return its reply body (None if none)."""
        body = {"id": rid, "op": op}
        body.update(fields)
        self.send(32, body)
        while True:
            f = self.read()
            if f is None:
                return None
            if f[0] == 33 and f[1].get("id") == rid:
                return f[1]

    def close(self):
        self.s.close()


def main():
    args = sys.argv[1:]
    keydir, plain = None, False
    while args and args[0].startswith("--"):
        if args[0] == "--key":
            keydir = args[1]
            args = args[2:]
        elif args[0] == "--plain":
            plain = True
            args = args[1:]
        else:
            sys.exit("link-client: unknown option " + args[0])
    addr, mode = args[0], args[1]
    data = sys.stdin.buffer.read()
    try:
        link = Link(addr, keydir, plain)
    except (OSError, ssl.SSLError) as e:
        print("REFUSED %s" % e)
        return
    try:
        link.send_raw(data)
    except (OSError, ssl.SSLError):
        pass
    if mode == "close":
        link.close()
        return
    if mode == "hold":
        end = time.time() + float(args[2])
        while time.time() < end:
            link.s.settimeout(max(0.01, end - time.time()))
            try:
                if not link.s.recv(65536):
                    print("EOF")
                    return
            except socket.timeout:
                pass
            except (ssl.SSLError, OSError):
                print("EOF")
                return
        print("HELD")
        return
    if plain:
        got = b""
        link.s.settimeout(5)
        try:
            while True:
                d = link.s.recv(65536)
                if not d:
                    break
                got += d
        except (socket.timeout, OSError):
            print("TIMEOUT")
        print("RAW " + got.hex())
        print("EOF")
        return
    while True:
        f = link.read()
        if f is None:
            print("EOF" if link.eof else "TIMEOUT")
            return
        body = f[1] if isinstance(f[1], bytes) else \
            json.dumps(f[1]).encode()
        print("%d %s" % (f[0], body.decode(errors="replace")))


if __name__ == "__main__":
    main()
