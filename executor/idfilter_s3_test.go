package executor_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor"
	_ "github.com/piimap/piimap/executor/s3" // s3 handler
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/s3" // s3 source
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// TestFilterLiveVersionS3 runs the live version check against a real S3
// server: an object replaced after the full scan (Ann's line added) is
// searched again although its filter rules her out, because the listing
// the s3 handler takes reports a new ETag and size; an untouched object
// stays skipped.
func TestFilterLiveVersionS3(t *testing.T) {
	b := s3test.NewBucket(t)
	b.Put(t, "lake/logs/a.log", []byte("2026-01-01T09:00:00Z INFO login ok ann@example.com\n"), nil)
	b.Put(t, "lake/logs/b.log", []byte("2026-01-02T09:00:00Z INFO login ok bob@example.com\n"), nil)
	b.Put(t, "lake/logs/c.log", []byte("2026-01-03T09:00:00Z INFO login ok cleo@example.com\n"), nil)
	e := newFilterEstate(t)
	g, err := badgerstore.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	e.g, e.stores = g, []scanner.StoreConfig{{Name: "lake", URL: b.StoreURL("lake")}}
	e.scan(t, true)

	_, skipped, steps := e.plan(t, executor.New(e.g, e.g, e.stores, withKey(executor.Options{})))
	assert.Equal(t, map[string]int64{"logs/a.log": 1}, steps)
	assert.Contains(t, skipped, "logs/b.log")
	assert.Contains(t, skipped, "logs/c.log")

	b.Put(t, "lake/logs/b.log", []byte("2026-01-02T09:00:00Z INFO login ok bob@example.com\n2026-01-02T10:00:00Z INFO login ok ann@example.com\n"), nil)
	_, skipped, steps = e.plan(t, executor.New(e.g, e.g, e.stores, withKey(executor.Options{})))
	assert.NotContains(t, skipped, "logs/b.log", "replaced since the full scan")
	assert.Equal(t, int64(1), steps["logs/b.log"])
	assert.Contains(t, skipped, "logs/c.log", "unchanged objects are still skipped")
}
