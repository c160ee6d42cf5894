package s3

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/smithy-go"
	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/filerewrite"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/idfilter"
	ss3 "github.com/piimap/piimap/scanner/s3"
)

// Kind is the store kind this package handles.
const Kind = ss3.Kind

func init() { driver.Register(Kind, Open) }

// ErrConflict marks an erasure abandoned because the object changed after
// it was read: the conditional put (If-Match on the ETag read) was refused,
// nothing was written, and a retry reads the new version. Errors carrying it
// also wrap piimap.ErrInvalidState.
var ErrConflict = errors.New("object changed while being rewritten")

// Handler finds and erases a subject's records in the objects of one S3
// store (assets are keys relative to the store's prefix).
type Handler struct {
	idfilter.ObjectFormats // it matches objects as identifier filters extract them: planning may trust them
	conn                   *ss3.Conn
	store                  string
	readOnly               bool
	maskKey                []byte
	// TempDir holds Parquet objects spooled for DuckDB; os.TempDir() when "".
	TempDir string

	listed listing // AssetVersion's listing, taken once

	beforeCommit func(key string) // test hook: runs after the rewrite, before the conditional put commits
}

var (
	_ driver.Handler            = (*Handler)(nil)
	_ driver.Counter            = (*Handler)(nil)
	_ driver.ModeChecker        = (*Handler)(nil)
	_ driver.ParquetExporter    = (*Handler)(nil)
	_ driver.ParallelReader     = (*Handler)(nil)
	_ driver.Rectifier          = (*Handler)(nil)
	_ driver.IdentifierFiltered = (*Handler)(nil)
)

// ParallelReads: each object is read with its own GET.
func (h *Handler) ParallelReads() int { return 8 }

// Open connects to the store (scanner/s3's Connect: a server that is down
// fails with piimap.ErrUnreachable).
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	conn, err := ss3.Connect(ctx, sc)
	if err != nil {
		return nil, err
	}
	return &Handler{conn: conn, store: sc.Name, readOnly: opt.ReadOnly, maskKey: opt.MaskKey}, nil
}

// Close releases the connection.
func (h *Handler) Close() error { return h.conn.Close() }

// object is a resolved target: its key, format, compression and the
// attributes (ETag, content type, metadata) read when it was resolved.
type object struct {
	asset  string
	key    string
	format string
	gz     bool
	attrs  *blob.Attributes
}

func (o object) text() bool { return o.format == piimap.FormatText }

// resolve stats the target's object and settles its format: the plan's,
// else detected from its head like the scanner does. An unsafe key
// (ss3.CheckAsset: absolute, a . or .. segment, a control character) is
// refused with piimap.ErrUnsupported before anything is read; op names the
// operation in errors.
func (h *Handler) resolve(ctx context.Context, t driver.Target, op string) (object, error) {
	if err := ss3.CheckAsset(t.Asset); err != nil {
		return object{}, h.errf(op, t.Asset, err)
	}
	o := object{asset: t.Asset, key: h.conn.URL.Key(t.Asset), format: t.Format, gz: t.Gzip}
	attrs, err := h.conn.Bucket.Attributes(ctx, o.key)
	if err != nil {
		return object{}, h.errf("stat", t.Asset, ss3.Classify(err))
	}
	o.attrs = attrs
	rc, err := h.conn.Bucket.NewRangeReader(ctx, o.key, 0, fileformat.HeadSize, ss3.PinETag(attrs.ETag))
	if err != nil {
		return object{}, h.errf("read", t.Asset, h.classify(err))
	}
	head, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return object{}, h.errf("read", t.Asset, h.classify(err))
	}
	if fileformat.IsGzip(head) {
		o.gz = true
		head, _ = fileformat.GunzipHead(head, false, nil)
	}
	if o.format == "" {
		o.format = fileformat.DetectFormat(t.Asset, head, int64(len(head)) < fileformat.HeadSize && attrs.Size < fileformat.HeadSize)
	}
	if o.format == "" {
		return object{}, h.errf("resolve", t.Asset, fmt.Errorf("unreadable binary content: %w", piimap.ErrUnsupported))
	}
	if o.format == piimap.FormatParquet && o.gz {
		return object{}, h.errf("resolve", t.Asset, fmt.Errorf("gzip-wrapped parquet: %w", piimap.ErrUnsupported))
	}
	return o, nil
}

// CheckMode accepts delete for records and redact, drop, mask or delete
// (which drops the lines) for text, as the files handler does. It refuses
// an unsafe key (resolve), so planning shows it as a gap.
func (h *Handler) CheckMode(t driver.Target) error {
	op := "erase"
	if len(t.Changes) > 0 {
		op = "rectify"
	}
	o, err := h.resolve(context.Background(), t, op)
	if err != nil {
		return err
	}
	return checkMode(o, t)
}

func checkMode(o object, t driver.Target) error {
	return filerewrite.CheckTarget(o.format, t)
}

// Rectify sets the subject's records' fields to their corrected values
// (t.Changes) in CSV, TSV, JSON and JSON Lines objects, rewriting each
// object as Erase does (conditional put); records already holding them are
// left alone.
func (h *Handler) Rectify(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	for _, t := range ts {
		if len(t.Changes) == 0 {
			return nil, h.errf("rectify", t.Asset, fmt.Errorf("no changes: %w", piimap.ErrConfig))
		}
	}
	return h.Erase(ctx, ts, opt)
}

// open streams the object's (decompressed) bytes, pinned to the ETag seen
// at resolve: if it has been replaced since, the read fails with ErrConflict.
func (h *Handler) open(ctx context.Context, o object) (io.ReadCloser, error) {
	rc, err := h.conn.Bucket.NewReader(ctx, o.key, ss3.PinETag(o.attrs.ETag))
	if err != nil {
		return nil, h.classify(err)
	}
	if !o.gz {
		return rc, nil
	}
	zr, err := fileformat.NewGzipReader(rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, rc}, nil
}

// Find emits the subject's records: Arrow batches for Parquet (the object
// is spooled to a temp file for DuckDB), rows streamed for CSV/JSON/JSONL,
// {line, text} rows for text.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	o, err := h.resolve(ctx, t, "find")
	if err != nil {
		return err
	}
	if o.format == piimap.FormatParquet {
		err = h.withLocal(ctx, o, func(pq *filerewrite.Parquet, path string) error {
			return pq.Find(ctx, path, t, emit)
		})
	} else {
		err = h.stream(ctx, o, func(r io.Reader) error { return filerewrite.FindStream(ctx, r, o.format, t, emit) })
	}
	return h.errf("find", t.Asset, err)
}

// Count counts the subject's records (lines for text).
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	o, err := h.resolve(ctx, t, "count")
	if err != nil {
		return 0, err
	}
	n, err := h.count(ctx, o, t)
	return n, h.errf("count", t.Asset, err)
}

func (h *Handler) count(ctx context.Context, o object, t driver.Target) (n int64, err error) {
	if o.format == piimap.FormatParquet {
		err = h.withLocal(ctx, o, func(pq *filerewrite.Parquet, path string) error {
			n, err = pq.Count(ctx, path, t)
			return err
		})
		return n, err
	}
	err = h.stream(ctx, o, func(r io.Reader) error {
		n, err = filerewrite.CountStream(ctx, r, o.format, t)
		return err
	})
	return n, err
}

func (h *Handler) stream(ctx context.Context, o object, fn func(io.Reader) error) error {
	rc, err := h.open(ctx, o)
	if err != nil {
		return err
	}
	defer rc.Close()
	return fn(rc)
}

// Erase rewrites each target's object without the subject's records (text:
// with the subject's identifiers redacted or masked, or their lines
// dropped), keeping its content type, metadata and other headers. The new
// version is written with a conditional put on the ETag read (If-Match), so
// a concurrent writer is never overwritten: the erasure then fails with
// ErrConflict, nothing is written, and a retry starts from the new version.
// Objects are rewritten only when something matched, so a second erasure
// reads but never writes. A failure stops at that object and reports the
// results so far.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if !opt.DryRun && h.readOnly {
		return nil, fmt.Errorf("s3: %s: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	out := make([]driver.Result, 0, len(ts))
	for _, t := range ts {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		o, err := h.resolve(ctx, t, "erase")
		if err != nil {
			return out, err
		}
		if err := checkMode(o, t); err != nil {
			return out, h.errf("erase", t.Asset, err)
		}
		found, err := h.count(ctx, o, t)
		if err != nil {
			return out, h.errf("erase", t.Asset, err)
		}
		res := driver.Result{Asset: t.Asset, Found: found}
		if opt.DryRun || found == 0 {
			if opt.DryRun {
				res.Changed = found
			}
			out = append(out, res)
			continue
		}
		if res.Changed, err = h.rewrite(ctx, o, t); err != nil {
			return out, h.errf("erase", t.Asset, err)
		}
		out = append(out, res)
	}
	return out, nil
}

// rewrite streams the object through the record filter into a conditional
// upload of its replacement.
func (h *Handler) rewrite(ctx context.Context, o object, t driver.Target) (int64, error) {
	if o.format == piimap.FormatParquet {
		return h.rewriteParquet(ctx, o, t)
	}
	var changed int64
	err := h.put(ctx, o, func(w io.Writer) error {
		return h.stream(ctx, o, func(r io.Reader) error {
			var err error
			changed, err = filerewrite.RewriteStream(ctx, r, w, o.format, t, h.maskKey)
			return err
		})
	})
	return changed, err
}

// put uploads what write produces as the object's new version: gzip
// compressed when the object was, with its content type, metadata and
// headers, conditional on the ETag read at resolve. Any error aborts the
// upload, leaving the object as it was.
func (h *Handler) put(ctx context.Context, o object, write func(io.Writer) error) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := h.conn.Bucket.NewWriter(wctx, o.key, writerOptions(o.attrs))
	if err != nil {
		return h.classify(err)
	}
	abort := func(err error) error {
		cancel()
		_ = w.Close()
		return err
	}
	var zw *gzip.Writer
	var dst io.Writer = w
	if o.gz {
		zw = gzip.NewWriter(w)
		dst = zw
	}
	if err := write(dst); err != nil {
		return abort(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return abort(err)
		}
	}
	if h.beforeCommit != nil {
		h.beforeCommit(o.key)
	}
	if err := w.Close(); err != nil {
		return h.classify(err)
	}
	return nil
}

// Upload tuning: whatever the object's size, a rewrite's upload buffers the
// AWS transfer manager's first 16 MB (its multipart threshold) and then at
// most uploadConcurrency+1 parts of S3's minimum part size.
const (
	uploadPartSize    = 5 << 20
	uploadConcurrency = 2
)

// writerOptions keep the object's headers and metadata and make the put
// conditional on its ETag, through gocloud's As escape hatch to the AWS
// transfer manager's input (a single PutObject, or the multipart upload's
// CompleteMultipartUpload, carries If-Match).
func writerOptions(a *blob.Attributes) *blob.WriterOptions {
	etag := a.ETag
	return &blob.WriterOptions{
		ContentType:        a.ContentType,
		CacheControl:       a.CacheControl,
		ContentDisposition: a.ContentDisposition,
		ContentEncoding:    a.ContentEncoding,
		ContentLanguage:    a.ContentLanguage,
		Metadata:           a.Metadata,
		BufferSize:         uploadPartSize,
		MaxConcurrency:     uploadConcurrency,
		BeforeWrite: func(as func(any) bool) error {
			var in *transfermanager.UploadObjectInput
			if !as(&in) {
				return fmt.Errorf("no transfer manager input to make the put conditional: %w", piimap.ErrUnsupported)
			}
			if etag == "" {
				return fmt.Errorf("object has no ETag to make the put conditional: %w", piimap.ErrUnsupported)
			}
			in.IfMatch = aws.String(etag)
			return nil
		},
	}
}

// classify turns a refused precondition (412, or S3's 409 for a conflicting
// concurrent operation) into ErrConflict; other errors as scanner/s3 does.
func (h *Handler) classify(err error) error {
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if gcerrors.Code(err) == gcerrors.FailedPrecondition || code == "PreconditionFailed" || code == "ConditionalRequestConflict" {
		return fmt.Errorf("%w (the ETag it was read at no longer matches; nothing was written; retry): %w: %w",
			ErrConflict, piimap.ErrInvalidState, err)
	}
	return ss3.Classify(err)
}

func (h *Handler) errf(op, asset string, err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	return scanner.ScrubError(fmt.Errorf("s3: %s %s/%s: %w", op, h.store, fileformat.EscapeName(asset), err), h.TempDir)
}
