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
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// Needles: a request by email alone finds the card, NINO… on the subject's
// entity row and erases the logs and exports that hold only that number.

// needleEstate is a DuckDB warehouse with a customers table (id, a unique
// email, one number column, a name) and a files store, lake, under root.
type needleEstate struct {
	root, lake string
	stores     []scanner.StoreConfig
	g          *badgerstore.Store // opened and scanned at the first plan
}

func newNeedleEstate(t *testing.T, column string, numbers map[int]string) *needleEstate {
	t.Helper()
	root := t.TempDir()
	wh := filepath.Join(root, "wh.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+wh, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, ` + column + ` VARCHAR, full_name VARCHAR)`)
	require.NoError(t, err)
	for i := 1; i <= len(numbers); i++ {
		_, err := db.Exec("INSERT INTO customers VALUES (?, ?, ?, ?)", i, fmt.Sprintf("person%02d@example.net", i), numbers[i], fmt.Sprintf("Person %02d", i))
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	lake := filepath.Join(root, "lake")
	require.NoError(t, os.MkdirAll(lake, 0o755))
	return &needleEstate{root: root, lake: lake,
		stores: []scanner.StoreConfig{{Name: "wh", URL: "duckdb://" + wh}, {Name: "lake", URL: "file://" + lake}}}
}

func (e *needleEstate) write(t *testing.T, name, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(e.lake, name), []byte(data), 0o644))
}

func (e *needleEstate) read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.lake, name))
	require.NoError(t, err)
	return string(b)
}

// plan scans the estate in full and plans an erasure for email, returning
// the Service, the request and the plan's identifier counts by kind and
// expected rows by store/asset.
func (e *needleEstate) plan(t *testing.T, email string) (*executor.Service, string, *planning.Plan, map[string]int, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	if e.g == nil {
		g, err := badgerstore.Open(filepath.Join(e.root, "graph"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = g.Close() })
		rs, err := rules.Default()
		require.NoError(t, err)
		eng, err := classifiers.New(rs, classifiers.Options{})
		require.NoError(t, err)
		key, err := g.InstallationKey(ctx)
		require.NoError(t, err)
		_, err = scanner.Run(ctx, e.stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, FingerprintKey: key, Full: true})
		require.NoError(t, err)
		e.g = g
	}
	s := executor.New(e.g, e.g, e.stores, executor.Options{})
	req, err := s.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Erasure, Requester: "ops",
		Subject: piimap.Subject{piimap.KeyEmail: {email}}})
	require.NoError(t, err)
	plan, err := s.Plan(ctx, req.ID)
	require.NoError(t, err)
	kinds := map[string]int{}
	for _, id := range plan.Identifiers {
		kinds[id.Kind] = id.Count
	}
	steps := map[string]int64{}
	for _, st := range plan.Steps() {
		steps[st.Store+"/"+st.Asset] = st.Expected
	}
	return s, req.ID, plan, kinds, steps
}

// run approves the request twice and applies it; the receipt must say
// completed.
func run(t *testing.T, s *executor.Service, id string) {
	t.Helper()
	rc := approveApply(t, s, id)
	require.Equal(t, dsar.StatusCompleted, rc.Status, "receipt %+v", rc)
}

// approveApply approves the request twice, applies it and returns the
// receipt.
func approveApply(t *testing.T, s *executor.Service, id string) *evidence.Receipt {
	t.Helper()
	ctx := context.Background()
	for _, by := range []string{"dpo", "legal"} {
		_, err := s.Approve(ctx, id, by)
		require.NoError(t, err)
	}
	rc, err := s.Execute(ctx, id, executor.RunOptions{Apply: true})
	require.NoError(t, err)
	return rc
}

// luhnCard returns a Luhn-valid 16-digit card number starting with the 15
// digits of prefix.
func luhnCard(prefix string) string {
	sum := 0
	for i := len(prefix) - 1; i >= 0; i-- {
		d := int(prefix[i] - '0')
		if (len(prefix)-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return prefix + fmt.Sprint((10-sum%10)%10)
}

// TestNeedlesFindCardInLogs: a request by email alone finds the card
// number on the subject's customers row and with it the log line and the
// payments export that hold only the card, written in groups; bystanders'
// cards and lines stay, byte for byte.
func TestNeedlesFindCardInLogs(t *testing.T) {
	cards := map[int]string{}
	rnd := rand.New(rand.NewPCG(9, 9))
	for i := 1; i <= 60; i++ {
		cards[i] = luhnCard(fmt.Sprintf("4%014d", rnd.Int64N(99999999999999)))
	}
	e := newNeedleEstate(t, "card_number", cards)
	group := func(c, sep string) string { return c[0:4] + sep + c[4:8] + sep + c[8:12] + sep + c[12:16] }
	e.write(t, "payments.log", "2026-01-01T09:00:00Z payment declined card "+group(cards[5], " ")+"\n"+
		"2026-01-01T09:01:00Z payment ok card "+group(cards[6], " ")+"\n"+
		"2026-01-01T09:02:00Z refund ref 9"+cards[5]+" issued\n")
	var csv strings.Builder
	csv.WriteString("payment_id,card,amount\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&csv, "P%03d,%s,%d.00\n", i, group(cards[i], "-"), 10+i)
	}
	e.write(t, "payments.csv", csv.String())

	s, id, plan, kinds, steps := e.plan(t, "person05@example.net")
	require.Equal(t, 1, kinds["credit_card"], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(1), steps["lake/payments.log"], "steps %v", steps)
	require.Equal(t, int64(1), steps["lake/payments.csv"], "steps %v", steps)
	run(t, s, id)

	log := e.read(t, "payments.log")
	require.NotContains(t, log, group(cards[5], " "), "the subject's card stayed in the log")
	require.Contains(t, log, "payment ok card "+group(cards[6], " ")+"\n", "a bystander's line changed")
	require.Contains(t, log, "refund ref 9"+cards[5]+" issued\n", "a longer number was touched")
	c := e.read(t, "payments.csv")
	require.NotContains(t, c, group(cards[5], "-"))
	for i := 1; i <= 30; i++ {
		if i != 5 {
			require.Contains(t, c, fmt.Sprintf("P%03d,%s,%d.00\n", i, group(cards[i], "-"), 10+i))
		}
	}
}

// nino is a valid, synthetic UK National Insurance number: allocated
// prefix letters, six digits, a suffix A–D.
func nino(r *rand.Rand) string {
	const letters = "ABCEGHJKLMNPRSTWXYZ"
	for {
		p := string(letters[r.IntN(len(letters))]) + string(letters[r.IntN(len(letters))])
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

// ninoEstate gives 60 customers distinct NINOs (with share, person 7
// holds person 5's too), a support log and an HR export.
func ninoEstate(t *testing.T, share bool) (*needleEstate, map[int]string, string, string) {
	t.Helper()
	ninos, seen := map[int]string{}, map[string]bool{}
	rnd := rand.New(rand.NewPCG(27, 701))
	for i := 1; i <= 60; i++ {
		n := nino(rnd)
		for seen[n] {
			n = nino(rnd)
		}
		seen[n], ninos[i] = true, n
	}
	if share {
		ninos[7] = ninos[5]
	}
	e := newNeedleEstate(t, "ni_number", ninos)
	bystanderLine := "2026-01-01T09:01:00Z INFO payroll query for NI " + spaced(ninos[6]) + " answered\n" +
		"2026-01-01T09:01:30Z INFO payroll query for NI " + spaced(ninos[9]) + " answered\n"
	longerLine := "2026-01-01T09:02:00Z INFO ref X" + ninos[5] + " closed\n" // glued to a letter: not the NINO
	e.write(t, "support.log", "2026-01-01T09:00:00Z WARN caller gave NI number "+spaced(ninos[5])+" twice\n"+
		bystanderLine+longerLine+
		"2026-01-01T09:03:00Z INFO nino="+strings.ToLower(ninos[5])+"; verified\n")
	var csv strings.Builder
	csv.WriteString("employee_ref,ni,salary_band\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&csv, "E%03d,%s,%d\n", i, spaced(ninos[i]), i%5)
	}
	e.write(t, "hr_export.csv", csv.String())
	return e, ninos, bystanderLine, longerLine
}

// TestNeedlesFindNINOInLogs: a request by email alone finds the UK
// National Insurance number on the subject's customers row and with it the
// support log lines and the HR export rows that hold only the NINO, written
// spaced or in lower case; bystanders' NINOs and lines stay byte for byte,
// checked by reading the files directly.
func TestNeedlesFindNINOInLogs(t *testing.T) {
	e, ninos, bystanderLine, longerLine := ninoEstate(t, false)
	s, id, plan, kinds, steps := e.plan(t, "person05@example.net")
	require.Equal(t, 1, kinds[piimap.TypeUKNINO], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(2), steps["lake/support.log"], "steps %v", steps)
	require.Equal(t, int64(1), steps["lake/hr_export.csv"], "steps %v", steps)
	run(t, s, id)

	log := e.read(t, "support.log")
	require.NotContains(t, log, spaced(ninos[5]), "the subject's NINO stayed in the log")
	require.NotContains(t, log, "nino="+strings.ToLower(ninos[5])+";")
	require.Contains(t, log, bystanderLine, "a bystander's line changed")
	require.Contains(t, log, longerLine, "a longer token was touched")
	c := e.read(t, "hr_export.csv")
	require.NotContains(t, c, spaced(ninos[5]))
	for i := 1; i <= 30; i++ {
		if i != 5 {
			require.Contains(t, c, fmt.Sprintf("E%03d,%s,%d\n", i, spaced(ninos[i]), i%5), "bystander row %d", i)
		}
	}
}

// TestNeedlesSharedNINOUnused: a NINO two customers hold (a data-entry
// error, a shared record) names nobody: it is not searched and the plan
// lists it as unused. The column stays a needle column for everyone else:
// another customer's own NINO is still found in the log.
func TestNeedlesSharedNINOUnused(t *testing.T) {
	e, ninos, _, _ := ninoEstate(t, true)
	_, _, plan, kinds, steps := e.plan(t, "person05@example.net")
	require.Zero(t, kinds[piimap.TypeUKNINO], "identifiers %+v", plan.Identifiers)
	require.Zero(t, steps["lake/support.log"], "steps %v", steps)
	require.Zero(t, steps["lake/hr_export.csv"], "steps %v", steps)
	var unused []string
	for _, u := range plan.Unused {
		unused = append(unused, u.Kind)
		require.NotContains(t, u.Masked, ninos[5], "an unused value is shown masked")
	}
	require.Contains(t, unused, piimap.TypeUKNINO, "the plan records the value left out")

	s, id, plan, kinds, steps := e.plan(t, "person09@example.net")
	require.Equal(t, 1, kinds[piimap.TypeUKNINO], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(1), steps["lake/support.log"], "steps %v", steps)
	require.Equal(t, int64(1), steps["lake/hr_export.csv"], "steps %v", steps)
	run(t, s, id)
	require.NotContains(t, e.read(t, "support.log"), spaced(ninos[9]))
	require.Contains(t, e.read(t, "support.log"), spaced(ninos[5]), "the shared NINO is nobody's to erase")
}
