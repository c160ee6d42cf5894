package fileformat

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/scanner"
)

// MetaDelimiter is the unit meta key holding a CSV/TSV unit's delimiter,
// as Sniff found it; ReadUnit reads the unit with it.
const MetaDelimiter = "delimiter"

// ReasonContent ends the MetaSkipped reason of a unit whose content piimap
// does not read (binary); its read wraps piimap.ErrUnsupported.
const ReasonContent = "; not read — piimap reads text, CSV/TSV, JSON, JSONL and Parquet (optionally gzip-compressed)"

// FormatOf is the format an object's name alone gives (DetectFormat with
// no content), text when it names none: the format of a unit listed
// without its content read (unreadable, or skipped).
func FormatOf(name string) string {
	if f := DetectFormat(name, nil, true); f != "" {
		return f
	}
	return piimap.FormatText
}

// Sniff settles a unit from its object's first bytes (up to HeadSize;
// complete says head is the whole object): its gzip flag, its format
// (DetectFormat on the decompressed head and u.Loc.Name) and, for CSV/TSV,
// its delimiter (MetaDelimiter). rest, when not nil, continues head (see
// GunzipHead). Binary content is never dropped: the unit becomes a skipped
// text unit whose MetaSkipped reason (ending in ReasonContent) its read
// fails with. Meta is set only when there is something to record.
func Sniff(u *piimap.Unit, head []byte, complete bool, rest io.Reader) {
	if IsGzip(head) {
		u.Gzip = true
		head, complete = GunzipHead(head, complete, rest)
	}
	u.Format = DetectFormat(u.Loc.Name, head, complete)
	if u.Format == "" {
		why := BinaryReason(head)
		if why == "" {
			why = "binary content"
		}
		u.Format = piimap.FormatText
		setMeta(u, MetaSkipped, why+ReasonContent)
		return
	}
	if u.Format == piimap.FormatCSV || u.Format == piimap.FormatTSV {
		if d, ok := SniffDelimiter(head, complete); ok {
			setMeta(u, MetaDelimiter, string(d))
		}
	}
}

func setMeta(u *piimap.Unit, k, v string) {
	if u.Meta == nil {
		u.Meta = map[string]string{}
	}
	u.Meta[k] = v
}

// ReadUnit emits the records of unit u from r, its object's bytes as
// stored (ReadUnit decompresses them when u.Gzip): a structured unit's
// sampled field values (one record per field, several in a full read) or
// a text unit's chunks of about chunkSize bytes (DefaultChunkSize when
// <= 0), always in full. The sample is seeded by u's name.
//
// Parquet needs random access, which is the store's to give: a plain
// Parquet unit is sampled by the caller (SampleParquet over an
// io.ReaderAt, EmitBatch) without calling ReadUnit, and spool receives
// the decompressed bytes of a gzip-wrapped one, to sample from memory or a
// temp file.
func ReadUnit(ctx context.Context, r io.Reader, u piimap.Unit, smp scanner.Sample, chunkSize int,
	emit func(piimap.Record) error, spool func(r io.Reader, emit func(*Batch) error) error) error {
	if u.Gzip {
		zr, err := NewGzipReader(r)
		if err != nil {
			return err
		}
		defer zr.Close()
		r = zr
	}
	key := u.Loc.Name
	toRecords := func(b *Batch) error { return EmitBatch(u, b, emit) }
	switch u.Format {
	case piimap.FormatCSV, piimap.FormatTSV:
		var comma rune
		if d := u.Meta[MetaDelimiter]; d != "" {
			comma = []rune(d)[0]
		} else if u.Format == piimap.FormatTSV {
			comma = '\t'
		}
		return SampleDelimited(ctx, r, comma, smp, key, toRecords)
	case piimap.FormatJSONL:
		return SampleJSONL(ctx, r, smp, key, toRecords)
	case piimap.FormatJSON:
		return SampleJSON(ctx, r, smp, key, toRecords)
	case piimap.FormatParquet:
		return spool(r, toRecords)
	case piimap.FormatText:
		return ChunkText(ctx, r, chunkSize, func(c Chunk) error {
			return emit(piimap.Record{Loc: u.Loc.Asset(), Data: c.Data, Offset: c.Offset, Line: c.Line})
		})
	default:
		return fmt.Errorf("format %q: %w", u.Format, piimap.ErrUnsupported)
	}
}

// EmitBatch turns a sampled Batch of unit u into one record per field,
// with the rows-sampled/rows-total, SQL type, text-field and
// MetaTruncated meta.
func EmitBatch(u piimap.Unit, b *Batch, emit func(piimap.Record) error) error {
	for _, f := range b.Fields {
		vals := b.Values[f]
		meta := map[string]string{
			piimap.MetaRowsSampled: strconv.Itoa(b.Rows),
			piimap.MetaRowsTotal:   strconv.FormatInt(b.Total, 10),
		}
		if t := b.Types[f]; t != "" {
			meta[piimap.MetaSQLType] = t
		}
		if scanner.LooksLikeText(vals) {
			meta[piimap.MetaTextField] = "true"
		}
		if n := b.Cut[f]; n > 0 {
			meta[MetaTruncated] = truncatedNote(n)
		}
		if err := emit(piimap.Record{Loc: u.Loc.WithField(f), Values: vals, Meta: meta}); err != nil {
			return err
		}
	}
	return nil
}
