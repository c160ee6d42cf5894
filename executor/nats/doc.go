// Package nats is the executor handler for NATS JetStream stores
// (nats://host:4222?stream=…): the only code in piimap that deletes stream
// messages. It shares its connection helper and message decoding with
// scanner/nats, so a Find matches exactly the fields the scan classified.
//
// Find walks the whole stream with an ordered consumer (ephemeral, never
// acking; bounded by the URL's max_scan, beyond which it fails rather than
// answer partially) and keeps the messages any Match selects: a
// `header.Name` field compares that header's values, `data` the text
// payload, any other field the JSON body's values at that path
// (`user.email`, `cc[].email`); a match without a field finds the
// identifiers as whole tokens anywhere in the payload text or the headers.
// Each message becomes a row: _seq, _subject, _time, header, and the JSON
// body's top-level keys (or data).
//
// Erase deletes the matched messages by sequence — SecureDeleteMsg, which
// overwrites the stored bytes, for the delete and drop modes; DeleteMsg,
// which only marks them erased, for tombstone. Messages are immutable, so
// null, mask and redact are unsupported and the plan lists them as gaps. A
// second erase finds nothing and changes nothing; a message that vanished
// between find and delete counts as unchanged.
//
// A stream that refuses deletes (deny_delete, or sealed) never fails
// silently. When it holds the subject's messages and has a max_age,
// CheckMode returns an *executor.ExceptionError (kind "retention") that the
// plan records in its exceptions register and the receipt carries: it
// quotes the stream's retention and the time by which the newest of those
// messages expires. Without a max_age nothing ever expires them, and the
// location is an unsupported gap quoting the retention instead. Erase on
// such a stream deletes nothing and returns the same error.
package nats
