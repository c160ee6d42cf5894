// Package rules holds piimap's classification rules as data: YAML files
// embedded from this directory (Default) or read from a user's rule
// directory (LoadDir), their Go type, and their structural validation.
//
// A rule names the PII type it finds and how: keywords (the Aho-Corasick
// prefilter for custom text rules), a pattern, an optional validator from
// classifiers/validate's registry, context words that must (or may) appear
// near a text match — matched as whole words —, negative context words that
// veto one, field-name hints for structured data, and the negative shapes
// it tolerates. Every rule carries at least three true-positive and three
// false-positive samples; the classifiers package proves each rule against
// them when it compiles the rule set, so a user rule that contradicts its
// own samples is rejected with the file, line and sample named.
//
// The package is data plus its loader: it imports only the root vocabulary
// (for ErrInvalidRule) and yaml.v3. Compilation (regexps, validators,
// keyword automata) is the classifiers package's job.
package rules
