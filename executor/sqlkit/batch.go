package sqlkit

import "github.com/piimap/piimap/executor/driver"

// FindBatchRows is the number of rows per Batch a SQL kind's Find emits.
const FindBatchRows = 1000

// Batcher groups the rows a Find reads into batches of FindBatchRows rows
// with the same columns, emitting each as it fills.
type Batcher struct {
	Columns []driver.Column
	Emit    func(driver.Batch) error
	rows    [][]any
}

// Add appends a row, emitting the batch when it is full.
func (b *Batcher) Add(row []any) error {
	b.rows = append(b.rows, row)
	if len(b.rows) < FindBatchRows {
		return nil
	}
	return b.Flush()
}

// Flush emits the rows not emitted yet, if any.
func (b *Batcher) Flush() error {
	if len(b.rows) == 0 {
		return nil
	}
	batch := driver.Batch{Columns: b.Columns, Rows: b.rows}
	b.rows = nil
	return b.Emit(batch)
}
