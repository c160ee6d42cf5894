// Package idfilter keeps, per text or file location, a compact filter of
// the identifiers it holds, so that a data-subject request can leave out the
// locations that cannot hold the subject instead of reading them all.
//
// It lives under scanner/ because scans build the filters (and planning, a
// floor above, reads them), and because its extraction must over-approximate
// the match rules of classifiers/identifier, which it imports: lineage, on
// the floor of classifiers, may not.
//
// # Story
//
// A full scan reads every byte of a log, a CSV or a JSON object. While it
// does, the scanner hands the unit's text chunks (Set.AddText) or cells
// (Set.AddValues) to a Set, which extracts every identifier the executor
// could match there (emails, phone-shaped digit runs, distinctive id tokens;
// see extract.go for the exact rules), hashes each with a key derived from
// the installation key (Hasher) and keeps only the 64-bit keyed hashes. When
// the unit has been read without error, Set.Build turns the distinct keys
// into a binary fuse filter (github.com/FastFilter/xorfilter; 8-bit
// fingerprints by default, about 9 bits per key and 0.4% false positives,
// or 16-bit ones, about 18 bits per key and 0.0015%: FingerprintBits; never
// a false negative) and Put stores it in the graph's DocStore under the
// location, with the unit version it describes (size, modification time and
// ETag as the source reported them), the key count, when and by which run
// it was built, and the installation key's ID. A unit that failed part-way
// gets no filter, and sampled scans never build or replace one.
//
// The executor, planning a request, computes the lookup key of each match
// value (EmailKey, PhoneFormKey, TokenKey, CellEmailKey, DigitsKey, and
// PhoneKey for a phone matched as written: each reports whether the value's
// shape is one extraction guarantees to capture) and asks the location's
// filter (Load, Stored.MayContain). A canonical phone matches under any of
// its digit forms (identifier.PhoneForms in the store's region), so it is
// looked up by the PhoneFormKey of each, and it rules the location out only
// when every form is ruled out. The executor leaves the location out only
// when its filter was built under the same installation key, by the current
// format version, from the version of the unit the latest scan saw, every
// value has a lookup key, and the filter rules out every key. Anything else
// — no filter, an outdated one, another unit version, a value of a shape
// extraction does not cover, a corrupt document — means the location is
// searched as before.
//
// # Soundness
//
// The executor matches by the rules of classifiers/identifier, not through
// the classifier: emails and ids as whole tokens, phones as phone runs whose
// digits are one of the value's forms, and whole cells by their normalised
// value (TextSpans, MatchCell). Extraction over-approximates exactly those
// rules on the bytes, so a value the executor would find always has its key
// in the filter, whatever the classifier made of it (TestSoundness and
// FuzzSoundness check this against the identifier package itself). Every
// word run of a literally matched value is a whole word run of the text,
// which is why tokens are keyed by their longest distinctive word run; the
// digit groups of a phone run are whole all-digit word runs joined by
// separators, which is why every run of groups is keyed by its digits.
// Because the rules extraction follows are part of what a filter means, the
// format version changes with them, and a filter of an earlier version is
// never used (ErrOutdated).
//
// # Storage
//
// A filter of up to MaxPartKeys keys is one document; a bigger one is split
// by key into parts, each its own document, read only when a key falls in
// it. Documents carry a magic, a format version and a CRC-32C, and every
// fuse parameter is validated on decode: corrupt bytes are an error wrapping
// piimap.ErrCorrupt (FuzzDecode), never a panic or a wrong answer. No raw
// value is stored, logged or put in an error.
package idfilter
