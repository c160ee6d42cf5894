package files

import (
	"bufio"
	"errors"
	"io"

	"github.com/piimap/piimap/executor"
)

// Redacted replaces an identifier in a redacted log line.
const Redacted = "[REDACTED]"

// maxLine bounds one text line held in memory (a 10 MB single-line log is
// fine; a runaway binary blob is not).
const maxLine = 64 << 20

// walkText streams lines (content without terminator, terminator) to visit.
func walkText(r io.Reader, visit func(n int64, content []byte, term string) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var n int64
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			if len(long) > maxLine {
				return errors.New("line longer than 64 MiB")
			}
			continue
		}
		raw := chunk
		if long != nil {
			raw = append(long, chunk...)
			long = nil
		}
		if len(raw) > 0 {
			n++
			content, term := lineEnd(raw)
			if verr := visit(n, content, term); verr != nil {
				return verr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// redactLine rewrites a matched line for the mode: redact replaces each
// identifier with [REDACTED], mask with its HMAC token; drop returns keep
// false.
func redactLine(line []byte, spans []executor.Span, mode executor.Mode, key []byte) (out []byte, keep bool) {
	if mode == executor.ModeDrop || mode == executor.ModeDelete {
		return nil, false
	}
	out = make([]byte, 0, len(line))
	prev := 0
	for _, sp := range spans {
		out = append(out, line[prev:sp.Start]...)
		if mode == executor.ModeMask {
			out = append(out, "[hmac:"...)
			out = append(out, executor.MaskToken(key, string(line[sp.Start:sp.End]))...)
			out = append(out, ']')
		} else {
			out = append(out, Redacted...)
		}
		prev = sp.End
	}
	return append(out, line[prev:]...), true
}
