#!/usr/bin/env bash
# Side-by-side identifier matching: classifiers/identifier's TextSpans (the
# Go path files, NATS and Redis handlers and verification use) against
# ripgrep running the matcher's own regex mirror (what the SQL handlers
# run), on the same generated log corpus in one run. Both must count the
# same matching lines.
#
#   bash bench/ident.sh                      # 200 MB corpus
#   SIZE=50 bash bench/ident.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-200}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
corpus="$OUT/corpus-${SIZE}MB.log"
[ -s "$corpus" ] || go run ./bench/gen -size "$SIZE" -out "$corpus"
command -v rg >/dev/null || apt-get install -y -qq ripgrep >/dev/null
go build -o "$OUT/identbench" ./bench/identbench
bytes=$(stat -c %s "$corpus")
# A phone the corpus holds in several spellings, and an email.
phone=""
while read -r cand; do # the first valid number (the generator's area codes are random)
  if "$OUT/identbench" -kind phone -value "$cand" -pattern >/dev/null 2>&1; then phone=$cand; break; fi
done < <(grep -m200 -oE '\+1 [2-9][0-9]{2}-[0-9]{3}-[0-9]{4}' "$corpus")
email=$(grep -m1 -oE '[a-z0-9._]+@[a-z0-9.-]+\.[a-z]{2,}' "$corpus" | head -1 || true)
for kv in "phone:$phone" "email:$email"; do
  kind=${kv%%:*} value=${kv#*:}
  read -r _ go_lines _ go_s < <("$OUT/identbench" -corpus "$corpus" -kind "$kind" -value "$value")
  pat=$("$OUT/identbench" -kind "$kind" -value "$value" -pattern)
  t0=$(date +%s.%N)
  if [ "$kind" = email ]; then
    rg_lines=$(tr 'A-Z' 'a-z' < "$corpus" | rg -P -c -e "$pat" || true)
  else
    rg_lines=$(rg -P -c -e "$pat" "$corpus" || true)
  fi
  t1=$(date +%s.%N)
  rg_s=$(echo "$t1 - $t0" | bc -l)
  printf '%-6s identifier %6.0f MB/s (%s lines)   ripgrep+mirror %6.0f MB/s (%s lines)   ratio %.2f\n' \
    "$kind" "$(echo "$bytes/1000000/$go_s" | bc -l)" "$go_lines" "$(echo "$bytes/1000000/$rg_s" | bc -l)" "${rg_lines:-0}" \
    "$(echo "$rg_s/$go_s" | bc -l)"
done
