package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/planning"
)

// The exceptions register: locations deliberately not (or not yet)
// changed, and why. Planning reads it (planning.Planner.Exceptions); a
// restriction writes it (readonly.go); cmd adds legal holds.

// AddException records an exception (e.g. a legal hold on a store).
func (s *Service) AddException(ctx context.Context, e planning.Exception) (planning.Exception, error) {
	if err := s.init(ctx); err != nil {
		return e, err
	}
	if e.Kind == "" || e.Store == "" || e.Reason == "" {
		return e, fmt.Errorf("executor: exception needs kind, store and reason: %w", piimap.ErrConfig)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now().UTC()
	}
	if e.ID == "" {
		e.ID = fmt.Sprintf("%s-%s-%d", e.Kind, e.Store, e.CreatedAt.UnixNano())
	}
	b, _ := json.Marshal(e)
	if err := s.docs.PutDoc(ctx, docException, e.ID, b); err != nil {
		return e, fmt.Errorf("executor: exception %s: %w", e.ID, err)
	}
	return e, s.auditLog.Append(ctx, e.Request, "exception."+e.Kind, actorName(ctx), e.Store+"/"+e.Asset+": "+e.Reason)
}

// Exceptions lists the register; with request set, the standing exceptions
// plus that request's own.
func (s *Service) Exceptions(ctx context.Context, request string) ([]planning.Exception, error) {
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	var out []planning.Exception
	err := s.docs.ListDocs(ctx, docException, func(id string, data []byte) error {
		var e planning.Exception
		if err := json.Unmarshal(data, &e); err != nil {
			return fmt.Errorf("executor: exception %s: %w", id, piimap.ErrCorrupt)
		}
		if request == "" || e.Request == "" || e.Request == request {
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
