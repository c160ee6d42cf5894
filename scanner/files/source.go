package files

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Kind is the store kind this package registers for file:// URLs.
const Kind = "files"

// MaxGzipParquet bounds a gzip-compressed Parquet object, which must be
// decompressed into memory for random access.
const MaxGzipParquet = 512 << 20

func init() {
	scanner.Register("file", Kind, func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return Open(ctx, cfg)
	})
}

// Source reads a local directory tree. It never writes to it.
type Source struct {
	cfg       scanner.StoreConfig
	root      string // absolute, cleaned, as configured
	real      string // root with its symlinks resolved: what is walked and read
	namespace string // file:///abs/dir
	sel       *scanner.Selector
	ChunkSize int // text chunk size; DefaultChunkSize when 0
}

var (
	_ scanner.Source  = (*Source)(nil)
	_ scanner.Sampler = (*Source)(nil)
)

// ParseURL returns the absolute directory a file:// URL names:
// file:///abs/dir, file://relative/dir or file://./dir.
func ParseURL(raw string) (string, error) {
	rest, ok := strings.CutPrefix(raw, "file://")
	if !ok {
		return "", fmt.Errorf("files: url %q: want file://DIR: %w", raw, piimap.ErrConfig)
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	p, err := url.PathUnescape(rest)
	if err != nil || p == "" {
		return "", fmt.Errorf("files: url %q: bad path: %w", raw, piimap.ErrConfig)
	}
	abs, err := filepath.Abs(filepath.FromSlash(p))
	if err != nil {
		return "", fmt.Errorf("files: url %q: %w", raw, piimap.ErrConfig)
	}
	return abs, nil
}

// Open checks that the directory exists and returns its source.
func Open(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	root, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(root)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("files: open %s: %w: %w", root, piimap.ErrUnreachable, piimap.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("files: open %s: %w: %w", root, piimap.ErrUnreachable, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("files: open %s: not a directory: %w", root, piimap.ErrConfig)
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("files: open %s: %w: %w", root, piimap.ErrUnreachable, err)
	}
	sel, err := scanner.NewSelector(cfg.Include, cfg.Exclude)
	if err != nil {
		return nil, fmt.Errorf("files: store %s: %w", cfg.Name, err)
	}
	return &Source{cfg: cfg, root: root, real: real, namespace: "file://" + filepath.ToSlash(root), sel: sel}, ctx.Err()
}

// Namespace is the store's OpenLineage namespace, file:///abs/dir.
func (s *Source) Namespace() string { return s.namespace }

// Root is the directory the source reads.
func (s *Source) Root() string { return s.root }

// Enumerate walks the directory and emits one unit per regular file with
// the format detected from its content and name. A binary file piimap
// cannot read, a fifo, socket or device is listed as a skipped unit
// (MetaSkipped) whose read fails with the reason, so it shows as a unit
// error; piimap's own temp files (IsTempName) are not units. A file or
// directory that cannot be opened is still emitted, so that reading it
// reports the error for that unit instead of hiding it. Symlinks are never followed (contain.go): one whose target is
// inside the root is left to the walk, which reads the target under its own
// name; any other is emitted as a skipped unit (MetaSkipped) whose read
// fails with the reason, as is a file whose name holds control characters.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	return filepath.WalkDir(s.real, func(p string, d fs.DirEntry, walkErr error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == s.real {
			return walkErr
		}
		name, ok := within(s.real, p)
		if !ok {
			return fmt.Errorf("walked out of the root: %w", piimap.ErrInvalidState)
		}
		if why := UnsafeName(name); why != "" {
			switch {
			case d != nil && d.IsDir() && walkErr == nil:
				return nil // each file below is reported under its escaped name
			case d != nil && d.IsDir():
				if err := s.emitSkipped(EscapeName(name)+"/", why+reasonUnsafeName, emit); err != nil {
					return err
				}
				return fs.SkipDir
			}
			return s.emitSkipped(EscapeName(name), why+reasonUnsafeName, emit)
		}
		if walkErr != nil { // an unreadable directory: report it as a unit
			if d != nil && d.IsDir() {
				return s.emitBroken(name+"/", emit, fs.SkipDir)
			}
			return s.emitBroken(name, emit, nil)
		}
		if d.IsDir() {
			return nil
		}
		if IsTempName(path.Base(name)) {
			return nil // a piimap temp file (names.go): not data, never a unit
		}
		mode := d.Type()
		if mode&fs.ModeSymlink != 0 {
			reason, dir := s.linkReason(p)
			if reason == "" {
				return nil // the target is inside the root: read under its own name
			}
			if dir {
				name += "/"
			}
			return s.emitSkipped(name, reason, emit)
		}
		if !s.sel.Match(name) {
			return nil
		}
		if !mode.IsRegular() { // fifos, sockets, devices: listed, never opened
			return s.emitSkipped(name, reasonNotRegular+kindName(mode)+"); not read", emit)
		}
		u, err := s.detect(name)
		if err != nil {
			return s.emitBroken(name, emit, nil)
		}
		return emit(u)
	})
}

func (s *Source) emitBroken(name string, emit func(piimap.Unit) error, ret error) error {
	if !s.sel.Match(name) {
		return ret
	}
	format := DetectFormat(name, nil, true)
	if format == "" {
		format = piimap.FormatText
	}
	if err := emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: format,
		Gzip: strings.EqualFold(path.Ext(name), ".gz")}); err != nil {
		return err
	}
	return ret
}

// emitSkipped lists a unit the source will not read, with the reason its
// read returns.
func (s *Source) emitSkipped(name, reason string, emit func(piimap.Unit) error) error {
	if !s.sel.Match(name) {
		return nil
	}
	format := DetectFormat(name, nil, true)
	if format == "" {
		format = piimap.FormatText
	}
	return emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: format,
		Meta: map[string]string{MetaSkipped: reason}})
}

func (s *Source) loc(name string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.namespace, Name: name}
}

// detect reads a file's head (decompressed when gzip) and builds its unit;
// binary content becomes a skipped unit (MetaSkipped) with the reason.
func (s *Source) detect(name string) (piimap.Unit, error) {
	f, fi, err := s.open(name)
	if err != nil {
		return piimap.Unit{}, err
	}
	defer f.Close()
	u := piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Size: fi.Size()}
	head := make([]byte, HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return u, err
	}
	head = head[:n]
	complete := int64(n) == fi.Size()
	if IsGzip(head) {
		u.Gzip = true
		inner, done := gunzipHead(head, f)
		head, complete = inner, done
	}
	u.Format = DetectFormat(name, head, complete)
	if u.Format == "" {
		u.Format = piimap.FormatText
		why := BinaryReason(head)
		if why == "" {
			why = "binary content"
		}
		u.Meta = map[string]string{MetaSkipped: why + reasonContent}
		return u, nil
	}
	if u.Format == piimap.FormatCSV || u.Format == piimap.FormatTSV {
		if d, ok := SniffDelimiter(head, complete); ok {
			u.Meta = map[string]string{"delimiter": string(d)}
		}
	}
	return u, nil
}

// Skip reasons for content the source does not read (as opposed to the
// containment reasons of contain.go): their reads wrap
// piimap.ErrUnsupported, not piimap.ErrOutsideRoot.
const (
	reasonContent    = "; not read — piimap reads text, CSV/TSV, JSON, JSONL and Parquet (optionally gzip-compressed)"
	reasonNotRegular = "not a regular file ("
)

func contentSkip(why string) bool {
	return strings.HasSuffix(why, reasonContent) || strings.HasPrefix(why, reasonNotRegular)
}

// kindName names a non-regular file's type for a skip reason.
func kindName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return m.Type().String()
}

// gunzipHead decompresses up to HeadSize bytes of a gzip object whose first
// bytes are head (the rest still in f). done is true when the whole object
// decompressed within the head.
func gunzipHead(head []byte, f io.Reader) ([]byte, bool) {
	zr, err := gzip.NewReader(io.MultiReader(bytes.NewReader(head), f))
	if err != nil {
		return nil, false
	}
	out := make([]byte, HeadSize)
	n, err := io.ReadFull(zr, out)
	return out[:n], errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// Read emits the unit's records with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample emits a structured unit's sampled field values (one record per
// field, or several in a full read) or a text unit's chunks (always in
// full). Errors name the object and wrap piimap.ErrNotFound for a missing
// object and piimap.ErrCorrupt for content that does not parse.
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
		return scanner.ScrubError(fmt.Errorf("files: read %s: %w", EscapeName(u.Loc.Name), err), s.scrubPaths()...)
	}
	return nil
}

func (s *Source) read(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if why := u.Meta[MetaSkipped]; why != "" {
		if contentSkip(why) { // binary, or not a regular file: unsupported content
			return fmt.Errorf("%s: %w", why, piimap.ErrUnsupported)
		}
		return fmt.Errorf("%s: %w", why, piimap.ErrOutsideRoot)
	}
	rel, err := s.rel(u.Loc.Name)
	if err != nil {
		return err
	}
	f, fi, err := s.open(rel)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("open: %w", piimap.ErrNotFound)
		}
		return fmt.Errorf("open: %w", trimPath(err))
	}
	defer f.Close()

	var r io.Reader = f
	if u.Gzip {
		zr, err := NewGzipReader(f)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	key := u.Loc.Name
	toRecords := func(b *Batch) error { return emitBatch(u, b, emit) }
	switch u.Format {
	case piimap.FormatCSV, piimap.FormatTSV:
		var comma rune
		if d := u.Meta["delimiter"]; d != "" {
			comma = []rune(d)[0]
		} else if u.Format == piimap.FormatTSV {
			comma = '\t'
		}
		return SampleDelimited(ctx, r, comma, smp, key, toRecords)
	case piimap.FormatJSONL:
		return SampleJSONL(ctx, r, smp, key, toRecords)
	case piimap.FormatJSON:
		return SampleJSON(ctx, r, smp, key, toRecords)
	case piimap.FormatParquet:
		if !u.Gzip {
			return SampleParquet(ctx, f, fi.Size(), smp, key, toRecords)
		}
		data, err := io.ReadAll(io.LimitReader(r, MaxGzipParquet+1))
		if err != nil {
			return err
		}
		if len(data) > MaxGzipParquet {
			return fmt.Errorf("gzip-compressed parquet larger than %d bytes: %w", MaxGzipParquet, piimap.ErrUnsupported)
		}
		return SampleParquet(ctx, bytes.NewReader(data), int64(len(data)), smp, key, toRecords)
	case piimap.FormatText:
		return ChunkText(ctx, r, s.ChunkSize, func(c Chunk) error {
			return emit(piimap.Record{Loc: u.Loc.Asset(), Data: c.Data, Offset: c.Offset, Line: c.Line})
		})
	default:
		return fmt.Errorf("format %q: %w", u.Format, piimap.ErrUnsupported)
	}
}

// rel checks an asset name and returns the slash-separated path under the
// root it names, refusing names that would escape the root (UnsafeName) or
// are not in canonical form.
func (s *Source) rel(name string) (string, error) {
	if why := UnsafeName(name); why != "" {
		return "", fmt.Errorf("%s: not an object of this store: %w", why, piimap.ErrUnsupported)
	}
	clean := path.Clean("/" + name)
	if clean == "/" || clean[1:] != strings.TrimSuffix(name, "/") {
		return "", fmt.Errorf("not an object of this store: %w", piimap.ErrNotFound)
	}
	return clean[1:], nil
}

// scrubPaths are the machine paths kept out of error messages, longest
// first.
func (s *Source) scrubPaths() []string {
	if len(s.real) > len(s.root) {
		return []string{s.real, s.root}
	}
	return []string{s.root, s.real}
}

// emitBatch turns a batch into one record per field.
func emitBatch(u piimap.Unit, b *Batch, emit func(piimap.Record) error) error {
	for _, f := range b.Fields {
		vals := b.Values[f]
		meta := map[string]string{
			piimap.MetaRowsSampled: strconv.Itoa(b.Rows),
			piimap.MetaRowsTotal:   strconv.FormatInt(b.Total, 10),
		}
		if t := b.Types[f]; t != "" {
			meta[piimap.MetaSQLType] = t
		}
		if scanner.LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if n := b.Cut[f]; n > 0 {
			meta[MetaTruncated] = truncatedNote(n)
		}
		if err := emit(piimap.Record{Loc: u.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
	}
	return nil
}

// Decompression limits. A gzip object whose decompressed size passes
// MaxGzipOutput bytes, or whose decompressed bytes outnumber the compressed
// bytes read by more than MaxGzipRatio to 1 (checked once past
// gzipRatioFloor bytes of output), stops being read: the bytes before count
// and the unit fails with "gzip bomb: …". Set them before a scan; 0 turns a
// limit off.
var (
	MaxGzipOutput int64 = 1 << 30
	MaxGzipRatio  int64 = 200
)

// gzipRatioFloor is the output below which the ratio is not checked: a
// small, very repetitive file is not a bomb.
const gzipRatioFloor = 4 << 20

// gzipErrs marks decompression failures (truncated stream, bad checksum)
// as corrupt input and enforces the decompression limits.
type gzipErrs struct {
	r   io.Reader
	in  *countReader // compressed bytes read
	out int64
}

func (g *gzipErrs) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if lim := MaxGzipOutput; lim > 0 && g.out > lim {
		return n, fmt.Errorf("gzip bomb: decompressed size exceeds %d bytes (files.MaxGzipOutput) after %d compressed bytes; the rest is not read: %w",
			lim, g.in.n, piimap.ErrUnsupported)
	}
	if lim := MaxGzipRatio; lim > 0 && g.out > gzipRatioFloor && g.in.n > 0 && g.out/g.in.n > lim {
		return n, fmt.Errorf("gzip bomb: ratio %d:1 exceeds %d:1 (files.MaxGzipRatio; %d bytes from %d compressed); the rest is not read: %w",
			g.out/g.in.n, lim, g.out, g.in.n, piimap.ErrUnsupported)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return n, fmt.Errorf("gzip: truncated stream: %w", piimap.ErrCorrupt)
		}
		return n, fmt.Errorf("gzip: %v: %w", err, piimap.ErrCorrupt)
	}
	return n, err
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// trimPath drops the absolute path from *fs.PathError so errors name the
// object, not the machine's layout, and says plainly when os.Root refused
// a path that resolves outside the root.
func trimPath(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if strings.Contains(pe.Err.Error(), "escapes") { // os.Root: a link appeared after the check
		return fmt.Errorf("path resolves outside the store root (a link appeared after the check); not followed: %w", piimap.ErrOutsideRoot)
	}
	return fmt.Errorf("%s: %w", pe.Op, pe.Err)
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: files.
func (s *Source) PipelineStage() int { return scanner.StageObjects }
