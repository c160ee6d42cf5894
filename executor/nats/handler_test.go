package nats_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/executortest"
	enats "github.com/piimap/piimap/executor/nats"
	"github.com/piimap/piimap/internal/hangcheck"
	snats "github.com/piimap/piimap/scanner/nats"
)

const subject = "ann.lee@example.test"

// estate plants the subject in two streams — orders (JSON body by path,
// header, nested array) and audit (free-text payloads) — beside others.
func estate(t *testing.T, mod func(*jetstream.StreamConfig)) (orders, audit string, want map[string]int64) {
	conn := connect(t)
	orders = newStream(t, conn, "orders", mod)
	audit = newStream(t, conn, "audit", mod)
	want = map[string]int64{}
	for i := range 60 {
		email := fmt.Sprintf("other%d@example.test", i)
		switch i % 10 {
		case 0: // the subject by body path, upper-cased
			email = strings.ToUpper(subject)
		case 3: // the subject only in a header
			plant(orders, publishJSON(t, conn, orders, "created", map[string]string{"X-User-Email": subject},
				map[string]any{"user": map[string]any{"email": "anonymous"}, "total": i}))
			want[orders]++
			continue
		case 6: // the subject inside an array (a message is erased whole, so
			// it holds no other subject)
			plant(orders, publishJSON(t, conn, orders, "shared", nil,
				map[string]any{"user": map[string]any{"email": "anonymous"}, "cc": []any{map[string]any{"email": subject}}, "total": i}))
			want[orders]++
			continue
		}
		seq := publishJSON(t, conn, orders, "created", map[string]string{"X-User-Email": email},
			map[string]any{"user": map[string]any{"email": email, "id": i}, "total": i})
		if strings.EqualFold(email, subject) {
			want[orders]++
			plant(orders, seq)
		}
	}
	for i := range 40 {
		who := fmt.Sprintf("other%d@example.test", i)
		if i%8 == 0 {
			who = subject
			want[audit]++
		}
		seq := publish(t, conn, audit, "log", nil, []byte(fmt.Sprintf("2026-01-02T03:04:05Z login ok for %s from 10.0.0.%d", who, i)))
		if who == subject {
			plant(audit, seq)
		}
	}
	// Near misses that must not match.
	publish(t, conn, audit, "log", nil, []byte("login failed for x"+subject+" (typo)"))
	publishJSON(t, conn, orders, "created", nil, map[string]any{"user": map[string]any{"email": "x" + subject}})
	return orders, audit, want
}

var (
	plantedMu  sync.Mutex
	plantedSeq = map[string][]string{} // stream → the subject's message sequences
)

func plant(stream string, seq uint64) {
	plantedMu.Lock()
	defer plantedMu.Unlock()
	plantedSeq[stream] = append(plantedSeq[stream], strconv.FormatUint(seq, 10))
}

func planted(stream string) []string {
	plantedMu.Lock()
	defer plantedMu.Unlock()
	return append([]string(nil), plantedSeq[stream]...)
}

// rawMessages reads every message a stream still holds by sequence with the
// JetStream API, never through the handler: a JSON body is flattened to
// dotted fields, headers are header.<name>, a text payload is field "".
func rawMessages(t testing.TB, conn *snats.Conn, stream string) []executortest.Row {
	t.Helper()
	ctx := context.Background()
	s, err := conn.JS.Stream(ctx, stream)
	require.NoError(t, err)
	info, err := s.Info(ctx)
	require.NoError(t, err)
	var out []executortest.Row
	for seq := info.State.FirstSeq; seq > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		require.NoError(t, err)
		r := executortest.JSONRow(strconv.FormatUint(seq, 10), "", m.Data)
		if _, isText := r.Fields["data"]; isText && len(r.Fields) == 1 {
			r.Fields = map[string]any{"": string(m.Data)}
		}
		raw := string(m.Data)
		for _, h := range sortedHeaderNames(m.Header) {
			r.Fields["header."+h] = m.Header.Get(h)
			raw += "\n" + h + ": " + strings.Join(m.Header.Values(h), ",")
		}
		r.Raw = raw
		out = append(out, r)
	}
	return out
}

func sortedHeaderNames(h map[string][]string) []string {
	out := make([]string, 0, len(h))
	for k := range h {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func subjectTargets(orders, audit string, mode driver.Mode) []driver.Target {
	vals := []string{subject}
	return []driver.Target{
		{Asset: orders, Mode: mode, Match: []driver.Match{
			{Field: "user.email", Kind: piimap.KeyEmail, Values: vals},
			{Field: "header.X-User-Email", Kind: piimap.KeyEmail, Values: vals},
			{Field: "cc[].email", Kind: piimap.KeyEmail, Values: vals},
		}},
		{Asset: audit, Mode: driver.ModeDrop, Match: []driver.Match{{Kind: piimap.KeyEmail, Values: vals}}},
	}
}

func othersTargets(orders, audit string) []driver.Target {
	var vals []string
	for i := range 60 {
		vals = append(vals, fmt.Sprintf("other%d@example.test", i))
	}
	return []driver.Target{
		{Asset: orders, Match: []driver.Match{{Field: "user.email", Kind: piimap.KeyEmail, Values: vals}}},
		{Asset: audit, Match: []driver.Match{{Kind: piimap.KeyEmail, Values: vals}}},
	}
}

func TestConformance(t *testing.T) {
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeTombstone} {
		t.Run(string(mode), func(t *testing.T) {
			executortest.Run(t, func(t *testing.T) executortest.Fixture {
				orders, audit, want := estate(t, nil)
				conn := connect(t)
				return executortest.Fixture{
					Handler:     openHandler(t, serverURL(t)+"?stream="+orders+","+audit, false),
					Subject:     subjectTargets(orders, audit, mode),
					Want:        want,
					Others:      othersTargets(orders, audit),
					SubjectKeys: map[string][]string{orders: planted(orders), audit: planted(audit)},
					Raw:         func(t testing.TB, asset string) []executortest.Row { return rawMessages(t, conn, asset) },
				}
			})
		})
	}
}

// TestFindRows checks the shape of Find's rows: stream position, headers and
// the JSON body's top-level keys, or the text payload as data.
func TestFindRows(t *testing.T) {
	orders, audit, _ := estate(t, nil)
	h := openHandler(t, serverURL(t), true)
	rows := executortest.FindRows(t, h, subjectTargets(orders, audit, "")[0])
	require.Len(t, rows, 18)
	hasHeader := 0
	for _, r := range rows {
		assert.Contains(t, r, `"_seq":`)
		assert.Contains(t, r, `"_subject":"`+orders+`.`)
		assert.Contains(t, r, `"_time":"`)
		assert.Contains(t, r, `"user":{`)
		if strings.Contains(r, `"header":{"X-User-Email":`) {
			hasHeader++
		}
	}
	assert.Equal(t, 12, hasHeader, "messages with headers carry them")
	text := executortest.FindRows(t, h, subjectTargets(orders, audit, "")[1])
	require.Len(t, text, 5)
	assert.Contains(t, text[0], `"data":"2026-01-02T03:04:05Z login ok for `+subject)

	// Phones match on digits, user ids exactly, inside JSON paths.
	conn := connect(t)
	s := newStream(t, conn, "kinds", nil)
	publishJSON(t, conn, s, "a", nil, map[string]any{"phone": "+44 20 7946 0018", "uid": 42})
	publishJSON(t, conn, s, "a", nil, map[string]any{"phone": "+44 20 7946 0019", "uid": 420})
	n, err := h.Count(context.Background(), driver.Target{Asset: s, Match: []driver.Match{
		{Field: "phone", Kind: piimap.KeyPhone, Values: []string{"+442079460018"}},
		{Field: "uid", Kind: piimap.KeyUserID, Values: []string{"420"}},
	}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, n)
}

// TestModes checks which erasure modes a stream supports.
func TestModes(t *testing.T) {
	conn := connect(t)
	s := newStream(t, conn, "modes", nil)
	publishJSON(t, conn, s, "a", nil, map[string]string{"email": subject})
	h := openHandler(t, serverURL(t), false)
	for _, tc := range []struct {
		mode driver.Mode
		ok   bool
	}{
		{driver.ModeDelete, true}, {driver.ModeDrop, true}, {driver.ModeTombstone, true}, {"", true},
		{driver.ModeNull, false}, {driver.ModeMask, false}, {driver.ModeRedact, false},
	} {
		err := h.CheckMode(driver.Target{Asset: s, Mode: tc.mode, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}})
		if tc.ok {
			assert.NoError(t, err, "mode %q", tc.mode)
		} else {
			assert.ErrorIs(t, err, piimap.ErrUnsupported, "mode %q", tc.mode)
		}
	}
	missing := driver.Target{Asset: "piimap_x_missing_" + uniq(), Match: []driver.Match{{Kind: piimap.KeyEmail, Values: []string{subject}}}}
	_, err := h.Count(context.Background(), missing)
	assert.ErrorIs(t, err, piimap.ErrNotFound)

	ro := openHandler(t, serverURL(t), true)
	_, err = ro.Erase(context.Background(), []driver.Target{{Asset: s, Match: missing.Match}}, driver.EraseOptions{})
	assert.ErrorIs(t, err, piimap.ErrConfig, "a read-only handler never deletes")

	for range 5 {
		publishJSON(t, conn, s, "a", nil, map[string]string{"email": "x@example.test"})
	}
	bounded := openHandler(t, serverURL(t)+"?max_scan=5", false)
	_, err = bounded.Count(context.Background(), driver.Target{Asset: s, Match: missing.Match})
	assert.ErrorIs(t, err, snats.ErrTooLarge, "a stream beyond max_scan fails instead of answering partially")

	scoped := openHandler(t, serverURL(t)+"?stream="+s, false)
	_, err = scoped.Count(context.Background(), driver.Target{Asset: "elsewhere", Match: missing.Match})
	assert.ErrorIs(t, err, piimap.ErrConfig, "streams outside the URL's list are refused")
}

// TestDenyDelete checks a stream that refuses deletes: with max_age it is an
// exception quoting the retention and the expiry; without, an unsupported
// gap; with none of the subject's messages, nothing at all. Erase deletes
// nothing and says so.
func TestDenyDelete(t *testing.T) {
	conn := connect(t)
	match := []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}
	cases := []struct {
		name      string
		mod       func(*jetstream.StreamConfig)
		plant     bool
		exception bool
		gap       bool
		reason    []string
	}{
		{name: "max_age", plant: true, exception: true, mod: func(c *jetstream.StreamConfig) {
			c.DenyDelete, c.MaxAge, c.MaxMsgs = true, 30*24*time.Hour, 100000
		}, reason: []string{"refuses deletes (deny_delete)", "2 of the subject's messages", "max_age 720h0m0s", "max_msgs 100000", "at the latest"}},
		{name: "no_max_age", plant: true, gap: true, mod: func(c *jetstream.StreamConfig) { c.DenyDelete, c.MaxBytes = true, 1<<20 },
			reason: []string{"no max_age expires them", "max_bytes 1048576"}},
		{name: "subject_absent", mod: func(c *jetstream.StreamConfig) { c.DenyDelete, c.MaxAge = true, time.Hour }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newStream(t, conn, tc.name, tc.mod)
			before := time.Now()
			publishJSON(t, conn, s, "a", nil, map[string]string{"email": "someone@example.test"})
			if tc.plant {
				publishJSON(t, conn, s, "a", nil, map[string]string{"email": subject})
				publishJSON(t, conn, s, "b", nil, map[string]string{"email": subject})
			}
			h := openHandler(t, serverURL(t), false)
			tg := driver.Target{Asset: s, Mode: driver.ModeDelete, Match: match}
			err := h.CheckMode(tg)
			after := time.Now()
			res, eraseErr := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{})
			n, cerr := h.Count(context.Background(), tg)
			require.NoError(t, cerr)
			var xe *driver.ExceptionError
			switch {
			case tc.exception:
				require.True(t, errors.As(err, &xe), "want an ExceptionError, got %v", err)
				assert.Equal(t, driver.ExceptionRetention, xe.Kind)
				require.NotNil(t, xe.ExpiresAt)
				// The messages were published between before and after, so
				// they expire 30 days after a moment in that window (the
				// second of slack is the server's timestamp rounding).
				lo, hi := before.Add(30*24*time.Hour-time.Second), after.Add(30*24*time.Hour+time.Second)
				assert.False(t, xe.ExpiresAt.Before(lo) || xe.ExpiresAt.After(hi), "expires %v, want within [%v, %v]", *xe.ExpiresAt, lo, hi)
				assert.ErrorIs(t, err, piimap.ErrUnsupported)
				assert.True(t, errors.As(eraseErr, &xe), "erase reports the same exception: %v", eraseErr)
			case tc.gap:
				require.Error(t, err)
				assert.False(t, errors.As(err, &xe), "no expiry, no exception: %v", err)
				assert.ErrorIs(t, err, piimap.ErrUnsupported)
				assert.ErrorIs(t, eraseErr, piimap.ErrUnsupported)
			default:
				assert.NoError(t, err)
				assert.NoError(t, eraseErr)
				require.Len(t, res, 1)
				assert.Equal(t, driver.Result{Asset: s}, res[0])
			}
			for _, want := range tc.reason {
				assert.Contains(t, err.Error(), want)
			}
			if err != nil {
				assert.NotContains(t, err.Error(), subject, "no raw identifier in the reason")
			}
			if tc.plant {
				assert.EqualValues(t, 2, n, "nothing deleted")
				dry, err := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{DryRun: true})
				require.NoError(t, err)
				assert.Equal(t, []driver.Result{{Asset: s, Found: 2}}, dry, "a dry run changes nothing")
			}
		})
	}
}

// TestSecureVersusTombstone checks that both delete modes remove the
// message from the stream (no longer retrievable by sequence).
func TestSecureVersusTombstone(t *testing.T) {
	conn := connect(t)
	for _, mode := range []driver.Mode{driver.ModeDelete, driver.ModeTombstone} {
		s := newStream(t, conn, string(mode), nil)
		keep := publishJSON(t, conn, s, "a", nil, map[string]string{"email": "other@example.test"})
		gone := publishJSON(t, conn, s, "a", nil, map[string]string{"email": subject})
		h := openHandler(t, serverURL(t), false)
		tg := driver.Target{Asset: s, Mode: mode, Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}}
		res, err := h.Erase(context.Background(), []driver.Target{tg}, driver.EraseOptions{})
		require.NoError(t, err)
		assert.Equal(t, []driver.Result{{Asset: s, Found: 1, Changed: 1}}, res)
		st, err := conn.Stream(context.Background(), s)
		require.NoError(t, err)
		_, ok, err := conn.GetMsg(context.Background(), st, gone)
		require.NoError(t, err)
		assert.False(t, ok, "%s: erased message still retrievable", mode)
		_, ok, err = conn.GetMsg(context.Background(), st, keep)
		require.NoError(t, err)
		assert.True(t, ok)
	}
}

// TestUnreachable: a closed port fails with ErrUnreachable within the
// URL's timeout rather than hanging. Needs no server.
func TestUnreachable(t *testing.T) {
	var err error
	hangcheck.NoHang(t, hangcheck.Limit(time.Second), func() {
		_, err = enats.Open(context.Background(), scannerCfg("nats://127.0.0.1:1?timeout=1s"), driver.HandlerOptions{})
	})
	assert.ErrorIs(t, err, piimap.ErrUnreachable)
}
