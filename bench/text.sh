#!/usr/bin/env bash
# Side-by-side text benchmark (issue 2, item 9): piimap vs gitleaks vs ripgrep
# on the same generated log corpus, in one run, printing throughput and ratios.
#
#   bash bench/text.sh            # 200 MB corpus, best of 3 runs each
#   SIZE=50 RUNS=1 bash bench/text.sh
#
# gitleaks takes minutes on 200 MB, so it runs GITLEAKS_RUNS times (default 1).
#
# Every tool writes its matches to a file (ripgrep short-circuits when its
# output is /dev/null, so that would flatter it). piimap also writes a CPU
# profile of its last run to $OUT/classify.prof (go tool pprof -top ...).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-200}
RUNS=${RUNS:-3}
GITLEAKS_RUNS=${GITLEAKS_RUNS:-1}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

corpus="$OUT/corpus-${SIZE}MB.log"
[ -s "$corpus" ] || go run ./bench/gen -size "$SIZE" -out "$corpus"
bytes=$(stat -c %s "$corpus")
go build -o "$OUT/piimap" ./cmd/piimap

if ! command -v rg >/dev/null; then
  apt-get install -y -qq ripgrep >/dev/null
fi
GITLEAKS=$(command -v gitleaks || echo "$(go env GOPATH)/bin/gitleaks")
if [ ! -x "$GITLEAKS" ]; then
  go install github.com/zricethezav/gitleaks/v8@v8.30.1
fi

# best SECONDS over $RUNS runs of a command
best() {
  local best="" runs=$RUNS
  if [ "$1" = gitleaks_run ]; then runs=$GITLEAKS_RUNS; fi
  for _ in $(seq 1 "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    local s; s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}')
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
  done
  echo "$best"
}

piimap_run() { "$OUT/piimap" classify --json --cpuprofile "$OUT/classify.prof" "$corpus" >"$OUT/piimap.jsonl"; }
gitleaks_run() {
  "$GITLEAKS" dir "$corpus" --config bench/gitleaks-pii.toml --no-banner --log-level error \
    --exit-code 0 --report-format json --report-path "$OUT/gitleaks.json"
}
rg_run() { rg --no-filename --line-number --only-matching -f bench/pii-patterns.txt "$corpus" >"$OUT/rg.txt"; }

echo "corpus: $corpus ($bytes bytes), best of $RUNS runs ($GITLEAKS_RUNS for gitleaks), $(nproc) cores, load $(cut -d" " -f1 /proc/loadavg)"
tp=$(best piimap_run)
tg=$(best gitleaks_run)
tr=$(best rg_run)
np=$(wc -l <"$OUT/piimap.jsonl")
ng=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$OUT/gitleaks.json" 2>/dev/null || echo "?")
nr=$(wc -l <"$OUT/rg.txt")

row() { awk -v n="$1" -v s="$2" -v b="$bytes" -v f="$3" -v p="$tp" \
  'BEGIN{printf "%-10s %8.2f s %9.1f MB/s %10s matches   piimap is %6.2fx its speed\n", n, s, b/s/1e6, f, s/p}'; }
row piimap "$tp" "$np"
row gitleaks "$tg" "$ng"
row ripgrep "$tr" "$nr"
echo "profile: go tool pprof -top $OUT/piimap $OUT/classify.prof"
