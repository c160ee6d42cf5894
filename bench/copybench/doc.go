// Command copybench measures whether piimap's default (sampled) scan finds
// undeclared copies of PII columns, and what finding them costs.
//
// It generates a bench/copyestate estate (originals in PostgreSQL and
// MariaDB; identity, lower-cased, subset, sha256, md5 and sha1 copies of
// their emails, and phone copies, spread over PostgreSQL, MariaDB, DuckDB,
// a files store and S3; decoys that must yield no edge), builds piimap
// once, and runs `piimap scan` -runs times with copy detection and -runs
// times with --no-copies, alternating, each against a fresh graph
// directory. After each scan with copies it reads `piimap map --format
// json` and scores the fingerprint copy_of edges against the ground truth:
// recall (planted copies with an edge to their original), precision
// (edges to the original / all edges except those to a sibling copy of
// the same original), per transform and per store kind. It prints a
// Markdown report and then the same as JSON, and removes everything it
// created unless -keep is given (then `copybench -clean DIR/estate.json`
// removes it later). No value is ever printed: counts and location names
// only.
//
//	go run ./bench/copybench                      # 20000-row originals, 10 copies per transform
//	go run ./bench/copybench -rows 3000 -runs 1   # a quick run
//	go run ./bench/copybench -full                # validate the ground truth with `scan --full`
//
// Servers come from PIIMAP_TEST_POSTGRES and PIIMAP_TEST_MYSQL (loopback
// defaults when unset) and PIIMAP_TEST_S3 with AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (S3 is left out when unset, and the report says
// so). NOCOPIES_FLAG, when set, replaces the "--no-copies" flag of the
// runs without copy detection (empty: no flag), for piimap builds that
// predate it; a build that rejects the flag is reported, not fatal.
// bench/copies.sh wraps it.
package main
