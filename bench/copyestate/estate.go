package copyestate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Store kinds of the estate.
const (
	KindPostgres = "postgres"
	KindMySQL    = "mysql"
	KindDuckDB   = "duckdb"
	KindFiles    = "files"
	KindS3       = "s3"
)

// storeName is the piimap store name of each kind in the config.
var storeName = map[string]string{KindPostgres: "app", KindMySQL: "crm", KindDuckDB: "wh", KindFiles: "files", KindS3: "lake"}

// Options say where and how large to build the estate.
type Options struct {
	// Dir is the parent directory; the estate makes its own subdirectory
	// (DuckDB file, files store, configs, graphs) and removes it on Clean.
	Dir string
	// Rows is the size of the customers and members originals; patients
	// has three quarters of it. Default 20000.
	Rows int
	// CopiesPerTransform is how many copies of each transform are planted.
	// Default 10.
	CopiesPerTransform int
	Seed               int64
	// Postgres and MySQL are admin URLs of loopback servers (required);
	// S3 is a PIIMAP_TEST_S3-style base URL ("" leaves S3 out).
	Postgres, MySQL, S3 string
	// Log, when set, receives progress lines (never values).
	Log func(format string, args ...any)
}

// Ref names a field the way `piimap map --json` does.
type Ref struct {
	Store string `json:"store"`
	Asset string `json:"asset"`
	Field string `json:"field"`
}

func (r Ref) String() string { return r.Store + "/" + r.Asset + "#" + r.Field }

// Copy is one planted copy: the ground truth of one copy_of edge.
type Copy struct {
	Copy      Ref    `json:"copy"`
	Original  Ref    `json:"original"`
	Transform string `json:"transform"`
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	// Fraction is the share of the original's rows the copy holds.
	Fraction float64 `json:"fraction"`
}

// Decoy is a field that must be no copy of anything.
type Decoy struct {
	Field Ref    `json:"field"`
	What  string `json:"what"`
	Kind  string `json:"kind"`
	Rows  int    `json:"rows"`
}

// Store is one configured store of the estate.
type Store struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	URL  string `json:"url"`
}

// Estate is a generated estate and its ground truth.
type Estate struct {
	Dir                string   `json:"dir"`
	Suffix             string   `json:"suffix"`
	Rows               int      `json:"rows"`
	CopiesPerTransform int      `json:"copies_per_transform"`
	Seed               int64    `json:"seed"`
	Kinds              []string `json:"kinds"` // kinds holding planted copies
	Notes              []string `json:"notes,omitempty"`
	Stores             []Store  `json:"stores"`
	Originals          []Ref    `json:"originals"`
	Copies             []Copy   `json:"copies"`
	Decoys             []Decoy  `json:"decoys"`

	// What Clean removes.
	PGAdmin string `json:"pg_admin"`
	PGDB    string `json:"pg_db"`
	MyAdmin string `json:"my_admin"`
	MyDB    string `json:"my_db"`
	S3Base  string `json:"s3_base,omitempty"`
	Bucket  string `json:"bucket,omitempty"`
}

// column and table are what the writers of stores.go create.
type column struct {
	Name string
	Int  bool
}

type table struct {
	Kind string
	Name string // table name, or object path for files and S3
	Cols []column
	Rows [][]any // int or string cells
}

// original is an entity table and its people.
type original struct {
	t      *table
	ppl    []person
	email  Ref
	phone  Ref
	prefix string
}

// Generate builds the estate. On failure it removes whatever it created.
func Generate(ctx context.Context, o Options) (*Estate, error) {
	if o.Postgres == "" || o.MySQL == "" {
		return nil, errors.New("copyestate: Postgres and MySQL admin URLs are required")
	}
	if o.Rows <= 0 {
		o.Rows = 20000
	}
	if o.CopiesPerTransform <= 0 {
		o.CopiesPerTransform = 10
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	var rnd [5]byte
	_, _ = rand.Read(rnd[:])
	e := &Estate{Suffix: hex.EncodeToString(rnd[:]), Rows: o.Rows, CopiesPerTransform: o.CopiesPerTransform, Seed: o.Seed,
		PGAdmin: o.Postgres, MyAdmin: o.MySQL, S3Base: o.S3}
	e.Dir = filepath.Join(o.Dir, "copyestate-"+e.Suffix)
	if err := os.MkdirAll(filepath.Join(e.Dir, "files"), 0o755); err != nil {
		return nil, err
	}
	e.PGDB = "piimap_copies_" + e.Suffix
	e.MyDB = "piimap_copies_" + e.Suffix
	if o.S3 != "" {
		e.Bucket = "piimap-copies-" + e.Suffix
	}
	kinds := []string{KindPostgres, KindMySQL, KindDuckDB, KindFiles}
	if o.S3 != "" {
		kinds = append(kinds, KindS3)
	} else {
		e.Notes = append(e.Notes, "S3 left out (no PIIMAP_TEST_S3): no copies in S3")
	}
	e.Kinds = kinds
	tables := e.plan(o, kinds)
	if err := e.write(ctx, tables, o.Log); err != nil {
		return nil, errors.Join(err, e.Clean(context.WithoutCancel(ctx)))
	}
	return e, nil
}

// asset is the map's asset name of a table or object of a kind.
func (e *Estate) asset(kind, name string) string {
	switch kind {
	case KindPostgres:
		return "public." + name
	case KindMySQL:
		return e.MyDB + "." + name
	case KindDuckDB:
		return "main." + name
	}
	return name // files and S3: the path under the store's root
}

func (e *Estate) ref(kind, name, field string) Ref {
	return Ref{Store: storeName[kind], Asset: e.asset(kind, name), Field: field}
}

// plan draws every table of the estate from the seed.
func (e *Estate) plan(o Options, kinds []string) []*table {
	r := mrand.New(mrand.NewPCG(uint64(o.Seed), uint64(o.Seed)^0x9e3779b97f4a7c15))
	serial := 1000
	alloc := func(n int, intl bool) []person {
		p := people(r, serial, n, intl)
		serial += n
		return p
	}
	n := o.Rows
	var tables []*table
	mkOriginal := func(kind, name, key string, ppl []person, extra func(i int) []any, extraCols ...column) *original {
		t := &table{Kind: kind, Name: name, Cols: append([]column{{key, true}, {"email", false}, {"phone", false}, {"full_name", false}}, extraCols...)}
		for i, p := range ppl {
			t.Rows = append(t.Rows, append([]any{i + 1, p.Email, p.Phone, p.Name}, extra(i)...))
		}
		tables = append(tables, t)
		e.Originals = append(e.Originals, e.ref(kind, name, "email"), e.ref(kind, name, "phone"))
		return &original{t: t, ppl: ppl, email: e.ref(kind, name, "email"), phone: e.ref(kind, name, "phone"), prefix: name}
	}
	origs := []*original{
		mkOriginal(KindPostgres, "customers", "id", alloc(n, false), func(int) []any {
			return []any{[]string{"GB", "DE", "FR", "US", "ES"}[r.IntN(5)], r.IntN(5000)}
		}, column{"country", false}, column{"ltv", true}),
		mkOriginal(KindPostgres, "patients", "patient_id", alloc(n*3/4, false), func(int) []any {
			return []any{fmt.Sprintf("W%02d", r.IntN(40)), date(r)}
		}, column{"ward", false}, column{"admitted_on", false}),
		mkOriginal(KindMySQL, "members", "member_id", alloc(n, true), func(int) []any {
			return []any{segments[r.IntN(len(segments))], r.IntN(100000)}
		}, column{"tier", false}, column{"points", true}),
	}

	objName := func(kind, name string, k int) string {
		if kind != KindFiles && kind != KindS3 {
			return name
		}
		if k%2 == 0 {
			return "exports/" + name + ".csv"
		}
		return "exports/" + name + ".jsonl"
	}
	valueCol := map[string][]string{
		Identity: {"email", "contact_email", "email_address"},
		Lower:    {"email", "email_lc", "normalized_email"},
		Subset:   {"email", "recipient", "customer_email"},
		SHA256:   {"email_sha256", "hashed_email", "em_hash"},
		MD5:      {"email_md5", "md5_email", "email_hash"},
		SHA1:     {"email_sha1", "sha1_email", "match_key"},
	}
	tableBase := map[string]string{Identity: "customer_backup", Lower: "mailing_list", Subset: "campaign_audience",
		SHA256: "ad_match", MD5: "partner_feed", SHA1: "dedupe_keys"}
	K := o.CopiesPerTransform
	for ti, tr := range Transforms {
		for k := range K {
			kind := kinds[(k+ti)%len(kinds)]
			og := origs[(k+2*ti+k/len(kinds))%len(origs)]
			var frac float64
			switch {
			case tr == Identity && k%2 == 0:
				frac = 1
			case tr == Identity:
				frac = 0.9 + 0.1*r.Float64()
			case tr == Subset:
				frac = 0.2 + 0.4*r.Float64()
			case k%3 == 0:
				frac = 1
			case k%3 == 1:
				frac = 0.05 + 0.25*r.Float64()
			default:
				frac = 0.3 + 0.6*r.Float64()
			}
			idx := pick(r, len(og.ppl), int(frac*float64(len(og.ppl))+0.5))
			if k%4 == 0 {
				slices.Sort(idx) // some copies keep the original's order
			}
			vc := valueCol[tr][k%3]
			name := fmt.Sprintf("%s_%s_%02d", tableBase[tr], og.prefix, k)
			withPhone := (tr == Identity || tr == Subset) && k%2 == 0
			t := &table{Kind: kind, Name: objName(kind, name, k), Cols: []column{{"id", true}, {vc, false}}}
			if withPhone {
				t.Cols = append(t.Cols, column{"phone", false})
			}
			t.Cols = append(t.Cols, column{"segment", false}, column{"amount", true}, column{"updated_at", false})
			for j, i := range idx {
				row := []any{j + 1, apply(tr, og.ppl[i].Email)}
				if withPhone {
					row = append(row, og.ppl[i].Phone)
				}
				t.Rows = append(t.Rows, append(row, segments[r.IntN(len(segments))], r.IntN(10000), date(r)))
			}
			tables = append(tables, t)
			got := float64(len(idx)) / float64(len(og.ppl))
			e.Copies = append(e.Copies, Copy{Copy: e.ref(kind, t.Name, vc), Original: og.email, Transform: tr, Kind: kind, Rows: len(idx), Fraction: got})
			if withPhone {
				pt := PhoneIdentity
				if tr == Subset {
					pt = PhoneSubset
				}
				e.Copies = append(e.Copies, Copy{Copy: e.ref(kind, t.Name, "phone"), Original: og.phone, Transform: pt, Kind: kind, Rows: len(idx), Fraction: got})
			}
		}
	}

	// Decoys: each draws its unrelated people from a pool of its own, so
	// decoys are no copies of one another either.
	decoys := []struct{ what, name, col, tr string }{
		{"emails of unrelated people", "newsletter_optins", "email", Identity},
		{"emails of unrelated people", "webinar_signups", "contact_email", Lower},
		{"emails of unrelated people", "support_tickets", "requester_email", Identity},
		{"sha256 of unrelated emails", "partner_hashes", "email_sha256", SHA256},
		{"sha256 of unrelated emails", "lookalike_seed", "hashed_email", SHA256},
		{"md5 of unrelated emails", "legacy_feed", "email_md5", MD5},
		{"md5 of unrelated emails", "affiliate_keys", "md5_email", MD5},
		{"random hex64 tokens", "api_tokens", "token", "hex64"},
		{"random hex64 tokens", "upload_digests", "content_sha256", "hex64"},
		{"20% of an original among 80% unrelated", "event_attendees", "email", Identity},
		{"20% of an original among 80% unrelated", "raffle_entries", "email", Lower},
		{"20% of an original among 80% unrelated", "survey_responses", "respondent_email", Identity},
		{"20% of an original, sha256, among 80% unrelated", "retarget_list", "email_sha256", SHA256},
	}
	for j, d := range decoys {
		kind := kinds[j%len(kinds)]
		rows := int(float64(n) * (0.2 + 0.8*r.Float64()))
		var vals []string
		overlap := strings.HasPrefix(d.what, "20%")
		nOrig := 0
		if overlap {
			og := origs[j%len(origs)]
			nOrig = rows / 5
			for _, i := range pick(r, len(og.ppl), nOrig) {
				vals = append(vals, apply(d.tr, og.ppl[i].Email))
			}
		}
		if d.tr == "hex64" {
			for range rows {
				vals = append(vals, randomHex(r, 32))
			}
		} else {
			for _, p := range alloc(rows-nOrig, j%2 == 0) {
				vals = append(vals, apply(d.tr, p.Email))
			}
		}
		r.Shuffle(len(vals), func(a, b int) { vals[a], vals[b] = vals[b], vals[a] })
		name := objName(kind, fmt.Sprintf("%s_%02d", d.name, j), j)
		t := &table{Kind: kind, Name: name, Cols: []column{{"id", true}, {d.col, false}, {"status", false}, {"created_at", false}}}
		for i, v := range vals {
			t.Rows = append(t.Rows, []any{i + 1, v, segments[r.IntN(len(segments))], date(r)})
		}
		tables = append(tables, t)
		e.Decoys = append(e.Decoys, Decoy{Field: e.ref(kind, name, d.col), What: d.what, Kind: kind, Rows: len(vals)})
	}
	return tables
}

// Planted counts planted copies per transform.
func (e *Estate) Planted() map[string]int {
	out := map[string]int{}
	for _, c := range e.Copies {
		out[c.Transform]++
	}
	return out
}

// CopyKinds counts planted copies per store kind.
func (e *Estate) CopyKinds() map[string]int {
	out := map[string]int{}
	for _, c := range e.Copies {
		out[c.Kind]++
	}
	return out
}

// WriteConfig writes a piimap config naming every store of the estate with
// graphDir as its graph directory, and returns its path (inside e.Dir).
func (e *Estate) WriteConfig(name, graphDir string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# copyestate %s: rows %d, %d copies per transform, seed %d\n", e.Suffix, e.Rows, e.CopiesPerTransform, e.Seed)
	fmt.Fprintf(&b, "graph: %q\nstores:\n", graphDir)
	for _, s := range e.Stores {
		fmt.Fprintf(&b, "  - name: %s\n    url: %q\n", s.Name, s.URL)
	}
	path := filepath.Join(e.Dir, name)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// Save writes the estate (ground truth and what Clean removes) as JSON.
func (e *Estate) Save(path string) error {
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// Load reads an estate written by Save.
func Load(path string) (*Estate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Estate
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &e, nil
}
