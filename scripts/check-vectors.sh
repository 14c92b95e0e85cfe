#!/usr/bin/env bash
# Interop check against real OpenVPN traffic: runs `ovpn-dpdk decrypt-pcap --verify-reencrypt`
# on every session under the repository's vectors/ and requires each data packet to decrypt
# and to re-encrypt byte-exact (vectors/README.md). The vectors are required, not optional.
#   scripts/check-vectors.sh            vectors: $OVPN_VECTORS_DIR, else $OVPN_ROOT/vectors
# Builds first (scripts/setup.sh) when the jar is missing, so it works on a fresh machine.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

[ -f "$OVPN_ROOT/control/target/ovpn-dpdk.jar" ] || "$OVPN_ROOT/scripts/setup.sh"

vectors=${OVPN_VECTORS_DIR:-$OVPN_ROOT/vectors}
[ -d "$vectors" ] || die "vectors: $vectors not found; the OpenVPN vectors are required (set OVPN_VECTORS_DIR to the folder that holds the sessions)"

# Packets each known session holds (vectors/README.md): a run that decrypts fewer
# because the capture was cut or the parser skipped frames must not pass as "N of N".
declare -A expected=([openvpn-2.6-aes-256-gcm]=11)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 found=0

for dir in "$vectors"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [ -f "$dir/wire.pcap" ] && [ -f "$dir/key-material.hex" ] || continue
    found=$((found + 1))
    # The session's cipher is in its name: openvpn-2.6-aes-256-gcm -> AES-256-GCM.
    cipher=$(printf '%s' "$name" | sed 's/^openvpn-[0-9.]*-//' | tr '[:lower:]' '[:upper:]')
    out=$tmp/$name.out
    status=0
    "$OVPN_ROOT/bin/ovpn-dpdk" decrypt-pcap --cipher "$cipher" \
        --key-material "$dir/key-material.hex" --in "$dir/wire.pcap" \
        --out "$tmp/$name-inner.pcap" --verify-reencrypt --quiet >"$out" 2>&1 || status=$?

    n=$(sed -n 's/^decrypted \([0-9][0-9]*\) of \1 data packets$/\1/p' "$out")
    want=${expected[$name]:-$n}
    if [ "$status" -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$n" = "$want" ] &&
        grep -qx "re-encrypted $n of $n byte-exact" "$out"; then
        log "vectors: $name: $n of $n data packets decrypted and re-encrypted byte-exact"
        passed=$((passed + 1))
    else
        log "vectors: $name: FAILED (exit $status, expected ${want:-all} packets); output:"
        sed 's/^/    /' "$out" >&2
        failed=$((failed + 1))
    fi
done

[ "$found" -gt 0 ] || die "vectors: no session (wire.pcap + key-material.hex) under $vectors"
echo "vectors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
