package classifiers

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/piimap/piimap"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleDir holds the module's shared sample files (testdata/samples at the
// module root): the command's classify test reads the same log and golden.
var sampleDir = filepath.Join("..", "testdata", "samples")

// TestGoldenText pins the spans (type, rule, line, column, length,
// confidence — never the text) and the aggregated findings for a mixed log
// holding every text type plus hard negatives. Run with -update after an
// intended change and review the diff.
func TestGoldenText(t *testing.T) {
	e := defaultEngine(t)
	data, err := os.ReadFile(filepath.Join(sampleDir, "mixed.log"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	line, lineStart := 1, 0
	pos := 0
	e.Spans(data, func(sp piimap.Span) {
		for ; pos < sp.Start; pos++ {
			if data[pos] == '\n' {
				line++
				lineStart = pos + 1
			}
		}
		fmt.Fprintf(&b, "span line=%d col=%d len=%d type=%s rule=%s conf=%.2f\n", line, sp.Start-lineStart, sp.Len(), sp.Type, sp.RuleID, sp.Confidence)
	})
	fs := e.Classify(piimap.Record{Loc: piimap.Location{Store: "files", Name: "logs/mixed.log"}, Data: data})
	for _, f := range fs {
		j, _ := json.Marshal(f)
		fmt.Fprintf(&b, "finding %s\n", j)
	}
	golden := filepath.Join(sampleDir, "mixed.golden")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGoldenText -update)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("output differs from %s (rerun with -update and review):\n%s", golden, b.String())
	}
	for _, s := range []string{"jane.doe", "555-2671", "536-22", "AKIAIOSFODNN7EXAMPLE", "s3cr3t"} {
		if bytes.Contains(b.Bytes(), []byte(s)) {
			t.Errorf("raw value %q in output", s)
		}
	}
}
