package nats_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	pnats "github.com/piimap/piimap/scanner/nats"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		in   string
		want pnats.Config
		ns   string
		err  string
	}{
		{in: "nats://127.0.0.1:4222", ns: "nats://127.0.0.1:4222",
			want: pnats.Config{Servers: []string{"127.0.0.1:4222"}, Timeout: pnats.DefaultTimeout, MaxScan: pnats.DefaultMaxScan}},
		{in: "NATS://bus/?stream=ORDERS", ns: "nats://bus:4222",
			want: pnats.Config{Servers: []string{"bus:4222"}, Streams: []string{"ORDERS"}, Timeout: pnats.DefaultTimeout, MaxScan: pnats.DefaultMaxScan}},
		{in: "nats://u:p%40ss@a:1,b:2,[::1]:4223?stream=B,A&stream=A&domain=hub&timeout=2s&max_scan=10&creds=/etc/u.creds", ns: "nats://a:1",
			want: pnats.Config{Servers: []string{"a:1", "b:2", "[::1]:4223"}, User: "u", Password: "p@ss", Streams: []string{"A", "B"},
				Domain: "hub", Timeout: 2 * time.Second, MaxScan: 10, Creds: "/etc/u.creds"}},
		{in: "nats://s3cr3t@bus:4222", ns: "nats://bus:4222",
			want: pnats.Config{Servers: []string{"bus:4222"}, Token: "s3cr3t", Timeout: pnats.DefaultTimeout, MaxScan: pnats.DefaultMaxScan}},
		{in: "redis://x", err: "want nats://"},
		{in: "nats://", err: "no host"},
		{in: "nats://h:4222/db", err: "no path"},
		{in: "nats://h:0", err: "bad port"},
		{in: "nats://h:99999", err: "bad port"},
		{in: "nats://::1", err: "bracket"},
		{in: "nats://h?stream=a.b", err: "invalid stream name"},
		{in: "nats://h?stream=a%20b", err: "invalid stream name"},
		{in: "nats://h?timeout=-1s", err: "timeout"},
		{in: "nats://h?max_scan=0", err: "max_scan"},
		{in: "nats://h?sslmode=disable", err: "unknown parameter"},
		{in: "nats://:pw@h", err: "userinfo"},
		{in: "nats://a,,b", err: "empty host"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := pnats.ParseURL(tc.in)
			if tc.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, piimap.ErrConfig)
				assert.Contains(t, err.Error(), tc.err)
				assert.NotContains(t, err.Error(), "p@ss")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.ns, got.Namespace())
		})
	}
}

// TestParseURLRedacts checks that credentials never reach an error.
func TestParseURLRedacts(t *testing.T) {
	_, err := pnats.ParseURL("nats://admin:hunter2@h:4222?bogus=1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.Contains(t, err.Error(), "xxxxx@h:4222")
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"nats://127.0.0.1:4222", "nats://u:p@a:1,b:2?stream=A,B&timeout=1s", "nats://[::1]:4222/?stream=X",
		"nats://tok@h?max_scan=5&domain=d", "nats://h:65536", "nats://@", "nats://a@b@c", "nats://h?stream=%zz",
		"nats://[::1", "nats://h,", "nats://h?creds=%00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := pnats.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, piimap.ErrConfig) {
				t.Fatalf("error without ErrConfig: %v", err)
			}
			if c.Password != "" && strings.Contains(err.Error(), c.Password) {
				t.Fatalf("password in error")
			}
			return
		}
		if len(c.Servers) == 0 || c.Timeout <= 0 || c.MaxScan <= 0 {
			t.Fatalf("parsed config incomplete: %+v", c)
		}
		if !strings.HasPrefix(c.Namespace(), "nats://") || strings.Contains(c.Namespace(), "@") {
			t.Fatalf("namespace %q", c.Namespace())
		}
		for _, s := range c.Streams {
			if s == "" || strings.ContainsAny(s, " .*>") {
				t.Fatalf("stream %q accepted", s)
			}
		}
		again, err := pnats.ParseURL(raw)
		if err != nil || again.Namespace() != c.Namespace() {
			t.Fatalf("not deterministic")
		}
	})
}
