// Package validate holds the value checks behind piimap's classification
// rules: Luhn plus issuer ranges for payment cards, ISO 13616 mod-97 with the
// per-country length for IBANs, the SSA allocation rules for US Social
// Security numbers, UK National Insurance numbers, phone numbers through
// nyaruka/phonenumbers across several regions, e-mail addresses, IPv4/IPv6
// through net/netip, MAC addresses, dates and plausible dates of birth,
// geographic coordinates, an embedded first-name/surname list, postal
// addresses, credential shapes and subject-key shapes.
//
// Every check takes one candidate string (already cut out of text or a
// cell) and answers yes or no without allocating on the common reject path;
// the classifiers package decides where candidates come from. Rules name a
// check by its registry name (see Lookup and Names), so user rule files can
// reuse any of them.
//
// Normalisers (NormalizePhone to E.164, NormalizeEmail, NormalizeIBAN) give
// the canonical form DSAR lookups compare on. Nothing here logs or returns a
// raw value inside an error.
package validate
