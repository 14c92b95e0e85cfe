#!/usr/bin/env bash
# The whole test suite: set-up, then every module's unit and integration tests
# (interop vectors, fuzzing), then the end-to-end scenarios that need root.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

"$OVPN_ROOT/scripts/setup.sh" --no-build
find_jdk
cd "$OVPN_ROOT"
log "test: mvn verify (JDK $JAVA_HOME)"
mvn -B verify 2>&1 | tee target-test.log | grep -E 'Tests run:|FAIL|ERROR|BUILD|Running ' || true
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || die "unit tests failed (see target-test.log)"

# Command-line checks against the shared OpenVPN vectors.
"$OVPN_ROOT/scripts/check-vectors.sh"
