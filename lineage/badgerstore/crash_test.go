package badgerstore

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOpenAfterCrashLeftEmptyMemtable reproduces what a kill -9 right after
// Badger created a memtable file leaves behind: an empty *.mem file. Open
// must recover instead of refusing the graph.
func TestOpenAfterCrashLeftEmptyMemtable(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, s.PutDoc(context.Background(), "req", "a", []byte(`{"x":1}`)))
	require.NoError(t, s.Close())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "00099.mem"), nil, 0o600))
	s, err = Open(dir)
	require.NoError(t, err, "an empty memtable file must not make the graph unopenable")
	defer s.Close()
	got, err := s.GetDoc(context.Background(), "req", "a")
	require.NoError(t, err)
	require.JSONEq(t, `{"x":1}`, string(got))
}

func TestNoEntries(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o600))
		return p
	}
	header := make([]byte, 4096)
	copy(header[8:], []byte{0x88, 0x35, 0xa7, 0x94, 0x5d, 0x2f, 0x63, 0x5f, 0x47, 0x8d, 0xdd, 0x53})
	withEntry := append([]byte(nil), header...)
	withEntry[100] = 7
	require.True(t, noEntries(write("empty.mem", nil)))
	require.True(t, noEntries(write("header.mem", header)))
	require.False(t, noEntries(write("entry.mem", withEntry)), "a memtable with an entry must never be removed")
	require.False(t, noEntries(filepath.Join(dir, "missing.mem")))
}
