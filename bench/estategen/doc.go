// Command estategen writes the estate of the identifier-filter lookup
// benchmark (bench/lookup.sh): fake people, and, for each of them, the
// places a real estate keeps them. The generator is
// internal/estate.GenerateLookup (the demo's person generator, so demo,
// tests and benchmark share one); this command only parses flags.
//
//   - a files store of daily application logs: 2 services × DAYS days × 4
//     rotated files (60% of SIZE);
//   - an S3 bucket (the PIIMAP_TEST_S3 server) of JSON Lines page-view
//     events and archived logs, 4 objects each per day (40% of SIZE);
//   - Postgres customers (email, user_id and phone declared as identities)
//     and orders, a MariaDB CRM, a DuckDB warehouse dimension, Redis session
//     hashes and a NATS JetStream stream of signup events: a few thousand
//     rows each, the same people.
//
// Every value is fake and deterministic for a seed; database, bucket, key
// and stream names are unique per run and listed in DIR/state.json (with
// the people in DIR/people.json), which
//
//	go run ./bench/estategen -dir DIR -clean
//
// uses to remove all of it. Only loopback servers (PIIMAP_TEST_* or their
// defaults) are used.
//
//	go run ./bench/estategen -dir /work/lkb -size 5200 -users 5000 -days 45
package main
