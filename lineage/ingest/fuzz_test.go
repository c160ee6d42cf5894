package ingest

import (
	"bytes"
	"strings"
	"testing"
)

var fuzzLogs = []string{
	"2024-01-01 10:00:00.123 UTC [123] LOG:  statement: INSERT INTO a SELECT * FROM b WHERE e = 'ann@example.com'\n",
	"x LOG:  duration: 1.2 ms  statement: CREATE TABLE t AS SELECT a FROM b\n\tWHERE c = 'd\n\te'\n",
	"x LOG:  execute S_1: CREATE VIEW v AS SELECT md5(e) FROM u\nx DETAIL:  parameters: $1 = 'ann@example.com'\n",
	"x LOG:  duration: 3 ms\nx LOG:  statement: SELECT 1\n",
	"x LOG:  statement: INSERT INTO t SELECT 'unterminated\n",
	"p [1]: db=shop LOG:  statement: SELECT $$a$$ INTO t FROM u\r\n",
	`{"error_severity":"LOG","message":"statement: CREATE TABLE t AS SELECT 'x' FROM u","dbname":"d"}` + "\n",
	"2024-01-01 10:00:00 UTC,\"u\",\"d\",1,\"h\",s,1,\"INSERT\",2024-01-01 UTC,1/1,0,LOG,00000,\"statement: INSERT INTO t SELECT a FROM b WHERE c = 'x'\",,,,,,,,,\"psql\"\n",
	"x LOG:  statement: CREATE TABLE \"it's\" AS SELECT a FROM b\n",
	"", "\t", "LOG:  ", "LOG:  statement: ", "{", "\"", "x,x,x,x,x,x,x,x,x,x,x,LOG,x,\"",
}

// FuzzPostgresLog feeds any bytes to the log reader in every format. It
// must not panic, must account for every statement it read, and must keep
// no string literal: every kept statement is masked.
func FuzzPostgresLog(f *testing.F) {
	for _, s := range fuzzLogs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, log string) {
		for _, format := range LogFormats {
			src, err := ReadPostgresLog(strings.NewReader(log), "fuzz", format)
			if err != nil {
				continue
			}
			st := src.Stats
			if st.Read != st.Kept+st.Repeated+st.Dropped+st.Failed || st.Kept != len(src.Statements) {
				t.Fatalf("%s: stats %+v do not add up (%d kept)", format, st, len(src.Statements))
			}
			for _, s := range src.Statements {
				if strings.Contains(withoutIdentifiers(s.SQL), "'") {
					t.Fatalf("%s: a quote survived masking: %q", format, s.SQL)
				}
				if _, err := parseMasked(s.SQL); err != nil {
					t.Fatalf("%s: a kept statement does not parse: %v", format, err)
				}
			}
		}
	})
}

// FuzzDecodeEvents feeds any bytes to the OpenLineage decoder.
func FuzzDecodeEvents(f *testing.F) {
	for _, s := range []string{
		`{"eventType":"COMPLETE","eventTime":"2026-01-01T00:00:00Z","job":{"namespace":"a","name":"b"},"inputs":[{"namespace":"n","name":"i"}],"outputs":[{"namespace":"n","name":"o","facets":{"columnLineage":{"fields":{"c":{"inputFields":[{"namespace":"n","name":"i","field":"d","transformations":[{"type":"DIRECT","masking":true}]}]}}}}}]}`,
		`[{"eventTime":"2026-01-01T00:00:00Z","dataset":{"namespace":"n","name":"o"}}]`,
		`{"eventTime":"x"}`, `[`, `[]`, `{}` + "\n" + `{}`, "", "null", `[null]`, `{"job":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		events, st, err := DecodeEvents(bytes.NewReader([]byte(in)))
		if err != nil {
			return
		}
		if len(events) != st.Kept || st.Read != st.Kept+st.Repeated+st.Dropped {
			t.Fatalf("stats %+v for %d events", st, len(events))
		}
		for _, e := range events {
			if len(e.Outputs) == 0 {
				t.Fatal("a kept event has no outputs")
			}
		}
	})
}

// withoutIdentifiers drops double-quoted identifiers ("it's" is a name).
func withoutIdentifiers(sql string) string {
	var b strings.Builder
	in := false
	for i := 0; i < len(sql); i++ {
		if sql[i] == '"' {
			in = !in
			continue
		}
		if !in {
			b.WriteByte(sql[i])
		}
	}
	return b.String()
}
