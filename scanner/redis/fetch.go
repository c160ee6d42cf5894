package redis

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"

	goredis "github.com/redis/go-redis/v9"
)

// Redis value types as TYPE reports them.
const (
	TypeString = "string"
	TypeHash   = "hash"
	TypeList   = "list"
	TypeSet    = "set"
	TypeZSet   = "zset"
	TypeStream = "stream"
	TypeNone   = "none"
)

// Limits bound what Fetch reads of one key. Zero means unbounded: the
// executor reads values whole, the scanner samples them.
type Limits struct {
	MaxBytes    int64 // of a string value
	MaxElements int64 // of a hash, list, set, zset or stream
}

// ScanLimits are the scanner's per-key bounds.
var ScanLimits = Limits{MaxBytes: 1 << 20, MaxElements: 100}

// Value is one key's value as read. Exactly one of the typed parts is set,
// according to Type.
type Value struct {
	Key       string
	Type      string
	Str       string            // string
	Hash      map[string]string // hash
	Items     []Item            // list elements (in order), set/zset members
	Entries   []Entry           // stream entries
	Length    int64             // bytes of a string, elements of the others
	Truncated bool              // Limits cut the value short
}

// Item is a list element or a set/zset member.
type Item struct {
	Member string
	Score  float64 // zset only
}

// Entry is one stream entry.
type Entry struct {
	ID     string
	Fields map[string]string
}

// Pipeliner is what Fetch needs of a connection: a client, or the
// *redis.Tx of a WATCH transaction (the executor re-reads a key under WATCH
// before it rewrites it).
type Pipeliner interface {
	Pipelined(ctx context.Context, fn func(goredis.Pipeliner) error) ([]goredis.Cmder, error)
}

// Fetch reads keys' values in three pipelined round trips: TYPE, then the
// size of each, then the bounded value. It issues only read-only commands
// (TYPE, STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN, GET, GETRANGE, HGETALL,
// HSCAN, LRANGE, SMEMBERS, SSCAN, ZRANGE, XRANGE). Keys that vanished
// meanwhile come back with Type "none".
func Fetch(ctx context.Context, c Pipeliner, keys []string, lim Limits) ([]Value, error) {
	out := make([]Value, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	types := make([]*goredis.StatusCmd, len(keys))
	if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			types[i] = p.Type(ctx, k)
		}
		return nil
	}); err != nil {
		return nil, CmdErr(ctx, "type", err)
	}
	sizes := make([]*goredis.IntCmd, len(keys))
	if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			out[i] = Value{Key: k, Type: types[i].Val()}
			switch out[i].Type {
			case TypeString:
				sizes[i] = p.StrLen(ctx, k)
			case TypeHash:
				sizes[i] = p.HLen(ctx, k)
			case TypeList:
				sizes[i] = p.LLen(ctx, k)
			case TypeSet:
				sizes[i] = p.SCard(ctx, k)
			case TypeZSet:
				sizes[i] = p.ZCard(ctx, k)
			case TypeStream:
				sizes[i] = p.XLen(ctx, k)
			}
		}
		return nil
	}); err != nil && !errors.Is(err, goredis.Nil) && !wrongType(err) {
		return nil, CmdErr(ctx, "size", err)
	}
	reads := make([]goredis.Cmder, len(keys))
	if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		for i, k := range keys {
			if sizes[i] == nil { // gone, or a module type (ReJSON-RL, …) piimap cannot read
				continue
			}
			if sizes[i].Err() != nil {
				out[i].Type = TypeNone
				continue
			}
			n := sizes[i].Val()
			out[i].Length = n
			reads[i] = readCmd(ctx, p, &out[i], k, n, lim)
		}
		return nil
	}); err != nil && !errors.Is(err, goredis.Nil) && !wrongType(err) {
		return nil, CmdErr(ctx, "read", err)
	}
	for i := range out {
		if reads[i] == nil {
			continue
		}
		if err := reads[i].Err(); err != nil {
			if errors.Is(err, goredis.Nil) || wrongType(err) {
				out[i].Type = TypeNone // gone or replaced between round trips
				continue
			}
			return nil, CmdErr(ctx, "read "+out[i].Type, err)
		}
		decode(&out[i], reads[i])
		trim(&out[i], lim.MaxElements)
	}
	return out, nil
}

func wrongType(err error) bool {
	var re goredis.Error
	return errors.As(err, &re) && len(re.Error()) >= 9 && re.Error()[:9] == "WRONGTYPE"
}

// readCmd queues the bounded read of one key whose size is n.
func readCmd(ctx context.Context, p goredis.Pipeliner, v *Value, k string, n int64, lim Limits) goredis.Cmder {
	capped := func(max int64) (int64, bool) {
		if max > 0 && n > max {
			return max, true
		}
		return n, false
	}
	switch v.Type {
	case TypeString:
		if m, cut := capped(lim.MaxBytes); cut {
			v.Truncated = true
			return p.GetRange(ctx, k, 0, m-1)
		}
		return p.Get(ctx, k)
	case TypeHash:
		if m, cut := capped(lim.MaxElements); cut {
			v.Truncated = true
			return p.HScan(ctx, k, 0, "", m)
		}
		return p.HGetAll(ctx, k)
	case TypeList:
		m, cut := capped(lim.MaxElements)
		v.Truncated = cut
		return p.LRange(ctx, k, 0, max(m, 1)-1)
	case TypeSet:
		if m, cut := capped(lim.MaxElements); cut {
			v.Truncated = true
			return p.SScan(ctx, k, 0, "", m)
		}
		return p.SMembers(ctx, k)
	case TypeZSet:
		m, cut := capped(lim.MaxElements)
		v.Truncated = cut
		return p.ZRangeWithScores(ctx, k, 0, max(m, 1)-1)
	case TypeStream:
		m, cut := capped(lim.MaxElements)
		v.Truncated = cut
		return p.XRangeN(ctx, k, "-", "+", max(m, 1))
	}
	return nil
}

func decode(v *Value, cmd goredis.Cmder) {
	switch c := cmd.(type) {
	case *goredis.StringCmd:
		v.Str = c.Val()
	case *goredis.MapStringStringCmd:
		v.Hash = c.Val()
	case *goredis.ScanCmd: // HSCAN (field, value pairs) or SSCAN (members)
		items, _ := c.Val()
		if v.Type == TypeHash {
			v.Hash = make(map[string]string, len(items)/2)
			for i := 0; i+1 < len(items); i += 2 {
				v.Hash[items[i]] = items[i+1]
			}
			return
		}
		for _, m := range items {
			v.Items = append(v.Items, Item{Member: m})
		}
		sortItems(v)
	case *goredis.StringSliceCmd: // LRANGE, SMEMBERS
		for _, m := range c.Val() {
			v.Items = append(v.Items, Item{Member: m})
		}
		if v.Type == TypeSet {
			sortItems(v)
		}
	case *goredis.ZSliceCmd:
		for _, z := range c.Val() {
			v.Items = append(v.Items, Item{Member: fmt.Sprint(z.Member), Score: z.Score})
		}
	case *goredis.XMessageSliceCmd:
		for _, m := range c.Val() {
			e := Entry{ID: m.ID, Fields: make(map[string]string, len(m.Values))}
			for f, x := range m.Values {
				switch s := x.(type) {
				case string:
					e.Fields[f] = s
				default:
					e.Fields[f] = fmt.Sprint(s)
				}
			}
			v.Entries = append(v.Entries, e)
		}
	}
}

// trim enforces MaxElements: HSCAN and SSCAN return small (listpack or
// intset encoded) collections whole, whatever their COUNT hint.
func trim(v *Value, max int64) {
	if max <= 0 {
		return
	}
	if int64(len(v.Items)) > max {
		v.Items = v.Items[:max]
		v.Truncated = true
	}
	if int64(len(v.Hash)) > max {
		keep := make([]string, 0, len(v.Hash))
		for f := range v.Hash {
			keep = append(keep, f)
		}
		sort.Strings(keep)
		for _, f := range keep[max:] {
			delete(v.Hash, f)
		}
		v.Truncated = true
	}
}

// sortItems orders set members, which Redis returns in no stable order.
func sortItems(v *Value) {
	sort.Slice(v.Items, func(i, j int) bool { return v.Items[i].Member < v.Items[j].Member })
}

// FormatScore renders a zset score the way Redis prints it.
func FormatScore(f float64) string { return strconv.FormatFloat(f, 'g', 17, 64) }
