package classifiers

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
)

// gen makes deterministic fake values (never real people) for tests and
// benchmarks.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

var (
	genFirst = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth", "Wei", "Priya", "Ahmed", "Sofia", "Lukas", "Chloe"}
	genLast  = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Nguyen", "Patel", "Muller", "Rossi", "Kowalski", "Silva", "Kim", "Dubois"}
	genDom   = []string{"example.com", "example.org", "mail.example.net", "corp.example.co.uk"}
	genWords = []string{"request", "completed", "cache", "miss", "retry", "worker", "started", "queue", "flushed", "latency", "handler", "ok", "upstream", "timeout", "batch", "processed", "items", "from", "service", "config", "reloaded", "GET", "POST", "/api/v1/orders", "status", "200", "took", "ms", "INFO", "WARN", "DEBUG"}
)

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) name() string            { return g.pick(genFirst) + " " + g.pick(genLast) }
func (g *gen) email() string {
	return strings.ToLower(g.pick(genFirst)+"."+g.pick(genLast)) + fmt.Sprint(g.r.IntN(1000)) + "@" + g.pick(genDom)
}
func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// luhnComplete appends the check digit making s pass Luhn.
func luhnComplete(s string) string {
	for c := byte('0'); c <= '9'; c++ {
		if luhnOK(s + string(c)) {
			return s + string(c)
		}
	}
	return s
}

func luhnOK(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func (g *gen) card() string { return luhnComplete("4" + g.digits(14)) }

// badCard is a 16-digit number failing Luhn.
func (g *gen) badCard() string {
	c := g.card()
	last := (c[15]-'0'+1)%10 + '0'
	return c[:15] + string(last)
}

func (g *gen) ssn() string {
	for {
		a := 1 + g.r.IntN(898)
		if a == 666 {
			continue
		}
		s := fmt.Sprintf("%03d-%02d-%04d", a, 1+g.r.IntN(99), 1+g.r.IntN(9999))
		if s != "123-45-6789" {
			return s
		}
	}
}

// badSSN has an invalid area (000, 666 or 9xx).
func (g *gen) badSSN() string {
	areas := []int{0, 666, 900 + g.r.IntN(100)}
	return fmt.Sprintf("%03d-%02d-%04d", areas[g.r.IntN(3)], 1+g.r.IntN(99), 1+g.r.IntN(9999))
}

func (g *gen) phone() string {
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("+1 %d%02d-555-%04d", 2+g.r.IntN(7), 10+g.r.IntN(80), g.r.IntN(10000))
	case 1:
		return fmt.Sprintf("+44 20 7946 %04d", g.r.IntN(10000))
	default:
		return fmt.Sprintf("+49 30 %d", 1000000+g.r.IntN(8999999))
	}
}

func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 11+g.r.IntN(180), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) uuid() string {
	h := "0123456789abcdef"
	b := make([]byte, 36)
	for i := range b {
		switch i {
		case 8, 13, 18, 23:
			b[i] = '-'
		default:
			b[i] = h[g.r.IntN(16)]
		}
	}
	return string(b)
}

// iban builds a valid German IBAN.
func (g *gen) iban() string {
	bban := g.digits(18)
	n, _ := new(big.Int).SetString(bban+"131400", 10) // D=13 E=14, "00"
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("DE%02d%s", check, bban)
}

func (g *gen) version() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(9), g.r.IntN(20), g.r.IntN(30), g.r.IntN(60))
}
func (g *gen) epoch() string { return fmt.Sprint(1600000000 + g.r.IntN(150000000)) }
func (g *gen) order() string { return fmt.Sprintf("ORD-%06d", g.r.IntN(1000000)) }
func (g *gen) sku() string {
	return fmt.Sprintf("SKU-%c%c-%04d", 'A'+g.r.IntN(26), 'A'+g.r.IntN(26), g.r.IntN(10000))
}
func (g *gen) mac() string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

func (g *gen) many(n int, f func() string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f()
	}
	return out
}
