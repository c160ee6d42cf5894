package filerewrite

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers/identifier"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
)

// A row of a streamed JSON document longer than jsonDocBound (an
// oversized row) is read twice, as bigcsv.go reads an oversized CSV
// record: first (scanBigJSON) into a spool while jsonLex cuts it, keeping
// its skeleton (its bytes with each string longer than jsonLongString
// replaced by a placeholder) and searching each such long string, decoded,
// for the subject's tokens (tokenMasker in JSON mode); then from the
// spool to the output, dropped when it is the subject's in mode delete,
// else copied with the subject's tokens in its long strings replaced.

// jsonLongString is the length over which a string of an oversized row is
// searched as text rather than held (at most jsonDocBound).
var jsonLongString = 1 << 20

// jsonSkeleton bounds the skeleton of an oversized row held to match it;
// beyond it the row is only prefiltered (a variable for tests).
var jsonSkeleton = 16 << 20

func longStringBound() int { return max(min(jsonLongString, jsonDocBound), 1) }

// newJSONMasker is a tokenMasker over a JSON string's raw content.
func newJSONMasker(ms []driver.Match, mode driver.Mode, key []byte, w io.Writer) *tokenMasker {
	m := newTokenMasker(ms, mode, key, w)
	m.json = true
	return m
}

func (m *tokenMasker) rawAt(i int) int {
	if i < len(m.pos) {
		return int(m.pos[i])
	}
	return len(m.raw)
}

// writeJSON takes raw string content (whole escapes): it decodes it into
// the window, each decoded byte remembering where its raw bytes start, so
// that a token written with escapes (\u0040) is found and replaced whole,
// and every other raw byte is written as it was. A surrogate pair cut
// between two pieces decodes as two U+FFFD.
func (m *tokenMasker) writeJSON(raw []byte) error {
	var tmp [utf8.UTFMax]byte
	for i := 0; i < len(raw); {
		if len(m.win)-m.done >= m.chunk+m.margin { // a window at a time
			if err := m.flush(false); err != nil {
				return err
			}
		}
		at := int32(len(m.raw))
		if raw[i] != '\\' || i+1 >= len(raw) {
			m.win, m.pos, m.raw = append(m.win, raw[i]), append(m.pos, at), append(m.raw, raw[i])
			i++
			continue
		}
		n, dec := 2, tmp[:0]
		switch c := raw[i+1]; c {
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				n, dec = 1, append(dec, '\\')
				break
			}
			n = 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if len(raw) >= i+12 && raw[i+6] == '\\' && raw[i+7] == 'u' {
					r2, ok = hex4(raw[i+8:])
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r, n = d, 12
				} else {
					r = utf8.RuneError
				}
			}
			dec = utf8.AppendRune(dec, r)
		case 'b', 'f', 'n', 'r', 't':
			dec = append(dec, "\b\f\n\r\t"[strings.IndexByte("bfnrt", c)])
		default: // \" \\ \/
			dec = append(dec, c)
		}
		m.raw = append(m.raw, raw[i:i+n]...)
		for _, b := range dec {
			m.win, m.pos = append(m.win, b), append(m.pos, at)
		}
		i += n
	}
	if len(m.win)-m.done >= m.chunk+m.margin {
		return m.flush(false)
	}
	return nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v), err == nil
}

// jsonEscapeText is b as JSON string content.
func jsonEscapeText(b []byte) []byte {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(string(b))
	return bytes.TrimSuffix(bytes.TrimSpace(out.Bytes())[1:], []byte{'"'})
}

// jsonLong is one long string of an oversized row.
type jsonLong struct {
	size int64
	hit  []bool // by match: a token of it is in the string
}

// jsonScan is the first read of an oversized row (a lexSink).
type jsonScan struct {
	ms      []driver.Match
	pre     *driver.Prefilter
	n       int
	nonce   string
	skel    []byte
	over    bool // the skeleton outgrew jsonDocBound: it was only prefiltered
	cur     []byte
	curLong bool
	curSize int64
	maskers []*tokenMasker
	longs   []jsonLong
	size    int64
}

func (s *jsonScan) placeholder(k int) string { return "piimap:long:" + s.nonce + ":" + strconv.Itoa(k) }

func (s *jsonScan) addSkel(b ...[]byte) error {
	for _, p := range b {
		s.skel = append(s.skel, p...)
	}
	if len(s.skel) <= jsonSkeleton {
		return nil
	}
	s.over = true
	if s.pre.MayMatch(s.skel) {
		return s.refuse()
	}
	s.skel = s.skel[:copy(s.skel, s.skel[max(len(s.skel)-longLineOverlap, 0):])]
	return nil
}

func (s *jsonScan) refuse() error {
	return fmt.Errorf("json row %d: more than %d bytes of it outside long strings, and they may hold the subject's data; a row that large is not read whole: %w",
		s.n, jsonSkeleton, piimap.ErrUnsupported)
}

func (s *jsonScan) other(b []byte) error { s.size += int64(len(b)); return s.addSkel(b) }

func (s *jsonScan) open() error {
	s.cur, s.curLong, s.curSize = s.cur[:0], false, 0
	return nil
}

func (s *jsonScan) str(b []byte) error {
	s.curSize += int64(len(b))
	if s.curLong {
		return s.feed(b)
	}
	s.cur = append(s.cur, b...)
	if len(s.cur) <= longStringBound() {
		return nil
	}
	s.curLong = true
	s.maskers = s.maskers[:0]
	for _, m := range s.ms {
		s.maskers = append(s.maskers, newJSONMasker([]driver.Match{m}, "", nil, nil))
	}
	err := s.feed(s.cur)
	s.cur = s.cur[:0]
	return err
}

func (s *jsonScan) feed(b []byte) error {
	for _, m := range s.maskers {
		if err := m.writeJSON(b); err != nil {
			return err
		}
	}
	return nil
}

func (s *jsonScan) close() error {
	s.size += s.curSize + 2
	if !s.curLong {
		return s.addSkel([]byte{'"'}, s.cur, []byte{'"'})
	}
	l := jsonLong{size: s.curSize, hit: make([]bool, len(s.ms))}
	for i, m := range s.maskers {
		if err := m.close(); err != nil {
			return err
		}
		l.hit[i] = m.hits > 0
	}
	s.longs = append(s.longs, l)
	return s.addSkel([]byte(strconv.Quote(s.placeholder(len(s.longs) - 1))))
}

// jsonBig is what the first read of an oversized row found.
type jsonBig struct {
	n       int
	size    int64
	matched bool // the subject's row
	hits    bool // a token of the subject's in a long string
	rec     *record
	scan    *jsonScan
}

// scanBigJSON reads oversized row n from src (copying it to spool when
// not nil) and matches it against t: by its skeleton as any row (a long
// string matching nothing), and by the subject's tokens in its long
// strings: a token of a match without a field, or of a match whose field
// is the long string's path, makes it the subject's row.
func scanBigJSON(n int, src *jsonSrc, t driver.Target, spool io.Writer) (jsonBig, error) {
	nonce := make([]byte, 8)
	_, _ = rand.Read(nonce)
	s := &jsonScan{ms: t.Match, pre: prefilterFor(t, piimap.FormatJSON), n: n, nonce: hex.EncodeToString(nonce)}
	if err := src.run(s, spool); err != nil {
		return jsonBig{}, err
	}
	res := jsonBig{n: n, size: s.size, scan: s}
	if s.over && s.pre.MayMatch(s.skel) {
		return res, s.refuse()
	}
	paths := map[string]string{}
	if !s.over {
		if !json.Valid(s.skel) {
			return res, jsonCorrupt("row %d is not valid JSON", n)
		}
		res.rec = jsonRecord(s.skel)
		res.matched = res.rec.matches(t.Match)
		dec := json.NewDecoder(bytes.NewReader(s.skel))
		dec.UseNumber()
		var v any
		_ = dec.Decode(&v)
		scanner.FlattenJSON("", v, func(p, val string) { paths[val] = p })
	}
	for k, l := range s.longs {
		for i, hit := range l.hit {
			if !hit {
				continue
			}
			res.hits = true
			m := t.Match[i]
			if m.Field == "" || (tokenKind(m.Kind) && paths[s.placeholder(k)] == m.Field) {
				res.matched = true
			}
		}
	}
	return res, nil
}

// tokenKind reports whether MatchValue finds values of kind as tokens
// inside a cell.
func tokenKind(kind string) bool { return identifier.IsIdentifier(kind) }

// row is the oversized row as a Find row: its values (only when it is the
// subject's) with a note in place of each long string; a row whose
// skeleton outgrew the bound is one note.
func (res jsonBig) row() ([]driver.Column, []any) {
	if res.rec == nil {
		return []driver.Column{{Name: "value", Type: "object"}},
			[]any{fmt.Sprintf("[json row of %d bytes, over %d: not exported]", res.size, jsonSkeleton)}
	}
	vals := make([]any, len(res.rec.vals))
	for i, v := range res.rec.vals {
		vals[i] = res.noted(v)
	}
	return res.rec.cols, vals
}

func (res jsonBig) noted(v any) any {
	switch x := v.(type) {
	case string:
		if rest, ok := strings.CutPrefix(x, "piimap:long:"+res.scan.nonce+":"); ok {
			if k, err := strconv.Atoi(rest); err == nil && k < len(res.scan.longs) {
				return fmt.Sprintf("[string of %d bytes, over %d: not exported]", res.scan.longs[k].size, longStringBound())
			}
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = res.noted(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = res.noted(e)
		}
		return out
	}
	if !res.matched {
		return nil
	}
	return v
}

// rewriteBigJSON rewrites oversized row n for RewriteStream to w (nothing
// is written when it is dropped); changed says whether it changed.
func rewriteBigJSON(n int, src *jsonSrc, w io.Writer, t driver.Target, key []byte) (changed bool, err error) {
	sp, err := newSpool()
	if err != nil {
		return false, fmt.Errorf("json row %d: spool: %w", n, err)
	}
	defer sp.Close()
	res, err := scanBigJSON(n, src, t, sp)
	if err != nil {
		return false, err
	}
	rectify := len(t.Changes) > 0
	if res.matched {
		if !rectify && t.Mode != driver.ModeNull && t.Mode != driver.ModeMask {
			return true, nil // mode delete: the row is dropped
		}
		what := "cleared (mode " + string(t.Mode) + ")"
		if rectify {
			what = "rectified"
		}
		return false, fmt.Errorf("json row %d of %d bytes (over %d) is the subject's; its fields cannot be %s streaming: %w",
			n, res.size, jsonDocBound, what, piimap.ErrUnsupported)
	}
	r, err := sp.reader()
	if err != nil {
		return false, fmt.Errorf("json row %d: spool: %w", n, err)
	}
	if !res.hits || rectify {
		_, err := io.Copy(w, r)
		return false, err
	}
	ws := &jsonMaskWrite{w: w, ms: t.Match, key: key, mode: driver.ModeRedact}
	if t.Mode == driver.ModeMask {
		ws.mode = driver.ModeMask
	}
	var lex jsonLex
	buf := make([]byte, jsonSegment)
	for {
		k, rerr := r.Read(buf)
		if k > 0 {
			used, err := lex.feed(buf[:k], ws)
			if err == nil && used < k {
				err = jsonCorrupt("row %d: bytes after its end in the spool", n)
			}
			if err != nil {
				return false, err
			}
		}
		if rerr == io.EOF {
			break
		} else if rerr != nil {
			return false, rerr
		}
	}
	if !lex.finish() {
		return false, jsonCorrupt("row %d: cut short in the spool", n)
	}
	return ws.hits > 0, nil
}

// jsonMaskWrite is the second read of an oversized row: it writes its
// bytes with the subject's tokens in its long strings replaced.
type jsonMaskWrite struct {
	w    io.Writer
	ms   []driver.Match
	key  []byte
	mode driver.Mode
	cur  []byte
	mask *tokenMasker
	hits int
}

func (s *jsonMaskWrite) other(b []byte) error { _, err := s.w.Write(b); return err }

func (s *jsonMaskWrite) open() error {
	s.cur, s.mask = s.cur[:0], nil
	_, err := s.w.Write([]byte{'"'})
	return err
}

func (s *jsonMaskWrite) str(b []byte) error {
	if s.mask != nil {
		return s.mask.writeJSON(b)
	}
	s.cur = append(s.cur, b...)
	if len(s.cur) <= longStringBound() {
		return nil
	}
	s.mask = newJSONMasker(s.ms, s.mode, s.key, s.w)
	err := s.mask.writeJSON(s.cur)
	s.cur = s.cur[:0]
	return err
}

func (s *jsonMaskWrite) close() error {
	if s.mask != nil {
		if err := s.mask.close(); err != nil {
			return err
		}
		s.hits += s.mask.hits
	} else if _, err := s.w.Write(s.cur); err != nil {
		return err
	}
	_, err := s.w.Write([]byte{'"'})
	return err
}
