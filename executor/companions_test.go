package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/scanner"
	sduck "github.com/piimap/piimap/scanner/duckdb"
)

// Companions: a request by email redacts, on the log lines the email
// attributes to the subject, their name and postal address too (read from
// their customers row); a namesake's line and a line holding the name
// alone stay byte for byte.
func TestCompanionsRedactNameOnSubjectLines(t *testing.T) {
	root := t.TempDir()
	wh := filepath.Join(root, "wh.duckdb")
	db, err := sduck.Open(context.Background(), "duckdb://"+wh, false)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR UNIQUE, full_name VARCHAR, street_address VARCHAR)`)
	require.NoError(t, err)
	given := []string{"Maria", "James", "Aisha", "Lukas", "Chloé", "Tomasz", "Priya", "Diego", "Sofia", "Kenji"}
	family := []string{"Okonkwo", "Abernathy", "Kowalczuk", "Nakashima", "Oyelaran", "Vasquez", "Lindqvist", "Brennan"}
	streets := []string{"Harrow Lane", "Elm Street", "Mill Road", "Quarry Avenue", "Birch Close"}
	people := map[int][3]string{}
	for i := 1; i <= 40; i++ {
		name := given[i%len(given)] + " " + family[(i*3)%len(family)]
		addr := fmt.Sprintf("%d %s", 10+i, streets[i%len(streets)])
		people[i] = [3]string{fmt.Sprintf("person%02d@example.net", i), name, addr}
	}
	// The subject (7) has a namesake (8) with another email.
	people[7] = [3]string{"maria.o@example.net", "Maria Okonkwo", "12 Harrow Lane"}
	people[8] = [3]string{"m.okonkwo@example.org", "Maria Okonkwo", "4 Birch Close"}
	for i := 1; i <= 40; i++ {
		p := people[i]
		_, err := db.Exec("INSERT INTO customers VALUES (?, ?, ?, ?)", i, p[0], p[1], p[2])
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	lake := filepath.Join(root, "lake")
	require.NoError(t, os.MkdirAll(lake, 0o755))
	e := &needleEstate{root: root, lake: lake,
		stores: []scanner.StoreConfig{{Name: "wh", URL: "duckdb://" + wh}, {Name: "lake", URL: "file://" + lake}}}

	subjectLines := []string{
		"2026-01-01T09:00:00Z ticket 4411 opened by Maria Okonkwo <maria.o@example.net>",
		"2026-01-01T09:05:00Z callback for Ms Okonkwo at maria.o@example.net, parcel to 12 Harrow Lane",
		"2026-01-01T09:06:00Z MARIA OKONKWO (maria.o@example.net) asked about order 5521",
	}
	want := []string{
		"2026-01-01T09:00:00Z ticket 4411 opened by [REDACTED] <[REDACTED]>",
		"2026-01-01T09:05:00Z callback for Ms [REDACTED] at [REDACTED], parcel to [REDACTED]",
		"2026-01-01T09:06:00Z [REDACTED] ([REDACTED]) asked about order 5521",
	}
	others := []string{
		"2026-01-01T09:01:00Z ticket 4412 opened by Maria Okonkwo <m.okonkwo@example.org>", // the namesake
		"2026-01-01T09:02:00Z Maria Okonkwo phoned, no email given",                        // cannot be attributed
		"2026-01-01T09:03:00Z parcel for 12 Harrow Lane returned",                          // the address alone
		"2026-01-01T09:04:00Z ticket 4413 opened by James Abernathy <person01@example.net>",
	}
	var log strings.Builder
	for i := range subjectLines {
		log.WriteString(subjectLines[i] + "\n")
		log.WriteString(others[i%len(others)] + "\n")
	}
	log.WriteString(others[3] + "\n")
	e.write(t, "support.log", log.String())

	s, id, plan, kinds, steps := e.plan(t, "maria.o@example.net")
	require.Equal(t, 1, kinds["email"], "identifiers %+v", plan.Identifiers)
	require.Equal(t, int64(3), steps["lake/support.log"], "steps %v", steps)
	comp := map[string]int{}
	for _, c := range plan.Companions {
		comp[c.Kind] = c.Count
		for _, m := range c.Masked {
			require.NotContains(t, m, "Okonkwo", "a companion is shown unmasked")
		}
	}
	require.Equal(t, map[string]int{"person_name": 1, "postal_address": 1}, comp, "companions %+v", plan.Companions)
	run(t, s, id)

	// Independent check of the bytes: the subject's lines are redacted
	// exactly, every other line is as it was.
	got := strings.Split(strings.TrimSuffix(e.read(t, "support.log"), "\n"), "\n")
	var wantAll []string
	for i := range subjectLines {
		wantAll = append(wantAll, want[i], others[i%len(others)])
	}
	wantAll = append(wantAll, others[3])
	require.Equal(t, len(wantAll), len(got))
	// Failures name lines and byte counts, never the (synthetic) names.
	for i := range wantAll {
		if wantAll[i] != got[i] {
			t.Fatalf("line %d: %d bytes, want the %d bytes expected", i+1, len(got[i]), len(wantAll[i]))
		}
	}
	raw := e.read(t, "support.log")
	if strings.Contains(raw, "maria.o@example.net") || strings.Count(raw, "Maria Okonkwo") != 2 {
		t.Fatal("the subject's email is left, or the name is left beside it, or a namesake's name was redacted")
	}
}
