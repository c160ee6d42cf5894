package classifiers

import (
	"bytes"
	"fmt"
	"sort"

	"github.com/piimap/piimap"
)

// Classify returns the PII findings for one record: per field for
// structured records (rec.Values), per type for a text chunk (rec.Data).
// Only findings at or above the threshold are returned, sorted by type.
func (e *Engine) Classify(rec piimap.Record) []piimap.Finding {
	out, _ := e.ClassifyDetail(rec)
	return out
}

// ClassifyDetail is Classify plus whether the record is ambiguous: a
// reported finding is borderline (see Ambiguous) or some rule fell just
// short of the threshold. The scanner grows the sample of such fields.
func (e *Engine) ClassifyDetail(rec piimap.Record) ([]piimap.Finding, bool) {
	var out []piimap.Finding
	near := false
	if rec.Data != nil {
		out = e.classifyText(rec)
	} else {
		p := e.profile(rec)
		out, near = e.classifyField(rec, p)
		if p.textual {
			out = e.addTextFindings(rec, p, out)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Type < out[j].Type })
	return out, near || e.Ambiguous(out)
}

// typeAgg accumulates spans of one type.
type typeAgg struct {
	rule    map[string]int
	hits    int
	sumConf float64
	maxConf float64
	ctx     int
	masked  string
	values  int // structured: values containing the type
}

func (a *typeAgg) add(sp piimap.Span, data []byte) {
	if a.rule == nil {
		a.rule = map[string]int{}
	}
	a.rule[sp.RuleID]++
	a.hits++
	a.sumConf += sp.Confidence
	if sp.Confidence > a.maxConf {
		a.maxConf = sp.Confidence
	}
	if a.masked == "" {
		a.masked = Mask(sp.Type, string(data[sp.Start:sp.End]))
	}
}

func (a *typeAgg) topRule() string {
	best, n := "", -1
	for id, c := range a.rule {
		if c > n || c == n && id < best {
			best, n = id, c
		}
	}
	return best
}

// classifyText aggregates a text chunk's spans per type: Hits is the span
// count, Sampled the chunk's line count, Confidence the strongest span's.
func (e *Engine) classifyText(rec piimap.Record) []piimap.Finding {
	aggs := map[string]*typeAgg{}
	e.Spans(rec.Data, func(sp piimap.Span) {
		a := aggs[sp.Type]
		if a == nil {
			a = &typeAgg{}
			aggs[sp.Type] = a
		}
		a.add(sp, rec.Data)
	})
	if len(aggs) == 0 {
		return nil
	}
	lines := bytes.Count(rec.Data, []byte{'\n'})
	if len(rec.Data) > 0 && rec.Data[len(rec.Data)-1] != '\n' {
		lines++
	}
	out := make([]piimap.Finding, 0, len(aggs))
	for typ, a := range aggs {
		out = append(out, piimap.Finding{
			Loc: rec.Loc, Type: typ, RuleID: a.topRule(), Confidence: a.maxConf,
			Hits: a.hits, Sampled: lines, Masked: a.masked,
			Evidence: []string{
				fmt.Sprintf("text spans: %d in %d lines", a.hits, lines),
				fmt.Sprintf("mean span confidence %.2f", a.sumConf/float64(a.hits)),
			},
		})
	}
	return out
}

// addTextFindings span-matches a free-text field's distinct values and
// adds the types found there that the field-level rules did not report.
func (e *Engine) addTextFindings(rec piimap.Record, p *fieldProfile, out []piimap.Finding) []piimap.Finding {
	have := map[string]bool{}
	for _, f := range out {
		have[f.Type] = true
	}
	aggs := map[string]*typeAgg{}
	for _, v := range p.distinct {
		data := []byte(v)
		seen := map[string]bool{}
		e.Spans(data, func(sp piimap.Span) {
			if have[sp.Type] {
				return
			}
			a := aggs[sp.Type]
			if a == nil {
				a = &typeAgg{}
				aggs[sp.Type] = a
			}
			a.add(sp, data)
			if !seen[sp.Type] {
				seen[sp.Type] = true
				a.values += p.count[v]
			}
		})
	}
	for typ, a := range aggs {
		conf := round2(a.sumConf / float64(a.hits))
		if conf < e.opt.Threshold {
			continue
		}
		out = append(out, piimap.Finding{
			Loc: rec.Loc, Type: typ, RuleID: a.topRule(), Confidence: conf,
			Hits: a.values, Sampled: p.n, Masked: a.masked,
			Evidence: []string{
				fmt.Sprintf("free text: %d/%d values", a.values, p.n),
				fmt.Sprintf("text spans: %d", a.hits),
			},
		})
	}
	return out
}
