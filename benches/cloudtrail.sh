#!/usr/bin/env bash
# CloudTrail archives, generated in the S3 layout:
#  1. time, on an archive of TIMED events (default 200,000: about 200 MB uncompressed), in one
#     hyperfine run: zcat of every file to /dev/null (one thread: the decompression floor),
#     authsift --format table, json and jsonl; then the jq pipeline a user would write (unwrap
#     Records, keep errorCode, count by principal); printed as same-run ratios;
#  2. peak RSS of every output format on two archive sizes (SMALL and LARGE events).
#
# Usage: benches/cloudtrail.sh [SMALL] [LARGE] [TIMED] [RUNS]
#        (defaults 500000, 5000000, 200000 and 5)
# Needs: GNU time, jq, hyperfine. Writes to a temporary directory it removes
# (about 0.1 GB compressed per million events). Set BIN to measure a binary
# already built (its examples/gen_cloudtrail beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-500000}
large=${2:-5000000}
timed=${3:-200000}
runs=${4:-5}

for tool in jq hyperfine zcat; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin authsift --example gen_cloudtrail
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/authsift
fi
bin=$BIN
gen=$(dirname "$bin")/examples/gen_cloudtrail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "cpus: $(nproc)"
for events in "$timed" "$small" "$large"; do
  [ -d "$work/$events" ] || "$gen" "$work/$events" --events "$events" --seed 7
done
archive=$work/$timed
files=$(find "$archive" -name '*.json.gz' | wc -l)
echo "timed archive: $files files, $(du -sb "$archive" | cut -f1) bytes compressed"

# Every file's bytes through one zcat: the single-threaded decompression floor.
zcat_all="find $archive -name '*.json.gz' -print0 | xargs -0 cat | zcat > /dev/null"
jq_pipeline="find $archive -name '*.json.gz' -print0 | xargs -0 zcat | jq -r '.Records[] | select(.errorCode) | .userIdentity.arn // .userIdentity.type' | sort | uniq -c | sort -rn > /dev/null"

hyperfine --warmup 1 --runs "$runs" --ignore-failure --export-json "$work/fast.json" \
  -n zcat "$zcat_all" \
  -n table "$bin --format table -q $archive > /dev/null" \
  -n json "$bin --format json -q $archive > /dev/null" \
  -n jsonl "$bin --format jsonl -q $archive > /dev/null"
hyperfine --runs 1 --ignore-failure --export-json "$work/jq.json" -n jq "$jq_pipeline"

python3 - "$work/fast.json" "$work/jq.json" <<'PY'
import json, sys
fast = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
jq = json.load(open(sys.argv[2]))["results"][0]["mean"]
z = fast["zcat"]
print(f"zcat {z:.2f} s, jq pipeline {jq:.2f} s")
for f in ("table", "json", "jsonl"):
    t = fast[f]
    print(f"--format {f}: {t:.2f} s = {t / z:.2f}x zcat's time (target <= 0.65 for json/jsonl), "
          f"{jq / t:.1f}x faster than the jq pipeline (target >= 12)")
PY

for events in "$small" "$large"; do
  for f in table human markdown html json jsonl ocsf summary; do
    /usr/bin/time -f "peak RSS ($events events, $(du -sb "$work/$events" | cut -f1) bytes gz, $f): %M KB, %e s" \
      "$bin" --format "$f" -q "$work/$events" > /dev/null || true
  done
  /usr/bin/time -f "peak RSS ($events events, jsonl --events): %M KB, %e s" \
    "$bin" --format jsonl --events -q "$work/$events" > /dev/null || true
  /usr/bin/time -f "peak RSS ($events events, ocsf --events): %M KB, %e s" \
    "$bin" --format ocsf --events -q "$work/$events" > /dev/null || true
done
