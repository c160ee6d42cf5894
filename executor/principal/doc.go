// Package principal knows who is acting: the principals of an
// installation (a name, one tenant or "*", one role), their bearer tokens,
// and the one table that says which role may do what (Permissions).
//
// A token is 32 random bytes shown once as "pmt_" + base64url; only its
// SHA-256 is kept, in the graph's lineage.DocStore beside the requests, so
// a copy of the graph holds no usable token. Store.Resolve turns a token
// into its Principal and refuses unknown and revoked tokens (ErrToken,
// ErrRevoked). While no principal exists at all, the installation is in
// its local bootstrap: Resolve returns Local, an implied admin of every
// tenant recorded as "local", so a fresh install and the demo need no
// token and the first `principal add` can be made; once a principal
// exists, every caller needs a token.
//
// Authorize(p, action, tenant) is the single check every command goes
// through; its refusals wrap ErrPermission and name the missing role or
// tenant. Names compare through NormalizeName (case, surrounding space and
// an "@domain" suffix ignored), so "alice" and "Alice@corp" are one person.
package principal
