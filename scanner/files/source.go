package files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/idfilter"
)

// Kind is the store kind this package registers for file:// URLs.
const Kind = "files"

// MetaModTime is the unit meta key (an asset attribute in the graph)
// holding the file's modification time, RFC 3339 in UTC: the shadow
// report's retention check reads it (lineage/instructions). It is not
// the "modified" key of identifier-filter versions, which it leaves as
// they are.
const MetaModTime = "mod_time"

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
	idfilter.ObjectFormats // full scans build identifier filters of its objects
	cfg                    scanner.StoreConfig
	root                   string // absolute, cleaned, as configured
	real                   string // root with its symlinks resolved: what is walked and read
	namespace              string // file:///abs/dir
	sel                    *scanner.Selector
	ChunkSize              int // text chunk size; fileformat.DefaultChunkSize when 0
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
// (fileformat.MetaSkipped) whose read fails with the reason, so it shows as a unit
// error; piimap's own temp files (IsTempName) are not units. A file or
// directory that cannot be opened is still emitted, so that reading it
// reports the error for that unit instead of hiding it. Symlinks are never followed (contain.go): one whose target is
// inside the root is left to the walk, which reads the target under its own
// name; any other is emitted as a skipped unit (fileformat.MetaSkipped) whose read
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
		if why := fileformat.UnsafeName(name); why != "" {
			switch {
			case d != nil && d.IsDir() && walkErr == nil:
				return nil // each file below is reported under its escaped name
			case d != nil && d.IsDir():
				if err := s.emitSkipped(fileformat.EscapeName(name)+"/", why+reasonUnsafeName, emit); err != nil {
					return err
				}
				return fs.SkipDir
			}
			return s.emitSkipped(fileformat.EscapeName(name), why+reasonUnsafeName, emit)
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
	if err := emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: fileformat.FormatOf(name),
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
	return emit(piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Format: fileformat.FormatOf(name),
		Meta: map[string]string{fileformat.MetaSkipped: reason}})
}

func (s *Source) loc(name string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.namespace, Name: name}
}

// detect reads a file's head and builds its unit (fileformat.Sniff):
// binary content becomes a skipped unit (fileformat.MetaSkipped) with the reason.
func (s *Source) detect(name string) (piimap.Unit, error) {
	f, fi, err := s.open(name)
	if err != nil {
		return piimap.Unit{}, err
	}
	defer f.Close()
	u := piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitObject, Size: fi.Size(),
		Meta: map[string]string{MetaModTime: fi.ModTime().UTC().Format(time.RFC3339)}}
	head := make([]byte, fileformat.HeadSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return u, err
	}
	fileformat.Sniff(&u, head[:n], int64(n) == fi.Size(), f)
	return u, nil
}

// reasonNotRegular starts the skip reason of a fifo, socket or device.
// Like binary content (fileformat.ReasonContent), and unlike the
// containment reasons of contain.go, its read wraps
// piimap.ErrUnsupported, not piimap.ErrOutsideRoot.
const reasonNotRegular = "not a regular file ("

func contentSkip(why string) bool {
	return strings.HasSuffix(why, fileformat.ReasonContent) || strings.HasPrefix(why, reasonNotRegular)
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
		return scanner.ScrubError(fmt.Errorf("files: read %s: %w", fileformat.EscapeName(u.Loc.Name), err), s.scrubPaths()...)
	}
	return nil
}

func (s *Source) read(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if why := u.Meta[fileformat.MetaSkipped]; why != "" {
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
	if u.Format == piimap.FormatParquet && !u.Gzip {
		return fileformat.SampleParquet(ctx, f, fi.Size(), smp, u.Loc.Name, func(b *fileformat.Batch) error { return fileformat.EmitBatch(u, b, emit) })
	}
	return fileformat.ReadUnit(ctx, f, u, smp, s.ChunkSize, emit, func(r io.Reader, emit func(*fileformat.Batch) error) error {
		// gzip-wrapped Parquet has no random access: decompressed into memory
		data, err := io.ReadAll(io.LimitReader(r, MaxGzipParquet+1))
		if err != nil {
			return err
		}
		if len(data) > MaxGzipParquet {
			return fmt.Errorf("gzip-compressed parquet larger than %d bytes: %w", MaxGzipParquet, piimap.ErrUnsupported)
		}
		return fileformat.SampleParquet(ctx, bytes.NewReader(data), int64(len(data)), smp, u.Loc.Name, emit)
	})
}

// rel checks an asset name and returns the slash-separated path under the
// root it names, refusing names that would escape the root (fileformat.UnsafeName) or
// are not in canonical form.
func (s *Source) rel(name string) (string, error) {
	if why := fileformat.UnsafeName(name); why != "" {
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
