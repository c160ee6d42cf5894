// Package sarif writes SARIF 2.1.0 logs (OASIS Static Analysis Results
// Interchange Format), the format code-scanning dashboards and CI tools
// read: one run of the tool "piimap", one rule per PII type, and results
// that point either at a file, line and column (text findings of
// `piimap classify`) or at a store, asset and field (locations of
// `piimap map`, as logical locations).
//
// Only the subset of the object model piimap fills is declared; the
// output validates against the SARIF 2.1.0 JSON schema vendored in
// testdata/sarif. A result never carries the matched value: its message
// names the type, the confidence and the rule, and its fingerprint is a
// hash of where it is and what type it is, stable across runs (baselines
// match on it).
package sarif
