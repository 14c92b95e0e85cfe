#!/usr/bin/env bash
# A throw-away PKI for the OpenVPN scenarios: a CA, a server certificate and N client
# certificates (EC P-256, SHA-256, 30 days), made with openssl alone.
#   scripts/e2e/pki.sh DIR [N]      (N defaults to 4)
# or, sourced: pki_make DIR [N]. Writes DIR/ca.crt, DIR/server.{crt,key} and
# DIR/clientK.{crt,key} for K = 1..N (common names "server", "client1", …). Idempotent: what
# exists is kept, so a second call costs nothing. No DH parameters: with EC keys OpenVPN
# takes `dh none` (ECDHE). The CA's key stays in DIR (ca.key): it is a test CA.
# shellcheck shell=bash

# pki_cert DIR NAME EKU -- NAME.key and NAME.crt, signed by DIR's CA, for serverAuth or clientAuth.
pki_cert() {
    local dir=$1 name=$2 eku=$3
    [ -s "$dir/$name.crt" ] && [ -s "$dir/$name.key" ] && return 0
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null || return 1
    printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
        "extendedKeyUsage=$eku" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >"$dir/$name.ext"
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
        -days 30 -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null || return 1
    rm -f "$dir/$name.csr" "$dir/$name.ext"
    chmod 600 "$dir/$name.key"
}

pki_make() {
    local dir=$1 n=${2:-4} k
    mkdir -p "$dir" || return 1
    if ! [ -s "$dir/ca.crt" ] || ! [ -s "$dir/ca.key" ]; then
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=ovpn-dpdk e2e CA" \
            -days 30 -sha256 -keyout "$dir/ca.key" -out "$dir/ca.crt" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
        chmod 600 "$dir/ca.key"
        rm -f "$dir"/server.* "$dir"/client*.*      # signed by another CA
    fi
    pki_cert "$dir" server serverAuth || return 1
    for k in $(seq "$n"); do pki_cert "$dir" "client$k" clientAuth || return 1; done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    [ $# -ge 1 ] || { awk 'NR > 1 { if (!/^#/) exit; print }' "$0"; exit 2; }
    pki_make "$1" "${2:-4}" || { echo "pki.sh: openssl failed" >&2; exit 1; }
fi
