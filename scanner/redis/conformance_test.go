package redis_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"testing"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/scanner"
	piiredis "github.com/piimap/piimap/scanner/redis"
	"github.com/piimap/piimap/scanner/scannertest"
)

// harness stores each fixture table row as a hash `<prefix><table>:<id>`
// on the real server. Redis holds no free-text objects, so the text
// fixture is not materialised.
type harness struct {
	prefix string
	c      *goredis.Client
}

func (h *harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	h.prefix, h.c = newPrefix(t)
	ctx := context.Background()
	pipe := h.c.Pipeline()
	for _, tb := range fx.Tables {
		for _, row := range tb.Rows {
			var kv []any
			for i, col := range tb.Columns {
				if row[i] != "" {
					kv = append(kv, col, row[i])
				}
			}
			pipe.HSet(ctx, h.prefix+tb.Name+":"+row[0], kv...)
		}
	}
	_, err := pipe.Exec(ctx)
	require.NoError(t, err)
	// key_fields=false: the suite checks that only the table's columns come
	// back, and the harness's key names are not part of the fixture.
	return scanner.StoreConfig{Name: "cache", URL: storeURL(t, h.prefix, "key_fields=false")}
}

func (h *harness) Asset(name string) (string, bool) {
	if name == "people" {
		return h.prefix + name + ":*", true
	}
	return "", false
}

// Checksum digests every key under the prefix: name, DUMP serialisation
// and whether it expires.
func (h *harness) Checksum(t *testing.T, _ scanner.StoreConfig) string {
	ctx := context.Background()
	var keys []string
	require.NoError(t, piiredis.ScanKeys(ctx, h.c, h.prefix+"*", 1000, func(ks []string) error {
		keys = append(keys, ks...)
		return nil
	}))
	sort.Strings(keys)
	keys = compact(keys)
	sum := sha256.New()
	for _, k := range keys {
		dump, err := h.c.Dump(ctx, k).Result()
		require.NoError(t, err)
		ttl, err := h.c.PTTL(ctx, k).Result()
		require.NoError(t, err)
		fmt.Fprintf(sum, "%s\x00%x\x00%v\n", k, dump, ttl > 0)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

func compact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	scannertest.RunConformance(t, &harness{})
}
