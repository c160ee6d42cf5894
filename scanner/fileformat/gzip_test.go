package fileformat_test

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
)

// TestChunkTextNUL: NULs become spaces, offsets unchanged.
func TestChunkTextNUL(t *testing.T) {
	in := []byte("x\x00gina@example.test\x00\x00y\n")
	var got []byte
	require.NoError(t, fileformat.ChunkText(context.Background(), bytes.NewReader(in), 0, func(c fileformat.Chunk) error {
		got = append(got, c.Data...)
		return nil
	}))
	assert.Equal(t, "x gina@example.test  y\n", string(got))
}

// TestGzipReaderOutputLimit: the reader both sources decompress through
// stops past MaxGzipOutput, whatever the ratio (the files source's scan of
// the same is TestGzipOutputLimit there).
func TestGzipReaderOutputLimit(t *testing.T) {
	old := fileformat.MaxGzipOutput
	fileformat.MaxGzipOutput = 1 << 20
	t.Cleanup(func() { fileformat.MaxGzipOutput = old })
	rnd := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	for b.Len() < 3<<20 {
		b.WriteString("word")
		b.WriteByte(byte('a' + rnd.IntN(26)))
		b.WriteByte(byte('a' + rnd.IntN(26)))
		b.WriteByte(' ')
	}
	zr, err := fileformat.NewGzipReader(bytes.NewReader(fileformattest.Gzip(t, []byte(b.String()))))
	require.NoError(t, err)
	_, err = io.ReadAll(zr)
	require.ErrorIs(t, err, piimap.ErrUnsupported)
	assert.Contains(t, err.Error(), "gzip.max_output")
}
