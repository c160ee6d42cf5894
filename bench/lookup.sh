#!/usr/bin/env bash
# Identifier-filter benchmark (issue 4, item 4): the cost of building
# filters in a full scan, and access lookups on a generated estate of every
# store kind, with and without filters. Not part of CI.
#
#   bash bench/lookup.sh                    # 5.2 GB estate, 20 + 5 lookups
#   SIZE=200 USERS=1000 bash bench/lookup.sh   # a quick run
#
# Steps:
#  1. scan overhead: a 200 MB log corpus (25 rotated 8 MB files from
#     bench/gen) scanned in full with and without filters, 3 runs each;
#  2. bench/estategen writes the estate (logs in a files store, events and
#     archived logs in S3, Postgres, MariaDB, DuckDB, Redis, NATS; unique
#     names, loopback servers only) under $DIR;
#  3. `piimap scan --full` builds the filters;
#  4. bench/lookupbench runs N access lookups with filters, then OFF others
#     without filters and again with them (same records found, checked);
#  5. CLI lookups (`dsar new/plan/approve/run` as separate processes) for
#     CLI people, with filters, timed end to end;
#  6. a second full scan builds 16-bit filters (lookupbench rescan) and the
#     N lookups of step 4 run again (BITS16=0 skips this);
#  7. everything generated is removed (KEEP=1 keeps the estate).
#
# S3 is the PIIMAP_TEST_S3 server; when unset, the versitygw .ci/run starts
# on 127.0.0.1:7070 with its test keys.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-5200}    # MB of logs and objects
USERS=${USERS:-5000}
DAYS=${DAYS:-45}
N=${N:-20}
OFF=${OFF:-5}
CLI=${CLI:-5}
OUT=${OUT:-bench/out}
DIR=${DIR:-$OUT/lookup-estate}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

if [ -z "${PIIMAP_TEST_S3:-}" ]; then
  export PIIMAP_TEST_S3="s3://?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1"
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-piimap-test-access}
  export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-piimap-test-secret-key}
fi

need=$((SIZE * 25 / 10 + 1000)) # estate, S3 copy, graph, corpus
avail=$(df -Pm "$OUT" | awk 'NR==2{print $4}')
if [ "$avail" -lt "$need" ]; then
  echo "lookup.sh: $avail MB free under $OUT, need about $need MB" >&2
  exit 1
fi

echo "building piimap, estategen, lookupbench"
go build -o "$OUT/piimap" ./cmd/piimap
go build -o "$OUT/estategen" ./bench/estategen
go build -o "$OUT/lookupbench" ./bench/lookupbench

cleanup() {
  if [ "${KEEP:-0}" != 1 ] && [ -f "$DIR/state.json" ]; then
    "$OUT/estategen" -dir "$DIR" -clean || echo "lookup.sh: cleanup of $DIR failed; run: $OUT/estategen -dir $DIR -clean" >&2
  fi
  rm -rf "$OUT/lookup-corpus"
}
trap cleanup EXIT

echo "== 1. scan overhead of building filters ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
mkdir -p "$OUT/lookup-corpus"
for i in $(seq 1 25); do go run ./bench/gen -size 8 -seed "$i" -out "$OUT/lookup-corpus/app-$i.log"; done
"$OUT/lookupbench" scan -dir "$OUT/lookup-corpus" -runs 3

echo "== 2. estate: $SIZE MB, $USERS people, $DAYS days"
[ ! -e "$DIR" ] || "$OUT/estategen" -dir "$DIR" -clean
"$OUT/estategen" -dir "$DIR" -size "$SIZE" -users "$USERS" -days "$DAYS"
cfg="$DIR/piimap.yaml"

"$OUT/piimap" --config "$cfg" --quiet init # the key directory, beside the config
echo "== 3. full scan (builds the filters)"
t0=$(date +%s%N)
"$OUT/piimap" --config "$cfg" --quiet scan --full
t1=$(date +%s%N)
awk -v a="$t0" -v b="$t1" 'BEGIN{printf "full scan: %.1f s\n", (b-a)/1e9}'
du -sh "$DIR/graph"

echo "== 4. access lookups through the executor API"
"$OUT/lookupbench" lookup -state "$DIR/state.json" -n "$N" -off "$OFF"

echo "== 5. access lookups through the CLI (new, plan, approve, run: four processes), with filters"
times=()
for i in $(seq 1 "$CLI"); do
  email=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[int(sys.argv[2])]["email"])' "$DIR/people.json" "$((i * 997 % USERS))")
  t0=$(date +%s%N)
  id=$("$OUT/piimap" --config "$cfg" --json dsar new --type access --subject "email=$email" --requester privacy-ops |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  "$OUT/piimap" --config "$cfg" dsar plan "$id" >/dev/null || [ $? -eq 3 ] # 3: completed with gaps
  "$OUT/piimap" --config "$cfg" dsar approve "$id" --by dpo >/dev/null
  "$OUT/piimap" --config "$cfg" dsar run "$id" --out "$OUT/lookup-export" >/dev/null || [ $? -eq 3 ]
  t1=$(date +%s%N)
  rm -rf "$OUT/lookup-export"
  times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", (b-a)/1e6}')")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{printf "CLI lookups n=%d: p50 %d ms, max %d ms (each: %s)\n", NR, a[int((NR+1)/2)], a[NR], "'"${times[*]}"'"}'

if [ "${BITS16:-1}" = 1 ]; then
  echo "== 6. the same lookups with 16-bit fingerprints (a second full scan rebuilds the filters)"
  "$OUT/lookupbench" rescan -state "$DIR/state.json" -bits 16
  "$OUT/lookupbench" lookup -state "$DIR/state.json" -n "$N" -off 0
fi
