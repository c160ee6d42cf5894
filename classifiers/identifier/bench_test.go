package identifier

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// --- benchmark ---

// logText is about size bytes of log lines shaped like bench/gen's:
// timestamps, emails, phones in several spellings, trace UUIDs, IPs, and
// about one line in a thousand holding the subject's phone.
func logText(size int) string {
	r := rand.New(rand.NewPCG(1, 1))
	var sb strings.Builder
	for sb.Len() < size {
		ts := fmt.Sprintf("2026-11-%02dT%02d:%02d:%02d.%03dZ", 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000))
		if r.IntN(1000) == 0 { // now and then the subject
			fmt.Fprintf(&sb, "%s INFO [sms] code sent to (213) 662-5868\n", ts)
			continue
		}
		switch r.IntN(5) {
		case 0:
			fmt.Fprintf(&sb, "%s INFO [auth] login ok user=user%d@example.com ip=10.%d.%d.%d\n", ts, r.IntN(100000), r.IntN(256), r.IntN(256), r.IntN(256))
		case 1:
			fmt.Fprintf(&sb, "%s INFO [http] GET /api/orders/%d 200 %dms trace=%08x-%04x-4%03x-a%03x-%012x\n",
				ts, r.IntN(1e6), r.IntN(900), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
		case 2:
			fmt.Fprintf(&sb, "%s INFO [sms] code sent to +1 %d-%03d-%04d\n", ts, 201+r.IntN(700), 200+r.IntN(700), r.IntN(10000))
		case 3:
			fmt.Fprintf(&sb, "%s WARN [billing] callback (%d) %03d-%04d failed after %d tries, order %d\n", ts, 201+r.IntN(700), 200+r.IntN(700), r.IntN(10000), r.IntN(5), r.IntN(1e7))
		default:
			fmt.Fprintf(&sb, "%s DEBUG [cache] evicted %d keys in %dms\n", ts, r.IntN(5000), r.IntN(50))
		}
	}
	return sb.String()
}

func BenchmarkTextSpansPhone(b *testing.B) {
	text := logText(1 << 20)
	values := []string{"+12136625868", "+14155550100", "+442079460999"}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		TextSpans(Phone, text, values, "US")
	}
}

// BenchmarkTextSpansPhoneLines is the same text matched line by line, as
// the streaming handlers call it.
func BenchmarkTextSpansPhoneLines(b *testing.B) {
	lines := strings.SplitAfter(logText(1<<20), "\n")
	values := []string{"+12136625868", "+14155550100", "+442079460999"}
	b.SetBytes(1 << 20)
	for b.Loop() {
		for _, l := range lines {
			TextSpans(Phone, l, values, "US")
		}
	}
}

func BenchmarkTextSpansEmail(b *testing.B) {
	text := logText(1 << 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		TextSpans(Email, text, []string{"user42@example.com", "ann@example.com"}, "")
	}
}

// BenchmarkTextSpansEmailUnicode matches a value holding non-ASCII bytes,
// compared rune by rune with Unicode case folding at each @.
func BenchmarkTextSpansEmailUnicode(b *testing.B) {
	text := logText(1 << 20)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		TextSpans(Email, text, []string{"jörg@example.com", "ann@example.com"}, "")
	}
}
