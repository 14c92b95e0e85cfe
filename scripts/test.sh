#!/usr/bin/env bash
# The whole test suite: set-up (packages, JDK), then
#   1. every module's unit and integration tests (mvn verify: codec, crypto KATs and
#      cross-checks, interop vectors, fuzzing, engine, bindings, control protocol, daemon),
#   2. the command-line check against the OpenVPN 2.6 vectors in vectors/,
#   3. a bounded fuzzing run: every Jazzer target for 15 s (scripts/fuzz.sh, ~3 min in all),
#   4. the end-to-end scenarios in network namespaces (root).
# Logs go to build/test-logs/ (ignored by git): mvn-verify.log, fuzz.log, e2e.log; each
# fuzz target's own log to build/fuzz-logs/.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$OVPN_ROOT/scripts/setup.sh" --no-build
find_jdk
cd "$OVPN_ROOT"
logs=$OVPN_ROOT/build/test-logs
mkdir -p "$logs"
log "test: mvn verify (JDK $JAVA_HOME), log in ${logs#"$OVPN_ROOT"/}/mvn-verify.log"
set +e
mvn -B verify > "$logs/mvn-verify.log" 2>&1
status=$?
set -e
grep -E 'Tests run:|FAIL|BUILD|ERROR\]' "$logs/mvn-verify.log" | grep -v '^\[INFO\] Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: [0-9]*, Time' || true
[ "$status" -eq 0 ] || die "unit tests failed (see $logs/mvn-verify.log)"

"$OVPN_ROOT/scripts/check-vectors.sh"

# mvn verify ran every fuzz test on its corpus; this fuzzes each for real, briefly.
"$OVPN_ROOT/scripts/fuzz.sh" --seconds "${OVPN_FUZZ_SECONDS:-15}" 2>&1 | tee "$logs/fuzz.log"

if [ "$(id -u)" -eq 0 ]; then
    # The scenarios' output is also kept: their own files live in /tmp and go when they end.
    "$OVPN_ROOT/scripts/e2e/run-all.sh" 2>&1 | tee "$logs/e2e.log"
else
    log "test: end-to-end scenarios skipped (they need root for network namespaces)"
fi
