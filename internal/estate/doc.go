// Package estate generates fake personal-data estates: the one generator
// behind `piimap demo`, the command's end-to-end tests and the
// identifier-filter benchmark (bench/estategen, driven by bench/lookup.sh).
// Every value is generated and deterministic for a seed; none belongs to a
// real person.
//
// # Story
//
// Everything starts from one person generator (Person, people.go): a user
// ID, a name, an email, a phone with an assigned US area code, a date of
// birth, an address, an SSN that passes the SSA rules, a Luhn-valid card
// number, a German IBAN with valid check digits and a signup IP. Beside it
// are the hard negatives a classifier must not flag: card-shaped numbers
// that fail Luhn, SSN-shaped numbers the SSA never issues, UUIDs and
// version strings.
//
// Generate writes the demo estate, small and local, under Options.Dir:
//
//   - warehouse.duckdb: customers (every identifier), orders (a foreign key
//     to customers, a shipping address and the hard negatives) and
//     marketing_audience, derived from customers;
//   - files/: three days of Parquet events, a CSV export (some names in
//     capitals), JSONL application logs with PII inside "msg", plain-text
//     logs and a gzipped archive of them;
//   - piimap.yaml configuring the two stores (StoreWarehouse, StoreFiles),
//     with customers' email and user_id declared as identities;
//   - ground-truth.json (GroundTruth): which fields hold PII of which type,
//     which fields are hard negatives, and for each subject how many
//     records every asset holds. GroundTruth.Check scores a scanned map
//     against it; GroundTruth.Busiest picks the subject whose request
//     touches the most assets.
//
// GenerateLookup writes the lookup estate, large and spread over every
// store kind, for the benchmark of identifier filters: daily rotated
// application logs in a files store (60% of the bytes), JSON Lines events
// and archived logs in an S3 bucket (40%), and Postgres customers (with
// declared identities) and orders, a MariaDB CRM, a DuckDB dimension,
// Redis session hashes and a NATS JetStream stream, a few thousand rows
// each. Its people (LookupPerson, people.json) are drawn by the same
// person generator; their activity is skewed as real traffic is: a person
// is active on a few days (1 + geometric, mean about 2.3), in one
// quarter-day rotation slot per day, and appears only in that slot's logs
// and objects. Only loopback servers are used (Servers, the PIIMAP_TEST_*
// variables or the .ci/run defaults). Database, bucket, key and stream
// names are unique per run and written to Dir/state.json (LookupState)
// before they are created, so CleanLookup removes all of it, even after a
// failed run.
//
// # Not here
//
// Two estates stay independent of this package on purpose: the acceptance
// estate of cmd/piimap/acceptance_test.go, which checks this generator's
// estate against a second, independent one (issue 10), and
// bench/copyestate, the copy-detection benchmark's own estate.
package estate
