package fileformat_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/fileformat"
	"github.com/piimap/piimap/scanner/fileformat/fileformattest"
	"github.com/piimap/piimap/scanner/scannertest"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, head string
		want       string
	}{
		{"a.csv", "id,email\n1,a@x\n", piimap.FormatCSV},
		{"a.csv", "", piimap.FormatCSV},
		{"a.csv", "id\temail\n1\ta\n", piimap.FormatTSV},
		{"a.tsv", "x", piimap.FormatTSV},
		{"noext", "id;email;city\n1;a;b\n2;c;d\n", piimap.FormatCSV},
		{"noext", "id\temail\n1\ta\n2\tb\n", piimap.FormatTSV},
		{"export.dat", `{"a":1}` + "\n" + `{"a":2}` + "\n", piimap.FormatJSONL},
		{"events.json", `{"a":1}` + "\n" + `{"a":2}` + "\n", piimap.FormatJSONL},
		{"events.json", "[\n  {\"a\": 1},\n  {\"a\": 2}\n]", piimap.FormatJSON},
		{"doc.json", `{"a": {"b": [1, 2]}}`, piimap.FormatJSON},
		{"x.jsonl", `{"a":1}`, piimap.FormatJSONL},
		{"app.log", `{"level":"info","msg":"hi"}` + "\n" + `{"level":"warn"}` + "\n", piimap.FormatJSONL},
		{"app.log", "[2024-01-01 10:00] INFO started\n[2024-01-01 10:01] INFO ok\n", piimap.FormatText},
		{"app.log", "a,b,c\nd,e,f\n", piimap.FormatText},
		{"notes", "just some words\nand more words here\n", piimap.FormatText},
		{"data.bin", "PAR1\x15\x04", piimap.FormatParquet},
		{"t.parquet", "garbage", piimap.FormatParquet},
		{"x.csv.gz", "a,b\n1,2\n", piimap.FormatCSV},
		{"img.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ""},
		{"bom.csv", "\xef\xbb\xbfid,email\n1,a\n", piimap.FormatCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, fileformat.DetectFormat(tt.name, []byte(tt.head), true))
		})
	}
}

func FuzzDetectFormat(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", `{"a":1}`, "[1,2", "PAR1", "\x00\x01", "[x] y", "\xff\xfe"} {
		f.Add("x.dat", s, true)
	}
	f.Fuzz(func(t *testing.T, name, head string, complete bool) {
		switch fileformat.DetectFormat(name, []byte(head), complete) {
		case "", piimap.FormatCSV, piimap.FormatTSV, piimap.FormatJSON, piimap.FormatJSONL, piimap.FormatParquet, piimap.FormatText:
		default:
			t.Fatal("unknown format")
		}
		fileformat.SniffDelimiter([]byte(head), complete)
	})
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		head string
		want rune
		ok   bool
	}{
		{"a,b,c\n1,2,3\n", ',', true},
		{"a|b\n1|2\n", '|', true},
		{"a;b;c\n\"x;y\";2;3\n", ';', true},
		{"one column\nonly\n", 0, false},
		{"a,b\n1,2,3,4\n5\n", 0, false},
	}
	for _, tt := range tests {
		got, ok := fileformat.SniffDelimiter([]byte(tt.head), true)
		assert.Equal(t, tt.ok, ok, tt.head)
		assert.Equal(t, tt.want, got, tt.head)
	}
}

// chunkAll reassembles ChunkText's output and checks offsets and lines.
func chunkAll(t testing.TB, data []byte, size int) ([][]byte, error) {
	var chunks [][]byte
	var next int64
	line := int64(1)
	err := fileformat.ChunkText(context.Background(), bytes.NewReader(data), size, func(c fileformat.Chunk) error {
		if c.Offset != next || c.Line != line {
			t.Fatalf("chunk at offset %d line %d, want %d line %d", c.Offset, c.Line, next, line)
		}
		next += int64(len(c.Data))
		line += int64(bytes.Count(c.Data, []byte("\n")))
		chunks = append(chunks, c.Data)
		return nil
	})
	return chunks, err
}

func TestChunkText(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		size   int
		chunks []string
	}{
		{"lines", "aa\nbb\ncc\n", 7, []string{"aa\nbb\n", "cc\n"}},
		{"no trailing newline", "aa\nbbb", 4, []string{"aa\n", "bbb"}},
		{"long line cut at space", "aaaa bbbb cccc", 8, []string{"aaaa ", "bbbb ", "cccc"}},
		{"long token hard cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"rune boundary", "ééééé", 5, []string{"éé", "éé", "é"}},
		{"empty", "", 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks, err := chunkAll(t, []byte(tt.data), tt.size)
			require.NoError(t, err)
			var got []string
			for _, c := range chunks {
				got = append(got, string(c))
			}
			assert.Equal(t, tt.chunks, got)
		})
	}
}

func TestChunkTextInvalidUTF8(t *testing.T) {
	data := []byte("ok\nbad\xff\nok\n\xc3(\n")
	chunks, err := chunkAll(t, data, 4)
	require.Error(t, err)
	assert.ErrorIs(t, err, piimap.ErrCorrupt)
	assert.Contains(t, err.Error(), "line 2: invalid UTF-8 (2 lines)")
	got := bytes.Join(chunks, nil)
	assert.Equal(t, len(data), len(got), "offsets stay exact")
	assert.Equal(t, "ok\nbad \nok\n (\n", string(got))
}

type failAfter struct {
	r   *bytes.Reader
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	p = p[:min(len(p), f.n)]
	n, _ := f.r.Read(p)
	f.n -= n
	return n, nil
}

func TestChunkTextReadErrorAfterData(t *testing.T) {
	boom := errors.New("boom")
	var got []byte
	err := fileformat.ChunkText(context.Background(), &failAfter{r: bytes.NewReader([]byte("line one\nline two\n")), n: 12, err: boom}, 64,
		func(c fileformat.Chunk) error { got = append(got, c.Data...); return nil })
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, "line one\nlin", string(got), "bytes read before the error are emitted")
}

func FuzzChunkText(f *testing.F) {
	f.Add([]byte("a\nb c\n"), 3)
	f.Add([]byte("\xff\xfe\n\xc3"), 2)
	f.Add([]byte(strings.Repeat("é", 20)), 5)
	f.Fuzz(func(t *testing.T, data []byte, size int) {
		size = 1 + abs(size)%64
		chunks, _ := chunkAll(t, data, size)
		if got := bytes.Join(chunks, nil); len(got) != len(data) {
			t.Fatalf("lost bytes: %d of %d", len(got), len(data))
		}
	})
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestSampleJSONLNested(t *testing.T) {
	data := `{"ts":1,"payload":{"user":{"email":"a@example.test"}},"items":[{"sku":"S1"},{"sku":"S2"}]}
not json
{"ts":2,"payload":{"user":{"email":"b@example.test","phone":"+44 20 7946 0000"}}}
`
	var b *fileformat.Batch
	err := fileformat.SampleJSONL(context.Background(), strings.NewReader(data), scanner.Sample{Rows: 10}, "k", func(x *fileformat.Batch) error { b = x; return nil })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 2: invalid JSON (1 lines skipped)")
	require.NotNil(t, b)
	assert.Equal(t, []string{"items[].sku", "payload.user.email", "ts", "payload.user.phone"}, b.Fields)
	assert.Equal(t, []string{"a@example.test", "b@example.test"}, b.Values["payload.user.email"])
	assert.Equal(t, []string{"S1", "S2"}, b.Values["items[].sku"])
	assert.Equal(t, 2, b.Rows)
}

// A full read decodes every line without validating it first; it must
// refuse the same lines a sample refuses, and keep the same rows.
func TestSampleJSONLFullAndSampleAgreeOnBadLines(t *testing.T) {
	data := `{"email":"a@example.test"}
{"email":"b@example.test"} {"email":"c@example.test"}
{"email":"d@example.test"}x
{"email":
[1,2]
"bare string"
{"email":"e@example.test"}   
`
	for _, full := range []bool{false, true} {
		var values []string
		rows := 0
		err := fileformat.SampleJSONL(context.Background(), strings.NewReader(data), scanner.Sample{Rows: 100, Full: full}, "k",
			func(b *fileformat.Batch) error {
				values = append(values, b.Values["email"]...)
				rows += b.Rows
				return nil
			})
		require.Error(t, err, "full=%v", full)
		assert.Contains(t, err.Error(), "line 2: invalid JSON (3 lines skipped)", "full=%v", full)
		assert.Equal(t, []string{"a@example.test", "e@example.test"}, values, "full=%v", full)
		assert.Equal(t, 4, rows, "full=%v: the array and the bare string are rows too", full)
	}
}

func TestSampleDelimitedHeaderless(t *testing.T) {
	var b *fileformat.Batch
	err := fileformat.SampleDelimited(context.Background(), strings.NewReader("1,a@example.test\n2,b@example.test\n"), ',', scanner.Sample{Rows: 10}, "k",
		func(x *fileformat.Batch) error { b = x; return nil })
	require.NoError(t, err)
	assert.Equal(t, []string{"column_1", "column_2"}, b.Fields)
	assert.Len(t, b.Values["column_2"], 2)
}

// FuzzStructured feeds arbitrary bytes to every structured reader. Each
// returns (an error wraps piimap.ErrCorrupt), and what it emits keeps the
// Batch contract: at most the sampled rows, fields listed once, values
// non-empty and cut at MaxCellBytes under listed fields, cuts counted;
// and the seeded sample is reproducible: a second read emits the same.
func FuzzStructured(f *testing.F) {
	tb := scannertest.DefaultFixture().Tables[0]
	tb.Rows = tb.Rows[:20]
	pq := fileformattest.Parquet(f, tb)
	f.Add(pq)
	f.Add(pq[:len(pq)-3])
	f.Add(fileformattest.JSONL(f, tb))
	f.Add(fileformattest.Delimited(f, tb, ','))
	f.Add([]byte(`[{"a":`))
	f.Add([]byte("id,\"note\nx,1\n"))
	f.Add([]byte(`{"a":{"b":[1,{"c":"x"}]}}` + "\n" + `{"a":null,"":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		s := scanner.Sample{Rows: 5, Seed: 1}
		for _, r := range []struct {
			name string
			read func(emit func(*fileformat.Batch) error) error
		}{
			{"parquet", func(emit func(*fileformat.Batch) error) error {
				return fileformat.SampleParquet(ctx, bytes.NewReader(data), int64(len(data)), s, "k", emit)
			}},
			{"jsonl", func(emit func(*fileformat.Batch) error) error {
				return fileformat.SampleJSONL(ctx, bytes.NewReader(data), s, "k", emit)
			}},
			{"json", func(emit func(*fileformat.Batch) error) error {
				return fileformat.SampleJSON(ctx, bytes.NewReader(data), s, "k", emit)
			}},
			{"delimited", func(emit func(*fileformat.Batch) error) error {
				return fileformat.SampleDelimited(ctx, bytes.NewReader(data), 0, s, "k", emit)
			}},
		} {
			var first []fileformat.Batch
			err := r.read(func(b *fileformat.Batch) error {
				checkBatch(t, r.name, b, s.Rows)
				first = append(first, cloneBatch(b))
				return nil
			})
			if err != nil && !errors.Is(err, piimap.ErrCorrupt) {
				t.Fatalf("%s: error does not wrap ErrCorrupt: %v", r.name, err)
			}
			var again []fileformat.Batch
			err2 := r.read(func(b *fileformat.Batch) error { again = append(again, cloneBatch(b)); return nil })
			if (err == nil) != (err2 == nil) || !reflect.DeepEqual(first, again) {
				t.Fatalf("%s: a second read with the same seed differs", r.name)
			}
		}
	})
}

// checkBatch asserts the Batch contract for a sample of at most rows rows.
func checkBatch(t *testing.T, reader string, b *fileformat.Batch, rows int) {
	t.Helper()
	if b.Rows < 0 || b.Rows > rows || b.Total < int64(b.Rows) {
		t.Fatalf("%s: batch of %d rows (total %d) from a %d-row sample", reader, b.Rows, b.Total, rows)
	}
	listed := map[string]bool{}
	for _, f := range b.Fields {
		if listed[f] {
			t.Fatalf("%s: field %q listed twice", reader, f)
		}
		listed[f] = true
	}
	var cut int64
	for f, vs := range b.Values {
		if !listed[f] {
			t.Fatalf("%s: values for unlisted field %q", reader, f)
		}
		for _, v := range vs {
			if v == "" || len(v) > fileformat.MaxCellBytes {
				t.Fatalf("%s: field %q holds a value of %d bytes", reader, f, len(v))
			}
		}
	}
	for f, n := range b.Cut {
		if !listed[f] || n <= 0 {
			t.Fatalf("%s: cut count %d for field %q", reader, n, f)
		}
		cut += n
	}
	if b.Cuts < cut {
		t.Fatalf("%s: %d cells cut in the object, %d in the sample", reader, b.Cuts, cut)
	}
}

// cloneBatch copies what a reader may reuse after emit returns.
func cloneBatch(b *fileformat.Batch) fileformat.Batch {
	c := *b
	c.Fields = slices.Clone(b.Fields)
	c.Values = map[string][]string{}
	for k, v := range b.Values {
		c.Values[k] = slices.Clone(v)
	}
	c.Types = maps.Clone(b.Types)
	c.Cut = maps.Clone(b.Cut)
	return c
}
