package files_test

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

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	xfiles "github.com/piimap/piimap/executor/files"
	"github.com/piimap/piimap/scanner"
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
	field             string   // subject match field; "" for text
	fields            []string // the subject's other PII fields (null/mask clear them)
	mode              driver.Mode
	want              int64
	others            []string // other subjects' identifiers
	// after is the exact file content expected after erasure ("" = not checked).
	after string
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
	{name: "json.gz", asset: "dump/users.json.gz", data: jsonData, gz: true, field: "user.email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com"}},
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
	// Null and mask keep the subject's record with its match (and PII)
	// fields cleared; the other records keep their bytes.
	{name: "csv-null", asset: "exports/nulled.csv", data: csvData, field: "email", fields: []string{"name", "note"}, mode: driver.ModeNull, want: 2,
		others: []string{"bob@example.com", "xann@example.com", "ann@example.com.au"},
		after: "user_id,email,name,note\r\n" +
			"1,,,\r\n" +
			"2,bob@example.com,Bob,plain\r\n" +
			"3,,,\r\n" +
			"4,xann@example.com,Xann,near miss\r\n" +
			"5,ann@example.com.au,Ann AU,other domain\r\n"},
	{name: "jsonl-null", asset: "logs/nulled.jsonl", data: jsonlData, field: "user.email", fields: []string{"msg"}, mode: driver.ModeNull, want: 2,
		others: []string{"bob@example.com", "xann@example.com"},
		after: `{"id":1,"msg":null,"user":{"email":null}}` + "\n" +
			"\n" +
			`{"id":2,"user":{"email":"bob@example.com"},"msg":"yo"}` + "\n" +
			`{"id":3,"msg":null,"user":{"email":null}}` + "\n" +
			`{"id":4,"user":{"email":"xann@example.com"},"msg":"near"}`},
	{name: "json-mask", asset: "dump/masked.json", data: jsonData, field: "user.email", mode: driver.ModeMask, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
	{name: "tsv-mask.gz", asset: "t/masked.tsv.gz", data: tsvData, gz: true, field: "email", fields: []string{"name"}, mode: driver.ModeMask, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}},
}

func (fx fixture) write(t *testing.T, root string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(fx.asset))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	data := []byte(fx.data)
	if fx.gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(p, data, 0o640); err != nil {
		t.Fatal(err)
	}
}

func open(t *testing.T, root string) driver.Handler {
	t.Helper()
	h, err := xfiles.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + root},
		driver.HandlerOptions{MaskKey: []byte("test-mask-key")})
	if err != nil {
		t.Fatal(err)
	}
	return h
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

func TestConformance(t *testing.T) {
	all := append([]fixture{}, fixtures...)
	all = append(all, parquetFixture())
	for _, fx := range all {
		t.Run(fx.name, func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				root := t.TempDir()
				if fx.name == "parquet" {
					writeParquet(t, root, fx.asset)
				} else {
					fx.write(t, root)
				}
				subj, others := fx.targets()
				return executortest.Fixture{Handler: open(t, root), Subject: []driver.Target{subj}, Others: others,
					Want: map[string]int64{fx.asset: fx.want}, SubjectKeys: map[string][]string{fx.asset: fx.subjectKeys()},
					Raw: func(t testing.TB, asset string) []executortest.Row { return fx.raw(t, root) }}
			})
		})
	}
}

// subjectKeys are the raw keys of the subject's planted records: ids 1
// and 3, or the timestamps of the subject's log lines.
func (fx fixture) subjectKeys() []string {
	if fx.field == "" {
		return []string{"2024-01-01T00:00:02Z", "2024-01-01T00:00:03Z"}
	}
	return []string{"1", "3"}
}

// raw reads the fixture's file with the standard library (DuckDB for
// Parquet), never through the handler.
func (fx fixture) raw(t testing.TB, root string) []executortest.Row {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(fx.asset))
	format := strings.TrimPrefix(filepath.Ext(strings.TrimSuffix(fx.asset, ".gz")), ".")
	switch format {
	case "parquet":
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
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("raw read: %v", err)
	}
	key := "user_id"
	if format == "json" || format == "jsonl" {
		key = "id"
	}
	return executortest.ParseFile(t, format, data, key)
}

// TestEraseExactBytes checks that every record that stays is preserved byte
// for byte (CRLF, quoted newlines, blank lines, a missing final newline, the
// JSON framing) and that the file's mode survives the rename.
func TestEraseExactBytes(t *testing.T) {
	for _, fx := range fixtures {
		if fx.after == "" {
			continue
		}
		t.Run(fx.name, func(t *testing.T) {
			root := t.TempDir()
			fx.write(t, root)
			h := open(t, root)
			defer h.Close()
			subj, _ := fx.targets()
			res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Found != fx.want || res[0].Changed != fx.want {
				t.Errorf("found %d changed %d, want %d", res[0].Found, res[0].Changed, fx.want)
			}
			p := filepath.Join(root, filepath.FromSlash(fx.asset))
			got, _ := os.ReadFile(p)
			if string(got) != fx.after {
				t.Errorf("after erase:\n got %q\nwant %q", got, fx.after)
			}
			fi, _ := os.Stat(p)
			if fi.Mode().Perm() != 0o640 {
				t.Errorf("mode %v, want 0640", fi.Mode().Perm())
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".*.tmp")); len(left) > 0 {
				t.Errorf("temp files left behind: %v", left)
			}
		})
	}
}

func TestDryRunAndReadOnlyWriteNothing(t *testing.T) {
	root := t.TempDir()
	fx := fixtures[0]
	fx.write(t, root)
	h, err := xfiles.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + root}, driver.HandlerOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	subj, _ := fx.targets()
	if _, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{}); err == nil {
		t.Fatal("read-only handler erased")
	}
	res, err := h.Erase(context.Background(), []driver.Target{subj}, driver.EraseOptions{DryRun: true})
	if err != nil || res[0].Changed != 2 {
		t.Fatalf("dry run: %v %+v", err, res)
	}
	got, _ := os.ReadFile(filepath.Join(root, fx.asset))
	if string(got) != fx.data {
		t.Fatal("dry run changed the file")
	}
}

func TestCancelledRewriteLeavesOriginal(t *testing.T) {
	root := t.TempDir()
	fx := fixtures[0]
	fx.write(t, root)
	h := open(t, root)
	defer h.Close()
	subj, _ := fx.targets()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Erase(ctx, []driver.Target{subj}, driver.EraseOptions{}); err == nil {
		t.Fatal("cancelled erase succeeded")
	}
	got, _ := os.ReadFile(filepath.Join(root, fx.asset))
	if string(got) != fx.data {
		t.Fatal("cancelled erase changed the file")
	}
}

func TestModesAndEscapes(t *testing.T) {
	root := t.TempDir()
	fixtures[0].write(t, root)
	fixtures[7].write(t, root)
	h := open(t, root)
	defer h.Close()
	mc := h.(driver.ModeChecker)
	cases := []struct {
		asset string
		mode  driver.Mode
		ok    bool
	}{
		{"exports/customers.csv", driver.ModeDelete, true},
		{"exports/customers.csv", driver.ModeNull, true},
		{"exports/customers.csv", driver.ModeMask, true},
		{"exports/customers.csv", driver.ModeRedact, false},
		{"logs/app.log", driver.ModeRedact, true},
		{"logs/app.log", driver.ModeDrop, true},
		{"logs/app.log", driver.ModeMask, true},
		{"logs/app.log", driver.ModeNull, false},
		{"../outside.csv", driver.ModeDelete, false},
	}
	for _, c := range cases {
		err := mc.CheckMode(driver.Target{Asset: c.asset, Mode: c.mode})
		if (err == nil) != c.ok {
			t.Errorf("%s %s: err=%v, want ok=%v", c.asset, c.mode, err, c.ok)
		}
	}
}

func parquetFixture() fixture {
	return fixture{name: "parquet", asset: "events/2024/events.parquet", field: "email", mode: driver.ModeDelete, want: 2,
		others: []string{"bob@example.com", "xann@example.com"}}
}

func writeParquet(t *testing.T, root, asset string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(asset))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := `COPY (SELECT * FROM (VALUES
		(1, 'ann@example.com', '10.0.0.1', TIMESTAMP '2024-01-01 00:00:00'),
		(2, 'bob@example.com', '10.0.0.2', TIMESTAMP '2024-01-01 00:00:01'),
		(3, 'Ann@Example.COM', '10.0.0.3', TIMESTAMP '2024-01-01 00:00:02'),
		(4, 'xann@example.com', '10.0.0.4', TIMESTAMP '2024-01-01 00:00:03'))
		AS t(user_id, email, ip, ts)) TO '` + strings.ReplaceAll(p, "'", "''") + `' (FORMAT PARQUET)`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
}

// TestMaskRecords: mask replaces the subject's match and PII fields with
// HMAC tokens that keep an email's shape; the record stays, the raw values
// go, the other records are untouched, and the file still parses.
func TestMaskRecords(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, fx := range []fixture{fixtures[0], fixtures[5]} { // csv, json
		fx.write(t, root)
	}
	h := open(t, root)
	defer h.Close()
	key := []byte("test-mask-key")
	tok := driver.MaskToken(key, subject)
	for _, c := range []struct {
		asset, field string
		fields       []string
		want         []string // in the file after masking
	}{
		{"exports/customers.csv", "email", []string{"name"}, []string{
			"1," + tok + "," + driver.MaskToken(key, "Ann") + ",\"multi\nline, quoted\"\r\n",
			"3," + driver.MaskToken(key, "ANN@Example.com") + "," + driver.MaskToken(key, "Ann A") + ",second\r\n",
			"2,bob@example.com,Bob,plain\r\n"}},
		{"dump/users.json", "user.email", nil, []string{
			`{"id":1,"user":{"email":"` + tok + `"}}`,
			`{"id": 2, "user": {"email": "bob@example.com"}}`}},
	} {
		tgt := driver.Target{Asset: c.asset, Mode: driver.ModeMask, Fields: c.fields,
			Match: []driver.Match{{Field: c.field, Kind: piimap.KeyEmail, Values: []string{subject}}}}
		res, err := h.Erase(ctx, []driver.Target{tgt}, driver.EraseOptions{})
		if err != nil || res[0].Changed != 2 {
			t.Fatalf("%s: erase %+v %v", c.asset, res, err)
		}
		got, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.asset)))
		for _, w := range c.want {
			if !strings.Contains(string(got), w) {
				t.Errorf("%s: %q missing from\n%s", c.asset, w, got)
			}
		}
		if !strings.HasSuffix(tok, "@redacted.invalid") {
			t.Errorf("email token %q lost its shape", tok)
		}
		if n, err := h.(driver.Counter).Count(ctx, tgt); err != nil || n != 0 {
			t.Errorf("%s: %d subject records left (%v)", c.asset, n, err)
		}
	}
}

// TestRectifyRecords: rectification sets the subject's fields to the
// corrected values in CSV and JSON Lines, a second run changes nothing,
// other records keep their bytes, and Parquet and text refuse it.
func TestRectifyRecords(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for _, fx := range []fixture{fixtures[0], fixtures[3], fixtures[7]} { // csv, jsonl, log
		fx.write(t, root)
	}
	writeParquet(t, root, parquetFixture().asset)
	h := open(t, root)
	defer h.Close()
	rf := h.(driver.Rectifier)
	for _, c := range []struct {
		asset, field string
		changes      map[string]string
		want         []string
	}{
		{"exports/customers.csv", "email", map[string]string{"name": "Ann Lee"}, []string{
			"1,ann@example.com,Ann Lee,\"multi\nline, quoted\"\r\n", "3,ANN@Example.com,Ann Lee,second\r\n", "2,bob@example.com,Bob,plain\r\n"}},
		{"logs/app.jsonl", "user.email", map[string]string{"msg": "corrected"}, []string{
			`{"id":1,"msg":"corrected","user":{"email":"ann@example.com"}}` + "\n",
			`{"id":2,"user":{"email":"bob@example.com"},"msg":"yo"}` + "\n"}},
	} {
		tgt := driver.Target{Asset: c.asset, Changes: c.changes,
			Match: []driver.Match{{Field: c.field, Kind: piimap.KeyEmail, Values: []string{subject}}}}
		res, err := rf.Rectify(ctx, []driver.Target{tgt}, driver.EraseOptions{})
		if err != nil || res[0].Found != 2 || res[0].Changed != 2 {
			t.Fatalf("%s: rectify %+v %v", c.asset, res, err)
		}
		got, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.asset)))
		for _, w := range c.want {
			if !strings.Contains(string(got), w) {
				t.Errorf("%s: %q missing from\n%s", c.asset, w, got)
			}
		}
		res, err = rf.Rectify(ctx, []driver.Target{tgt}, driver.EraseOptions{})
		if err != nil || res[0].Changed != 0 {
			t.Errorf("%s: second rectification %+v %v, want nothing changed", c.asset, res, err)
		}
	}
	mc := h.(driver.ModeChecker)
	if err := mc.CheckMode(driver.Target{Asset: "logs/app.log", Changes: map[string]string{"email": "x@example.com"}}); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("text rectification check %v, want ErrUnsupported", err)
	}
	pq := parquetFixture().asset
	if err := mc.CheckMode(driver.Target{Asset: pq, Mode: driver.ModeMask, Fields: []string{"user_id"}}); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("parquet mask of a BIGINT column: %v, want ErrUnsupported", err)
	}
	if err := mc.CheckMode(driver.Target{Asset: pq, Mode: driver.ModeMask, Fields: []string{"ip"}}); err != nil {
		t.Errorf("parquet mask of a VARCHAR column: %v", err)
	}
	if err := mc.CheckMode(driver.Target{Asset: pq, Changes: map[string]string{"user.email": "x"}}); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("parquet rectification of a nested field: %v, want ErrUnsupported", err)
	}
}

// TestParquetNullAndRectify: DuckDB rewrites a Parquet file with the
// subject's rows' fields nulled or corrected, other rows and columns as
// they were; a second run changes nothing; nested fields are refused.
func TestParquetNullAndRectify(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	asset := parquetFixture().asset
	writeParquet(t, root, asset)
	h := open(t, root)
	defer h.Close()
	match := []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}
	rows := func() string {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var out string
		q := "SELECT string_agg(concat_ws('|', user_id, coalesce(email, 'NULL'), ip), ';' ORDER BY user_id) FROM read_parquet('" +
			filepath.Join(root, filepath.FromSlash(asset)) + "')"
		if err := db.QueryRow(q).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	rect := driver.Target{Asset: asset, Changes: map[string]string{"ip": "10.9.9.9"}, Match: match}
	for i, want := range []int64{2, 0} {
		res, err := h.(driver.Rectifier).Rectify(ctx, []driver.Target{rect}, driver.EraseOptions{})
		if err != nil || res[0].Changed != want {
			t.Fatalf("rectify run %d: %+v %v, want %d changed", i+1, res, err, want)
		}
	}
	if got, want := rows(), "1|ann@example.com|10.9.9.9;2|bob@example.com|10.0.0.2;3|Ann@Example.COM|10.9.9.9;4|xann@example.com|10.0.0.4"; got != want {
		t.Errorf("after rectification %s, want %s", got, want)
	}
	null := driver.Target{Asset: asset, Mode: driver.ModeNull, Match: match}
	for i, want := range []int64{2, 0} {
		res, err := h.Erase(ctx, []driver.Target{null}, driver.EraseOptions{})
		if err != nil || res[0].Changed != want {
			t.Fatalf("null run %d: %+v %v, want %d changed", i+1, res, err, want)
		}
	}
	if got, want := rows(), "1|NULL|10.9.9.9;2|bob@example.com|10.0.0.2;3|NULL|10.9.9.9;4|xann@example.com|10.0.0.4"; got != want {
		t.Errorf("after null %s, want %s", got, want)
	}
	nested := driver.Target{Asset: asset, Changes: map[string]string{"user.email": "x"}, Match: []driver.Match{{Field: "ip", Kind: driver.KindKey, Values: []string{"10.0.0.2"}}}}
	if _, err := h.(driver.Rectifier).Rectify(ctx, []driver.Target{nested}, driver.EraseOptions{}); !errors.Is(err, piimap.ErrUnsupported) {
		t.Errorf("nested rectification: %v, want ErrUnsupported", err)
	}

	// Mask swaps the subject's values for tokens computed in Go.
	writeParquet(t, root, asset)
	mask := driver.Target{Asset: asset, Mode: driver.ModeMask, Fields: []string{"ip"}, Match: match}
	for i, want := range []int64{2, 0} {
		res, err := h.Erase(ctx, []driver.Target{mask}, driver.EraseOptions{})
		if err != nil || res[0].Changed != want {
			t.Fatalf("mask run %d: %+v %v, want %d changed", i+1, res, err, want)
		}
	}
	key := []byte("test-mask-key")
	want := "1|" + driver.MaskToken(key, "ann@example.com") + "|" + driver.MaskToken(key, "10.0.0.1") +
		";2|bob@example.com|10.0.0.2;3|" + driver.MaskToken(key, "Ann@Example.COM") + "|" + driver.MaskToken(key, "10.0.0.3") +
		";4|xann@example.com|10.0.0.4"
	if got := rows(); got != want {
		t.Errorf("after mask %s, want %s", got, want)
	}
}
