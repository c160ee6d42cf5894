package driver_test

import (
	"errors"
	"testing"

	"github.com/piimap/piimap/executor/driver"
)

func TestBatcher(t *testing.T) {
	cols := []driver.Column{{Name: "c"}}
	for _, n := range []int{0, 1, 10, 11, 27} {
		var sizes []int
		b := &driver.Batcher{Size: 10, Emit: func(bt driver.Batch) error {
			if len(bt.Columns) != 1 {
				t.Errorf("batch without its columns")
			}
			sizes = append(sizes, len(bt.Rows))
			return nil
		}}
		for i := range n {
			if err := b.Add(cols, []any{i}); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Flush(); err != nil {
			t.Fatal(err)
		}
		total := 0
		for i, s := range sizes {
			total += s
			if s == 0 || s > 10 || (i < len(sizes)-1 && s != 10) {
				t.Errorf("%d rows: batch sizes %v", n, sizes)
			}
		}
		if total != n {
			t.Errorf("%d rows: emitted %d", n, total)
		}
	}
	// Other columns start a new batch; rows keep their order.
	var got [][]string
	b := &driver.Batcher{Emit: func(bt driver.Batch) error {
		var names []string
		for _, c := range bt.Columns {
			names = append(names, c.Name)
		}
		for range bt.Rows {
			got = append(got, names)
		}
		return nil
	}}
	a, c := []driver.Column{{Name: "a"}}, []driver.Column{{Name: "a"}, {Name: "b"}}
	for _, cs := range [][]driver.Column{a, a, c, a} {
		if err := b.Add(cs, []any{1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || len(got[1]) != 1 || len(got[2]) != 2 || len(got[3]) != 1 {
		t.Errorf("rows and columns %v", got)
	}
	stop := errors.New("stop")
	b = &driver.Batcher{Size: 3, Emit: func(driver.Batch) error { return stop }}
	var err error
	for i := 0; i < 3 && err == nil; i++ {
		err = b.Add(a, nil)
	}
	if err != stop {
		t.Errorf("an emit error comes back from Add: %v", err)
	}
}
