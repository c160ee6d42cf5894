package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"gocloud.dev/blob"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Unit meta keys this source sets (they become asset attributes in the
// graph): the ETag and modification time let a rescan skip unchanged
// objects; the content type is kept for the executor's rewrite.
const (
	MetaETag        = "etag"
	MetaModTime     = "last_modified"
	MetaContentType = "content_type"
	MetaDelimiter   = fileformat.MetaDelimiter
)

func init() {
	scanner.Register(Scheme, Kind, func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return Open(ctx, cfg)
	})
}

// Source reads the objects under one bucket prefix. It never writes.
type Source struct {
	idfilter.ObjectFormats // full scans build identifier filters of its objects
	conn                   *Conn
	cfg                    scanner.StoreConfig
	sel                    *scanner.Selector
	ChunkSize              int    // text chunk size; fileformat.DefaultChunkSize when 0
	TempDir                string // where gzip-wrapped Parquet is spooled; os.TempDir() when ""
}

var (
	_ scanner.Source  = (*Source)(nil)
	_ scanner.Sampler = (*Source)(nil)
	_ scanner.Closer  = (*Source)(nil)
)

// Open connects to the store (see Connect) and returns its source.
func Open(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	sel, err := scanner.NewSelector(cfg.Include, cfg.Exclude)
	if err != nil {
		return nil, fmt.Errorf("s3: store %s: %w", cfg.Name, err)
	}
	conn, err := Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Source{conn: conn, cfg: cfg, sel: sel}, nil
}

// Conn is the source's connection.
func (s *Source) Conn() *Conn { return s.conn }

// Namespace is the store's OpenLineage namespace, s3://bucket.
func (s *Source) Namespace() string { return s.conn.URL.Namespace() }

// Close releases the connection.
func (s *Source) Close() error { return s.conn.Close() }

func (s *Source) loc(asset string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.Namespace(), Name: asset}
}

// Enumerate lists every object under the prefix (asset = key relative to
// the prefix; "directory" marker keys ending in / are skipped), reads each
// one's head with a ranged GET to detect its format, and emits a unit with
// its size, ETag, modification time and content type. Binary objects piimap
// cannot read are skipped; an object whose head cannot be read is still
// emitted, so reading it reports the error for that unit. An object whose
// key is unsafe (UnsafeKey: `../x`, `/abs`, a NUL or control byte) is not
// read at all, not even its head: it is emitted as a skipped unit
// (fileformat.MetaSkipped) under its escaped key, whose read fails with the
// reason.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	it := s.conn.Bucket.List(&blob.ListOptions{Prefix: s.conn.URL.Prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("s3: list %s/%s: %w", s.Namespace(), s.conn.URL.Prefix, Classify(err))
		}
		asset, ok := s.conn.URL.Asset(obj.Key)
		if !ok || obj.IsDir || strings.HasSuffix(asset, "/") {
			continue
		}
		if why := UnsafeKey(asset); why != "" {
			if err := s.emitSkipped(asset, obj.Size, why, emit); err != nil {
				return err
			}
			continue
		}
		if !s.sel.Match(asset) {
			continue
		}
		u := piimap.Unit{Loc: s.loc(asset), Kind: piimap.UnitObject, Size: obj.Size, Meta: map[string]string{}}
		var o types.Object
		if obj.As(&o) && o.ETag != nil {
			u.Meta[MetaETag] = *o.ETag
		}
		if !obj.ModTime.IsZero() {
			u.Meta[MetaModTime] = obj.ModTime.UTC().Format(time.RFC3339)
		}
		keep, err := s.detect(ctx, obj.Key, &u)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			u.Format = fileformat.FormatOf(asset)
			u.Gzip = fileformat.StripGz(asset) != asset
		} else if !keep {
			continue
		}
		if err := emit(u); err != nil {
			return err
		}
	}
}

// emitSkipped lists an object whose key is unsafe (UnsafeKey) as a unit
// named by its escaped key (fileformat.EscapeName), never read: its read fails
// with the reason, so it shows in the scan's errors and the plan's gaps.
func (s *Source) emitSkipped(asset string, size int64, why string, emit func(piimap.Unit) error) error {
	name := fileformat.EscapeName(asset)
	if !s.sel.Match(name) {
		return nil
	}
	return emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: piimap.FormatText, Size: size,
		Meta: map[string]string{fileformat.MetaSkipped: "unsafe object key (" + why + "); not read — rename the object"}})
}

// detect reads the head of an object and sets the unit's format, gzip
// flag, content type and CSV delimiter (fileformat.Sniff). Binary content
// is kept as a skipped unit (fileformat.MetaSkipped) with the reason.
func (s *Source) detect(ctx context.Context, key string, u *piimap.Unit) (keep bool, err error) {
	head, ctype, err := s.head(ctx, key, u.Meta[MetaETag])
	if err != nil {
		return false, err
	}
	if ctype != "" {
		u.Meta[MetaContentType] = ctype
	}
	fileformat.Sniff(u, head, int64(len(head)) >= u.Size, nil)
	return true, nil
}

// head reads the first fileformat.HeadSize bytes of an object.
func (s *Source) head(ctx context.Context, key, etag string) ([]byte, string, error) {
	r, err := s.conn.Bucket.NewRangeReader(ctx, key, 0, fileformat.HeadSize, PinETag(etag))
	if err != nil {
		return nil, "", Classify(err)
	}
	defer r.Close()
	head, err := io.ReadAll(io.LimitReader(r, fileformat.HeadSize))
	if err != nil {
		return nil, "", Classify(err)
	}
	return head, r.ContentType(), nil
}

// Read emits the unit's records with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample emits a structured unit's sampled field values (one record per
// field, several in a full read) or a text unit's chunks (always in full),
// exactly as the files source does for the same bytes. Objects are
// streamed: text, CSV/TSV, JSON and JSONL through one GET, Parquet through
// ranged GETs pinned to the object's ETag; gzip-wrapped Parquet, which has
// no random access, is spooled to a temp file. Errors name the object and
// wrap piimap.ErrNotFound for a missing object, piimap.ErrCorrupt for
// content that does not parse.
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.read(ctx, u, smp, emit)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return scanner.ScrubError(fmt.Errorf("s3: read %s: %w", fileformat.EscapeName(u.Loc.Name), err), s.TempDir)
	}
	return nil
}

func (s *Source) read(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if why := u.Meta[fileformat.MetaSkipped]; why != "" {
		if !strings.HasPrefix(why, "unsafe object key") {
			return fmt.Errorf("%s: %w", why, piimap.ErrUnsupported) // content the source does not read
		}
		return fmt.Errorf("%s: %w", why, piimap.ErrOutsideRoot)
	}
	if err := CheckAsset(u.Loc.Name); err != nil {
		return err
	}
	key := s.conn.URL.Key(u.Loc.Name)
	if u.Format == piimap.FormatParquet && !u.Gzip {
		attrs, err := s.conn.Bucket.Attributes(ctx, key)
		if err != nil {
			return fmt.Errorf("stat: %w", Classify(err))
		}
		ra := NewReaderAt(ctx, s.conn.Bucket, key, attrs.Size, attrs.ETag)
		return fileformat.SampleParquet(ctx, ra, attrs.Size, smp, u.Loc.Name, func(b *fileformat.Batch) error { return fileformat.EmitBatch(u, b, emit) })
	}

	rc, err := s.conn.Bucket.NewReader(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("open: %w", Classify(err))
	}
	defer rc.Close()
	return fileformat.ReadUnit(ctx, readErrs{rc}, u, smp, s.ChunkSize, emit, func(r io.Reader, emit func(*fileformat.Batch) error) error {
		return s.readSpooled(ctx, r, u, smp, emit) // gzip-wrapped Parquet
	})
}

// readSpooled decompresses a gzip-wrapped Parquet object to a temp file
// (disk, not memory) and samples it there.
func (s *Source) readSpooled(ctx context.Context, r io.Reader, u piimap.Unit, smp scanner.Sample, emit func(*fileformat.Batch) error) error {
	f, err := os.CreateTemp(s.TempDir, "piimap-s3-*.parquet")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, err := io.Copy(f, ctxReader{ctx, r})
	if err != nil {
		return err
	}
	return fileformat.SampleParquet(ctx, f, n, smp, u.Loc.Name, emit)
}

// readErrs classifies errors of a streaming GET body (a dropped connection
// mid-object) without touching io.EOF.
type readErrs struct{ r io.Reader }

func (e readErrs) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = Classify(err)
	}
	return n, err
}

// ctxReader stops a copy when ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: objects.
func (s *Source) PipelineStage() int { return scanner.StageObjects }
