package driver

import (
	"fmt"
	"sort"

	"github.com/piimap/piimap"
)

// SQLColumn is what ClearPlan needs to know about a column of a SQL table;
// executor/postgres and executor/mysql describe their catalog columns with it.
type SQLColumn interface {
	ColumnName() string
	ColumnType() string // as the catalog prints it, for messages
	MaxLen() int64      // declared character length, 0 if unbounded
	Nullable() bool
	PrimaryKey() bool
	ForeignKey() bool // part of a foreign key, as child or parent
	IsString() bool
}

// ClearPlan splits the columns null/mask modes rewrite (Target.ClearFields)
// into the string columns that get mask tokens and the columns set to NULL,
// refusing, with an error wrapping piimap.ErrUnsupported, a field that is not
// a column, a primary-key column, a NOT NULL column to be nulled, a string
// foreign-key column to be masked (a token would break the reference), and a
// column too short for its token. Tokens come back sorted by name.
func ClearPlan[C SQLColumn](cols map[string]C, t Target) (tokens, nulls []C, err error) {
	emailField := map[string]bool{}
	for _, m := range t.Match {
		if m.Kind == piimap.KeyEmail {
			emailField[m.Field] = true
		}
	}
	for _, f := range t.ClearFields() {
		c, ok := cols[f]
		switch {
		case !ok:
			return nil, nil, fmt.Errorf("field %s is not a top-level column (use delete): %w", f, piimap.ErrUnsupported)
		case c.PrimaryKey():
			return nil, nil, fmt.Errorf("column %s is part of the primary key (use delete): %w", f, piimap.ErrUnsupported)
		case t.Mode == ModeMask && c.IsString():
			if c.ForeignKey() {
				return nil, nil, fmt.Errorf("column %s is a foreign-key string column; a token would break the reference (use delete or null): %w", f, piimap.ErrUnsupported)
			}
			need := int64(MaskTokenLen)
			if emailField[f] {
				need = MaskEmailTokenLen
			}
			if n := c.MaxLen(); n > 0 && n < need {
				return nil, nil, fmt.Errorf("column %s (%s) is too short for a %d-character token: %w", f, c.ColumnType(), need, piimap.ErrUnsupported)
			}
			tokens = append(tokens, c)
		case !c.Nullable():
			return nil, nil, fmt.Errorf("column %s is NOT NULL and cannot be cleared (use delete): %w", f, piimap.ErrUnsupported)
		default:
			nulls = append(nulls, c)
		}
	}
	sort.Slice(tokens, func(i, j int) bool { return tokens[i].ColumnName() < tokens[j].ColumnName() })
	return tokens, nulls, nil
}
