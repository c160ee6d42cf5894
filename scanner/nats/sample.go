package nats

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap/scanner"
)

// Sampling thresholds.
const (
	// denseRatio is the share of live messages in the sequence range above
	// which random sequence draws rarely miss; below it, interior deletes
	// (max_msgs_per_subject, erasures) leave mostly holes.
	denseRatio = 0.5
	// reservoirMaxMsgs bounds the sparse-stream reservoir walk; bigger
	// sparse streams are sampled by draws that skip to the next message.
	reservoirMaxMsgs = 100_000
)

// sampleMessages picks up to rows messages of a stream, reproducibly for a
// given rand, spread over the whole sequence range — never the head only:
//
//   - a stream with no more than rows messages is read whole;
//   - a dense stream gets seeded random sequence draws between its first and
//     last sequence, each fetched by direct get (STREAM.MSG.GET when the
//     stream does not allow direct access); a draw that lands on a deleted
//     sequence takes the next live message after it;
//   - a sparse stream (mostly deleted sequences) of up to reservoirMaxMsgs
//     messages is walked once with an ordered consumer into a uniform
//     reservoir (scanner.Reservoir), so gaps do not bias the sample.
//
// Draws are bounded (4×rows+64 attempts). Messages come back in sequence
// order.
func (c *Conn) sampleMessages(ctx context.Context, st jetstream.Stream, state jetstream.StreamState, rows int, rnd *rand.Rand) ([]Message, error) {
	if state.Msgs == 0 || rows <= 0 {
		return nil, ctx.Err()
	}
	span := state.LastSeq - state.FirstSeq + 1
	switch {
	case state.Msgs <= uint64(rows):
		var out []Message
		err := c.walkRange(ctx, st, state, 0, func(m Message) error { out = append(out, m); return nil })
		return out, err
	case float64(state.Msgs)/float64(span) < denseRatio && state.Msgs <= reservoirMaxMsgs:
		res := scanner.NewReservoir[Message](rows, rnd)
		err := c.walkRange(ctx, st, state, 0, func(m Message) error {
			res.Offer(func() Message { return m })
			return nil
		})
		if err != nil {
			return nil, err
		}
		out := res.Items
		slices.SortFunc(out, func(a, b Message) int { return cmpSeq(a.Seq, b.Seq) })
		return out, nil
	}
	got := map[uint64]Message{}
	drawn := map[uint64]bool{}
	for attempts := 0; len(got) < rows && attempts < 4*rows+64; attempts++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		seq := state.FirstSeq + rnd.Uint64N(span)
		if drawn[seq] {
			continue
		}
		drawn[seq] = true
		m, ok, err := c.getAtOrAfter(ctx, st, seq)
		if err != nil {
			return nil, err
		}
		if ok && m.Seq <= state.LastSeq {
			if _, dup := got[m.Seq]; !dup {
				got[m.Seq] = m
			}
		}
	}
	out := make([]Message, 0, len(got))
	for _, m := range got {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Message) int { return cmpSeq(a.Seq, b.Seq) })
	return out, nil
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// GetMsg fetches the message at seq; ok is false when that sequence holds
// no message (deleted, expired, or out of range).
func (c *Conn) GetMsg(ctx context.Context, st jetstream.Stream, seq uint64) (Message, bool, error) {
	return c.get(ctx, st, seq)
}

// getAtOrAfter fetches the message at seq, or the next live one after it.
func (c *Conn) getAtOrAfter(ctx context.Context, st jetstream.Stream, seq uint64) (Message, bool, error) {
	m, ok, err := c.get(ctx, st, seq)
	if err != nil || ok {
		return m, ok, err
	}
	return c.get(ctx, st, seq, jetstream.WithGetMsgSubject(">"))
}

func (c *Conn) get(ctx context.Context, st jetstream.Stream, seq uint64, opts ...jetstream.GetMsgOpt) (Message, bool, error) {
	rctx, cancel := context.WithTimeout(ctx, c.Cfg.Timeout)
	defer cancel()
	raw, err := st.GetMsg(rctx, seq, opts...)
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
		return Message{}, false, nil
	case err != nil:
		return Message{}, false, c.wrap(ctx, "get message", err)
	}
	return fromRaw(raw), true, nil
}
