package main

import (
	"context"
	"fmt"
	"os"

	"golang.org/x/term"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/badgerstore"
	"github.com/piimap/piimap/scanner"
)

// termWidth is the terminal's width in cells when stdout is a terminal,
// else 0 (piped output is never cut).
func (a *app) termWidth() int {
	if a.ttyOut == nil {
		return 0
	}
	w, _, err := term.GetSize(int(a.ttyOut.Fd()))
	if err != nil || w <= 0 {
		return 0
	}
	return w
}

// readBaselineFile reads a baseline written by `piimap baseline write`.
func readBaselineFile(path string) (*lineage.Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("--baseline %s: %v (write one with `piimap baseline write FILE`)", path, err)
	}
	defer f.Close()
	b, err := lineage.ReadBaseline(f)
	if err != nil {
		return nil, fmt.Errorf("--baseline %s: %w", path, err)
	}
	return b, nil
}

// scanMap builds the map of the run a scan just wrote, with the config's
// allow rules marked.
func (a *app) scanMap(ctx context.Context, g *badgerstore.Store, run string) (*lineage.Map, map[string]lineage.StoreInfo, error) {
	m, err := lineage.BuildMap(ctx, g, run, lineage.MapFilter{})
	if err != nil {
		return nil, nil, err
	}
	if a.cfg != nil {
		lineage.MarkAllowed(m, a.cfg.Allow)
	}
	stores, err := lineage.MapStores(ctx, g, run)
	if err != nil {
		return nil, nil, err
	}
	return m, stores, nil
}

// printAdhocResult prints an ad-hoc scan's map (JSON with --json, else a
// table fitted to the terminal, after the scan summary) and where its
// graph and config are.
func (a *app) printAdhocResult(ctx context.Context, g *badgerstore.Store, res *scanner.Result, base *lineage.Baseline) error {
	m, stores, err := a.scanMap(ctx, g, res.Run.ID)
	if err != nil {
		return err
	}
	if base != nil {
		var known int
		m, known = base.NewOnly(m)
		a.note("%d findings already in the baseline are left out", known)
	}
	format := a.defaultMapFormat()
	if format == lineage.FormatTable {
		a.printScanSummary(res)
		fmt.Fprintln(a.stdout)
	}
	if err := lineage.WriteMapWith(a.stdout, m, format, lineage.WriteOptions{Stores: stores, Width: a.termWidth(), ToolVersion: version()}); err != nil {
		return err
	}
	a.note("graph: %s (config %s); see this map again with: piimap --config %s map", a.cfg.Graph, a.cfg.Path, a.cfg.Path)
	return nil
}

// printNewFindings prints what a scan found that the baseline does not
// hold: the new findings' map (JSON with --json, else a table) and how
// many were left out as known.
func (a *app) printNewFindings(ctx context.Context, g *badgerstore.Store, res *scanner.Result, base *lineage.Baseline, path string) error {
	m, stores, err := a.scanMap(ctx, g, res.Run.ID)
	if err != nil {
		return err
	}
	fresh, known := base.NewOnly(m)
	if a.jsonOut {
		return a.printJSON(fresh)
	}
	a.printScanSummary(res)
	n := 0
	for _, l := range fresh.Locations {
		n += len(l.PII)
	}
	safef(a.stdout, "\n%d new findings (%d in baseline %s)\n", n, known, path)
	if n == 0 {
		return nil
	}
	return lineage.WriteMapWith(a.stdout, fresh, lineage.FormatTable, lineage.WriteOptions{Stores: stores, Width: a.termWidth()})
}
