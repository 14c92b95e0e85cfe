#!/usr/bin/env python3
"""Plays the OpenVPN process for slowpath.sh: owns the UDP socket (SO_REUSEPORT set before
bind, as the hand-over needs), hands it to the daemon with `ovpn-dpdk peer new --socket-fd`,
then counts what still arrives on it by opcode, for a bounded time.

usage: openvpn-process.py BIND_ADDR PORT STATE_DIR SECONDS -- OVPN-DPDK-COMMAND...
Writes STATE_DIR/bound once bound, waits for STATE_DIR/go (or exits, closing the socket, when
STATE_DIR/release appears first: an OpenVPN process that goes away), runs the command with the socket
as --socket-fd, writes STATE_DIR/handed (or STATE_DIR/failed), then counts datagrams until
the test writes STATE_DIR/stop (and half a second more, for what was still on its way) or at
most SECONDS, and writes STATE_DIR/counts as "control=N data=N other=N". (A fixed window
was too short on a loaded machine: the test's steps before its datagrams took longer.)
"""
import os
import socket
import subprocess
import sys
import time

addr, port, state, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
cmd = sys.argv[sys.argv.index("--") + 1:]

s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.bind((addr, port))
open(os.path.join(state, "bound"), "w").close()

deadline = time.time() + 30
while not os.path.exists(os.path.join(state, "go")):
    if os.path.exists(os.path.join(state, "release")):
        s.close()
        sys.exit(0)
    if time.time() > deadline:
        sys.exit("openvpn-process: no go signal")
    time.sleep(0.05)

fd = s.fileno()
r = subprocess.run(cmd + ["--socket-fd", str(fd)], pass_fds=(fd,), capture_output=True, text=True)
if r.returncode != 0:
    open(os.path.join(state, "failed"), "w").write(r.stdout + r.stderr)
    sys.exit(1)
open(os.path.join(state, "handed"), "w").close()

counts = {"control": 0, "data": 0, "other": 0}
s.settimeout(0.2)
end = time.time() + seconds
stop = os.path.join(state, "stop")
while time.time() < end:
    if stop and os.path.exists(stop):
        end = min(end, time.time() + 0.5)
        stop = None
    try:
        payload, _ = s.recvfrom(65535)
    except socket.timeout:
        continue
    op = payload[0] >> 3 if payload else 0
    if op == 9:
        counts["data"] += 1
    elif 3 <= op <= 11 and op != 6:
        counts["control"] += 1
    else:
        counts["other"] += 1
open(os.path.join(state, "counts"), "w").write(" ".join(f"{k}={v}" for k, v in counts.items()) + "\n")
