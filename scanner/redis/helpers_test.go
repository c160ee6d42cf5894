package redis_test

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	piiredis "github.com/piimap/piimap/scanner/redis"
)

const envURL = "PIIMAP_TEST_REDIS"

// serverURL returns the test server's URL or skips the test.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envURL)
	if u == "" {
		t.Skipf("%s is not set: skipping the Redis integration test (e.g. %s=redis://127.0.0.1:6379/0; .ci/run sets it)", envURL, envURL)
	}
	return u
}

// newPrefix returns a unique key prefix `piimaptest:<letters>:` and a
// client; every key under the prefix is deleted when the test ends. The
// random part uses letters that are not hex digits, so the pattern
// generaliser keeps it literal. Tests never FLUSHDB: the server is shared.
func newPrefix(t testing.TB) (string, *goredis.Client) {
	t.Helper()
	u := serverURL(t)
	c, _, err := piiredis.Open(context.Background(), u)
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
		_ = piiredis.ScanKeys(ctx, c, prefix+"*", 1000, func(keys []string) error {
			return c.Del(ctx, keys...).Err()
		})
		c.Close()
	})
	return prefix, c
}

// storeURL is the server URL limited to the prefix's keys.
func storeURL(t testing.TB, prefix string, extra string) string {
	u := serverURL(t) + "?match=" + prefix + "*"
	if extra != "" {
		u += "&" + extra
	}
	return u
}
