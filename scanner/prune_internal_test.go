package scanner

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

func TestPruneSiblings(t *testing.T) {
	loc := func(s string) piimap.Location { return piimap.Location{Store: s, Name: "t", Field: "email"} }
	e := func(from, to string) lineage.Edge {
		return lineage.Edge{Kind: lineage.EdgeCopyOf, From: loc(from), To: loc(to)}
	}
	names := func(es []lineage.Edge) []string {
		var out []string
		for _, x := range es {
			out = append(out, x.From.Store+">"+x.To.Store)
		}
		return out
	}
	tests := []struct {
		name string
		in   []lineage.Edge
		want []string
	}{
		{"chain of copies of one original keeps the edges to it",
			[]lineage.Edge{e("cache", "crm"), e("cache", "export"), e("cache", "users"), e("crm", "users"), e("export", "users"), e("crm", "export")},
			[]string{"cache>users", "crm>users", "export>users"}},
		{"a copy of a copy with no edge to the original stays",
			[]lineage.Edge{e("cache", "export"), e("export", "users")},
			[]string{"cache>export", "export>users"}},
		{"unrelated copies stay",
			[]lineage.Edge{e("a", "b"), e("c", "d")},
			[]string{"a>b", "c>d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, names(pruneSiblings(tt.in))) })
	}
}
