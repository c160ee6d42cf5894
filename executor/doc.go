// Package executor carries out data-subject requests (access, erasure,
// rectification, portability, restriction) over the PII location map. It
// is the request flow: the entry point cmd/piimap calls, and the only
// package that imports the three below it.
//
// The flow reads top to bottom in the Service's methods:
//
//	NewRequest ─► Plan ─► Approve (four eyes, digest frozen) ─► Execute ─► Verify ─► Receipt
//
// Step by step:
//
//   - NewRequest (intake.go) refuses what could reach the wrong person:
//     every identifier is parsed by classifiers/identifier (a bare domain,
//     a partial phone, a wildcard are refused, naming the kind, never the
//     value; several values of a kind are kept), and every request has a
//     tenant some store serves. A Request is a persisted state machine in
//     the lineage.DocStore (request.go); its raw identifiers are sealed
//     with AES-GCM under a key derived from the installation key and appear
//     elsewhere only masked (a***@e***.com) or as HMACs. Every step can run
//     in a separate process.
//   - Plan (lifecycle.go) has executor/planning derive the work from the
//     latest scan run of the tenant's part of the map, and keeps the plan
//     with its match values sealed (plans.go). Every PII location the plan
//     cannot reach is an explicit gap. Approve records an approval of the
//     plan's digest; erasure and rectification need two approvers, never
//     the requester, and a plan whose identifiers select more entity
//     records than the request allows is refused.
//   - Execute (execute.go) re-derives the plan and refuses with
//     piimap.ErrPlanChanged when the digest moved. It is a dry run unless
//     RunOptions.Apply is set. An applied run (apply.go) works store by
//     store in a bounded pool, each store's targets children-first in one
//     Handler.Erase call (one transaction for SQL stores, atomic file
//     replacement for files), persists per-step progress so an interrupted
//     run resumes (progress.go), then verifies by re-running every Find
//     (verify.go) and asks the store whether the erased bytes are
//     physically gone (purge.go). Access, portability and restriction only
//     read (readonly.go).
//   - The receipt states the residual per location and is signed; every
//     action is appended to the audit chain; erased identifiers enter the
//     forget ledger as HMACs (evidence.go shows them). Legal holds
//     (holds.go: per tenant, store, asset glob or subject by HMAC) and
//     immutable backups live in the exceptions register (register.go); a
//     receipt with an exception ends completed_with_exceptions. Stores
//     marked manual, or of a kind without a handler, become manual tasks
//     (tasks.go) the request waits on. ReplayStore (replay.go) re-applies
//     the ledger's erasures to one restored store; Replay re-runs whole
//     requests.
//
// Stores are reached only through openHandler (handlers.go), which refuses
// a store of any other tenant whatever a plan says.
//
// The executor is split by job, the way gocloud splits blob from
// blob/driver:
//
//   - executor/driver: the Handler contract and the helpers a store kind
//     needs (Target, Match and its rules, Prefilter, row helpers, modes,
//     ClearPlan, MaskToken, purge reports). Store kinds (executor/duckdb,
//     executor/files, ...) import it and their own scanner/<kind>, nothing
//     else of the executor; they are the only code in piimap that writes
//     to a store. executor/executortest is the conformance suite every
//     handler passes.
//   - executor/planning: derivation from the map, the subject closure,
//     gaps, exceptions, identifier filters, lineage actions, the
//     blast-radius guard and the plan digest.
//   - executor/evidence: keys and sealing, the audit chain, the forget
//     ledger, signed receipts (VerifyReceipt) and export packages.
//   - executor/dsar: the words all of them share: request Type, Status,
//     Approval, and MaskDisplay.
package executor
