package fileformat

import (
	"bufio"
	"io"
)

// newPeekReader wraps r in a buffered reader large enough to peek HeadSize.
func newPeekReader(r io.Reader) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok && br.Size() >= HeadSize {
		return br
	}
	return bufio.NewReaderSize(r, HeadSize)
}
