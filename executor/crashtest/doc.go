// Package crashtest holds piimap's crash-recovery tests for erasure: they
// build the piimap binary, prepare a real Postgres and a real MariaDB
// estate (subjects with many rows across a foreign-key chain, plus CSV and
// log files), run
// `piimap dsar run --apply` as a child process, kill -9 it at a seeded
// random moment, run it again to completion, and check that the residual is
// zero and that no other subject's rows changed.
//
// What it proves, and why it holds:
//
//   - the SQL handlers erase a store in one transaction, so a kill either
//     commits the whole store or nothing (the server rolls back a
//     transaction whose client vanished); every other kill is pinned inside
//     that transaction (a concurrent session holds the subject's parent row
//     until the run has been killed) and the test checks that none of the
//     children the run had deleted is gone;
//   - the executor persists per-step progress before and after each store,
//     so a re-run resumes an "executing" request and re-erases only what was
//     not recorded as done; erasure being idempotent, re-erasing a store
//     that had in fact committed changes nothing;
//   - the files handler rewrites a file to a temporary name and renames it,
//     so a kill leaves the old or the new file, never a torn one.
//
// The package has no non-test code. Each server's half runs when its
// variable (PIIMAP_TEST_POSTGRES, PIIMAP_TEST_MYSQL) is set and needs a Go
// toolchain; -short skips the test. PIIMAP_CRASH_SEED and
// PIIMAP_CRASH_ITERATIONS override the seed (logged on every run, so a
// failure can be replayed) and the number of kills (at least 10).
package crashtest
