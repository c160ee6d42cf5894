package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/piimap/piimap/executor"
	"github.com/piimap/piimap/executor/dsar"
	"github.com/piimap/piimap/rules"
	"github.com/piimap/piimap/scanner"
)

// RequestsConfig is the `requests:` section of piimap.yaml:
//
//	requests:
//	  due_days: {erasure: 30, access: 30}   # per type; default 30
//	  export_four_eyes_records: 1000        # access/portability plans above this need two approvers; -1: never
type RequestsConfig struct {
	DueDays               map[string]int `yaml:"due_days,omitempty"`
	ExportFourEyesRecords int64          `yaml:"export_four_eyes_records,omitempty"`
}

func (r RequestsConfig) validate() []error {
	var errs []error
	for t, d := range r.DueDays {
		if !dsar.Type(t).Valid() {
			errs = append(errs, fmt.Errorf("requests.due_days: %q is not a request type (access, erasure, rectification, portability, restriction)", t))
		}
		if d < 1 {
			errs = append(errs, fmt.Errorf("requests.due_days.%s: %d: want a number of days of at least 1", t, d))
		}
	}
	if r.ExportFourEyesRecords < -1 {
		errs = append(errs, fmt.Errorf("requests.export_four_eyes_records: %d: want a record count, or -1 for never", r.ExportFourEyesRecords))
	}
	return errs
}

// policy is the executor's request policy from the config: due days, the
// four-eyes export size, and the policy hash every plan digest covers.
func (a *app) policy() (executor.Policy, error) {
	cfg, err := a.config()
	if err != nil {
		return executor.Policy{}, err
	}
	p := executor.Policy{DueDays: map[dsar.Type]int{}, ExportFourEyesRecords: cfg.Requests.ExportFourEyesRecords}
	for t, d := range cfg.Requests.DueDays {
		p.DueDays[dsar.Type(t)] = d
	}
	if p.Hash, err = policyHash(cfg); err != nil {
		return executor.Policy{}, err
	}
	return p, nil
}

// policyView is what the policy hash covers: the rules in force (built in
// and extra), every store's tenant, environment, purge mode, scope,
// identity hints and phone regions (URLs without credentials; sampling
// left out), the processing-instructions register, and the request policy.
type policyView struct {
	Rules        []rules.Rule          `json:"rules"`
	Stores       []scanner.StoreConfig `json:"stores"`
	Instructions string                `json:"instructions_sha256,omitempty"`
	Requests     RequestsConfig        `json:"requests"`
}

// policyHash is the SHA-256 of the policy's canonical JSON.
func policyHash(cfg *Config) (string, error) {
	rs, err := rules.Default()
	if err != nil {
		return "", fmt.Errorf("policy: rules: %w", err)
	}
	for _, dir := range cfg.Rules {
		extra, err := rules.LoadDir(dir)
		if err != nil {
			return "", fmt.Errorf("policy: rules %s: %w", dir, err)
		}
		rs = rules.Combine(rs, extra)
	}
	v := policyView{Rules: rs, Requests: cfg.Requests}
	for _, sc := range cfg.Stores {
		sc.URL = scanner.RedactURL(sc.URL)
		sc.Sample = scanner.SampleConfig{} // how a scan samples is not what a plan does
		v.Stores = append(v.Stores, sc)
	}
	slices.SortFunc(v.Stores, func(x, y scanner.StoreConfig) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	if cfg.Instructions != "" {
		b, err := os.ReadFile(cfg.Instructions)
		if errors.Is(err, os.ErrNotExist) {
			b, err = []byte("absent"), nil
		}
		if err != nil {
			return "", fmt.Errorf("policy: instructions %s: %w", cfg.Instructions, err)
		}
		sum := sha256.Sum256(b)
		v.Instructions = hex.EncodeToString(sum[:])
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("policy: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
