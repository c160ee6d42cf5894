// Package piimap is the shared vocabulary of piimap: Location, Unit, Record,
// Finding, Span, Subject, the PII type names and the sentinel errors that
// callers branch on.
//
// It holds no logic and imports nothing of the project, so every floor of
// the tool (scanner, classifiers, lineage, executor, cmd) can speak it.
// The scan flow turns Units into Records into Findings; the DSAR flow looks a
// Subject up across the Locations the scan mapped.
package piimap
