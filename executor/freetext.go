package executor

import (
	"strings"
	"sync"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor/dsar"
)

// Free text a person types into a request (a reason, an attestation
// method) ends up in the graph, the audit log and evidence packs, which
// hold no raw identifier. So before it is stored, every PII span the
// default classifier finds in it is replaced by its masked display form
// (a***@e***.com), the rest kept as typed.

var (
	freeTextOnce sync.Once
	freeTextEng  *classifiers.Engine
)

// redactFreeText returns s with the PII spans the built-in rules find
// masked. If the rules cannot be loaded, every digit and @ is starred:
// the text loses detail rather than leak.
func redactFreeText(s string) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	freeTextOnce.Do(func() { freeTextEng, _ = classifiers.Default(classifiers.Options{}) })
	if freeTextEng == nil {
		return strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '@' {
				return '*'
			}
			return r
		}, s)
	}
	data := []byte(s)
	var spans []piimap.Span
	freeTextEng.Spans(data, func(sp piimap.Span) { spans = append(spans, sp) })
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.Start < at || sp.End > len(data) {
			continue // overlapping spans: the first one masked it
		}
		b.Write(data[at:sp.Start])
		b.WriteString(dsar.MaskDisplay(string(data[sp.Start:sp.End])))
		at = sp.End
	}
	b.Write(data[at:])
	return b.String()
}
