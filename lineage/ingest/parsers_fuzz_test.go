package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// checkSource asserts what every reader documents for its result: an error
// wraps one of the allowed sentinels and names the input; an accepted
// source has no negative count and is stored as it was read: Put then List
// (with its parts) gives back the same payload under the same content-hash
// ID, and putting it again keeps that ID.
func checkSource(t *testing.T, name string, src *Source, err error, allowed ...error) {
	t.Helper()
	if err != nil {
		ok := false
		for _, s := range allowed {
			ok = ok || errors.Is(err, s)
		}
		if !ok {
			t.Fatalf("error wraps none of %v: %v", allowed, err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Fatalf("error does not name the input %q: %v", name, err)
		}
		return
	}
	st := src.Stats
	if st.Read < 0 || st.Kept < 0 || st.Repeated < 0 || st.Dropped < 0 || st.Failed < 0 {
		t.Fatalf("negative stats %+v", st)
	}
	want, merr := json.Marshal(src.payload())
	if merr != nil {
		t.Fatalf("payload does not marshal: %v", merr)
	}
	ctx := context.Background()
	g := lineagetest.NewMemGraph()
	src.IngestedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if perr := Put(ctx, g, src); perr != nil {
		t.Fatalf("put: %v", perr)
	}
	id := src.ID
	got, lerr := List(ctx, g)
	if lerr != nil || len(got) != 1 {
		t.Fatalf("list after put: %d sources, %v", len(got), lerr)
	}
	if perr := loadParts(ctx, g, &got[0]); perr != nil {
		t.Fatalf("load parts: %v", perr)
	}
	back, _ := json.Marshal(got[0].payload())
	if got[0].ID != id || got[0].Kind != src.Kind || got[0].Name != src.Name || got[0].Stats != src.Stats || !bytes.Equal(back, want) {
		t.Fatalf("stored source reads back changed:\nput  %s %+v %s\nread %s %+v %s", id, src.Stats, want, got[0].ID, got[0].Stats, back)
	}
	again := *src
	if perr := Put(ctx, g, &again); perr != nil || again.ID != id {
		t.Fatalf("putting the same content again: ID %s, was %s (%v)", again.ID, id, perr)
	}
}

// FuzzReadOpenLineage: any bytes give a source of distinct events with
// outputs, stored as read, or an error wrapping piimap.ErrCorrupt naming
// the file. Seeded with the package's events file, split into its events.
func FuzzReadOpenLineage(f *testing.F) {
	b, err := os.ReadFile("testdata/openlineage_events.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, l := range bytes.Split(b, []byte("\n")) {
		f.Add(l)
		f.Add(append(append([]byte("["), l...), ']'))
	}
	for _, s := range []string{`[`, `[]`, `{}` + "\n" + `{}`, "", "null", `[null]`, `{"job":null}`, `{"eventTime":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src, err := ReadOpenLineage(bytes.NewReader(in), "events.jsonl")
		checkSource(t, "events.jsonl", src, err, piimap.ErrCorrupt)
		if err != nil {
			return
		}
		if src.Kind != KindOpenLineage || len(src.Events) != src.Stats.Kept || src.Stats.Read != src.Stats.Kept+src.Stats.Repeated+src.Stats.Dropped {
			t.Fatalf("kind %s, %d events, stats %+v", src.Kind, len(src.Events), src.Stats)
		}
		seen := map[string]bool{}
		for _, e := range src.Events {
			if len(e.Outputs) == 0 {
				t.Fatal("a kept event has no outputs")
			}
			k, _ := json.Marshal(e)
			if seen[string(k)] {
				t.Fatalf("event kept twice: %s", k)
			}
			seen[string(k)] = true
		}
	})
}

// FuzzReadDBT: any bytes give a dbt source stored as read, whose relation
// maps are keyed in lower case, or an error wrapping piimap.ErrCorrupt (or
// ErrUnsupported) naming the file. Seeded with the package's manifest.
func FuzzReadDBT(f *testing.F) {
	b, err := os.ReadFile("testdata/dbt_manifest.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range []string{
		`{}`, `{"nodes":{}}`, `[]`, "", "null", `{"nodes":null,"sources":{"s":{"schema":"A","name":"B"}}}`,
		`{"nodes":{"model.x.m":{"resource_type":"model","schema":"S","name":"m","compiled_code":"select a from s.t","depends_on":{"nodes":[]}}}}`,
		`{"nodes":{"model.x.m":{"resource_type":"model","schema":"s","alias":"M","compiled_sql":"insert into q select 'x' from t"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		src, err := ReadDBT(bytes.NewReader(in), "manifest.json")
		checkSource(t, "manifest.json", src, err, piimap.ErrCorrupt, piimap.ErrUnsupported)
		if err != nil {
			return
		}
		if src.Kind != KindDBT || src.DBT == nil || src.DBT.Lineage == nil {
			t.Fatalf("dbt source without its lineage: %+v", src)
		}
		if st := src.Stats; st.Dropped != max(0, st.Read-st.Kept) {
			t.Fatalf("stats %+v", st)
		}
		for _, m := range []map[string]string{src.DBT.Models, src.DBT.Databases} {
			for rel := range m {
				if rel != strings.ToLower(rel) {
					t.Fatalf("relation %q is not lower case", rel)
				}
			}
		}
	})
}
