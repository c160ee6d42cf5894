package classifiers

import (
	"fmt"
)

// genLog writes a deterministic mixed application log of about size bytes:
// mostly noise (timestamps, UUIDs, versions, order numbers, epochs, latency
// figures) with one line in four carrying a PII value (email, phone, SSN,
// card, IP, IBAN).
func genLog(g *gen, size int) []byte {
	b := make([]byte, 0, size+512)
	for i := 0; len(b) < size; i++ {
		b = fmt.Appendf(b, "2024-%02d-%02dT%02d:%02d:%02d.%03dZ %s [%s] ", 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60), g.r.IntN(1000),
			g.pick([]string{"INFO", "WARN", "DEBUG", "INFO"}), g.pick([]string{"api", "worker", "billing", "auth"}))
		for w := 0; w < 4+g.r.IntN(6); w++ {
			b = append(b, g.pick(genWords)...)
			b = append(b, ' ')
		}
		switch i % 16 {
		case 0:
			b = fmt.Appendf(b, "user=%s login ok", g.email())
		case 1:
			b = fmt.Appendf(b, "sms sent to %s", g.phone())
		case 2:
			b = fmt.Appendf(b, "kyc ssn %s verified", g.ssn())
		case 3:
			b = fmt.Appendf(b, "charge card %s amount=%d.%02d", g.card(), g.r.IntN(500), g.r.IntN(100))
		case 4:
			b = fmt.Appendf(b, "remote_addr=%s status=200", g.ip())
		case 5:
			b = fmt.Appendf(b, "payout iban %s queued", g.iban())
		case 6, 10:
			b = fmt.Appendf(b, "request_id=%s trace=%s", g.uuid(), g.uuid())
		case 7:
			b = fmt.Appendf(b, "app version %s order %s sku %s", g.version(), g.order(), g.sku())
		case 8:
			b = fmt.Appendf(b, "ts=%s latency_ms=%d ref=%s", g.epoch(), g.r.IntN(5000), g.badCard())
		case 9:
			b = fmt.Appendf(b, "legacy id %s rejected", g.badSSN())
		default:
			b = fmt.Appendf(b, "took %dms bytes=%d items=%d", g.r.IntN(900), g.r.IntN(1<<20), g.r.IntN(100))
		}
		b = append(b, '\n')
	}
	return b
}
