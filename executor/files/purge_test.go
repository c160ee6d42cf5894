package files_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// A fake, distinctive SSN held only by the subject's records.
const purgeSSN = "SSN-078-05-1120-PURGE"

// treeHolds reports whether any file under root, hidden ones included and
// gzip ones decompressed too, holds v.
func treeHolds(t *testing.T, root, v string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(v)) {
			found = true
		}
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			if u, err := io.ReadAll(zr); err == nil && bytes.Contains(u, []byte(v)) {
				found = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func gz(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

func TestPurgeRewrittenFilesAreGone(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	files := map[string]string{
		"crm/people.csv":       "id,email,ssn\n1," + subject + "," + purgeSSN + "\n2,bob@example.com,zz2\n",
		"logs/app.log":         "login " + subject + " ssn " + purgeSSN + "\nlogin bob@example.com ssn zz2\n",
		"logs/events.jsonl.gz": gz(`{"email":"` + subject + `","ssn":"` + purgeSSN + `"}` + "\n" + `{"email":"bob@example.com","ssn":"zz2"}` + "\n"),
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	if !treeHolds(t, root, purgeSSN) {
		t.Fatal("fixture: the value should be in the tree before the erasure")
	}
	h := open(t, root)
	defer h.Close()
	ts := []driver.Target{
		{Asset: "crm/people.csv", Mode: driver.ModeDelete, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}},
		{Asset: "logs/app.log", Mode: driver.ModeDrop, Match: []driver.Match{{Kind: piimap.KeyEmail, Values: []string{subject}}}},
		{Asset: "logs/events.jsonl.gz", Gzip: true, Mode: driver.ModeDelete, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}},
	}
	res, err := h.Erase(ctx, ts, driver.EraseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Changed != 1 {
			t.Fatalf("erase %s: %+v", r.Asset, r)
		}
	}
	reps, err := h.(driver.Purger).Purge(ctx, append(ts, ts[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 3 {
		t.Fatalf("reports: %+v", reps)
	}
	for _, r := range reps {
		if r.State != driver.PurgeGone || r.Detail == "" {
			t.Fatalf("report: %+v", r)
		}
	}
	// Independent check: no file under the root holds the value, and the
	// bystanders' records remain.
	if treeHolds(t, root, purgeSSN) {
		t.Fatal("a file under the root still holds the erased value")
	}
	for _, name := range []string{"crm/people.csv", "logs/app.log"} {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil || !bytes.Contains(b, []byte("zz2")) {
			t.Fatalf("bystander in %s: %v", name, err)
		}
	}
	if !treeHolds(t, filepath.Join(root, "logs"), "zz2") {
		t.Fatal("bystander in the gzip file")
	}

	// A leftover rewrite temp file beside an asset is an exception.
	if err := os.WriteFile(filepath.Join(root, "crm", ".people.csv.piimap-123.tmp"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	reps, err = h.(driver.Purger).Purge(ctx, ts[:1])
	if err != nil || len(reps) != 1 || reps[0].State != driver.PurgeException {
		t.Fatalf("leftover: %+v %v", reps, err)
	}
}
