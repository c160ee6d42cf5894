package main

import (
	"sync"

	"github.com/schollz/progressbar/v3"

	"github.com/piimap/piimap/lineage"
)

// progress draws a bar on stderr when stderr is a terminal and --quiet and
// --json are off; otherwise every method is a no-op. The bar writes its
// own control sequences to the terminal itself (not through termWriter);
// its description, which names stores and assets, goes through
// lineage.TermSafe.
type progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func (a *app) newProgress(desc string, max int64) *progress {
	f := a.ttyErr
	if f == nil || a.quiet || a.jsonOut {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(lineage.TermSafe(desc)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

// set moves the bar to done of max.
func (p *progress) set(done, max int64) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if max > 0 && max != p.bar.GetMax64() {
		p.bar.ChangeMax64(max)
	}
	_ = p.bar.Set64(done)
}

// describe sets the bar's description; desc is escaped here, so callers
// may put store and asset names in it as they are.
func (p *progress) describe(desc string) {
	if p.bar != nil {
		p.mu.Lock()
		p.bar.Describe(lineage.TermSafe(desc))
		p.mu.Unlock()
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.mu.Lock()
		_ = p.bar.Finish()
		p.mu.Unlock()
	}
}
