package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/scanner"
)

// Forget-ledger replay of one store (`piimap ledger replay --store S`):
// after a backup restore brings back data that erasures had removed, the
// erasures recorded in the forget ledger are applied again to that store.
//
// The ledger holds only HMACs of identifiers. The values to match come
// from each recorded request's frozen plan, sealed at rest: a value of an
// identity kind is used only when its HMAC is in the ledger (within
// --since), so a replay can never erase more than the ledger says was
// forgotten; key and reference matches (a child table's foreign key to the
// subject's row) are taken from the same plans, which were approved. Each
// request's steps for the store run with their approved modes, children
// first; then every Find runs again for the residual. Without Apply it only
// counts. Either way it leaves a signed receipt and audit entries.

// ReplayOptions tune a ledger replay.
type ReplayOptions struct {
	Store    string
	Since    *time.Time // only ledger entries recorded at or after Since
	Apply    bool       // write; otherwise count what would change
	Progress func(Event)
}

// ReplayStore replays the forget ledger into one store
// (principal.ReplayLedger on the store's tenant) and returns the signed
// receipt, which is also stored under its own id (replay-…).
func (s *Service) ReplayStore(ctx context.Context, o ReplayOptions) (*evidence.Receipt, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	sc, ok := s.stores[o.Store]
	if !ok {
		return nil, fmt.Errorf("executor: ledger replay: store %s is not configured: %w", termKey(o.Store), piimap.ErrConfig)
	}
	tenant := sc.TenantName()
	ctx, actor, err := s.authorize(ctx, principal.ReplayLedger, "", tenant)
	if err != nil {
		return nil, err
	}
	entries, err := s.ledger.Entries(ctx)
	if err != nil {
		return nil, err
	}
	forgotten := map[string]bool{} // kind|hmac
	var reqIDs []string
	for _, e := range entries {
		if o.Since != nil && e.At.Before(*o.Since) {
			continue
		}
		forgotten[e.Kind+"|"+e.HMAC] = true
		if !slices.Contains(reqIDs, e.Request) {
			reqIDs = append(reqIDs, e.Request)
		}
	}
	slices.Sort(reqIDs)
	var b [4]byte
	_, _ = rand.Read(b[:])
	started := now()
	r := &evidence.Receipt{Request: "replay-" + started.Format("20060102-150405") + "-" + hex.EncodeToString(b[:]), Type: dsar.Erasure,
		DryRun: !o.Apply, StartedAt: started, Locations: []evidence.ReceiptLocation{}, Exceptions: []planning.Exception{}, Gaps: []planning.Gap{},
		Replay: &evidence.ReplayInfo{Store: o.Store, Since: o.Since, Requests: []string{}}}
	excs, err := s.Exceptions(ctx, "")
	if err != nil {
		return nil, err
	}
	matched := map[string]bool{}
	var targets []driver.Target
	var views []driver.Target
	var origin []string // per target: the request it replays
	for _, id := range reqIDs {
		req, err := s.loadRequest(ctx, id)
		if err != nil {
			r.Gaps = append(r.Gaps, planning.Gap{Kind: planning.GapFindFailed, Store: o.Store, Reason: fmt.Sprintf("ledger request %s: %v", id, err)})
			continue
		}
		if req.tenant() != tenant || req.Type != dsar.Erasure {
			continue
		}
		p, err := s.loadPlan(ctx, id)
		if err == nil && p.Digest != req.PlanDigest {
			err = fmt.Errorf("stored plan does not match the approved digest: %w", piimap.ErrPlanChanged)
		}
		if err != nil {
			r.Gaps = append(r.Gaps, planning.Gap{Kind: planning.GapFindFailed, Store: o.Store, Reason: fmt.Sprintf("ledger request %s: %v", id, err)})
			continue
		}
		used := false
		for _, sp := range p.Stores {
			if sp.Store != o.Store {
				continue
			}
			for _, st := range sp.Steps {
				t, n := ledgerTarget(st.Target, forgotten, s.keys.IdentifierHMAC, matched)
				if len(t.Match) == 0 || n == 0 && !anyKeyMatch(t) {
					continue
				}
				if h, ok := s.holdOn(excs, tenant, o.Store, t.Asset, p.Resolved); ok {
					// A hold placed since the erasure keeps the restored
					// data too: named, not erased.
					h.Store, h.Asset = o.Store, t.Asset
					r.Exceptions = append(r.Exceptions, h)
					continue
				}
				used = true
				if st.Action == planning.ActionRecompute {
					views = append(views, t)
					continue
				}
				targets = append(targets, t)
				origin = append(origin, id)
			}
		}
		for _, e := range p.Exceptions {
			if e.Store == o.Store {
				r.Exceptions = append(r.Exceptions, e)
			}
		}
		if used {
			r.Replay.Requests = append(r.Replay.Requests, id)
		}
	}
	r.Replay.Identifiers = len(matched)
	detail := fmt.Sprintf("store=%s apply=%t requests=%d identifiers=%d", o.Store, o.Apply, len(r.Replay.Requests), len(matched))
	if err := s.auditLog.Append(ctx, "", "ledger.replay", actor.Name, detail); err != nil {
		return nil, err
	}
	if len(targets)+len(views) > 0 {
		if err := s.replayTargets(ctx, r, tenant, sc.Name, targets, views, origin, o); err != nil {
			return nil, err
		}
	}
	r.CompletedAt = now()
	if o.Apply {
		r.Status = settled(r)
	} else {
		r.Status = dsar.StatusApproved // a dry run: nothing written
	}
	if err := s.receipts.Save(ctx, r, actor.Name); err != nil {
		return nil, err
	}
	return r, nil
}

// ledgerTarget is t with every identity match narrowed to the values whose
// HMAC the ledger (within the window) holds; key and reference matches are
// kept. n counts the identity values kept; matched collects them.
func ledgerTarget(t driver.Target, forgotten map[string]bool, hmac func(kind, value string) string, matched map[string]bool) (driver.Target, int) {
	out := t
	out.Match = nil
	n := 0
	for _, m := range t.Match {
		if m.Kind == driver.KindKey || m.Kind == driver.KindRef {
			if len(m.Values) > 0 {
				out.Match = append(out.Match, m)
			}
			continue
		}
		var keep, masked []string
		for _, v := range m.Values {
			h := hmac(m.Kind, v)
			if forgotten[m.Kind+"|"+h] {
				keep = append(keep, v)
				masked = append(masked, dsar.MaskDisplay(v))
				matched[m.Kind+"|"+h] = true
			}
		}
		if len(keep) == 0 {
			continue
		}
		m.Values, m.Masked = keep, masked
		out.Match = append(out.Match, m)
		n += len(keep)
	}
	return out, n
}

func anyKeyMatch(t driver.Target) bool {
	for _, m := range t.Match {
		if m.Kind == driver.KindKey || m.Kind == driver.KindRef {
			return true
		}
	}
	return false
}

// replayTargets counts (dry run) or erases the targets in one store, then
// re-runs every Find for the residual, filling r's locations.
func (s *Service) replayTargets(ctx context.Context, r *evidence.Receipt, tenant, store string, targets, views []driver.Target, origin []string, o ReplayOptions) error {
	h, err := s.openHandler(ctx, tenant, store, s.kindOf(store), !o.Apply)
	if err != nil {
		r.Gaps = append(r.Gaps, planning.Gap{Kind: planning.GapUnsupported, Store: store, Reason: err.Error()})
		return nil
	}
	defer h.Close()
	byAsset := map[string]driver.Result{}
	if o.Apply {
		res, err := h.Erase(ctx, targets, driver.EraseOptions{})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			for i, t := range targets {
				r.Locations = append(r.Locations, evidence.ReceiptLocation{Store: store, Asset: t.Asset, Mode: t.Mode, Status: evidence.LocFailed,
					Error: err.Error(), Note: "replays " + origin[i]})
			}
			return nil
		}
		for _, x := range res {
			y := byAsset[x.Asset]
			y.Asset, y.Found, y.Changed = x.Asset, y.Found+x.Found, y.Changed+x.Changed
			byAsset[x.Asset] = y
		}
		if err := recompute(ctx, h, views); err != nil {
			r.Gaps = append(r.Gaps, planning.Gap{Kind: planning.GapFindFailed, Store: store, Reason: err.Error()})
		}
	}
	seen := map[string]bool{}
	for i, t := range targets {
		loc := evidence.ReceiptLocation{Store: store, Asset: t.Asset, Mode: t.Mode, Note: "replays " + origin[i]}
		n, err := driver.CountRows(ctx, h, t)
		if err != nil {
			loc.Status, loc.Error = evidence.LocFailed, err.Error()
			r.Locations = append(r.Locations, loc)
			continue
		}
		switch {
		case !o.Apply:
			loc.Found, loc.WouldChange, loc.Status = n, n, evidence.LocWouldChange
		default:
			if !seen[t.Asset] { // one Erase call per store: its result counts once per asset
				loc.Found, loc.Changed = byAsset[t.Asset].Found, byAsset[t.Asset].Changed
				seen[t.Asset] = true
			}
			loc.Residual, loc.Status = n, evidence.LocDone
			if n > 0 {
				loc.Status = evidence.LocResidual
			}
		}
		r.Locations = append(r.Locations, loc)
		if o.Progress != nil {
			phase := "dry_run"
			if o.Apply {
				phase = "erased"
			}
			o.Progress(Event{Store: store, Asset: t.Asset, Phase: phase, Found: loc.Found, Changed: loc.Changed})
		}
	}
	return nil
}

// kindOf is a configured store's kind (scanner.KindOf its URL).
func (s *Service) kindOf(store string) string {
	k, _ := scanner.KindOf(s.stores[store].URL)
	return k
}

// holdOn returns the legal hold in force that covers asset of store (by
// tenant, store, asset glob, and, for a hold on a subject, the HMACs of
// the request's identifiers), if any.
func (s *Service) holdOn(excs []planning.Exception, tenant, store, asset string, ids []planning.ResolvedSet) (planning.Exception, bool) {
	has := func(kind, h string) bool {
		for _, set := range ids {
			if set.Kind != kind {
				continue
			}
			for _, v := range set.Values {
				if s.keys.IdentifierHMAC(kind, v) == h {
					return true
				}
			}
		}
		return false
	}
	n := time.Now()
	for _, e := range excs {
		if e.Kind == driver.ExceptionLegalHold && e.Covers(tenant, store, asset, has, n) {
			return e, true
		}
	}
	return planning.Exception{}, false
}
