package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner/idfilter"
	ss3 "github.com/piimap/piimap/scanner/s3"
)

var _ driver.AssetVersioner = (*Handler)(nil)

// listing is the store's objects as one listing of its prefix saw them.
type listing struct {
	once     sync.Once
	versions map[string]idfilter.Version // by asset
	err      error
}

// AssetVersion reports the object's current size, ETag and modification
// time, so that an identifier filter built before the object was replaced
// is not trusted to rule the subject out. They come from one listing of
// the store's prefix, taken at the first call and kept for the handler's
// life (planning opens a handler per derivation): a LIST request per 1,000
// objects instead of a HEAD per object. An object missing from it is
// reported as piimap.ErrNotFound.
func (h *Handler) AssetVersion(ctx context.Context, asset string) (idfilter.Version, error) {
	if err := ss3.CheckAsset(asset); err != nil {
		return idfilter.Version{}, h.errf("version", asset, err)
	}
	h.listed.once.Do(func() { h.listed.versions, h.listed.err = h.list(ctx) })
	if h.listed.err != nil {
		return idfilter.Version{}, h.listed.err
	}
	v, ok := h.listed.versions[asset]
	if !ok {
		return idfilter.Version{}, h.errf("version", asset, piimap.ErrNotFound)
	}
	return v, nil
}

// list lists the versions of every object under the store's prefix, as
// scanner/s3 records them at enumeration.
func (h *Handler) list(ctx context.Context) (map[string]idfilter.Version, error) {
	out := map[string]idfilter.Version{}
	it := h.conn.Bucket.List(&blob.ListOptions{Prefix: h.conn.URL.Prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("s3: %s: list %s: %w", h.store, h.conn.URL.Prefix, ss3.Classify(err))
		}
		asset, ok := h.conn.URL.Asset(obj.Key)
		if !ok || obj.IsDir || strings.HasSuffix(asset, "/") {
			continue
		}
		v := idfilter.Version{Size: obj.Size}
		var o types.Object
		if obj.As(&o) && o.ETag != nil {
			v.ETag = *o.ETag
		}
		if !obj.ModTime.IsZero() {
			v.Modified = obj.ModTime.UTC().Format(time.RFC3339)
		}
		out[asset] = v
	}
}
