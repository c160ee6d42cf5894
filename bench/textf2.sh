#!/usr/bin/env bash
# Free-text F2 (issue 15): generate the dev and held-out labelled corpora
# (bench/textcorpus, fixed seeds) and score the text path on both with
# bench/textf2, printing Markdown tables for docs/BENCHMARKS.md.
#
#   bash bench/textf2.sh              # 2,000 documents per flavour
#   N=500 bash bench/textf2.sh
#
# Tune on dev only; the held-out figures are the ones issue 15 targets.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-2000}
DEV_SEED=${DEV_SEED:-1}
HELDOUT_SEED=${HELDOUT_SEED:-2}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

go build -o "$OUT/textcorpus" ./bench/textcorpus/cmd
go build -o "$OUT/textf2" ./bench/textf2
"$OUT/textcorpus" -flavour dev -n "$N" -seed "$DEV_SEED" -out "$OUT/textf2-dev.jsonl"
"$OUT/textcorpus" -flavour heldout -n "$N" -seed "$HELDOUT_SEED" -out "$OUT/textf2-heldout.jsonl"

echo "#### dev corpus ($N documents, seed $DEV_SEED; tune on this one)"
echo
"$OUT/textf2" -md -corpus "$OUT/textf2-dev.jsonl"
echo
echo "#### held-out corpus ($N documents, seed $HELDOUT_SEED; never tuned on)"
echo
"$OUT/textf2" -md -corpus "$OUT/textf2-heldout.jsonl"
echo
echo "#### hard negatives: the built-in rules' own samples"
echo
"$OUT/textf2" -md -negatives
