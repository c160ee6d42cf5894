package filerewrite

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// readJSONHead reads a JSON document whole when it is at most
// jsonDocBound bytes (rest nil); otherwise rest is the whole document
// again, to be streamed.
func readJSONHead(r io.Reader) (data []byte, rest io.Reader, err error) {
	data, err = io.ReadAll(io.LimitReader(r, int64(jsonDocBound)+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > jsonDocBound {
		return nil, io.MultiReader(bytes.NewReader(data), r), nil
	}
	return data, nil, nil
}

// walkJSONRows streams the rows of the document in r to visit as
// walkStream does, and each row over jsonDocBound to big (nil: such a row
// is an error wrapping piimap.ErrUnsupported).
func walkJSONRows(r io.Reader, pre *driver.Prefilter, visit visitor, big func(n int, src *jsonSrc) error) error {
	if big == nil {
		big = func(n int, _ *jsonSrc) error {
			return fmt.Errorf("json row %d longer than %d bytes: %w", n, jsonDocBound, piimap.ErrUnsupported)
		}
	}
	none := func([]byte) error { return nil }
	return walkJSONStream(r, jsonRows{
		frame: none,
		sep:   func(int, []byte) error { return nil },
		row: func(_ int, raw []byte) error {
			var rec *record
			if pre.MayMatch(raw) {
				rec = jsonRecord(bytes.Clone(raw))
			}
			return visit(raw, rec)
		},
		big: big,
	})
}

// findJSON is FindStream for a JSON document: rows are visited as by
// walkStream; an oversized row that is the subject's, or holds a token of
// theirs in a long string, goes to add as jsonBig.row shows it.
func findJSON(ctx context.Context, r io.Reader, t driver.Target, visit visitor, add func([]driver.Column, []any) error) error {
	data, rest, err := readJSONHead(r)
	if err != nil {
		return err
	}
	pre := prefilterFor(t, piimap.FormatJSON)
	if rest == nil {
		return walkStream(bytes.NewReader(data), piimap.FormatJSON, pre, visit)
	}
	return walkJSONRows(rest, pre, visit, func(n int, src *jsonSrc) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := scanBigJSON(n, src, t, nil)
		if err != nil {
			return err
		}
		if !res.matched && !res.hits {
			return nil
		}
		return add(res.row())
	})
}

// rewriteJSONStream is RewriteStream for a document over jsonDocBound.
// Rows are rewritten as in a document read whole (rewriteBigJSON for
// oversized ones), every other byte copied as it was. A dropped row goes
// with the separator before it (after it, for the first row kept), so the
// rows left keep their own separators; a document read whole instead joins
// them with its first separator, the same bytes where all are alike.
func rewriteJSONStream(ctx context.Context, r io.Reader, w io.Writer, t driver.Target, key []byte) (int64, error) {
	pre := prefilterFor(t, piimap.FormatJSON)
	var changed int64
	var pending []byte // the separator before the current row
	emitted := false   // a row was written
	emit := func(b []byte) error {
		if emitted {
			if _, err := w.Write(pending); err != nil {
				return err
			}
		}
		emitted = true
		_, err := w.Write(b)
		return err
	}
	err := walkJSONStream(r, jsonRows{
		frame: func(b []byte) error { return writeRaw(w, b) },
		sep: func(_ int, b []byte) error {
			pending = append(pending[:0], b...)
			return nil
		},
		row: func(n int, raw []byte) error {
			if n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if pre.MayMatch(raw) {
				if rec := jsonRecord(raw); rec.matches(t.Match) {
					if out, ok := erased(rec, t, key); ok {
						changed++
						if out == nil {
							return nil // dropped
						}
						raw = out
					}
				}
			}
			return emit(raw)
		},
		big: func(n int, src *jsonSrc) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			first := true // the separator goes before the row's first bytes
			out := writerFunc(func(b []byte) error {
				if first {
					first = false
					return emit(b)
				}
				return writeRaw(w, b)
			})
			ch, err := rewriteBigJSON(n, src, out, t, key)
			if ch {
				changed++
			}
			return err
		},
	})
	return changed, err
}

// writerFunc is an io.Writer calling f.
type writerFunc func([]byte) error

func (f writerFunc) Write(b []byte) (int, error) {
	if err := f(b); err != nil {
		return 0, err
	}
	return len(b), nil
}
