package executor_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// nino is a valid, synthetic UK National Insurance number: allocated
// prefix letters, six digits, a suffix A–D.
func nino(r *rand.Rand) string {
	const first, second = "ABCEGHJKLMNPRSTWXYZ", "ABCEGHJKLMNPRSTWXYZ"
	for {
		p := string(first[r.IntN(len(first))]) + string(second[r.IntN(len(second))])
		switch p {
		case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
			continue
		}
		return fmt.Sprintf("%s%06d%c", p, r.IntN(1000000), 'A'+rune(r.IntN(4)))
	}
}

// spaced writes a NINO the way people do: "AB 12 34 56 C".
func spaced(n string) string {
	return n[0:2] + " " + n[2:4] + " " + n[4:6] + " " + n[6:8] + " " + n[8:9]
}

// TestNeedlesFindNINOInLogs: a request by email alone finds the UK
// National Insurance number on the subject's customers row and with it the
// support log lines and the HR export rows that hold only the NINO, written
// spaced or in lower case; bystanders' NINOs and lines stay byte for byte,
// checked by reading the files directly.
func TestNeedlesFindNINOInLogs(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	wh := filepath.Join(root, "wh.duckdb")
	db, err := sduck.Open(ctx, "duckdb://"+wh, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, ni_number VARCHAR, full_name VARCHAR)`)
	require.NoError(t, err)
	ninos := map[int]string{}
	seen := map[string]bool{}
	rnd := rand.New(rand.NewPCG(27, 701))
	for i := 1; i <= 60; i++ {
		n := nino(rnd)
		for seen[n] {
			n = nino(rnd)
		}
		seen[n], ninos[i] = true, n
		_, err := db.Exec("INSERT INTO customers VALUES (?, ?, ?, ?)", i, fmt.Sprintf("person%02d@example.net", i), n, fmt.Sprintf("Person %02d", i))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	lake := filepath.Join(root, "lake")
	require.NoError(t, os.MkdirAll(lake, 0o755))
	bystanderLine := "2026-01-01T09:01:00Z INFO payroll query for NI " + spaced(ninos[6]) + " answered\n"
	longerLine := "2026-01-01T09:02:00Z INFO ref X" + ninos[5] + " closed\n" // glued to a letter: not the NINO
	logText := "2026-01-01T09:00:00Z WARN caller gave NI number " + spaced(ninos[5]) + " twice\n" +
		bystanderLine + longerLine +
		"2026-01-01T09:03:00Z INFO nino=" + strings.ToLower(ninos[5]) + "; verified\n"
	require.NoError(t, os.WriteFile(filepath.Join(lake, "support.log"), []byte(logText), 0o644))
	var csv strings.Builder
	csv.WriteString("employee_ref,ni,salary_band\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&csv, "E%03d,%s,%d\n", i, spaced(ninos[i]), i%5)
	}
	require.NoError(t, os.WriteFile(filepath.Join(lake, "hr_export.csv"), []byte(csv.String()), 0o644))

	stores := []scanner.StoreConfig{{Name: "wh", URL: "duckdb://" + wh}, {Name: "lake", URL: "file://" + lake}}
	g, err := badgerstore.Open(filepath.Join(root, "graph"))
	require.NoError(t, err)
	defer g.Close()
	rs, err := rules.Default()
	require.NoError(t, err)
	eng, err := classifiers.New(rs, classifiers.Options{})
	require.NoError(t, err)
	key, err := g.InstallationKey(ctx)
	require.NoError(t, err)
	_, err = scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: true})
	require.NoError(t, err)

	s := executor.New(g, g, stores, executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{Type: dsar.Erasure, Requester: "ops",
		Subject: piimap.Subject{piimap.KeyEmail: {"person05@example.net"}}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, id := range plan.Identifiers {
		kinds[id.Kind] = id.Count
	}
	require.Equal(t, 1, kinds[piimap.TypeUKNINO], "identifiers %+v", plan.Identifiers)
	steps := map[string]int64{}
	for _, st := range plan.Steps() {
		steps[st.Store+"/"+st.Asset] = st.Expected
	}
	require.Equal(t, int64(2), steps["lake/support.log"], "steps %v", steps)
	require.Equal(t, int64(1), steps["lake/hr_export.csv"], "steps %v", steps)
	for _, by := range []string{"dpo", "legal"} {
		_, err := s.Approve(ctx, req.ID, by)
		require.NoError(t, err)
	}
	rc, err := s.Execute(ctx, req.ID, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	require.Equal(t, dsar.StatusCompleted, rc.Status, "receipt %+v", rc)

	b, err := os.ReadFile(filepath.Join(lake, "support.log"))
	require.NoError(t, err)
	got := string(b)
	require.NotContains(t, got, spaced(ninos[5]), "the subject's NINO stayed in the log")
	require.NotContains(t, got, "nino="+strings.ToLower(ninos[5])+";")
	require.Contains(t, got, bystanderLine, "a bystander's line changed")
	require.Contains(t, got, longerLine, "a longer token was touched")
	c, err := os.ReadFile(filepath.Join(lake, "hr_export.csv"))
	require.NoError(t, err)
	require.NotContains(t, string(c), spaced(ninos[5]))
	for i := 1; i <= 30; i++ {
		if i != 5 {
			require.Contains(t, string(c), fmt.Sprintf("E%03d,%s,%d\n", i, spaced(ninos[i]), i%5), "bystander row %d", i)
		}
	}
}
