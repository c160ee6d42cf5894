package executor_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// A warehouse holding customers and masked copies nobody declared: their
// emails as sha256(lower(email)) and md5(lower(email)) hex, and card last
// fours. Fingerprinting found them as masked copy_of edges; the subject's
// rows must be found and erased by the hashed form.
const maskedSQL = `
CREATE TABLE customers (id INTEGER, email VARCHAR);
INSERT INTO customers VALUES (1, 'Ann@Example.com'), (2, 'bob@example.com'), (3, 'cleo@example.com');
CREATE TABLE email_hashes (email_sha256 VARCHAR, score INT);
INSERT INTO email_hashes SELECT sha256(lower(email)), id * 10 FROM customers;
CREATE TABLE email_md5 (h VARCHAR, seen INT);
INSERT INTO email_md5 SELECT upper(md5(lower(email))), id FROM customers;
CREATE TABLE cards (last4 VARCHAR);
INSERT INTO cards VALUES ('1234'), ('5678');
`

func maskedEstate(t *testing.T, evidence map[string]string) (*executor.Service, string) {
	t.Helper()
	url := "duckdb://" + filepath.Join(t.TempDir(), "wh.duckdb")
	db, err := sduck.Open(context.Background(), url, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(maskedSQL); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wh := func(asset, field string) piimap.Location {
		return piimap.Location{Store: "wh", Name: asset, Field: field}
	}
	g := &memGraph{run: lineage.ScanRun{ID: "run-1", Status: lineage.RunComplete, Stores: []string{"wh"}}}
	g.finding("duckdb", wh("main.customers", "email"), piimap.TypeEmail, nil)
	g.add("duckdb", wh("main.customers", "id"), nil)
	g.add("duckdb", wh("main.email_hashes", "email_sha256"), nil)
	g.add("duckdb", wh("main.email_hashes", "score"), nil)
	g.add("duckdb", wh("main.email_md5", "h"), nil)
	g.add("duckdb", wh("main.cards", "last4"), nil)
	for _, c := range []struct{ from, ev string }{
		{"main.email_hashes#email_sha256", evidence["sha256"]},
		{"main.email_md5#h", evidence["md5"]},
		{"main.cards#last4", "last4 (last four digits); containment 1.000 on 2 sampled values"},
	} {
		if c.ev == "-" {
			continue
		}
		asset, field, _ := strings.Cut(c.from, "#")
		g.edges = append(g.edges, lineage.Edge{Kind: lineage.EdgeCopyOf, From: wh(asset, field), To: wh("main.customers", "email"),
			Source: lineage.SourceFingerprint, Confidence: 0.97, Transform: lineage.TransformMasked,
			ObservedAt: time.Unix(0, 0).UTC(), Evidence: c.ev})
	}
	return executor.New(g, newMemDocs(), []scanner.StoreConfig{{Name: "wh", URL: url, Tenant: "acme"}}, executor.Options{}), url
}

func TestMaskedCopyErasure(t *testing.T) {
	const (
		sha256Ev = "sha256_hex (sha256 hex of the normalised value); containment 1.000 on 3 sampled values, ~3 vs ~3 distinct; direction: masked"
		md5Ev    = "md5_hex (md5 hex of the normalised value); containment 1.000 on 3 sampled values, ~3 vs ~3 distinct; direction: masked"
	)
	annSHA := sha256.Sum256([]byte("ann@example.com"))
	cases := []struct {
		name     string
		evidence map[string]string
		want     map[string]int64  // plan step counts
		via      map[string]string // asset → masked match via
		gaps     map[string]string
	}{
		{"sha256 and md5 forms named", map[string]string{"sha256": sha256Ev, "md5": md5Ev},
			map[string]int64{"wh/main.customers": 1, "wh/main.email_hashes": 1, "wh/main.email_md5": 1},
			map[string]string{"main.email_hashes": "masked copy of wh/main.customers#email (sha256_hex)",
				"main.email_md5": "masked copy of wh/main.customers#email (md5_hex)"},
			map[string]string{"wh/main.cards": planning.GapNoPath}},
		{"form not named: every form of the type is tried", map[string]string{"sha256": "masked by a hash", "md5": "-"},
			map[string]int64{"wh/main.customers": 1, "wh/main.email_hashes": 1},
			map[string]string{"main.email_hashes": "masked copy of wh/main.customers#email (sha256_hex)"},
			map[string]string{"wh/main.cards": planning.GapNoPath}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s, url := maskedEstate(t, c.evidence)
			req := newErasure(t, s)
			plan, err := s.Plan(ctx, req.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := stepCounts(plan); !reflect.DeepEqual(got, c.want) {
				t.Errorf("plan counts\n got %v\nwant %v", got, c.want)
			}
			if got := gapSet(plan.Gaps); !reflect.DeepEqual(got, c.gaps) {
				t.Errorf("gaps\n got %v\nwant %v", got, c.gaps)
			}
			for _, g := range plan.Gaps {
				if g.Asset == "main.cards" && !strings.Contains(g.Reason, "last4") {
					t.Errorf("cards gap reason %q does not name the last4 form", g.Reason)
				}
			}
			for _, st := range plan.Steps() {
				want, ok := c.via[st.Asset]
				if !ok {
					continue
				}
				var vias []string
				for _, m := range st.Target.Match {
					vias = append(vias, m.Via)
					if m.Via == want && (m.Kind != driver.KindKey || len(m.Values) == 0) {
						t.Errorf("%s: masked match kind %s with %d values", st.Asset, m.Kind, len(m.Values))
					}
				}
				if !slices.Contains(vias, want) {
					t.Errorf("%s: matches %v, want one via %q", st.Asset, vias, want)
				}
			}
			// Neither the plan nor anything stored holds the subject's hash.
			js, _ := json.Marshal(plan)
			if strings.Contains(string(js), hex.EncodeToString(annSHA[:])) {
				t.Fatal("plan JSON holds the subject's sha256")
			}

			for _, who := range []string{"bob", "carol"} {
				if _, err := s.Approve(ctx, req.ID, who); err != nil {
					t.Fatal(err)
				}
			}
			rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range rc.Locations {
				k := l.Store + "/" + l.Asset
				if l.Changed != c.want[k] || l.Residual != 0 || l.Status != evidence.LocDone {
					t.Errorf("%s: changed %d residual %d status %s, want changed %d residual 0 done", k, l.Changed, l.Residual, l.Status, c.want[k])
				}
			}
			db, err := sduck.Open(ctx, url, true)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows := func(q string) int {
				var n int
				if err := db.QueryRow(q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := rows(`SELECT count(*) FROM email_hashes WHERE email_sha256 = sha256('ann@example.com')`); n != 0 {
				t.Errorf("subject's hashed row survived: %d", n)
			}
			if n := rows(`SELECT count(*) FROM email_hashes WHERE email_sha256 IN (sha256('bob@example.com'), sha256('cleo@example.com'))`); n != 2 {
				t.Errorf("others' hashed rows: %d, want 2", n)
			}
			wantMD5 := 3 - int(c.want["wh/main.email_md5"])
			if n := rows(`SELECT count(*) FROM email_md5`); n != wantMD5 {
				t.Errorf("email_md5 rows: %d, want %d", n, wantMD5)
			}
			if n := rows(`SELECT count(*) FROM cards`); n != 2 {
				t.Errorf("cards rows: %d, want 2 (last four digits identify no one)", n)
			}
		})
	}
}
