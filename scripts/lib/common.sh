# Shared helpers for the scripts; source it, don't run it.
# shellcheck shell=bash

OVPN_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { printf '%s\n' "$*" >&2; }

# print_help: the running script's --help, its leading comment block (line 2 up to the first
# line that is not a comment), so the text lives in one place and no line count goes stale.
print_help() { awk 'NR > 1 { if (!/^#/) exit; print }' "$0"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root for: $* (run as root or install sudo)"; fi
}

# Major version of the JDK at $1 (a JAVA_HOME), or nothing.
jdk_major() {
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 |
        awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Sets and exports JAVA_HOME to a JDK >= 22 (FFM is final from 22): $JAVA_HOME if it
# qualifies, else the newest one under /usr/lib/jvm. Stops with a clear message if none.
find_jdk() {
    local cand best="" best_v=0 v
    for cand in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
        [ -n "$cand" ] && [ -d "$cand" ] || continue
        v=$(jdk_major "$cand")
        [ -n "$v" ] || continue
        if [ "$v" -ge 22 ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
    done
    [ -n "$best" ] || die "no JDK >= 22 found (JAVA_HOME or /usr/lib/jvm); install one, e.g. Temurin 25 (temurin-25-jdk) or openjdk-22+, and set JAVA_HOME"
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
}

# bench_jar WHO [REBUILD]: sets $jar to the JMH uber-jar, building it first when REBUILD is 1,
# when it is missing, or when any source or pom it is built from is newer (every bench script).
bench_jar() {
    local m=("$OVPN_ROOT"/{bindings,aesni,qat,dataplane,bench})
    jar="$OVPN_ROOT/bench/target/benchmarks.jar"
    if [ "${2:-0}" -eq 1 ] || [ ! -f "$jar" ] || [ -n "$(find "${m[@]/%//src/main}" "${m[@]/%//pom.xml}" "$OVPN_ROOT/pom.xml" \
            -newer "$jar" -print -quit 2>/dev/null)" ]; then
        log "$1: building $jar"
        (cd "$OVPN_ROOT" && mvn -q -B -pl bench -am package -DskipTests)
    fi
}

# bench_options ARGS...: the options every JMH bench script takes: --quick, --rebuild (for
# bench_jar) and -h|--help (print_help); sets quick and rebuild (0 or 1), and jmh_args to the
# other arguments, which go to JMH as they are.
bench_options() {
    local a
    quick=0
    rebuild=0
    jmh_args=()
    for a in "$@"; do
        case "$a" in
            --quick) quick=1 ;;
            --rebuild) rebuild=1 ;;
            -h|--help) print_help; exit 0 ;;
            *) jmh_args+=("$a") ;;
        esac
    done
}

# machine_summary: "N cores, CPU MODEL, JDK V" for the bench scripts' logs and reports (after find_jdk).
machine_summary() {
    printf '%s cores, %s, JDK %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
        "$(jdk_major "$JAVA_HOME")"
}
