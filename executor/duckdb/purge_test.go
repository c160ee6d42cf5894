package duckdb_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	sduck "github.com/piimap/piimap/scanner/duckdb"
)

func has(t *testing.T, p string, v string) string {
	b, _ := os.ReadFile(p)
	w, _ := os.ReadFile(p + ".wal")
	return "file=" + itoa(bytes.Contains(b, []byte(v))) + " wal=" + itoa(bytes.Contains(w, []byte(v)))
}
func itoa(b bool) string {
	if b {
		return "Y"
	}
	return "n"
}

func TestExperiment(t *testing.T) {
	for _, stmt := range []string{"CHECKPOINT", "FORCE CHECKPOINT", "VACUUM", "VACUUM ANALYZE"} {
		p := filepath.Join(t.TempDir(), "x.duckdb")
		db, err := sduck.Open(context.Background(), "duckdb://"+p, false)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(1)
		mustx := func(q string) {
			if _, err := db.Exec(q); err != nil {
				t.Logf("%s: %v", q, err)
			}
		}
		mustx("CREATE TABLE c (id INTEGER, email VARCHAR, ssn VARCHAR)")
		mustx("INSERT INTO c SELECT i, 'user'||i||'@example.com', 'zz'||i FROM range(100) t(i)")
		mustx("INSERT INTO c VALUES (999,'victim@example.com','SSN-987-65-4329-X')")
		mustx("CHECKPOINT")
		t.Logf("%s before delete: %s", stmt, has(t, p, "SSN-987-65-4329-X"))
		mustx("DELETE FROM c WHERE id=999")
		t.Logf("%s after delete: %s", stmt, has(t, p, "SSN-987-65-4329-X"))
		mustx(stmt)
		t.Logf("%s after stmt: %s", stmt, has(t, p, "SSN-987-65-4329-X"))
		mustx("CHECKPOINT")
		t.Logf("%s after stmt+cp: %s", stmt, has(t, p, "SSN-987-65-4329-X"))
		db.Close()
		t.Logf("%s after close: %s", stmt, has(t, p, "SSN-987-65-4329-X"))
	}
}
