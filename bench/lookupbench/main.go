// Command lookupbench measures what identifier filters (scanner/idfilter)
// cost a scan and save an access request. bench/lookup.sh drives it.
//
//	lookupbench scan -dir DIR [-runs 3]
//
// scans DIR (a files store) in full, alternately with identifier filters
// (FingerprintKey set: filters are built) and without, into throwaway
// graphs, and prints wall time, CPU time and throughput of each.
//
//	lookupbench lookup -state ESTATE/state.json [-n 20] [-off 5] [-seed 1]
//
// runs access requests (NewRequest, Plan, Approve, Execute with an export
// package) for n random people of a bench/estategen estate scanned with
// `piimap scan --full`, then for off other people twice: without filters
// (the graph's identifier-filter documents hidden, as if no full scan had
// built them) and with them, checking that both find exactly the same
// records. It prints each request's times and p50/p95 of each series.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	_ "github.com/piimap/piimap/executor/duckdb"
	"github.com/piimap/piimap/executor/evidence"
	_ "github.com/piimap/piimap/executor/files"
	_ "github.com/piimap/piimap/executor/mysql"
	_ "github.com/piimap/piimap/executor/nats"
	_ "github.com/piimap/piimap/executor/postgres"
	_ "github.com/piimap/piimap/executor/redis"
	_ "github.com/piimap/piimap/executor/s3"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files"
	"github.com/piimap/piimap/scanner/idfilter"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: lookupbench scan|lookup [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "scan":
		err = scanBench(os.Args[2:])
	case "lookup":
		err = lookupBench(os.Args[2:])
	case "rescan":
		err = rescan(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookupbench:", err)
		os.Exit(1)
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func dirBytes(dir string) (int64, error) {
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

func scanBench(args []string) error {
	fs := flagSet("scan")
	dir := fs.String("dir", "", "directory to scan as a files store")
	runs := fs.Int("runs", 3, "runs of each variant")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the scans with filters to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	size, err := dirBytes(*dir)
	if err != nil {
		return err
	}
	rs, err := rules.Default()
	if err != nil {
		return err
	}
	eng, err := classifiers.New(rs, classifiers.Options{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	abs, _ := filepath.Abs(*dir)
	stores := []scanner.StoreConfig{{Name: "corpus", URL: "file://" + abs}}
	fmt.Printf("corpus %s: %.0f MB, %d runs per variant\n", *dir, float64(size)/1e6, *runs)
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "variant\twall\tCPU\tMB/s (wall)\tfilter keys\tfilter bytes")
	best := map[bool]time.Duration{}
	bestCPU := map[bool]time.Duration{}
	for i := range 2 * *runs {
		filters := i%2 == 1
		tmp, err := os.MkdirTemp("", "lookupbench-graph-")
		if err != nil {
			return err
		}
		g, err := badgerstore.Open(tmp)
		if err != nil {
			return err
		}
		var key []byte
		if filters {
			if key, err = g.InstallationKey(ctx); err != nil {
				return err
			}
		}
		c0, t0 := cpuTime(), time.Now()
		_, err = scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Full: true, FingerprintKey: key})
		wall, cpu := time.Since(t0), cpuTime()-c0
		if err != nil {
			return err
		}
		keys, bytes := 0, 0
		_ = g.ListDocs(ctx, idfilter.DocKind, func(_ string, b []byte) error {
			m, err := idfilter.DecodeMeta(b)
			if err == nil {
				keys += m.Keys
			}
			bytes += len(b)
			return nil
		})
		_ = g.ListDocs(ctx, idfilter.PartKind, func(_ string, b []byte) error { bytes += len(b); return nil })
		_ = g.Close()
		_ = os.RemoveAll(tmp)
		name := "without filters"
		if filters {
			name = "with filters"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.1f\t%d\t%d\n", name, wall.Round(time.Millisecond), cpu.Round(time.Millisecond),
			float64(size)/1e6/wall.Seconds(), keys, bytes)
		if best[filters] == 0 || wall < best[filters] {
			best[filters] = wall
		}
		if bestCPU[filters] == 0 || cpu < bestCPU[filters] {
			bestCPU[filters] = cpu
		}
	}
	_ = tw.Flush()
	fmt.Printf("best wall: %s without, %s with filters (%+.1f%%); best CPU: %s without, %s with (%+.1f%%)\n",
		best[false].Round(time.Millisecond), best[true].Round(time.Millisecond), 100*(best[true].Seconds()/best[false].Seconds()-1),
		bestCPU[false].Round(time.Millisecond), bestCPU[true].Round(time.Millisecond), 100*(bestCPU[true].Seconds()/bestCPU[false].Seconds()-1))
	return nil
}

// keysOf takes the graph's installation key from the key directory
// `piimap init` creates beside the config, as the command line does, so
// that filters built by `piimap scan` match the bench's lookups.
func keysOf(config string) badgerstore.Option {
	return badgerstore.WithKeySource(evidence.NewKeyDirRef(filepath.Join(filepath.Dir(config), "piimap-keys"), false))
}

func loadConfig(path string) (string, []scanner.StoreConfig, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	var cfg struct {
		Graph  string                `yaml:"graph"`
		Stores []scanner.StoreConfig `yaml:"stores"`
	}
	if err := yaml.Unmarshal(raw, &cfg); err != nil {
		return "", nil, err
	}
	return cfg.Graph, cfg.Stores, nil
}

func rescan(args []string) error {
	fs := flagSet("rescan")
	statePath := fs.String("state", "", "bench/estategen state.json")
	bits := fs.Int("bits", 8, "fingerprint width of the filters: 8 or 16")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var est estate
	if err := readJSON(*statePath, &est); err != nil {
		return err
	}
	graph, stores, err := loadConfig(est.Config)
	if err != nil {
		return err
	}
	eng, err := classifiers.Default(classifiers.Options{})
	if err != nil {
		return err
	}
	ctx := context.Background()
	g, err := badgerstore.Open(graph, keysOf(est.Config))
	if err != nil {
		return err
	}
	defer g.Close()
	key, err := g.InstallationKey(ctx)
	if err != nil {
		return err
	}
	idfilter.FingerprintBits = *bits
	names := make([]string, len(stores))
	for i, s := range stores {
		names[i] = s.Name
	}
	t0 := time.Now()
	res, err := scanner.Run(ctx, stores, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Full: true,
		FingerprintKey: key, Configured: names})
	if err != nil {
		return err
	}
	fmt.Printf("full scan with %d-bit filters: run %s, %s, %d units, %d errors, %s\n", *bits, res.RunID, res.Run.Status,
		res.Run.Units, len(res.Errors), time.Since(t0).Round(100*time.Millisecond))
	return nil
}

// estate is what bench/estategen leaves in state.json.
type estate struct {
	Dir    string `json:"dir"`
	Config string `json:"config"`
	People string `json:"people"`
	Bytes  int64  `json:"bytes"`
}

type person struct {
	Email string `json:"email"`
	Days  []int  `json:"days"`
}

// noFilters hides the identifier filters of a graph: plans made through it
// search every location, as without a full scan.
type noFilters struct{ *badgerstore.Store }

func (n noFilters) GetDoc(ctx context.Context, kind, id string) ([]byte, error) {
	if kind == idfilter.DocKind || kind == idfilter.PartKind {
		return nil, fmt.Errorf("hidden: %w", piimap.ErrNotFound)
	}
	return n.Store.GetDoc(ctx, kind, id)
}

// ViewDoc hides them from in-place reads (lineage.DocViewer) too.
func (n noFilters) ViewDoc(ctx context.Context, kind, id string, fn func([]byte) error) error {
	if kind == idfilter.DocKind || kind == idfilter.PartKind {
		return fmt.Errorf("hidden: %w", piimap.ErrNotFound)
	}
	return n.Store.ViewDoc(ctx, kind, id, fn)
}

type sample struct {
	series                string
	email                 string
	plan, run, total      time.Duration
	steps, skipped, gaps  int
	empty                 int // steps that found nothing: filter false positives, or stores without the person
	found                 map[string]int64
	foundTotal, activeDay int
}

func lookupBench(args []string) error {
	fs := flagSet("lookup")
	statePath := fs.String("state", "", "bench/estategen state.json")
	n := fs.Int("n", 20, "people looked up with filters")
	off := fs.Int("off", 5, "other people looked up without filters (and again with them, to compare)")
	seed := fs.Uint64("seed", 1, "seed of the choice of people")
	prof := fs.String("cpuprofile", "", "write a CPU profile of the lookups with filters to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var est estate
	if err := readJSON(*statePath, &est); err != nil {
		return err
	}
	var ps []person
	if err := readJSON(est.People, &ps); err != nil {
		return err
	}
	graph, stores, err := loadConfig(est.Config)
	if err != nil {
		return err
	}
	ctx := context.Background()
	g, err := badgerstore.Open(graph, keysOf(est.Config))
	if err != nil {
		return err
	}
	defer g.Close()
	heads := 0
	_ = g.ListDocs(ctx, idfilter.DocKind, func(string, []byte) error { heads++; return nil })
	if heads == 0 {
		return fmt.Errorf("%s holds no identifier filter: run `piimap scan --full` first", graph)
	}
	bits := map[int]int{}
	keys, size := 0, 0
	_ = g.ListDocs(ctx, idfilter.DocKind, func(_ string, b []byte) error {
		if m, err := idfilter.DecodeMeta(b); err == nil {
			bits[m.Bits]++
			keys += m.Keys
		}
		size += len(b)
		return nil
	})
	_ = g.ListDocs(ctx, idfilter.PartKind, func(_ string, b []byte) error { size += len(b); return nil })
	with := executor.New(g, g, stores, executor.Options{})
	without := executor.New(noFilters{g}, noFilters{g}, stores, executor.Options{})

	r := rand.New(rand.NewPCG(*seed, 3))
	pick := r.Perm(len(ps))[:*n+*off]
	fmt.Printf("estate %.2f GB, %d people; %d locations with a filter (fingerprint bits: %v), %d keys, %.1f MB of filters\n",
		float64(est.Bytes)/1e9, len(ps), heads, bits, keys, float64(size)/1e6)
	fmt.Printf("%d lookups with filters, %d without (and again with)\n", *n, *off)
	var all []sample
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile() // a second stop is a no-op
	}
	for i, idx := range pick {
		p := ps[idx]
		if i == *n && *prof != "" {
			pprof.StopCPUProfile()
		}
		if i < *n {
			s, err := lookup(ctx, with, "with filters", p)
			if err != nil {
				return err
			}
			all = append(all, s)
			continue
		}
		s0, err := lookup(ctx, without, "without filters", p)
		if err != nil {
			return err
		}
		s1, err := lookup(ctx, with, "with filters (same people)", p)
		if err != nil {
			return err
		}
		if fmt.Sprint(s0.found) != fmt.Sprint(s1.found) {
			return fmt.Errorf("person %d: found %v without filters but %v with them", idx, s0.found, s1.found)
		}
		all = append(all, s0, s1)
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "series\tdays active\tsteps\tempty steps\tskipped\tgaps\trecords\tplan\trun\ttotal")
	for _, s := range all {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", s.series, s.activeDay, s.steps, s.empty, s.skipped, s.gaps, s.foundTotal,
			ms(s.plan), ms(s.run), ms(s.total))
	}
	_ = tw.Flush()
	fmt.Println()
	for _, series := range []string{"with filters", "without filters", "with filters (same people)"} {
		var plan, total []time.Duration
		for _, s := range all {
			if s.series == series {
				plan, total = append(plan, s.plan), append(total, s.total)
			}
		}
		if len(total) > 0 {
			fmt.Printf("%-28s n=%-3d total p50 %8s p95 %8s   plan p50 %8s p95 %8s\n", series, len(total),
				ms(pct(total, 50)), ms(pct(total, 95)), ms(pct(plan, 50)), ms(pct(plan, 95)))
		}
	}
	fmt.Println("the lookups without and with filters of the same people found the same records at every location")
	return nil
}

// lookup runs one access request end to end: new, plan, approve, run with
// an export package.
func lookup(ctx context.Context, svc *executor.Service, series string, p person) (sample, error) {
	s := sample{series: series, email: p.Email, activeDay: len(p.Days), found: map[string]int64{}}
	out, err := os.MkdirTemp("", "lookupbench-export-")
	if err != nil {
		return s, err
	}
	defer os.RemoveAll(out)
	t0 := time.Now()
	req, err := svc.NewRequest(ctx, executor.NewRequestInput{AttestedBy: "dpo", AttestMethod: "id-document", AllowDuplicate: true, Type: dsar.Access, Requester: "privacy-ops",
		Subject: piimap.Subject{piimap.KeyEmail: {p.Email}}})
	if err != nil {
		return s, err
	}
	plan, err := svc.Plan(ctx, req.ID)
	if err != nil {
		return s, err
	}
	s.plan = time.Since(t0)
	if _, err := svc.Approve(ctx, req.ID, "dpo"); err != nil {
		return s, err
	}
	t1 := time.Now()
	rc, err := svc.Execute(ctx, req.ID, executor.RunOptions{OutDir: out})
	if err != nil {
		return s, err
	}
	s.run, s.total = time.Since(t1), time.Since(t0)
	s.steps, s.skipped, s.gaps = len(plan.Steps()), len(plan.Skipped), len(plan.Gaps)
	if series == "without filters" && s.skipped > 0 {
		return s, fmt.Errorf("%s: %d locations skipped: the filters are not hidden", series, s.skipped)
	}
	for _, l := range rc.Locations {
		if l.Found > 0 {
			s.found[l.Store+"/"+l.Asset] = l.Found
		} else {
			s.empty++
		}
		s.foundTotal += int(l.Found)
	}
	if s.gaps > 0 {
		var why []string
		for _, g := range plan.Gaps {
			why = append(why, g.Store+"/"+g.Asset+": "+g.Reason)
		}
		fmt.Fprintf(os.Stderr, "gaps: %s\n", strings.Join(why, "; "))
	}
	return s, nil
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(i, len(s))-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/1e6) }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func flagSet(name string) *flag.FlagSet {
	return flag.NewFlagSet("lookupbench "+name, flag.ContinueOnError)
}
