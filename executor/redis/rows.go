package redis

import (
	"context"
	"maps"
	"slices"

	goredis "github.com/redis/go-redis/v9"

	"github.com/piimap/piimap/executor/driver"
	rs "github.com/piimap/piimap/scanner/redis"
)

// Column names Find adds to the value's own fields.
const (
	ColKey   = "_key"   // the Redis key
	ColID    = "_id"    // a stream entry's id
	ColScore = "_score" // a zset member's score
)

// row is one unit of the subject's data in Redis: a whole key (strings and
// hashes, or any key whose name identifies the subject), or one list
// element, set/zset member or stream entry.
type row struct {
	cols map[string]any
}

// keyPlan is what a target means for one key: its rows and, unless the
// op is opFind, the commands that erase or rewrite them.
type keyPlan struct {
	rows    []row
	changed int64
	cmds    []func(ctx context.Context, p goredis.Pipeliner)
	err     error
}

// planKey matches a target against one key's value and prepares the
// commands for op. Every command keeps the key's TTL: SET uses KEEPTTL,
// and HSET/HDEL/LSET/LREM/SADD/SREM/ZADD/ZREM/XDEL never touch it.
func planKey(e *editor, pattern string, v rs.Value) keyPlan {
	var kp keyPlan
	if v.Type == rs.TypeNone || v.Type == "" {
		return kp
	}
	key := v.Key
	if keyMatched(e.t, key, pattern) {
		// The key's own name identifies the subject: the key is theirs.
		kp.rows = []row{{cols: wholeKeyCols(v)}}
		if e.op != opFind && e.op != opRectify {
			kp.changed = 1
			kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.Del(ctx, key) })
		}
		return kp
	}
	switch v.Type {
	case rs.TypeString:
		doc, wasJSON := decodeRaw(v.Str)
		if !wasJSON {
			doc = map[string]any{rs.FieldValue: v.Str}
		}
		ndoc, out := e.apply(cloneTree(doc), "")
		if !out.matched {
			return kp
		}
		kp.rows = []row{{cols: docCols(key, doc, wasJSON)}}
		switch {
		case out.remove:
			kp.changed = 1
			kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.Del(ctx, key) })
		case out.changed:
			var val string
			if wasJSON {
				val = encodeRaw(ndoc, true)
			} else {
				val, _ = ndoc.(map[string]any)[rs.FieldValue].(string)
			}
			kp.changed = 1
			kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.Set(ctx, key, val, goredis.KeepTTL) })
		}
	case rs.TypeHash:
		doc := map[string]any{}
		isJSON := map[string]bool{}
		for f, raw := range v.Hash {
			doc[f], isJSON[f] = decodeRaw(raw)
		}
		before := map[string]string{}
		for f := range doc {
			before[f] = encodeRaw(doc[f], isJSON[f])
		}
		ndoc, out := e.apply(cloneTree(doc), "")
		if !out.matched {
			return kp
		}
		kp.rows = []row{{cols: hashCols(key, v.Hash)}}
		switch {
		case out.remove:
			kp.changed = 1
			kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.Del(ctx, key) })
		case out.changed:
			nm, _ := ndoc.(map[string]any)
			var del []string
			var set []any
			for _, f := range slices.Sorted(maps.Keys(before)) {
				nv, ok := nm[f]
				if !ok {
					del = append(del, f)
					continue
				}
				if s := encodeRaw(nv, isJSON[f]); s != before[f] {
					set = append(set, f, s)
				}
			}
			kp.changed = 1
			if len(del) > 0 {
				kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.HDel(ctx, key, del...) })
			}
			if len(set) > 0 {
				kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.HSet(ctx, key, set...) })
			}
		}
	case rs.TypeList, rs.TypeSet, rs.TypeZSet:
		planItems(e, &kp, v)
	case rs.TypeStream:
		planEntries(e, &kp, v)
	}
	return kp
}

// planItems treats each list element or set/zset member as a row.
func planItems(e *editor, kp *keyPlan, v rs.Value) {
	field := rs.FieldMember
	if v.Type == rs.TypeList {
		field = rs.FieldElement
	}
	key := v.Key
	removed := map[string]bool{}
	// Rewrites by index go first: the removals after them shift indices.
	var rewrites, removals []func(ctx context.Context, p goredis.Pipeliner)
	defer func() { kp.cmds = append(append(kp.cmds, rewrites...), removals...) }()
	for i, it := range v.Items {
		node, wasJSON := decodeRaw(it.Member)
		doc := map[string]any{field: node}
		ndoc, out := e.apply(cloneTree(doc), "")
		if !out.matched {
			continue
		}
		cols := map[string]any{ColKey: key, field: node}
		if v.Type == rs.TypeZSet {
			cols[ColScore] = it.Score
		}
		kp.rows = append(kp.rows, row{cols: cols})
		old := it.Member
		nm, _ := ndoc.(map[string]any)
		nv, kept := nm[field]
		switch {
		case out.remove || !kept:
			kp.changed++
			if removed[old] {
				continue // LREM/SREM/ZREM already takes every copy
			}
			removed[old] = true
			switch v.Type {
			case rs.TypeList:
				removals = append(removals, func(ctx context.Context, p goredis.Pipeliner) { p.LRem(ctx, key, 0, old) })
			case rs.TypeSet:
				removals = append(removals, func(ctx context.Context, p goredis.Pipeliner) { p.SRem(ctx, key, old) })
			default:
				removals = append(removals, func(ctx context.Context, p goredis.Pipeliner) { p.ZRem(ctx, key, old) })
			}
		case out.changed:
			kp.changed++
			repl := encodeRaw(nv, wasJSON)
			idx, score := int64(i), it.Score
			switch v.Type {
			case rs.TypeList: // under WATCH the index read is still valid
				rewrites = append(rewrites, func(ctx context.Context, p goredis.Pipeliner) { p.LSet(ctx, key, idx, repl) })
			case rs.TypeSet:
				rewrites = append(rewrites, func(ctx context.Context, p goredis.Pipeliner) {
					p.SRem(ctx, key, old)
					p.SAdd(ctx, key, repl)
				})
			default:
				rewrites = append(rewrites, func(ctx context.Context, p goredis.Pipeliner) {
					p.ZRem(ctx, key, old)
					p.ZAdd(ctx, key, goredis.Z{Score: score, Member: repl})
				})
			}
		}
	}
}

// planEntries treats each stream entry as a row. Entries are immutable, so
// every mode but rectification removes the subject's entries (XDEL); a
// masked or rectified entry cannot be written back under its id.
func planEntries(e *editor, kp *keyPlan, v rs.Value) {
	key := v.Key
	var ids []string
	for _, en := range v.Entries {
		doc := map[string]any{}
		for f, raw := range en.Fields {
			doc[f], _ = decodeRaw(raw)
		}
		cols := map[string]any{ColKey: key, ColID: en.ID}
		for f, x := range doc {
			cols[f] = x
		}
		_, out := e.apply(cloneTree(doc), "")
		if !out.matched {
			continue
		}
		kp.rows = append(kp.rows, row{cols: cols})
		if e.op == opFind {
			continue
		}
		if e.op == opMask || e.op == opRectify {
			kp.err = errStreamRewrite
			return
		}
		ids = append(ids, en.ID)
	}
	if len(ids) > 0 {
		kp.changed = int64(len(ids))
		kp.cmds = append(kp.cmds, func(ctx context.Context, p goredis.Pipeliner) { p.XDel(ctx, key, ids...) })
	}
}

func keyMatched(t driver.Target, key, pattern string) bool {
	hit := false
	rs.KeyLeaves(key, pattern, func(field, val string) {
		for _, m := range t.Match {
			if m.Field == field && m.MatchValue(val) {
				hit = true
			}
		}
	})
	return hit
}

func wholeKeyCols(v rs.Value) map[string]any {
	switch v.Type {
	case rs.TypeString:
		doc, wasJSON := decodeRaw(v.Str)
		return docCols(v.Key, doc, wasJSON)
	case rs.TypeHash:
		return hashCols(v.Key, v.Hash)
	case rs.TypeList, rs.TypeSet, rs.TypeZSet:
		field := rs.FieldMember
		if v.Type == rs.TypeList {
			field = rs.FieldElement
		}
		var items []any
		for _, it := range v.Items {
			n, _ := decodeRaw(it.Member)
			items = append(items, n)
		}
		return map[string]any{ColKey: v.Key, field: items}
	case rs.TypeStream:
		var entries []any
		for _, en := range v.Entries {
			m := map[string]any{ColID: en.ID}
			for f, raw := range en.Fields {
				m[f], _ = decodeRaw(raw)
			}
			entries = append(entries, m)
		}
		return map[string]any{ColKey: v.Key, "entries": entries}
	}
	return map[string]any{ColKey: v.Key}
}

// docCols are a string value's columns: a JSON object's top-level fields,
// or `value`.
func docCols(key string, doc any, wasJSON bool) map[string]any {
	cols := map[string]any{ColKey: key}
	if m, ok := doc.(map[string]any); ok && wasJSON {
		for k, v := range m {
			cols[k] = v
		}
		return cols
	}
	cols[rs.FieldValue] = doc
	return cols
}

func hashCols(key string, h map[string]string) map[string]any {
	cols := map[string]any{ColKey: key}
	for f, raw := range h {
		cols[f], _ = decodeRaw(raw)
	}
	return cols
}

// batchOf turns rows into a Batch: the union of their columns, `_key`
// first, the others sorted.
func batchOf(rows []row) driver.Batch {
	set := map[string]bool{}
	for _, r := range rows {
		for c := range r.cols {
			set[c] = true
		}
	}
	delete(set, ColKey)
	names := append([]string{ColKey}, slices.Sorted(maps.Keys(set))...)
	b := driver.Batch{Columns: make([]driver.Column, len(names))}
	for i, n := range names {
		b.Columns[i] = driver.Column{Name: n}
	}
	for _, r := range rows {
		vals := make([]any, len(names))
		for i, n := range names {
			vals[i] = r.cols[n]
		}
		b.Rows = append(b.Rows, vals)
	}
	return b
}

// cloneTree deep-copies a decoded document so an edit leaves the
// original (the row Find reports) intact.
func cloneTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, c := range x {
			m[k] = cloneTree(c)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, c := range x {
			a[i] = cloneTree(c)
		}
		return a
	}
	return v
}
