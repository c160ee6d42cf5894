package scannertest

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Open opens cfg through the scanner registry, checks that its URL selects
// the store kind, and closes the source when the test ends.
func Open(t testing.TB, cfg scanner.StoreConfig, kind string) scanner.Source {
	t.Helper()
	src, got, err := scanner.Open(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, kind, got)
	t.Cleanup(func() {
		if c, ok := src.(scanner.Closer); ok {
			_ = c.Close()
		}
	})
	return src
}

// Units enumerates src and returns its units by name.
func Units(t testing.TB, src scanner.Source) map[string]piimap.Unit {
	t.Helper()
	out := map[string]piimap.Unit{}
	require.NoError(t, src.Enumerate(context.Background(), func(u piimap.Unit) error { out[u.Loc.Name] = u; return nil }))
	return out
}

// SampleFields reads sample s of unit u and returns one record per field:
// the last record emitted for it, with the values of all its records.
func SampleFields(t testing.TB, src scanner.Source, u piimap.Unit, s scanner.Sample) map[string]piimap.Record {
	t.Helper()
	out := map[string]piimap.Record{}
	require.NoError(t, src.(scanner.Sampler).ReadSample(context.Background(), u, s, func(r piimap.Record) error {
		prev := out[r.Loc.Field]
		r.Values = append(prev.Values, r.Values...)
		out[r.Loc.Field] = r
		return nil
	}))
	return out
}

// FieldNames returns the fields of records read by SampleFields, sorted.
func FieldNames(recs map[string]piimap.Record) []string {
	return slices.Sorted(maps.Keys(recs))
}

// WithParams returns the URL raw with query parameters set from key, value
// pairs.
func WithParams(raw string, kv ...string) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}
