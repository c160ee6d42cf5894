package sqlkit_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
)

// fake renders every dialect step as a visible function call, so a test
// reads which transformations Where chose for a kind of match. Columns
// named "n" are integers, compared typed.
type fake struct{ args []any }

func (*fake) Text(c string) string           { return "text(" + c + ")" }
func (*fake) Trim(x string) string           { return "trim(" + x + ")" }
func (*fake) Lower(x string) string          { return "lower(" + x + ")" }
func (*fake) Upper(x string) string          { return "upper(" + x + ")" }
func (*fake) Strip(x, keep string) string    { return "strip(" + x + ", " + keep + ")" }
func (*fake) Exact(x string) string          { return "exact(" + x + ")" }
func (f *fake) Matches(x, pat string) string { f.args = append(f.args, pat); return x + " ~ ?" }
func (f *fake) In(x string, vals []string) string {
	f.args = append(f.args, vals)
	return x + " IN ?"
}
func (f *fake) Typed(c string, vals []string) (string, bool) {
	if c != "n" {
		return "", false
	}
	ints := sqlkit.CanonicalInts(vals)
	if len(ints) == 0 {
		return "", true
	}
	f.args = append(f.args, ints)
	return c + " =int ?", true
}

func TestWhere(t *testing.T) {
	email := identifier.EmailTokenPattern([]string{"ann@example.com"})
	cases := []struct {
		name string
		ms   []driver.Match
		want string
		args []any
	}{
		{"email: trimmed lower-cased equal, or a token",
			[]driver.Match{{Field: "c", Kind: piimap.KeyEmail, Values: []string{"Ann@Example.com"}}},
			"(exact(lower(trim(text(c)))) IN ? OR exact(lower(text(c))) ~ ?)",
			[]any{[]string{"ann@example.com"}, email}},
		{"card: by digits, or a number run in the text",
			[]driver.Match{{Field: "c", Kind: identifier.Card, Values: []string{"4111111111111111"}}},
			"(strip(text(c), 0-9) IN ? OR exact(text(c)) ~ ?)",
			[]any{[]string{"4111111111111111"}, identifier.NumberTokenPattern(identifier.Card, []string{"4111111111111111"})}},
		{"iban: upper-cased letters and digits, or a run in the text",
			[]driver.Match{{Field: "c", Kind: identifier.IBAN, Values: []string{"GB82WEST12345698765432"}}},
			"(upper(strip(text(c), A-Za-z0-9)) IN ? OR exact(text(c)) ~ ?)",
			[]any{[]string{"GB82WEST12345698765432"}, identifier.NumberTokenPattern(identifier.IBAN, []string{"GB82WEST12345698765432"})}},
		{"nino: as an IBAN, the value's key (spaced, lower case)",
			[]driver.Match{{Field: "c", Kind: identifier.NINO, Values: []string{"ab 12 34 56 c"}}},
			"(upper(strip(text(c), A-Za-z0-9)) IN ? OR exact(text(c)) ~ ?)",
			[]any{[]string{"AB123456C"}, identifier.NumberTokenPattern(identifier.NINO, []string{"AB123456C"})}},
		{"key on a text column: exact trimmed text",
			[]driver.Match{{Field: "c", Kind: driver.KindKey, Values: []string{"u-1"}}},
			"(exact(trim(text(c))) IN ?)",
			[]any{[]string{"u-1"}}},
		{"key on an integer column: typed, canonical values only",
			[]driver.Match{{Field: "n", Kind: driver.KindKey, Values: []string{"42", "042", "x"}}},
			"(n =int ?)",
			[]any{[]int64{42}}},
		{"key on an integer column without an integer value: nothing",
			[]driver.Match{{Field: "n", Kind: driver.KindKey, Values: []string{"x"}}},
			"FALSE", nil},
		{"no values: nothing",
			[]driver.Match{{Field: "c", Kind: piimap.KeyEmail, Values: []string{"not an email"}}},
			"FALSE", nil},
		{"no matches: nothing", nil, "FALSE", nil},
		{"matches are ORed in order; a refused SSN adds no text clause",
			[]driver.Match{{Field: "n", Kind: driver.KindKey, Values: []string{"7"}}, {Field: "c", Kind: identifier.SSN, Values: []string{"123456789"}}},
			"(n =int ? OR strip(text(c), 0-9) IN ?)",
			[]any{[]int64{7}, []string{"123456789"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := &fake{}
			got, err := sqlkit.Where[string]("fake", d, c.ms, func(f string) (string, error) { return f, nil })
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Where = %s\n want %s", got, c.want)
			}
			if !reflect.DeepEqual(d.args, c.args) {
				t.Errorf("args = %#v\n want %#v", d.args, c.args)
			}
		})
	}
}

func TestWherePhone(t *testing.T) {
	d := &fake{}
	m := driver.Match{Field: "c", Kind: piimap.KeyPhone, Values: []string{"+442079460000"}, Region: "GB"}
	got, err := sqlkit.Where[string]("fake", d, []driver.Match{m}, func(f string) (string, error) { return f, nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := "(strip(text(c), 0-9+) IN ? OR exact(text(c)) ~ ?)"; got != want {
		t.Fatalf("Where = %s, want %s", got, want)
	}
	if forms := identifier.PhoneCellForms(m.Values, m.Region); !reflect.DeepEqual(d.args[0], forms) {
		t.Errorf("cell forms %v, want %v", d.args[0], forms)
	}
	if pat := identifier.PhoneTokenPattern(m.Values, m.Region); d.args[1] != pat {
		t.Errorf("token pattern %v, want %v", d.args[1], pat)
	}
}

func TestWhereErrors(t *testing.T) {
	d := &fake{}
	_, err := sqlkit.Where[string]("fake", d, []driver.Match{{Kind: piimap.KeyEmail, Values: []string{"a@b.c"}}},
		func(f string) (string, error) { return f, nil })
	if !errors.Is(err, piimap.ErrUnsupported) || !strings.HasPrefix(err.Error(), "fake: ") {
		t.Errorf("a match without a field: %v", err)
	}
	colErr := fmt.Errorf("field x: no such column: %w", piimap.ErrNotFound)
	_, err = sqlkit.Where[string]("fake", d, []driver.Match{{Field: "x", Kind: piimap.KeyEmail, Values: []string{"a@b.c"}}},
		func(string) (string, error) { return "", colErr })
	if !errors.Is(err, piimap.ErrNotFound) {
		t.Errorf("a column error: %v", err)
	}
}

func TestCanonicalInts(t *testing.T) {
	got := sqlkit.CanonicalInts([]string{"0", "42", "-7", "042", "+1", " 1", "1.0", "9223372036854775808", "x"})
	if want := []int64{0, 42, -7}; !reflect.DeepEqual(got, want) {
		t.Fatalf("CanonicalInts = %v, want %v", got, want)
	}
}

func TestInList(t *testing.T) {
	vals := []string{"a", "b", "c", "d", "e"}
	cases := []struct {
		chunk int
		sep   string
		vals  []string
		want  string
	}{
		{0, ", ", vals, "x IN (?, ?, ?, ?, ?)"},
		{5, ",", vals, "x IN (?,?,?,?,?)"},
		{2, ",", vals, "x IN (?,?) OR x IN (?,?) OR x IN (?)"},
		{1, ",", vals[:2], "x IN (?) OR x IN (?)"},
		{3, ",", nil, ""},
	}
	for _, c := range cases {
		got, args := sqlkit.InList("x", c.vals, c.chunk, c.sep)
		if got != c.want {
			t.Errorf("InList(chunk %d) = %s, want %s", c.chunk, got, c.want)
		}
		if len(args) != len(c.vals) || strings.Count(got, "?") != len(args) {
			t.Errorf("InList(chunk %d): %d args for %d values, %d placeholders", c.chunk, len(args), len(c.vals), strings.Count(got, "?"))
		}
		for i, a := range args {
			if a != c.vals[i] {
				t.Errorf("InList(chunk %d): arg %d = %v, want %v", c.chunk, i, a, c.vals[i])
			}
		}
	}
}
