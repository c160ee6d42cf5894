package textcorpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Span is one labelled piece of personal data in a document: byte offsets
// into Doc.Text (End exclusive) and a piimap type name.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Type  string `json:"type"`
}

// Doc is one labelled document, one JSON line of a corpus file.
type Doc struct {
	ID     string `json:"id"`
	Genre  string `json:"genre"`
	Locale string `json:"locale"`
	Text   string `json:"text"`
	Spans  []Span `json:"spans"`
}

// Genres of generated documents.
const (
	GenreTicket = "ticket"
	GenreChat   = "chat"
	GenreEmail  = "email"
	GenreCRM    = "crm_note"
	GenreLog    = "log"
)

// Genres lists every genre, in generation order.
var Genres = []string{GenreTicket, GenreChat, GenreEmail, GenreCRM, GenreLog}

// Locales lists every locale a document can be written in.
var Locales = []string{"en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "en-CA", "fr-CA"}

// Check reports the first inconsistency of d: a span outside the text, an
// empty or reversed span, overlapping spans, a span that starts or ends
// inside a UTF-8 sequence, or an empty type.
func (d Doc) Check() error {
	sp := append([]Span(nil), d.Spans...)
	sort.Slice(sp, func(i, j int) bool { return sp[i].Start < sp[j].Start })
	prev := -1
	for i, s := range sp {
		switch {
		case s.Type == "":
			return fmt.Errorf("doc %s: span %d has no type", d.ID, i)
		case s.Start < 0 || s.End > len(d.Text) || s.Start >= s.End:
			return fmt.Errorf("doc %s: span %d [%d,%d) out of range (text %d bytes)", d.ID, i, s.Start, s.End, len(d.Text))
		case s.Start < prev:
			return fmt.Errorf("doc %s: span %d [%d,%d) overlaps the previous one", d.ID, i, s.Start, s.End)
		case !boundary(d.Text, s.Start) || !boundary(d.Text, s.End):
			return fmt.Errorf("doc %s: span %d [%d,%d) cuts a UTF-8 sequence", d.ID, i, s.Start, s.End)
		case strings.TrimSpace(d.Text[s.Start:s.End]) != d.Text[s.Start:s.End]:
			return fmt.Errorf("doc %s: span %d [%d,%d) has surrounding white space", d.ID, i, s.Start, s.End)
		}
		prev = s.End
	}
	return nil
}

func boundary(s string, i int) bool { return i == len(s) || s[i]&0xC0 != 0x80 }

// WriteJSONL writes docs, one JSON object a line.
func WriteJSONL(w io.Writer, docs []Doc) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return fmt.Errorf("write doc %s: %w", d.ID, err)
		}
	}
	return bw.Flush()
}

// ReadJSONL reads a corpus written by WriteJSONL (or by hand), checking
// every document.
func ReadJSONL(r io.Reader) ([]Doc, error) {
	var docs []Doc
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var d Doc
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		if err := d.Check(); err != nil {
			return nil, fmt.Errorf("corpus line %d: %w", line, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read corpus: %w", err)
	}
	return docs, nil
}

// builder accumulates one document's text and its labelled spans.
type builder struct {
	sb    strings.Builder
	spans []Span
}

// lit appends unlabelled text.
func (b *builder) lit(s string) { b.sb.WriteString(s) }

// pii appends v labelled as typ (surrounding white space stays outside
// the span).
func (b *builder) pii(typ, v string) {
	lead := len(v) - len(strings.TrimLeft(v, " \t\n"))
	core := strings.TrimSpace(v)
	b.sb.WriteString(v[:lead])
	if core != "" {
		start := b.sb.Len()
		b.sb.WriteString(core)
		b.spans = append(b.spans, Span{Start: start, End: b.sb.Len(), Type: typ})
	}
	b.sb.WriteString(v[lead+len(core):])
}

func (b *builder) len() int { return b.sb.Len() }
