package estate

import (
	"math/rand/v2"
	"time"
)

// LookupPerson is one subject of the lookup estate, as people.json lists
// them: a Person's identifiers and the days they were active.
type LookupPerson struct {
	ID     int    `json:"id"`
	Email  string `json:"email"`
	UserID string `json:"user_id"`
	Phone  string `json:"phone"`
	Name   string `json:"name"`
	// Days are the days (0-based) the person was active; on each, one
	// quarter of the day (the log rotation slot) holds their session.
	Days     []int `json:"days"`
	Quarters []int `json:"quarters"`
}

// lookupPeople makes n subjects with the demo estate's person generator.
// Activity is skewed the way real traffic is: most people are active on one
// to three days of the period, a few on many (geometric, mean about 2.3
// days).
func lookupPeople(n, days int, seed uint64) []LookupPerson {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]LookupPerson, n)
	for i := range out {
		q := newPerson(r, i+1)
		p := LookupPerson{ID: q.ID, Email: q.Email, UserID: q.UserID, Phone: q.Phone, Name: q.FullName()}
		k := 1
		for k < days && r.Float64() < 0.57 {
			k++
		}
		for _, d := range r.Perm(days)[:k] {
			p.Days = append(p.Days, d)
			p.Quarters = append(p.Quarters, r.IntN(4))
		}
		out[i] = p
	}
	return out
}

// active lists, per day and quarter, the people active then.
func active(ps []LookupPerson, days int) [][4][]*LookupPerson {
	out := make([][4][]*LookupPerson, days)
	for i := range ps {
		for j, d := range ps[i].Days {
			q := ps[i].Quarters[j]
			out[d][q] = append(out[d][q], &ps[i])
		}
	}
	return out
}

var epoch = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

func dayName(d int) string { return epoch.AddDate(0, 0, d).Format("2006-01-02") }
