package postgres

import (
	"encoding/json"
	"strconv"

	"github.com/jackc/pgx/v5/pgtype"
)

// Rows are read in the text result format, so a cell's string form is
// exactly Postgres's own (what `col::text` yields and Where compares), and
// the planner's key values round-trip into the next Where unchanged.
// cellValue turns one text cell into a JSON-able value: numbers as
// json.Number, booleans as bool, JSON documents as json.RawMessage (so
// paths inside them resolve), everything else as its text.
func cellValue(oid uint32, raw []byte) any {
	if raw == nil {
		return nil
	}
	s := string(raw)
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		return json.Number(s)
	case pgtype.Float4OID, pgtype.Float8OID, pgtype.NumericOID:
		if json.Valid(raw) { // not NaN or Infinity
			return json.Number(s)
		}
		return s
	case pgtype.BoolOID:
		return s == "t"
	case pgtype.JSONOID, pgtype.JSONBOID:
		if json.Valid(raw) {
			return json.RawMessage(s)
		}
		return s
	}
	return s
}

// typeName names a result column's type for Batch columns.
func typeName(m *pgtype.Map, oid uint32) string {
	if t, ok := m.TypeForOID(oid); ok {
		return t.Name
	}
	return strconv.FormatUint(uint64(oid), 10)
}
