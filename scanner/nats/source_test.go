package nats_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/scanner"
	pnats "github.com/piimap/piimap/scanner/nats"
)

func open(t *testing.T, url string) *pnats.Source {
	t.Helper()
	src, err := pnats.OpenSource(context.Background(), scanner.StoreConfig{Name: "bus", URL: url})
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.Close() })
	return src
}

func unitOf(t *testing.T, src *pnats.Source, name string) piimap.Unit {
	t.Helper()
	var found piimap.Unit
	require.NoError(t, src.Enumerate(context.Background(), func(u piimap.Unit) error {
		if u.Loc.Name == name {
			found = u
		}
		return nil
	}))
	require.Equal(t, name, found.Loc.Name, "stream %s not enumerated", name)
	return found
}

// sample returns field → values and field → meta of one sample.
func sample(t *testing.T, src *pnats.Source, u piimap.Unit, s scanner.Sample) (map[string][]string, map[string]map[string]string) {
	t.Helper()
	vals, meta := map[string][]string{}, map[string]map[string]string{}
	require.NoError(t, src.ReadSample(context.Background(), u, s, func(r piimap.Record) error {
		vals[r.Loc.Field] = append(vals[r.Loc.Field], r.Values...)
		meta[r.Loc.Field] = r.Meta
		return nil
	}))
	return vals, meta
}

func ints(t *testing.T, ss []string) []int {
	out := make([]int, len(ss))
	for i, s := range ss {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		out[i] = n
	}
	return out
}

// TestSampling checks seeded sampling by sequence on a dense stream (random
// draws by direct get), on one without direct access (STREAM.MSG.GET), and
// on a sparse one (most sequences deleted: reservoir walk): the same seed
// gives the same messages, another seed others, the sample spans the whole
// range and holds only live messages.
func TestSampling(t *testing.T) {
	conn := connect(t)
	cases := []struct {
		name   string
		mod    func(*jetstream.StreamConfig)
		n      int
		delete func(i int) bool // messages deleted after publishing
	}{
		{name: "dense_direct", n: 1000},
		{name: "dense_msg_get", n: 1000, mod: func(c *jetstream.StreamConfig) { c.AllowDirect = false }},
		{name: "sparse_reservoir", n: 1500, delete: func(i int) bool { return i%5 != 0 }},
		{name: "holes", n: 1000, delete: func(i int) bool { return i%3 == 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream(t, conn, tc.name, tc.mod)
			live := map[int]bool{}
			for i := range tc.n {
				seq := publishJSON(t, conn, s, "ev", nil, map[string]any{"n": i, "email": fmt.Sprintf("u%d@example.test", i)})
				live[i] = true
				if tc.delete != nil && tc.delete(i) {
					require.NoError(t, s.DeleteMsg(context.Background(), seq))
					delete(live, i)
				}
			}
			src := open(t, serverURL(t)+"?stream="+streamName(s))
			u := unitOf(t, src, streamName(s))
			assert.EqualValues(t, len(live), u.Rows)

			a, meta := sample(t, src, u, scanner.Sample{Rows: 60, Seed: 7})
			b, _ := sample(t, src, u, scanner.Sample{Rows: 60, Seed: 7})
			c, _ := sample(t, src, u, scanner.Sample{Rows: 60, Seed: 8})
			require.Len(t, a["n"], 60)
			assert.Equal(t, a, b, "same seed, same sample")
			assert.NotEqual(t, a["n"], c["n"], "another seed, another sample")
			assert.Equal(t, "60", meta["n"][piimap.MetaRowsSampled])
			assert.Equal(t, strconv.Itoa(len(live)), meta["n"][piimap.MetaRowsTotal])
			ns := ints(t, a["n"])
			assert.True(t, slices.IsSorted(ns), "sequence order")
			assert.Len(t, slices.Compact(slices.Clone(ns)), 60, "no message twice")
			late := 0
			for _, n := range ns {
				assert.True(t, live[n], "sampled deleted message %d", n)
				if n >= tc.n/2 {
					late++
				}
			}
			assert.Greater(t, late, 10, "sample reaches the second half of the stream")
			assert.Less(t, late, 50, "sample reaches the first half of the stream")
		})
	}
}

// TestFields checks how messages become fields: headers, nested JSON paths,
// arrays, root scalars and text payloads, binary payloads ignored.
func TestFields(t *testing.T) {
	conn := connect(t)
	s := newStream(t, conn, "fields", nil)
	for i := range 30 {
		publishJSON(t, conn, s, "orders", map[string]string{"X-User-Email": fmt.Sprintf("h%d@example.test", i), "Trace": "t"},
			map[string]any{"user": map[string]any{"email": fmt.Sprintf("u%d@example.test", i), "age": i},
				"items": []any{map[string]any{"sku": "A1"}, map[string]any{"sku": "B2"}}, "gone": nil})
	}
	publish(t, conn, s, "log", nil, []byte("password reset requested by ann.lee@example.test from the web console today"))
	publish(t, conn, s, "bin", nil, []byte{0xff, 0xfe, 0x00, 0x01})
	publish(t, conn, s, "num", nil, []byte("42"))

	src := open(t, serverURL(t)+"?stream="+streamName(s))
	u := unitOf(t, src, streamName(s))
	vals, meta := sample(t, src, u, scanner.Sample{Rows: 200, Seed: 1})
	assert.ElementsMatch(t, []string{"header.X-User-Email", "header.Trace", "user.email", "user.age", "items[].sku", "data"}, keysOf(vals))
	assert.Len(t, vals["header.X-User-Email"], 30)
	assert.Len(t, vals["items[].sku"], 60)
	assert.Equal(t, "header", meta["header.X-User-Email"][pnats.MetaPart])
	assert.Equal(t, "payload", meta["user.email"][pnats.MetaPart])
	assert.Equal(t, "user.email", meta["user.email"][pnats.MetaJSONPath])
	assert.Equal(t, "data", meta["data"][pnats.MetaPart])
	assert.ElementsMatch(t, []string{"password reset requested by ann.lee@example.test from the web console today", "42"}, vals["data"])

	only, _ := sample(t, src, u, scanner.Sample{Rows: 10, Seed: 1, Fields: []string{"header.X-User-Email"}})
	assert.Equal(t, []string{"header.X-User-Email"}, keysOf(only))
	// 10 messages sampled; the 3 without that header add no value.
	assert.GreaterOrEqual(t, len(only["header.X-User-Email"]), 7)
	assert.LessOrEqual(t, len(only["header.X-User-Email"]), 10)

	full, _ := sample(t, src, u, scanner.Sample{Full: true})
	assert.Len(t, full["user.email"], 30)
	assert.Len(t, full["data"], 2)
}

func keysOf(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestRetentionMeta checks that each stream's retention limits are recorded
// on its unit exactly.
func TestRetentionMeta(t *testing.T) {
	conn := connect(t)
	cases := []struct {
		name string
		mod  func(*jetstream.StreamConfig)
		want map[string]string
		none []string
	}{
		{name: "limits", mod: func(c *jetstream.StreamConfig) {
			c.MaxAge, c.MaxMsgs, c.MaxBytes, c.MaxMsgsPerSubject = 72*time.Hour, 5000, 1<<20, 10
			c.DenyDelete, c.DenyPurge = true, true
		}, want: map[string]string{
			pnats.MetaRetention: "limits", pnats.MetaMaxAge: "72h0m0s", pnats.MetaMaxMsgs: "5000", pnats.MetaMaxBytes: "1048576",
			pnats.MetaMaxMsgsPerSubject: "10", pnats.MetaDenyDelete: "true", pnats.MetaDenyPurge: "true", pnats.MetaDiscard: "old",
			pnats.MetaStorage: "memory", pnats.MetaFirstSeq: "1", pnats.MetaLastSeq: "3",
		}},
		{name: "workqueue", mod: func(c *jetstream.StreamConfig) {
			c.Retention, c.Discard = jetstream.WorkQueuePolicy, jetstream.DiscardNew
		}, want: map[string]string{
			pnats.MetaRetention: "workqueue", pnats.MetaDiscard: "new", pnats.MetaDenyDelete: "false", pnats.MetaDenyPurge: "false",
		}, none: []string{pnats.MetaMaxAge, pnats.MetaMaxMsgs, pnats.MetaMaxBytes, pnats.MetaSealed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream(t, conn, tc.name, tc.mod)
			for i := range 3 {
				publishJSON(t, conn, s, fmt.Sprint("s", i), nil, map[string]int{"i": i})
			}
			src := open(t, serverURL(t)+"?stream="+streamName(s))
			u := unitOf(t, src, streamName(s))
			assert.Equal(t, piimap.UnitStream, u.Kind)
			assert.EqualValues(t, 3, u.Rows)
			assert.Positive(t, u.Size)
			for k, v := range tc.want {
				assert.Equal(t, v, u.Meta[k], "meta %s", k)
			}
			for _, k := range tc.none {
				assert.NotContains(t, u.Meta, k)
			}
			assert.Equal(t, streamName(s)+".>", u.Meta[pnats.MetaSubjects])
			_, err := time.Parse(time.RFC3339, u.Meta[pnats.MetaFirstTime])
			assert.NoError(t, err)
		})
	}
}

// TestEnumerate checks the all-streams mode and a configured stream that
// does not exist.
func TestEnumerate(t *testing.T) {
	conn := connect(t)
	a := newStream(t, conn, "enum_a", nil)
	b := newStream(t, conn, "enum_b", nil)

	all := open(t, serverURL(t))
	var names []string
	require.NoError(t, all.Enumerate(context.Background(), func(u piimap.Unit) error { names = append(names, u.Loc.Name); return nil }))
	assert.Contains(t, names, streamName(a))
	assert.Contains(t, names, streamName(b))
	assert.True(t, slices.IsSorted(names))

	missing := "piimap_t_missing_" + uniq()
	src := open(t, serverURL(t)+"?stream="+streamName(a)+","+missing)
	names = nil
	err := src.Enumerate(context.Background(), func(u piimap.Unit) error {
		names = append(names, u.Loc.Name)
		assert.Equal(t, "nats://127.0.0.1:4222", u.Loc.Namespace)
		return nil
	})
	assert.ErrorIs(t, err, piimap.ErrNotFound)
	assert.Equal(t, []string{streamName(a)}, names, "existing streams still enumerated")
}

// TestUnreachable checks that a server that is down, or one that accepts
// TCP but never speaks NATS, fails fast with piimap.ErrUnreachable.
//
// It needs no server: both endpoints are local listeners.
func TestUnreachable(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	downAddr := closed.Addr().String()
	closed.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { silent.Close() })
	go func() {
		var held []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()

	for _, tc := range []struct{ name, url string }{
		{"down", "nats://" + downAddr + "?timeout=1s"},
		{"silent", "nats://" + silent.Addr().String() + "?timeout=1s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The URL's 1 s timeout ends the attempt; the bound only
			// catches one that hangs.
			var err error
			hangcheck.NoHang(t, hangcheck.Limit(time.Second), func() {
				_, err = pnats.OpenSource(context.Background(), scanner.StoreConfig{Name: "bus", URL: tc.url})
			})
			require.Error(t, err)
			assert.ErrorIs(t, err, piimap.ErrUnreachable)
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = pnats.OpenSource(ctx, scanner.StoreConfig{Name: "bus", URL: "nats://" + downAddr})
	assert.True(t, errors.Is(err, context.Canceled), "cancelled: %v", err)
}
