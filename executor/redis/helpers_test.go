package redis_test

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
	exredis "github.com/piimap/piimap/executor/redis"
	"github.com/piimap/piimap/scanner"
	rs "github.com/piimap/piimap/scanner/redis"
)

const envURL = "PIIMAP_TEST_REDIS"

func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the Redis integration test (e.g. %s=redis://127.0.0.1:6379/0; .ci/run sets it)", envURL, envURL)
	}
	return u
}

// newPrefix returns a unique key prefix and a client; the prefix's keys are
// deleted when the test ends (never FLUSHDB: the server is shared).
func newPrefix(t testing.TB) (string, *goredis.Client) {
	t.Helper()
	c, _, err := rs.Open(context.Background(), serverURL(t))
	require.NoError(t, err)
	const letters = "ghjkmnpqrstvwxyz"
	var b [10]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	prefix := "piimaptest:" + string(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		_ = rs.ScanKeys(ctx, c, prefix+"*", 1000, func(keys []string) error { return c.Del(ctx, keys...).Err() })
		c.Close()
	})
	return prefix, c
}

func openHandler(t testing.TB, prefix string, readOnly bool) *exredis.Handler {
	t.Helper()
	h, err := exredis.Open(context.Background(), scanner.StoreConfig{Name: "cache", URL: serverURL(t) + "?match=" + prefix + "*"},
		driver.HandlerOptions{ReadOnly: readOnly, MaskKey: []byte("test-mask-key")})
	require.NoError(t, err)
	return h.(*exredis.Handler)
}

func emailMatch(field string, emails ...string) []driver.Match {
	return []driver.Match{{Field: field, Kind: "email", Values: emails}}
}
