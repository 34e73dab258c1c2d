#!/usr/bin/env python3
"""Independent WireGuard handshake, written from the whitepaper (section 5.4) on top of Python's
hashlib/hmac and the `cryptography` package, to produce fixed vectors for WireGuardVectorTest.java.
Run: python3 wireguard_vectors.py  (needs python3-cryptography). Output is pasted into the test."""
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def HASH(*parts):
    h = hashlib.blake2s()
    for p in parts:
        h.update(p)
    return h.digest()


def MAC(key, msg):
    return hashlib.blake2s(msg, key=key, digest_size=16).digest()


def HMAC(key, msg):
    return hmac.new(key, msg, hashlib.blake2s).digest()


def KDF(n, key, x):
    t0 = HMAC(key, x)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = HMAC(t0, prev + bytes([i]))
        out.append(prev)
    return out


def PUB(priv):
    return X25519PrivateKey.from_private_bytes(priv).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def DH(priv, pub):
    return X25519PrivateKey.from_private_bytes(priv).exchange(X25519PublicKey.from_public_bytes(pub))


def AEAD(key, counter, plaintext, ad):
    return ChaCha20Poly1305(key).encrypt(b"\0" * 4 + struct.pack("<Q", counter), plaintext, ad or None)


def h(b):
    return b.hex()


S_i = bytes.fromhex("c8e2d0b3b7f6a2f0b4a8a8c51f0f7bb0a5a7f4b6c6d0a3e2e1a9c0d9b8f7e64f")
S_r = bytes.fromhex("40a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e4f")
E_i = bytes.fromhex("a0112233445566778899aabbccddeeff00112233445566778899aabbccddee7f")
E_r = bytes.fromhex("d8f0e1d2c3b4a5968778695a4b3c2d1e0f00f1e2d3c4b5a69788796a5b4c3d6e")
PSK = bytes.fromhex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20")
I_i, I_r = 0x0A0B0C0D, 0x01020304
UNIX_SECONDS, NANOS = 1767225600, 123456789  # 2026-01-01T00:00:00.123456789Z

S_i_pub, S_r_pub, E_i_pub, E_r_pub = PUB(S_i), PUB(S_r), PUB(E_i), PUB(E_r)
timestamp = struct.pack(">QI", 0x400000000000000A + UNIX_SECONDS, NANOS & ~0xFFFFFF)

# Initiator -> responder.
C = HASH(b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")
H = HASH(C, b"WireGuard v1 zx2c4 Jason@zx2c4.com")
H = HASH(H, S_r_pub)
C = KDF(1, C, E_i_pub)[0]
H = HASH(H, E_i_pub)
C, k = KDF(2, C, DH(E_i, S_r_pub))
enc_static = AEAD(k, 0, S_i_pub, H)
H = HASH(H, enc_static)
C, k = KDF(2, C, DH(S_i, S_r_pub))
enc_timestamp = AEAD(k, 0, timestamp, H)
H = HASH(H, enc_timestamp)
init = struct.pack("<II", 1, I_i) + E_i_pub + enc_static + enc_timestamp
init += MAC(HASH(b"mac1----", S_r_pub), init) + bytes(16)

# Responder -> initiator.
C = KDF(1, C, E_r_pub)[0]
H = HASH(H, E_r_pub)
C = KDF(1, C, DH(E_r, E_i_pub))[0]
C = KDF(1, C, DH(E_r, S_i_pub))[0]
C, tau, k = KDF(3, C, PSK)
H = HASH(H, tau)
enc_empty = AEAD(k, 0, b"", H)
H = HASH(H, enc_empty)
resp = struct.pack("<III", 2, I_r, I_i) + E_r_pub + enc_empty
resp += MAC(HASH(b"mac1----", S_i_pub), resp) + bytes(16)

T_i_to_r, T_r_to_i = KDF(2, C, b"")
payload = b"ping over ocbridge".ljust(32, b"\0")  # padded to 16
packet_i = struct.pack("<IIQ", 4, I_r, 0) + AEAD(T_i_to_r, 0, payload, b"")
packet_r = struct.pack("<IIQ", 4, I_i, 7) + AEAD(T_r_to_i, 7, payload, b"")

for name, value in [("S_i", S_i), ("S_r", S_r), ("E_i", E_i), ("E_r", E_r), ("PSK", PSK),
                    ("INITIATION", init), ("RESPONSE", resp), ("PACKET_I", packet_i), ("PACKET_R", packet_r)]:
    print(f'{name} = "{h(value)}"')
