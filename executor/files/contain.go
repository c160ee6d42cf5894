package files

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/fileformat"
)

// Store-root containment. The handler never reads or writes through a
// symlink, and never outside its root (the configured directory with its
// own symlinks resolved):
//
//   - an asset must be a safe, canonical name (fileformat.UnsafeName: not
//     absolute, no . or .. segment, no control character);
//   - every component of its path is checked with Lstat from the real root
//     down: none may be a symlink, the last must be a regular file, and the
//     parent directory must resolve (filepath.EvalSymlinks) to itself under
//     the real root;
//   - a write also refuses a file with more than one hard link, whose other
//     names (possibly outside the root) a rewrite would leave holding the
//     old bytes;
//   - files are opened through an os.Root on the real root, which refuses
//     any path that resolves outside it even if a symlink is swapped in
//     after the check, and the opened file must be the one checked
//     (os.SameFile);
//   - a rewrite opens the verified parent directory as its own os.Root,
//     creates its temp file there (O_EXCL) and renames it over the entry
//     only if that entry is still the same regular file, so the rename
//     stays in that directory and replaces a regular file, never a link.
//
// Parquet is read and written by DuckDB by path: the path it is given has
// just been checked as above, but DuckDB's own open is not tied to that
// check, so a symlink swapped in between by someone who can write to the
// store directory is not excluded there (the rename still is).
//
// A refusal wraps piimap.ErrOutsideRoot (which matches ErrUnsupported), names the asset (escaped) and
// says why: planning turns it into an explicit gap (CheckMode, Count) and
// an erasure step fails instead of reporting done.

// refusal is a containment refusal for op on asset.
func (h *Handler) refusal(op, asset, why string) error {
	return fmt.Errorf("files: %s %s/%s: %s: %w", op, h.store, fileformat.EscapeName(asset), why, piimap.ErrOutsideRoot)
}

// writes reports whether op rewrites the file.
func writes(op string) bool { return op == opErase || op == opRectify }

// Operations, as errors name them.
const (
	opFind    = "find"
	opCount   = "count"
	opErase   = "erase"
	opRectify = "rectify"
	opExport  = "export"
	opVersion = "version"
)

func through(op string) string {
	if writes(op) {
		return "refusing to write through it"
	}
	return "refusing to read through it"
}

// locate checks that asset names a regular file under the real root with no
// symlink on its path (and, for a write, a single hard link), and returns
// its slash-separated relative path, absolute path and Lstat info.
func (h *Handler) locate(op, asset string) (rel, abs string, info os.FileInfo, err error) {
	if why := fileformat.UnsafeName(asset); why != "" {
		return "", "", nil, h.refusal(op, asset, why+"; not a file under the store root, refusing it")
	}
	if filepath.Separator != '/' && strings.ContainsRune(asset, filepath.Separator) {
		// Asset names use '/'; a native separator would hide a component
		// from the checks below.
		return "", "", nil, h.refusal(op, asset, "name holds a native path separator; refusing it")
	}
	rel = path.Clean(asset)
	if rel != asset {
		return "", "", nil, h.refusal(op, asset, "not a canonical file name under the store root; refusing it")
	}
	parts := strings.Split(rel, "/")
	abs = h.real
	for i, part := range parts {
		abs = filepath.Join(abs, part)
		info, err = os.Lstat(abs)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // no machine path in the message
			}
			if errors.Is(err, fs.ErrNotExist) {
				return "", "", nil, fmt.Errorf("files: %s %s/%s: %w: %w", op, h.store, fileformat.EscapeName(asset), err, piimap.ErrNotFound)
			}
			return "", "", nil, fmt.Errorf("files: %s %s/%s: %w", op, h.store, fileformat.EscapeName(asset), err)
		}
		last := i == len(parts)-1
		switch {
		case info.Mode()&fs.ModeSymlink != 0 && last:
			return "", "", nil, h.refusal(op, asset, "symlink; "+through(op))
		case info.Mode()&fs.ModeSymlink != 0:
			return "", "", nil, h.refusal(op, asset, fileformat.EscapeName(strings.Join(parts[:i+1], "/"))+" is a symlinked directory; "+through(op))
		case !last && !info.IsDir():
			return "", "", nil, fmt.Errorf("files: %s %s/%s: %s is not a directory: %w", op, h.store, fileformat.EscapeName(asset),
				fileformat.EscapeName(strings.Join(parts[:i+1], "/")), piimap.ErrNotFound)
		case last && !info.Mode().IsRegular():
			return "", "", nil, h.refusal(op, asset, fmt.Sprintf("not a regular file (%s); refusing it", kindOf(info.Mode())))
		}
	}
	dir := filepath.Dir(abs)
	if real, err := filepath.EvalSymlinks(dir); err != nil || real != dir {
		return "", "", nil, h.refusal(op, asset, "its directory does not resolve to itself under the store root; "+through(op))
	}
	if n := hardLinks(info); writes(op) && n > 1 {
		return "", "", nil, h.refusal(op, asset, fmt.Sprintf("file has %d hard links, and a rewrite would leave the other names "+
			"(possibly outside the store root) holding the old bytes; break the link first (copy the file, move the copy over it)", n))
	}
	return rel, abs, info, nil
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return m.Type().String()
}

// openFile opens the located file through the root for reading and checks
// that it is the file locate saw.
func (h *Handler) openFile(f file) (*os.File, error) {
	fh, err := h.fsroot.OpenFile(f.rel, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, trimPath(err)
	}
	if err := sameRegular(fh, f.info); err != nil {
		fh.Close()
		return nil, err
	}
	return fh, nil
}

// sameRegular checks that the open file is the regular file want describes.
func sameRegular(fh *os.File, want os.FileInfo) error {
	got, err := fh.Stat()
	if err != nil {
		return trimPath(err)
	}
	if !got.Mode().IsRegular() || !os.SameFile(got, want) {
		return fmt.Errorf("replaced while being opened (not the file checked); retry: %w", piimap.ErrInvalidState)
	}
	return nil
}

// trimPath drops the machine path from a *fs.PathError, and says plainly
// when os.Root refused a path that resolves outside the root (a link
// swapped in after the check).
func trimPath(err error) error {
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return err
	}
	if strings.Contains(pe.Err.Error(), "escapes") {
		return fmt.Errorf("path resolves outside the store root (a link appeared after the check); refused: %w", piimap.ErrOutsideRoot)
	}
	return fmt.Errorf("%s: %w", pe.Op, pe.Err)
}
