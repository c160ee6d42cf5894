package driver

import "slices"

// DefaultBatchRows is the rows per Batch a Batcher of size 0 emits.
const DefaultBatchRows = 1000

// Batcher groups the rows a Find reads into Batches of at most Size rows
// (DefaultBatchRows when 0) that share their columns, emitting each when
// it is full or the next row has other columns. Call Flush at the end.
type Batcher struct {
	Emit func(Batch) error
	Size int
	b    Batch
}

// Add appends a row with its columns.
func (x *Batcher) Add(cols []Column, row []any) error {
	if len(x.b.Rows) > 0 && !slices.Equal(x.b.Columns, cols) {
		if err := x.Flush(); err != nil {
			return err
		}
	}
	x.b.Columns = cols
	x.b.Rows = append(x.b.Rows, row)
	size := x.Size
	if size <= 0 {
		size = DefaultBatchRows
	}
	if len(x.b.Rows) >= size {
		return x.Flush()
	}
	return nil
}

// Flush emits the rows not emitted yet, if any.
func (x *Batcher) Flush() error {
	if len(x.b.Rows) == 0 {
		return nil
	}
	b := x.b
	x.b = Batch{}
	return x.Emit(b)
}
