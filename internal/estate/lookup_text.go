package estate

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
)

// Line generators. Most lines are the noise real logs carry (traces,
// deploys, orders, cache, workers); lines about a person hold their
// email, user id or phone the way application logs do.

type slot struct {
	day, quarter int
	people       []*LookupPerson
}

func (s slot) stamp(r *rand.Rand, b []byte) []byte {
	h := s.quarter*6 + r.IntN(6)
	return fmt.Appendf(b, "%sT%02d:%02d:%02d.%03dZ ", dayName(s.day), h, r.IntN(60), r.IntN(60), r.IntN(1000))
}

func noise(r *rand.Rand, b []byte) []byte {
	switch k := r.IntN(10); {
	case k < 4:
		return fmt.Appendf(b, "INFO [http] GET /api/catalog?page=%d 200 %dms trace=%08x-%04x-4%03x-a%03x-%012x",
			r.IntN(100), r.IntN(900), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
	case k < 5:
		return fmt.Appendf(b, "INFO [deploy] build %d.%d.%d rolled out to node-%02d", r.IntN(5), r.IntN(20), r.IntN(300), r.IntN(40))
	case k < 7:
		return fmt.Appendf(b, "INFO [orders] order ORD-%08d sku SKU-%c%c-%04d qty %d total %d.%02d", r.IntN(1e8),
			'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(10000), 1+r.IntN(9), r.IntN(900), r.IntN(100))
	case k < 8:
		return fmt.Appendf(b, "DEBUG [cache] evicted %d keys in %dms, hash %016x", r.IntN(5000), r.IntN(50), r.Uint64())
	default:
		return fmt.Appendf(b, "INFO [worker] job %d finished: %d rows, %d skipped, queue depth %d", r.IntN(1e6),
			r.IntN(100000), r.IntN(100), r.IntN(64))
	}
}

func authLine(r *rand.Rand, b []byte, p *LookupPerson) []byte {
	switch r.IntN(3) {
	case 0:
		return fmt.Appendf(b, "INFO [auth] login ok user=%s uid=%s ip=%d.%d.%d.%d session=%016x", p.Email, p.UserID,
			11+r.IntN(180), r.IntN(256), r.IntN(256), 1+r.IntN(254), r.Uint64())
	case 1:
		return fmt.Appendf(b, "INFO [auth] password reset sent to %s", p.Email)
	default:
		return fmt.Appendf(b, "INFO [sms] code sent to %s for uid=%s", p.Phone, p.UserID)
	}
}

func apiLine(r *rand.Rand, b []byte, p *LookupPerson) []byte {
	if r.IntN(2) == 0 {
		return fmt.Appendf(b, "INFO [api] GET /api/users/%s/orders 200 %dms trace=%08x-%04x-4%03x-a%03x-%012x", p.UserID,
			r.IntN(900), r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
	}
	return fmt.Appendf(b, "INFO [api] PATCH /api/users/%s/profile 204 contact=%s", p.UserID, p.Email)
}

// writeLog writes about size bytes of one service's log for a slot: every
// active person appears on 3 to 6 lines spread over the file, the rest is
// noise.
func writeLog(w io.Writer, r *rand.Rand, s slot, size int64, line func(*rand.Rand, []byte, *LookupPerson) []byte) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	lines := size / 110
	due := map[int64][]*LookupPerson{}
	for _, p := range s.people {
		for range 3 + r.IntN(4) {
			at := r.Int64N(max(lines, 1))
			due[at] = append(due[at], p)
		}
	}
	var n int64
	buf := make([]byte, 0, 512)
	for i := int64(0); n < size || len(due) > 0; i++ {
		ps := due[i]
		delete(due, i)
		for _, p := range ps {
			buf = append(line(r, s.stamp(r, buf[:0]), p), '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			n += int64(len(buf))
		}
		buf = append(noise(r, s.stamp(r, buf[:0])), '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		n += int64(len(buf))
	}
	return bw.Flush()
}

// writeEvents writes about size bytes of JSON Lines events for a slot:
// page views, anonymous or of an active person (3 to 6 each).
func writeEvents(w io.Writer, r *rand.Rand, s slot, size int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	lines := size / 190
	due := map[int64][]*LookupPerson{}
	for _, p := range s.people {
		for range 3 + r.IntN(4) {
			at := r.Int64N(max(lines, 1))
			due[at] = append(due[at], p)
		}
	}
	paths := []string{"/", "/catalog", "/cart", "/checkout", "/help", "/account"}
	var n int64
	buf := make([]byte, 0, 512)
	event := func(p *LookupPerson) []byte {
		ts := s.stamp(r, nil)
		b := fmt.Appendf(buf[:0], `{"ts":%q,"event":"page_view","path":%q,`, string(ts[:len(ts)-1]), paths[r.IntN(len(paths))])
		if p != nil {
			b = fmt.Appendf(b, `"user":{"id":%q,"email":%q},`, p.UserID, p.Email)
		} else {
			b = fmt.Appendf(b, `"user":null,`)
		}
		return fmt.Appendf(b, `"trace":"%08x-%04x-4%03x-a%03x-%012x","ms":%d}`+"\n",
			r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48), r.IntN(900))
	}
	for i := int64(0); n < size || len(due) > 0; i++ {
		ps := due[i]
		delete(due, i)
		for _, p := range append(ps, nil) {
			buf = event(p)
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			n += int64(len(buf))
		}
	}
	return bw.Flush()
}
