// Package scannertest is the conformance suite every scanner Source passes,
// in the style of gocloud's drivertest: a store package provides a Harness
// that materialises the suite's Fixture (a "people" table and a text log,
// all fake) in its own format, and RunConformance checks the contract:
//
//   - Enumerate emits units with stable names, located in the store;
//   - Read emits records whose location belongs to the unit;
//   - seeded sampling is reproducible, bounded, row-aligned and not
//     head-only; a full read returns every value; a field filter is obeyed;
//   - text is read in full, in chunks with exact offsets and line numbers;
//   - a cancelled context and an emit error stop Enumerate and Read;
//   - a missing unit yields an error wrapping piimap.ErrNotFound;
//   - the store is byte-for-byte unchanged after the scan (read-only).
package scannertest
