// Package redis is the executor handler for Redis stores: the only code in
// piimap that writes to Redis. It imports scanner/redis for the connection
// helper, the key-pattern rules (a target's asset is the scanner's key
// pattern; PatternKeys SCANs for exactly the keys the scanner grouped under
// it, within the store's match glob) and the value reader, so that Find,
// Erase and Verify see the same keys and the same field paths the scan
// classified.
//
// A row of the subject's data is a whole key for strings and hashes (and
// for any key whose own name — field `$key` — identifies the subject), and
// one element, member or entry for lists, sets, zsets and streams. Matches
// are evaluated by field path with executor.Match, so JSON values match at
// `email` or `profile.email` and hashes by field name.
//
// Erasure modes:
//   - delete: DEL the key the subject owns; when the subject only owns
//     elements of an array inside a JSON value, the value is rewritten
//     without those elements; list/set/zset items are LREM/SREM/ZREMed and
//     stream entries XDELed;
//   - null: HDEL the subject's hash fields, or rewrite a JSON value without
//     the subject's fields (a value left empty is deleted);
//   - mask: replace them with HMAC tokens (executor.MaskToken).
//
// Every rewrite keeps the key's TTL (SET … KEEPTTL; the hash, list, set and
// zset commands never touch it), and runs in a WATCH/MULTI transaction
// after re-reading the key, so a concurrent write is never clobbered: an
// aborted transaction is re-read and retried. Erasure is idempotent: once
// done, the subject's fields are gone or masked, so nothing matches again.
package redis
