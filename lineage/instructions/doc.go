// Package instructions is the processing-instructions register and the
// shadow-processing report (ISO/IEC 27701 8.2.2: act only on the
// customer's documented instructions, and detect processing outside them).
//
// # The register
//
// The config's instructions: key names a YAML file, read strictly by Load
// (a missing file, an unknown key, a bad glob or max_age is an error with
// its line) and checked against the configured stores by
// Register.Validate (a store the config lacks, an environment that
// disagrees with the config's, a store registered under a tenant other
// than its configured one) and Register.CheckTypes (a PII type name no
// rule in force produces). Its shape, per tenant:
//
//	tenants:
//	  acme:
//	    purposes: [billing, support]
//	    regions: [eu]                        # optional: the only regions (config region:) allowed
//	    stores:                              # config store names
//	      wh: {environment: prod, pii: [any]}
//	      files:
//	        environment: prod                # prod | non-prod | dev | staging | test | backup
//	        purposes: [support]              # optional, each one of the tenant's purposes
//	        pii: [email]                     # assets no pattern matches; unset: nothing permitted
//	        assets:                          # first matching pattern wins
//	          "logs/*": {pii: [email]}
//	          "*": {pii: [any]}
//	      sandbox: {environment: dev, pii: []}
//	    subprocessors:
//	      - {name: mailer, stores: [files], region: eu}
//	    retention:
//	      - {store: files, asset: "logs/*", max_age: 90d}   # s m h d w y, or a Go duration
//
// A pii: list names PII types (email, credit_card), categories
// (national_id covers national_id.us_ssn) or any. Globs match asset names
// as the map names them: `*` matches any run of characters, `/`
// included; `?` one character; `[...]` a class. user_id is a subject key,
// not PII content (DESIGN §3), and is never judged; findings accepted by
// the config's allow: rules are not judged either.
//
// # The shadow report
//
// Shadow reads the map of one scan run and lists, per location, the
// processing outside the register, each with the instruction it breaks, a
// severity and its evidence (counts, rule reasons, edge provenance and
// times; never a value):
//
//   - pii_not_permitted: a PII type the location's rule does not permit;
//   - prod_copy_in_non_prod: a field of a store whose environment is
//     non-prod, dev, staging or test copies (copy_of) or derives from
//     (derived_from) a field of a prod store, directly or through other
//     non-production stores (medium when the copy is masked);
//   - unregistered_store: PII in a store no tenant registers;
//   - unlisted_subprocessor: PII in a store whose config names a
//     subprocessor the tenant does not list (or lists for other stores);
//   - unlisted_region: PII in a store whose config region is not the
//     region of the subprocessor the register names for it, or not one of
//     the tenant's regions;
//   - retention_exceeded: an asset holding PII older than its retention's
//     max_age, judged by what the scan records: file and object
//     modification times (mod_time, last_modified), a stream's oldest
//     message (first_time), Redis keys without a TTL or with a remaining
//     TTL beyond max_age, and the oldest sampled value of a recognised
//     timestamp column (AttrOldest). An asset with none of these is listed
//     as unchecked, never silently passed.
//
// This package imports only lineage and the root vocabulary.
package instructions
