#!/usr/bin/env bash
# Throughput of authsift on a ~100 MB `aws --debug` log built by concatenating
# the real fixtures, against `grep -c .` on the same file, in the same run.
# Usage: benches/aws_debug.sh [SIZE_MB]      (needs hyperfine and GNU time)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-100}

command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/authsift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/big.log

# Concatenate every fixture, in name order, until the file reaches the size.
target=$((size_mb * 1024 * 1024))
: > "$log"
while [ "$(stat -c %s "$log")" -lt "$target" ]; do
  cat fixtures/aws-debug/*.log >> "$log"
done
echo "input: $(stat -c %s "$log") bytes, $(wc -l < "$log") lines, $(grep -c 'CLI version:' "$log") CLI runs"
echo "cpus: $(nproc)"

# --output=pipe: GNU grep stops at the first match when stdout is /dev/null.
hyperfine --warmup 2 --runs 10 --output=pipe --ignore-failure \
  --export-json "$work/times.json" \
  "grep -c . $log" \
  "$bin $log" \
  "$bin --format json $log"

python3 - "$work/times.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
grep, human, js = (x["mean"] for x in r)
print(f"authsift (human) / grep -c . = {human / grep:.2f}x the time (speed {grep / human:.2f} of grep)")
print(f"authsift (json)  / grep -c . = {js / grep:.2f}x the time (speed {grep / js:.2f} of grep)")
PY

for fmt in human json; do
  /usr/bin/time -f "peak RSS ($fmt): %M KB" "$bin" --format "$fmt" "$log" > /dev/null || true
done
