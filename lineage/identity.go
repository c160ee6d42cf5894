package lineage

import "strings"

// IdentityClaim is one field's claim to be a subject key of Kind: Explicit
// when declared (an identity attribute from the configuration's hints or a
// dataset declaration), inferred when a finding of a subject-key type made
// it one.
type IdentityClaim struct {
	Field    string
	Kind     string
	Explicit bool
}

// BindIdentities decides which claims of one asset's fields hold, so the
// map and the executor bind an identifier to the same fields. Per kind:
//
//   - when any field is declared a key of the kind, only declared fields
//     are (a hint `user_id: public.users.user_id` unbinds an inferred
//     `users.id`);
//   - otherwise, for kinds other than email and phone, when several fields
//     are inferred keys of the kind and some are named exactly after it
//     (`user_id`, `userId`, `UserID`), only those are: a surrogate integer
//     `id` beside a `user_id` column is a row number, not the subject's
//     user id, and `user_id=1` must never select row 1;
//   - every other claim holds (a table may well hold two email columns).
//
// It returns field → kind for the claims that hold.
func BindIdentities(claims []IdentityClaim) map[string]string {
	out := map[string]string{}
	byKind := map[string][]IdentityClaim{}
	for _, c := range claims {
		if c.Kind != "" {
			byKind[c.Kind] = append(byKind[c.Kind], c)
		}
	}
	for kind, cs := range byKind {
		keep := cs
		if explicit := filterClaims(cs, func(c IdentityClaim) bool { return c.Explicit }); len(explicit) > 0 {
			keep = explicit
		} else if kind != "email" && kind != "phone" && len(cs) > 1 {
			if named := filterClaims(cs, func(c IdentityClaim) bool { return squash(c.Field) == squash(kind) }); len(named) > 0 {
				keep = named
			}
		}
		for _, c := range keep {
			out[c.Field] = kind
		}
	}
	return out
}

func filterClaims(cs []IdentityClaim, keep func(IdentityClaim) bool) []IdentityClaim {
	var out []IdentityClaim
	for _, c := range cs {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// squash lower-cases a name and drops everything but letters and digits,
// so user_id, userId and USER-ID compare equal.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return -1
	}, s)
}
