// Package fingerprint finds copies of personal data nobody declared: a CSV
// export of the users table, a warehouse column of sha256(lower(email)), a
// cache holding the last four digits of cards. It compares what fields
// hold, not what they are called, and turns what it finds into copy_of
// edges of the lineage graph.
//
// # Sketches
//
// The scanner feeds each PII field's values (sampled or all) to a Builder
// made for the field's PII type. The builder normalises each value so that
// spellings of one identifier agree (emails lowercased and trimmed, phones
// in E.164, SSNs and cards as digits, names case-folded with white space
// collapsed; see NormalizerFor), hashes it once with SipHash-2-4 under a key
// derived from the installation key by HMAC-SHA256, and keeps two summaries
// of the hashes: a one-permutation MinHash signature of K=128 bins (each
// value is remixed once and kept if it is the smallest in its bin;
// ophash.go) and a KMV sketch of the 256
// smallest distinct hashes, which gives the distinct count (exact below
// 256) and, together with the MinHash, the containment of one field in
// another. A Sketch holds only keyed hashes: without the installation key
// no one can test a guessed email against it. It serialises with
// MarshalBinary (a few KB per signature) and records the key's ID so that
// sketches made under different keys are never compared.
//
// For types a masked copy is commonly made of, the builder also sketches
// derived forms of every value: sha256, md5 and sha1 hex and base64 of a
// normalised email; sha256 of a phone in E.164 with and without the +; the
// last four digits of cards and SSNs. A field with no PII type (a column of
// hex digests is not PII to a classifier) is sketched with the opaque
// normaliser, which canonicalises hex case, base64 padding and alphabet and
// masked cards ("**** 1234" → "1234"), and its dominant value shape (hex64,
// hex32, hex40, base64, last4) becomes its domain. A masked copy is then an
// untyped field whose values are contained in a derived sketch of the same
// shape.
//
// # Containment and direction
//
// Compare estimates the containment |A∩B|/|A| of a copy A in an original B
// by pooling two coordinated samples of A: the KMV hashes below both
// sketches' thresholds (exact when both sets are small) and the MinHash
// bins where A has a value and A's minimum is not above B's. The estimate comes with
// its sample size and a Wilson lower bound, which is the confidence an
// edge reports. In small value spaces (four digits) it is corrected for
// chance, and a saturated space (a card column with most of the 10,000
// last-four values) yields no match at all.
//
// Direction is what LSH Ensemble, Lazo and Aurum leave open. Here the
// contained side is the copy; when both contain each other (near-equal
// sets) the later-modified asset, then the one further down the pipeline
// (operational database, warehouse, files and objects, caches and
// streams), then the one with fewer rows is taken as the copy, with the
// confidence scaled down, and without any hint the direction is marked
// undetermined. A masked copy's direction is never in doubt. Match.Edge
// renders a copy_of edge (source fingerprint, transform identity or
// masked) whose evidence names the masked form, the containment, the
// sample size and how the direction was decided, never a value.
// MaskedForm reads the form back from such an edge and MaskedSpellings
// computes it for one identifier, so a consumer can find the copy's rows.
//
// # Finding pairs
//
// Index avoids comparing every pair of fields. It is a small LSH Ensemble:
// fields are partitioned by distinct count, each MinHash signature,
// densified so that no bin is empty, is banded four ways (1×128, 2×32,
// 4×32, 8×16 rows × bands) under (domain, partition) salts, and a query
// against a partition picks the most selective banding that still
// collides with probability ≥ 95% at the lowest Jaccard a pair of those
// sizes can have at the containment threshold. Plain pairs are looked up from their smaller side; derived
// signatures only against untyped fields of their shape no larger than
// the original. Candidates are verified with Compare. On a synthetic
// estate of 10,000 fields (BenchmarkIndex10k: 3,854 planted copies)
// indexing and finding pairs took 7–13 s on a shared 2-core machine, with
// precision 0.997 and recall 0.999 for copies at containment ≥ 0.8 down to
// a tenth of the original's size. Tiny value spaces stay expensive: every
// last-four column collides with every card column's last-four sketch, so
// that domain is verified nearly pairwise.
//
// # Probes
//
// A sketch finds copies between fields it saw whole; a sampled scan has
// samples. Probe compares a sample with a whole: a field read in full with
// a Builder made WithMembers keeps every keyed hash, of its values and of
// each masked form (MemberKeys), which a caller turns into Membership sets
// (scanner keeps binary fuse filters); the copy's KMV hashes, a uniform
// sample of its distinct values, are looked up in them (ProbeEstimate).
// The share found, corrected for the filter's false positives and for
// chance in small spaces, is the containment, measured on up to KMVSize
// values whatever the two fields' sizes. Only identifier types take part
// (ProbeType: emails, phones, cards, national and account numbers) and
// untyped fields of a masked shape: names and ids overlap by nature.
// Plain pairs measured both ways are oriented as Pairs orients them; a
// pair measured one way whose copy has about as many rows as the original
// has values is near-equal too, and the hints decide (Orient).
//
// # Limits
//
//   - Sketches of row samples measure the samples: two 10% samples of one
//     column share only ~10% of their values. Probes need the original
//     read in full (see scanner's copy detection); without it only
//     high-overlap copies are found.
//   - A copy holding less than ~1/40 of a large column is not measured
//     reliably (the pooled sample falls under IndexOptions.MinSamples).
//   - Low-cardinality fields (statuses, first names, years) overlap by
//     nature; fields under IndexOptions.MinValues distinct values are not
//     indexed, and such types should not be fingerprinted at all.
//   - A copy that has since gained rows of its own can contain its
//     original; Match.Reverse is reported so a reviewer can tell.
//   - Masked forms not in the list (salted hashes, HMACs, tokenisation,
//     format-preserving encryption) cannot be matched by content; the SQL
//     lineage of lineage/sqlextract catches those it sees.
package fingerprint
