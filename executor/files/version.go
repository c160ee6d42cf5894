package files

import (
	"context"
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner/idfilter"
)

var _ driver.AssetVersioner = (*Handler)(nil)

// AssetVersion reports the file's current size and modification time (an
// Lstat, refused like a read for a path that is not a regular file under
// the root without symlinks), so an identifier filter built before the
// file was appended to is not trusted to rule the subject out.
func (h *Handler) AssetVersion(ctx context.Context, asset string) (idfilter.Version, error) {
	if err := ctx.Err(); err != nil {
		return idfilter.Version{}, err
	}
	_, _, fi, err := h.locate(opVersion, asset)
	if err != nil {
		return idfilter.Version{}, err
	}
	return idfilter.Version{Size: fi.Size(), Modified: fi.ModTime().UTC().Format(time.RFC3339Nano)}, nil
}
