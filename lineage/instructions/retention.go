package instructions

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/piimap/piimap"
)

// Asset and field attributes the scan records that tell how old data is.
// The scanner packages define them; they are repeated here because this
// package imports no store package.
const (
	attrModTime      = "mod_time"      // scanner/files: the file's modification time (RFC 3339)
	attrLastModified = "last_modified" // scanner/s3: the object's modification time
	attrModified     = "modified"      // any source: the unit's modification time
	attrFirstTime    = "first_time"    // scanner/nats: the oldest message the stream holds
	attrStreamMaxAge = "max_age"       // scanner/nats: the stream's own max age (a Go duration)
	attrTTLProbed    = "ttl_probed"    // scanner/redis: keys whose TTL was probed
	attrTTLNone      = "ttl_none"      // scanner/redis: probed keys that never expire
	attrTTLMax       = "ttl_max_s"     // scanner/redis: longest remaining TTL, seconds
	// AttrOldest on a field node is the oldest value of a timestamp column
	// the scan recognised (RFC 3339, day precision), from its sample.
	AttrOldest = "oldest"
)

// retention checks every retention instruction against the assets of its
// store that hold PII.
func (a *analysis) retention() {
	held := map[piimap.Location][]string{} // asset → PII content types
	for _, l := range a.v.m.Locations {
		if ts := contentTypes(l); len(ts) > 0 {
			k := piimap.Location{Store: l.Store, Name: l.Asset}
			held[k] = union(held[k], ts)
		}
	}
	for _, tn := range sortedKeys(a.reg.Tenants) {
		t := a.reg.Tenants[tn]
		if t == nil {
			continue
		}
		for i, r := range t.Retention {
			instr := fmt.Sprintf("tenants.%s.retention[%d]%s: store %s, asset %q, max_age %s", tn, i, at(r.Line), r.Store, r.Asset, r.MaxAge)
			for _, k := range sortedLocs(held) {
				if k.Store != r.Store || r.re == nil || !r.re.MatchString(k.Name) {
					continue
				}
				a.retain(tn, k, held[k], r, instr)
			}
		}
	}
}

// retain judges one asset's age against one retention rule.
func (a *analysis) retain(tenant string, k piimap.Location, types []string, r Retention, instr string) {
	n, ok := a.v.assets[k]
	attrs := n.Attrs
	report := func(field string, ev ...string) {
		a.add(Finding{Kind: KindRetention, Tenant: tenant, Store: k.Store, Asset: k.Name, Field: field, PII: types,
			Instruction: instr, Severity: SeverityMedium, Evidence: ev})
	}
	checked := false
	// Object and file modification times: everything in the object is at
	// least this old.
	for _, key := range []string{attrModTime, attrLastModified, attrModified} {
		if t, err := time.Parse(time.RFC3339, attrs[key]); ok && err == nil {
			checked = true
			if age := a.now.Sub(t); age > r.Age {
				report("", fmt.Sprintf("last modified %s, %s ago: older than max_age %s", t.UTC().Format(time.RFC3339), days(age), r.MaxAge))
			}
			break
		}
	}
	// A stream's oldest message.
	if t, err := time.Parse(time.RFC3339, attrs[attrFirstTime]); ok && err == nil {
		checked = true
		if age := a.now.Sub(t); age > r.Age {
			ev := []string{fmt.Sprintf("oldest message %s, %s ago: older than max_age %s", t.UTC().Format(time.RFC3339), days(age), r.MaxAge)}
			if m := attrs[attrStreamMaxAge]; m != "" {
				ev = append(ev, "the stream's own max_age is "+m)
			} else {
				ev = append(ev, "the stream has no max_age")
			}
			report("", ev...)
		}
	}
	// Redis keys: no expiry, or a remaining TTL longer than max_age (the
	// key is then older than max_age when it expires).
	if probed, err := strconv.Atoi(attrs[attrTTLProbed]); ok && err == nil && probed > 0 {
		checked = true
		var ev []string
		if none, _ := strconv.Atoi(attrs[attrTTLNone]); none > 0 {
			ev = append(ev, fmt.Sprintf("%d of %d probed keys never expire (no TTL); max_age %s", none, probed, r.MaxAge))
		}
		if mx, err := strconv.ParseInt(attrs[attrTTLMax], 10, 64); err == nil && time.Duration(mx)*time.Second > r.Age {
			ev = append(ev, fmt.Sprintf("longest remaining TTL of %d probed keys is %s: longer than max_age %s", probed, days(time.Duration(mx)*time.Second), r.MaxAge))
		}
		if len(ev) > 0 {
			report("", ev...)
		}
	}
	// Timestamp columns the scan recognised: the oldest sampled value.
	for fk, fn := range a.v.fields {
		if fk.Store != k.Store || fk.Name != k.Name {
			continue
		}
		t, err := time.Parse(time.RFC3339, fn.Attrs[AttrOldest])
		if err != nil {
			continue
		}
		checked = true
		if age := a.now.Sub(t); age > r.Age {
			report(fk.Field, fmt.Sprintf("timestamp column %s: oldest sampled value is from %s, %s ago: older than max_age %s",
				fk.Field, t.UTC().Format("2006-01-02"), days(age), r.MaxAge))
		}
	}
	if !checked {
		reason := "the scan records no age for this asset (no modification time, stream time, TTL or recognised timestamp column)"
		if !ok {
			reason = "the asset has no node in this scan run"
		}
		a.unchecked = append(a.unchecked, Unchecked{Tenant: tenant, Store: k.Store, Asset: k.Name, Instruction: instr, Reason: reason})
	}
}

// days renders an age in whole days, or hours below two days.
func days(d time.Duration) string {
	if d < 48*time.Hour {
		return fmt.Sprintf("%dh", int64(math.Floor(d.Hours())))
	}
	return fmt.Sprintf("%dd", int64(math.Floor(d.Hours()/24)))
}

func sortedLocs[V any](m map[piimap.Location]V) []piimap.Location {
	out := make([]piimap.Location, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortLocs(out)
	return out
}
