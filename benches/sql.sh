#!/usr/bin/env bash
# The rules as SQL (`authsift rules to-sql`) against the native run, on the
# same generated .json.gz archive (examples/gen_cloudtrail.rs):
#   1. equality: DuckDB's and Spark's per-event verdicts and batch groups are
#      the native run's, event by event and group by group (the check
#      tests/sql.rs makes on 20,000 events, here on EVENTS); Spark runs in
#      local mode on every core, and is left out, saying so, without Java
#      or pyspark;
#   2. speed, same hyperfine run: native per-event classification
#      (`--format table`, which classifies every failed event and keeps
#      only its verdict) against DuckDB (the DDL, then the `events` query
#      materialised as a table), both on every core.
#
# Usage: benches/sql.sh [--check] [EVENTS]   (default 1000000: about 1 GB
# uncompressed). --check: the equality only (no timing, no hyperfine), as
# .ci/run runs it.
# Needs: hyperfine, python3 with duckdb (pip install duckdb); for Spark,
# pyspark and a Java runtime. Writes to a temporary directory it removes.
set -euo pipefail
cd "$(dirname "$0")/.."
check_only=false
if [ "${1:-}" = --check ]; then check_only=true; shift; fi
events=${1:-1000000}

$check_only || command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
python3 -c 'import duckdb' 2>/dev/null || { echo "needs the duckdb Python package (pip install duckdb)" >&2; exit 1; }

cargo build --release --quiet --bin authsift --example gen_cloudtrail
target=${CARGO_TARGET_DIR:-$PWD/target}/release
bin=$target/authsift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "cpus: $(nproc), duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"
"$target/examples/gen_cloudtrail" "$work/trail" --events "$events" --seed 7
echo "archive: $(find "$work/trail" -name '*.json.gz' | wc -l) files, $(du -sb "$work/trail" | cut -f1) bytes compressed"

"$bin" rules to-sql --dialect duckdb --ddl "$work/trail" > "$work/ddl.sql"
"$bin" rules to-sql --dialect duckdb --query events > "$work/events.sql"
"$bin" rules to-sql --dialect duckdb --rules tests/sql/batch.rules > "$work/all.sql"
"$bin" rules to-sql --dialect spark --ddl "$work/trail" > "$work/ddl.py"
"$bin" rules to-sql --dialect spark --rules tests/sql/batch.rules > "$work/all-spark.sql"
cat > "$work/duckdb_events.py" <<PY
import duckdb
con = duckdb.connect()
con.execute(open("$work/ddl.sql").read())
con.execute("CREATE TABLE verdicts AS " + open("$work/events.sql").read().split("-- query: events", 1)[1].strip().rstrip(";"))
PY

# 1. Equality, event by event, with the batch rules of tests/sql/batch.rules.
"$bin" --format json --no-redact -q --rules tests/sql/batch.rules "$work/trail" > "$work/native.json" || true
python3 tests/sql/engine.py duckdb "$work/ddl.sql" "$work/all.sql" > "$work/duckdb.json"
engines=(duckdb)
if command -v java >/dev/null && python3 -c 'import pyspark' 2>/dev/null; then
  start=$EPOCHREALTIME
  python3 tests/sql/engine.py spark "$work/ddl.py" "$work/all-spark.sql" > "$work/spark.json" 2> "$work/spark.log" \
    || { cat "$work/spark.log" >&2; exit 1; }
  echo "spark (local mode, $(nproc) cores): DDL and every query, collected, in $(awk "BEGIN {printf \"%.1f\", $EPOCHREALTIME - $start}") s"
  engines+=(spark)
else
  echo "spark: left out (needs java and pyspark)"
fi
for engine in "${engines[@]}"; do
python3 - "$work/native.json" "$work/$engine.json" "$engine" <<'PY'
import collections, json, sys
native, sql, engine = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
want, groups = collections.Counter(), collections.Counter()
for inp in native["inputs"]:
    seen = set()
    for f in inp["findings"]:
        if f.get("batch"):
            b = f["batch"]
            groups[(f["rule"], inp["path"], tuple(v for _, v in b["group"]), b["count"], b["first_seen"], b["last_seen"])] += 1
        elif f["incident"] not in seen:
            seen.add(f["incident"])
            want[(f["facts"]["event.id"], f["rule"])] += 1
got = collections.Counter((r["event_id"], r["rule_id"]) for r in sql.pop("events"))
got_groups = collections.Counter()
for name, rows in sql.items():
    for r in rows:
        keys = [k for k in r if k not in ("rule_id", "severity", "input_file", "event_count", "first_seen", "last_seen")]
        # Spark names files as file:// URIs.
        path = r["input_file"].removeprefix("file://")
        got_groups[(r["rule_id"], path, tuple(str(r[k]) for k in keys), r["event_count"], r["first_seen"], r["last_seen"])] += 1
print(f"native: {sum(want.values())} classified events, {sum(groups.values())} batch groups")
print(f"{engine}: {sum(got.values())} classified events, {sum(got_groups.values())} batch groups")
assert got == want, f"per-event verdicts differ: {list((want - got).items())[:3]} / {list((got - want).items())[:3]}"
assert got_groups == groups, f"batch groups differ: {list((groups - got_groups).items())[:3]} / {list((got_groups - groups).items())[:3]}"
print(f"{engine}: identical, event by event and group by group")
PY
done
rm -f "$work/native.json" "$work/duckdb.json" "$work/spark.json"

$check_only && exit 0

# 2. Speed: per-event classification, native against DuckDB, same run.
hyperfine --runs 3 --ignore-failure --export-json "$work/speed.json" \
  -n native "$bin --format table -q $work/trail > /dev/null" \
  -n duckdb "python3 $work/duckdb_events.py"
python3 - "$work/speed.json" <<'PY'
import json, sys
t = {r["command"]: r["mean"] for r in json.load(open(sys.argv[1]))["results"]}
print(f"native {t['native']:.2f} s, duckdb {t['duckdb']:.2f} s: duckdb / native = {t['duckdb'] / t['native']:.2f}x the time")
PY
