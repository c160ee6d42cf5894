// Package planning derives what a data-subject request will do from the
// latest scan run of the PII location map: a Plan, per store, of the steps
// in execution order with their expected counts, plus every gap and
// exception. Nothing is written anywhere; handlers are opened read-only.
//
// Planner.Derive (planner.go) reads top to bottom:
//
//   - graph.go: one scan run of the graph as the request's tenant sees it
//     (loadRun, kept per run and tenant by ViewCache). Assets of another tenant's stores are not in the view,
//     so no match, step, copy edge or gap can reach them. Fields that hold
//     subject keys are declared identity attributes, configured hints, or
//     email/phone/user_id findings, bound by the map's rule
//     (lineage.BindIdentities).
//   - closure.go: the subject closure. From the identifiers given, the
//     subject's rows are read to resolve further keys (the customers row
//     found by email yields its id, and a declared or sole user_id column
//     yields the user id); `references` edges carry parent keys to child
//     tables. A value collected from an entity table is used only when
//     that one record holds it; otherwise the plan lists it under Unused.
//   - matches.go: how an asset's rows are recognised as the subject's,
//     given what is known: identity and key fields, references, text
//     assets line by line on whole tokens, card/IBAN/SSN needles, identity
//     copy_of and derived_from edges (a copy matched with its original's
//     values), and masked copies matched by the masked form of what is
//     known of the original (fingerprint.MaskedSpellings), so
//     sha256(lower(email)) rows are found; a last-four-digits copy
//     identifies no one and stays a gap.
//   - steps.go: the steps, with the erasure mode per asset. A view becomes
//     a recompute step: never written, verified after its base tables.
//     Steps are ordered children-first and counted with up to Concurrency
//     assets at once (ReadEach). filters.go leaves out an unchanged file or
//     object whose identifier filter shows it cannot hold the subject
//     (Plan.Skipped). exception.go keeps a location in the exceptions
//     register: a legal hold, an immutable backup, mode expire left to a
//     measured TTL or retention. gaps.go names every location the plan
//     cannot cover: a gap is never silent.
//   - lineage.go: Plan.Lineage, every copy_of and derived_from edge out of
//     a location in scope with its action (delete, recompute, expires,
//     export, held, skipped, gap) and the evidence.
//   - blast.go: the entity records the identifiers select; CheckBlast
//     refuses an erasure, rectification or restriction that selects more
//     than the request allows.
//   - digest.go: the digest (SHA-256 of the plan's canonical JSON with
//     identifiers as HMACs, counts excluded) that approval freezes.
//
// The package is named for the job, not the type, so that the request
// flow can keep calling its plans `plan`. It sees the stores only through
// executor/driver and what the request flow hands the Planner; it imports
// nothing of the request flow or the evidence.
package planning
