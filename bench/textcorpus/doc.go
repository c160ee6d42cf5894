// Package textcorpus generates labelled free-text corpora for measuring
// piimap's text path (issue 15): support tickets, chat transcripts, e-mail
// bodies with signatures and quoted replies, CRM notes and application log
// lines (plain and JSON), in en-US, en-GB, de-DE, fr-FR, es-ES, en-CA and
// fr-CA.
//
// A corpus is JSON Lines, one Doc a line:
//
//	{"id":"dev-00001","genre":"email","locale":"de-DE","text":"…",
//	 "spans":[{"start":12,"end":25,"type":"person_name"}, …]}
//
// Offsets are bytes into text, End exclusive; types are piimap's type
// names (person_name, postal_address, phone, email, credit_card, iban,
// national_id.us_ssn, national_id.uk_nino, date_of_birth, ip_address).
//
// # What is labelled
//
//   - person_name: every person's name as written, without the honorific
//     ("Frau Dr. [Müller]", "Dear [Anna Schmidt]"): full names, given names
//     alone in greetings and chat ("Thanks [Anna]"), lower-case and
//     ALL-CAPS names, "Family, Given", particles and hyphens.
//   - postal_address: the whole address, from its first line (a flat,
//     building or c/o line, the house number, or the street where the
//     number follows it, a PO box) to the postcode or city, across lines
//     when written across lines (a quoted reply's "> " prefixes then sit
//     inside the span); never the recipient's name or the country. A street named alone ("the
//     Baker Street store") is not an address and is not labelled.
//   - phone: the number as written, with its + / 00 / (0) prefix and
//     punctuation; an extension written after it ("ext. 204") is outside
//     the span.
//   - date_of_birth: a date written where the text says it is a birth
//     date; other dates are hard negatives.
//   - credit_card, iban, national_id.us_ssn, national_id.uk_nino,
//     email, ip_address: the value as written.
//
// Every labelled value is valid by an independent check (libphonenumber,
// Luhn with a real issuer range, mod-97, SSA rules), so a miss is the
// detector's. Hard negatives are never labelled: order, invoice, ticket
// and tracking numbers, versions, build numbers, timestamps and epochs,
// prices, SKUs, UUIDs and hashes, 16-digit references failing Luhn, masked
// cards, product and class names, company names, street and city names
// alone, usernames. Literal text carries typos at a per-document rate.
//
// # Two flavours, kept apart
//
// FlavourDev is for tuning detectors; FlavourHeldout is for reporting and
// is never tuned on. They share:
//
//   - no template: dev_templates.go and heldout_templates.go were written
//     separately, with different wording, chat layouts and log formats
//     (TestFlavoursShareNoTemplate checks that no template text is in both);
//   - no name, street or city source: data/dev/*.tsv are hand-written for
//     this package plus a subset of gofakeit v7.18.9's person lists (MIT
//     licence); data/heldout/*.tsv are extracted from @faker-js/faker
//     10.6.0's locale data (MIT licence), Latin script only, with every
//     entry that also occurs in the dev lists removed, so not one name,
//     street or city of the held-out corpus is in the dev corpus
//     (TestLexiconsDisjoint);
//   - some value formats: the shared value generators (values.go) mark
//     formats heldoutOnly ("+1.415.555.2671", "0044 …", "0034 …",
//     "+49-89-…", cards grouped "4111 - 1111 - …"), which never appear in
//     the dev corpus.
//
// What the flavours do share is this package's code: the document
// assembly per genre, the value generators and the labelling rules above.
// A detector tuned on dev therefore sees the same kinds of data but never
// the same sentences, names or places.
//
// Generation is deterministic for a flavour, size and seed:
//
//	go run ./bench/textcorpus/cmd -flavour heldout -n 2000 -seed 2 -out heldout.jsonl
package textcorpus
