package filerewrite

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/piimap/piimap/executor/driver"
)

// Redacted replaces an identifier in a redacted log line.
const Redacted = "[REDACTED]"

// maxLine bounds one text line held in memory (a 10 MB single-line log is
// fine; a runaway binary blob is not).
const maxLine = 64 << 20

// blockSize is how much of a stream the line walkers read at once.
var blockSize = 256 << 10 // a variable for tests

// walkLines streams r in blocks of whole lines. A block pre rules out
// holds nothing the subject's: it goes whole to skip (when not nil) with
// its number of lines, and nothing parses it. The lines of the other
// blocks go one by one to visit, with their terminator and their number,
// counted from 1 across the stream. So a lookup reads a large log at
// about the speed of the prefilter's byte search.
func walkLines(r io.Reader, pre *driver.Prefilter, skip func(block []byte, lines int64) error, visit func(n int64, line []byte) error) error {
	tooLong := func(int64, int) (longLine, error) { return nil, errors.New("line longer than 64 MiB") }
	return walkLinesMax(r, pre, maxLine, tooLong, skip, visit)
}

// A longLine takes a line too long to hold, piece by piece (last: the
// piece that ends it).
type longLine func(piece []byte, last bool) error

// walkLinesMax is walkLines holding lines up to about limit bytes: a line
// that does not fit the buffer once it is over limit goes, in pieces, to
// the longLine over(its number, the buffer's size) returns, or the walk
// ends with over's error.
func walkLinesMax(r io.Reader, pre *driver.Prefilter, limit int, over func(line int64, size int) (longLine, error), skip func(block []byte, lines int64) error, visit func(n int64, line []byte) error) error {
	buf := make([]byte, blockSize)
	var n int64
	end := 0 // buf[:end] holds unvisited bytes
	for {
		m, err := io.ReadFull(r, buf[end:])
		end += m
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return err
		}
		cut := bytes.LastIndexByte(buf[:end], '\n') + 1
		if eof {
			if end == 0 {
				return nil
			}
			cut = end
		}
		if cut == 0 { // one line fills the buffer: grow it
			if len(buf) > limit {
				ll, err := over(n+1, len(buf))
				if err != nil {
					return err
				}
				n++
				if end, err = streamLine(r, buf, end, ll); err != nil {
					return err
				}
				continue
			}
			buf = append(buf, make([]byte, len(buf))...)
			continue
		}
		block := buf[:cut]
		if !pre.MayMatch(block) {
			lines := int64(bytes.Count(block, []byte{'\n'}))
			if block[len(block)-1] != '\n' {
				lines++
			}
			if skip != nil {
				if err := skip(block, lines); err != nil {
					return err
				}
			}
			n += lines
		} else {
			for len(block) > 0 {
				i := bytes.IndexByte(block, '\n') + 1
				if i == 0 {
					i = len(block)
				}
				n++
				if err := visit(n, block[:i]); err != nil {
					return err
				}
				block = block[i:]
			}
		}
		if eof {
			return nil
		}
		end = copy(buf, buf[cut:end])
	}
}

// streamLine hands a long line to ll: buf[:end] (its start), then the
// rest from r up to its \n. It returns how many bytes after the line it
// left at the start of buf.
func streamLine(r io.Reader, buf []byte, end int, ll longLine) (int, error) {
	if err := ll(buf[:end], false); err != nil {
		return 0, err
	}
	for {
		m, err := io.ReadFull(r, buf)
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return 0, err
		}
		if i := bytes.IndexByte(buf[:m], '\n'); i >= 0 {
			if err := ll(buf[:i+1], true); err != nil {
				return 0, err
			}
			return copy(buf, buf[i+1:m]), nil
		}
		if eof {
			return 0, ll(buf[:m], true)
		}
		if err := ll(buf[:m], false); err != nil {
			return 0, err
		}
	}
}

// walkText streams the lines of r (content without terminator,
// terminator) to visit, and the blocks pre rules out to skip (see
// walkLines).
func walkText(r io.Reader, pre *driver.Prefilter, skip func(block []byte, lines int64) error, visit func(n int64, content []byte, term string) error) error {
	return walkLines(r, pre, skip, func(n int64, line []byte) error {
		content, term := lineEnd(line)
		return visit(n, content, term)
	})
}

// lineSpans returns the spans of a text line matched by ms, with those of
// the companions when ms matched (driver.LineSpans), asking pre first (a
// block can pass while most of its lines cannot match).
func lineSpans(pre *driver.Prefilter, content []byte, ms, companions []driver.Match) []driver.Span {
	if !pre.MayMatch(content) {
		return nil
	}
	return driver.LineSpans(string(content), ms, companions)
}

// redactLine rewrites a matched line for the mode: redact replaces each
// identifier with [REDACTED], mask with its HMAC token; drop returns keep
// false.
func redactLine(line []byte, spans []driver.Span, mode driver.Mode, key []byte) (out []byte, keep bool) {
	if mode == driver.ModeDrop || mode == driver.ModeDelete {
		return nil, false
	}
	out = make([]byte, 0, len(line))
	prev := 0
	for _, sp := range spans {
		out = append(out, line[prev:sp.Start]...)
		if mode == driver.ModeMask {
			out = append(out, "[hmac:"...)
			out = append(out, driver.MaskToken(key, string(line[sp.Start:sp.End]))...)
			out = append(out, ']')
		} else {
			out = append(out, Redacted...)
		}
		prev = sp.End
	}
	return append(out, line[prev:]...), true
}

// lineEnd splits a raw line into its content and its terminator ("\n",
// "\r\n" or "" for a last line without one).
func lineEnd(raw []byte) ([]byte, string) {
	s := string(raw)
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return raw[:len(raw)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		return raw[:len(raw)-1], "\n"
	}
	return raw, ""
}
