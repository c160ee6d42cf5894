package sqlkit_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/sqlkit"
	"github.com/stretchr/testify/require"
)

// fakeTx records what the skeleton did to one transaction.
type fakeTx struct{ log []string }

func (x *fakeTx) add(format string, a ...any) { x.log = append(x.log, fmt.Sprintf(format, a...)) }

// txn is a skeleton over a catalog where b references a.
func txn(readOnly bool, tx *fakeTx) sqlkit.Txn[*fakeTx, map[string]bool] {
	cat := map[string]map[string]bool{"a": {}, "b": {"a": true}, "c": {}}
	return sqlkit.Txn[*fakeTx, map[string]bool]{
		Kind: "fake", Store: "st", ReadOnly: readOnly,
		Tables: func(_ context.Context, assets ...string) (map[string]map[string]bool, error) {
			tx.add("tables %s", strings.Join(assets, ","))
			out := map[string]map[string]bool{}
			for _, a := range assets {
				if cat[a] == nil {
					return nil, fmt.Errorf("fake: st/%s: no such table: %w", a, piimap.ErrNotFound)
				}
				out[a] = cat[a]
			}
			return out, nil
		},
		Parents:  func(p map[string]bool) map[string]bool { return p },
		Begin:    func(_ context.Context, dry bool) (*fakeTx, error) { tx.add("begin dry=%v", dry); return tx, nil },
		Commit:   func(_ context.Context, tx *fakeTx) error { tx.add("commit"); return nil },
		Rollback: func(_ context.Context, tx *fakeTx) { tx.add("rollback") },
		Finish:   func(_ context.Context, tx *fakeTx) error { tx.add("finish"); return nil },
		Wrap: func(_ context.Context, what string, err error) error {
			return fmt.Errorf("fake: %s: %w", what, err)
		},
	}
}

func targets(assets ...string) []driver.Target {
	var ts []driver.Target
	for _, a := range assets {
		ts = append(ts, driver.Target{Asset: a})
	}
	return ts
}

func TestTxnRun(t *testing.T) {
	for _, dry := range []bool{false, true} {
		tx := &fakeTx{}
		res, err := txn(false, tx).Run(context.Background(), targets("a", "b", "c"), dry,
			func(_ context.Context, tx *fakeTx, i int, _ map[string]bool, t driver.Target, dry bool) (driver.Result, error) {
				tx.add("apply %d %s dry=%v", i, t.Asset, dry)
				return driver.Result{Found: int64(len(t.Asset) + i)}, nil
			})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"tables a,b,c", fmt.Sprintf("begin dry=%v", dry),
			fmt.Sprintf("apply 0 b dry=%v", dry), fmt.Sprintf("apply 1 a dry=%v", dry), fmt.Sprintf("apply 2 c dry=%v", dry), "finish"}
		if !dry {
			want = append(want, "commit")
		}
		want = append(want, "rollback")
		if !reflect.DeepEqual(tx.log, want) {
			t.Errorf("dry=%v: ran\n %q\nwant\n %q", dry, tx.log, want)
		}
		// Results come back in the order of the targets, named by asset.
		wantRes := []driver.Result{{Asset: "a", Found: 2}, {Asset: "b", Found: 1}, {Asset: "c", Found: 3}}
		if !reflect.DeepEqual(res, wantRes) {
			t.Errorf("dry=%v: results %+v, want %+v", dry, res, wantRes)
		}
	}
}

func TestTxnRefusesAndFails(t *testing.T) {
	ctx := context.Background()
	noop := func(context.Context, *fakeTx, int, map[string]bool, driver.Target, bool) (driver.Result, error) {
		return driver.Result{}, nil
	}
	tx := &fakeTx{}
	if _, err := txn(true, tx).Run(ctx, targets("a"), false, noop); !errors.Is(err, piimap.ErrInvalidState) || len(tx.log) > 0 {
		t.Errorf("a write on a read-only handler: %v, ran %q", err, tx.log)
	}
	tx = &fakeTx{}
	if _, err := txn(true, tx).Run(ctx, targets("a"), true, noop); err != nil {
		t.Errorf("a dry run on a read-only handler: %v", err)
	}
	tx = &fakeTx{}
	if res, err := txn(false, tx).Run(ctx, nil, false, noop); err != nil || res == nil || len(res) != 0 || len(tx.log) > 0 {
		t.Errorf("no targets: %v %v, ran %q", res, err, tx.log)
	}
	tx = &fakeTx{}
	if _, err := txn(false, tx).Run(ctx, targets("a", "zz"), false, noop); !errors.Is(err, piimap.ErrNotFound) || len(tx.log) != 1 {
		t.Errorf("a missing table: %v, ran %q", err, tx.log)
	}
	tx = &fakeTx{}
	boom := errors.New("boom")
	_, err := txn(false, tx).Run(ctx, targets("a", "c"), false,
		func(_ context.Context, _ *fakeTx, _ int, _ map[string]bool, t driver.Target, _ bool) (driver.Result, error) {
			if t.Asset == "c" {
				return driver.Result{}, boom
			}
			return driver.Result{}, nil
		})
	if !errors.Is(err, boom) || err.Error() != "fake: st/c: boom" {
		t.Errorf("a failing target: %v", err)
	}
	if want := []string{"tables a,c", "begin dry=false", "rollback"}; !reflect.DeepEqual(tx.log, want) {
		t.Errorf("a failing target ran %q, want %q (no commit)", tx.log, want)
	}
}

func TestTxnWithoutCatalog(t *testing.T) {
	tx := &fakeTx{}
	x := txn(false, tx)
	x.Tables, x.Finish, x.Wrap = nil, nil, nil
	var order []string
	_, err := x.Run(context.Background(), targets("a", "b"), false,
		func(_ context.Context, _ *fakeTx, _ int, _ map[string]bool, t driver.Target, _ bool) (driver.Result, error) {
			order = append(order, t.Asset)
			return driver.Result{}, nil
		})
	if err != nil || strings.Join(order, " ") != "a b" {
		t.Fatalf("without a catalog the given order runs: %v %v", order, err)
	}
}

func TestCheckMode(t *testing.T) {
	checked := 0
	check := func(ctx context.Context) error {
		checked++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the catalog check runs without a deadline")
		}
		return nil
	}
	for _, c := range []struct {
		mode    driver.Mode
		err     error
		checked int
	}{
		{"", nil, 0},
		{driver.ModeDelete, nil, 0},
		{driver.ModeNull, nil, 1},
		{driver.ModeMask, nil, 1},
		{"shred", piimap.ErrUnsupported, 0},
	} {
		checked = 0
		err := sqlkit.CheckMode("fake", "st", driver.Target{Asset: "a", Mode: c.mode}, time.Second, check)
		if !errors.Is(err, c.err) || (err == nil) != (c.err == nil) || checked != c.checked {
			t.Errorf("mode %q: %v, checked %d times", c.mode, err, checked)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fake: st/a: mode shred: ") {
			t.Errorf("mode %q: error %q does not name the target", c.mode, err)
		}
	}
}

func TestCheckAll(t *testing.T) {
	var loaded []string
	load := func(_ context.Context, assets ...string) error { loaded = assets; return nil }
	refuse := func(t driver.Target) error {
		if t.Mode == driver.ModeMask {
			return sqlkit.ModeError("fake", "st", t, piimap.ErrUnsupported)
		}
		return nil
	}
	ts := []driver.Target{{Asset: "a"}, {Asset: "b", Mode: driver.ModeMask}}
	if err := sqlkit.CheckAll(context.Background(), ts, load, refuse); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("CheckAll = %v", err)
	}
	if strings.Join(loaded, ",") != "a,b" {
		t.Errorf("loaded %v, want one read of a,b", loaded)
	}
	if err := sqlkit.CheckAll(context.Background(), ts[:1], nil, refuse); err != nil {
		t.Errorf("CheckAll without a catalog = %v", err)
	}
	if err := sqlkit.NeedMaskKey(nil); !errors.Is(err, piimap.ErrConfig) {
		t.Errorf("NeedMaskKey(nil) = %v", err)
	}
	if err := sqlkit.NeedMaskKey([]byte("k")); err != nil {
		t.Errorf("NeedMaskKey(k) = %v", err)
	}
}

func TestCounted(t *testing.T) {
	for _, c := range []struct {
		view, dry bool
		want      driver.Result
	}{
		{false, true, driver.Result{Found: 3, Changed: 3}},
		{true, true, driver.Result{Found: 3, Changed: 3}},
		{true, false, driver.Result{Found: 3}},
	} {
		if got := sqlkit.Counted(3, c.view, c.dry); got != c.want {
			t.Errorf("Counted(view %v, dry %v) = %+v, want %+v", c.view, c.dry, got, c.want)
		}
	}
	for _, c := range []struct {
		stale     int64
		view, dry bool
		want      driver.Result
		ok        bool
	}{
		{2, true, false, driver.Result{Found: 5}, true},
		{2, true, true, driver.Result{Found: 5}, true},
		{2, false, true, driver.Result{Found: 5, Changed: 2}, true},
		{0, false, false, driver.Result{Found: 5}, true},
		{2, false, false, driver.Result{}, false},
	} {
		got, ok := sqlkit.RectifyCounted(5, c.stale, c.view, c.dry)
		if got != c.want || ok != c.ok {
			t.Errorf("RectifyCounted(stale %d, view %v, dry %v) = %+v %v, want %+v %v", c.stale, c.view, c.dry, got, ok, c.want, c.ok)
		}
	}
}

func TestCheckCatalog(t *testing.T) {
	type tb struct {
		view bool
		ok   bool
	}
	cat := map[string]tb{"v": {view: true}, "good": {ok: true}, "bad": {}}
	tables := func(_ context.Context, assets ...string) (map[string]tb, error) {
		if assets[0] == "gone" {
			return nil, piimap.ErrNotFound
		}
		return cat, nil
	}
	plan := func(x tb, _ driver.Target) error {
		if !x.ok {
			return piimap.ErrUnsupported
		}
		return nil
	}
	check := func(asset string) error {
		return sqlkit.CheckCatalog(context.Background(), "kind", "st", driver.Target{Asset: asset, Mode: driver.ModeMask},
			tables, func(x tb) bool { return x.view }, plan)
	}
	require.NoError(t, check("v"), "nothing is written through a view")
	require.NoError(t, check("good"))
	err := check("bad")
	require.ErrorIs(t, err, piimap.ErrUnsupported)
	require.Contains(t, err.Error(), "kind: st/bad: mode mask")
	require.ErrorIs(t, check("gone"), piimap.ErrNotFound)
}
