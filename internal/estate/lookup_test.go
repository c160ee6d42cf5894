package estate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLookupPeople(t *testing.T) {
	a := lookupPeople(300, 10, 4)
	require.Equal(t, a, lookupPeople(300, 10, 4), "same seed, same people")
	require.NotEqual(t, a[0].Email, lookupPeople(300, 10, 5)[0].Email, "another seed, other people")
	emails := map[string]bool{}
	for _, p := range a {
		require.False(t, emails[p.Email], "email %s is unique", p.Email)
		emails[p.Email] = true
		require.NotEmpty(t, p.UserID)
		require.NotEmpty(t, p.Phone)
		require.Contains(t, p.Name, " ")
		require.NotEmpty(t, p.Days)
		require.Len(t, p.Quarters, len(p.Days))
		for i, d := range p.Days {
			require.True(t, d >= 0 && d < 10, "day %d", d)
			require.True(t, p.Quarters[i] >= 0 && p.Quarters[i] < 4)
		}
	}
	// active puts each person in the slot of each of their days, once.
	n := 0
	for d, qs := range active(a, 10) {
		for q, ps := range qs {
			for _, p := range ps {
				i := slices.Index(p.Days, d)
				require.GreaterOrEqual(t, i, 0)
				require.Equal(t, q, p.Quarters[i])
				n++
			}
		}
	}
	total := 0
	for _, p := range a {
		total += len(p.Days)
	}
	require.Equal(t, total, n)
}

// TestWriteLog: a slot's log is about the size asked and names every
// active person on 3 to 6 lines.
func TestWriteLog(t *testing.T) {
	ps := lookupPeople(20, 1, 1)
	s := slot{day: 0, quarter: 2}
	for i := range ps {
		s.people = append(s.people, &ps[i])
	}
	var b bytes.Buffer
	require.NoError(t, writeLog(&b, rand.New(rand.NewPCG(1, 2)), s, 50_000, authLine))
	require.GreaterOrEqual(t, b.Len(), 50_000)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for _, p := range ps {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, p.Email) || strings.Contains(l, "uid="+p.UserID) {
				n++
			}
		}
		require.True(t, n >= 3 && n <= 6, "%s on %d lines", p.Email, n)
	}
	for _, l := range lines {
		require.True(t, strings.HasPrefix(l, "2026-09-01T"), "stamped with the slot's day: %q", l)
	}
	b.Reset()
	require.NoError(t, writeEvents(&b, rand.New(rand.NewPCG(1, 3)), s, 20_000))
	for _, l := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		require.True(t, json.Valid([]byte(l)), "event is JSON: %q", l)
	}
}

func TestGenerateLookupValidates(t *testing.T) {
	_, err := GenerateLookup(context.Background(), LookupOptions{Dir: t.TempDir(), Users: 0, Days: 1})
	require.ErrorContains(t, err, "users and days")
	_, err = GenerateLookup(context.Background(), LookupOptions{Dir: t.TempDir(), Users: 1, Days: 1})
	require.ErrorContains(t, err, "exists", "an existing directory is refused")
}

// TestGenerateLookup writes a small lookup estate on the loopback servers
// and removes it again.
func TestGenerateLookup(t *testing.T) {
	for _, v := range []string{"PIIMAP_TEST_POSTGRES", "PIIMAP_TEST_MYSQL", "PIIMAP_TEST_REDIS", "PIIMAP_TEST_NATS", "PIIMAP_TEST_S3"} {
		if os.Getenv(v) == "" {
			t.Skipf("%s is unset", v)
		}
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "lkb")
	var progress bytes.Buffer
	st, err := GenerateLookup(ctx, LookupOptions{Dir: dir, Bytes: 400_000, Users: 40, Days: 2, Seed: 3, Progress: &progress})
	if st != nil || err != nil {
		defer func() { require.NoError(t, CleanLookup(ctx, dir)) }()
	}
	require.NoError(t, err)
	require.Contains(t, progress.String(), "estate of")
	require.Positive(t, st.Bytes)
	raw, err := os.ReadFile(filepath.Join(dir, "state.json"))
	require.NoError(t, err)
	var saved LookupState
	require.NoError(t, json.Unmarshal(raw, &saved))
	require.Equal(t, *st, saved)
	raw, err = os.ReadFile(st.People)
	require.NoError(t, err)
	var ps []LookupPerson
	require.NoError(t, json.Unmarshal(raw, &ps))
	require.Equal(t, lookupPeople(40, 2, 3), ps)
	cfg, err := os.ReadFile(st.Config)
	require.NoError(t, err)
	for _, name := range []string{"logs", "lake", "app", "crm", "wh", "cache", "events"} {
		require.Contains(t, string(cfg), "- name: "+name+"\n")
	}
	// Every active person is in their slot's auth log.
	for _, p := range ps[:5] {
		log, err := os.ReadFile(filepath.Join(dir, "lake", "logs", "auth", dayName(p.Days[0]),
			fmt.Sprintf("auth-%s-%d.log", dayName(p.Days[0]), p.Quarters[0])))
		require.NoError(t, err)
		require.True(t, strings.Contains(string(log), p.Email) || strings.Contains(string(log), p.UserID), p.Email)
	}
}
