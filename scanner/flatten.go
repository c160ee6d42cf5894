package scanner

import (
	"encoding/json"
	"sort"
	"strconv"
)

// FlattenJSON walks a decoded JSON value (decoded with UseNumber) and calls
// emit once per scalar leaf with its dotted path: nested objects become
// `payload.user.email`, array elements `items[]` / `items[].sku`. Object keys
// are visited in sorted order so the output is deterministic. Nulls are
// skipped. prefix is the path of v itself ("" at the root).
func FlattenJSON(prefix string, v any, emit func(path, value string)) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			FlattenJSON(p, x[k], emit)
		}
	case []any:
		p := prefix + "[]"
		for _, e := range x {
			FlattenJSON(p, e, emit)
		}
	case string:
		emit(pathOrRoot(prefix), x)
	case json.Number:
		emit(pathOrRoot(prefix), x.String())
	case bool:
		emit(pathOrRoot(prefix), strconv.FormatBool(x))
	case float64:
		emit(pathOrRoot(prefix), strconv.FormatFloat(x, 'g', -1, 64))
	}
}

func pathOrRoot(p string) string {
	if p == "" {
		return "$"
	}
	return p
}
