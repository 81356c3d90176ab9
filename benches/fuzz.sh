#!/usr/bin/env bash
# Runs the property-based fuzz targets of tests/fuzz.rs long, on stable Rust.
#
#   benches/fuzz.sh                  # 20000 cases per target, random seed
#   PROPTEST_CASES=200000 benches/fuzz.sh fuzz_cloudtrail
#   PROPTEST_RNG_SEED=42 benches/fuzz.sh     # replay one seed
#   FUZZ_RELEASE=1 benches/fuzz.sh           # optimised build: more cases/s
#
# FUZZ_RELEASE builds without the release profile's fat LTO (minutes of
# linking for no gain in cases/s) unless CARGO_PROFILE_RELEASE_LTO says.
#
# Arguments are test-name filters (default: every target). Each target
# prints `fuzz <target>: N executions`; a failure prints the shrunk input
# and the seed to replay it. `cargo test` itself runs a short fixed set.
set -euo pipefail
cd "$(dirname "$0")/.."

export PROPTEST_CASES="${PROPTEST_CASES:-20000}"
if [[ -z "${PROPTEST_RNG_SEED:-}" ]]; then
    PROPTEST_RNG_SEED="$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')"
fi
export PROPTEST_RNG_SEED
profile=()
if [[ -n "${FUZZ_RELEASE:-}" ]]; then
    profile=(--release)
    export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-false}"
    export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}"
fi

echo "fuzz: ${PROPTEST_CASES} cases per target, seed ${PROPTEST_RNG_SEED}" >&2
started=$(date +%s)
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test "${profile[@]}" --test fuzz -- --nocapture --test-threads=1 "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
echo "--- executions (seed ${PROPTEST_RNG_SEED}, $(( $(date +%s) - started )) s)"
grep -oE 'fuzz [a-z0-9-]+: [0-9]+ executions' "$log" || true
exit "$status"
