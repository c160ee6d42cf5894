package redis

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

var _ driver.Purger = (*Handler)(nil)

// aofWait bounds the wait for a BGREWRITEAOF Purge started.
const aofWait = 60 * time.Second

// Purge says where the erased values still are. DEL, HDEL, LREM and the
// rewrites remove them from memory at once; on disk:
//
//   - no RDB save points and no AOF: nothing on disk: gone;
//   - AOF on: Purge starts BGREWRITEAOF (it changes no configuration) and
//     waits for it; the rewritten AOF no longer holds them;
//   - RDB save points: the last dump.rdb may hold them until the next
//     snapshot, which the save points date (last save + the shortest
//     interval whose change count is met): pending with that date.
//
// A server that refuses CONFIG GET or INFO gets an exception: piimap cannot
// tell. Replicas and copies of dump files are not covered.
func (h *Handler) Purge(ctx context.Context, ts []driver.Target) ([]driver.PurgeReport, error) {
	if h.readOnly {
		return nil, fmt.Errorf("redis: %s: purge: handler opened read-only: %w", h.store, piimap.ErrInvalidState)
	}
	r := h.persistence(ctx)
	var out []driver.PurgeReport
	seen := map[string]bool{}
	for _, t := range ts {
		if !seen[t.Asset] {
			seen[t.Asset] = true
			r.Asset = t.Asset
			out = append(out, r)
		}
	}
	return out, nil
}

func (h *Handler) persistence(ctx context.Context) driver.PurgeReport {
	conf, err := h.c.ConfigGet(ctx, "save").Result()
	if err != nil {
		return driver.PurgeReport{State: driver.PurgeException, Detail: "removed from memory; the server refused CONFIG GET, so piimap cannot tell whether an RDB or AOF on disk holds the values"}
	}
	aofConf, err := h.c.ConfigGet(ctx, "appendonly").Result()
	if err != nil {
		return driver.PurgeReport{State: driver.PurgeException, Detail: "removed from memory; the server refused CONFIG GET, so piimap cannot tell whether an AOF on disk holds the values"}
	}
	info, err := h.c.Info(ctx, "persistence").Result()
	if err != nil {
		return driver.PurgeReport{State: driver.PurgeException, Detail: "removed from memory; the server refused INFO persistence, so piimap cannot tell whether an RDB or AOF on disk holds the values"}
	}
	p := persistState{save: conf["save"], aof: strings.EqualFold(aofConf["appendonly"], "yes"), info: parseInfo(info)}
	if p.aof {
		p.aofDone, p.aofWhy = h.rewriteAOF(ctx)
	}
	return p.report()
}

// rewriteAOF starts BGREWRITEAOF (or joins one in progress) and waits for
// it to finish.
func (h *Handler) rewriteAOF(ctx context.Context) (bool, string) {
	info := func() map[string]string {
		s, err := h.c.Info(ctx, "persistence").Result()
		if err != nil {
			return nil
		}
		return parseInfo(s)
	}
	before := info()
	if before == nil {
		return false, "INFO persistence refused"
	}
	if err := h.c.BgRewriteAOF(ctx).Err(); err != nil && !strings.Contains(strings.ToLower(err.Error()), "already in progress") &&
		!strings.Contains(strings.ToLower(err.Error()), "scheduled") {
		return false, "BGREWRITEAOF refused: " + err.Error()
	}
	deadline := time.Now().Add(aofWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return false, ctx.Err().Error()
		case <-time.After(200 * time.Millisecond):
		}
		in := info()
		if in == nil {
			return false, "INFO persistence refused"
		}
		if in["aof_rewrite_in_progress"] == "0" && in["aof_rewrite_scheduled"] != "1" {
			if in["aof_last_bgrewrite_status"] != "ok" {
				return false, "BGREWRITEAOF failed (aof_last_bgrewrite_status " + in["aof_last_bgrewrite_status"] + ")"
			}
			return true, ""
		}
	}
	return false, "BGREWRITEAOF did not finish within " + aofWait.String()
}

// persistState is what the server says of its persistence.
type persistState struct {
	save    string            // CONFIG GET save: "3600 1 300 100" or ""
	aof     bool              // appendonly yes
	aofDone bool              // the AOF was rewritten after the erasure
	aofWhy  string            // why not
	info    map[string]string // INFO persistence
}

func (p persistState) report() driver.PurgeReport {
	save := strings.TrimSpace(p.save)
	if p.aof && !p.aofDone {
		return driver.PurgeReport{State: driver.PurgeException,
			Detail: "removed from memory; the AOF on disk holds them until it is rewritten, and the rewrite did not complete: " + p.aofWhy}
	}
	aofNote := ""
	if p.aof {
		aofNote = "; BGREWRITEAOF rewrote the AOF without them"
	}
	if save == "" {
		return driver.PurgeReport{State: driver.PurgeGone,
			Detail: "removed from memory (DEL/HDEL/rewrite); no RDB save points" + aofNote + map[bool]string{true: "", false: " and no AOF"}[p.aof]}
	}
	at, ok := nextSave(save, p.info)
	detail := "removed from memory; RDB on disk until the next rewrite: the last snapshot may hold them until the next save"
	if p.aof {
		detail = "removed from memory" + aofNote + "; the last RDB snapshot may hold them until the next save"
	}
	if !ok {
		return driver.PurgeReport{State: driver.PurgePending, Detail: detail + " (its time cannot be derived from the save points)"}
	}
	return driver.PurgeReport{State: driver.PurgePending, Detail: detail, At: &at}
}

// nextSave is when the save points trigger the next snapshot: the last
// save plus the shortest interval whose change count the changes since
// then meet (the erasure itself is at least one change).
func nextSave(save string, info map[string]string) (time.Time, bool) {
	last, err := strconv.ParseInt(info["rdb_last_save_time"], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	changes, err := strconv.ParseInt(info["rdb_changes_since_last_save"], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	changes = max(changes, 1)
	f := strings.Fields(save)
	best := int64(-1)
	for i := 0; i+1 < len(f); i += 2 {
		secs, err1 := strconv.ParseInt(f[i], 10, 64)
		n, err2 := strconv.ParseInt(f[i+1], 10, 64)
		if err1 != nil || err2 != nil {
			return time.Time{}, false
		}
		if changes >= n && (best < 0 || secs < best) {
			best = secs
		}
	}
	if best < 0 {
		return time.Time{}, false
	}
	// Once due, the server saves on its next cron tick.
	at, now := time.Unix(last+best, 0).UTC(), time.Now().UTC().Truncate(time.Second)
	if at.Before(now) {
		at = now
	}
	return at, true
}

// parseInfo reads an INFO section's key:value lines.
func parseInfo(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			m[k] = v
		}
	}
	return m
}
