// Package identifier parses, validates and normalises the identifiers of a
// data subject, and defines how they match stored data. Request intake,
// plan matching, text matching, the identifier filters (scanner/idfilter)
// and verification all use it, so that a Find, an Erase and a Verify agree
// on which values are the subject's.
//
// # Story
//
// The rules used to be scattered, and lenient: an intake of
// email=example.net (a bare domain) matched 211 customers, phone=662-5868
// matched (213) 662-5868 and (415) 662-5868. Now a value is checked once,
// at intake, by Parse, which refuses partial values and returns a canonical
// form; every matcher takes canonical values only (it ignores values Parse
// would refuse), compares structured cells as whole normalised values
// (MatchCell) and free text as whole tokens at boundaries (TextSpans), and
// has a regular-expression mirror for the SQL stores (EmailTokenPattern,
// PhoneTokenPattern, KeyTokenPattern) that agrees with TextSpans on whether
// a text matches. Errors name the kind and the reason, never the value.
//
// # Intake (Parse)
//
// Email: a full address. A non-empty dot-atom local part (letters, digits,
// RFC 5322 atext, UTF-8 letters per RFC 6531), one @, and a domain of at
// least two labels of letters, digits and hyphens (UTF-8 letters allowed
// for IDNs) ending in a top-level domain of at least two letters (or an
// xn-- label). Whitespace, control and invisible characters and the
// wildcards * ? % are refused, and so are a bare domain, "@domain",
// "user@" and "user@localhost". The canonical form is the trimmed address
// lower-cased whole, local part included: RFC 5321 lets a host treat local
// parts case-sensitively, but nearly every provider treats them
// case-insensitively, and missing a copy spelled Ann@ would leave the
// subject's data behind, whereas a provider that really distinguishes
// ann@ from Ann@ is vanishingly rare.
//
// Phone: parsed with libphonenumber in the region given (DefaultRegion
// when ""; national numbers are read in it, +CC numbers anywhere). It must
// be a valid number (IsValidNumber), written with digits, the separators
// space - . ( ) / and a leading +. A partial number ("662-5868"), letters
// and an extension are refused. The canonical form is E.164 (+12136625868).
// An unknown region is a configuration error (piimap.ErrConfig), not a
// refusal.
//
// Card (credit_card), IBAN (iban), SSN (national_id.us_ssn), NINO
// (national_id.uk_nino), the number kinds (Numbers): never given
// at intake by users (the executor collects them from the subject's entity
// row), but parsed like the others. A card is 13 to 19 ASCII digits once
// spaces and '-' are removed, passing the Luhn check (validate.Luhn; no
// issuer-range check); its canonical form is the digits. An IBAN is ASCII
// letters and digits once spaces are removed, passing validate.IBAN
// (registered country and length, mod-97); its canonical form is
// upper-case without spaces. An SSN is 9 ASCII digits once '-' and spaces
// are removed, valid under the SSA rules of validate.SSN (area not 000,
// 666 or 9xx, group not 00, serial not 0000, not nine identical digits,
// not a voided advertising number such as 078-05-1120); its canonical
// form is the 9 digits. A NINO is read as an IBAN is (letters and digits
// once spaces are removed, upper-cased) and must pass validate.NINO (two
// allowed prefix letters, six digits, a suffix A–D); its canonical form is
// the 9 characters ("AB 12 34 56 C" is "AB123456C"). Any other character
// is refused, as is a value longer than 64 bytes.
//
// Other kinds (user_id and configured keys): the trimmed value, refused
// when empty, longer than 256 bytes, or holding whitespace, control
// characters or wildcard and pattern characters (* ? % [ ] ^ $ \ |).
//
// A request carries at most MaxValuesPerKind distinct values of a kind.
//
// # Structured cells (MatchCell, CellKey)
//
// A cell matches when, normalised (CellKey), it equals a value: emails
// trimmed and lower-cased, keys trimmed and exactly ("1" never matches
// "10"). A phone cell is reduced to its ASCII digits and + characters
// ("+1 (213) 662-5868" is "+12136625868", "(213) 662-5868" is
// "2136625868", "tel+213 662" is "+213662") and matches a value v when
// that is one of PhoneCellForms: one of v's PhoneForms in the store's
// region, or "+" and Digits(v) (country code and NSN). A + makes the cell
// an international number, compared with that form only: "+442079460999"
// matches +442079460999 in any region, while "+2079460999" does not match
// it even in region GB, and "+213 662 5868" or "+ (213) 662-5868" (an
// Algerian number, key +2136625868) does not match +12136625868 in region
// US. SQL handlers compute the key with regexp_replace over [^0-9+] and
// compare it with PhoneCellForms. Emails
// and phones also match as text tokens inside a cell ("login by
// ann@example.com failed"; for phones under the run rules below). A card
// or SSN cell is reduced to its ASCII digits, an IBAN or NINO cell to its ASCII
// letters (upper-cased) and digits, and matches when that equals a value,
// or when a sequence of groups inside it matches under the rules below.
//
// # Text tokens (TextSpans)
//
//   - Email: an occurrence of the value ignoring case such that the byte
//     before is not an email local-part byte ([A-Za-z0-9._%+-]) and the
//     byte after is neither a domain byte ([A-Za-z0-9_%+-]) nor @; a dot
//     after is allowed only when a non-alphanumeric byte or the end follows
//     it (a sentence dot). So ann@example.com never matches inside
//     joann@example.com, ann@example.com.au or ann@example.com@x.
//
//     Ignoring case: a value of ASCII bytes only matches a text window of
//     the same bytes up to ASCII case. A value holding non-ASCII bytes
//     (the lower-cased jörg@example.de) matches a window of as many runes,
//     each equal to the value's rune under simple Unicode case folding
//     (strings.EqualFold: Ö and ö, KELVIN SIGN and k, ſ and s, ς and σ) or
//     lower-casing to it (unicode.ToLower: İ U+0130 to i, which folding
//     does not pair), so that it finds what SQL's lower() of the text
//     finds (pattern.go has the few differences); the window's byte length
//     may differ from the value's (BJÖR + KELVIN SIGN is 8 bytes, björk
//     6). So "JÖRG@EXAMPLE.DE" and "Jörg@Example.de" match
//     jörg@example.de, "jorg@example.de" does not, and an invalid byte
//     matches nothing. The boundaries stay the byte rules above: a
//     non-ASCII character next to the window is a boundary.
//
//   - Keys: an exact occurrence with a non-word byte ([^A-Za-z0-9_]) or an
//     edge on both sides, and only for Distinctive values: a short number
//     such as "42" would match everywhere.
//
//   - Phone: SEP is the bytes space - . ( ) /. A phone run is a maximal
//     substring that starts with a digit, or with a + followed by a digit
//     or by one or two SEP bytes and a digit ("+44", "+ 44", "+(44)"),
//     consists (after the +) of digits and SEP bytes, never holds more than
//     two SEP bytes in a row, and ends with a digit. Maximal: a run
//     starting with a digit is not preceded by [A-Za-z0-9_+], nor by a
//     digit or a + and one or two SEP bytes (it would be part of a longer
//     run, or of a run starting with +); a run starting with + is not
//     preceded by [A-Za-z0-9_+] (a + starts a new international number
//     even after "digits space"); and a run is not followed by
//     [A-Za-z0-9_], nor by one or two SEP bytes and a digit. A run's span
//     starts at its first byte, the + included.
//
//     A run starting with + is an international number: it matches when
//     its digits are Digits(v), the country code and NSN, of a value v,
//     or are once its trunk 0 written in brackets right after the country
//     code is left out: "+44 (0)20 7946 0999", "+44(0)20 7946 0999" and
//     "+44 (0) 20 7946 0999" match +442079460999 in any region (the
//     country code is the first one to three digits that are a calling
//     code; "+4 (0)4 20…", "+44 20 (0)7946…" and "+44 0 20…" leave
//     nothing out). A
//     run starting with a digit matches when its digits are one of v's
//     PhoneForms in the store's region (national and IDD forms included).
//     So "(213) 662-5868" and "+1 213 662 5868" match +12136625868 in
//     region US; "+213 662 5868", "+ 213 662 5868" and "+(213) 662-5868"
//     (an Algerian number) do not, in any region; "+ 1 213 662 5868" and
//     "+(1) 213 662 5868" (country code 1 written apart) match it in any
//     region, as "+1 213 662 5868" does; "+44 20 7946 0999" and "+ 44 20
//     7946 0999" match +442079460999 in any region, "020 7946 0999"
//     matches it in region GB only, "+020 7946 0999" and "+0044 20 7946
//     0999" match it nowhere, and nothing matches inside "5-213-662-5868",
//     "2136625868123" or "x+ 1 213 662 5868" (neither the + run, which a
//     word byte precedes, nor the digits after the +).
//
//     A closed value (PhoneClosed: its NSN as long as any of its
//     country's, as US, GB, FR and ES numbers mostly are) also matches
//     the first part of a run, up to the end of a digit group that one or
//     two SEP bytes holding a space and then a digit follow: no longer
//     number starts with it. So "+44 20 7946 0999 12 times", "020 7946
//     0999 12" and "213-662-5868 415-662-5868" match the first number, and
//     "213-662-5868-12", "2136625868.5" and "213 662 5868/12" do not.
//
//     Known limits: otherwise numbers separated only by one or two SEP
//     bytes form one run and do not match: "089 1234567 12" does not
//     match +49891234567 (German numbers may be longer, and "089 1234567
//     12" may be one), nor "4 213 662 5868" +12136625868, while "089
//     1234567, 12" does. The text scanner reports some such numbers still
//     (its wholePhoneRun drops only a number glued to a digit group before
//     it, "(11)961234567"; "1. 0171 1234567" it reads);
//     TestEveryReportedPhoneIsErasable in package classifiers names these
//     shapes. Erasure of text does not leave them: executor/driver's
//     second witness (Match.Spans) adds every phone span the scanner reads
//     as the subject's number to this matcher's spans. SQL text columns
//     are searched with PhoneTokenPattern, this matcher's mirror, so a row
//     only the scanner's reading would find stays there. An 00 run keeps its digits: "0044
//     (0)20 7946 0999" is no form. "089 / 123 456 78" (a slash between
//     spaces after the area code, as Germans write it) holds three SEP
//     bytes in a row: two runs, neither a form. The text scanner reports
//     it (and executor/driver's witness erases it in text), while
//     "089/12345678" is one run and found by both.
//     Three or more SEP bytes after a + break it off like they break a run:
//     in "+   213 662 5868" and "+ - (213) 662-5868" the + starts no run
//     and a national run follows, which matches +12136625868 in region US,
//     as text and (by the token) as a cell, though the cell's key
//     +2136625868 is no form.
//
//   - Card and SSN: a number run is a maximal run of ASCII digit groups
//     joined by single ' ' or '-' bytes, and for cards by '.', two spaces
//     or " - " too (no other separator; groups of any size). A contiguous
//     sequence of whole groups of a run (the whole run or part of it)
//     matches when its digits equal a value, no byte of [A-Za-z0-9_]
//     touches it, and the groups of the run it leaves out on either side
//     are joined to it by spaces (' ', and for cards "  " or " - "), never
//     by '-' or '.'. So "4111  1111 1111 1111", "4111 - 1111 - 1111 -
//     1111" and "9 - 4111 1111 1111 1111" match 4111111111111111, and
//     "4111   1111 1111 1111" (three spaces) and "9-4111 1111 1111 1111"
//     do not. Likewise
//     "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
//     "4111 11111111 1111", "4111.1111.1111.1111", "card
//     4111.1111.1111.1111." (a sentence dot), "card 4111 1111 1111 1111
//     12/29" and "1 4111 1111 1111 1111" match 4111111111111111, while
//     "14111 1111 1111 1111" (the first group is 14111), "4111 1111 1111
//     11112", "4111-1111-1111-1111-12", "4111.1111.1111.1111.5",
//     "1-4111 1111 1111 1111" and "94111111111111111" (one group: an
//     ungrouped run never matches a sub-part) do not; "123-45-6780" and
//     "9 123-45-6780 1" match 123456780, "1123-45-6780", "123-45-6780-1",
//     "123.45.6780" (dots join only a card's groups) and "123  45  6780"
//     (wide joins too) do not. The text scanner (classifiers.Engine.Spans)
//     reports the dotted, the 4-8-4 and the widely joined card shapes (a
//     wide join first: "4111 1111  1111 1111" it misses), so erasure finds
//     what a scan reports.
//
//   - IBAN and NINO: an IBAN run is a maximal run of [A-Za-z0-9] groups joined by
//     single spaces. A contiguous sequence of whole groups of a run
//     matches when its letters, upper-cased, and digits equal a value and
//     no byte of [A-Za-z0-9_] touches it: "gb82 west 1234 5698 7654 32",
//     "GB82WEST12345698765432", "IBAN GB82 WEST 1234 5698 7654 32" and
//     "pay to GB82WEST12345698765432 now" match GB82WEST12345698765432,
//     while "XGB82WEST12345698765432" (a prefix inside the group), "GB82
//     WEST 1234 5698 7654 321" (the last group is longer), "GB82 WEST 1234
//     5698 7654 32_" and "GB82-WEST-1234-5698-7654-32" do not.
//
//     Known limits: a value only matches as whole groups, so one written
//     glued to other letters or digits in a group ("IBANGB82…",
//     "4111111111111111x") is not found, nor a card or SSN that other
//     digit groups join with a '-' ("4111 1111 1111 1111-12") or whose
//     separators differ from the rules (two spaces, " - ", an SSN with
//     dots).
//
//   - Known limit (emails): an ASCII-only value is compared ignoring ASCII
//     case only, so a KELVIN SIGN (U+212A) or an İ (U+0130) written for
//     its k or i (KIM@EXAMPLE.COM spelt with a KELVIN SIGN, or a
//     Turkish-locale upper-casing İSMAİL@EXAMPLE.COM) does not match
//     kim@example.com or ismail@example.com in text, though SQL's lower()
//     finds both (see pattern.go). scanner/idfilter keys the emails of a
//     text by their ASCII bytes and would have to learn those two letters
//     first.
//
// Spans are byte ranges, sorted, with overlapping or touching ones merged.
//
// # SQL mirrors
//
// EmailTokenPattern, PhoneTokenPattern, KeyTokenPattern and
// NumberTokenPattern (cards, SSNs, IBANs, NINOs: the number runs inside a
// cell; the whole-cell clause compares the cell's digits, or letters and
// digits, with CellKey) return regular
// expressions in the syntax RE2 (DuckDB), PostgreSQL and PCRE (MariaDB)
// share, matching a text iff TextSpans finds a span in it (pattern.go says
// how to apply them, and where lower() makes the email pattern differ).
// PhoneTokenPattern takes the E.164 values and the region, not digit
// forms: it is an alternation of a branch for runs starting with + (the +
// boundary, up to two SEP bytes, international forms only) and one for
// runs starting with a digit (the digit boundary, all forms). A phone
// cell's SQL clause is its key (regexp_replace removing [^0-9+]) in
// PhoneCellForms, or the cell matching PhoneTokenPattern: MatchCell.
// TestPatternsInDatabases checks the patterns and the key in PostgreSQL
// and MariaDB when .ci/run's servers are there.
//
// # Implementation
//
// TextSpans is one pass per kind, not a loop of regexps: emails are found
// at each @ of the text and compared in place (no lower-cased copy): an
// ASCII-only value as a fixed window ignoring ASCII case, one holding
// non-ASCII bytes rune by rune outwards from the @ (local part backwards,
// domain forwards), ASCII pairs as bytes; keys by strings.Index; and
// phones by one scan that walks the phone runs and compares each run's
// digits with the forms (the international ones for a run starting with
// +); cards, SSNs and IBANs by one scan over their groups that extends
// each group that may start a sequence, group by group, until its digits
// (or letters and digits) outgrow the longest value.
// PhoneForms is memoised, so calling the matchers per line or per cell
// costs no libphonenumber parse after the first. The tests hold a slow
// reference matcher that checks the definitions above literally over
// every substring, and fuzz the fast path and the SQL patterns against it.
package identifier
