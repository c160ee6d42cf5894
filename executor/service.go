package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/executor/planning"
	"github.com/piimap/piimap/executor/principal"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

// Options configure a Service.
type Options struct {
	// KeyDir is the key directory outside the graph holding the
	// installation key and the signing key (DESIGN §6 "Keys"); every
	// signed audit head is also written there. When nil, a key directory
	// bound to the DocStore (badgerstore.BindKeySource, as the command
	// line does) is used; without either, the keys of InstallationKey and
	// the DocStore, as before key directories (tests, embedding).
	KeyDir evidence.KeyDirSource
	// InstallationKey seals identifiers and keys the HMACs when there is
	// no key directory. When nil, the DocStore's InstallationKey method
	// (lineage/badgerstore) supplies it.
	InstallationKey []byte
	// Handlers override the registry by store kind (tests, embedding).
	Handlers map[string]driver.Opener
	// Concurrency bounds how many stores run at once (default 4).
	Concurrency int
	// IdentityKinds are extra subject key names the config marks as identity
	// fields, accepted by NewRequest beside email, user_id and phone.
	IdentityKinds []string
	// PhoneRegion is the region phone numbers given at intake without a
	// country code are read in; empty: the region the tenant's stores
	// share, else identifier.DefaultRegion.
	PhoneRegion string
}

// Event reports progress of one step to RunOptions.Progress.
type Event struct {
	Store   string `json:"store"`
	Asset   string `json:"asset"`
	Phase   string `json:"phase"` // erased | verified | exported | dry_run | found
	Found   int64  `json:"found"`
	Changed int64  `json:"changed"`
}

// RunOptions tune one Execute.
type RunOptions struct {
	Apply    bool                   // erasure/rectification: write; otherwise a dry run
	OutDir   string                 // access/portability: export package directory
	Modes    map[string]driver.Mode // mode overrides; a change after approval is a plan change
	Progress func(Event)            // called after each step, from the store's goroutine
}

// Service runs data-subject requests against the stores of one
// installation. All state lives in the DocStore, so each step (new, plan,
// approve, run) can be a separate process.
type Service struct {
	g      lineage.Graph
	docs   lineage.DocStore
	stores map[string]scanner.StoreConfig
	opt    Options

	// The evidence, set up once by init from the installation key.
	initMu   sync.Mutex
	keys     *evidence.Keys
	auditLog *evidence.AuditLog
	ledger   *evidence.Ledger
	receipts *evidence.Receipts

	progMu sync.Mutex // guards a run's progress shared by its stores' goroutines

	views planning.ViewCache // graph views of the latest run, by tenant

	// Governance (authz.go): who acts, and the request policy.
	princOnce sync.Once
	princ     *principal.Store
	policy    Policy
}

// New returns a Service over the graph, the DocStore and the configured stores.
func New(g lineage.Graph, docs lineage.DocStore, stores []scanner.StoreConfig, opt Options) *Service {
	s := &Service{g: g, docs: docs, stores: map[string]scanner.StoreConfig{}, opt: opt}
	for _, sc := range stores {
		s.stores[sc.Name] = sc
	}
	if s.opt.Concurrency <= 0 {
		s.opt.Concurrency = 4
	}
	return s
}

func (s *Service) init(ctx context.Context) error {
	s.initMu.Lock()
	defer s.initMu.Unlock()
	if s.keys != nil {
		return nil
	}
	k, err := s.loadKeys(ctx)
	if err != nil {
		return err
	}
	s.keys = k
	s.auditLog = evidence.NewAuditLog(s.docs, k)
	s.ledger = evidence.NewLedger(s.docs, k)
	s.receipts = evidence.NewReceipts(s.docs, k, s.auditLog)
	return nil
}

// loadKeys finds the keys: the key directory (Options.KeyDir, or the one
// bound to the DocStore), else the installation key and the signing key
// kept in the DocStore.
func (s *Service) loadKeys(ctx context.Context) (*evidence.Keys, error) {
	src := s.opt.KeyDir
	if src == nil {
		if x, ok := s.docs.(interface{ ExternalKeys() any }); ok {
			src, _ = x.ExternalKeys().(evidence.KeyDirSource)
		}
	}
	if src != nil {
		kd, err := src.KeyDir(ctx)
		if err != nil {
			return nil, err
		}
		if err := evidence.CheckNoLegacyKeys(ctx, s.docs, kd.Path()); err != nil {
			return nil, err
		}
		return kd.Keys()
	}
	ikey := s.opt.InstallationKey
	if ikey == nil {
		ik, ok := s.docs.(evidence.InstallationKeyer)
		if !ok {
			return nil, fmt.Errorf("executor: no installation key: set Options.KeyDir or Options.InstallationKey: %w", piimap.ErrConfig)
		}
		var err error
		if ikey, err = ik.InstallationKey(ctx); err != nil {
			return nil, fmt.Errorf("executor: installation key: %w", err)
		}
	}
	return evidence.NewKeys(ctx, ikey, s.docs)
}

func (s *Service) knownKind(kind string) bool {
	switch kind {
	case piimap.KeyEmail, piimap.KeyUserID, piimap.KeyPhone:
		return true
	}
	if slices.Contains(s.opt.IdentityKinds, kind) {
		return true
	}
	for _, sc := range s.stores {
		if _, ok := sc.Identity[kind]; ok {
			return true
		}
	}
	return false
}

func newID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "dsar-" + now.Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
}
