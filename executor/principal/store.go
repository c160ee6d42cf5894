package principal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// docPrincipal is the DocStore kind principals are kept under, by name.
const docPrincipal = "principal"

// TokenPrefix starts every token, so a leaked one is recognisable.
const TokenPrefix = "pmt_"

// tokenBytes is the randomness of a token.
const tokenBytes = 32

// Principal is one identity that acts on the installation.
type Principal struct {
	Name      string     `json:"name"`
	Tenant    string     `json:"tenant"`
	Role      Role       `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by,omitempty"`
	Revoked   bool       `json:"revoked,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	RevokedBy string     `json:"revoked_by,omitempty"`
	// Implied is true for Local only: no principal exists yet.
	Implied bool `json:"implied,omitempty"`
}

// record is the stored form: the principal and its token's hash.
type record struct {
	Principal
	TokenSHA256 string `json:"token_sha256"`
}

// Local is the implied principal while none exists: an admin of every
// tenant, recorded as "local".
var Local = Principal{Name: "local", Tenant: AllTenants, Role: Admin, Implied: true}

// Errors callers branch on.
var (
	// ErrNoToken: principals exist and the caller gave no token.
	ErrNoToken = errors.New("a token is required")
	// ErrToken: the token is malformed or belongs to no principal.
	ErrToken = errors.New("unknown token")
	// ErrRevoked: the token's principal was revoked.
	ErrRevoked = errors.New("token revoked")
	// ErrExists: a principal of that name exists already.
	ErrExists = errors.New("principal exists")
	// ErrLastAdmin: revoking would leave no admin of every tenant.
	ErrLastAdmin = errors.New("last admin")
	// ErrName: the name or tenant is not acceptable.
	ErrName = errors.New("invalid principal")
)

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// NormalizeName is the form names compare in: lowercase, without
// surrounding space and without an "@domain" suffix, so "Alice",
// " alice " and "alice@corp.example" are one person.
func NormalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if at := strings.IndexByte(s, '@'); at >= 0 {
		s = s[:at]
	}
	return strings.TrimSpace(s)
}

// SameName reports whether a and b name the same person (NormalizeName);
// two empty names are not the same person.
func SameName(a, b string) bool {
	na, nb := NormalizeName(a), NormalizeName(b)
	return na != "" && na == nb
}

// HashToken is the stored form of a token: hex SHA-256. Tokens carry 256
// bits of randomness, so a plain hash is not open to guessing.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("principal: token: %w", err)
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Store keeps principals in the graph's DocStore. It is safe for
// concurrent use within one process.
type Store struct {
	docs lineage.DocStore
	mu   sync.Mutex
}

// NewStore returns the principals kept in docs.
func NewStore(docs lineage.DocStore) *Store { return &Store{docs: docs} }

func (s *Store) records(ctx context.Context) ([]record, error) {
	var out []record
	err := s.docs.ListDocs(ctx, docPrincipal, func(id string, data []byte) error {
		var r record
		if err := json.Unmarshal(data, &r); err != nil || r.Name == "" {
			return fmt.Errorf("principal %s: %w", id, piimap.ErrCorrupt)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("principal: list: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// List returns every principal, revoked ones included, by name.
func (s *Store) List(ctx context.Context) ([]Principal, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Principal, len(recs))
	for i, r := range recs {
		out[i] = r.Principal
	}
	return out, nil
}

// Bootstrap reports whether no principal exists yet (the local bootstrap,
// where Local acts). Revoked principals count: once principals were made,
// the installation never falls back to an implied admin.
func (s *Store) Bootstrap(ctx context.Context) (bool, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return false, err
	}
	return len(recs) == 0, nil
}

// Get returns the principal named name (NormalizeName).
func (s *Store) Get(ctx context.Context, name string) (Principal, error) {
	b, err := s.docs.GetDoc(ctx, docPrincipal, NormalizeName(name))
	if errors.Is(err, piimap.ErrNotFound) {
		return Principal{}, fmt.Errorf("principal %s: %w (see piimap principal list)", NormalizeName(name), piimap.ErrNotFound)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("principal %s: %w", NormalizeName(name), err)
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return Principal{}, fmt.Errorf("principal %s: %w", NormalizeName(name), piimap.ErrCorrupt)
	}
	return r.Principal, nil
}

// Add creates a principal and returns it with its token, which is not
// kept: only its hash is. by names who adds it (for the record).
func (s *Store) Add(ctx context.Context, name, tenant string, role Role, by string) (Principal, string, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	if !nameRE.MatchString(name) {
		return Principal{}, "", fmt.Errorf("principal name %q: use 1-63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit: %w",
			lineage.TermSafe(truncate(name)), ErrName)
	}
	tenant = strings.TrimSpace(tenant)
	if tenant == "" {
		return Principal{}, "", fmt.Errorf("principal %s: a tenant is required (--tenant T, or * for every tenant): %w", name, ErrName)
	}
	if !role.Valid() {
		return Principal{}, "", fmt.Errorf("principal %s: role %q: want requester, approver, operator, auditor or admin: %w",
			name, lineage.TermSafe(truncate(string(role))), ErrName)
	}
	if name == Local.Name {
		return Principal{}, "", fmt.Errorf("principal %s: the name is reserved for the implied bootstrap admin; choose another: %w", name, ErrName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.docs.GetDoc(ctx, docPrincipal, name); err == nil {
		return Principal{}, "", fmt.Errorf("principal %s: %w (revoke it and choose another name to issue a new token)", name, ErrExists)
	} else if !errors.Is(err, piimap.ErrNotFound) {
		return Principal{}, "", fmt.Errorf("principal %s: %w", name, err)
	}
	token, err := newToken()
	if err != nil {
		return Principal{}, "", err
	}
	p := Principal{Name: name, Tenant: tenant, Role: role, CreatedAt: time.Now().UTC(), CreatedBy: by}
	if err := s.put(ctx, record{Principal: p, TokenSHA256: HashToken(token)}); err != nil {
		return Principal{}, "", err
	}
	return p, token, nil
}

func (s *Store) put(ctx context.Context, r record) error {
	b, _ := json.Marshal(r)
	if err := s.docs.PutDoc(ctx, docPrincipal, r.Name, b); err != nil {
		return fmt.Errorf("principal %s: save: %w", r.Name, err)
	}
	return nil
}

// Revoke revokes the principal named name; its token is refused from then
// on. The last unrevoked admin of every tenant cannot be revoked, so the
// installation never locks itself out.
func (s *Store) Revoke(ctx context.Context, name, by string) (Principal, error) {
	name = NormalizeName(name)
	s.mu.Lock()
	defer s.mu.Unlock()
	recs, err := s.records(ctx)
	if err != nil {
		return Principal{}, err
	}
	var target *record
	admins := 0
	for i := range recs {
		if recs[i].Name == name {
			target = &recs[i]
		}
		if !recs[i].Revoked && recs[i].Role == Admin && recs[i].Tenant == AllTenants {
			admins++
		}
	}
	if target == nil {
		return Principal{}, fmt.Errorf("principal %s: %w (see piimap principal list)", name, piimap.ErrNotFound)
	}
	if target.Revoked {
		return target.Principal, nil
	}
	if target.Role == Admin && target.Tenant == AllTenants && admins <= 1 {
		return Principal{}, fmt.Errorf("principal %s is the last admin of every tenant: add another admin with --tenant '*' first: %w", name, ErrLastAdmin)
	}
	now := time.Now().UTC()
	target.Revoked, target.RevokedAt, target.RevokedBy = true, &now, by
	if err := s.put(ctx, *target); err != nil {
		return Principal{}, err
	}
	return target.Principal, nil
}

// Resolve returns the principal acting with token. While no principal
// exists it returns Local whatever the token. Otherwise an empty token is
// ErrNoToken, an unknown one ErrToken, and a revoked one ErrRevoked
// (returned with the revoked principal, so its refusal can be recorded).
func (s *Store) Resolve(ctx context.Context, token string) (Principal, error) {
	recs, err := s.records(ctx)
	if err != nil {
		return Principal{}, err
	}
	if len(recs) == 0 {
		return Local, nil
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Principal{}, fmt.Errorf("principals are configured: set PIIMAP_TOKEN or --token-file to your token: %w", ErrNoToken)
	}
	h := HashToken(token)
	for _, r := range recs {
		if subtle.ConstantTimeCompare([]byte(h), []byte(r.TokenSHA256)) == 1 {
			if r.Revoked {
				return r.Principal, fmt.Errorf("principal %s was revoked: ask an admin for a new principal: %w", r.Name, ErrRevoked)
			}
			return r.Principal, nil
		}
	}
	return Principal{}, fmt.Errorf("the token (%s) belongs to no principal: check PIIMAP_TOKEN or --token-file: %w", Fingerprint(token), ErrToken)
}

// Fingerprint names a token in messages without revealing it: its
// prefix and the first 8 hex digits of its hash.
func Fingerprint(token string) string {
	return TokenPrefix + "…" + HashToken(token)[:8]
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

type ctxKey struct{}

// NewContext returns ctx carrying p as the acting principal.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal NewContext put in ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
