package driver

import (
	"errors"
	"slices"
	"testing"

	"github.com/piimap/piimap"
)

type fakeCol struct {
	name         string
	maxLen       int64
	nullable, pk bool
	fk, str      bool
}

func (c fakeCol) ColumnName() string { return c.name }
func (c fakeCol) ColumnType() string { return "t" }
func (c fakeCol) MaxLen() int64      { return c.maxLen }
func (c fakeCol) Nullable() bool     { return c.nullable }
func (c fakeCol) PrimaryKey() bool   { return c.pk }
func (c fakeCol) ForeignKey() bool   { return c.fk }
func (c fakeCol) IsString() bool     { return c.str }

func TestClearPlan(t *testing.T) {
	cols := map[string]fakeCol{
		"id":       {name: "id", pk: true},
		"email":    {name: "email", str: true, nullable: true, maxLen: 40},
		"name":     {name: "name", str: true, nullable: true},
		"short":    {name: "short", str: true, nullable: true, maxLen: 10},
		"ref":      {name: "ref", str: true, nullable: true, fk: true},
		"required": {name: "required", nullable: false},
		"age":      {name: "age", nullable: true},
	}
	email := []Match{{Field: "email", Kind: piimap.KeyEmail}}
	tests := []struct {
		name          string
		mode          Mode
		fields        []string
		match         []Match
		tokens, nulls []string
		refused       bool
	}{
		{name: "mask strings, null the rest", mode: ModeMask, fields: []string{"name", "age"}, match: email,
			tokens: []string{"email", "name"}, nulls: []string{"age"}},
		{name: "null mode nulls strings too", mode: ModeNull, fields: []string{"name"}, match: email,
			nulls: []string{"email", "name"}},
		{name: "primary key", mode: ModeNull, fields: []string{"id"}, refused: true},
		{name: "not a column", mode: ModeNull, fields: []string{"payload.email"}, refused: true},
		{name: "not null", mode: ModeNull, fields: []string{"required"}, refused: true},
		{name: "string foreign key masked", mode: ModeMask, fields: []string{"ref"}, refused: true},
		{name: "string foreign key nulled", mode: ModeNull, fields: []string{"ref"}, nulls: []string{"ref"}},
		{name: "too short for a token", mode: ModeMask, fields: []string{"short"}, refused: true},
		{name: "email column needs the longer token", mode: ModeMask, fields: nil,
			match: []Match{{Field: "short", Kind: piimap.KeyEmail}}, refused: true},
	}
	names := func(cs []fakeCol) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.name)
		}
		return out
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tokens, nulls, err := ClearPlan(cols, Target{Mode: tt.mode, Fields: tt.fields, Match: tt.match})
			if tt.refused {
				if !errors.Is(err, piimap.ErrUnsupported) {
					t.Fatalf("want ErrUnsupported, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := names(tokens), tt.tokens; !slices.Equal(got, want) {
				t.Fatalf("tokens %v, want %v", got, want)
			}
			if got, want := names(nulls), tt.nulls; !slices.Equal(got, want) {
				t.Fatalf("nulls %v, want %v", got, want)
			}
		})
	}
}
