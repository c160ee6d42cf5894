package scanner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/piimap/piimap"
)

func TestOldestValue(t *testing.T) {
	for _, tc := range []struct {
		field, sqlType string
		values         []string
		findings       []piimap.Finding
		want           string
	}{
		{"created_at", "TIMESTAMP", []string{"2025-03-04 10:11:12", "2024-01-02 03:04:05.123456", ""}, nil, "2024-01-02T00:00:00Z"},
		{"updated", "", []string{"2025-03-04T10:11:12Z", "2023-06-30T23:59:59+02:00"}, nil, "2023-06-30T00:00:00Z"},
		{"event_time", "timestamp with time zone", []string{"2024-05-06 07:08:09+00"}, nil, "2024-05-06T00:00:00Z"},
		{"ts", "", []string{"1700000000", "1600000000000"}, nil, "2020-09-13T00:00:00Z"},
		{"payload.meta.logged_at", "", []string{"2022-02-02"}, nil, "2022-02-02T00:00:00Z"},
		{"signup_date", "DATE", []string{"2021-01-01"}, nil, "2021-01-01T00:00:00Z"}, // typed column: any name but birth/expiry
		// Not record-time columns, or not timestamps.
		{"birth_date", "DATE", []string{"1980-01-01"}, nil, ""},
		{"dob", "", []string{"1980-01-01"}, nil, ""},
		{"expires_at", "TIMESTAMP", []string{"2020-01-01 00:00:00"}, nil, ""},
		{"email", "VARCHAR", []string{"2020-01-01"}, nil, ""},
		{"created_at", "", []string{"yesterday", "soon", "2020-01-01"}, nil, ""}, // most values do not parse
		{"date", "", []string{"1980-01-01"}, []piimap.Finding{{Type: piimap.TypeDateOfBirth}}, ""},
		{"created_at", "", []string{"2999-01-01"}, nil, ""}, // the future is no age
	} {
		var o oldestValue
		o.add(tc.field, map[string]string{piimap.MetaSQLType: tc.sqlType}, tc.values)
		assert.Equal(t, tc.want, o.attr(tc.findings), "%s %v", tc.field, tc.values)
	}
	// Samples accumulate across records of one field.
	var o oldestValue
	o.add("created_at", nil, []string{"2025-01-01"})
	o.add("created_at", nil, []string{"2019-07-08"})
	got, err := time.Parse(time.RFC3339, o.attr(nil))
	assert.NoError(t, err)
	assert.Equal(t, 2019, got.Year())
}

// FuzzParseTimestamp: no input panics the timestamp reader, and what it
// accepts round-trips through RFC 3339.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2024-01-02 03:04:05+00", "1700000000", "1600000000000", "2024-01-02", "2024-13-01", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		ts, ok := parseTimestamp(v)
		if !ok {
			return
		}
		if _, err := time.Parse(time.RFC3339, ts.UTC().Truncate(time.Second).Format(time.RFC3339)); err != nil && ts.Year() >= 0 && ts.Year() <= 9999 {
			t.Fatalf("%q: %v", v, err)
		}
	})
}
