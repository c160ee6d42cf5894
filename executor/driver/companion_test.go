package driver_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/executor/driver"
)

func TestLineSpansCompanions(t *testing.T) {
	email := driver.Match{Kind: "email", Values: []string{"maria.o@example.net"}}
	name := driver.Match{Kind: driver.KindPersonName, Values: []string{"Maria Okonkwo-Adé"}}
	addr := driver.Match{Kind: driver.KindPostalAddress, Values: []string{"221B Baker Street"}}
	solo := driver.Match{Kind: driver.KindPersonName, Values: []string{"Will"}}
	cut := func(line string, sps []driver.Span) []string {
		var out []string
		for _, sp := range sps {
			out = append(out, line[sp.Start:sp.End])
		}
		return out
	}
	for _, tc := range []struct {
		name, line string
		comp       []driver.Match
		want       []string
	}{
		{"name and email", "ticket opened by Maria Okonkwo-Adé <maria.o@example.net>", []driver.Match{name},
			[]string{"Maria Okonkwo-Adé", "maria.o@example.net"}},
		{"any case, whole phrase", "MARIA OKONKWO-ADÉ maria.o@example.net", []driver.Match{name},
			[]string{"MARIA OKONKWO-ADÉ", "maria.o@example.net"}},
		{"surname alone, capitalised", "Ms Okonkwo-Adé called from maria.o@example.net", []driver.Match{name},
			[]string{"Okonkwo-Adé", "maria.o@example.net"}},
		{"given name in lower case is a word", "maria.o@example.net: maria called", []driver.Match{name},
			[]string{"maria.o@example.net"}},
		{"part of a longer word is not the name", "maria.o@example.net Mariana Okonkwoski", []driver.Match{name},
			[]string{"maria.o@example.net"}},
		{"a namesake's line is left alone", "ticket opened by Maria Okonkwo-Adé <other@example.org>", []driver.Match{name}, nil},
		{"the name alone is left alone", "Maria Okonkwo-Adé phoned", []driver.Match{name}, nil},
		{"address whole", "ship to 221B  Baker Street, London for maria.o@example.net", []driver.Match{addr},
			[]string{"221B  Baker Street", "maria.o@example.net"}},
		{"address part is not the address", "Baker Street office, maria.o@example.net", []driver.Match{addr},
			[]string{"maria.o@example.net"}},
		{"one-word name needs a capital", "maria.o@example.net will call; Will said", []driver.Match{solo},
			[]string{"maria.o@example.net", "Will"}},
		{"no companions", "Maria Okonkwo-Adé maria.o@example.net", nil, []string{"maria.o@example.net"}},
		{"a cell of prose is no name", "Please Call Back About The Refund, maria.o@example.net",
			[]driver.Match{{Kind: driver.KindPersonName, Values: []string{"Please Call Back About The Refund Before Friday Or We Will Close The Account"}}},
			[]string{"maria.o@example.net"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := cut(tc.line, driver.LineSpans(tc.line, []driver.Match{email}, tc.comp))
			require.Equal(t, tc.want, got)
		})
	}
}

func FuzzCompanionSpans(f *testing.F) {
	f.Add("Maria Okonkwo-Adé maria.o@example.net", "Maria Okonkwo-Adé")
	f.Add("O'Brien’s \xff\xfe 12-14 rue d’Alésia", "Seán O'Brien")
	f.Fuzz(func(t *testing.T, line, v string) {
		ms := []driver.Match{{Kind: driver.KindPersonName, Values: []string{v}}, {Kind: driver.KindPostalAddress, Values: []string{v}}}
		prev := -1
		for _, sp := range driver.CompanionSpans(line, ms) {
			if sp.Start < 0 || sp.End > len(line) || sp.Start >= sp.End || sp.Start < prev {
				t.Fatalf("bad span %+v in a line of %d bytes", sp, len(line))
			}
			prev = sp.End
		}
	})
}
