#!/usr/bin/env bash
# Copy-detection benchmark: does piimap's DEFAULT (sampled) scan find the
# undeclared copies of PII columns (copy_of edges, source fingerprint), and
# what does finding them cost? Not part of CI.
#
#   bash bench/copies.sh                       # 20000-row originals, 10 copies per transform, 3+3 scans
#   ROWS=3000 RUNS=1 bash bench/copies.sh      # a quick run
#   FULL=1 bash bench/copies.sh                # the same estate scanned with --full (ground-truth check)
#   KEEP=1 bash bench/copies.sh                # keep the estate, then scan it again and again:
#   ESTATE=bench/out/estate.json RUNS=5 bash bench/copies.sh
#
# Steps (bench/copybench):
#  1. piimap is built once into $OUT;
#  2. bench/copyestate writes the estate: customers and patients in
#     Postgres, members in MariaDB (mixed-case emails, phones), and
#     COPIES planted copies of each transform (identity, lower, subset,
#     sha256, md5, sha1; plus phone copies) spread over Postgres, MariaDB,
#     DuckDB, a files store (CSV, JSONL) and S3, beside decoys that must
#     yield no edge (unique database and bucket names, loopback servers only);
#  3. `piimap scan` runs RUNS times with copy detection and RUNS times with
#     --no-copies, alternating, each against a fresh graph directory;
#  4. after each scan with copies, `piimap map --format json` is scored
#     against the ground truth: recall and precision per transform and per
#     store kind, edges to a sibling copy reported apart;
#  5. a Markdown report and the same as JSON ($OUT/copybench.json) are
#     printed, and everything generated is removed (KEEP=1 keeps the
#     estate; `go run ./bench/copybench -clean DIR/estate.json` removes it).
#
# S3 is the PIIMAP_TEST_S3 server; when unset, the versitygw .ci/run starts
# on 127.0.0.1:7070 with its test keys (S3 is left out, and the report says
# so, when nothing answers there). NOCOPIES_FLAG replaces --no-copies for
# piimap builds that predate it (empty: no flag).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-20000}
COPIES=${COPIES:-10}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export PIIMAP_TEST_POSTGRES="${PIIMAP_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export PIIMAP_TEST_MYSQL="${PIIMAP_TEST_MYSQL:-mysql://root@127.0.0.1:3306/test}"

if [ -z "${PIIMAP_TEST_S3:-}" ]; then
  if bash -c '</dev/tcp/127.0.0.1/7070' >/dev/null 2>&1; then
    export PIIMAP_TEST_S3="s3://?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1"
    export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-piimap-test-access}
    export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-piimap-test-secret-key}
  else
    echo "copies.sh: nothing answers on 127.0.0.1:7070 and PIIMAP_TEST_S3 is unset: S3 is left out" >&2
  fi
fi

flags=(-rows "$ROWS" -copies-per-transform "$COPIES" -seed "$SEED" -runs "$RUNS" -out "$OUT")
[ "${KEEP:-0}" = 1 ] && flags+=(-keep)
[ "${FULL:-0}" = 1 ] && flags+=(-full)
[ -n "${ESTATE:-}" ] && flags+=(-estate "$ESTATE")
echo "== copy detection: $ROWS rows, $COPIES copies per transform, seed $SEED, $RUNS+$RUNS scans ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))" >&2
go run ./bench/copybench "${flags[@]}"
