// Package badgerstore keeps piimap's PII location map in a Badger
// (github.com/dgraph-io/badger/v4) directory: one snapshot of nodes, edges,
// findings and unit errors per scan run, plus the small documents of the
// DSAR flow (requests, plans, audit entries, receipts). The installation's
// key lives outside it, in the key directory (KeySource, below).
//
// # Story
//
// A scan calls BeginRun with the stores it will read. That allocates a run
// ID — a UTC timestamp with microseconds, "20260123T101112.000123Z", bumped
// past the previous ID if the clock stepped back, so IDs sort by time as
// strings — and returns a Writer. Scanner goroutines put nodes, edges,
// findings and unit errors through it concurrently; the writes go into a
// Badger WriteBatch that commits in the background as it fills. Finish
// flushes the batch, then carries forward from the newest earlier finished
// run everything belonging to stores this run did not scan, so the snapshot
// of a `piimap scan --store app` run is still the whole estate. Only then is
// the run's metadata written as finished, and the directory synced. A run
// that never finishes is never Latest, never a source of carry-forward, and
// never read by `map` without --run; the next read-write Open, which holds
// the directory lock and so knows no scan is in progress, marks it failed.
// Every run is a full snapshot, so Prune(keep) drops the runs before the
// newest keep finished ones (run records first, then their snapshot
// prefixes).
//
// Reads (Nodes, Edges, Findings, UnitErrors) are prefix scans over one run's
// snapshot, in key order, which is (store, asset, field) order. Edges are
// stored twice, under a forward and a reverse prefix, so both "what does
// this field flow to" and "what flows into this field" are one prefix scan.
//
// # Key layout
//
// Components inside keys are escaped (0x00 → 0x01 0x01, 0x01 → 0x01 0x02)
// and terminated by 0x00, so a prefix of whole components matches exactly
// the keys under it ("app" never matches "app2") and keys sort
// component-wise. A location's identity in keys is store, asset, field;
// its namespace lives in the value. <loc> below is store 0x00 asset 0x00
// field 0x00; values are JSON.
//
//	meta/schema                              layout version ("1"); Open refuses others
//	meta/installation_key                    only without a KeySource (tests, old installs): 32 random bytes
//	meta/last_run                            last run ID issued
//	run/<run>                                lineage.ScanRun
//	snap/<run>/n<loc>                        lineage.Node
//	snap/<run>/o<from> kind␀ source␀ <to>    lineage.Edge, forward
//	snap/<run>/i<to> kind␀ source␀ <from>    lineage.Edge, reverse (same value)
//	snap/<run>/f<loc> type␀ rule␀            piimap.Finding
//	snap/<run>/e store␀ unit␀ seq(8, BE)     lineage.UnitError
//	doc/<kind>␀<id>                          a DocStore document (raw bytes)
//
// The edge source is part of the key: an fk edge and a fingerprint edge
// between the same two fields are separate evidence and both kept.
// Later sections belong under snap/<run>/ with a new section byte (for
// instance fingerprint sketches or identifier filters per field), and a
// diff of two runs is a merge of two sorted prefix scans.
//
// # Carry-forward rules
//
// For each store not scanned in the run (and, when ScanRun.Configured is
// set, still configured): its nodes, findings and unit errors are copied.
// An edge belongs to the store of its From end and is copied when that
// store is carried, unless its To end is in a store this run scanned and
// that node no longer exists, or its To store left the configuration, or
// its source is one the run rewrites (ScanRun.Rewrites).
//
// # No raw PII
//
// No key or value of the graph (meta/, run/, snap/) holds a raw value:
// findings carry the classifier's masked form (piimap.Finding has no field
// for a raw value), evidence is counts and reasons, unit errors are written
// by sources that never quote data, and identifiers elsewhere are HMACed
// with the installation key. Documents under doc/ are stored as their
// owner (the executor) gives them; it seals subject identifiers itself. The shared suite in lineagetest plants a raw canary
// beside a masked finding and greps every file of the directory for it.
// Compression is off, so that check can see stored strings at all.
//
// # Operation
//
// Options are sized for a command-line tool on a small machine: 4 MB
// memtables (two), two compactors, an 8 MB block cache, values above 64 KB
// in the value log. Badger's warnings and errors go to slog; its info
// chatter only at debug level. A directory is locked by one read-write
// process at a time; a second Open fails with ErrLocked. WithReadOnly
// takes a shared lock instead.
//
// # Keys
//
// The installation key (HMACs of identifiers, fingerprints, the executor's
// sealing) does not live in the graph: Open with WithKeySource, or a
// directory bound with BindKeySource as the command line does, takes it
// from the key directory (executor/evidence.KeyDirRef), so a copy of the
// directory alone is useless for opening sealed data. Installations from
// before key directories kept it under meta/installation_key;
// LegacyInstallationKey reads it for the move and
// RemoveLegacyInstallationKey drops it (DropPrefix, so the bytes leave the
// tables), and InstallationKey refuses a bound graph that still holds one.
// Without a KeySource (tests, embedding) the key is created once under
// meta/installation_key, as before.
//
// SharedDocs is a document store over a graph directory that opens it for
// each operation, retrying while another process holds it (up to
// DefaultLockWait), so that `piimap lineage serve` stores events while
// scans run beside it (shareddocs.go).
package badgerstore
