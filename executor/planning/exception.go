package planning

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/lineage"
)

// Exception is one entry of the exceptions register: a location deliberately
// not (or not yet) changed, and why. Request empty means it applies to every
// request (a standing legal hold); Asset empty covers the whole store.
// Kind is one of driver's Exception kinds (driver.ExceptionLegalHold, ...).
type Exception struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Request   string     `json:"request,omitempty"`
	Store     string     `json:"store"`
	Asset     string     `json:"asset,omitempty"`
	Reason    string     `json:"reason"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func (e Exception) covers(store, asset string, now time.Time) bool {
	if e.Store != store || (e.Asset != "" && e.Asset != asset) {
		return false
	}
	return e.ExpiresAt == nil || now.Before(*e.ExpiresAt)
}

// exception returns the register entry (or the backup rule) that keeps an
// asset from being changed.
func (d *deriver) exception(excs []Exception, a *assetView, now time.Time) (Exception, bool) {
	for _, e := range excs {
		if e.Kind != driver.ExceptionRestriction && e.covers(a.store, a.name, now) {
			return e, true
		}
	}
	if d.v.stores[a.store].Attrs[lineage.AttrEnv] == "backup" || d.pl.Stores[a.store].Environment == "backup" {
		return Exception{ID: "backup-" + a.store, Kind: driver.ExceptionBackup, Request: d.req.ID, Store: a.store, Asset: a.name,
			Reason: "immutable backup: the forget ledger replays this erasure after a restore"}, true
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
