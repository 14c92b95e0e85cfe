#!/usr/bin/env bash
# Idempotent set-up: Debian packages the data plane and its tests use, a JDK >= 22, the build.
#   scripts/setup.sh            install what is missing, then build (tests skipped)
#   scripts/setup.sh --no-build only the packages and the JDK check
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

build=1
for a in "$@"; do
    case "$a" in
        --no-build) build=0 ;;
        -h|--help) print_help; exit 0 ;;
        *) die "unknown option $a" ;;
    esac
done

# Debian package -> a file that proves it is installed.
declare -A pkgs=(
    [libipsec-mb-dev]=/usr/include/intel-ipsec-mb.h
    [libdpdk-dev]=/usr/lib/x86_64-linux-gnu/pkgconfig/libdpdk.pc
    [dpdk]=/usr/bin/dpdk-devbind.py
    [pkg-config]=/usr/bin/pkg-config
    [gcc]=/usr/bin/gcc
    [iproute2]=/usr/sbin/ip
    [ethtool]=/usr/sbin/ethtool
    [iputils-ping]=/usr/bin/ping
    [iperf3]=/usr/bin/iperf3
    [nftables]=/usr/sbin/nft
    [tcpdump]=/usr/bin/tcpdump
    [openvpn]=/usr/sbin/openvpn
    [maven]=/usr/bin/mvn
    [python3]=/usr/bin/python3
    [python3-matplotlib]=/usr/lib/python3/dist-packages/matplotlib/__init__.py
    [openssl]=/usr/bin/openssl
)
missing=()
for p in "${!pkgs[@]}"; do [ -e "${pkgs[$p]}" ] || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

log "setup: OpenVPN 2.6.14 with the ovpn-dpdk DCO backend (scripts/build-openvpn.sh)"
as_root "$OVPN_ROOT/scripts/build-openvpn.sh" >/dev/null

find_jdk
log "setup: using JDK $JAVA_HOME ($(jdk_major "$JAVA_HOME"))"

if [ "$build" -eq 1 ]; then
    log "setup: building (mvn package, tests skipped)"
    (cd "$OVPN_ROOT" && mvn -q -B -DskipTests package)
    log "setup: built; launcher: bin/ovpn-dpdk"
fi
