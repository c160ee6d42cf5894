// Command textf2 measures piimap's text path against a labelled corpus
// (bench/textcorpus): it builds the classifier the way `piimap classify`
// does (built-in rules, default options), runs Engine.Spans over each
// document and reports, per type and overall, TP, FP, FN, precision,
// recall and F2 (β = 2, recall weighted twice as much as precision).
//
// Matching rule: a predicted span matches a gold span of the same type
// when it covers at least 50% of the gold span's bytes. Matching is one to
// one, largest overlap first: a second prediction on an already matched
// gold span is a false positive (reported as "partial", a boundary error,
// along with predictions that overlap a gold span by less than half).
// Exact-boundary figures (same start and end) are reported beside.
// Predictions of a type the corpus never labels (geo_coordinates,
// credential, …) are listed as unlabelled, not counted as false positives;
// a type the corpus labels is counted everywhere, so every unlabelled hard
// negative it fires on is a false positive.
//
//	go run ./bench/textf2 -corpus heldout.jsonl [-json|-md] [-misses 20]
//	go run ./bench/textf2 -negatives [-md]   # precision on the rules' own samples
//
// Output never holds corpus text: -misses lists document ids, types and
// byte offsets only.
package main
