package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/bench/textcorpus"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/rules"
)

func main() {
	corpus := flag.String("corpus", "", "labelled corpus (JSON Lines, package bench/textcorpus)")
	asJSON := flag.Bool("json", false, "print the report as JSON")
	md := flag.Bool("md", false, "print the per-type table as Markdown")
	misses := flag.Int("misses", 0, "also list up to N false negatives and N false positives (document id, type, offsets; never the text)")
	negatives := flag.Bool("negatives", false, "report precision on the built-in rules' own true_positives/false_positives samples instead of a corpus")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the timed Spans passes to this file")
	flag.Parse()
	profilePath = *cpuprofile
	var err error
	switch {
	case *negatives:
		err = runNegatives(os.Stdout, *asJSON, *md)
	case *corpus == "":
		err = fmt.Errorf("give -corpus FILE.jsonl (or -negatives)")
	default:
		err = runCorpus(os.Stdout, *corpus, *asJSON, *md, *misses)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "textf2:", err)
		os.Exit(1)
	}
}

// profilePath is where runCorpus writes a CPU profile of its timed passes.
var profilePath string

// engine builds the classifier the way `piimap classify` does: the
// built-in rules, default options.
func engine() (*classifiers.Engine, error) {
	e, err := classifiers.Default(classifiers.Options{})
	if err != nil {
		return nil, fmt.Errorf("build engine: %w", err)
	}
	return e, nil
}

// TypeRow is one line of the report.
type TypeRow struct {
	Type string `json:"type"`
	Counts
	Precision      float64 `json:"precision"`
	Recall         float64 `json:"recall"`
	F2             float64 `json:"f2"`
	ExactPrecision float64 `json:"exact_precision"`
	ExactRecall    float64 `json:"exact_recall"`
	ExactF2        float64 `json:"exact_f2"`
}

func row(name string, c Counts) TypeRow {
	e := c.exact()
	return TypeRow{Type: name, Counts: c, Precision: c.Precision(), Recall: c.Recall(), F2: c.F2(),
		ExactPrecision: e.Precision(), ExactRecall: e.Recall(), ExactF2: e.F2()}
}

// Report is the evaluator's output.
type Report struct {
	Corpus     string         `json:"corpus"`
	Docs       int            `json:"docs"`
	Bytes      int            `json:"bytes"`
	MBps       float64        `json:"mb_per_s"`
	Matching   string         `json:"matching"`
	Types      []TypeRow      `json:"types"`
	Overall    TypeRow        `json:"overall"`
	ByGenre    []TypeRow      `json:"by_genre"`
	ByLocale   []TypeRow      `json:"by_locale"`
	Unlabelled map[string]int `json:"unlabelled"`
}

const matchingRule = "a predicted span matches a gold span of the same type when it covers >= 50% of the gold span's bytes; one-to-one, largest overlap first; exact = same start and end"

type miss struct {
	doc, kind, typ string
	start, end     int
}

func runCorpus(w io.Writer, path string, asJSON, md bool, nMisses int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open corpus: %w", err)
	}
	docs, err := textcorpus.ReadJSONL(f)
	f.Close()
	if err != nil {
		return err
	}
	e, err := engine()
	if err != nil {
		return err
	}
	labelled := map[string]bool{}
	for _, d := range docs {
		for _, s := range d.Spans {
			labelled[s.Type] = true
		}
	}
	preds := make([][]pred, len(docs))
	bytes := 0
	texts := make([][]byte, len(docs))
	for i, d := range docs {
		texts[i] = []byte(d.Text)
		bytes += len(d.Text)
	}
	for i, t := range texts { // also warms up lazily built models
		e.Spans(t, func(s piimap.Span) {
			preds[i] = append(preds[i], pred{Start: s.Start, End: s.End, Type: s.Type})
		})
	}
	// throughput: best of three timed passes, one document per Spans call
	if profilePath != "" {
		pf, err := os.Create(profilePath)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer func() { pprof.StopCPUProfile(); pf.Close() }()
	}
	el := 0.0
	for range 3 {
		t0 := time.Now()
		for _, t := range texts {
			e.Spans(t, func(piimap.Span) {})
		}
		if d := time.Since(t0).Seconds(); el == 0 || d < el {
			el = d
		}
	}
	rep := Report{Corpus: path, Docs: len(docs), Bytes: bytes, Matching: matchingRule, Unlabelled: map[string]int{}}
	if el > 0 {
		rep.MBps = float64(bytes) / el / 1e6
	}
	perType := map[string]*Counts{}
	byGenre := map[string]*Counts{}
	byLocale := map[string]*Counts{}
	var overall Counts
	var fns, fps []miss
	bump := func(m map[string]*Counts, k string, c Counts) {
		if m[k] == nil {
			m[k] = &Counts{}
		}
		m[k].add(c)
	}
	for i, d := range docs {
		pt, un := scoreDoc(d.Spans, preds[i], labelled)
		for t, c := range pt {
			bump(perType, t, c)
			bump(byGenre, d.Genre, c)
			bump(byLocale, d.Locale, c)
			overall.add(c)
		}
		for t, n := range un {
			rep.Unlabelled[t] += n
		}
		if nMisses > 0 {
			fn, fp := unmatched(d.Spans, preds[i], labelled)
			for _, s := range fn {
				fns = append(fns, miss{d.ID, "FN", s.Type, s.Start, s.End})
			}
			for _, p := range fp {
				fps = append(fps, miss{d.ID, "FP", p.Type, p.Start, p.End})
			}
		}
	}
	for _, t := range sortedKeys(perType) {
		rep.Types = append(rep.Types, row(t, *perType[t]))
	}
	for _, g := range sortedKeys(byGenre) {
		rep.ByGenre = append(rep.ByGenre, row(g, *byGenre[g]))
	}
	for _, l := range sortedKeys(byLocale) {
		rep.ByLocale = append(rep.ByLocale, row(l, *byLocale[l]))
	}
	rep.Overall = row("overall", overall)
	switch {
	case asJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case md:
		printMarkdown(w, rep)
	default:
		printText(w, rep)
	}
	for _, list := range [][]miss{fns, fps} {
		for i, m := range list {
			if i >= nMisses {
				break
			}
			fmt.Fprintf(w, "%s %s %s [%d,%d)\n", m.kind, m.doc, m.typ, m.start, m.end)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func printText(w io.Writer, rep Report) {
	fmt.Fprintf(w, "corpus %s: %d documents, %d bytes, Spans at %.1f MB/s\nmatching: %s\n\n", rep.Corpus, rep.Docs, rep.Bytes, rep.MBps, rep.Matching)
	table := func(title string, rows []TypeRow) {
		fmt.Fprintf(w, "%-22s %6s %6s %6s %6s %6s %6s  %5s %5s %5s   %5s %5s %5s\n", title, "gold", "pred", "TP", "FP", "FN", "part", "P", "R", "F2", "xP", "xR", "xF2")
		for _, r := range rows {
			fmt.Fprintf(w, "%-22s %6d %6d %6d %6d %6d %6d  %5.3f %5.3f %5.3f   %5.3f %5.3f %5.3f\n", r.Type, r.Gold, r.Pred, r.TP, r.FP, r.FN, r.Partial,
				r.Precision, r.Recall, r.F2, r.ExactPrecision, r.ExactRecall, r.ExactF2)
		}
		fmt.Fprintln(w)
	}
	table("type", append(append([]TypeRow{}, rep.Types...), rep.Overall))
	table("genre", rep.ByGenre)
	table("locale", rep.ByLocale)
	if len(rep.Unlabelled) > 0 {
		var parts []string
		for _, t := range sortedKeys(rep.Unlabelled) {
			parts = append(parts, fmt.Sprintf("%s %d", t, rep.Unlabelled[t]))
		}
		fmt.Fprintf(w, "unlabelled types (not counted as FP): %s\n", strings.Join(parts, ", "))
	}
}

func printMarkdown(w io.Writer, rep Report) {
	fmt.Fprintf(w, "| type | gold | TP | FP | FN | precision | recall | **F2** | exact P | exact R | exact F2 |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range append(append([]TypeRow{}, rep.Types...), rep.Overall) {
		name := "`" + r.Type + "`"
		if r.Type == "overall" {
			name = "**overall (micro)**"
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %.3f | %.3f | **%.3f** | %.3f | %.3f | %.3f |\n", name, r.Gold, r.TP, r.FP, r.FN, r.Precision, r.Recall, r.F2, r.ExactPrecision, r.ExactRecall, r.ExactF2)
	}
	if len(rep.Unlabelled) > 0 {
		var parts []string
		for _, t := range sortedKeys(rep.Unlabelled) {
			parts = append(parts, fmt.Sprintf("`%s` %d", t, rep.Unlabelled[t]))
		}
		fmt.Fprintf(w, "\nUnlabelled types reported (not counted): %s.\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "\n| genre | F2 | | locale | F2 |\n|---|---:|---|---|---:|\n")
	for i := 0; i < max(len(rep.ByGenre), len(rep.ByLocale)); i++ {
		g, l := "", ""
		if i < len(rep.ByGenre) {
			g = fmt.Sprintf("%s | %.3f", rep.ByGenre[i].Type, rep.ByGenre[i].F2)
		} else {
			g = " | "
		}
		if i < len(rep.ByLocale) {
			l = fmt.Sprintf("%s | %.3f", rep.ByLocale[i].Type, rep.ByLocale[i].F2)
		} else {
			l = " | "
		}
		fmt.Fprintf(w, "| %s | | %s |\n", g, l)
	}
}

// NegRow is one rule's result on its own samples.
type NegRow struct {
	Rule        string `json:"rule"`
	Type        string `json:"type"`
	TPSamples   int    `json:"tp_samples"`
	TPFound     int    `json:"tp_found"`
	FPSamples   int    `json:"fp_samples"`
	FPFired     int    `json:"fp_fired"`
	OtherTypeFP int    `json:"other_type_spans_on_fp_samples"`
}

// runNegatives measures precision on the rules' own samples: a
// true_positives sample where the rule's type is found is a true
// positive, a false_positives sample where it is found is a false
// positive. Spans of other types on false_positives samples are counted
// apart (some are right: "ssn 123-45-6789" is a phone negative but an SSN).
func runNegatives(w io.Writer, asJSON, md bool) error {
	e, err := engine()
	if err != nil {
		return err
	}
	rs, err := rules.Default()
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	var out []NegRow
	var tp, fp, other, fpSamples int
	var others []string // rule, sample index, type and offsets of other-type spans
	has := func(s, typ string) (same bool, n int, where []string) {
		e.Spans([]byte(s), func(sp piimap.Span) {
			if sp.Type == typ {
				same = true
			} else {
				n++
				where = append(where, fmt.Sprintf("%s [%d,%d)", sp.Type, sp.Start, sp.End))
			}
		})
		return
	}
	for _, r := range rs {
		if !r.TextEnabled() {
			continue
		}
		nr := NegRow{Rule: r.ID, Type: r.Type, TPSamples: len(r.TruePositives), FPSamples: len(r.FalsePositives)}
		for _, s := range r.TruePositives {
			if ok, _, _ := has(s, r.Type); ok {
				nr.TPFound++
			}
		}
		for i, s := range r.FalsePositives {
			ok, o, where := has(s, r.Type)
			if ok {
				nr.FPFired++
			}
			nr.OtherTypeFP += o
			for _, w := range where {
				others = append(others, fmt.Sprintf("%s false_positives[%d]: %s", r.ID, i, w))
			}
		}
		tp += nr.TPFound
		fp += nr.FPFired
		other += nr.OtherTypeFP
		fpSamples += nr.FPSamples
		out = append(out, nr)
	}
	prec := ratio(tp, tp+fp)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"rules": out, "tp": tp, "fp": fp, "precision": prec, "fp_samples": fpSamples, "other_type_spans_on_fp_samples": other, "other_type_spans": others})
	}
	if md {
		fmt.Fprintf(w, "| rule | type | TP samples found | FP samples fired (own type) | other-type spans on FP samples |\n|---|---|---:|---:|---:|\n")
		for _, r := range out {
			fmt.Fprintf(w, "| `%s` | `%s` | %d/%d | %d/%d | %d |\n", r.Rule, r.Type, r.TPFound, r.TPSamples, r.FPFired, r.FPSamples, r.OtherTypeFP)
		}
		fmt.Fprintf(w, "\nPrecision on the rules' samples: %d TP, %d FP → **%.3f**; %d spans of other types on %d false_positives samples", tp, fp, prec, other, fpSamples)
		if len(others) > 0 {
			fmt.Fprintf(w, " (%s)", strings.Join(others, "; "))
		}
		fmt.Fprintln(w, ".")
		return nil
	}
	for _, r := range out {
		fmt.Fprintf(w, "%-26s %-22s tp %d/%d  fp %d/%d  other-type %d\n", r.Rule, r.Type, r.TPFound, r.TPSamples, r.FPFired, r.FPSamples, r.OtherTypeFP)
	}
	fmt.Fprintf(w, "precision %.3f (%d TP, %d FP); %d other-type spans on %d false_positives samples\n", prec, tp, fp, other, fpSamples)
	for _, o := range others {
		fmt.Fprintln(w, "  other-type span:", o)
	}
	return nil
}
