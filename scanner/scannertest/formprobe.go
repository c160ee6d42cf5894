package scannertest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/fingerprint"
	"github.com/piimap/piimap/scanner"
)

// FormProbeColumns are the columns of the table a FormProber's store
// creates for CheckFormProbes, by name: each holds values of one PII type
// written the ways stores hold them, with values the type's normaliser
// refuses among them. A column shorter than the longest is padded with
// NULLs. Every value is fake.
var FormProbeColumns = []struct {
	Name, Type string
	Values     []string
}{
	{"email", piimap.TypeEmail, []string{
		"Ann.Lee@Example.COM", "  bob@example.org ", "mailto:Carl@Example.net", "<dana@example.com>",
		"MAILTO:<erin@example.com> ", "mailto: <fay@example.com>", "two@at@example.com", "\tgus@example.com\n",
		"@nolocal.example.com", "trailing@", "has space@example.com", "plain text", "ann.lee@example.com",
	}},
	{"phone", piimap.TypePhone, []string{
		"+1 (415) 555-0123", "415.555.0124", "14155550125", "(415) 555-0126 ext. 12", "415-555-0127x3",
		"0044 20 7946 0958", "+44 20 7946 0959", "020 7946 0960", "415/555/0128", "415 555 0129 # 7",
		"415-555-0130 ; main", "phone: 555", "12", "+0 123 456 789", "x415 555 0131", "415-555-0132x3 ext 4",
		"ext 415 555 0133", "4155550123",
	}},
	{"card", piimap.TypeCreditCard, []string{
		"4111 1111 1111 1111", "4111-1111-1111-1112", "4111.1111.1111.1113", "41111111111111114",
		"4111 1111 1111 111x", "123", "5500\t0000 0000 0004",
	}},
	{"ssn", piimap.TypeUSSSN, []string{"123-45-6789", "123 45 6780", "12345678", "123-45-678a"}},
	{"iban", piimap.TypeIBAN, []string{
		"GB82 WEST 1234 5698 7654 32", "de89-3704-0044-0532-0130-00", "FR14 2004 1010 0505 0001 3M02 606",
		"GB82/WEST", "   ", "nl91abna0417164300",
	}},
}

// CheckFormProbes checks a FormProber against the table u the store made
// of FormProbeColumns: for every column and every form of its type, the
// needles found are exactly the forms of the values Go's normaliser
// accepts (so the store's SQL normalises as lineage/fingerprint does, value
// by value), unrelated needles are not found, and the distinct count is
// Go's. Forms the store reports unsupported must be listed in
// unsupported.
func CheckFormProbes(t *testing.T, p scanner.FormProber, u piimap.Unit, unsupported ...string) {
	t.Helper()
	ctx := context.Background()
	for _, col := range FormProbeColumns {
		norm := fingerprint.NormalizerFor(col.Type)
		var normalised []string
		for _, v := range col.Values {
			if n, ok := norm(v); ok && !slices.Contains(normalised, n) {
				normalised = append(normalised, n)
			}
		}
		decoys := []string{"zed@nowhere.example", "+15550001111", "4000056655665556", "987654321", "GB33BUKB20201555555555"}
		needles := map[string][]string{}
		want := map[string][]string{}
		for _, form := range append([]string{fingerprint.FormPlain}, fingerprint.MaskedForms(col.Type)...) {
			add := func(n string, into ...map[string][]string) {
				f := n
				if form != fingerprint.FormPlain {
					b, ok := fingerprint.AppendForm(nil, form, n)
					if !ok {
						return
					}
					f = string(b)
				}
				f = fingerprint.SentAs(form, f) // values and base64 travel as their digest
				for _, m := range into {
					if !slices.Contains(m[form], f) {
						m[form] = append(m[form], f)
					}
				}
			}
			for _, n := range normalised {
				add(n, needles, want)
			}
			for _, d := range decoys {
				if n, ok := norm(d); ok && !slices.Contains(normalised, n) {
					add(n, needles)
				}
			}
		}
		ans, err := p.ProbeForms(ctx, u, col.Name, scanner.FormQuery{Type: col.Type, Needles: needles})
		require.NoError(t, err, col.Name)
		assert.ElementsMatch(t, unsupportedAsked(needles, unsupported), ans.Unsupported, "%s: unsupported forms", col.Name)
		for form, w := range want {
			if slices.Contains(ans.Unsupported, form) {
				continue
			}
			assert.ElementsMatch(t, w, ans.Found[form], "%s: needles found in form %q", col.Name, form)
		}
		assert.EqualValues(t, len(normalised), ans.Distinct, "%s: distinct normalised values", col.Name)
	}
	_, err := p.ProbeForms(ctx, u, "email", scanner.FormQuery{Type: piimap.TypePersonName,
		Needles: map[string][]string{fingerprint.FormPlain: {"x"}}})
	assert.ErrorIs(t, err, piimap.ErrUnsupported, "a type without an SQL normaliser")
}

func unsupportedAsked(needles map[string][]string, unsupported []string) []string {
	out := []string{}
	for _, f := range unsupported {
		if len(needles[f]) > 0 {
			out = append(out, f)
		}
	}
	return out
}

// FormProbeTableSQL is the SQL that makes table name of FormProbeColumns,
// with identifiers quoted by quote and text columns of type textType.
func FormProbeTableSQL(quote func(string) string, name, textType string) []string {
	var cols []string
	rows := 0
	for _, c := range FormProbeColumns {
		cols = append(cols, quote(c.Name)+" "+textType)
		rows = max(rows, len(c.Values))
	}
	stmts := []string{"CREATE TABLE " + quote(name) + " (" + strings.Join(cols, ", ") + ")"}
	for i := range rows {
		var vals []string
		for _, c := range FormProbeColumns {
			if i < len(c.Values) {
				vals = append(vals, "'"+strings.ReplaceAll(c.Values[i], "'", "''")+"'")
			} else {
				vals = append(vals, "NULL")
			}
		}
		stmts = append(stmts, "INSERT INTO "+quote(name)+" VALUES ("+strings.Join(vals, ", ")+")")
	}
	return stmts
}
