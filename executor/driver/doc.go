// Package driver is the contract between the executor and the store kinds
// (executor/postgres, executor/files, ...), the way gocloud's blob/driver
// sits under blob: a kind imports this package and its own scanner/<kind>,
// nothing else of the executor.
//
// A kind implements Handler (Find, Erase, Close) for one configured store
// and registers an Opener for its kind from init (Register). What it is
// asked to do arrives as Targets: one asset, the Matches that select the
// subject's rows, the Mode an erasure uses. A handler that can do more
// says so through the optional interfaces beside Handler: Counter,
// ParallelReader, Rectifier, Recomputer, ModeChecker, ParquetExporter,
// AssetVersioner, IdentifierFiltered and Purger. A location it must leave alone for a reason
// the exceptions register records (a stream that denies deletes) is an
// *ExceptionError naming one of the Exception kinds.
//
// The helpers are the ones every kind needs to agree with every other on
// which rows are the subject's: the match rules (match.go, the
// classifiers/identifier rules as Match methods), the Prefilter streaming
// handlers ask before they parse a record, the row helpers (ArrowRows,
// CellString, LookupPath, and the Batcher that groups Find's rows into
// Batches), ClearPlan and MaskToken for null and mask modes in SQL stores,
// and the purge report. CountRows and ParallelReads are the
// two fallbacks every caller of a Handler needs: counting through Find when
// a handler is no Counter, and reading one asset at a time when it is no
// ParallelReader.
//
// Planning, the request flow and the evidence live above this package
// (executor/planning, executor, executor/evidence); it imports none of them.
package driver
