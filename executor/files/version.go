package files

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/lineage/idfilter"
)

var _ executor.AssetVersioner = (*Handler)(nil)

// AssetVersion reports the file's current size and modification time (a
// stat), so an identifier filter built before the file was appended to is
// not trusted to rule the subject out.
func (h *Handler) AssetVersion(ctx context.Context, asset string) (idfilter.Version, error) {
	if err := ctx.Err(); err != nil {
		return idfilter.Version{}, err
	}
	f, err := h.resolve(executor.Target{Asset: asset, Format: piimap.FormatText})
	if err != nil {
		return idfilter.Version{}, err
	}
	fi, err := os.Stat(f.path)
	if err != nil {
		return idfilter.Version{}, fmt.Errorf("files: %s/%s: %w", h.store, asset, err)
	}
	return idfilter.Version{Size: fi.Size(), Modified: fi.ModTime().UTC().Format(time.RFC3339Nano)}, nil
}
