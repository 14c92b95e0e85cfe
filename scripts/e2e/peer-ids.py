#!/usr/bin/env python3
"""Peer-ids on the wire: reads a pcap (Ethernet, IPv4/IPv6, UDP) and prints, for every P_DATA_V2
packet, its direction as seen from SERVER_IP ("from-server" or "to-server") and the peer-id of its
first word, one line per distinct pair with its count:  to-server 1 12

    peer-ids.py CAPTURE.pcap SERVER_IP
"""
import ipaddress
import struct
import sys
from collections import Counter

P_DATA_V2 = 9


def packets(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(endian + "IIII", rec)
            yield f.read(incl)


def udp_payload(frame):
    """(source IP, destination IP, payload) of a UDP datagram in an Ethernet frame, or None."""
    if len(frame) < 14:
        return None
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == 0x0800 and len(ip) >= 20 and ip[9] == 17:
        ihl = (ip[0] & 0x0F) * 4
        return ipaddress.ip_address(ip[12:16]), ipaddress.ip_address(ip[16:20]), ip[ihl + 8:]
    if ethertype == 0x86DD and len(ip) >= 40 and ip[6] == 17:
        return ipaddress.ip_address(ip[8:24]), ipaddress.ip_address(ip[24:40]), ip[48:]
    return None


def main():
    path, server = sys.argv[1], ipaddress.ip_address(sys.argv[2])
    seen = Counter()
    for frame in packets(path):
        d = udp_payload(frame)
        if d is None or len(d[2]) < 4 or d[2][0] >> 3 != P_DATA_V2:
            continue
        src, dst, payload = d
        peer_id = int.from_bytes(payload[1:4], "big")
        direction = "from-server" if src == server else "to-server" if dst == server else "other"
        seen[(direction, peer_id)] += 1
    for (direction, peer_id), n in sorted(seen.items()):
        print(direction, peer_id, n)


if __name__ == "__main__":
    main()
