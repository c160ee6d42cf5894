package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// person is one fake data subject.
type person struct {
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

var (
	firsts = []string{"james", "mary", "robert", "linda", "michael", "sarah", "david", "emma", "oliver", "sophie",
		"lucas", "mia", "noah", "amelia", "liam", "isla", "ethan", "ava", "leo", "grace"}
	lasts = []string{"smith", "jones", "brown", "miller", "garcia", "martin", "lee", "walker", "muller", "dubois",
		"rossi", "novak", "kowalski", "silva", "jensen", "murphy", "kelly", "wright", "young", "king"}
	domains = []string{"example.com", "example.org", "mail.example.net", "example.co.uk"}
)

// people makes n subjects. Activity is skewed the way real traffic is: most
// people are active on one to three days of the period, a few on many
// (geometric, mean about 2.3 days).
func people(n, days int, seed uint64) []person {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]person, n)
	for i := range out {
		f, l := firsts[r.IntN(len(firsts))], lasts[r.IntN(len(lasts))]
		p := person{
			ID:     i,
			Email:  fmt.Sprintf("%s.%s%d@%s", f, l, i, domains[r.IntN(len(domains))]),
			UserID: fmt.Sprintf("usr_%08x", r.Uint32()),
			Phone:  fmt.Sprintf("+1 %d-%03d-%04d", 201+r.IntN(700), 200+r.IntN(700), i%10000),
			Name:   title(f) + " " + title(l),
		}
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

func title(s string) string { return string(s[0]-'a'+'A') + s[1:] }

// active lists, per day and quarter, the people active then.
func active(ps []person, days int) [][4][]*person {
	out := make([][4][]*person, days)
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
