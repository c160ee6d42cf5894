package s3_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	ss3 "github.com/piimap/piimap/scanner/s3"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// unsafeKeys are object keys (relative to the prefix lake/) that are not
// units, as the server holds them, with the unit name they are reported
// under. gocloud unescapes "__0xN__" sequences, so "nul__0x0__.csv" is the
// key "nul\x00.csv" to piimap, exactly as if gocloud had written it.
var unsafeKeys = []struct{ key, unit, why string }{
	{"../escape.csv", "../escape.csv", ". or .. segment"},
	{"/abs.csv", "/abs.csv", "absolute name"},
	{"a/../../b.csv", "a/../../b.csv", ". or .. segment"},
	{"./dot.csv", "./dot.csv", ". or .. segment"},
	{"a//b.csv", "a//b.csv", "empty segment"},
	{`win\..\..\x.csv`, `win\..\..\x.csv`, ". or .. segment"},
	{"nul__0x0__.csv", `nul\x00.csv`, "control characters"},
	{"ctl__0x1b__[31m__0xa__.log", `ctl\x1b[31m\x0a.log`, "control characters"},
}

const escapedPII = "id,email\n1,escaped.person@example.test\n"

// checkUnsafe scans the store and checks that every unsafe key is a unit
// error with its reason, none is read, and only the good object is.
func checkUnsafe(t *testing.T, url string, want []struct{ key, unit, why string }, gets func() []string) {
	t.Helper()
	g := lineagetest.NewMemGraph()
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{{Name: "lake", URL: url}},
		scanner.Options{Graph: g, Classifier: atCounter{}, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	errs := map[string]string{}
	for _, e := range res.Errors {
		t.Logf("unit error %s: %s", e.Unit, e.Err)
		errs[e.Unit] = e.Err
		if strings.ContainsAny(e.Unit+e.Err, "\x00\x1b\n") {
			t.Errorf("raw control byte in unit error %q", e.Unit+": "+e.Err)
		}
		if strings.Contains(e.Err, "@example") {
			t.Errorf("raw value in unit error %s", e.Err)
		}
	}
	for _, k := range want {
		msg, ok := errs[k.unit]
		if !ok {
			t.Errorf("no unit error for %s; errors: %q", k.unit, errs)
			continue
		}
		wantMsg := "s3: read " + k.unit + ": unsafe object key ("
		if !strings.Contains(msg, wantMsg) || !strings.Contains(msg, k.why) || !strings.Contains(msg, "not read — rename the object") ||
			!strings.Contains(msg, piimap.ErrUnsupported.Error()) {
			t.Errorf("unit error for %s = %q, want %q… %q", k.unit, msg, wantMsg, k.why)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("%d unit errors, want %d: %q", len(errs), len(want), errs)
	}
	if res.Run.Status != lineage.RunGaps {
		t.Errorf("run status %s, want %s", res.Run.Status, lineage.RunGaps)
	}
	for _, f := range res.Findings {
		if f.Loc.Name != "good.csv" {
			t.Errorf("finding in %s: an unsafe key was read", f.Loc)
		}
	}
	if len(res.Findings) == 0 {
		t.Error("the good object was not scanned")
	}
	skipped := 0
	if err := g.Nodes(context.Background(), res.RunID, func(n lineage.Node) error {
		if n.Attrs[fileformat.MetaSkipped] != "" {
			skipped++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if skipped != len(want) {
		t.Errorf("%d assets carry the %s attribute, want %d", skipped, fileformat.MetaSkipped, len(want))
	}
	if gets != nil {
		for _, k := range gets() {
			if k != "lake/good.csv" {
				t.Errorf("GET %q: an unsafe key was read", k)
			}
		}
	}
}

// TestUnsafeKeysFake lists keys a real server would normalise away (an
// absolute key, `..` kept literally) from an in-process fake, which also
// shows that no unsafe object is fetched, not even its head.
func TestUnsafeKeysFake(t *testing.T) {
	objs := map[string][]byte{"lake/good.csv": []byte("id,email\n1,good.person@example.test\n")}
	for _, k := range unsafeKeys {
		objs["lake/"+k.key] = []byte(escapedPII)
	}
	f := s3test.NewFake(t, "fakebucket", objs)
	checkUnsafe(t, f.StoreURL("lake"), unsafeKeys, f.Gets)
	if !slices.Contains(f.Gets(), "lake/good.csv") {
		t.Errorf("the good object was never fetched: %q", f.Gets())
	}
}

// TestUnsafeKeysServer does the same on the real server, with the keys it
// keeps as written: gocloud escapes "../" and control bytes on the wire,
// so they arrive intact, and are listed back as written.
func TestUnsafeKeysServer(t *testing.T) {
	b := s3test.NewBucket(t)
	b.Put(t, "lake/good.csv", []byte("id,email\n1,good.person@example.test\n"), nil)
	var want []struct{ key, unit, why string }
	for _, k := range []string{"../escape.csv", "a/../../b.csv", "nul\x00.csv", "ctl\x1b[31m\n.log", `win\..\..\x.csv`} {
		b.Put(t, "lake/"+k, []byte(escapedPII), nil)
	}
	for _, k := range unsafeKeys {
		switch k.key {
		case "../escape.csv", "a/../../b.csv", "nul__0x0__.csv", "ctl__0x1b__[31m__0xa__.log", `win\..\..\x.csv`:
			want = append(want, k)
		}
	}
	sum := b.Checksum(t)
	checkUnsafe(t, b.StoreURL("lake"), want, nil)
	if b.Checksum(t) != sum {
		t.Error("the scan changed the bucket")
	}
}

// TestCheckAssetRefuses: the read path refuses a made-up unit naming an
// unsafe key with ErrUnsupported and an escaped message.
func TestCheckAssetRefuses(t *testing.T) {
	for _, k := range []string{"../x", "/abs", "a/../../b", "a\x00b", "a\x1bb", "a//b"} {
		err := ss3.CheckAsset(k)
		if !errors.Is(err, piimap.ErrUnsupported) || strings.ContainsAny(err.Error(), "\x00\x1b") {
			t.Errorf("CheckAsset(%q) = %v", k, err)
		}
	}
	f := s3test.NewFake(t, "fakebucket", map[string][]byte{"lake/x.csv": []byte(escapedPII)})
	src := openSource(t, scanner.StoreConfig{Name: "lake", URL: f.StoreURL("lake")})
	err := src.Read(context.Background(), piimap.Unit{Loc: piimap.Location{Store: "lake", Name: "../lake/x.csv"},
		Kind: piimap.UnitObject, Format: piimap.FormatCSV}, func(piimap.Record) error {
		t.Error("read a record through ..")
		return nil
	})
	if !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("read ../lake/x.csv: %v", err)
	}
	if len(f.Gets()) != 0 {
		t.Errorf("fetched %q", f.Gets())
	}
}
