package scanner_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

func TestSelector(t *testing.T) {
	tests := []struct {
		include, exclude []string
		name             string
		want             bool
	}{
		{nil, nil, "anything/at/all.csv", true},
		{[]string{"public.*"}, nil, "public.users", true},
		{[]string{"public.*"}, nil, "main.users", false},
		{[]string{"*.csv"}, nil, "a/b.csv", false},
		{[]string{"**/*.csv"}, nil, "a/b.csv", true},
		{[]string{"**/*.csv"}, nil, "b.csv", true},
		{[]string{"logs/**"}, nil, "logs/2024/app.log", true},
		{[]string{"data?.json"}, nil, "data1.json", true},
		{[]string{"data?.json"}, nil, "data/.json", false},
		{[]string{"[ab].csv"}, nil, "a.csv", true},
		{[]string{"[!ab].csv"}, nil, "a.csv", false},
		{nil, []string{"tmp.*"}, "tmp.x", false},
		{[]string{"*"}, []string{"secret*"}, "secret_table", false},
		{[]string{"a.b"}, nil, "aXb", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.include, ",")+"-"+strings.Join(tt.exclude, ",")+"-"+tt.name, func(t *testing.T) {
			s, err := scanner.NewSelector(tt.include, tt.exclude)
			require.NoError(t, err)
			assert.Equal(t, tt.want, s.Match(tt.name))
		})
	}
	_, err := scanner.NewSelector([]string{"[oops"}, nil)
	assert.ErrorIs(t, err, piimap.ErrConfig)
}

func TestRedactURL(t *testing.T) {
	tests := map[string]string{
		"postgres://bob:hunter2@db:5432/app?sslmode=disable":      "postgres://bob:xxxxx@db:5432/app?sslmode=disable",
		"s3://lake/x?endpoint=http://h:1&secret_key=abc&region=e": "s3://lake/x?endpoint=http%3A%2F%2Fh%3A1&region=e&secret_key=xxxxx",
		"file:///data/dir":     "file:///data/dir",
		"redis://:pw@h:6379/0": "redis://:xxxxx@h:6379/0",
		// Unparseable (a bad port): userinfo and the whole query go.
		"postgres://u:hunter2@h:bad/db?sslmode=disable&password=hunter2": "postgres://xxxxx@h:bad/db?xxxxx",
	}
	for in, want := range tests {
		got := scanner.RedactURL(in)
		assert.Equal(t, want, got)
		assert.NotContains(t, got, "hunter2")
	}
}

func TestReservoirReproducibleAndNotHead(t *testing.T) {
	draw := func(seed int64) []int {
		s := scanner.Sample{Rows: 50, Seed: seed}
		r := scanner.NewReservoir[int](50, s.Rand("unit"))
		for i := range 10000 {
			r.Offer(func() int { return i })
		}
		return r.Items
	}
	a, b, c := draw(1), draw(1), draw(2)
	assert.Equal(t, a, b, "same seed, same sample")
	assert.NotEqual(t, a, c, "different seed, different sample")
	late := 0
	for _, v := range a {
		if v >= 5000 {
			late++
		}
	}
	assert.Greater(t, late, 10, "the sample reaches the second half of the stream")
	assert.Less(t, late, 40)
}

func TestSampleDefaults(t *testing.T) {
	assert.Equal(t, scanner.Sample{Rows: 200, Seed: 7}, scanner.DefaultSample(scanner.SampleConfig{Seed: 7}))
	assert.Equal(t, 2000, scanner.MaxRows(scanner.SampleConfig{}))
	assert.Equal(t, 5000, scanner.MaxRows(scanner.SampleConfig{Rows: 5000, MaxRows: 10}))
}

func TestFlattenJSON(t *testing.T) {
	doc := `{"id":7,"payload":{"user":{"email":"a@x.test","tags":["t1","t2"]}},"items":[{"sku":"S-1"},{"sku":"S-2","qty":2}],"ok":true,"none":null}`
	var v any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v))
	var got []string
	scanner.FlattenJSON("", v, func(p, val string) { got = append(got, p+"="+val) })
	assert.Equal(t, []string{
		"id=7", "items[].sku=S-1", "items[].qty=2", "items[].sku=S-2", "ok=true",
		"payload.user.email=a@x.test", "payload.user.tags[]=t1", "payload.user.tags[]=t2",
	}, got)
}

func FuzzFlattenJSON(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `"x"`, `{"a":[1,[2,{"b":null}]]}`, `{"a.b":{"":3}}`, `[[["deep"]]]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			return
		}
		scanner.FlattenJSON("", v, func(p, val string) {
			if p == "" {
				t.Fatalf("empty path for %q", s)
			}
		})
	})
}

func TestMergeFindings(t *testing.T) {
	loc := piimap.Location{Store: "s", Name: "a"}
	dst := scanner.MergeFindings(nil, []piimap.Finding{{Loc: loc, Type: "email", Hits: 2, Sampled: 10, Confidence: 0.5, Evidence: []string{"x"}}})
	dst = scanner.MergeFindings(dst, []piimap.Finding{
		{Loc: loc, Type: "email", Hits: 3, Sampled: 10, Confidence: 0.8, RuleID: "r2", Evidence: []string{"x", "y"}},
		{Loc: loc, Type: "phone", Hits: 1, Sampled: 10, Confidence: 0.4},
	})
	require.Len(t, dst, 2)
	assert.Equal(t, 5, dst[0].Hits)
	assert.Equal(t, 20, dst[0].Sampled)
	assert.InDelta(t, 0.68, dst[0].Confidence, 1e-9, "hit-weighted mean")
	assert.Equal(t, "r2", dst[0].RuleID)
	assert.Equal(t, []string{"x", "y"}, dst[0].Evidence)
}

func TestLooksLikeText(t *testing.T) {
	assert.True(t, scanner.LooksLikeText([]string{"user a@x.test logged in from the office today", "password reset requested by the user via email link"}))
	assert.False(t, scanner.LooksLikeText([]string{"a@x.test", "b@y.test"}))
	assert.False(t, scanner.LooksLikeText(nil))
}

func TestScrubError(t *testing.T) {
	base := fmt.Errorf(`parquet: invalid magic footer "2@ex" in /data/lake/x.parquet: %w`, piimap.ErrCorrupt)
	err := scanner.ScrubError(base, "/data/lake")
	assert.Equal(t, `parquet: invalid magic footer "…" in x.parquet: corrupt input`, err.Error())
	assert.ErrorIs(t, err, piimap.ErrCorrupt)
	plain := errors.New("line 3: bad")
	assert.Same(t, plain, scanner.ScrubError(plain))
	assert.Nil(t, scanner.ScrubError(nil))
	assert.Equal(t, `cast "…" failed`, scanner.ScrubError(errors.New(`cast 'ann@x.test' failed`)).Error())
}
