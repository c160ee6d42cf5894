package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
	rs "github.com/piimap/piimap/scanner/redis"
)

// A fake, distinctive SSN held only by the erased keys.
const purgeSSN = "SSN-078-05-1120-PURGE"

func TestPurgeReportFromPersistence(t *testing.T) {
	now := time.Now().Unix()
	info := map[string]string{"rdb_last_save_time": strconvI(now), "rdb_changes_since_last_save": "5"}
	cases := []struct {
		name  string
		p     persistState
		state string
		has   string
		at    time.Duration // from now, for pending with a date; -1: no date
	}{
		{"memory only", persistState{info: info}, driver.PurgeGone, "no RDB save points and no AOF", -1},
		{"aof rewritten", persistState{aof: true, aofDone: true, info: info}, driver.PurgeGone, "BGREWRITEAOF rewrote the AOF", -1},
		{"aof not rewritten", persistState{aof: true, aofWhy: "BGREWRITEAOF refused: x", info: info}, driver.PurgeException, "did not complete", -1},
		{"rdb", persistState{save: "3600 1 300 100 60 10000", info: info}, driver.PurgePending, "RDB on disk until the next rewrite", time.Hour},
		{"rdb many changes", persistState{save: "3600 1 300 100 60 10000", info: map[string]string{"rdb_last_save_time": strconvI(now), "rdb_changes_since_last_save": "150"}}, driver.PurgePending, "next save", 300 * time.Second},
		{"rdb unknown", persistState{save: "3600 1", info: map[string]string{}}, driver.PurgePending, "cannot be derived", -1},
	}
	for _, c := range cases {
		r := c.p.report()
		require.Equal(t, c.state, r.State, c.name)
		require.Contains(t, r.Detail, c.has, c.name)
		if c.at < 0 {
			require.Nil(t, r.At, c.name)
			continue
		}
		require.NotNil(t, r.At, c.name)
		require.WithinDuration(t, time.Unix(now, 0).Add(c.at), *r.At, time.Second, c.name)
	}
	// Overdue: the snapshot is due now, i.e. at the clock's second when
	// nextSave ran (bracketed, so no tolerance depends on the machine's speed).
	before := time.Now().Truncate(time.Second)
	at, ok := nextSave("60 1", map[string]string{"rdb_last_save_time": strconvI(now - 3600), "rdb_changes_since_last_save": "0"})
	after := time.Now()
	require.True(t, ok)
	require.False(t, at.Before(before) || at.After(after), "due at %v, want within [%v, %v]", at, before, after)
}

func strconvI(i int64) string { return strconv.FormatInt(i, 10) }

func TestPurgeOnServer(t *testing.T) {
	u := os.Getenv("PIIMAP_TEST_REDIS")
	if u == "" {
		t.Skip("PIIMAP_TEST_REDIS is not set: skipping the Redis purge integration test (.ci/run sets it)")
	}
	ctx := context.Background()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "piimaptest:purge" + hex.EncodeToString(b[:]) + ":"
	c, _, err := rs.Open(ctx, u)
	require.NoError(t, err)
	defer c.Close()
	t.Cleanup(func() {
		_ = rs.ScanKeys(ctx, c, prefix+"*", 1000, func(keys []string) error { return c.Del(ctx, keys...).Err() })
	})
	require.NoError(t, c.HSet(ctx, prefix+"user:1", "email", "victim@example.com", "ssn", purgeSSN).Err())
	require.NoError(t, c.HSet(ctx, prefix+"user:2", "email", "bystander@example.com", "ssn", "zz2").Err())
	hh, err := Open(ctx, scanner.StoreConfig{Name: "cache", URL: u + "?match=" + prefix + "*"}, driver.HandlerOptions{MaskKey: []byte("k")})
	require.NoError(t, err)
	h := hh.(*Handler)
	defer h.Close()
	tg := driver.Target{Asset: prefix + "user:*", Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "email", Kind: "email", Values: []string{"victim@example.com"}}}}
	_, err = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	require.NoError(t, err)
	reps, err := h.Purge(ctx, []driver.Target{tg, tg})
	require.NoError(t, err)
	require.Len(t, reps, 1)
	require.Equal(t, tg.Asset, reps[0].Asset)

	// Independent check: the server's own persistence settings decide the
	// expected state, and no key of the prefix holds the value in memory.
	save, err := c.ConfigGet(ctx, "save").Result()
	require.NoError(t, err)
	aof, err := c.ConfigGet(ctx, "appendonly").Result()
	require.NoError(t, err)
	switch {
	case strings.TrimSpace(save["save"]) == "" && aof["appendonly"] == "no":
		require.Equal(t, driver.PurgeGone, reps[0].State, reps[0].Detail)
	case strings.TrimSpace(save["save"]) != "":
		require.Equal(t, driver.PurgePending, reps[0].State, reps[0].Detail)
	}
	var held int
	require.NoError(t, rs.ScanKeys(ctx, c, prefix+"*", 1000, func(keys []string) error {
		for _, k := range keys {
			vals, err := c.HVals(ctx, k).Result()
			if err != nil {
				return err
			}
			for _, v := range vals {
				if strings.Contains(v, purgeSSN) {
					held++
				}
			}
		}
		return nil
	}))
	require.Zero(t, held, "a key still holds the erased value in memory")
	n, err := c.Exists(ctx, prefix+"user:2").Result()
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "bystander")
}
