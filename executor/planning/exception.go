package planning

import (
	"cmp"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage"
)

// Exception is one entry of the exceptions register: a location deliberately
// not (or not yet) changed, and why. Request empty means it applies to every
// request (a standing legal hold); Asset empty covers the whole store.
// Kind is one of driver's Exception kinds (driver.ExceptionLegalHold, ...).
//
// A legal hold (`piimap hold add`) may be narrower or wider than one
// location: Tenant limits it to one tenant's stores, Store empty covers
// every store of the tenant, Asset is a glob (path.Match) over asset
// names, and Subject limits it to the requests whose identifiers (given or
// resolved) include one of its values, kept only as HMACs. A released or
// expired hold covers nothing.
type Exception struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Request   string     `json:"request,omitempty"`
	Tenant    string     `json:"tenant,omitempty"`
	Store     string     `json:"store"`
	Asset     string     `json:"asset,omitempty"`
	Subject   []HeldID   `json:"subject,omitempty"`
	Reason    string     `json:"reason"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	By        string     `json:"by,omitempty"`
	// Released is set by `piimap hold release`: the hold no longer covers
	// anything but stays in the register as evidence.
	Released *Release `json:"released,omitempty"`
}

// HeldID is one identifier a hold applies to: its kind, its keyed HMAC
// (evidence.Keys.IdentifierHMAC) and a masked form for display; never the
// raw value.
type HeldID struct {
	Kind   string `json:"kind"`
	HMAC   string `json:"hmac"`
	Masked string `json:"masked"`
}

// Release records who released a hold, when and why.
type Release struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Active reports whether the exception is in force at now: not released
// and not expired.
func (e Exception) Active(now time.Time) bool {
	return e.Released == nil && (e.ExpiresAt == nil || now.Before(*e.ExpiresAt))
}

// Covers reports whether the exception, in force at now, covers asset of
// store (of tenant) for a subject: has reports whether the subject's
// identifiers include the one of kind with the given HMAC.
func (e Exception) Covers(tenant, store, asset string, has func(kind, hmac string) bool, now time.Time) bool {
	if !e.Active(now) {
		return false
	}
	if e.Tenant != "" && e.Tenant != tenant {
		return false
	}
	if e.Store != "" && e.Store != store {
		return false
	}
	if e.Asset != "" && e.Asset != asset {
		if ok, err := path.Match(e.Asset, asset); err != nil || !ok {
			return false
		}
	}
	if len(e.Subject) > 0 {
		for _, id := range e.Subject {
			if has != nil && has(id.Kind, id.HMAC) {
				return true
			}
		}
		return false
	}
	return true
}

// ParseRetention reads a retention period: a Go duration ("720h") or a
// number of days, weeks or years ("35d", "6w", "7y").
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty retention")
	}
	unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if u, ok := unit[s[len(s)-1]]; ok {
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("retention %q: want a positive number of days (35d), weeks (6w), years (7y) or a duration (720h)", s)
		}
		return time.Duration(n) * u, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("retention %q: want a positive number of days (35d), weeks (6w), years (7y) or a duration (720h)", s)
	}
	return d, nil
}

// exception returns the register entry (or the backup rule) that keeps an
// asset from being changed.
func (d *deriver) exception(excs []Exception, a *assetView, now time.Time) (Exception, bool) {
	tenant := d.pl.Stores[a.store].TenantName()
	for _, e := range excs {
		if e.Kind != driver.ExceptionRestriction && e.Covers(tenant, a.store, a.name, d.subjectHas, now) {
			// The plan and the receipt name the location it keeps, and
			// the hold by its id.
			e.Store, e.Asset = a.store, a.name
			return e, true
		}
	}
	if d.v.stores[a.store].Attrs[lineage.AttrEnv] == "backup" || d.pl.Stores[a.store].Environment == "backup" {
		e := Exception{ID: "backup-" + a.store, Kind: driver.ExceptionBackup, Request: d.req.ID, Store: a.store, Asset: a.name,
			Reason: "immutable backup: the forget ledger replays this erasure after a restore", CreatedAt: now.UTC()}
		if ret := d.pl.Stores[a.store].Retention; ret != "" {
			if age, err := ParseRetention(ret); err == nil {
				at := now.Add(age).UTC()
				e.ExpiresAt = &at
				e.Reason = fmt.Sprintf("immutable backup: its copies expire by %s (retention %s); the forget ledger replays this erasure after a restore",
					at.Format("2006-01-02"), ret)
			}
		} else {
			e.Reason += "; no retention is configured for this store, so no expiry date is known (set retention: on the store)"
		}
		return e, true
	}
	return Exception{}, false
}

// expiry decides whether asset a may be left to expire: every probed Redis
// key has a TTL, or the stream has a max_age. It returns the exception to
// record, or the reason it may not.
func expiry(a *assetView, req string, now time.Time) (Exception, string) {
	attrs := a.node.Attrs
	exc := Exception{ID: "expire-" + a.store + "-" + a.name, Kind: driver.ExceptionRetention, Request: req,
		Store: a.store, Asset: a.name, CreatedAt: now.UTC()}
	if probed, _ := strconv.Atoi(attrs[attrTTLProbed]); probed > 0 {
		if none, err := strconv.Atoi(attrs[attrTTLNone]); err != nil || none > 0 {
			return Exception{}, fmt.Sprintf("mode expire: %s of %d probed keys never expire", cmp.Or(attrs[attrTTLNone], "an unknown number"), probed)
		}
		maxS, err := strconv.ParseInt(attrs[attrTTLMax], 10, 64)
		if err != nil {
			return Exception{}, "mode expire: the scan recorded no longest TTL"
		}
		at := now.Add(time.Duration(maxS) * time.Second).UTC()
		exc.ExpiresAt = &at
		exc.Reason = fmt.Sprintf("expires by TTL: all %d probed keys have a TTL (median %ss, longest %ds at the scan); keys rewritten since may carry a new TTL",
			probed, attrs[attrTTLMedian], maxS)
		return exc, ""
	}
	if age, err := time.ParseDuration(attrs[attrMaxAge]); err == nil && age > 0 {
		at := now.Add(age).UTC()
		exc.ExpiresAt = &at
		exc.Reason = fmt.Sprintf("expires by retention: stream %s, retention %s, max_age %s", a.name, attrs[attrRetention], age)
		return exc, ""
	}
	return Exception{}, "mode expire: the scan measured no TTL or retention for this location"
}

// subjectHas reports whether the subject's identifiers, given or resolved
// so far, include the one of kind whose HMAC is hmac (a hold on a subject
// names it only by HMAC).
func (d *deriver) subjectHas(kind, hmac string) bool {
	set := d.byKind[kind]
	if set == nil || d.pl.IdentifierHMAC == nil {
		return false
	}
	for _, v := range set.values {
		if d.pl.IdentifierHMAC(kind, v) == hmac {
			return true
		}
	}
	return false
}
