package filerewrite

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// The streaming path for CSV/TSV records longer than maxRecord (a 300 MB
// cell): such a record is never held whole. Its fields are cut by
// fieldWalker as they are read; a field up to maxRecord bytes is decoded
// as usual (a short cell), a longer one (an oversized cell) is read as
// free text in windows, with tokenMasker finding the subject's
// identifiers in it as whole tokens (driver.MatchText) across window
// boundaries.
//
// The record is the subject's when a short cell of a match field matches
// (as for any record), or when a match without a field finds a token in
// any cell. Since that is only known at the record's end, and the bytes
// before it cannot be taken back from the writer, a rewrite spools the
// record's bytes to an unlinked temp file encrypted with a key that only
// ever lives in memory (spool), then writes the record from it: not at all
// when it is the subject's in mode delete; else with the subject's tokens
// in oversized cells replaced ([REDACTED], or their HMAC token in mode
// mask) and, when it is the subject's in modes null and mask or in a
// rectification, the fields to clear re-encoded (an oversized one can only
// be nulled; masking or rectifying it is refused). Every other byte is
// copied as it was.

// bigSrc yields one oversized record's bytes: the head the walk read, then
// pieces from the walk's reader up to the record's end.
type bigSrc struct {
	head []byte
	br   *bufio.Reader
	fw   *fieldWalker // the walk's: it finds the record's end
	done bool         // the record's last bytes were given
	eof  bool         // the input ended
}

// next returns the record's next bytes (valid until the next call), and
// io.EOF after its last.
func (s *bigSrc) next() ([]byte, error) {
	if s.head != nil {
		h := s.head
		s.head = nil
		return h, nil
	}
	if s.done {
		return nil, io.EOF
	}
	seg, err := s.br.ReadSlice('\n')
	eof := errors.Is(err, io.EOF)
	if err != nil && !eof && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if len(seg) > 0 && s.fw.scan(seg) {
		s.done = true
	}
	if eof {
		s.done, s.eof = true, true
	}
	if len(seg) == 0 {
		return nil, io.EOF
	}
	return seg, nil
}

// drain reads past what is left of the record.
func (s *bigSrc) drain() error {
	for {
		if _, err := s.next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// walkFields feeds all of next's bytes, one record's, to a fieldWalker
// handing them to s.
func walkFields(next func() ([]byte, error), comma rune, s fieldSink) error {
	fw := fieldWalker{comma: byte(comma)}
	ended := false
	for {
		b, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if ended {
			return fmt.Errorf("csv: bytes after an oversized record's end: %w", piimap.ErrCorrupt)
		}
		if ended, err = fw.feed(b, s); err != nil {
			return err
		}
	}
	if !ended {
		_, err := fw.eof(s)
		return err
	}
	return nil
}

// bigScan is the first read of an oversized record: it keeps the short
// cells' values, counts the subject's tokens in the oversized ones and
// copies every byte to spool (when not nil).
type bigScan struct {
	comma   rune
	ms      []driver.Match
	textMs  []driver.Match // the matches without a field
	want    map[int]bool   // columns of match fields and fields to clear
	spool   io.Writer
	cur     []byte
	curBig  bool
	curSize int64
	all     *tokenMasker // the subject's tokens
	text    *tokenMasker // those of the matches without a field

	vals    map[int]string // short cells kept
	kept    int
	bigs    map[int]int64 // oversized cells: their sizes
	hits    int           // the subject's tokens in oversized cells
	textHit bool          // a match without a field found a token
}

func (s *bigScan) write(b []byte) error {
	if s.spool == nil {
		return nil
	}
	_, err := s.spool.Write(b)
	return err
}

func (s *bigScan) prefix(b []byte) error { return s.write(b) }

func (s *bigScan) field(_ int, b []byte) error {
	if err := s.write(b); err != nil {
		return err
	}
	s.curSize += int64(len(b))
	if s.curBig {
		return s.feedBig(b)
	}
	s.cur = append(s.cur, b...)
	if len(s.cur) > maxRecord {
		s.curBig = true
		s.all = newTokenMasker(s.ms, "", nil, nil)
		if len(s.textMs) > 0 {
			s.text = newTokenMasker(s.textMs, "", nil, nil)
		}
		err := s.feedBig(s.cur)
		s.cur = s.cur[:0]
		return err
	}
	return nil
}

func (s *bigScan) feedBig(b []byte) error {
	if s.text != nil {
		if err := s.text.write(b); err != nil {
			return err
		}
	}
	return s.all.write(b)
}

func (s *bigScan) end(i int, d []byte) error {
	if err := s.write(d); err != nil {
		return err
	}
	if s.curBig {
		if err := s.all.close(); err != nil {
			return err
		}
		s.hits += s.all.hits
		if s.text != nil {
			if err := s.text.close(); err != nil {
				return err
			}
			s.textHit = s.textHit || s.text.hits > 0
		}
		s.bigs[i] = s.curSize
	} else {
		if len(s.textMs) > 0 && len(driver.MatchText(string(s.cur), s.textMs)) > 0 {
			s.textHit = true
		}
		if s.want[i] || s.kept+len(s.cur) <= 2*maxRecord {
			v := decodeCell(s.cur, s.comma)
			s.vals[i] = v
			s.kept += len(v)
		}
	}
	s.cur, s.curBig, s.curSize, s.all, s.text = s.cur[:0], false, 0, nil, nil
	return nil
}

// bigResult is what the first read of an oversized record found.
type bigResult struct {
	matched bool // the subject's record
	hits    int  // the subject's tokens in its oversized cells
	vals    map[int]string
	bigs    map[int]int64
}

// scanBig reads an oversized record from src (copying it to spool when not
// nil) and matches it against t.
func scanBig(h *csvHeader, src *bigSrc, t driver.Target, spool io.Writer) (bigResult, error) {
	s := &bigScan{comma: h.comma, ms: t.Match, want: map[int]bool{}, spool: spool, vals: map[int]string{}, bigs: map[int]int64{}}
	for _, m := range t.Match {
		if m.Field == "" {
			s.textMs = append(s.textMs, m)
		}
	}
	for _, f := range append(t.ClearFields(), changedFields(t)...) {
		if i, ok := h.idx[f]; ok {
			s.want[i] = true
		}
	}
	if err := walkFields(src.next, h.comma, s); err != nil {
		return bigResult{}, err
	}
	res := bigResult{matched: s.textHit, hits: s.hits, vals: s.vals, bigs: s.bigs}
	for _, m := range t.Match {
		if m.Field == "" || res.matched {
			continue
		}
		if i, ok := h.idx[m.Field]; ok {
			if v, ok := s.vals[i]; ok && m.MatchValue(v) {
				res.matched = true
			}
		}
	}
	return res, nil
}

func changedFields(t driver.Target) []string {
	out := make([]string, 0, len(t.Changes))
	for f := range t.Changes {
		out = append(out, f)
	}
	return out
}

// row is the oversized record as a Find row: its short cells when it is
// the subject's (a record only holding the subject's tokens in an
// oversized cell shows none of its short cells), and for each oversized
// cell a note in place of its value.
func (res bigResult) row(h *csvHeader) ([]driver.Column, []any) {
	cols := make([]driver.Column, len(h.names))
	vals := make([]any, len(h.names))
	for i, name := range h.names {
		cols[i] = driver.Column{Name: name, Type: "VARCHAR"}
		if size, ok := res.bigs[i]; ok {
			vals[i] = fmt.Sprintf("[cell of %d bytes, over %d: not exported]", size, maxRecord)
		} else if v, ok := res.vals[i]; ok && res.matched {
			vals[i] = v
		}
	}
	return cols, vals
}

// bigWrite is the second read of an oversized record, from the spool: it
// writes the record to w with the subject's tokens in its oversized cells
// replaced (maskOn) and the cells of clear re-encoded.
type bigWrite struct {
	w      io.Writer
	comma  rune
	clear  map[int]string // column → field, when clearing
	c      clearer
	maskOn bool
	mode   driver.Mode // redactLine's
	key    []byte
	ms     []driver.Match

	cur     []byte
	curBig  bool
	mask    *tokenMasker
	changed bool
}

func (s *bigWrite) prefix(b []byte) error { _, err := s.w.Write(b); return err }

func (s *bigWrite) field(i int, b []byte) error {
	if s.curBig {
		return s.big(i, b)
	}
	s.cur = append(s.cur, b...)
	if len(s.cur) > maxRecord {
		s.curBig = true
		if _, ok := s.clear[i]; ok {
			s.changed = true // an oversized field to clear is nulled (rewriteBig refused masking or rectifying it)
		} else if s.maskOn {
			s.mask = newTokenMasker(s.ms, s.mode, s.key, s.w)
		}
		err := s.big(i, s.cur)
		s.cur = s.cur[:0]
		return err
	}
	return nil
}

func (s *bigWrite) big(i int, b []byte) error {
	if _, ok := s.clear[i]; ok {
		return nil // nulled: its bytes are dropped
	}
	if s.mask != nil {
		return s.mask.write(b)
	}
	_, err := s.w.Write(b)
	return err
}

func (s *bigWrite) end(i int, d []byte) error {
	field, clear := s.clear[i]
	switch {
	case s.curBig && s.mask != nil:
		if err := s.mask.close(); err != nil {
			return err
		}
		s.changed = s.changed || s.mask.hits > 0
	case s.curBig:
	case clear:
		out := s.cur
		old := decodeCell(s.cur, s.comma)
		if v, _ := s.c(field, old).(string); v != old {
			out = encodeCell(v, s.comma)
			s.changed = true
		}
		if _, err := s.w.Write(out); err != nil {
			return err
		}
	default:
		if _, err := s.w.Write(s.cur); err != nil {
			return err
		}
	}
	s.cur, s.curBig, s.mask = s.cur[:0], false, nil
	_, err := s.w.Write(d)
	return err
}

// rewriteBig rewrites one oversized record for RewriteStream; changed says
// whether it changed (dropped, a cell cleared, a token replaced).
func rewriteBig(h *csvHeader, n int, src *bigSrc, w io.Writer, t driver.Target, key []byte) (changed bool, err error) {
	sp, err := newSpool()
	if err != nil {
		return false, fmt.Errorf("csv record %d: spool: %w", n, err)
	}
	defer sp.Close()
	res, err := scanBig(h, src, t, sp)
	if err != nil {
		return false, fmt.Errorf("csv record %d: %w", n, err)
	}
	rectify := len(t.Changes) > 0
	if res.matched && !rectify && t.Mode != driver.ModeNull && t.Mode != driver.ModeMask {
		return true, nil // mode delete: the record is dropped
	}
	ws := &bigWrite{w: w, comma: h.comma, maskOn: !rectify, mode: driver.ModeRedact, key: key, ms: t.Match}
	if t.Mode == driver.ModeMask {
		ws.mode = driver.ModeMask
	}
	if res.matched {
		fields := t.ClearFields()
		ws.c = newClearer(t.Mode, key)
		if rectify {
			fields, ws.c = changedFields(t), rectifier(t.Changes)
		}
		ws.clear = map[int]string{}
		for _, f := range fields {
			i, ok := h.idx[f]
			if !ok {
				continue
			}
			if _, big := res.bigs[i]; big && (rectify || t.Mode == driver.ModeMask) {
				what := "masked"
				if rectify {
					what = "rectified"
				}
				return false, fmt.Errorf("csv record %d: field %s of the subject's record holds a cell of %d bytes (over %d), which cannot be %s streaming: %w",
					n, f, res.bigs[i], maxRecord, what, piimap.ErrUnsupported)
			}
			ws.clear[i] = f
		}
	}
	r, err := sp.reader()
	if err != nil {
		return false, fmt.Errorf("csv record %d: spool: %w", n, err)
	}
	buf := make([]byte, csvSegment)
	next := func() ([]byte, error) {
		k, err := r.Read(buf)
		if k > 0 {
			return buf[:k], nil
		}
		if err == nil {
			err = io.ErrNoProgress
		}
		return nil, err
	}
	if err := walkFields(next, h.comma, ws); err != nil {
		return false, fmt.Errorf("csv record %d: %w", n, err)
	}
	return ws.changed, nil
}

// tokenMasker streams text (an oversized cell's raw bytes) to w with the
// tokens of ms replaced as redactLine replaces them in mode, and counts
// them. The text goes through in windows of maskChunk bytes, each searched
// with margin bytes of the text before and after it, so a token across a
// window's edge is found whole and judged by its true neighbours. A nil w
// only counts.
type tokenMasker struct {
	ms     []driver.Match
	mode   driver.Mode
	key    []byte
	w      io.Writer
	win    []byte
	done   int // win[:done] is out already, kept as context
	hits   int
	chunk  int
	margin int
	// JSON mode (writeJSON, bigjson.go): win is the decoded text of a
	// JSON string's raw content raw, pos[i] the offset in raw of win[i].
	json bool
	raw  []byte
	pos  []int32
}

// maskChunk is tokenMasker's window (at most maxRecord).
var maskChunk = 1 << 20

func newTokenMasker(ms []driver.Match, mode driver.Mode, key []byte, w io.Writer) *tokenMasker {
	longest := 0
	for _, m := range ms {
		for _, v := range m.Values {
			longest = max(longest, len(v))
		}
	}
	return &tokenMasker{ms: ms, mode: mode, key: key, w: w,
		chunk: max(min(maskChunk, maxRecord), 16), margin: 4*longest + 64}
}

func (m *tokenMasker) write(b []byte) error {
	for len(b) > 0 {
		k := min(len(b), m.chunk)
		m.win = append(m.win, b[:k]...)
		b = b[k:]
		if len(m.win)-m.done >= m.chunk+m.margin {
			if err := m.flush(false); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *tokenMasker) close() error { return m.flush(true) }

func (m *tokenMasker) out(b []byte) error {
	if m.w == nil || len(b) == 0 {
		return nil
	}
	_, err := m.w.Write(b)
	return err
}

// flush writes the window up to margin bytes before its end (all of it
// when final), the tokens starting there replaced whole.
func (m *tokenMasker) flush(final bool) error {
	p := len(m.win)
	if !final {
		p -= m.margin
	}
	if p <= m.done && !final {
		return nil
	}
	prev := m.done
	for _, sp := range driver.MatchText(string(m.win), m.ms) {
		if sp.Start < m.done {
			continue // replaced by an earlier window
		}
		if sp.Start >= p {
			break
		}
		p = max(p, sp.End)
		if err := m.outText(prev, sp.Start); err != nil {
			return err
		}
		m.hits++
		if m.w != nil {
			repl, _ := redactLine(m.win[sp.Start:sp.End], []driver.Span{{Start: 0, End: sp.End - sp.Start}}, m.mode, m.key)
			if m.json {
				repl = jsonEscapeText(repl)
			}
			if err := m.out(repl); err != nil {
				return err
			}
		}
		prev = sp.End
	}
	if err := m.outText(prev, p); err != nil {
		return err
	}
	if final {
		m.win, m.done, m.raw, m.pos = m.win[:0], 0, m.raw[:0], m.pos[:0]
		return nil
	}
	keep := max(p-m.margin, 0)
	m.win = m.win[:copy(m.win, m.win[keep:])]
	m.done = p - keep
	if m.json {
		rk := m.rawAt(keep)
		m.raw = m.raw[:copy(m.raw, m.raw[rk:])]
		m.pos = m.pos[:copy(m.pos, m.pos[keep:])]
		for i := range m.pos {
			m.pos[i] -= int32(rk)
		}
	}
	return nil
}

// outText writes win[a:b] (in JSON mode, the raw bytes it was decoded from).
func (m *tokenMasker) outText(a, b int) error {
	if m.json {
		return m.out(m.raw[m.rawAt(a):m.rawAt(b)])
	}
	return m.out(m.win[a:b])
}

// spool holds an oversized record on disk between its two reads: an
// unlinked temp file (removed at Close where the system cannot unlink an
// open file), encrypted with AES-CTR under a random key that never leaves
// memory, so what it held is unreadable once the process is gone.
type spool struct {
	f     *os.File
	block cipher.Block
	iv    []byte
	bw    *bufio.Writer
	w     io.Writer
}

func newSpool() (*spool, error) {
	key := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", ".piimap-spool-*")
	if err != nil {
		return nil, err
	}
	_ = os.Remove(f.Name()) // unlinked while open (Unix); Close retries
	s := &spool{f: f, block: block, iv: iv, bw: bufio.NewWriterSize(f, 256<<10)}
	s.w = cipher.StreamWriter{S: cipher.NewCTR(block, iv), W: s.bw}
	return s, nil
}

func (s *spool) Write(b []byte) (int, error) { return s.w.Write(b) }

// reader rewinds the spool for its second read.
func (s *spool) reader() (io.Reader, error) {
	if err := s.bw.Flush(); err != nil {
		return nil, err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return cipher.StreamReader{S: cipher.NewCTR(s.block, s.iv), R: bufio.NewReaderSize(s.f, 256<<10)}, nil
}

func (s *spool) Close() error {
	err := s.f.Close()
	_ = os.Remove(s.f.Name())
	return err
}
