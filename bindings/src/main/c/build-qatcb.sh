#!/usr/bin/env bash
# Builds libovpndpdk_qatcb.so (ovpn_qat_completions.c), the qatlib completion callback, for
# the Maven build of bindings/.
#
#   build-qatcb.sh TARGET_DIR
#
# Writes TARGET_DIR/native/libovpndpdk_qatcb.so and a copy under
# TARGET_DIR/classes/native/linux-<arch>/, which the jar carries and
# dev.ovpndpdk.bindings.qatlib.Qatlib extracts at run time. It needs only gcc: no qatlib
# headers (Debian 12 has none) and no libraries. Without gcc this warns and exits 0; the
# qatlib engine then says the callback library is missing.
set -euo pipefail

target=${1:?usage: build-qatcb.sh TARGET_DIR}
src=$(cd "$(dirname "$0")" && pwd)
out="$target/native/libovpndpdk_qatcb.so"
resource="$target/classes/native/linux-$(uname -m)/libovpndpdk_qatcb.so"

if ! command -v gcc >/dev/null; then
    echo "[WARNING] qatlib completion library not built: gcc not found; the qat engine will be unavailable" >&2
    exit 0
fi

mkdir -p "$(dirname "$out")" "$(dirname "$resource")"
if [[ ! -f $out || $src/ovpn_qat_completions.c -nt $out || $0 -nt $out ]]; then
    gcc -O2 -g -fPIC -shared -std=gnu11 -Wall -Wextra -Werror -fvisibility=hidden \
        -Wl,-z,defs -Wl,-soname,libovpndpdk_qatcb.so \
        -o "$out.tmp" "$src/ovpn_qat_completions.c"
    mv "$out.tmp" "$out"
    echo "[INFO] built $out"
fi
cp -p "$out" "$resource"
