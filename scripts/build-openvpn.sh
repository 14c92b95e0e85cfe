#!/usr/bin/env bash
# Builds OpenVPN 2.6.14 (Debian 12's source package) with the ovpn-dpdk DCO backend: the patch
# series in openvpn-dco-backend/ plus docs/ovpn-dpdk-control.h. As root on Debian 12.
#   scripts/build-openvpn.sh           build if anything changed, else reuse the last build
#   scripts/build-openvpn.sh --force   build again from a fresh source tree
#   scripts/build-openvpn.sh --help    this text
# What it does:
#   1. fetches the source package with apt-get source, through a private apt configuration
#      under build/openvpn/apt (its own deb822 sources, lists and cache: -o Dir::Etc::sourcelist,
#      Dir::Etc::sourceparts, Dir::State::Lists, Dir::Cache), so /etc/apt and the system's
#      lists stay as they are; the .dsc and tarballs are kept for the next build;
#   2. installs the missing build dependencies (apt-get build-dep, non-interactive, no
#      recommends); this is the only change to the system (libpam0g-dev may upgrade libpam*);
#   3. unpacks a fresh tree (dpkg-source -x applies Debian's own patches), copies
#      docs/ovpn-dpdk-control.h into src/openvpn/, applies openvpn-dco-backend/series;
#   4. autoreconf, then ./configure with Debian's own configure arguments and build flags
#      (debian/rules: --enable-systemd --enable-dco --enable-pkcs11 --enable-x509-alt-username,
#      dpkg-buildflags with hardening=+all) plus --enable-dco-ovpn-dpdk, then make.
#      Why not dpkg-buildpackage: the same binary from the same flags, without packaging,
#      docs and the dh sequence around it, so it is faster, and the build log is make's;
#   5. copies the binary to build/openvpn/sbin/openvpn (never over /usr/sbin/openvpn) and
#      checks that it says "DCO version: ovpn-dpdk".
# A stamp (build/openvpn/stamp) holds a hash of the series, the patches, the header, this
# script and the source package's version: a second run with nothing changed takes seconds.
# Progress goes to stderr, the build's own output to build/openvpn/build.log.
# The last line of output (stdout) is the absolute path of the patched openvpn binary.
# Environment: OPENVPN_DEB_VERSION (default 2.6.14-0+deb12u2; the series is made for it; if the
# archive no longer has it, the current version is used, with a warning).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

force=0
for a in "$@"; do
    case "$a" in
        --force) force=1 ;;
        -h|--help) print_help; exit 0 ;;
        *) die "unknown option $a (see --help)" ;;
    esac
done

want_version=${OPENVPN_DEB_VERSION:-2.6.14-0+deb12u2}
series_dir="$OVPN_ROOT/openvpn-dco-backend"
header="$OVPN_ROOT/docs/ovpn-dpdk-control.h"
out="$OVPN_ROOT/build/openvpn"
apt_dir="$out/apt"
pkg_dir="$out/source-package"
binary="$out/sbin/openvpn"
stamp="$out/stamp"
build_log="$out/build.log"

[ -f "$series_dir/series" ] || die "no patch series: $series_dir/series is missing"
[ -f "$header" ] || die "no control header: $header is missing"
mapfile -t patches < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$series_dir/series")
[ ${#patches[@]} -gt 0 ] || die "$series_dir/series lists no patches"
for p in "${patches[@]}"; do
    [ -f "$series_dir/$p" ] || die "$series_dir/series lists $p, which does not exist"
done

# The stamp: everything the binary is made from, on our side.
hash=$( { echo "$want_version"; cat "$0" "$header" "$series_dir/series";
          for p in "${patches[@]}"; do cat "$series_dir/$p"; done; } | sha256sum | cut -d' ' -f1)
if [ "$force" -eq 0 ] && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then
    log "build-openvpn: up to date ($binary, stamp ${hash:0:12})"
    echo "$binary"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "run as root: apt-get source/build-dep need it (nothing changed)"
[ -r /etc/debian_version ] || die "not a Debian system (no /etc/debian_version)"
for t in apt-get dpkg-source sha256sum; do
    command -v "$t" >/dev/null || die "$t is missing (install dpkg-dev and apt)"
done

step_start=0
step() { step_start=$SECONDS; log "build-openvpn: $*"; }
step_done() { log "build-openvpn:   done in $((SECONDS - step_start)) s"; }
# fail WHAT: says what failed, with the end of the build log when there is one.
fail() {
    log "build-openvpn: FAILED: $*"
    if [ -s "$build_log" ]; then
        log "---- last 30 lines of $build_log ----"
        tail -n 30 "$build_log" >&2
    fi
    exit 1
}

mkdir -p "$out" "$pkg_dir"
: >"$build_log"

# ---- 1. the source package, through a private apt configuration
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
cat >"$apt_dir/sources.list.d/debian.sources" <<'EOF'
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb deb-src
URIs: http://security.debian.org/debian-security
Suites: bookworm-security
Components: main
EOF
apt_opts=(-o "Dir::Etc::sourcelist=/dev/null" -o "Dir::Etc::sourceparts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
          -o "Dir::Cache::archives=$apt_dir/cache/archives"
          -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
export DEBIAN_FRONTEND=noninteractive
lists_fresh=0
apt_update() {
    [ "$lists_fresh" -eq 1 ] && return 0
    step "apt-get update (private lists in $apt_dir/lists)"
    apt-get "${apt_opts[@]}" -q update >>"$build_log" 2>&1 || fail "apt-get update (private sources; is deb.debian.org reachable?)"
    lists_fresh=1
    step_done
}

dsc=$(ls "$pkg_dir"/openvpn_"${want_version#*:}".dsc 2>/dev/null | head -n1 || true)
if [ -z "$dsc" ]; then
    apt_update
    step "apt-get source openvpn=$want_version (into $pkg_dir)"
    rm -f "$pkg_dir"/openvpn_*
    if ! (cd "$pkg_dir" && apt-get "${apt_opts[@]}" -q source --download-only "openvpn=$want_version") >>"$build_log" 2>&1; then
        log "build-openvpn: WARNING: openvpn $want_version is not in the archive any more; using its current version (the series is made for $want_version)"
        (cd "$pkg_dir" && apt-get "${apt_opts[@]}" -q source --download-only openvpn) >>"$build_log" 2>&1 ||
            fail "apt-get source openvpn"
    fi
    dsc=$(ls "$pkg_dir"/openvpn_*.dsc | head -n1)
    step_done
fi
version=$(sed -n 's/^Version: //p' "$dsc")

# ---- 2. a fresh tree, and the build dependencies
src="$out/openvpn-$version"
step "unpacking openvpn $version (dpkg-source -x: Debian's patches applied)"
rm -rf "$out"/openvpn-[0-9]*
dpkg-source --no-check -x "$dsc" "$src" >>"$build_log" 2>&1 || fail "dpkg-source -x $dsc"
step_done

if ! (cd "$src" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
    apt_update
    step "apt-get build-dep (the missing build dependencies, no recommends)"
    apt-get "${apt_opts[@]}" -q -y --no-install-recommends build-dep "$src" >>"$build_log" 2>&1 ||
        fail "apt-get build-dep (installing openvpn's build dependencies)"
    step_done
fi
for t in autoreconf make gcc patch pkg-config dpkg-buildflags; do
    command -v "$t" >/dev/null || fail "$t is still missing after apt-get build-dep"
done

# ---- 3. the header and the series
step "applying ${#patches[@]} patches from openvpn-dco-backend/"
cp "$header" "$src/src/openvpn/ovpn-dpdk-control.h"
for p in "${patches[@]}"; do
    echo "=== $p" >>"$build_log"
    patch -d "$src" -p1 --forward --batch <"$series_dir/$p" >>"$build_log" 2>&1 ||
        fail "patch $p does not apply to openvpn $version"
done
step_done

# ---- 4. configure and build, as debian/rules would
step "autoreconf, configure (Debian's arguments + --enable-dco-ovpn-dpdk), make -j$(nproc)"
(
    cd "$src"
    export DEB_BUILD_MAINT_OPTIONS=hardening=+all
    mapfile -t flags < <(dpkg-buildflags --export=configure | xargs -n1)
    autoreconf -fi
    SYSTEMD_ASK_PASSWORD=/bin/systemd-ask-password SYSTEMD_UNIT_DIR=/lib/systemd/system \
    TMPFILES_DIR=/usr/lib/tmpfiles.d \
    ./configure "${flags[@]}" --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
        --disable-unit-tests --enable-pkcs11 --enable-x509-alt-username \
        --enable-systemd --enable-dco --enable-dco-ovpn-dpdk
    make -j"$(nproc)"
) >>"$build_log" 2>&1 || fail "configure/make (see $build_log)"
step_done

# ---- 5. the binary
[ -x "$src/src/openvpn/openvpn" ] || fail "make produced no src/openvpn/openvpn"
"$src/src/openvpn/openvpn" --version 2>/dev/null | grep -q 'DCO version: ovpn-dpdk' ||
    fail "the binary built does not report 'DCO version: ovpn-dpdk' (is the series applied?)"
mkdir -p "$out/sbin"
install -m 0755 "$src/src/openvpn/openvpn" "$binary.new"
mv -f "$binary.new" "$binary"
echo "$hash" >"$stamp"
log "build-openvpn: $("$binary" --version | head -n1)"
echo "$binary"
