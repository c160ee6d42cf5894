// Package classifiers decides what personal data a field or a piece of text
// holds. It compiles the rules package's declarative rules into an Engine
// and exposes three entry points:
//
//   - Classify(Record) for structured data: the sampled cells of one field
//     become one Finding per PII type, with a confidence built from the
//     validated share of distinct values (Wilson lower bound; in a field
//     of fewer than 5 values, the rule's score times that share), the field's
//     name and JSON path words (snake_case and camelCase split), its SQL
//     type, its cardinality profile and negative evidence (UUIDs, hex hashes,
//     epoch timestamps, version strings, business codes such as ORD-000123,
//     stepped sequences). Fields holding free text are also span-matched.
//   - Spans(data) for text, the hot path. It is not a loop of regexps: one
//     pass over the bytes, driven by a byte-class table, finds cheap
//     candidates (digit runs with consistent separators, the neighbourhood of
//     '@', upper-case letter+digit words, dotted quads, hex-colon runs, known
//     token prefixes) and validates only those with classifiers/validate.
//     Context words around a candidate are matched as whole words, so "lic"
//     never fires inside "duplicate". Custom rules with keywords run their
//     regexp only on windows after an Aho-Corasick keyword hit.
//   - ScanParallel(r) splits a stream into line-aligned chunks and runs Spans
//     on them across a bounded set of workers, emitting matches in order with
//     line numbers.
//
// Findings and spans never carry raw values: evidence is counts and names,
// and Masked is a masked example (j***@e***.com, ***-**-6789).
//
// The package sees only piimap.Record and returns piimap.Finding; it imports
// neither scanner nor lineage.
package classifiers
