package s3_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/marcboeker/go-duckdb" // writes the Parquet fixture
	"gocloud.dev/blob"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	xs3 "github.com/piimap/piimap/executor/s3"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

const subject = "ann@example.com"

// Every fixture holds the subject twice (once upper-cased), other subjects,
// and near misses that must survive: a longer local part, a longer domain.
var (
	csvData = "user_id,email,name,note\r\n" +
		"1,ann@example.com,Ann,\"multi\nline, quoted\"\r\n" +
		"2,bob@example.com,Bob,plain\r\n" +
		"3,ANN@Example.com,Ann A,second\r\n" +
		"4,xann@example.com,Xann,near miss\r\n" +
		"5,ann@example.com.au,Ann AU,other domain\r\n"
	tsvData   = "user_id\temail\tname\n1\tann@example.com\tAnn\n2\tbob@example.com\tBob\n3\tANN@example.com\tAnn\n4\txann@example.com\tX\n"
	jsonlData = `{"id":1,"user":{"email":"ann@example.com"},"msg":"hi"}` + "\n" +
		"\n" +
		`{"id":2,"user":{"email":"bob@example.com"},"msg":"yo"}` + "\n" +
		`{"id":3, "user": {"email": "Ann@Example.com"}, "msg": "spaced"}` + "\n" +
		`{"id":4,"user":{"email":"xann@example.com"},"msg":"near"}`
	jsonData = "[\n  {\"id\": 1, \"user\": {\"email\": \"ann@example.com\"}},\n  {\"id\": 2, \"user\": {\"email\": \"bob@example.com\"}},\n" +
		"  {\"id\": 3, \"user\": {\"email\": \"ANN@example.com\"}},\n  {\"id\": 4, \"user\": {\"email\": \"xann@example.com\"}}\n]\n"
	logData = "2024-01-01T00:00:00Z INFO login user=bob@example.com ok\r\n" +
		"2024-01-01T00:00:01Z WARN near miss xann@example.com and ann@example.com.au\n" +
		"2024-01-01T00:00:02Z INFO login user=ann@example.com ok\n" +
		"2024-01-01T00:00:03Z INFO mail sent to <ANN@EXAMPLE.COM>.\n"
)

type fixture struct {
	name, asset, data string
	gz                bool
	parquet           bool
	field             string   // subject match field; "" for text
	fields            []string // the subject's other PII fields (null/mask clear them)
	mode              driver.Mode
	want              int64
	others            []string // other subjects' identifiers
	after             string   // exact object content after erasure ("" = not checked)
}

var fixtures = []fixture{
	{name: "csv", asset: "exports/customers.csv", data: csvData, field: "email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com", "ann@example.com.au"},
		after:  "user_id,email,name,note\r\n2,bob@example.com,Bob,plain\r\n4,xann@example.com,Xann,near miss\r\n5,ann@example.com.au,Ann AU,other domain\r\n"},
	{name: "csv.gz", asset: "exports/customers.csv.gz", data: csvData, gz: true, field: "email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
	{name: "tsv", asset: "t/people.tsv", data: tsvData, field: "email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"},
		after:  "user_id\temail\tname\n2\tbob@example.com\tBob\n4\txann@example.com\tX\n"},
	{name: "jsonl", asset: "logs/app.jsonl", data: jsonlData, field: "user.email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"},
		after: "\n" + `{"id":2,"user":{"email":"bob@example.com"},"msg":"yo"}` + "\n" +
			`{"id":4,"user":{"email":"xann@example.com"},"msg":"near"}`},
	{name: "jsonl.gz", asset: "logs/app.jsonl.gz", data: jsonlData, gz: true, field: "user.email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
	{name: "json", asset: "dump/users.json", data: jsonData, field: "user.email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"},
		after:  "[\n  {\"id\": 2, \"user\": {\"email\": \"bob@example.com\"}},\n  {\"id\": 4, \"user\": {\"email\": \"xann@example.com\"}}\n]\n"},
	{name: "log-redact", asset: "logs/app.log", data: logData, mode: driver.ModeRedact, want: 2,
		others: []string{"bob@example.com", "xann@example.com", "ann@example.com.au"},
		after: "2024-01-01T00:00:00Z INFO login user=bob@example.com ok\r\n" +
			"2024-01-01T00:00:01Z WARN near miss xann@example.com and ann@example.com.au\n" +
			"2024-01-01T00:00:02Z INFO login user=[REDACTED] ok\n" +
			"2024-01-01T00:00:03Z INFO mail sent to <[REDACTED]>.\n"},
	{name: "log-drop", asset: "logs/app.txt", data: logData, mode: driver.ModeDrop, want: 2,
		others: []string{"bob@example.com", "xann@example.com"},
		after: "2024-01-01T00:00:00Z INFO login user=bob@example.com ok\r\n" +
			"2024-01-01T00:00:01Z WARN near miss xann@example.com and ann@example.com.au\n"},
	{name: "log-mask.gz", asset: "logs/old.log.gz", data: logData, gz: true, mode: driver.ModeMask, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
	{name: "parquet", asset: "events/2024/events.parquet", parquet: true, field: "email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
}

// headers every fixture object carries; an erasure must keep them.
var headers = blob.WriterOptions{
	ContentType:  "application/x-piimap-test",
	CacheControl: "max-age=60",
	Metadata:     map[string]string{"owner": "data-eng", "pipeline": "nightly"},
}

// put stores the fixture under the store prefix "lake/" of b.
func (fx fixture) put(t *testing.T, b *s3test.Bucket) {
	t.Helper()
	data := []byte(fx.data)
	if fx.parquet {
		data = parquetData(t, fx.data == "carl")
	}
	if fx.gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data = buf.Bytes()
	}
	opts := headers
	b.Put(t, "lake/"+fx.asset, data, &opts)
}

func (fx fixture) targets() (driver.Target, []driver.Target) {
	subj := driver.Target{Asset: fx.asset, Mode: fx.mode, Fields: fx.fields,
		Match: []driver.Match{{Field: fx.field, Kind: piimap.KeyEmail, Values: []string{subject}}}}
	var others []driver.Target
	for _, o := range fx.others {
		others = append(others, driver.Target{Asset: fx.asset, Match: []driver.Match{{Field: fx.field, Kind: piimap.KeyEmail, Values: []string{o}}}})
	}
	return subj, others
}

func open(t *testing.T, b *s3test.Bucket, opt driver.HandlerOptions) *xs3.Handler {
	t.Helper()
	if opt.MaskKey == nil {
		opt.MaskKey = []byte("test-mask-key")
	}
	h, err := xs3.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: b.StoreURL("lake")}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return h.(*xs3.Handler)
}

// setup stores one fixture in a fresh bucket and opens a handler on it.
func setup(t *testing.T, fx fixture) (*s3test.Bucket, *xs3.Handler) {
	t.Helper()
	b := s3test.NewBucket(t)
	fx.put(t, b)
	h := open(t, b, driver.HandlerOptions{})
	t.Cleanup(func() { h.Close() })
	return b, h
}

func TestConformance(t *testing.T) {
	s3test.Base(t)
	all := append([]fixture{}, fixtures...)
	all = append(all, nullMaskFixtures...)
	for _, fx := range all {
		t.Run(fx.name, func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				b := s3test.NewBucket(t)
				fx.put(t, b)
				subj, others := fx.targets()
				return executortest.Fixture{Handler: open(t, b, driver.HandlerOptions{}), Subject: []driver.Target{subj},
					Others: others, Want: map[string]int64{fx.asset: fx.want},
					SubjectKeys: map[string][]string{fx.asset: fx.subjectKeys()},
					Raw:         func(t testing.TB, asset string) []executortest.Row { return fx.raw(t, b) }}
			})
		})
	}
}

// nullMaskFixtures keep the subject's records with their match and PII
// fields cleared (conformance only).
var nullMaskFixtures = []fixture{
	{name: "csv-null", asset: "exports/nulled.csv", data: csvData, field: "email", fields: []string{"name", "note"}, mode: driver.ModeNull, want: 2,
		others: []string{"bob@example.com", "xann@example.com", "ann@example.com.au"}},
	{name: "jsonl-null", asset: "logs/nulled.jsonl", data: jsonlData, field: "user.email", fields: []string{"msg"}, mode: driver.ModeNull, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
	{name: "csv-mask", asset: "exports/masked.csv", data: csvData, field: "email", fields: []string{"name", "note"}, mode: driver.ModeMask, want: 2,
		others: []string{"bob@example.com", "xann@example.com", "ann@example.com.au"}},
	{name: "tsv-mask.gz", asset: "t/masked.tsv.gz", data: tsvData, gz: true, field: "email", fields: []string{"name"}, mode: driver.ModeMask, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
}

// subjectKeys are the raw keys of the subject's planted records: ids 1
// and 3, or the timestamps of the subject's log lines.
func (fx fixture) subjectKeys() []string {
	if fx.field == "" {
		return []string{"2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z"}
	}
	return []string{"1", "3"}
}

// raw reads the fixture's object with the bucket client and parses it with
// the standard library (DuckDB for Parquet), never through the handler.
func (fx fixture) raw(t testing.TB, b *s3test.Bucket) []executortest.Row {
	t.Helper()
	data := b.Get(t, "lake/"+fx.asset)
	format := strings.TrimPrefix(filepath.Ext(strings.TrimSuffix(fx.asset, ".gz")), ".")
	switch format {
	case "parquet":
		p := filepath.Join(t.TempDir(), "raw.parquet")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query("SELECT * FROM read_parquet('" + strings.ReplaceAll(p, "'", "''") + "')")
		if err != nil {
			t.Fatalf("raw read: %v", err)
		}
		return executortest.SQLRows(t, rows, "user_id")
	case "log", "txt":
		format = "text"
	}
	key := "user_id"
	if format == "json" || format == "jsonl" {
		key = "id"
	}
	return executortest.ParseFile(t, format, data, key)
}

// TestEraseKeepsBytesAndHeaders checks that every record that stays is kept
// byte for byte and that the object keeps its content type, cache control
// and metadata; gzip objects stay gzip.
func TestEraseKeepsBytesAndHeaders(t *testing.T) {
	s3test.Base(t)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			b, h := setup(t, fx)
			subj, _ := fx.targets()
			res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Found != fx.want || res[0].Changed != fx.want {
				t.Errorf("found %d changed %d, want %d", res[0].Found, res[0].Changed, fx.want)
			}
			key := "lake/" + fx.asset
			got := b.Get(t, key)
			if fx.gz {
				if len(got) < 2 || got[0] != 0x1f || got[1] != 0x8b {
					t.Fatal("gzip object rewritten uncompressed")
				}
				zr, err := gzip.NewReader(bytes.NewReader(got))
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if _, err := buf.ReadFrom(zr); err != nil {
					t.Fatal(err)
				}
				got = buf.Bytes()
			}
			if fx.after != "" && string(got) != fx.after {
				t.Errorf("after erase:\n got %q\nwant %q", got, fx.after)
			}
			if bytes.Contains(bytes.ToLower(got), []byte("=ann@example.com ")) {
				t.Error("the subject's identifier survived")
			}
			a := b.Attrs(t, key)
			if a.ContentType != headers.ContentType || a.CacheControl != headers.CacheControl {
				t.Errorf("headers not kept: content type %q cache control %q", a.ContentType, a.CacheControl)
			}
			for k, v := range headers.Metadata {
				if a.Metadata[k] != v {
					t.Errorf("metadata %s = %q, want %q (all: %v)", k, a.Metadata[k], v, a.Metadata)
				}
			}
		})
	}
}

// late is the record a concurrent writer adds, per fixture format.
var late = map[string]string{
	"csv":        "6,carl@example.com,Carl,late\r\n",
	"jsonl.gz":   "\n" + `{"id":5,"user":{"email":"carl@example.com"},"msg":"late"}`,
	"log-redact": "2024-01-01T00:00:04Z INFO login user=carl@example.com ok\n",
}

// TestConcurrentWriterIsNeverOverwritten modifies the object after the
// erasure has read it and before its conditional put commits: the erasure
// fails with a clear conflict, the writer's version is intact, and a retry
// erases the subject from that new version, keeping the writer's record.
func TestConcurrentWriterIsNeverOverwritten(t *testing.T) {
	s3test.Base(t)
	for _, fx := range []fixture{fixtures[0], fixtures[4], fixtures[6], fixtures[9]} {
		t.Run(fx.name, func(t *testing.T) {
			b, h := setup(t, fx)
			key := "lake/" + fx.asset
			newer := fx
			if fx.parquet {
				newer.data = "carl" // parquetData adds carl's row
			} else {
				newer.data += late[fx.name]
			}
			var concurrent []byte
			fired := 0
			xs3.SetBeforeCommit(h, func(k string) {
				fired++
				newer.put(t, b)
				concurrent = b.Get(t, k)
			})
			subj, _ := fx.targets()
			_, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
			if fired != 1 {
				t.Fatalf("hook fired %d times", fired)
			}
			if !errors.Is(err, xs3.ErrConflict) || !errors.Is(err, piimap.ErrInvalidState) {
				t.Fatalf("erase over a concurrent write: %v, want ErrConflict", err)
			}
			for _, w := range []string{"s3: erase lake/" + fx.asset, "changed while being rewritten", "nothing was written", "retry"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), subject) {
				t.Error("raw identifier in the error")
			}
			if got := b.Get(t, key); !bytes.Equal(got, concurrent) {
				t.Fatal("the concurrent writer's version was overwritten")
			}

			xs3.SetBeforeCommit(h, nil)
			res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if res[0].Changed != fx.want {
				t.Errorf("retry changed %d, want %d", res[0].Changed, fx.want)
			}
			if n, err := h.Count(context.Background(), subj); err != nil || n != 0 {
				t.Errorf("after retry: %d of the subject's records remain (%v)", n, err)
			}
			carl := driver.Target{Asset: fx.asset, Match: []driver.Match{{Field: fx.field, Kind: piimap.KeyEmail, Values: []string{"carl@example.com"}}}}
			if n, err := h.Count(context.Background(), carl); err != nil || n != 1 {
				t.Errorf("the retry lost the concurrent writer's record: %d (%v)", n, err)
			}
		})
	}
}

func TestDryRunAndReadOnlyWriteNothing(t *testing.T) {
	s3test.Base(t)
	fx := fixtures[0]
	b := s3test.NewBucket(t)
	fx.put(t, b)
	before := b.Checksum(t)
	h := open(t, b, driver.HandlerOptions{ReadOnly: true})
	defer h.Close()
	subj, _ := fx.targets()
	if _, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{}); !errors.Is(err, piimap.ErrInvalidState) {
		t.Fatalf("read-only handler erase: %v", err)
	}
	res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{DryRun: true})
	if err != nil || res[0].Changed != 2 {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	if b.Checksum(t) != before {
		t.Fatal("dry run or read-only erase changed the bucket")
	}
}

func TestCancelledEraseLeavesOriginal(t *testing.T) {
	s3test.Base(t)
	fx := fixtures[0]
	b, h := setup(t, fx)
	before := b.Checksum(t)
	subj, _ := fx.targets()
	ctx, cancel := context.WithCancel(context.Background())
	xs3.SetBeforeCommit(h, func(string) { cancel() })
	if _, err := h.Erase(ctx, []driver.Target{subj}, driver.EraseOptions{}); err == nil {
		t.Fatal("erase cancelled before commit succeeded")
	}
	if b.Checksum(t) != before {
		t.Fatal("cancelled erase changed the bucket")
	}
}

func TestModesAndErrors(t *testing.T) {
	s3test.Base(t)
	b := s3test.NewBucket(t)
	fixtures[0].put(t, b)
	fixtures[6].put(t, b)
	b.Put(t, "lake/blob.bin", []byte("\x00\x01\x02\x03binary"), nil)
	h := open(t, b, driver.HandlerOptions{})
	defer h.Close()
	cases := []struct {
		asset string
		mode  driver.Mode
		want  error // nil: accepted
	}{
		{"exports/customers.csv", driver.ModeDelete, nil},
		{"exports/customers.csv", driver.ModeNull, nil},
		{"exports/customers.csv", driver.ModeMask, nil},
		{"exports/customers.csv", driver.ModeRedact, piimap.ErrUnsupported},
		{"logs/app.log", driver.ModeRedact, nil},
		{"logs/app.log", driver.ModeDrop, nil},
		{"logs/app.log", driver.ModeMask, nil},
		{"logs/app.log", driver.ModeNull, piimap.ErrUnsupported},
		{"blob.bin", driver.ModeDelete, piimap.ErrUnsupported},
		{"missing.csv", driver.ModeDelete, piimap.ErrNotFound},
		{"../outside.csv", driver.ModeDelete, piimap.ErrUnsupported},
		{"", driver.ModeDelete, piimap.ErrNotFound},
	}
	for _, c := range cases {
		t.Run(c.asset+"/"+string(c.mode), func(t *testing.T) {
			err := h.CheckMode(driver.Target{Asset: c.asset, Mode: c.mode})
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("err=%v, want %v", err, c.want)
			}
		})
	}
	if _, err := h.ExportParquet(context.Background(), driver.Target{Asset: "exports/customers.csv"}, filepath.Join(t.TempDir(), "x.parquet")); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("export csv as parquet: %v", err)
	}
}

func TestExportParquet(t *testing.T) {
	s3test.Base(t)
	fx := fixtures[9]
	_, h := setup(t, fx)
	subj, _ := fx.targets()
	out := filepath.Join(t.TempDir(), "subject.parquet")
	n, err := h.ExportParquet(context.Background(), subj, out)
	if err != nil || n != 2 {
		t.Fatalf("export: %d %v", n, err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("export file: %v", err)
	}
}

// TestUnreachable: a server that is down fails Open fast and clearly.
func TestUnreachable(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "x")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "y")
	_, err := xs3.Open(context.Background(), scanner.StoreConfig{Name: "lake",
		URL: "s3://lake/x?endpoint=http://127.0.0.1:1&use_path_style=true&region=us-east-1"}, driver.HandlerOptions{})
	if !errors.Is(err, piimap.ErrUnreachable) {
		t.Fatalf("open a down server: %v, want ErrUnreachable", err)
	}
}

// parquetData writes the Parquet fixture with DuckDB and returns its bytes.
func parquetData(t *testing.T, carl bool) []byte {
	t.Helper()
	p := filepath.Join(t.TempDir(), "events.parquet")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	extra := ""
	if carl {
		extra = ", (5, 'carl@example.com', '10.0.0.5', TIMESTAMP '2024-01-01 00:00:04')"
	}
	q := `COPY (SELECT * FROM (VALUES
		(1, 'ann@example.com', '10.0.0.1', TIMESTAMP '2024-01-01 00:00:00'),
		(2, 'bob@example.com', '10.0.0.2', TIMESTAMP '2024-01-01 00:00:01'),
		(3, 'Ann@Example.COM', '10.0.0.3', TIMESTAMP '2024-01-01 00:00:02'),
		(4, 'xann@example.com', '10.0.0.4', TIMESTAMP '2024-01-01 00:00:03')` + extra + `)
		AS t(user_id, email, ip, ts)) TO '` + strings.ReplaceAll(p, "'", "''") + `' (FORMAT PARQUET)`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestAssetVersion checks the versions identifier filters are compared
// with: what the listing reports, a replaced object reported anew by the
// next handler (a plan derivation's), a missing one as not found.
func TestAssetVersion(t *testing.T) {
	ctx := context.Background()
	b := s3test.NewBucket(t)
	b.Put(t, "lake/logs/app.log", []byte("login ok\n"), nil)
	h := open(t, b, driver.HandlerOptions{})
	defer h.Close()
	v, err := h.AssetVersion(ctx, "logs/app.log")
	if err != nil {
		t.Fatal(err)
	}
	a := b.Attrs(t, "lake/logs/app.log")
	if v.Size != 9 || v.ETag == "" || v.ETag != a.ETag || v.Modified != a.ModTime.UTC().Format(time.RFC3339) {
		t.Fatalf("version %+v, object size 9 etag %s modified %s", v, a.ETag, a.ModTime)
	}
	if _, err := h.AssetVersion(ctx, "logs/other.log"); !errors.Is(err, piimap.ErrNotFound) {
		t.Fatalf("missing object: %v, want ErrNotFound", err)
	}
	b.Put(t, "lake/logs/app.log", []byte("login ok\nlogin ann@x.org\n"), nil)
	h2 := open(t, b, driver.HandlerOptions{})
	defer h2.Close()
	v2, err := h2.AssetVersion(ctx, "logs/app.log")
	if err != nil {
		t.Fatal(err)
	}
	if v2.Size == v.Size || v2.ETag == v.ETag {
		t.Fatalf("replaced object reported as %+v, was %+v", v2, v)
	}
}

// TestRectifyAndNullObjects: on a real S3 server, rectification and null
// rewrite a CSV object's subject records (conditional put) and keep every
// other record; a second rectification changes nothing.
func TestRectifyAndNullObjects(t *testing.T) {
	ctx := context.Background()
	b, h := setup(t, fixtures[0]) // csv
	tgt := driver.Target{Asset: fixtures[0].asset, Changes: map[string]string{"name": "Ann Lee"},
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}}
	res, err := h.Rectify(ctx, []driver.Target{tgt}, driver.EraseOptions{})
	if err != nil || res[0].Changed != 2 {
		t.Fatalf("rectify %+v %v", res, err)
	}
	got := string(b.Get(t, "lake/"+fixtures[0].asset))
	for _, w := range []string{"3,ANN@Example.com,Ann Lee,second\r\n", "2,bob@example.com,Bob,plain\r\n"} {
		if !strings.Contains(got, w) {
			t.Errorf("%q missing after rectification:\n%s", w, got)
		}
	}
	if res, err = h.Rectify(ctx, []driver.Target{tgt}, driver.EraseOptions{}); err != nil || res[0].Changed != 0 {
		t.Errorf("second rectification %+v %v", res, err)
	}
	null := driver.Target{Asset: fixtures[0].asset, Mode: driver.ModeNull, Match: tgt.Match}
	if res, err = h.Erase(ctx, []driver.Target{null}, driver.EraseOptions{}); err != nil || res[0].Changed != 2 {
		t.Fatalf("null %+v %v", res, err)
	}
	if got := string(b.Get(t, "lake/"+fixtures[0].asset)); !strings.Contains(got, "3,,Ann Lee,second\r\n") || strings.Contains(strings.ToLower(got), "\n1,ann@example.com,") {
		t.Errorf("after null:\n%s", got)
	}
	if n, err := h.Count(ctx, null); err != nil || n != 0 {
		t.Errorf("%d subject records left (%v)", n, err)
	}
}

// TestParquetObjectRectifyAndNull: a Parquet object is rectified and then
// nulled through the spooled copy (DuckDB) and uploaded conditionally;
// second runs change nothing.
func TestParquetObjectRectifyAndNull(t *testing.T) {
	ctx := context.Background()
	var fx fixture
	for _, f := range fixtures {
		if f.parquet {
			fx = f
		}
	}
	_, h := setup(t, fx)
	match := []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}
	rect := driver.Target{Asset: fx.asset, Changes: map[string]string{"ip": "10.9.9.9"}, Match: match}
	for i, want := range []int64{2, 0} {
		if res, err := h.Rectify(ctx, []driver.Target{rect}, driver.EraseOptions{}); err != nil || res[0].Changed != want {
			t.Fatalf("rectify run %d: %+v %v, want %d", i+1, res, err, want)
		}
	}
	null := driver.Target{Asset: fx.asset, Mode: driver.ModeNull, Match: match}
	for i, want := range []int64{2, 0} {
		if res, err := h.Erase(ctx, []driver.Target{null}, driver.EraseOptions{}); err != nil || res[0].Changed != want {
			t.Fatalf("null run %d: %+v %v, want %d", i+1, res, err, want)
		}
	}
	bob := driver.Target{Asset: fx.asset, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"bob@example.com"}}}}
	if n, err := h.Count(ctx, bob); err != nil || n != 1 {
		t.Errorf("bob's row: %d (%v), want 1", n, err)
	}
	ips := driver.Target{Asset: fx.asset, Match: []driver.Match{{Field: "ip", Kind: driver.KindKey, Values: []string{"10.9.9.9"}}}}
	if n, err := h.Count(ctx, ips); err != nil || n != 2 {
		t.Errorf("rectified rows: %d (%v), want 2", n, err)
	}
}
