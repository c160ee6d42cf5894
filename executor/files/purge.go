package files

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

var _ driver.Purger = (*Handler)(nil)

// Purge reports the erased bytes of each rewritten file gone: Erase and
// Rectify wrote a new file (text and gzip too) and renamed it over the
// original, which had one link only (a file with more is refused), so no
// name keeps the old content and piimap keeps no copy. A leftover rewrite
// temp file beside the asset (from a crashed run) may hold the old content:
// that asset gets an exception naming it. Filesystem snapshots, backups and
// freed disk blocks, which the filesystem does not overwrite, are outside
// piimap's reach.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	if h.readOnly {
		return nil, fmt.Errorf("files: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if seen[t.Asset] {
			continue
		}
		seen[t.Asset] = true
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r := driver.PurgeReport{Asset: t.Asset, State: driver.PurgeGone,
			Detail: "file rewritten and replaced; no copy kept (filesystem snapshots and backups not covered)"}
		if n, err := h.leftovers(t.Asset); err != nil {
			r.State, r.Detail = driver.PurgeException, "file rewritten and replaced, but its directory cannot be listed to check for leftover rewrite temp files: "+err.Error()
		} else if n > 0 {
			r.State, r.Detail = driver.PurgeException, fmt.Sprintf("file rewritten and replaced, but %d leftover rewrite temp file(s) (%s) beside it may hold the old content", n, tmpPattern(path.Base(t.Asset)))
		}
		out = append(out, r)
	}
	return out, nil
}

// leftovers counts the rewrite temp files beside the asset.
func (h *Handler) leftovers(asset string) (int, error) {
	dir, base := path.Dir(asset), path.Base(asset)
	ents, err := fs.ReadDir(h.fsroot.FS(), dir)
	if err != nil {
		return 0, err
	}
	prefix, suffix, _ := strings.Cut(tmpPattern(base), "*")
	n := 0
	for _, e := range ents {
		if name := e.Name(); strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) && len(name) > len(prefix)+len(suffix) {
			n++
		}
	}
	return n, nil
}
