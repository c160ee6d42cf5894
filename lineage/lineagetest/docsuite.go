package lineagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// RunDocStoreSuite runs the behaviour every lineage.DocStore must have.
func RunDocStoreSuite(t *testing.T, open func(t *testing.T) lineage.DocStore) {
	ctx := context.Background()
	t.Run("PutGet", func(t *testing.T) {
		d := open(t)
		require.NoError(t, d.PutDoc(ctx, "request", "r1", []byte(`{"id":"r1"}`)))
		got, err := d.GetDoc(ctx, "request", "r1")
		require.NoError(t, err)
		require.JSONEq(t, `{"id":"r1"}`, string(got))
		require.NoError(t, d.PutDoc(ctx, "request", "r1", []byte(`{"id":"r1","v":2}`)))
		got, err = d.GetDoc(ctx, "request", "r1")
		require.NoError(t, err)
		require.JSONEq(t, `{"id":"r1","v":2}`, string(got), "put replaces")
		got[0] = 'X'
		again, err := d.GetDoc(ctx, "request", "r1")
		require.NoError(t, err)
		require.Equal(t, byte('{'), again[0], "GetDoc returns a copy")
	})
	t.Run("NotFound", func(t *testing.T) {
		d := open(t)
		_, err := d.GetDoc(ctx, "request", "missing")
		require.ErrorIs(t, err, piimap.ErrNotFound)
		require.NoError(t, d.PutDoc(ctx, "plan", "p1", []byte("{}")))
		_, err = d.GetDoc(ctx, "request", "p1")
		require.ErrorIs(t, err, piimap.ErrNotFound, "kinds are separate namespaces")
	})
	t.Run("ListOrder", func(t *testing.T) {
		d := open(t)
		ids := []string{"0003", "0001", "0010", "0002"}
		for _, id := range ids {
			require.NoError(t, d.PutDoc(ctx, "audit", id, []byte(id)))
		}
		// Kinds that share a prefix must not leak into each other's lists.
		require.NoError(t, d.PutDoc(ctx, "audit2", "0000", []byte("x")))
		require.NoError(t, d.PutDoc(ctx, "audi", "0000", []byte("x")))
		var got []string
		require.NoError(t, d.ListDocs(ctx, "audit", func(id string, data []byte) error {
			require.Equal(t, id, string(data))
			got = append(got, id)
			return nil
		}))
		require.Equal(t, []string{"0001", "0002", "0003", "0010"}, got)
		var none int
		require.NoError(t, d.ListDocs(ctx, "empty", func(string, []byte) error { none++; return nil }))
		require.Zero(t, none)
	})
	t.Run("ListStops", func(t *testing.T) {
		d := open(t)
		for _, id := range []string{"a", "b", "c"} {
			require.NoError(t, d.PutDoc(ctx, "k", id, nil))
		}
		stop := fmt.Errorf("stop")
		n := 0
		err := d.ListDocs(ctx, "k", func(string, []byte) error { n++; return stop })
		require.ErrorIs(t, err, stop)
		require.Equal(t, 1, n)
	})
	t.Run("View", func(t *testing.T) {
		d := open(t)
		v, ok := d.(lineage.DocViewer)
		if !ok {
			t.Skip("no lineage.DocViewer")
		}
		require.NoError(t, d.PutDoc(ctx, "k", "a", []byte("lent")))
		require.NoError(t, d.PutDoc(ctx, "k", "empty", nil))
		var got []string
		for _, id := range []string{"a", "empty"} {
			require.NoError(t, v.ViewDoc(ctx, "k", id, func(b []byte) error {
				require.NotNil(t, b, "an empty document is lent as empty, not nil")
				got = append(got, string(b))
				return nil
			}))
		}
		require.Equal(t, []string{"lent", ""}, got)
		require.ErrorIs(t, v.ViewDoc(ctx, "k", "missing", func([]byte) error { return nil }), piimap.ErrNotFound)
		stop := fmt.Errorf("stop")
		require.ErrorIs(t, v.ViewDoc(ctx, "k", "a", func([]byte) error { return stop }), stop)
	})
	t.Run("Batch", func(t *testing.T) {
		d := open(t)
		if _, ok := d.(lineage.DocBatcher); !ok {
			t.Skip("no lineage.DocBatcher")
		}
		require.NoError(t, d.PutDoc(ctx, "k", "b", []byte("old")))
		require.NoError(t, lineage.PutDocs(ctx, d, "k", []lineage.Doc{{ID: "b", Data: []byte("new")}, {ID: "a", Data: []byte("A")}, {ID: "c"}}))
		require.NoError(t, lineage.PutDocs(ctx, d, "k", nil))
		got := map[string]string{}
		require.NoError(t, d.ListDocs(ctx, "k", func(id string, b []byte) error { got[id] = string(b); return nil }))
		require.Equal(t, map[string]string{"a": "A", "b": "new", "c": ""}, got, "a batch adds and replaces")
		require.Error(t, lineage.PutDocs(ctx, d, "k", []lineage.Doc{{ID: "", Data: []byte("x")}}), "a bad name is refused")
	})
	t.Run("Delete", func(t *testing.T) {
		d := open(t)
		del, ok := d.(lineage.DocDeleter)
		if !ok {
			t.Skip("no lineage.DocDeleter")
		}
		for _, id := range []string{"a", "b", "c"} {
			require.NoError(t, d.PutDoc(ctx, "k", id, []byte(id)))
		}
		require.NoError(t, d.PutDoc(ctx, "k2", "a", []byte("other kind")))
		require.NoError(t, del.DeleteDocs(ctx, "k", []string{"a", "c", "missing"}))
		var left []string
		require.NoError(t, d.ListDocs(ctx, "k", func(id string, _ []byte) error { left = append(left, id); return nil }))
		require.Equal(t, []string{"b"}, left)
		_, err := d.GetDoc(ctx, "k", "a")
		require.ErrorIs(t, err, piimap.ErrNotFound)
		_, err = d.GetDoc(ctx, "k2", "a")
		require.NoError(t, err, "other kinds are untouched")
		require.NoError(t, del.DeleteDocs(ctx, "k", nil))
	})
}
