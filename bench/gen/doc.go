// Command gen writes a deterministic, fake, mixed application log for the
// side-by-side text benchmarks (bench/text.sh): about one line in six holds
// PII (emails, phones, SSNs, card numbers, IPs, IBANs) and the rest is the
// noise real logs carry: UUIDs, timestamps, versions, order numbers, SKUs,
// durations and hex hashes, some of them PII-shaped hard negatives.
//
//	go run ./bench/gen -size 200 -out /tmp/corpus.log   # size in MB
package main
