package files

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/fileformat"
)

// Store-root containment. The source walks the real root (the configured
// directory with its own symlinks resolved) and never follows a symlink
// below it:
//
//   - a symlink whose target resolves outside the root, a dangling or
//     looping symlink, and a symlink to a file inside the root that the
//     store's include/exclude leaves out are listed as skipped units
//     (fileformat.MetaSkipped), whose read fails with the reason;
//   - a symlink to a file or directory inside the root is not a unit: the
//     target is read once, under its own name, by the walk;
//   - a name holding control characters is listed as a skipped unit under
//     its escaped form (fileformat.EscapeName) and never opened.
//
// Every read opens the file through an os.Root on the real root after
// checking, component by component with Lstat, that no part of its path is
// a symlink and that it is a regular file; the opened file must be the one
// checked (os.SameFile), so a swap in between fails the read instead of
// reading another file.

// Skip reasons: they say what was not read and what to do about it.
const (
	reasonLinkOutside    = "symlink to outside the store root; not followed — copy the file into the root or add its directory as a store"
	reasonDirLinkOutside = "symlink to a directory outside the store root; not followed — add that directory as a store of its own"
	reasonLinkDangling   = "dangling symlink (its target does not exist or loops); not followed — remove the link or restore its target inside the store root"
	reasonUnsafeName     = "; not read — rename it"
)

func reasonLinkExcluded(target string) string {
	return "symlink to " + fileformat.EscapeName(target) + ", which this store's include/exclude leaves out; not followed — select the target itself"
}

// within returns p relative to root (slash-separated) when p is root or
// lies under it.
func within(root, p string) (string, bool) {
	rel, err := filepath.Rel(root, p)
	if err != nil || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// linkReason classifies the symlink at p: the skip reason and whether it
// links a directory, or "" when the link's target is inside the root and
// read under its own name.
func (s *Source) linkReason(p string) (reason string, dir bool) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return reasonLinkDangling, false
	}
	fi, err := os.Stat(target)
	if err != nil {
		return reasonLinkDangling, false
	}
	rel, inside := within(s.real, target)
	switch {
	case !inside && fi.IsDir():
		return reasonDirLinkOutside, true
	case !inside:
		return reasonLinkOutside, false
	case fi.IsDir(), !fi.Mode().IsRegular():
		return "", fi.IsDir() // walked under its own name (or not a file at all)
	case !s.sel.Match(rel):
		return reasonLinkExcluded(rel), false
	}
	return "", false
}

// open opens the regular file rel (slash-separated, already checked by
// rel()) beneath the real root without following any symlink.
func (s *Source) open(rel string) (*os.File, os.FileInfo, error) {
	parts := strings.Split(rel, "/")
	p := s.real
	var fi os.FileInfo
	for i, part := range parts {
		p = filepath.Join(p, part)
		var err error
		if fi, err = os.Lstat(p); err != nil {
			return nil, nil, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			// Replaced since the walk, or a made-up unit name.
			reason, _ := s.linkReason(p)
			if reason == "" {
				reason = "symlink; not followed — its target is read under its own name"
			}
			if i < len(parts)-1 {
				reason = "under " + fileformat.EscapeName(strings.Join(parts[:i+1], "/")) + ", a " + reason
			}
			return nil, nil, fmt.Errorf("%s: %w", reason, piimap.ErrOutsideRoot)
		}
	}
	root, err := os.OpenRoot(s.real)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	if fi.IsDir() {
		d, err := root.Open(rel) // an unreadable directory reports why
		if err != nil {
			return nil, nil, err
		}
		d.Close()
		return nil, nil, fmt.Errorf("is a directory: %w", piimap.ErrUnsupported)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("not a regular file (%s): %w", fi.Mode().Type(), piimap.ErrUnsupported)
	}
	f, err := root.OpenFile(rel, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, nil, err
	}
	got, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !os.SameFile(fi, got) || !got.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("replaced while being opened; retry: %w", piimap.ErrInvalidState)
	}
	return f, got, nil
}
