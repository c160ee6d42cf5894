package executor_test

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/dsar"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// The closure on fields that real estates fill unevenly: an IBAN column
// only a few customers filled in, and a free-text column keyed by the
// emails it holds that holds phones too.

// germanIBAN builds a valid German IBAN from 18 digits drawn from r.
func germanIBAN(r *rand.Rand) string {
	var b strings.Builder
	for range 18 {
		b.WriteByte(byte('0' + r.IntN(10)))
	}
	bban := b.String()
	n, _ := new(big.Int).SetString(bban+"131400", 10) // D=13 E=14, check "00"
	return fmt.Sprintf("DE%02d%s", 98-new(big.Int).Mod(n, big.NewInt(97)).Int64(), bban)
}

// A column that four of sixty customers filled in shows too few values to
// judge its share of distinct ones; its values still become needles, each
// counted in the table first, so a shared one is still left out.
func TestNeedlesFromSparseColumn(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 12))
	ibans := map[int]string{}
	for i := 1; i <= 60; i++ {
		ibans[i] = ""
	}
	for _, i := range []int{5, 12, 30} {
		ibans[i] = germanIBAN(r)
	}
	ibans[31] = ibans[30] // a joint account
	e := newNeedleEstate(t, "iban", ibans)
	lines := []string{
		"2026-03-01T10:00:00Z WARN payment failed iban=" + ibans[5] + " retry=1",
		"2026-03-01T10:00:01Z WARN payment failed iban=" + ibans[12] + " retry=1",
		"2026-03-01T10:00:02Z WARN payment failed iban=" + ibans[30] + " retry=1",
		"2026-03-01T10:00:03Z INFO mandate " + ibans[5][:4] + " " + ibans[5][4:8] + " " + ibans[5][8:12] + " " + ibans[5][12:16] + " " + ibans[5][16:20] + " " + ibans[5][20:] + " confirmed",
	}
	e.write(t, "payments.log", strings.Join(lines, "\n")+"\n")

	s, id, plan, kinds, steps := e.plan(t, "person05@example.net")
	require.Equal(t, 1, kinds["iban"], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(2), steps["lake/payments.log"], "steps %v", steps)
	run(t, s, id)
	log := e.read(t, "payments.log")
	require.NotContains(t, log, ibans[5], "the subject's IBAN stayed in the log")
	require.NotContains(t, log, ibans[5][12:16]+" "+ibans[5][16:20], "the subject's grouped IBAN stayed in the log")
	require.Contains(t, log, lines[1]+"\n", "a bystander's line changed")
	require.Contains(t, log, lines[2]+"\n", "a bystander's line changed")

	_, _, plan, kinds, steps = e.plan(t, "person30@example.net")
	require.Zero(t, kinds["iban"], "a joint account's IBAN is not the subject's alone: %+v", plan.Identifiers)
	require.Zero(t, steps["lake/payments.log"], "steps %v", steps)
	var unused []string
	for _, u := range plan.Unused {
		unused = append(unused, u.Kind)
	}
	require.Contains(t, unused, "iban", "the plan records the value left out")
}

// A ticket body is keyed by the emails it holds, and the scan saw phones
// in it too: the subject's phone (from the customers row) is searched for
// there as well, and only the subject's tickets go. Checked with DuckDB's
// own reads of every row, not with the receipt.
func TestFreeTextFieldSearchedForEveryKind(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 3))
	phones := map[int]string{}
	used := map[string]bool{}
	for i := 1; i <= 40; i++ {
		for {
			p := fmt.Sprintf("+49 151 %08d", 20000000+r.IntN(50000000))
			if !used[p] {
				used[p] = true
				phones[i] = p
				break
			}
		}
	}
	e := newNeedleEstate(t, "phone", phones)
	wh := filepath.Join(e.root, "wh.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+wh, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, body VARCHAR)`)
	require.NoError(t, err)
	sub := strings.TrimPrefix(phones[5], "+49 151 ")
	bodies := []string{}
	for i := 1; i <= 30; i++ {
		bodies = append(bodies, fmt.Sprintf("From: person%02d@example.net\nPlease update my order %d.", i+10, 4000+i))
	}
	subjectBodies := []string{
		"Callback requested on +49 (0)151 " + sub[:4] + " " + sub[4:] + " this afternoon",
		"From: PERSON05@EXAMPLE.NET\nDelete my data.",
	}
	bystanderBodies := []string{
		"Callback requested on " + phones[6] + " this afternoon",
		"Caller gave +49 151 " + sub + "9, a longer number",
		"Reference 151" + sub + " in the old system",
		"Callback requested on " + phones[7] + " tomorrow",
		"Callback requested on " + phones[8] + " tomorrow",
	}
	bodies = append(bodies, bystanderBodies...)
	bodies = append(bodies, subjectBodies...)
	for i, b := range bodies {
		_, err := db.Exec("INSERT INTO tickets VALUES (?, ?)", i+1, b)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s, id, plan, kinds, steps := e.plan(t, "person05@example.net")
	require.Equal(t, 1, kinds["phone"], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(2), steps["wh/main.tickets"], "steps %v", steps)
	run(t, s, id)

	db, err = sduck.Open(context.Background(), "duckdb://"+wh, true)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query("SELECT body FROM tickets ORDER BY ticket_id")
	require.NoError(t, err)
	var left []string
	for rows.Next() {
		var b string
		require.NoError(t, rows.Scan(&b))
		left = append(left, b)
	}
	require.NoError(t, rows.Err())
	want := slices.Delete(slices.Clone(bodies), len(bodies)-len(subjectBodies), len(bodies))
	require.Equal(t, want, left, "exactly the subject's tickets go, every other one is byte-identical")
}

// CSV files as tools write them: a byte order mark, padded names, no
// header (the subject's row first), a repeated name, rows longer than the
// header, and the subject's row shorter than another one. The scan names their columns and the erasure finds them by those
// names: every one loses the subject's row and keeps the others byte for
// byte (on the code before, the BOM file was "done, residual 0" with the
// row still there).
func TestCSVColumnsAsTheScanNamesThem(t *testing.T) {
	e := newNeedleEstate(t, "note", map[int]string{1: "a", 2: "b", 3: "c"})
	files := map[string][2][]string{ // name → {kept lines, subject lines}
		"bom.csv":        {{"\ufeffemail;name", "person06@example.net;Brandt"}, {"person05@example.net;Okonkwo"}},
		"padded.csv":     {{" email , name ", "person06@example.net,Brandt"}, {"person05@example.net,Okonkwo"}},
		"headerless.csv": {{"person06@example.net,Brandt,2", "person07@example.net,Quispe,3"}, {"person05@example.net,Okonkwo,1"}},
		"repeated.csv":   {{"mail,mail,name", "x1@example.org,person06@example.net,Brandt"}, {"x2@example.org,person05@example.net,Okonkwo"}},
		"ragged.csv":     {{"id,name", "1,Brandt,person06@example.net", "3,Quispe,person07@example.net"}, {"2,Okonkwo,person05@example.net"}},
		"shortrow.csv":   {{"email,name", "person06@example.net,Brandt,person16@example.net", "person07@example.net,Quispe,person17@example.net"}, {"person05@example.net,Okonkwo"}},
	}
	for name, f := range files {
		var lines []string
		if name == "headerless.csv" {
			lines = append(append(lines, f[1]...), f[0]...) // the subject's row first
		} else {
			lines = append(append(lines, f[0]...), f[1]...)
		}
		e.write(t, name, strings.Join(lines, "\r\n")+"\r\n")
	}
	s, id, _, _, steps := e.plan(t, "person05@example.net")
	for name := range files {
		require.Equal(t, int64(1), steps["lake/"+name], "steps %v", steps)
	}
	run(t, s, id)
	for name, f := range files {
		got := e.read(t, name)
		require.NotContains(t, got, "person05@", name)
		require.Equal(t, strings.Join(f[0], "\r\n")+"\r\n", got, "%s: another row changed", name)
	}
}

// A CSV whose column the map names is gone from the file (renamed after
// the scan): the plan must show a gap naming the column and the run must
// not report the location done; before the guard, Find counted 0 and the
// receipt said completed, residual 0.
func TestCSVColumnGoneSinceTheScan(t *testing.T) {
	e := newNeedleEstate(t, "note", map[int]string{1: "a"})
	e.write(t, "logins.csv", "email,name\nperson05@example.net,Okonkwo\nperson06@example.net,Brandt\n")
	s, _, _, _, steps := e.plan(t, "person05@example.net") // scans the estate
	require.Equal(t, int64(1), steps["lake/logins.csv"], "steps %v", steps)
	renamed := "e_mail,name\nperson05@example.net,Okonkwo\nperson06@example.net,Brandt\n"
	e.write(t, "logins.csv", renamed)

	_, id, plan, _, _ := e.plan(t, "person05@example.net") // planned again on the same map
	var gaps []string
	for _, g := range plan.Gaps {
		gaps = append(gaps, g.Asset+": "+g.Reason)
	}
	require.Len(t, gaps, 1, "gaps %v", gaps)
	require.Contains(t, gaps[0], `logins.csv: count failed:`)
	require.Contains(t, gaps[0], `no column "email"`)
	rc := approveApply(t, s, id)
	require.NotEqual(t, dsar.StatusCompleted, rc.Status, "receipt %+v", rc)
	require.Contains(t, fmt.Sprintf("%+v", rc.Gaps), `no column "email"`, "the receipt names the missing column")
	require.Equal(t, renamed, e.read(t, "logins.csv"), "nothing was written")
}
