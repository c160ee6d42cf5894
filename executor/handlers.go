package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// ErrOtherTenant is returned when a request would touch a store of another
// tenant. Planning never lists such a store; this is the last guard.
var ErrOtherTenant = errors.New("store belongs to another tenant")

// openHandler opens the handler of a configured store of tenant; a store of
// any other tenant is refused whatever the plan says. Every store is
// reached through here: planning (read-only), runs and exports.
func (s *Service) openHandler(ctx context.Context, tenant, store, kind string, readOnly bool) (driver.Handler, error) {
	sc, ok := s.stores[store]
	if !ok {
		return nil, fmt.Errorf("executor: store %s is not configured: %w", store, piimap.ErrConfig)
	}
	if sc.TenantName() != tenant {
		return nil, fmt.Errorf("executor: store %s is not tenant %s's: %w", store, tenant, ErrOtherTenant)
	}
	open, err := s.opener(kind)
	if err != nil {
		return nil, err
	}
	h, err := open(ctx, sc, driver.HandlerOptions{ReadOnly: readOnly, MaskKey: s.keys.MaskKey()})
	if err != nil {
		return nil, fmt.Errorf("executor: open store %s: %w", store, err)
	}
	return h, nil
}

// opener is the Opener of a store kind: Options.Handlers, else the one the
// kind registered (driver.Register).
func (s *Service) opener(kind string) (driver.Opener, error) {
	if o, ok := s.opt.Handlers[kind]; ok {
		return o, nil
	}
	if o, ok := driver.Lookup(kind); ok {
		return o, nil
	}
	return nil, fmt.Errorf("executor: no handler for store kind %q: %w", kind, piimap.ErrUnsupported)
}
