#!/usr/bin/env bash
# Builds libovpndpdk_shim.so (see ovpn_dpdk_shim.h) for the Maven build of bindings/.
#
#   build.sh TARGET_DIR
#
# Writes TARGET_DIR/native/libovpndpdk_shim.so and a copy under
# TARGET_DIR/classes/native/linux-<arch>/, which the jar (and the shaded daemon jar) carries
# and dev.ovpndpdk.bindings.dpdk.Dpdk extracts at run time.
#
# Without gcc, pkg-config or DPDK 22.11's development files this prints a warning and exits 0:
# the project builds everywhere, and Dpdk.isAvailable() says what is missing. A compile error
# with everything present does fail the build: that is a bug in the shim.
set -euo pipefail

target=${1:?usage: build.sh TARGET_DIR}
src=$(cd "$(dirname "$0")" && pwd)
out="$target/native/libovpndpdk_shim.so"
resource="$target/classes/native/linux-$(uname -m)/libovpndpdk_shim.so"

skip() {
    echo "[WARNING] ovpn-dpdk shim not built: $*; the DPDK backend will be unavailable" >&2
    exit 0
}

command -v gcc >/dev/null || skip "gcc not found (apt-get install gcc)"
command -v pkg-config >/dev/null || skip "pkg-config not found (apt-get install pkg-config)"
version=$(pkg-config --modversion libdpdk 2>/dev/null) ||
    skip "pkg-config knows no libdpdk (apt-get install libdpdk-dev)"
# The Java layouts and the shim's inlined offsets are DPDK 22.11's (ABI 23).
[[ $version == 22.11* ]] || skip "libdpdk is $version, these bindings are for 22.11"

mkdir -p "$(dirname "$out")" "$(dirname "$resource")"
# Rebuild only when a source is newer than the library: builds run often and gcc is slow
# next to the rest of an incremental Maven build.
if [[ ! -f $out || $src/ovpn_dpdk_shim.c -nt $out || $src/ovpn_dpdk_shim.h -nt $out || $0 -nt $out ]]; then
    # shellcheck disable=SC2046 # pkg-config output is a list of words
    gcc -O2 -g -fPIC -shared -std=gnu11 -Wall -Wextra -Werror -fvisibility=hidden \
        $(pkg-config --cflags libdpdk) \
        -Wl,-z,defs -Wl,-soname,libovpndpdk_shim.so \
        -o "$out.tmp" "$src/ovpn_dpdk_shim.c" \
        $(pkg-config --libs libdpdk)
    mv "$out.tmp" "$out"
    echo "[INFO] built $out against DPDK $version"
fi
cp -p "$out" "$resource"
