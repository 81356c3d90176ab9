#!/usr/bin/env bash
# CloudTrail archives: authsift against the decompression floor (zcat of
# every file to /dev/null, one thread) and the jq pipeline a user would
# write (unwrap Records, keep errorCode, count by principal), same run, on
# a generated S3-layout archive; --format json and jsonl against table (the
# same run, as ratios); peak RSS on two archive sizes.
#
# Usage: benches/cloudtrail.sh [EVENTS_SMALL] [EVENTS_LARGE]
#        (defaults 500000 and 2200000: about 0.5 and 2.1 GB uncompressed)
# Needs: GNU time, jq, hyperfine. Writes to a temporary directory it removes.
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-500000}
large=${2:-2200000}

for tool in jq hyperfine zcat; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }

cargo build --release --quiet --bin authsift --example gen_cloudtrail
target=${CARGO_TARGET_DIR:-$PWD/target}/release
bin=$target/authsift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "cpus: $(nproc)"
for events in "$small" "$large"; do
  "$target/examples/gen_cloudtrail" "$work/$events" --events "$events" --seed 7
done
archive=$work/$large
files=$(find "$archive" -name '*.json.gz' | wc -l)
echo "archive: $files files, $(du -sb "$archive" | cut -f1) bytes compressed"

# Every file's bytes through one zcat: the single-threaded decompression floor.
zcat_all="find $archive -name '*.json.gz' -print0 | xargs -0 cat | zcat > /dev/null"
jq_pipeline="find $archive -name '*.json.gz' -print0 | xargs -0 zcat | jq -r '.Records[] | select(.errorCode) | .userIdentity.arn // .userIdentity.type' | sort | uniq -c | sort -rn > /dev/null"
authsift="$bin --format table -q $archive > /dev/null"
json="$bin --format json -q $archive > /dev/null"
jsonl="$bin --format jsonl -q $archive > /dev/null"

hyperfine --warmup 1 --runs 5 --ignore-failure --export-json "$work/fast.json" \
  -n zcat "$zcat_all" -n authsift "$authsift" -n json "$json" -n jsonl "$jsonl"
hyperfine --runs 1 --ignore-failure --export-json "$work/jq.json" -n jq "$jq_pipeline"

python3 - "$work/fast.json" "$work/jq.json" <<'PY'
import json, sys
fast = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
jq = json.load(open(sys.argv[2]))["results"][0]["mean"]
a, z = fast["authsift"], fast["zcat"]
print(f"authsift {a:.2f} s, zcat {z:.2f} s, jq {jq:.2f} s")
print(f"authsift / zcat = {a / z:.2f}x the time (target <= 1.2)")
print(f"jq / authsift   = {jq / a:.1f}x faster than jq (target >= 10)")
for f in ("json", "jsonl"):
    print(f"--format {f} {fast[f]:.2f} s = {fast[f] / a:.2f}x the time of --format table, {fast[f] / z:.2f}x zcat's")
PY

for events in "$small" "$large"; do
  for f in table json jsonl; do
    /usr/bin/time -f "peak RSS ($events events, $(du -sb "$work/$events" | cut -f1) bytes gz, $f): %M KB" \
      "$bin" --format "$f" -q "$work/$events" > /dev/null || true
  done
done
