// Package redis is the read-only Source for a Redis database
// (redis://[user:password@]host:port/db, rediss:// for TLS), and the shared
// connection helper (ParseURL, Open, ScanKeys, PatternKeys, Fetch) that
// executor/redis imports to write to the same database.
//
// A Redis keyspace has no schema, so the unit of a scan is a key pattern.
// Enumerate walks the keyspace with cursor-based SCAN in COUNT batches,
// bounded by max_keys and limited by the URL's match glob, and groups the
// keys: each key's variable segments — numbers, UUIDs, hex ids, ULIDs,
// emails, IP addresses, dates, random tokens — become `*` (Generalize:
// `user:42:profile` → `user:*:profile`); then a segment that takes many
// literal values among otherwise equal patterns is made variable too
// (`user:alice:…`, `user:bob:…`), and a pattern covered by a more general
// one is folded into it, so every key belongs to one unit. Each unit (asset
// name = the pattern) carries its key count and, from a seeded probe of its
// keys, its value types and TTL statistics: the min, median and max
// remaining TTL and the share of keys that never expire, which show how
// long a cached copy of personal data lives.
//
// Read draws a seeded bottom-k sample of the pattern's keys (a uniform
// sample that, unlike a reservoir over SCAN's order, is exactly
// reproducible and immune to SCAN's duplicates) and reads string, hash,
// list, set, zset and stream values with bounded commands. JSON values are
// classified by path (`email`, `profile.email`, a hash field `profile`
// holding JSON gives `profile.email`), plain strings as `value`, list
// elements as `element`, set and zset members as `member`, and the key's
// own variable segments as `$key` (`$key.1`, `$key.2`, … when several),
// since caches are often keyed by an email or a user id.
//
// Only read-only commands are issued: SCAN, TYPE, PTTL, STRLEN, HLEN, LLEN,
// SCARD, ZCARD, XLEN, GET, GETRANGE, HGETALL, HSCAN, LRANGE, SMEMBERS,
// SSCAN, ZRANGE and XRANGE (plus the connection handshake and PING). A
// server that does not answer within a few seconds yields an error
// wrapping piimap.ErrUnreachable. Key names never appear in errors, since
// they may hold personal data; patterns do.
package redis
