package fileformat

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/piimap/piimap"
)

// HeadSize is how many (decompressed) leading bytes detection looks at.
const HeadSize = 64 << 10

// StripGz removes a trailing ".gz" so the inner name's extension counts.
func StripGz(name string) string {
	if strings.EqualFold(path.Ext(name), ".gz") {
		return name[:len(name)-3]
	}
	return name
}

// DetectFormat decides an object's format from its (decompressed) head and
// its name, content first: Parquet magic, JSON/JSONL syntax, a consistent
// delimiter, text. The extension breaks ties and names formats the head
// cannot prove (an empty .csv, a corrupt .parquet). complete says head is
// the whole object. It returns "" for binary content piimap cannot read.
func DetectFormat(name string, head []byte, complete bool) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	ext := strings.ToLower(path.Ext(StripGz(name)))
	if bytes.HasPrefix(head, []byte("PAR1")) || ext == ".parquet" || ext == ".pq" {
		return piimap.FormatParquet
	}
	if isBinary(head) {
		return ""
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if f := detectJSON(trimmed, complete); f != "" {
			if f == piimap.FormatJSON && (ext == ".jsonl" || ext == ".ndjson") {
				return piimap.FormatJSONL
			}
			return f
		}
	}
	switch ext {
	case ".csv":
		if d, ok := SniffDelimiter(head, complete); ok && d == '\t' {
			return piimap.FormatTSV
		}
		return piimap.FormatCSV
	case ".tsv", ".tab":
		return piimap.FormatTSV
	case ".json":
		return piimap.FormatJSON
	case ".jsonl", ".ndjson":
		return piimap.FormatJSONL
	case ".log", ".txt", ".text", ".out", ".err", ".md":
		return piimap.FormatText
	}
	if d, ok := SniffDelimiter(head, complete); ok {
		if d == '\t' {
			return piimap.FormatTSV
		}
		return piimap.FormatCSV
	}
	return piimap.FormatText
}

// detectJSON tells JSONL (several complete JSON values, one per line) from
// a JSON document; "" when the head is not valid JSON at all (e.g. a log
// line starting "[2024-01-01] ...").
func detectJSON(head []byte, complete bool) string {
	lines := bytes.Split(head, []byte("\n"))
	if !complete && len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last line may be cut
	}
	values := 0
	allValid := true
	for _, l := range lines {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if !json.Valid(l) || (l[0] != '{' && l[0] != '[') {
			allValid = false
			break
		}
		values++
	}
	if allValid && values >= 2 {
		return piimap.FormatJSONL
	}
	if jsonPrefixOK(head, complete) {
		return piimap.FormatJSON
	}
	return ""
}

// jsonPrefixOK reports whether head is valid JSON so far: a syntax error
// disqualifies it, running out of input (when head is partial) does not.
func jsonPrefixOK(head []byte, complete bool) bool {
	dec := json.NewDecoder(bytes.NewReader(head))
	for range 100000 {
		_, err := dec.Token()
		switch {
		case err == nil:
			continue
		case errors.Is(err, io.EOF):
			return true
		case errors.Is(err, io.ErrUnexpectedEOF):
			return !complete
		default:
			return false
		}
	}
	return true
}

// isBinary reports content piimap does not read as text (BinaryReason).
func isBinary(head []byte) bool { return BinaryReason(head) != "" }

// binaryMagic are the leading bytes of common binary formats.
var binaryMagic = []struct{ magic, what string }{
	{"\x89PNG\r\n\x1a\n", "PNG image"},
	{"\xff\xd8\xff", "JPEG image"},
	{"GIF87a", "GIF image"},
	{"GIF89a", "GIF image"},
	{"PK\x03\x04", "ZIP archive (also xlsx, docx, jar)"},
	{"\x7fELF", "ELF executable"},
	{"\xfd7zXZ\x00", "xz-compressed (only gzip is decompressed)"},
	{"\x28\xb5\x2f\xfd", "zstd-compressed (only gzip is decompressed)"},
	{"7z\xbc\xaf\x27\x1c", "7-Zip archive"},
}

// BinaryReason says why head (an object's first bytes) is not text, or ""
// when it is. NUL bytes alone do not make an object binary: a log with a
// NUL-padded head or stray NULs is read as text, each NUL a separator
// (ChunkText turns it into a space). Binary is UTF-16-like content (NULs at
// every other position), or control characters and invalid UTF-8 making
// up more than 30% of the other bytes of the first 8000; text with a few
// invalid UTF-8 bytes is still text. A skipped binary object is listed as
// a unit with the reason (MetaSkipped), never dropped.
func BinaryReason(head []byte) string {
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, []byte(m.magic)) {
			return m.what
		}
	}
	if len(head) > 8000 {
		head = head[:8000]
	}
	var nul, evenNul, oddNul int
	for i, c := range head {
		if c == 0 {
			nul++
			if i%2 == 0 {
				evenNul++
			} else {
				oddNul++
			}
		}
	}
	if len(head) >= 16 && max(evenNul, oddNul)*10 >= len(head)*4 && min(evenNul, oddNul)*10 < len(head) {
		return "UTF-16 or other wide-character text (NUL bytes at every other position)"
	}
	bad := 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < 0x80 {
			if c != 0 && c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b {
				bad++
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 && len(head)-i >= utf8.UTFMax {
			bad++
		}
		i += n
	}
	if text := len(head) - nul; text > 0 && bad*10 > text*3 {
		return fmt.Sprintf("binary content (control characters or invalid UTF-8 in %d%% of the first %d bytes)", bad*100/text, len(head))
	}
	return ""
}

// SniffDelimiter finds the delimiter (',', '\t', ';' or '|') that splits
// the head's lines into the same number (>1) of fields. complete says head
// is the whole object; otherwise its last, possibly cut, line is ignored.
func SniffDelimiter(head []byte, complete bool) (rune, bool) {
	if !complete {
		if i := bytes.LastIndexByte(head, '\n'); i >= 0 {
			head = head[:i+1]
		}
	}
	best, bestCols := rune(0), 1
	for _, d := range []rune{',', '\t', ';', '|'} {
		if bytes.IndexRune(head, d) < 0 {
			continue
		}
		r := csv.NewReader(bytes.NewReader(head))
		r.Comma = d
		r.LazyQuotes = true
		r.FieldsPerRecord = -1
		counts := map[int]int{}
		lines := 0
		for lines < 50 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			counts[len(rec)]++
			lines++
		}
		mode, modeN := 0, 0
		for c, n := range counts {
			if n > modeN || (n == modeN && c > mode) {
				mode, modeN = c, n
			}
		}
		if mode > 1 && modeN*10 >= lines*9 && (lines >= 2 || complete) && mode > bestCols {
			best, bestCols = d, mode
		}
	}
	return best, best != 0
}
