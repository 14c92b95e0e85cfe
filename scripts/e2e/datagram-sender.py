#!/usr/bin/env python3
"""Sends COUNT datagrams of one KIND to HOST:PORT, for datagrams.sh's accounting check.

    datagram-sender.py HOST PORT KIND COUNT

Kinds (P_DATA_V2 is opcode 9; peer 1 has key-id 0 on the receiver):
  empty       a zero-length datagram
  short       one byte, 0x48 (a P_DATA_V2 opcode byte and nothing else)
  truncated   a P_DATA_V2 header for peer 1 and 4 bytes, shorter than header + tag
  junk        ASCII text, not an OpenVPN opcode
  control     P_CONTROL_V1 (opcode 4): belongs to the OpenVPN process
  data-v1     P_DATA_V1 (opcode 6), which DCO does not carry
  unknown-peer  P_DATA_V2 for peer-id 77
  unknown-key   P_DATA_V2 for peer 1 with key-id 5
  forged      P_DATA_V2 for peer 1, key-id 0, a tag that cannot verify
  oversize    a 3000-byte P_DATA_V2 for peer 1 (fragmented on the wire; forged tag)
The packet-ids count up from 1, so no two forged packets are replays of each other.
"""
import socket
import struct
import sys
import time


def datagram(kind, i):
    pid = struct.pack("!I", i + 1)
    body = bytes(16) + bytes((i * 7 + k) & 0xFF for k in range(64))  # a tag, then "ciphertext"
    if kind == "empty":
        return b""
    if kind == "short":
        return b"\x48"
    if kind == "truncated":
        return b"\x48\x00\x00\x01" + pid
    if kind == "junk":
        return b"foo bar %d\n" % i
    if kind == "control":
        return b"\x20" + bytes(range(1, 14))
    if kind == "data-v1":
        return b"\x30" + bytes(range(1, 40))
    if kind == "unknown-peer":
        return b"\x48\x00\x00\x4d" + pid + body
    if kind == "unknown-key":
        return b"\x4d\x00\x00\x01" + pid + body
    if kind == "forged":
        return b"\x48\x00\x00\x01" + pid + body
    if kind == "oversize":
        return b"\x48\x00\x00\x01" + pid + bytes(16) + bytes(k & 0xFF for k in range(2976))
    raise SystemExit("unknown kind " + kind)


def main():
    host, port, kind, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    for i in range(count):
        s.sendto(datagram(kind, i), (host, port))
        if i % 50 == 49:
            time.sleep(0.01)  # no burst bigger than a socket buffer: every datagram must arrive
    s.close()


if __name__ == "__main__":
    main()
