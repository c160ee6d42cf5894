package scanner

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/piimap/piimap"
)

// MetaOldest is the field attribute holding the oldest sampled value of a
// timestamp column the scan recognises, at day precision in RFC 3339
// ("2025-03-01T00:00:00Z"). The shadow report's retention check reads it
// (lineage/instructions.AttrOldest, the same key). It is a lower bound of
// the column's true oldest value: rows outside the sample may be older.
const MetaOldest = "oldest"

// A record-time column: its name says when the row was written or an
// event happened (created_at, updated, inserted_on, event_time, ts,
// logged_at), never a date of birth or a future date (expires_at).
var (
	recordTimeName = regexp.MustCompile(`(?i)(^|[_.\-])(created|updated|inserted|modified|logged|occurred|received|sent|recorded|seen|event|timestamp|ts|datetime)([_\-]?(at|on|time|date|ts|utc))?$|[_\-](at|on)$|^(at|time|date)$`)
	notRecordTime  = regexp.MustCompile(`(?i)birth|dob|expir|until|due_|_due|deadline|next_|scheduled|_end|end_|valid_to|valid_thru`)
	temporalSQL    = regexp.MustCompile(`(?i)timestamp|datetime|^date$|^time$`)
)

// oldestValue tracks the oldest value of a record-time column's samples.
type oldestValue struct {
	min              time.Time
	parsed, nonEmpty int
	off              bool // not a record-time column
}

// add looks at one record of the field.
func (o *oldestValue) add(field string, meta map[string]string, values []string) {
	if o.off || len(values) == 0 {
		return
	}
	name := field
	if i := strings.LastIndexAny(name, "."); i >= 0 {
		name = name[i+1:] // a JSON path's last key
	}
	typed := temporalSQL.MatchString(meta[piimap.MetaSQLType])
	if notRecordTime.MatchString(name) || !(typed || recordTimeName.MatchString(name)) {
		o.off = true
		return
	}
	limit := time.Now().Add(24 * time.Hour)
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		o.nonEmpty++
		t, ok := parseTimestamp(v)
		if !ok || t.Year() < 1971 || t.After(limit) {
			continue
		}
		o.parsed++
		if o.min.IsZero() || t.Before(o.min) {
			o.min = t
		}
	}
}

// attr is the MetaOldest value to record, "" when the column is no
// record-time column, most of its values do not parse, or the field holds
// dates of birth.
func (o *oldestValue) attr(findings []piimap.Finding) string {
	if o.off || o.parsed == 0 || o.parsed*2 < o.nonEmpty {
		return ""
	}
	for _, f := range findings {
		if f.Type == piimap.TypeDateOfBirth {
			return ""
		}
	}
	return o.min.UTC().Truncate(24 * time.Hour).Format(time.RFC3339)
}

var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTimestamp reads the text forms SQL stores and files give
// timestamps in: RFC 3339, SQL "2006-01-02 15:04:05[.frac][+tz]", a date,
// or Unix epoch seconds (10 digits) or milliseconds (13 digits).
func parseTimestamp(v string) (time.Time, bool) {
	if n := len(v); (n == 10 || n == 13) && strings.Trim(v, "0123456789") == "" {
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		if n == 13 {
			return time.UnixMilli(x).UTC(), true
		}
		return time.Unix(x, 0).UTC(), true
	}
	if len(v) < 10 || len(v) > 40 {
		return time.Time{}, false
	}
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
