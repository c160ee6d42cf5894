package fingerprint

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/piimap/piimap"
)

// A synthetic estate with planted copies and known ground truth.

type synthField struct {
	loc   piimap.Location
	sk    Sketch
	hints Hints
}

type synthTruth struct {
	transform string // "" identity
	category  string // for per-category recall
}

type synthEstate struct {
	fields []synthField
	truth  map[[2]piimap.Location]synthTruth // (copy, original)
}

// value renders subject id of a type, in the original's format.
func synthValue(typ string, id uint64) string {
	h := mix64(id + 1)
	switch typ {
	case piimap.TypeEmail:
		return fmt.Sprintf("user%d.%x@mail%d.example", id, h%4096, h%97)
	case piimap.TypePhone:
		return fmt.Sprintf("+1%03d%07d", 200+h%800, id%1e7)
	case piimap.TypeCreditCard:
		return fmt.Sprintf("4%015d", h%1e15)
	default: // SSN
		return fmt.Sprintf("%09d", h%1e9)
	}
}

// reformat renders a value the way a careless copy stores it.
func reformat(typ, v string) string {
	switch typ {
	case piimap.TypeEmail:
		return " " + strings.ToUpper(v)
	case piimap.TypePhone:
		return fmt.Sprintf("(%s) %s-%s", v[2:5], v[5:8], v[8:])
	case piimap.TypeCreditCard:
		return v[:4] + " " + v[4:8] + " " + v[8:12] + " " + v[12:]
	default:
		return v[:3] + "-" + v[3:5] + "-" + v[5:]
	}
}

// genEstate plants n fields in groups: an original and, for most groups,
// one copy — identity at containment 1, 0.9 or 0.8 and size 100%, 50% or
// 10% of the original; masked (sha256/md5/base64 of emails, sha256 of
// phones, last four of cards and SSNs); near misses at containment 0.3;
// and unrelated fields of the same types, some sharing 5% of another
// field's values. Only the planted copies at ≥ 0.8 are ground truth.
func genEstate(n int, seed uint64) *synthEstate {
	r := rand.New(rand.NewPCG(seed, 11))
	e := &synthEstate{truth: map[[2]piimap.Location]synthTruth{}}
	types := []string{piimap.TypeEmail, piimap.TypeEmail, piimap.TypePhone, piimap.TypeCreditCard, piimap.TypeUSSSN}
	stores := []int{1, 1}           // operational databases
	copyStores := []int{2, 3, 4, 3} // a warehouse, objects, a cache, files
	var prevIDs []uint64
	for g := 0; len(e.fields) < n; g++ {
		typ := types[r.IntN(len(types))]
		size := int(math.Exp(math.Log(20) + r.Float64()*(math.Log(3000)-math.Log(20))))
		base := uint64(g) * 10_000_000
		ids := make([]uint64, size)
		for i := range ids {
			ids[i] = base + uint64(i)
		}
		orig := piimap.Location{Store: fmt.Sprintf("db%d", g%50), Name: fmt.Sprintf("public.t%d", g), Field: "v"}
		vals := make([]string, size)
		for i, id := range ids {
			vals[i] = synthValue(typ, id)
		}
		kind := r.IntN(10)
		if kind == 0 && prevIDs != nil { // unrelated, sharing 5% with the previous group
			for i := range min(len(vals), len(prevIDs)) / 20 {
				vals[i] = synthValue(typ, prevIDs[i%len(prevIDs)])
			}
		}
		e.add(orig, typ, vals, Hints{Stage: stores[g%2]})
		prevIDs = ids
		if kind <= 1 || len(e.fields) >= n {
			continue // unrelated original without copy
		}
		cp := piimap.Location{Store: fmt.Sprintf("lake%d", g%20), Name: fmt.Sprintf("copy_%d", g), Field: "c"}
		hints := Hints{Stage: copyStores[r.IntN(len(copyStores))]}
		perm := r.Perm(size)
		if kind <= 4 { // masked
			k := max(10, size/(1+r.IntN(2)))
			var cv []string
			var tr string
			for _, i := range perm[:min(k, size)] {
				v, _ := NormalizerFor(typ)(vals[i])
				switch typ {
				case piimap.TypeEmail:
					switch g % 3 {
					case 0:
						tr, v = "sha256_hex", sha256Hex(v)
					case 1:
						s := md5.Sum([]byte(v))
						tr, v = "md5_hex", hex.EncodeToString(s[:])
					default:
						tr, v = "base64", base64.StdEncoding.EncodeToString([]byte(v))
					}
				case piimap.TypePhone:
					tr, v = "sha256_hex", strings.ToUpper(sha256Hex(v))
				default:
					tr, v = "last4", "***-**-"+v[len(v)-4:]
				}
				cv = append(cv, v)
			}
			e.add(cp, "", cv, hints)
			e.truth[[2]piimap.Location{cp, orig}] = synthTruth{tr, "masked " + tr}
			continue
		}
		c := []float64{1, 0.9, 0.8, 0.3, 1, 0.9}[kind-5]
		f := []float64{1, 0.5, 0.1}[r.IntN(3)]
		if c < 0.8 {
			// A near miss: most of the copy is foreign, and it does not
			// hold the whole original either.
			f = []float64{0.5, 0.1}[r.IntN(2)]
		}
		from := max(10, int(f*float64(size)))
		extra := int(float64(from) * (1 - c) / c)
		var cv []string
		for _, i := range perm[:min(from, size)] {
			cv = append(cv, reformat(typ, vals[i]))
		}
		for i := range extra {
			cv = append(cv, synthValue(typ, base+5_000_000+uint64(i)))
		}
		e.add(cp, typ, cv, hints)
		if c >= 0.8 {
			e.truth[[2]piimap.Location{cp, orig}] = synthTruth{"", fmt.Sprintf("identity c=%.1f size=%.0f%%", c, f*100)}
		}
	}
	return e
}

func (e *synthEstate) add(l piimap.Location, typ string, vals []string, h Hints) {
	b := NewBuilder(testKey, typ)
	for _, v := range vals {
		b.Add(v)
	}
	e.fields = append(e.fields, synthField{l, b.Sketch(), h})
}

func (e *synthEstate) index() *Index {
	x := NewIndex(IndexOptions{})
	for _, f := range e.fields {
		if err := x.AddWithHints(f.loc, f.sk, f.hints); err != nil {
			panic(err)
		}
	}
	return x
}

type score struct {
	tp, fp, fn        int
	precision, recall float64
	missedBy, foundBy map[string]int
}

func (e *synthEstate) score(ms []Match) score {
	s := score{missedBy: map[string]int{}, foundBy: map[string]int{}}
	hit := map[[2]piimap.Location]bool{}
	for _, m := range ms {
		k := [2]piimap.Location{m.Copy, m.Original}
		if t, ok := e.truth[k]; ok && t.transform == m.Transform {
			s.tp++
			hit[k] = true
			s.foundBy[t.category]++
		} else {
			s.fp++
		}
	}
	for k, t := range e.truth {
		if !hit[k] {
			s.fn++
			s.missedBy[t.category]++
		}
	}
	s.precision = float64(s.tp) / math.Max(1, float64(s.tp+s.fp))
	s.recall = float64(s.tp) / math.Max(1, float64(len(e.truth)))
	return s
}

func (s score) table() string {
	var cats []string
	for c := range s.foundBy {
		cats = append(cats, c)
	}
	for c := range s.missedBy {
		if s.foundBy[c] == 0 {
			cats = append(cats, c)
		}
	}
	slices.Sort(cats)
	var b strings.Builder
	for _, c := range cats {
		fmt.Fprintf(&b, "  %-32s found %4d missed %3d\n", c, s.foundBy[c], s.missedBy[c])
	}
	return b.String()
}

func TestSyntheticEstatePrecisionRecall(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 400
	}
	e := genEstate(n, 1)
	start := time.Now()
	ms := e.index().Pairs(0.7)
	s := e.score(ms)
	t.Logf("%d fields, %d planted copies: %d matches in %v; precision %.3f recall %.3f (fp %d, fn %d)\n%s",
		len(e.fields), len(e.truth), len(ms), time.Since(start), s.precision, s.recall, s.fp, s.fn, s.table())
	if s.precision < 0.97 || s.recall < 0.9 {
		t.Fatalf("precision %.3f recall %.3f below 0.97 / 0.9", s.precision, s.recall)
	}
}

var (
	bench10kOnce sync.Once
	bench10k     *synthEstate
)

// BenchmarkIndex10k indexes 10,000 synthetic fields and finds their copies
// (LSH candidates + verification); sketches are built beforehand. ns/op
// covers Add of every field, building the band table and Pairs;
// s-index/op the first two, s-candidates/op LSH candidate generation
// alone (timed separately).
func BenchmarkIndex10k(b *testing.B) {
	bench10kOnce.Do(func() { bench10k = genEstate(10_000, 2) })
	e := bench10k
	b.ResetTimer()
	var ms []Match
	var cands int
	var tIndex, tCand time.Duration
	for range b.N {
		t0 := time.Now()
		x := e.index()
		x.build()
		t1 := time.Now()
		ms = x.Pairs(0.7)
		tIndex += t1.Sub(t0)
		b.StopTimer()
		t2 := time.Now()
		cands = len(x.candidates(0.7))
		tCand += time.Since(t2)
		b.StartTimer()
	}
	b.StopTimer()
	s := e.score(ms)
	b.ReportMetric(tIndex.Seconds()/float64(b.N), "s-index/op")
	b.ReportMetric(tCand.Seconds()/float64(b.N), "s-candidates/op")
	b.ReportMetric(float64(cands), "candidates")
	b.ReportMetric(float64(len(ms)), "copies")
	b.ReportMetric(s.precision, "precision")
	b.ReportMetric(s.recall, "recall")
	b.Logf("%d fields, %d planted: %d matches, precision %.3f recall %.3f\n%s", len(e.fields), len(e.truth), len(ms),
		s.precision, s.recall, s.table())
}

// BenchmarkBuilder measures sketching one email value (plain + 4 masked
// forms) and one untyped value.
func BenchmarkBuilder(b *testing.B) {
	for _, typ := range []string{piimap.TypeEmail, ""} {
		b.Run("type="+typ, func(b *testing.B) {
			bl := NewBuilder(testKey, typ)
			vals := emails(0, 4096)
			b.ResetTimer()
			for i := range b.N {
				bl.Add(vals[i&4095])
			}
		})
	}
}

// BenchmarkBruteForce10k is the peer of BenchmarkIndex10k on the same
// estate: every pair of fields of one domain compared both ways, and every
// masked signature against every untyped field of its shape, with the same
// acceptance rule as Pairs. It reports how many verified copies exist, so
// the index's recall can be read against exhaustive search as well as
// against the planted truth.
func BenchmarkBruteForce10k(b *testing.B) {
	bench10kOnce.Do(func() { bench10k = genEstate(10_000, 2) })
	x := bench10k.index()
	b.ResetTimer()
	var found, compared int
	for range b.N {
		found, compared = 0, 0
		for i := range x.entries {
			a := &x.entries[i]
			for j := i + 1; j < len(x.entries); j++ {
				c := &x.entries[j]
				if a.dom != c.dom {
					continue
				}
				compared++
				if x.enough(Compare(&a.sk.Plain, &c.sk.Plain), 0.7) || x.enough(Compare(&c.sk.Plain, &a.sk.Plain), 0.7) {
					found++
				}
			}
			for di := range a.sk.Derived {
				d := &a.sk.Derived[di]
				dom, ok := x.domains[d.Domain]
				if !ok {
					continue
				}
				for j := range x.entries {
					c := &x.entries[j]
					if j == i || c.dom != dom || typed(c.sk.Type) {
						continue
					}
					compared++
					if x.enough(Compare(&c.sk.Plain, d), 0.7) {
						found++
					}
				}
			}
		}
	}
	b.ReportMetric(float64(compared), "comparisons")
	b.ReportMetric(float64(found), "copies")
}
