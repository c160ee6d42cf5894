package nats

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap/scanner"
)

// Field naming inside a message (DESIGN §3: field is a JSON path).
const (
	// FieldData is the field of a payload that is not a JSON object or
	// array (text, a bare JSON scalar).
	FieldData = "data"
	// HeaderPrefix prefixes header fields: `header.X-User-Email`.
	HeaderPrefix = "header."
)

// maxValueBytes caps one sampled text value; classifiers need no more.
const maxValueBytes = 64 << 10

// directHeaders are added by the server to direct-get replies; they are
// transport, not message content.
var directHeaders = []string{
	jetstream.StreamHeader, jetstream.SequenceHeader, jetstream.TimeStampHeaer,
	jetstream.SubjectHeader, "Nats-Last-Sequence", "Nats-Num-Pending",
}

// Message is one stored message, as read by direct get or an ordered
// consumer.
type Message struct {
	Seq     uint64
	Subject string
	Time    time.Time
	Header  natsgo.Header
	Data    []byte
}

func fromRaw(m *jetstream.RawStreamMsg) Message {
	return Message{Seq: m.Sequence, Subject: m.Subject, Time: m.Time, Header: cleanHeader(m.Header), Data: m.Data}
}

func cleanHeader(h natsgo.Header) natsgo.Header {
	if len(h) == 0 {
		return nil
	}
	out := natsgo.Header{}
	for k, v := range h {
		if !slices.ContainsFunc(directHeaders, func(d string) bool { return strings.EqualFold(d, k) }) {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// JSON decodes the payload when it is a JSON object or array (numbers kept
// as json.Number); ok is false for anything else, text included.
func (m Message) JSON() (any, bool) {
	return decodeJSON(m.Data)
}

func decodeJSON(data []byte) (any, bool) {
	t := bytes.TrimLeft(data, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(t))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil { // trailing content: not one JSON document
		return nil, false
	}
	return v, true
}

// Text returns the payload as text when it is valid UTF-8.
func (m Message) Text() (string, bool) {
	if !utf8.Valid(m.Data) {
		return "", false
	}
	return string(m.Data), true
}

// Fields calls emit for every field value of the message: each header value
// (`header.X-User-Email`, headers in sorted order), then each scalar of a
// JSON payload by path (`user.email`, `items[].sku`), or the whole payload as
// `data` when it is text. Binary payloads yield no payload field.
func (m Message) Fields(emit func(field, value string)) {
	for _, k := range sortedHeaderKeys(m.Header) {
		for _, v := range m.Header[k] {
			emit(HeaderPrefix+k, v)
		}
	}
	if doc, ok := m.JSON(); ok {
		scanner.FlattenJSON("", doc, func(path, value string) {
			if path == "$" {
				path = FieldData
			}
			emit(path, value)
		})
		return
	}
	if s, ok := m.Text(); ok && s != "" {
		emit(FieldData, s)
	}
}

// HeaderValues returns the values of header name, matched exactly first,
// then case-insensitively (NATS headers keep the publisher's case).
func (m Message) HeaderValues(name string) []string {
	if v, ok := m.Header[name]; ok {
		return v
	}
	for k, v := range m.Header {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func sortedHeaderKeys(h natsgo.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ErrTooLarge is wrapped when a walk would exceed the configured max_scan.
var ErrTooLarge = errors.New("stream exceeds max_scan")

// Walk visits every message of a stream in sequence order, from its first
// to the last sequence it held when the walk began, with an ordered
// consumer: an ephemeral, memory-only consumer that never acks and is
// removed by the server when the walk ends. It refuses (wrapping
// ErrTooLarge) a stream holding more than max messages, so a caller never
// takes a partial walk for a complete one.
func (c *Conn) Walk(ctx context.Context, s jetstream.Stream, max int64, visit func(Message) error) error {
	info, err := s.Info(ctx)
	if err != nil {
		return c.wrap(ctx, "stream info", err)
	}
	return c.walkRange(ctx, s, info.State, max, visit)
}

func (c *Conn) walkRange(ctx context.Context, s jetstream.Stream, st jetstream.StreamState, max int64, visit func(Message) error) error {
	name := s.CachedInfo().Config.Name
	if st.Msgs == 0 {
		return ctx.Err()
	}
	if max > 0 && st.Msgs > uint64(max) {
		return fmt.Errorf("nats: walk %s: %d messages, max_scan %d: %w", name, st.Msgs, max, ErrTooLarge)
	}
	cctx, cancel := context.WithTimeout(ctx, c.Cfg.Timeout)
	cons, err := s.OrderedConsumer(cctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: st.FirstSeq,
		InactiveThreshold: 30 * time.Second,
	})
	cancel()
	if err != nil {
		return c.wrap(ctx, "walk "+name+": ordered consumer", err)
	}
	defer func() { // the ordered consumer's server-side state goes with us
		if info := cons.CachedInfo(); info != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.Cfg.Timeout)
			_ = s.DeleteConsumer(dctx, info.Name)
			cancel()
		}
	}()
	const batch = 512
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		msgs, err := cons.Fetch(batch, jetstream.FetchMaxWait(c.Cfg.Timeout))
		if err != nil {
			return c.wrap(ctx, "walk "+name+": fetch", err)
		}
		n := 0
		for jm := range msgs.Messages() {
			n++
			md, err := jm.Metadata()
			if err != nil {
				return fmt.Errorf("nats: walk %s: metadata: %w", name, err)
			}
			seq := md.Sequence.Stream
			if seq > st.LastSeq { // published after the walk began
				return nil
			}
			m := Message{Seq: seq, Subject: jm.Subject(), Time: md.Timestamp, Header: cleanHeader(jm.Headers()), Data: jm.Data()}
			if err := visit(m); err != nil {
				return err
			}
			if seq == st.LastSeq || md.NumPending == 0 {
				return ctx.Err()
			}
		}
		if err := msgs.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, natsgo.ErrTimeout) {
			return c.wrap(ctx, "walk "+name+": fetch", err)
		}
		if n == 0 { // nothing more arrived within the timeout: the tail was removed meanwhile
			return ctx.Err()
		}
	}
}

// Meta keys of a stream unit (and of its asset node in the graph): the
// retention limits that bound how long a message lives there.
const (
	MetaRetention         = "retention"            // limits | interest | workqueue
	MetaMaxAge            = "max_age"              // Go duration; absent when unlimited
	MetaMaxMsgs           = "max_msgs"             // absent when unlimited
	MetaMaxBytes          = "max_bytes"            // absent when unlimited
	MetaMaxMsgsPerSubject = "max_msgs_per_subject" // absent when unlimited
	MetaDiscard           = "discard"              // old | new
	MetaDenyDelete        = "deny_delete"          // "true" | "false"
	MetaDenyPurge         = "deny_purge"           // "true" | "false"
	MetaSealed            = "sealed"               // "true" when set
	MetaStorage           = "storage"              // file | memory
	MetaSubjects          = "subjects"             // comma-separated subject filters
	MetaFirstSeq          = "first_seq"
	MetaLastSeq           = "last_seq"
	MetaFirstTime         = "first_time" // RFC 3339: the oldest message held
)

// RetentionMeta describes a stream's retention as unit meta.
func RetentionMeta(info *jetstream.StreamInfo) map[string]string {
	cfg, st := info.Config, info.State
	m := map[string]string{
		MetaRetention:  retentionName(cfg.Retention),
		MetaDiscard:    discardName(cfg.Discard),
		MetaDenyDelete: strconv.FormatBool(cfg.DenyDelete),
		MetaDenyPurge:  strconv.FormatBool(cfg.DenyPurge),
		MetaStorage:    storageName(cfg.Storage),
		MetaFirstSeq:   strconv.FormatUint(st.FirstSeq, 10),
		MetaLastSeq:    strconv.FormatUint(st.LastSeq, 10),
	}
	if cfg.Sealed {
		m[MetaSealed] = "true"
	}
	if cfg.MaxAge > 0 {
		m[MetaMaxAge] = cfg.MaxAge.String()
	}
	if cfg.MaxMsgs > 0 {
		m[MetaMaxMsgs] = strconv.FormatInt(cfg.MaxMsgs, 10)
	}
	if cfg.MaxBytes > 0 {
		m[MetaMaxBytes] = strconv.FormatInt(cfg.MaxBytes, 10)
	}
	if cfg.MaxMsgsPerSubject > 0 {
		m[MetaMaxMsgsPerSubject] = strconv.FormatInt(cfg.MaxMsgsPerSubject, 10)
	}
	if len(cfg.Subjects) > 0 {
		m[MetaSubjects] = strings.Join(cfg.Subjects, ",")
	}
	if st.Msgs > 0 && !st.FirstTime.IsZero() {
		m[MetaFirstTime] = st.FirstTime.UTC().Format(time.RFC3339)
	}
	return m
}

// RetentionSummary renders a stream's retention for people: "retention
// limits, max_age 720h0m0s, max_msgs 1000000, discard old" or, without any
// limit, "retention limits, no limit: messages are kept until deleted".
func RetentionSummary(cfg jetstream.StreamConfig) string {
	parts := []string{"retention " + retentionName(cfg.Retention)}
	if cfg.MaxAge > 0 {
		parts = append(parts, "max_age "+cfg.MaxAge.String())
	}
	if cfg.MaxMsgs > 0 {
		parts = append(parts, fmt.Sprintf("max_msgs %d", cfg.MaxMsgs))
	}
	if cfg.MaxBytes > 0 {
		parts = append(parts, fmt.Sprintf("max_bytes %d", cfg.MaxBytes))
	}
	if cfg.MaxMsgsPerSubject > 0 {
		parts = append(parts, fmt.Sprintf("max_msgs_per_subject %d", cfg.MaxMsgsPerSubject))
	}
	if len(parts) == 1 && cfg.Retention == jetstream.LimitsPolicy {
		return parts[0] + ", no limit: messages are kept until deleted"
	}
	return strings.Join(append(parts, "discard "+discardName(cfg.Discard)), ", ")
}

// retentionName, discardName and storageName use the server's JSON names
// (limits, workqueue, old, file…), as `nats stream info` shows them.
func retentionName(p jetstream.RetentionPolicy) string { return jsonName(p, p.String()) }
func discardName(p jetstream.DiscardPolicy) string     { return jsonName(p, p.String()) }
func storageName(p jetstream.StorageType) string       { return jsonName(p, p.String()) }

func jsonName(v json.Marshaler, fallback string) string {
	b, err := v.MarshalJSON()
	if err != nil {
		return fallback
	}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return fallback
	}
	return s
}
