// Package nats is the read-only Source for NATS JetStream
// (nats://host:4222?stream=ORDERS&stream=AUDIT, or every stream of the
// account when no stream is named), and the shared connection helper
// (ParseURL, Connect, Conn.Walk, Conn.GetMsg, Message.Fields) that
// executor/nats imports to find and delete a subject's messages.
//
// Each stream is one unit; its asset name is the stream name. Enumerate
// records the stream's message count and bytes and its retention limits —
// retention policy, max_age, max_msgs, max_bytes, max_msgs_per_subject,
// discard, deny_delete, deny_purge, sealed — as unit meta, which the scan
// writes onto the asset node: they prove how long a message lives there and
// whether it can be erased before it expires.
//
// Sampling is by sequence, never from the head: seeded random sequences
// between the stream's first and last sequence, fetched one by one with
// direct get (STREAM.MSG.GET when the stream does not allow direct access);
// a draw on a deleted sequence takes the next live message. A sparse stream
// (mostly deleted sequences) is instead walked once into a uniform
// reservoir, and a stream no bigger than the sample is read whole. The same
// seed over the same stream yields the same messages. A full read walks the
// stream with an ordered consumer — ephemeral, memory-only, never acking,
// deleted when the walk ends — bounded by max_scan.
//
// A message yields fields: each header as `header.X-User-Email`; each scalar
// of a JSON object or array payload by its path (`user.email`,
// `items[].sku`); any other UTF-8 payload as `data` (marked as free text
// when it reads like sentences). Binary payloads yield nothing.
//
// Nothing here publishes, acks, deletes or purges. A server that cannot be
// reached within the URL's timeout (default 5s) is an error wrapping
// piimap.ErrUnreachable.
package nats
