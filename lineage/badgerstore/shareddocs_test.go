package badgerstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/lineage/lineagetest"
)

func TestSharedDocsSuite(t *testing.T) {
	lineagetest.RunDocStoreSuite(t, func(t *testing.T) lineage.DocStore {
		return badgerstore.NewSharedDocs(t.TempDir())
	})
}

// TestSharedDocsLock: SharedDocs holds the directory only during an
// operation, waits for another holder to let go, and gives up with
// ErrLocked after Wait.
func TestSharedDocsLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := badgerstore.NewSharedDocs(dir)
	require.Equal(t, badgerstore.DefaultLockWait, d.Wait)
	require.NoError(t, d.PutDoc(ctx, "k", "a", []byte(`{"n":1}`)))

	// Between operations the directory is free: a scan can open it.
	g, err := badgerstore.Open(dir)
	require.NoError(t, err, "SharedDocs keeps no lock between operations")

	// Held for longer than Wait: ErrLocked.
	d.Wait = 100 * time.Millisecond
	require.ErrorIs(t, d.PutDoc(ctx, "k", "b", []byte(`{"n":2}`)), badgerstore.ErrLocked)

	// A cancelled context stops the wait.
	d.Wait = time.Minute
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, d.PutDoc(cctx, "k", "b", []byte(`{"n":2}`)), context.Canceled)

	// Released during the wait: the operation goes through.
	go func() {
		time.Sleep(300 * time.Millisecond)
		_ = g.Close()
	}()
	require.NoError(t, d.PutDoc(ctx, "k", "b", []byte(`{"n":2}`)))
	got, err := d.GetDoc(ctx, "k", "b")
	require.NoError(t, err)
	require.JSONEq(t, `{"n":2}`, string(got))
}
