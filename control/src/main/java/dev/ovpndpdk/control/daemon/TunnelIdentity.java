package dev.ovpndpdk.control.daemon;

import java.net.InetSocketAddress;

/**
 * What the daemon was started to serve, as PING reports it (docs/control-protocol.md, "PING"):
 * an OpenVPN DCO backend checks it against its own configuration before it offloads anything.
 *
 * @param tun     the tunnel interface's name
 * @param backend {@code socket} or {@code dpdk}
 * @param listen  the UDP address the daemon owns
 * @param tunMtu  the tunnel MTU the backend needs; 0 when any will do
 */
public record TunnelIdentity(String tun, String backend, InetSocketAddress listen, int tunMtu) {
}
