package nats

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// Kind is the store kind registered for nats:// URLs.
const Kind = "nats"

// ClientName is the connection name the server shows for piimap.
const ClientName = "piimap"

func init() {
	scanner.Register("nats", Kind, func(ctx context.Context, cfg scanner.StoreConfig) (scanner.Source, error) {
		return OpenSource(ctx, cfg)
	})
}

// Source reads JetStream streams read-only: it never publishes, acks,
// deletes or purges. Samples come from direct gets by sequence; full reads
// from an ordered (ephemeral, ack-less) consumer.
type Source struct {
	cfg  scanner.StoreConfig
	conn *Conn
}

var (
	_ scanner.Source  = (*Source)(nil)
	_ scanner.Sampler = (*Source)(nil)
	_ scanner.Closer  = (*Source)(nil)
)

// OpenSource connects to cfg's servers and checks JetStream.
func OpenSource(ctx context.Context, cfg scanner.StoreConfig) (*Source, error) {
	c, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	conn, err := Connect(ctx, c, ClientName+" scan "+cfg.Name)
	if err != nil {
		return nil, err
	}
	return &Source{cfg: cfg, conn: conn}, nil
}

// Namespace is the store's OpenLineage namespace (nats://host:port).
func (s *Source) Namespace() string { return s.conn.Cfg.Namespace() }

// Close closes the connection.
func (s *Source) Close() error { return s.conn.Close() }

func (s *Source) loc(stream string) piimap.Location {
	return piimap.Location{Store: s.cfg.Name, Namespace: s.Namespace(), Name: stream}
}

// Enumerate emits one unit per stream (the configured ones, or all), with
// its message count, bytes and retention limits as meta. A configured
// stream that does not exist is an error wrapping piimap.ErrNotFound,
// after the existing ones have been emitted; in all-streams mode a stream
// deleted between listing and lookup is skipped.
func (s *Source) Enumerate(ctx context.Context, emit func(piimap.Unit) error) error {
	names, err := s.conn.StreamNames(ctx)
	if err != nil {
		return err
	}
	var missing error
	for _, name := range names {
		st, err := s.conn.Stream(ctx, name)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if len(s.conn.Cfg.Streams) == 0 && errors.Is(err, piimap.ErrNotFound) {
				continue // deleted between listing and lookup: not a configured stream
			}
			if missing == nil {
				missing = err
			}
			continue
		}
		info := st.CachedInfo()
		u := piimap.Unit{Loc: s.loc(name), Kind: piimap.UnitStream,
			Rows: int64(info.State.Msgs), Size: int64(info.State.Bytes), Meta: RetentionMeta(info)}
		if err := emit(u); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return missing
}

// Read emits the unit's sample with the store's configured sample.
func (s *Source) Read(ctx context.Context, u piimap.Unit, emit func(piimap.Record) error) error {
	return s.ReadSample(ctx, u, scanner.DefaultSample(s.cfg.Sample), emit)
}

// ReadSample samples a stream's messages by sequence (see sampleSeqs), or
// walks it in full, and emits one record per field: headers as
// `header.Name`, JSON payload scalars by path, text payloads as `data`.
func (s *Source) ReadSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.readSample(ctx, u, smp, emit)
	if err == nil {
		err = ctx.Err()
	}
	return scanner.ScrubError(err)
}

func (s *Source) readSample(ctx context.Context, u piimap.Unit, smp scanner.Sample, emit func(piimap.Record) error) error {
	st, err := s.conn.Stream(ctx, u.Loc.Name)
	if err != nil {
		return fmt.Errorf("nats: sample %s: %w", u.Loc.Name, err)
	}
	info := st.CachedInfo()
	b := newBatch(u, smp, int64(info.State.Msgs))
	if smp.Full {
		err := s.conn.walkRange(ctx, st, info.State, s.conn.Cfg.MaxScan, func(m Message) error {
			b.add(m)
			if b.rows >= FullBatchMessages {
				return b.flush(emit)
			}
			return ctx.Err()
		})
		if err != nil {
			return fmt.Errorf("nats: read %s: %w", u.Loc.Name, err)
		}
		return b.flush(emit)
	}
	rows := smp.Rows
	if rows <= 0 {
		rows = scanner.DefaultSampleRows
	}
	msgs, err := s.conn.sampleMessages(ctx, st, info.State, rows, smp.Rand(u.Loc.Name))
	if err != nil {
		return fmt.Errorf("nats: sample %s: %w", u.Loc.Name, err)
	}
	for _, m := range msgs {
		b.add(m)
	}
	return b.flush(emit)
}

// FullBatchMessages is how many messages a full read folds into one record
// per field.
const FullBatchMessages = 4096

// Meta keys on a stream's field records.
const (
	MetaPart     = "nats_part" // payload | header | data
	MetaJSONPath = "json_path"
)

// batch accumulates values per field across messages, in first-seen order.
type batch struct {
	u      piimap.Unit
	smp    scanner.Sample
	total  int64
	fields []string
	values map[string][]string
	rows   int
	sent   bool
}

func newBatch(u piimap.Unit, smp scanner.Sample, total int64) *batch {
	return &batch{u: u, smp: smp, total: total, values: map[string][]string{}}
}

func (b *batch) add(m Message) {
	b.rows++
	m.Fields(func(field, value string) {
		if !b.smp.Wants(field) || value == "" {
			return
		}
		if _, ok := b.values[field]; !ok {
			b.fields = append(b.fields, field)
		}
		b.values[field] = append(b.values[field], truncate(value, maxValueBytes))
	})
}

func (b *batch) flush(emit func(piimap.Record) error) error {
	if b.rows == 0 && b.sent {
		return nil
	}
	b.sent = true
	for _, f := range sortedFields(b.fields) {
		vals := b.values[f]
		meta := map[string]string{
			piimap.MetaRowsSampled: strconv.Itoa(b.rows),
			piimap.MetaRowsTotal:   strconv.FormatInt(b.total, 10),
		}
		switch {
		case strings.HasPrefix(f, HeaderPrefix):
			meta[MetaPart] = "header"
		case f == FieldData:
			meta[MetaPart] = "data"
		default:
			meta[MetaPart] = "payload"
			meta[MetaJSONPath] = f
		}
		if scanner.LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if err := emit(piimap.Record{Loc: b.u.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
	}
	b.fields, b.values, b.rows = nil, map[string][]string{}, 0
	return nil
}

// sortedFields orders fields for a stable record order.
func sortedFields(fs []string) []string {
	out := slices.Clone(fs)
	slices.Sort(out)
	return out
}

var _ scanner.PipelineStager = (*Source)(nil)

// PipelineStage places the store along a data pipeline: a stream.
func (s *Source) PipelineStage() int { return scanner.StageTransient }
