package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/piimap/piimap/bench/copyestate"
)

func main() {
	rows := flag.Int("rows", 20000, "rows of the customers and members originals (patients: 3/4 of it)")
	per := flag.Int("copies-per-transform", 10, "copies planted per transform")
	seed := flag.Int64("seed", 1, "generator seed")
	keep := flag.Bool("keep", false, "keep the estate (databases, bucket, files) and print how to remove it")
	runs := flag.Int("runs", 3, "scans with copy detection and as many without, alternating")
	full := flag.Bool("full", false, "scan with --full (validates the ground truth; the bench measures default scans)")
	out := flag.String("out", "bench/out", "directory for the piimap build, the estate and copybench.json")
	bin := flag.String("piimap", "", "use this piimap binary instead of building ./cmd/piimap")
	clean := flag.String("clean", "", "remove the estate saved in this estate.json and exit")
	reuse := flag.String("estate", "", "scan the estate saved in this estate.json (by -keep) instead of generating one; it is kept")
	writeConfig := flag.String("write-config", "", "with -estate: write a piimap config for the estate (graph beside it) to this file and exit, for profiling a scan by hand")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *clean != "" {
		e, err := copyestate.Load(*clean)
		if err == nil {
			err = e.Clean(context.Background())
		}
		if err != nil {
			fatalf("clean: %v", err)
		}
		fmt.Println("removed estate", e.Suffix)
		return
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatalf("%v", err)
	}
	outAbs, _ := filepath.Abs(*out)
	piimap := *bin
	if piimap == "" && *writeConfig == "" {
		piimap = filepath.Join(outAbs, "piimap")
		logf("building piimap")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", piimap, "./cmd/piimap")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fatalf("go build: %v", err)
		}
	}

	opts := copyestate.Options{Dir: outAbs, Rows: *rows, CopiesPerTransform: *per, Seed: *seed,
		Postgres: envOr("PIIMAP_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		MySQL:    envOr("PIIMAP_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test"),
		S3:       os.Getenv("PIIMAP_TEST_S3"), Log: logf}
	var e *copyestate.Estate
	var err error
	if *reuse != "" {
		if e, err = copyestate.Load(*reuse); err != nil {
			fatalf("estate: %v", err)
		}
		*keep = true
		if *writeConfig != "" {
			cfg, err := e.WriteConfig(filepath.Base(*writeConfig), filepath.Join(e.Dir, "graph-by-hand"))
			if err != nil {
				fatalf("write config: %v", err)
			}
			fmt.Println(cfg)
			return
		}
		logf("scanning the kept estate %s (%d rows)", e.Suffix, e.Rows)
	} else {
		logf("generating the estate: %d rows, %d copies per transform, seed %d", *rows, *per, *seed)
		t0 := time.Now()
		if e, err = copyestate.Generate(ctx, opts); err != nil {
			fatalf("generate: %v", err)
		}
		logf("estate %s generated in %.1fs", e.Suffix, time.Since(t0).Seconds())
	}
	code := 0
	defer func() {
		if *keep {
			state := filepath.Join(e.Dir, "estate.json")
			if err := e.Save(state); err != nil {
				logf("save %s: %v", state, err)
			}
			logf("kept the estate; remove it with: go run ./bench/copybench -clean %s", state)
		} else if err := e.Clean(context.Background()); err != nil {
			logf("cleanup failed: %v", err)
			code = 1
		}
		os.Exit(code)
	}()
	rep, err := bench(ctx, piimap, e, *runs, *full)
	if err != nil {
		logf("%v", err)
		code = 1
		return
	}
	printMarkdown(rep)
	js, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Printf("\n```json\n%s\n```\n", js)
	_ = os.WriteFile(filepath.Join(outAbs, "copybench.json"), js, 0o644)
}

// Report is what copybench prints.
type Report struct {
	Rows               int               `json:"rows"`
	CopiesPerTransform int               `json:"copies_per_transform"`
	Seed               int64             `json:"seed"`
	Mode               string            `json:"mode"` // "default (sampled)" or "full"
	Kinds              []string          `json:"kinds"`
	CopiesPerKind      map[string]int    `json:"copies_per_kind"`
	Decoys             int               `json:"decoys"`
	Notes              []string          `json:"notes,omitempty"`
	Score              *copyestate.Score `json:"score"`
	RunsAgree          bool              `json:"runs_agree"`
	Recalls            []float64         `json:"recalls"`
	Precisions         []float64         `json:"precisions"`
	WithCopies         []float64         `json:"scan_seconds_with_copies"`
	NoCopies           []float64         `json:"scan_seconds_no_copies"`
	NoCopiesFlag       string            `json:"no_copies_flag"`
	NoCopiesEdges      []int             `json:"no_copies_copy_edges"`
	MedianWith         float64           `json:"median_seconds_with_copies"`
	MedianWithout      float64           `json:"median_seconds_no_copies"`
	Ratio              float64           `json:"ratio"`
	// The second scan of each graph: an unchanged estate scanned again,
	// as a schedule does (kept filters of unchanged fields are reused).
	RepeatWith          []float64        `json:"repeat_seconds_with_copies"`
	RepeatNoCopies      []float64        `json:"repeat_seconds_no_copies"`
	RepeatRecalls       []float64        `json:"repeat_recalls"`
	RepeatPrecisions    []float64        `json:"repeat_precisions"`
	MedianRepeatWith    float64          `json:"median_repeat_seconds_with_copies"`
	MedianRepeatWithout float64          `json:"median_repeat_seconds_no_copies"`
	RepeatRatio         float64          `json:"repeat_ratio"`
	ExitCodes           map[string][]int `json:"exit_codes"`
	Planted             map[string]int   `json:"planted"`
}

func bench(ctx context.Context, piimap string, e *copyestate.Estate, runs int, full bool) (*Report, error) {
	rep := &Report{Rows: e.Rows, CopiesPerTransform: e.CopiesPerTransform, Seed: e.Seed, Mode: "default (sampled)",
		Kinds: e.Kinds, CopiesPerKind: e.CopyKinds(), Decoys: len(e.Decoys), Notes: e.Notes, RunsAgree: true,
		ExitCodes: map[string][]int{}, Planted: e.Planted()}
	base := []string{"scan"}
	if full {
		base = append(base, "--full")
		rep.Mode = "full"
	}
	noFlag, set := os.LookupEnv("NOCOPIES_FLAG")
	if !set {
		noFlag = "--no-copies"
	}
	rep.NoCopiesFlag = noFlag
	noSupported := true
	for i := range runs {
		for _, with := range []bool{true, false} {
			if !with && !noSupported {
				continue
			}
			label := "with"
			args := slices.Clone(base)
			if !with {
				label = "without"
				args = append(args, strings.Fields(noFlag)...)
			}
			graph := filepath.Join(e.Dir, fmt.Sprintf("graph-%s-%d", label, i))
			cfg, err := e.WriteConfig(fmt.Sprintf("piimap-%s-%d.yaml", label, i), graph)
			if err != nil {
				return nil, err
			}
			// The key directory beside the configs (piimap-keys), shared by
			// every graph of the run, is created by the first init.
			if code, _, stderr, err := run(ctx, piimap, "--config", cfg, "--quiet", "init"); err != nil || code != 0 {
				return nil, fmt.Errorf("piimap init: exit %d: %v %s", code, err, lastLines(stderr, 5))
			}
			t0 := time.Now()
			code, _, stderr, err := run(ctx, piimap, append([]string{"--config", cfg, "--quiet"}, args...)...)
			secs := time.Since(t0).Seconds()
			if err != nil {
				return nil, err
			}
			rep.ExitCodes[label] = append(rep.ExitCodes[label], code)
			if code == 2 && !with && strings.Contains(stderr, "unknown flag") {
				logf("this piimap has no %s flag: runs without copy detection skipped (set NOCOPIES_FLAG to override)", noFlag)
				noSupported = false
				rep.NoCopiesFlag += " (unsupported by this build)"
				continue
			}
			if code != 0 && code != 3 {
				return nil, fmt.Errorf("piimap %s: exit %d: %s", strings.Join(args, " "), code, lastLines(stderr, 5))
			}
			code, mapJSON, stderr, err := run(ctx, piimap, "--config", cfg, "map", "--format", "json")
			if err != nil || code != 0 {
				return nil, fmt.Errorf("piimap map: exit %d: %v %s", code, err, lastLines(stderr, 5))
			}
			edges, unitErrs, err := copyestate.CopyEdges([]byte(mapJSON))
			if err != nil {
				return nil, err
			}
			// The same estate scanned again into the same graph.
			t0 = time.Now()
			rcode, _, rstderr, err := run(ctx, piimap, append([]string{"--config", cfg, "--quiet"}, args...)...)
			rsecs := time.Since(t0).Seconds()
			if err != nil || rcode != 0 && rcode != 3 {
				return nil, fmt.Errorf("piimap %s (repeat): exit %d: %v %s", strings.Join(args, " "), rcode, err, lastLines(rstderr, 5))
			}
			rcode, rmap, rstderr, err := run(ctx, piimap, "--config", cfg, "map", "--format", "json")
			if err != nil || rcode != 0 {
				return nil, fmt.Errorf("piimap map (repeat): exit %d: %v %s", rcode, err, lastLines(rstderr, 5))
			}
			redges, _, err := copyestate.CopyEdges([]byte(rmap))
			if err != nil {
				return nil, err
			}
			if with {
				rs := e.Score(redges)
				rep.RepeatWith = append(rep.RepeatWith, rsecs)
				rep.RepeatRecalls = append(rep.RepeatRecalls, rs.Recall)
				rep.RepeatPrecisions = append(rep.RepeatPrecisions, rs.Precision)
				logf("run %d with copies, repeated:    %.1fs, recall %.3f, precision %.3f", i+1, rsecs, rs.Recall, rs.Precision)
			} else {
				rep.RepeatNoCopies = append(rep.RepeatNoCopies, rsecs)
				logf("run %d without copies, repeated: %.1fs", i+1, rsecs)
			}
			if with {
				rep.WithCopies = append(rep.WithCopies, secs)
				s := e.Score(edges)
				s.UnitErrors = unitErrs
				rep.Recalls = append(rep.Recalls, s.Recall)
				rep.Precisions = append(rep.Precisions, s.Precision)
				if rep.Score == nil {
					rep.Score = s
				} else if s.Found != rep.Score.Found || s.TP != rep.Score.TP || s.FP != rep.Score.FP {
					rep.RunsAgree = false
				}
				logf("run %d with copies:    %.1fs, recall %.3f, precision %.3f (%d TP, %d FP, %d sibling edges, %d unit errors, exit %d)",
					i+1, secs, s.Recall, s.Precision, s.TP, s.FP, s.SiblingEdges, unitErrs, code)
			} else {
				rep.NoCopies = append(rep.NoCopies, secs)
				rep.NoCopiesEdges = append(rep.NoCopiesEdges, len(edges))
				logf("run %d without copies: %.1fs, %d copy_of edges (exit %d)", i+1, secs, len(edges), code)
			}
			if err := os.RemoveAll(graph); err != nil {
				return nil, err
			}
			_ = os.Remove(cfg)
		}
	}
	rep.MedianWith, rep.MedianWithout = median(rep.WithCopies), median(rep.NoCopies)
	if rep.MedianWithout > 0 {
		rep.Ratio = rep.MedianWith / rep.MedianWithout
	}
	rep.MedianRepeatWith, rep.MedianRepeatWithout = median(rep.RepeatWith), median(rep.RepeatNoCopies)
	if rep.MedianRepeatWithout > 0 {
		rep.RepeatRatio = rep.MedianRepeatWith / rep.MedianRepeatWithout
	}
	if rep.Score == nil {
		return nil, errors.New("no scan with copy detection completed")
	}
	return rep, nil
}

func run(ctx context.Context, bin string, args ...string) (int, string, string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out.String(), errb.String(), nil
	}
	return 0, out.String(), errb.String(), err
}

func printMarkdown(r *Report) {
	s := r.Score
	fmt.Printf("## piimap copy detection: %s scan\n\n", r.Mode)
	kinds := make([]string, 0, len(r.CopiesPerKind))
	for _, k := range r.Kinds {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, r.CopiesPerKind[k]))
	}
	fmt.Printf("Originals of %d rows (patients %d), seed %d; copies per kind: %s; %d decoys.\n",
		r.Rows, r.Rows*3/4, r.Seed, strings.Join(kinds, ", "), r.Decoys)
	for _, n := range r.Notes {
		fmt.Printf("Note: %s.\n", n)
	}
	fmt.Printf("\n| transform | planted | found | recall | edge to a sibling only | no edge | wrong transform |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range copyestate.AllTransforms {
		c := s.ByTransform[t]
		if c == nil {
			continue
		}
		fmt.Printf("| %s | %d | %d | %.2f | %d | %d | %d |\n", t, c.Planted, c.Found, ratio(c.Found, c.Planted), c.Sibling, c.NoEdge, c.WrongTransform)
	}
	fmt.Printf("| **all** | %d | %d | **%.3f** | %d | %d | |\n", s.Planted, s.Found, s.Recall, s.Linked-s.Found, s.Planted-s.Linked)
	fmt.Printf("\nRecall counts an edge to the original only; with edges to a sibling copy of the same original too, %d of %d planted copies (%.3f) are linked.\n",
		s.Linked, s.Planted, ratio(s.Linked, s.Planted))
	fmt.Printf("\n| store kind | planted | found | recall |\n|---|---:|---:|---:|\n")
	for _, k := range r.Kinds {
		if c := s.ByKind[k]; c != nil {
			fmt.Printf("| %s | %d | %d | %.2f |\n", k, c.Planted, c.Found, ratio(c.Found, c.Planted))
		}
	}
	fmt.Printf("\n| edges | count |\n|---|---:|\n| true positive | %d |\n| to a sibling copy | %d |\n| false positive | %d |\n| … of which reversed (original → copy) | %d |\n| … of which from or to a decoy | %d |\n| … of which between other fields (ids, names) | %d |\n| **precision** | **%.3f** |\n",
		s.TP, s.SiblingEdges, s.FP, s.Reversed, s.DecoyFP, s.OtherFP, s.Precision)
	if !r.RunsAgree {
		fmt.Printf("\nRuns disagree: recalls %v, precisions %v (the table shows run 1).\n", r.Recalls, r.Precisions)
	}
	fmt.Printf("\n| scans | with copies | %s | ratio |\n|---|---:|---:|---:|\n", r.NoCopiesFlag)
	fmt.Printf("| first scan, median seconds (n=%d/%d) | %.2f | %.2f | %.2f |\n", len(r.WithCopies), len(r.NoCopies), r.MedianWith, r.MedianWithout, r.Ratio)
	fmt.Printf("| each | %s | %s | |\n", secs(r.WithCopies), secs(r.NoCopies))
	fmt.Printf("| repeat scan, median seconds (n=%d/%d) | %.2f | %.2f | %.2f |\n", len(r.RepeatWith), len(r.RepeatNoCopies),
		r.MedianRepeatWith, r.MedianRepeatWithout, r.RepeatRatio)
	fmt.Printf("| repeat, each | %s | %s | |\n", secs(r.RepeatWith), secs(r.RepeatNoCopies))
	fmt.Printf("\nRepeat scans (the same graph scanned again, estate unchanged): recall %s, precision %s.\n",
		secs(r.RepeatRecalls), secs(r.RepeatPrecisions))
	if len(s.Missed) > 0 {
		fmt.Printf("\nMissed (%d):\n", len(s.Missed))
		for _, m := range head(s.Missed, 30) {
			fmt.Printf("- %s\n", m)
		}
	}
	if len(s.Siblings) > 0 {
		fmt.Printf("\nEdges to a sibling copy (%d):\n", len(s.Siblings))
		for _, m := range head(s.Siblings, 30) {
			fmt.Printf("- %s\n", m)
		}
	}
	if len(s.FalsePos) > 0 {
		fmt.Printf("\nFalse positives (%d):\n", len(s.FalsePos))
		for _, m := range head(s.FalsePos, 30) {
			fmt.Printf("- %s\n", m)
		}
	}
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(slices.Clone(s[:n]), fmt.Sprintf("… %d more (in copybench.json)", len(s)-n))
	}
	return s
}

func secs(v []float64) string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(out, " ")
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "copybench: "+format+"\n", args...)
}

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}
