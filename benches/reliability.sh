#!/usr/bin/env bash
# Reliability: peak RSS and wall time of authsift on hostile inputs, one
# case at a time (never two heavy runs at once), each under a time limit.
#
# Usage: benches/reliability.sh [CASE...]   (default: every case)
# Cases: lineless bomb bomb-text bomb-line lines stdin ci array trail800k
#        trail8m trail8m-archive longline principals useragents canonical
#        rules parens nots trail300k
# AUTHSIFT_BIN=path measures that binary instead of building one;
# AUTHSIFT_BIN=before=path1,after=path2 measures each on the same input,
# one row each (two builds compared case by case in one run).
# FORMATS="table json jsonl human markdown ocsf" measures the event cases
# (array, principals, trail300k) in each of these formats (default: table;
# trail300k: all six).
# Needs: GNU time (apt-get install time), python3, gzip. Writes its inputs
# to a temporary directory (up to ~8 GB at a time) that it removes.
# Prints one Markdown table row per case: the README's reliability table.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }

limit=${CASE_TIMEOUT:-300}
target=${CARGO_TARGET_DIR:-$PWD/target}/release
if [ -n "${AUTHSIFT_BIN:-}" ]; then
  IFS=, read -r -a bins <<<"$AUTHSIFT_BIN"
else
  cargo build --release --quiet --bin authsift --example gen_cloudtrail
  bins=("$target/authsift")
fi
formats=${FORMATS:-table}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(lineless bomb bomb-text bomb-line lines stdin ci array trail800k trail8m trail8m-archive longline principals useragents canonical rules parens nots trail300k)

echo "cpus: $(nproc); timeout per case: ${limit} s" >&2
echo "| case | input | exit | peak RSS | time |"
echo "|---|---|---|---|---|"

# measure NAME DESCRIPTION ARGS...: one run of each binary, one table row
# each; stdin is $STDIN_FILE piped when set.
measure() {
  local name=$1 what=$2
  shift 2
  local bin label
  for bin in "${bins[@]}"; do
    label=$name
    if [[ $bin == *=* ]]; then
      label="$name (${bin%%=*})"
      bin=${bin#*=}
    fi
    local code=0
    if [ -n "${STDIN_FILE:-}" ]; then
      # A pipe, as from a program: stdin is read as it arrives.
      cat "$STDIN_FILE" | timeout "$limit" /usr/bin/time -o "$work/time" -f '%M %e' "$bin" "$@" >/dev/null 2>"$work/stderr" || code=$?
    else
      timeout "$limit" /usr/bin/time -o "$work/time" -f '%M %e' "$bin" "$@" </dev/null >/dev/null 2>"$work/stderr" || code=$?
    fi
    local rss secs
    read -r rss secs < <(grep -E '^[0-9]+ [0-9.]+$' "$work/time" | tail -1 || echo "? ?")
    [ "$code" = 124 ] && secs=">${limit}"
    printf '| %s | %s | %s | %s MB | %s s |\n' "$label" "$what" "$code" "$(( ${rss:-0} / 1024 ))" "$secs"
    sed 's/^/    /' "$work/stderr" | head -3 >&2
  done
}

# cloudtrail_jsonl EVENTS FILE: a generated archive's events, one per line.
cloudtrail_jsonl() {
  "$target/examples/gen_cloudtrail" "$work/gen" --events "$1" --seed 7 >/dev/null
  python3 - "$work/gen" "$2" <<'PY'
import gzip, json, os, sys
with open(sys.argv[2], "w") as out:
    for root, _, files in sorted(os.walk(sys.argv[1])):
        for f in sorted(files):
            for event in json.load(gzip.open(os.path.join(root, f)))["Records"]:
                out.write(json.dumps(event, separators=(",", ":")) + "\n")
PY
  rm -rf "$work/gen"
}

for case in "${cases[@]}"; do
  case $case in
  lineless)
    head -c 1000000000 /dev/zero | tr '\0' x >"$work/in"
    measure lineless "1 GB without a newline" --format json -q "$work/in" ;;
  bomb)
    head -c $((2 << 30)) /dev/zero | gzip -1 >"$work/in.gz"
    measure bomb "gzip of 2 GiB of zeros ($(( $(stat -c %s "$work/in.gz") / 1024 / 1024 )) MB)" -q "$work/in.gz" ;;
  bomb-text)
    head -c $((2 << 30)) /dev/zero | tr '\0' a | gzip -1 >"$work/in.gz"
    measure bomb-text "gzip of 2 GiB of the letter a ($(( $(stat -c %s "$work/in.gz") / 1024 / 1024 )) MB)" -q "$work/in.gz" ;;
  bomb-line)
    python3 - "$work/in" <<'PY'
import sys
line = b"2024-05-01 10:00:00,000 - MainThread - botocore.endpoint - DEBUG - An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n"
block = line * ((1 << 20) // len(line))
with open(sys.argv[1], "wb") as out:
    written = 0
    while written < (2 << 30):
        out.write(block)
        written += len(block)
PY
    gzip -1 "$work/in"
    measure bomb-line "gzip of 2 GiB of one repeated log line ($(( $(stat -c %s "$work/in.gz") / 1024 / 1024 )) MB)" -q "$work/in.gz" ;;
  lines)
    python3 - "$work/in.log" <<'PY'
import sys
line = "INFO building step 42 of the release pipeline, nothing to see here\n"
block = line * ((1 << 20) // len(line))
with open(sys.argv[1], "w") as out:
    out.write("An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n")
    for _ in range(1000):
        out.write(block)
    out.write("An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired\n")
PY
    measure lines "1 GB of pasted text, 15M lines, a failure first and last" --format json -q "$work/in.log" ;;
  stdin)
    python3 - "$work/in.log" <<'PY'
import sys
line = "INFO building step 42 of the release pipeline, nothing to see here\n"
block = line * ((1 << 20) // len(line))
with open(sys.argv[1], "w") as out:
    for _ in range(1000):
        out.write(block)
    out.write("An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied\n")
PY
    STDIN_FILE="$work/in.log" measure stdin "1 GB of pasted text piped to stdin" --format json -q ;;
  ci)
    python3 - fixtures/ci/github-actions-success-with-aws-calls.log fixtures/ci/github-actions-java-v1-access-denied.log "$work/in.log" <<'PY'
import sys
ok = open(sys.argv[1], "rb").read()
with open(sys.argv[3], "wb") as out:
    for _ in range((1 << 30) // len(ok) + 1):
        out.write(ok)
    out.write(open(sys.argv[2], "rb").read())
PY
    measure ci "1 GB GitHub Actions job log, a failure last" --format json -q "$work/in.log" ;;
  array)
    python3 - "$work/in.json" <<'PY'
import sys
event = '{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice"},"eventTime":"2024-05-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.1"}'
with open(sys.argv[1], "w") as out:
    out.write('{"Records":[')
    block = ",".join([event] * 10_000)
    for i in range(500):
        out.write(("," if i else "") + block)
    out.write("]}")
PY
    for f in $formats; do
      measure array "JSON array of 5M CloudTrail events ($(( $(stat -c %s "$work/in.json") / 1000000 )) MB), $f" --format "$f" -q "$work/in.json"
    done ;;
  trail300k)
    "$target/examples/gen_cloudtrail" "$work/archive" --events 300000 --seed 7 >/dev/null
    for f in ${FORMATS:-table json jsonl human markdown ocsf}; do
      measure trail300k "300k generated CloudTrail events, $(find "$work/archive" -type f | wc -l) .json.gz files, $f" --format "$f" -q "$work/archive"
    done
    rm -rf "$work/archive" ;;
  trail800k)
    cloudtrail_jsonl 800000 "$work/in.jsonl"
    measure trail800k "800k CloudTrail events, JSON Lines ($(( $(stat -c %s "$work/in.jsonl") / 1000000 )) MB), table" --format table -q "$work/in.jsonl"
    measure trail800k "same, --format json" --format json -q "$work/in.jsonl" ;;
  trail8m)
    cloudtrail_jsonl 800000 "$work/one.jsonl"
    for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$work/one.jsonl"; done >"$work/in.jsonl"
    rm "$work/one.jsonl"
    measure trail8m "8M CloudTrail events, one JSON Lines file ($(( $(stat -c %s "$work/in.jsonl") / 1000000 )) MB)" --format table -q "$work/in.jsonl" ;;
  trail8m-archive)
    "$target/examples/gen_cloudtrail" "$work/archive" --events 8000000 --seed 7 >/dev/null
    measure trail8m-archive "8M CloudTrail events, 8,000 .json.gz files ($(( $(du -sb "$work/archive" | cut -f1) / 1000000 )) MB gz), table" --format table -q "$work/archive" ;;
  longline)
    python3 -c '
import sys
unit = "An error occurred (AccessDenied) when calling the ListBuckets operation: Access Denied "
sys.stdout.write(unit * (80_000_000 // len(unit)))' >"$work/in.log"
    measure longline "80 MB line of repeated error text" -q "$work/in.log" ;;
  principals)
    python3 - "$work/in.jsonl" 800000 <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(int(sys.argv[2])):
        out.write('{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u%d","accessKeyId":"AKIA%016d","userName":"u%d"},"eventTime":"2024-05-01T%02d:%02d:%02dZ","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"10.%d.%d.%d","userAgent":"aws-cli/2.%d.%d Python/3.11","errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::111122223333:user/u%d is not authorized to perform: s3:GetObject","eventID":"e%08d"}\n'
                  % (i, i, i, (i // 3600) % 24, (i // 60) % 60, i % 60, (i >> 16) & 255, (i >> 8) & 255, i & 255, i % 1000, i // 1000, i, i))
PY
    for f in $formats; do
      measure principals "800k CloudTrail failures, each a new principal, key, address, user agent ($(( $(stat -c %s "$work/in.jsonl") / 1000000 )) MB), $f" --format "$f" -q "$work/in.jsonl"
    done ;;
  useragents)
    python3 - "$work/in.log" 1000000 <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(int(sys.argv[2])):
        out.write('79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.GET.OBJECT key "GET /amzn-s3-demo-bucket1/key HTTP/1.1" 403 SignatureDoesNotMatch 243 - 7 - "-" "aws-cli/2.%d.%d Python/3.11" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - - us-west-1\n' % (i // 1000, i % 1000))
PY
    measure useragents "S3 access log, 1M lines, 1M distinct user agents ($(( $(stat -c %s "$work/in.log") / 1000000 )) MB), table" --format table -q "$work/in.log" ;;
  canonical)
    python3 - fixtures/aws-debug/s3-ls-wrong-secret.log "$work/in.log" 400000 <<'PY'
import sys
text = open(sys.argv[1]).read()
n = int(sys.argv[3])
ours = "&".join("p%06d=v%d" % (i, i) for i in range(n))
theirs = "&amp;".join("p%06d=v%d" % (i, 0 if i == 7 else i) for i in range(n))
text = text.replace("delimiter=%2F&encoding-type=url&list-type=2&prefix=releases%2F\n", ours + "\n", 1)
text = text.replace("delimiter=%2F&amp;encoding-type=url&amp;list-type=2&amp;prefix=releases%2F", theirs, 1)
open(sys.argv[2], "w").write(text)
PY
    measure canonical "aws --debug log, canonical requests with 400k query parameters, one differing" -q "$work/in.log" ;;
  rules)
    python3 - "$work/many.rules" 200000 <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    for i in range(int(sys.argv[2])):
        out.write('rule custom.r%d {\n  title "rule %d"\n  severity low\n  priority %d\n  when error.code == "Code%d"\n  explain "x"\n  fix "f"\n}\n' % (i, i, i % 100, i))
PY
    measure rules "rules check, a file of 200k rules" rules check "$work/many.rules" ;;
  parens)
    python3 - "$work/deep.rules" 40000 <<'PY'
import sys
n = int(sys.argv[2])
open(sys.argv[1], "w").write('rule custom.deep {\n  title "deep"\n  severity low\n  priority 1\n  when ' + "(" * n + 'error.code == "X"' + ")" * n + '\n  explain "x"\n  fix "f"\n}\n')
PY
    measure parens "rules check, 40k nested parentheses" rules check "$work/deep.rules" ;;
  nots)
    python3 - "$work/nots.rules" 500000 <<'PY'
import sys
n = int(sys.argv[2])
open(sys.argv[1], "w").write('rule custom.nots {\n  title "nots"\n  severity low\n  priority 1\n  when ' + "not " * n + 'error.code == "X"\n  explain "x"\n  fix "f"\n}\n')
PY
    measure nots "rules check, 500k nested not" rules check "$work/nots.rules" ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
  esac
  rm -rf "${work:?}"/*
done
