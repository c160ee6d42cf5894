package nats

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/scanner"
	snats "github.com/piimap/piimap/scanner/nats"
)

// Kind is the store kind this package handles.
const Kind = snats.Kind

func init() { driver.Register(Kind, Open) }

// findBatch is how many messages a Find emits at once.
const findBatch = 512

// checkTimeout bounds the walk CheckMode runs to count what a stream that
// denies deletes would keep (CheckMode has no context of its own).
const checkTimeout = 2 * time.Minute

// Columns of a Find row besides the payload's: the message's place in the
// stream. Payload columns are the JSON object's top-level keys, or "data".
const (
	ColSeq     = "_seq"
	ColSubject = "_subject"
	ColTime    = "_time"
	ColHeader  = "header" // map of header name → value (or values)
)

// Handler finds and deletes a subject's messages in the streams of one
// NATS server (nats:// stores; assets are stream names).
type Handler struct {
	conn     *snats.Conn
	store    string
	readOnly bool
}

var (
	_ driver.Handler     = (*Handler)(nil)
	_ driver.Counter     = (*Handler)(nil)
	_ driver.ModeChecker = (*Handler)(nil)
)

// Open connects to a nats:// store with the scanner's connection helper.
func Open(ctx context.Context, sc scanner.StoreConfig, opt driver.HandlerOptions) (driver.Handler, error) {
	c, err := snats.ParseURL(sc.URL)
	if err != nil {
		return nil, err
	}
	name := snats.ClientName + " dsar " + sc.Name
	if opt.ReadOnly {
		name += " (read-only)"
	}
	conn, err := snats.Connect(ctx, c, name)
	if err != nil {
		return nil, err
	}
	return &Handler{conn: conn, store: sc.Name, readOnly: opt.ReadOnly}, nil
}

// Close closes the connection.
func (h *Handler) Close() error { return h.conn.Close() }

// stream resolves a target's stream, refusing streams outside the URL's
// stream list when it has one.
func (h *Handler) stream(ctx context.Context, t driver.Target) (jetstream.Stream, error) {
	if l := h.conn.Cfg.Streams; len(l) > 0 && !slices.Contains(l, t.Asset) {
		return nil, fmt.Errorf("nats: %s/%s: stream not among the store's streams: %w", h.store, t.Asset, piimap.ErrConfig)
	}
	s, err := h.conn.Stream(ctx, t.Asset)
	if err != nil {
		return nil, fmt.Errorf("nats: %s/%s: %w", h.store, t.Asset, err)
	}
	return s, nil
}

// CheckMode accepts delete (secure delete: the message is overwritten),
// drop (the same for a message) and tombstone (the message is marked
// deleted, not overwritten). Messages are immutable, so null, mask and
// redact are unsupported. A stream that denies deletes (deny_delete, or
// sealed) holding the subject's messages is an *driver.ExceptionError
// when its max_age will expire them — the plan records it in the
// exceptions register, quoting the retention and the expiry — and a plain
// unsupported error (a gap) when nothing ever expires them by age.
func (h *Handler) CheckMode(t driver.Target) error {
	if err := h.checkMode(t); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
	defer cancel()
	s, err := h.stream(ctx, t)
	if err != nil {
		return err
	}
	cfg := s.CachedInfo().Config
	if !denies(cfg) {
		return nil
	}
	var n int64
	var newest time.Time
	err = h.each(ctx, s, t, func(m snats.Message) error {
		n++
		if m.Time.After(newest) {
			newest = m.Time
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return nil // nothing of the subject's to keep; Erase changes nothing
	}
	return h.denied(t, cfg, n, newest)
}

func denies(cfg jetstream.StreamConfig) bool { return cfg.DenyDelete || cfg.Sealed }

// denied is the error for n of the subject's messages in a stream that
// refuses deletes: an exception when max_age expires them (the newest at
// newest+max_age), an unsupported gap otherwise.
func (h *Handler) denied(t driver.Target, cfg jetstream.StreamConfig, n int64, newest time.Time) error {
	why := "deny_delete"
	if cfg.Sealed {
		why = "sealed"
	}
	what := fmt.Sprintf("nats: %s/%s: stream refuses deletes (%s); %d of the subject's messages", h.store, t.Asset, why, n)
	if cfg.MaxAge <= 0 {
		return fmt.Errorf("%s cannot be erased and no max_age expires them (%s): %w",
			what, snats.RetentionSummary(cfg), piimap.ErrUnsupported)
	}
	exp := newest.Add(cfg.MaxAge).UTC().Truncate(time.Second).Add(time.Second)
	return &driver.ExceptionError{
		Kind: driver.ExceptionRetention,
		Reason: fmt.Sprintf("%s stay until the stream's retention expires them, at the latest %s (%s)",
			what, exp.Format(time.RFC3339), snats.RetentionSummary(cfg)),
		ExpiresAt: &exp,
		Err:       piimap.ErrUnsupported,
	}
}

// each visits the target's matching messages, walking the whole stream
// with an ordered consumer (bounded by the URL's max_scan).
func (h *Handler) each(ctx context.Context, s jetstream.Stream, t driver.Target, visit func(snats.Message) error) error {
	err := h.conn.Walk(ctx, s, h.conn.Cfg.MaxScan, func(m snats.Message) error {
		if Matches(m, t.Match) {
			return visit(m)
		}
		return nil
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("nats: %s/%s: %w", h.store, t.Asset, err)
	}
	return nil
}

// Matches reports whether message m is the subject's under any of ms:
// a `header.Name` field compares that header's values, `data` the text
// payload, any other field the JSON payload's values at that path; an empty
// field finds the identifiers as whole tokens anywhere in the payload text
// or the header values.
func Matches(m snats.Message, ms []driver.Match) bool {
	var fields map[string][]string
	for _, mt := range ms {
		switch {
		case mt.Field == "":
			if text, ok := m.Text(); ok && len(mt.Spans(text)) > 0 {
				return true
			}
			for _, vs := range m.Header {
				for _, v := range vs {
					if len(mt.Spans(v)) > 0 {
						return true
					}
				}
			}
		case strings.HasPrefix(mt.Field, snats.HeaderPrefix):
			for _, v := range m.HeaderValues(strings.TrimPrefix(mt.Field, snats.HeaderPrefix)) {
				if mt.MatchValue(v) {
					return true
				}
			}
		default:
			if fields == nil {
				fields = map[string][]string{}
				m.Fields(func(f, v string) {
					if !strings.HasPrefix(f, snats.HeaderPrefix) {
						fields[f] = append(fields[f], v)
					}
				})
			}
			for _, v := range fields[mt.Field] {
				if mt.MatchValue(v) {
					return true
				}
			}
		}
	}
	return false
}

// Find emits the target's messages as rows: _seq, _subject, _time, header
// (when the message has headers) and the payload — one column per
// top-level key of a JSON object, else `data`. Consecutive messages with
// the same columns share a batch.
func (h *Handler) Find(ctx context.Context, t driver.Target, emit func(driver.Batch) error) error {
	s, err := h.stream(ctx, t)
	if err != nil {
		return err
	}
	b := &driver.Batcher{Emit: emit, Size: findBatch}
	err = h.each(ctx, s, t, func(m snats.Message) error {
		cols, row := Row(m)
		return b.Add(cols, row)
	})
	if err != nil {
		return err
	}
	return b.Flush()
}

// Row renders one message as Find's columns and row.
func Row(m snats.Message) ([]driver.Column, []any) {
	cols := []driver.Column{{Name: ColSeq, Type: "uint64"}, {Name: ColSubject, Type: "string"}, {Name: ColTime, Type: "timestamp"}}
	row := []any{m.Seq, m.Subject, m.Time.UTC().Format(time.RFC3339Nano)}
	if len(m.Header) > 0 {
		hdr := map[string]any{}
		for k, vs := range m.Header {
			if len(vs) == 1 {
				hdr[k] = vs[0]
			} else {
				hdr[k] = slices.Clone(vs)
			}
		}
		cols = append(cols, driver.Column{Name: ColHeader, Type: "map"})
		row = append(row, hdr)
	}
	if doc, ok := m.JSON(); ok {
		if obj, isObj := doc.(map[string]any); isObj {
			keys := make([]string, 0, len(obj))
			for k := range obj {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				cols = append(cols, driver.Column{Name: k, Type: "json"})
				row = append(row, obj[k])
			}
			return cols, row
		}
		cols = append(cols, driver.Column{Name: snats.FieldData, Type: "json"})
		return cols, append(row, doc)
	}
	if text, ok := m.Text(); ok {
		cols = append(cols, driver.Column{Name: snats.FieldData, Type: "string"})
		return cols, append(row, text)
	}
	cols = append(cols, driver.Column{Name: snats.FieldData, Type: "bytes"})
	return cols, append(row, m.Data)
}

// Count counts the target's messages.
func (h *Handler) Count(ctx context.Context, t driver.Target) (int64, error) {
	s, err := h.stream(ctx, t)
	if err != nil {
		return 0, err
	}
	var n int64
	err = h.each(ctx, s, t, func(snats.Message) error { n++; return nil })
	return n, err
}

// Erase deletes each target's messages by sequence: SecureDeleteMsg
// (overwritten on disk) for delete and drop, DeleteMsg (marked erased) for
// tombstone. Streams are append-only logs, so there is no transaction: a
// failure stops the erasure with the results so far, and running it again
// deletes what is left (a message already gone counts as unchanged). A
// stream that refuses deletes returns the same error CheckMode gives.
func (h *Handler) Erase(ctx context.Context, ts []driver.Target, opt driver.EraseOptions) ([]driver.Result, error) {
	if h.readOnly && !opt.DryRun {
		return nil, fmt.Errorf("nats: %s: erase on a read-only handler: %w", h.store, piimap.ErrConfig)
	}
	var out []driver.Result
	for _, t := range ts {
		if err := h.checkMode(t); err != nil {
			return out, err
		}
		r, err := h.eraseOne(ctx, t, opt)
		out = append(out, r)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// checkMode checks the target's mode without asking the server.
func (h *Handler) checkMode(t driver.Target) error {
	switch t.Mode {
	case driver.ModeDelete, driver.ModeDrop, driver.ModeTombstone, "":
		return nil
	}
	return fmt.Errorf("nats: %s/%s: mode %s: stream messages are immutable, only delete, drop or tombstone: %w",
		h.store, t.Asset, t.Mode, piimap.ErrUnsupported)
}

func (h *Handler) eraseOne(ctx context.Context, t driver.Target, opt driver.EraseOptions) (driver.Result, error) {
	r := driver.Result{Asset: t.Asset}
	s, err := h.stream(ctx, t)
	if err != nil {
		return r, err
	}
	var seqs []uint64
	var newest time.Time
	err = h.each(ctx, s, t, func(m snats.Message) error {
		seqs = append(seqs, m.Seq)
		if m.Time.After(newest) {
			newest = m.Time
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Found = int64(len(seqs))
	if len(seqs) == 0 {
		return r, nil
	}
	cfg := s.CachedInfo().Config
	if denies(cfg) {
		if opt.DryRun {
			return r, nil // nothing would change
		}
		return r, h.denied(t, cfg, r.Found, newest)
	}
	if opt.DryRun {
		r.Changed = r.Found
		return r, nil
	}
	del := s.SecureDeleteMsg
	if t.Mode == driver.ModeTombstone {
		del = s.DeleteMsg
	}
	for _, seq := range seqs {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		rctx, cancel := context.WithTimeout(ctx, h.conn.Cfg.Timeout)
		err := del(rctx, seq)
		cancel()
		if err == nil {
			r.Changed++
			continue
		}
		// Gone meanwhile (a concurrent run, retention): nothing to change.
		if _, ok, gerr := h.conn.GetMsg(ctx, s, seq); gerr == nil && !ok {
			continue
		}
		return r, h.conn.Wrap(ctx, fmt.Sprintf("%s/%s: delete message %d", h.store, t.Asset, seq), err)
	}
	return r, nil
}
