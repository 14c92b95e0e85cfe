#!/usr/bin/env python3
"""Flushes this network namespace's IPv4 conntrack table, as `conntrack -F` does, without the
conntrack tool: one ctnetlink IPCTNL_MSG_CT_DELETE request with no attributes (openvpn-lib.sh
nat_rebind: a NAT that lost its state maps the next datagram anew).

usage: conntrack-flush.py        exit 0 when the kernel acknowledged the flush
"""
import errno
import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_DELETE = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2

s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
nfgen = struct.pack("=BBH", socket.AF_INET, 0, 0)  # nfgenmsg: family, version, res_id
hdr = struct.pack("=IHHII", 16 + len(nfgen), (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE,
                  NLM_F_REQUEST | NLM_F_ACK, 1, 0)
s.sendto(hdr + nfgen, (0, 0))
s.settimeout(5)
reply = s.recv(65536)
length, kind = struct.unpack("=IH", reply[:6])
if kind != NLMSG_ERROR:
    sys.exit(f"conntrack-flush: unexpected reply type {kind}")
err = -struct.unpack("=i", reply[16:20])[0]
# ENOENT: the table was empty already
if err not in (0, errno.ENOENT):
    sys.exit(f"conntrack-flush: {os.strerror(err)}")
