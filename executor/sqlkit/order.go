package sqlkit

import (
	"sort"

	"github.com/piimap/piimap/executor/driver"
)

// Assets lists the targets' assets, in the targets' order.
func Assets(ts []driver.Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Asset
	}
	return out
}

// ChildrenFirst returns ts in an order where no table comes before a table
// that references it; references(child, parent) reports a foreign key from
// child to parent in the catalog. The given order is kept wherever the
// foreign keys allow it (a stable topological sort), so a correct order
// from the planner is returned unchanged. Self-references and cycles are
// left in the given order: one statement deletes a self-referencing set.
func ChildrenFirst(ts []driver.Target, references func(child, parent string) bool) []driver.Target {
	n := len(ts)
	mustPrecede := make([][]int, n) // mustPrecede[j]: targets that wait for j
	indeg := make([]int, n)
	for i := range ts {
		for j := range ts {
			if i == j || ts[i].Asset == ts[j].Asset {
				continue
			}
			if references(ts[j].Asset, ts[i].Asset) && !references(ts[i].Asset, ts[j].Asset) {
				mustPrecede[j] = append(mustPrecede[j], i)
				indeg[i]++
			}
		}
	}
	out := make([]driver.Target, 0, n)
	done := make([]bool, n)
	for len(out) < n {
		pick := -1
		for i := 0; i < n && pick < 0; i++ {
			if !done[i] && indeg[i] == 0 {
				pick = i
			}
		}
		for i := 0; i < n && pick < 0; i++ { // a cycle: keep the given order
			if !done[i] {
				pick = i
			}
		}
		done[pick] = true
		out = append(out, ts[pick])
		for _, k := range mustPrecede[pick] {
			indeg[k]--
		}
	}
	return out
}

// SortedKeys lists a map's keys, sorted: a rectification's fields in a
// stable order.
func SortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// EachAsset is one purge report per distinct asset of ts, all alike.
func EachAsset(ts []driver.Target, state, detail string) []driver.PurgeReport {
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.Asset] {
			seen[t.Asset] = true
			out = append(out, driver.PurgeReport{Asset: t.Asset, State: state, Detail: detail})
		}
	}
	return out
}
