package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
)

func main() {
	size := flag.Int("size", 200, "corpus size in MB (10^6 bytes)")
	out := flag.String("out", "corpus.log", "output file")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(*out, int64(*size)*1_000_000, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(path string, size int64, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(seed, 42))
	var n int64
	buf := make([]byte, 0, 512)
	for n < size {
		buf = line(r, buf[:0])
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			f.Close()
			return err
		}
		n += int64(len(buf))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var (
	names   = []string{"james", "mary", "robert", "linda", "michael", "sarah", "david", "emma", "oliver", "sophie"}
	surname = []string{"smith", "jones", "brown", "miller", "garcia", "martin", "lee", "walker", "muller", "dubois"}
	domains = []string{"example.com", "example.org", "mail.example.net"}
	paths   = []string{"/api/orders", "/api/users/me", "/static/app.js", "/healthz", "/api/cart/items", "/login"}
	levels  = []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
)

func line(r *rand.Rand, b []byte) []byte {
	b = fmt.Appendf(b, "2026-11-%02dT%02d:%02d:%02d.%03dZ %s ", 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000),
		levels[r.IntN(len(levels))])
	switch k := r.IntN(24); {
	case k == 0:
		return fmt.Appendf(b, "[auth] login ok user=%s.%s%d@%s ip=%d.%d.%d.%d", names[r.IntN(10)], surname[r.IntN(10)],
			r.IntN(1000), domains[r.IntN(3)], 11+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254))
	case k == 1:
		return fmt.Appendf(b, "[sms] code sent to +1 %d-%03d-%04d", 201+r.IntN(700), 200+r.IntN(700), r.IntN(10000))
	case k == 2:
		return fmt.Appendf(b, "[kyc] ssn %03d-%02d-%04d verified", 1+r.IntN(665), 1+r.IntN(99), 1+r.IntN(9999))
	case k == 3:
		return fmt.Appendf(b, "[billing] card %s charged %d.%02d", card(r), r.IntN(500), r.IntN(100))
	case k == 4:
		return fmt.Appendf(b, "[payout] iban DE%02d%08d%010d queued", 10+r.IntN(89), r.IntN(100000000), r.Int64N(10000000000))
	case k < 10:
		return fmt.Appendf(b, "[http] GET %s?page=%d 200 %dms trace=%08x-%04x-4%03x-a%03x-%012x", paths[r.IntN(len(paths))],
			r.IntN(100), r.IntN(900), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
	case k < 13:
		return fmt.Appendf(b, "[deploy] build %d.%d.%d.%d rolled out at %d", r.IntN(5), r.IntN(20), r.IntN(10), r.IntN(3000),
			1_700_000_000+r.IntN(30_000_000))
	case k < 16:
		return fmt.Appendf(b, "[orders] order ORD-%08d sku SKU-%c%c-%04d qty %d total %d.%02d", r.IntN(1e8), 'A'+r.IntN(26),
			'A'+r.IntN(26), r.IntN(10000), 1+r.IntN(9), r.IntN(900), r.IntN(100))
	case k < 19:
		return fmt.Appendf(b, "[cache] evicted %d keys in %dms, hash %016x%016x", r.IntN(5000), r.IntN(50), r.Uint64(), r.Uint64())
	default:
		return fmt.Appendf(b, "[worker] job %d finished: processed %d rows, %d skipped, queue depth %d", r.IntN(1e6),
			r.IntN(100000), r.IntN(100), r.IntN(64))
	}
}

// card is a Visa-range number with a valid Luhn digit, grouped in fours.
func card(r *rand.Rand) string {
	d := make([]byte, 16)
	d[0] = 4
	for i := 1; i < 15; i++ {
		d[i] = byte(r.IntN(10))
	}
	sum := 0
	for i := 14; i >= 0; i-- {
		v := int(d[i])
		if (14-i)%2 == 0 {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[15] = byte((10 - sum%10) % 10)
	out := make([]byte, 0, 19)
	for i, v := range d {
		if i > 0 && i%4 == 0 {
			out = append(out, ' ')
		}
		out = append(out, '0'+v)
	}
	return string(out)
}
