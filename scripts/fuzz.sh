#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer of every parser that takes outside bytes (docs/fuzzing.md).
#   scripts/fuzz.sh [--minutes N | --seconds N] [TARGET...]   default: 5 minutes each, every target
#   scripts/fuzz.sh --list                                    the targets
# Targets run one after another, each in its own JVM (Jazzer fuzzes one test per run). A
# finding stops that target: Jazzer writes the input into the target's Inputs folder under
# src/test/resources (it is then a regression test of mvn verify) and this script names it
# and exits 1. Logs: build/fuzz-logs/TARGET.log. Maven runs offline first (scripts/setup.sh
# or a build fetched everything), online if something is missing.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

# name  module  test class#method
targets=(
    "pcap-reader control dev.ovpndpdk.control.pcap.PcapReaderFuzzTest#readsOrRefusesInOneLine"
    "decrypt-pcap control dev.ovpndpdk.control.cli.DecryptPcapFuzzTest#exitsZeroOrOneWithoutATrace"
    "control control dev.ovpndpdk.control.daemon.HandlersFuzzTest#everyDatagramGetsAReply"
    "worker dataplane dev.ovpndpdk.dataplane.engine.WorkerFuzzTest#everyPacketIsAccountedFor"
    "gso dataplane dev.ovpndpdk.dataplane.port.offload.OffloadFuzzTest#segmenterTakesAnyTunRead"
    "gro dataplane dev.ovpndpdk.dataplane.port.offload.OffloadFuzzTest#coalescedBurstSegmentsBackToItself"
)

seconds=300
chosen=()
while [ $# -gt 0 ]; do
    case $1 in
        --minutes) seconds=$(($2 * 60)); shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --list) for t in "${targets[@]}"; do set -- $t; printf '%-13s %s\n' "$1" "$3"; done; exit 0 ;;
        -h|--help) print_help; exit 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) chosen+=("$1"); shift ;;
    esac
done
[ ${#chosen[@]} -gt 0 ] || for t in "${targets[@]}"; do chosen+=("${t%% *}"); done

find_jdk
cd "$OVPN_ROOT"
logs=$OVPN_ROOT/build/fuzz-logs
mkdir -p "$logs"

failed=0
for name in "${chosen[@]}"; do
    line=
    for t in "${targets[@]}"; do [ "${t%% *}" = "$name" ] && line=$t; done
    [ -n "$line" ] || die "unknown target $name (scripts/fuzz.sh --list)"
    set -- $line
    module=$2 test=$3
    class=${test%#*} method=${test#*#}
    inputs=$module/src/test/resources/$(dirname "${class//.//}")/$(basename "${class//.//}")Inputs/$method
    before=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
    log "fuzz: $name for ${seconds} s ($test), log in build/fuzz-logs/$name.log"
    # arg.0 is libFuzzer's argv[0]; arg.1 comes after the @FuzzTest's own -max_total_time and wins.
    for mode in -o ""; do
        status=0
        JAZZER_FUZZ=1 mvn $mode -B test -pl "$module" -am -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
            -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
            > "$logs/$name.log" 2>&1 || status=$?
        grep -q 'in offline mode' "$logs/$name.log" || break
    done
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$name.log" | tail -1 || true)
    after=$(ls "$inputs" 2>/dev/null | grep -c '^crash-' || true)
    if [ "$status" -eq 0 ]; then
        echo "fuzz: $name: ok; ${done_line:-no libFuzzer summary (see the log)}"
    else
        failed=$((failed + 1))
        echo "fuzz: $name: FAILED (mvn exit $status); $((after - before)) new input(s) in $inputs:"
        ls -t "$inputs" 2>/dev/null | grep '^crash-' | head -$((after - before > 0 ? after - before : 0)) | sed 's/^/    /'
        grep -E 'FuzzTestFinding|Caused by' "$logs/$name.log" | head -3 | sed 's/^/    /' || true
    fi
done
[ "$failed" -eq 0 ]
