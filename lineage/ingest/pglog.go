package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/sqlextract"
)

// PostgreSQL server log formats (log_destination).
const (
	LogAuto   = "auto"    // detect from the first bytes
	LogStderr = "stderr"  // stderr / syslog text, continuation lines start with a tab
	LogCSV    = "csvlog"  // one CSV record per message
	LogJSON   = "jsonlog" // one JSON object per line (PostgreSQL 15+)
)

// LogFormats lists the accepted formats.
var LogFormats = []string{LogAuto, LogStderr, LogCSV, LogJSON}

// maxLogLine bounds one log line or record (a huge INSERT … SELECT).
const maxLogLine = 64 << 20

// ReadPostgresLog reads a PostgreSQL server log written with
// log_statement = all (or ddl/mod) or log_min_duration_statement, and keeps
// the statements that create lineage: CREATE TABLE AS, CREATE [MATERIALIZED]
// VIEW, INSERT … SELECT, SELECT INTO. Every statement is passed through
// sqlextract.MaskLiterals as soon as it is read, before it is counted,
// kept or parsed: the returned source holds masked SQL only, and the raw
// text is never stored or logged. Messages other than `statement:` and
// `execute …:` (DETAIL lines with bind parameters, errors, connection
// lines) are skipped unread. The database a statement ran in is kept when
// the log says (csvlog, jsonlog, or a "db=%d" in log_line_prefix).
func ReadPostgresLog(r io.Reader, name, format string) (*Source, error) {
	acc := newStatementSet()
	if err := scanPostgresLog(r, format, acc.add); err != nil {
		return nil, fmt.Errorf("ingest: postgres log %s: %w", name, err)
	}
	return &Source{Kind: KindSQLLog, Name: name, Statements: acc.kept, Stats: acc.st}, nil
}

// statementSet masks, classifies and deduplicates statements.
type statementSet struct {
	st   Stats
	kept []Statement
	seen map[string]bool
}

func newStatementSet() *statementSet { return &statementSet{seen: map[string]bool{}} }

// add takes one raw statement; only its masked form outlives the call.
func (a *statementSet) add(raw, database string) {
	a.st.Read++
	masked := strings.TrimSpace(sqlextract.MaskLiterals(raw))
	key := database + "\x00" + masked
	switch res, err := parseMasked(masked); {
	case err != nil:
		a.st.Failed++
	case !persists(res):
		a.st.Dropped++
	case a.seen[key]:
		a.st.Repeated++
	default:
		a.seen[key] = true
		a.st.Kept++
		a.kept = append(a.kept, Statement{N: a.st.Read, SQL: masked, Database: database})
	}
}

// parseMasked extracts lineage from masked SQL: placeholders become $n
// parameters, or, where a parameter is not allowed (interval ?), empty
// string literals.
func parseMasked(masked string) (*sqlextract.Result, error) {
	res, err := sqlextract.Extract(sqlextract.ParamPlaceholders(masked), nil)
	if err == nil {
		return res, nil
	}
	if res, err2 := sqlextract.Extract(emptyLiterals(masked), nil); err2 == nil {
		return res, nil
	}
	return nil, err
}

// emptyLiterals turns the ? placeholders of masked SQL into empty string
// literals.
func emptyLiterals(masked string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(masked); i++ {
		switch c := masked[i]; {
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			b.WriteString("''")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// persists reports whether a result writes somewhere: a plain SELECT or a
// statement of another kind does not.
func persists(r *sqlextract.Result) bool {
	if len(r.Tables) > 0 {
		return true
	}
	for _, c := range r.Columns {
		if c.Target.Table != "" {
			return true
		}
	}
	return false
}

// scanPostgresLog calls emit for each logged statement with the database
// it ran in ("" when the log does not say).
func scanPostgresLog(r io.Reader, format string, emit func(sql, database string)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if format == "" || format == LogAuto {
		format = detectLogFormat(br)
	}
	switch format {
	case LogStderr:
		return scanStderrLog(br, emit)
	case LogCSV:
		return scanCSVLog(br, emit)
	case LogJSON:
		return scanJSONLog(br, emit)
	}
	return fmt.Errorf("log format %q is not one of %s: %w", format, strings.Join(LogFormats, ", "), piimap.ErrConfig)
}

// detectLogFormat peeks at the first record: a JSON object is jsonlog, a
// CSV record with a severity in its twelfth field is csvlog, anything else
// stderr.
func detectLogFormat(br *bufio.Reader) string {
	head, _ := br.Peek(64 << 10)
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) > 0 && head[0] == '{' {
		return LogJSON
	}
	cr := csv.NewReader(bytes.NewReader(head))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	if rec, err := cr.Read(); err == nil && len(rec) >= 14 && isSeverity(rec[11]) {
		return LogCSV
	}
	return LogStderr
}

var severities = []string{"DEBUG1", "DEBUG2", "DEBUG3", "DEBUG4", "DEBUG5", "INFO", "NOTICE", "WARNING",
	"ERROR", "LOG", "FATAL", "PANIC", "DEBUG", "STATEMENT", "DETAIL", "HINT", "CONTEXT"}

func isSeverity(s string) bool { return slices.Contains(severities, s) }

// scanStderrLog reads the text format: a message starts on a line holding
// "LOG:  " after the log_line_prefix, and continues on lines starting with
// a tab.
func scanStderrLog(br *bufio.Reader, emit func(sql, database string)) error {
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 64<<10), maxLogLine)
	var cur strings.Builder
	var curDB string
	in := false
	flush := func() {
		if in {
			emit(cur.String(), curDB)
		}
		in = false
		cur.Reset()
	}
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.HasPrefix(line, "\t") {
			if in {
				cur.WriteByte('\n')
				cur.WriteString(line[1:])
			}
			continue
		}
		flush()
		i := strings.Index(line, "LOG:  ")
		if i < 0 {
			continue
		}
		if sql, ok := statementOf(line[i+len("LOG:  "):]); ok {
			in = true
			cur.WriteString(sql)
			curDB = prefixDatabase(line[:i])
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("a line is longer than %d MB: %w", maxLogLine>>20, piimap.ErrUnsupported)
		}
		return err
	}
	flush()
	return nil
}

// statementOf returns the SQL of a LOG message that logs a statement:
// "statement: …", "execute NAME: …", either after "duration: N ms  ".
func statementOf(msg string) (string, bool) {
	if rest, ok := strings.CutPrefix(msg, "duration: "); ok {
		i := strings.Index(rest, " ms  ")
		if i < 0 {
			return "", false // a duration line without its statement
		}
		msg = rest[i+len(" ms  "):]
	}
	if sql, ok := strings.CutPrefix(msg, "statement: "); ok {
		return sql, true
	}
	if rest, ok := strings.CutPrefix(msg, "execute "); ok {
		if i := strings.Index(rest, ": "); i >= 0 {
			return rest[i+2:], true
		}
	}
	return "", false
}

// prefixDatabase reads "db=NAME" from a log_line_prefix such as
// '%m [%p] user=%u,db=%d,app=%a '.
func prefixDatabase(prefix string) string {
	i := strings.Index(prefix, "db=")
	if i < 0 || (i > 0 && isWordByte(prefix[i-1])) {
		return ""
	}
	rest := prefix[i+3:]
	if strings.HasPrefix(rest, "[") { // [unknown]
		return ""
	}
	end := strings.IndexAny(rest, ", \t]@")
	if end >= 0 {
		rest = rest[:end]
	}
	return rest
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// csvlog columns (the same from PostgreSQL 9.0 to 17).
const (
	csvDatabase = 2
	csvSeverity = 11
	csvMessage  = 13
)

func scanCSVLog(br *bufio.Reader, emit func(sql, database string)) error {
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("csvlog record %d (line %d): %w: %v", n, pe.Line, piimap.ErrCorrupt, pe.Err)
			}
			return err
		}
		if len(rec) <= csvMessage {
			return fmt.Errorf("csvlog record %d: %d fields, want at least %d: %w", n, len(rec), csvMessage+1, piimap.ErrCorrupt)
		}
		if rec[csvSeverity] != "LOG" {
			continue
		}
		if sql, ok := statementOf(rec[csvMessage]); ok {
			emit(sql, rec[csvDatabase])
		}
	}
}

func scanJSONLog(br *bufio.Reader, emit func(sql, database string)) error {
	dec := json.NewDecoder(br)
	for n := 1; ; n++ {
		var e struct {
			Severity string `json:"error_severity"`
			Message  string `json:"message"`
			DBName   string `json:"dbname"`
		}
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("jsonlog record %d: %w: %v", n, piimap.ErrCorrupt, scrubJSONError(err))
		}
		if e.Severity != "LOG" {
			continue
		}
		if sql, ok := statementOf(e.Message); ok {
			emit(sql, e.DBName)
		}
	}
}

// scrubJSONError keeps encoding/json's message without quoting input
// (a syntax error can quote the character it stopped at, nothing more,
// but a type error names a value).
func scrubJSONError(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %s has the wrong type", te.Field)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "truncated"
	}
	return "unreadable record"
}
