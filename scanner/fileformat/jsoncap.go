package fileformat

import (
	"io"
	"strings"
)

// cutMark ends a JSON string that jsonCapReader truncated: the escape of
// U+FFFE, a noncharacter no real text ends with. The flattener strips it
// and marks the cell as cut.
const (
	cutMark     = `\ufffe`
	cutMarkRune = "\ufffe"
)

// jsonCapReader copies JSON text, cutting every string (value or key)
// longer than max bytes of its encoded form at a character boundary —
// never inside an escape — and ending it with cutMark, so the decoder
// never holds more than max bytes of one string however long it is.
// Outside strings, a run of blanks is cut at 1 KiB and any other token (a
// number, a literal, garbage) at max bytes, so no input makes the decoder
// buffer more (a cut number may then fail to parse, which is reported). It
// does not validate: a raw newline (never inside a valid JSON string)
// resets it, so JSONL lines resynchronise after a broken one.
type jsonCapReader struct {
	r    io.Reader
	max  int
	buf  []byte
	out  []byte
	pend []byte
	err  error

	in   bool // inside a string
	esc  bool // after a backslash
	hex  int  // \u hex digits still to come
	n    int  // bytes of the current string kept
	drop bool // the current string is being cut
	cuts int64
	ws   int // length of the current run of blanks outside strings
	tok  int // length of the current other token outside strings
}

func newJSONCapReader(r io.Reader) *jsonCapReader {
	return &jsonCapReader{r: r, max: maxCell(), buf: make([]byte, 64<<10)}
}

func (c *jsonCapReader) Read(p []byte) (int, error) {
	for len(c.pend) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		n, err := c.r.Read(c.buf)
		c.err = err
		c.out = c.transform(c.buf[:n], c.out[:0])
		c.pend = c.out
	}
	n := copy(p, c.pend)
	c.pend = c.pend[n:]
	return n, nil
}

func (c *jsonCapReader) transform(in, out []byte) []byte {
	for _, b := range in {
		if !c.in {
			switch b {
			case '"':
				c.in, c.esc, c.hex, c.n, c.drop = true, false, 0, 0, false
				c.ws, c.tok = 0, 0
			case ' ', '\t', '\r':
				c.tok = 0
				if c.ws++; c.ws > 1<<10 { // a long run of blanks carries nothing
					continue
				}
			case '{', '}', '[', ']', ',', ':', '\n':
				c.ws, c.tok = 0, 0
			default: // numbers, literals, garbage: cut a token past max
				c.ws = 0
				if c.tok++; c.tok > c.max {
					continue
				}
			}
			out = append(out, b)
			continue
		}
		if b == '\n' { // not JSON: resynchronise
			c.in = false
			out = append(out, b)
			continue
		}
		switch {
		case c.esc:
			c.esc = false
			if b == 'u' {
				c.hex = 4
			}
		case c.hex > 0:
			c.hex--
		case b == '"':
			if c.drop {
				out = append(out, cutMark...)
				c.cuts++
			}
			c.in = false
			out = append(out, b)
			continue
		default:
			// A new character starts here (not inside an escape or a
			// multi-byte rune): the place to cut.
			if !c.drop && c.n >= c.max && (b < 0x80 || b >= 0xC0) {
				c.drop = true
			}
			if b == '\\' {
				c.esc = true
			}
		}
		if !c.drop {
			out = append(out, b)
			c.n++
		}
	}
	return out
}

// uncut strips cutMark from a flattened value or path; cut says it was
// there at the end of the value.
func uncut(v string) (string, bool) {
	if !strings.Contains(v, cutMarkRune) {
		return v, false
	}
	cut := strings.HasSuffix(v, cutMarkRune)
	return strings.ReplaceAll(v, cutMarkRune, ""), cut
}
