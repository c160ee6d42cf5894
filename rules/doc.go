// Package rules holds piimap's classification rules as data: YAML files
// embedded from builtin/ (Default) or read from a user's rule directory
// (LoadDir), their Go type, and their structural validation.
//
// A rule names the PII type it finds and how: keywords (the prefilter for
// keyword/regex text rules), a pattern, an optional validator from
// classifiers/validate's registry, context words that must (or may) appear
// near a text match — matched as whole words —, negative context words that
// veto one, field-name hints for structured data, and the negative shapes
// it tolerates. Every rule carries at least three true-positive and three
// false-positive samples; the classifiers package proves each user rule
// against them when it compiles the rule set, so a user rule that
// contradicts its own samples is rejected with the file, line and sample
// named. The built-in rules (Default, Rule.Builtin) are proved by the test
// suite instead of at every start.
//
// A rule file:
//
//	rules:
//	  - id: acme_employee            # unique, lower-case
//	    type: employee_id            # PII taxonomy name (DESIGN §3) or your own
//	    keywords: [employee, emp]    # text: the regexp runs only near these
//	    pattern: "EMP-[0-9]{6}"      # RE2; anchored for field values
//	    validator: luhn              # optional, see validate.Names()
//	    context: [employee, staff]   # whole words near a text match raise it
//	    negative_context: [test]     # a word among the 3 before vetoes it
//	    require_context: false       # text matches need a context word
//	    hints: [employee_number]     # field/path names (snake/camel split)
//	    weak_hints: [number]         # count only on subject assets (customers…)
//	    negative_hints: [order]      # field names that veto the rule
//	    require_hint: false          # fields match only with a hint
//	    bare_needs_hint: false       # digits-only values need a hint/context
//	    exempt_negatives: [code]     # negative shapes that do not count
//	    match: ""                    # "", "fields" or "text"
//	    score: 0.8                   # confidence of a validated text match
//	    true_positives: ["employee EMP-123456", ...]   # >= 3
//	    false_positives: ["EMP-12", ...]               # >= 3
//	    field_samples:               # optional field-level proofs
//	      - {field: emp_no, values: [EMP-000001, EMP-000002], expect: true}
//
// Built-in rules set `scanner: candidates`: their text matching is served by
// the classifiers package's one-pass candidate scanner instead of a regexp.
//
// The package is data plus its loader: it imports only the root vocabulary
// (for ErrInvalidRule) and yaml.v3. Compilation (regexps, validators,
// keyword prefilter) is the classifiers package's job.
package rules
