package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/piimap/piimap"
)

// progress is the persisted per-step state of an applied run.
type progress struct {
	Request   string                   `json:"request"`
	Digest    string                   `json:"plan_digest"`
	StartedAt time.Time                `json:"started_at"`
	Runs      int                      `json:"runs"`
	Steps     map[string]*stepProgress `json:"steps"` // store/asset →
}

// Step progress states.
const (
	stepPending = "pending"
	stepRunning = "running"
	stepDone    = "done"
	stepFailed  = "failed"
)

type stepProgress struct {
	Status   string `json:"status"`
	Expected int64  `json:"expected"`
	Found    int64  `json:"found"`
	Changed  int64  `json:"changed"`
	Residual int64  `json:"residual"`
	Attempts int    `json:"attempts"`
	Note     string `json:"note,omitempty"`
	Error    string `json:"error,omitempty"`
	// Physical purge (purge.go), after the writes are verified.
	Purge       string     `json:"purge,omitempty"`
	PurgeDetail string     `json:"purge_detail,omitempty"`
	PurgeAt     *time.Time `json:"purge_at,omitempty"`
}

// locKey names one step's location in a run's progress: "store/asset".
func locKey(store, asset string) string { return store + "/" + asset }

func (s *Service) loadProgress(ctx context.Context, id string) (*progress, error) {
	b, err := s.docs.GetDoc(ctx, docProgress, id)
	if errors.Is(err, piimap.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("executor: progress %s: %w", id, err)
	}
	var p progress
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("executor: progress %s: %w", id, piimap.ErrCorrupt)
	}
	return &p, nil
}

// saveProgress persists p; callers hold s.progMu when goroutines share p.
func (s *Service) saveProgress(ctx context.Context, p *progress) error {
	b, _ := json.Marshal(p)
	// Persist even when ctx is cancelled: the state of a step that finished
	// must survive the interruption that stops the run.
	if err := s.docs.PutDoc(context.WithoutCancel(ctx), docProgress, p.Request, b); err != nil {
		return fmt.Errorf("executor: save progress %s: %w", p.Request, err)
	}
	return nil
}
