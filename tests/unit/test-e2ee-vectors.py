#!/usr/bin/env python3
#
# The known answers of tests/unit/test-e2ee.c for what is meet's own (RFC
# 9605's appendix C checks the rest), computed apart from lib/e2ee*.c:
# Python's hashlib for BLAKE2b, and the "cryptography" package (its own
# OpenSSL, not the system's, and not libsodium) for Argon2id, HKDF, HMAC
# and AES-128-GCM.  It needs cryptography 44 or later (Argon2id); the test
# does not run it, it holds its output.  Run it to check or redo them:
#
#	python3 tests/unit/test-e2ee-vectors.py

import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

PASSPHRASE = b"correct horse battery staple"
ROOM = b"standup"
ROOM_ID = bytes(range(16))
EPOCH = 7
EPOCH_SALT = bytes(range(0x20, 0x40))
SENDER = 0xabcdef
CTR = 0x1234
AUDIO_LEVEL = 0x85		# V set, 5 dB below overload
OPUS = b"an opus packet, or nearly"
CHAT_CTR = 3
CHAT = b"hello, room"
MEMBER_PK = bytes(range(0x40, 0x60))
MEMBER_NAME = b"alice"

STREAM_AUDIO = 1
STREAM_CHAT = 4


def expand(prk, info, n):
	return HKDFExpand(hashes.SHA256(), n, info).derive(prk)


def kid(sender, stream, epoch):
	return sender << 20 | stream << 16 | (epoch & 0xffff)


def uint_bytes(v):
	n = 1
	while n < 8 and v >> (8 * n):
		n += 1
	return v.to_bytes(n, "big")


def header(k, c):
	config = 0
	tail = b""
	if k < 8:
		config |= k << 4
	else:
		b = uint_bytes(k)
		config |= 0x80 | (len(b) - 1) << 4
		tail += b
	if c < 8:
		config |= c
	else:
		b = uint_bytes(c)
		config |= 0x08 | (len(b) - 1)
		tail += b
	return bytes([config]) + tail


def key_salt(base, k):
	# RFC 9605 section 4.4.2, suite 0x0004: HKDF-Extract with no salt.
	secret = hmac.new(b"\0" * 32, base, hashlib.sha256).digest()
	suffix = struct.pack(">QH", k, 4)
	return (expand(secret, b"SFrame 1.0 Secret key " + suffix, 16),
	    expand(secret, b"SFrame 1.0 Secret salt " + suffix, 12))


def seal(secret, k, c, meta, pt):
	base = expand(secret, b"meet sframe" + struct.pack(">Q", k), 32)
	key, salt = key_salt(base, k)
	nonce = (int.from_bytes(salt, "big") ^ c).to_bytes(12, "big")
	h = header(k, c)
	return base, key, salt, h + AESGCM(key).encrypt(nonce, pt, h + meta)


def show(name, b):
	print("%-14s %s" % (name, b.hex()))


salt = hashlib.blake2b(b"meet e2ee room" + bytes([len(ROOM)]) + ROOM +
    ROOM_ID, digest_size=16).digest()
root = Argon2id(salt=salt, length=32, iterations=3, lanes=1,
    memory_cost=64 * 1024).derive(PASSPHRASE)
epoch = HKDF(hashes.SHA256(), 32, EPOCH_SALT,
    b"meet e2ee epoch" + struct.pack(">I", EPOCH)).derive(root)

k = kid(SENDER, STREAM_AUDIO, EPOCH)
base, key, fsalt, sealed = seal(epoch, k, CTR, bytes([STREAM_AUDIO,
    AUDIO_LEVEL]), OPUS)

ck = kid(SENDER, STREAM_CHAT, EPOCH)
chat_meta = bytes([STREAM_CHAT, 4]) + b"chat" + bytes([len(ROOM)]) + ROOM
_, _, _, chat = seal(epoch, ck, CHAT_CTR, chat_meta, CHAT)

mkey = expand(root, b"meet e2ee member", 32)
tag = hmac.new(mkey, struct.pack(">I", SENDER) + MEMBER_PK + MEMBER_NAME,
    hashlib.sha256).digest()

show("pwhash_salt", salt)
show("root", root)
show("epoch_secret", epoch)
print("%-14s %x" % ("kid", k))
show("base_key", base)
show("sframe_key", key)
show("sframe_salt", fsalt)
show("sealed", sealed)
show("chat", chat)
show("member_tag", tag)
