package planning_test

import (
	"testing"
	"time"

	"github.com/piimap/piimap/executor/planning"
)

func TestHoldCovers(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	has := func(kind, hmac string) bool { return kind == "email" && hmac == "h-ann" }
	cases := []struct {
		name string
		e    planning.Exception
		want bool
	}{
		{"tenant-wide", planning.Exception{Tenant: "acme"}, true},
		{"other tenant", planning.Exception{Tenant: "globex"}, false},
		{"store", planning.Exception{Tenant: "acme", Store: "wh"}, true},
		{"other store", planning.Exception{Tenant: "acme", Store: "lake"}, false},
		{"asset glob", planning.Exception{Store: "wh", Asset: "main.*"}, true},
		{"asset glob miss", planning.Exception{Store: "wh", Asset: "logs/*"}, false},
		{"exact asset", planning.Exception{Store: "wh", Asset: "main.orders"}, true},
		{"subject", planning.Exception{Tenant: "acme", Subject: []planning.HeldID{{Kind: "email", HMAC: "h-ann"}}}, true},
		{"other subject", planning.Exception{Tenant: "acme", Subject: []planning.HeldID{{Kind: "email", HMAC: "h-bob"}}}, false},
		{"same hmac other kind", planning.Exception{Subject: []planning.HeldID{{Kind: "user_id", HMAC: "h-ann"}}}, false},
		{"expired", planning.Exception{Tenant: "acme", ExpiresAt: &past}, false},
		{"until later", planning.Exception{Tenant: "acme", ExpiresAt: &future}, true},
		{"released", planning.Exception{Tenant: "acme", Released: &planning.Release{At: past, By: "bob", Reason: "closed"}}, false},
	}
	for _, c := range cases {
		if got := c.e.Covers("acme", "wh", "main.orders", has, now); got != c.want {
			t.Errorf("%s: covers=%v, want %v", c.name, got, c.want)
		}
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]time.Duration{"35d": 35 * 24 * time.Hour, "6w": 42 * 24 * time.Hour, "1y": 365 * 24 * time.Hour, "720h": 720 * time.Hour} {
		if got, err := planning.ParseRetention(in); err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "-3d", "0d", "soon", "-1h"} {
		if _, err := planning.ParseRetention(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
