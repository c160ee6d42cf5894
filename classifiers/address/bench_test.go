package address_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/classifiers/address"
	"github.com/piimap/piimap/rules"
)

// benchLog is a deterministic application log shaped like bench/gen's
// (timestamps, HTTP lines, order and cache lines full of numbers next to
// words) with one prose line in eight carrying an address.
func benchLog(size int) []byte {
	r := rand.New(rand.NewPCG(15, 2))
	addrs := []string{"221B Baker Street, London NW1 6XE", "Hauptstraße 5\n10115 Berlin", "12 rue de Rivoli, 75001 Paris",
		"1600 Pennsylvania Ave NW, Washington, DC 20500", "PO Box 4410, Toronto, ON M5W 3P7"}
	b := make([]byte, 0, size+256)
	for i := 0; len(b) < size; i++ {
		b = fmt.Appendf(b, "2026-11-%02dT%02d:%02d:%02d.%03dZ INFO ", 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
		switch i % 8 {
		case 0:
			b = fmt.Appendf(b, "[crm] customer updated address to %s", addrs[r.IntN(len(addrs))])
		case 1, 2:
			b = fmt.Appendf(b, "[http] GET /api/orders?page=%d 200 %dms trace=%08x", r.IntN(100), r.IntN(900), r.Uint32())
		case 3:
			b = fmt.Appendf(b, "[orders] order ORD-%08d sku SKU-AB-%04d qty %d total %d.%02d", r.IntN(1e8), r.IntN(10000), 1+r.IntN(9), r.IntN(900), r.IntN(100))
		case 4:
			b = fmt.Appendf(b, "[cache] evicted %d keys in %dms, hash %016x", r.IntN(5000), r.IntN(50), r.Uint64())
		case 5:
			b = fmt.Appendf(b, "[worker] job %d finished: processed %d rows, %d skipped, queue depth %d", r.IntN(1e6), r.IntN(100000), r.IntN(100), r.IntN(64))
		case 6:
			b = fmt.Appendf(b, "[deploy] build %d.%d.%d rolled out at %d to 3 Regions", r.IntN(5), r.IntN(20), r.IntN(10), 1_700_000_000+r.IntN(30_000_000))
		default:
			b = fmt.Appendf(b, "[chat] retry %d Times, Room %d Main Hall, see %d Main.go", r.IntN(9), r.IntN(99), r.IntN(99))
		}
		b = append(b, '\n')
	}
	return b
}

// BenchmarkSpansAddressCost runs Engine.Spans with the built-in rules and
// with the same rules minus postal_address: the difference is what the
// address gates and grammar cost on the text path.
func BenchmarkSpansAddressCost(b *testing.B) {
	data := benchLog(4 << 20)
	all, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	var without []rules.Rule
	for _, r := range all {
		if r.Type != piimap.TypePostalAddress {
			without = append(without, r)
		}
	}
	for _, c := range []struct {
		name string
		rs   []rules.Rule
	}{{"with_address", all}, {"without_address", without}} {
		e, err := classifiers.New(c.rs, classifiers.Options{SkipSampleCheck: true})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				e.Spans(data, func(piimap.Span) {})
			}
		})
	}
}

// BenchmarkFind: the grammar alone over the same log.
func BenchmarkFind(b *testing.B) {
	data := benchLog(4 << 20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		address.Find(data, func(address.Match) {})
	}
}
