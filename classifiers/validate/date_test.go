package validate

import (
	"testing"
	"time"
)

// TestDateWritten: the calendar dates people write, in English, German,
// French and Spanish, and what is no date.
func TestDateWritten(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // yyyy-mm-dd, "" when no date
	}{
		{"1985-03-12", "1985-03-12"},
		{"12/03/1985", "1985-03-12"},
		{"16.12.1953", "1953-12-16"},
		{"12 March 1985", "1985-03-12"},
		{"March 12, 1985", "1985-03-12"},
		{"6. Oktober 1943", "1943-10-06"},
		{"3. März 1970", "1970-03-03"},
		{"3. Maerz 1970", "1970-03-03"},
		{"12 Okt. 1970", "1970-10-12"},
		{"17 janvier 1957", "1957-01-17"},
		{"1er mai 1959", "1959-05-01"},
		{"28 février 1960", "1960-02-28"},
		{"15 août 1961", "1961-08-15"},
		{"2 janv. 1962", "1962-01-02"},
		{"4 de mayo de 1980", "1980-05-04"},
		{"31 de diciembre de 1999", "1999-12-31"},
		{"30 février 1960", ""},
		{"12 Widgets 1985", ""},
		{"4 de de 1980", ""},
		{"1st mai 1959", ""},
		{"12 mayo", ""},
	} {
		got, ok := Date(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("Date(%q) = %s, want no date", tc.in, got.Format(time.DateOnly))
			}
			continue
		}
		if !ok || got.Format(time.DateOnly) != tc.want {
			t.Errorf("Date(%q) = %s, %v; want %s", tc.in, got.Format(time.DateOnly), ok, tc.want)
		}
	}
}
