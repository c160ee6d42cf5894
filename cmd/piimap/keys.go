package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/piimap/piimap/executor/evidence"
	"github.com/piimap/piimap/lineage/badgerstore"
)

// The key directory (DESIGN §6 "Keys", docs/TRUST_MODEL.md): where the
// config's keys come from, and how every command finds them.

// defaultKeysDir is the key directory beside the config when neither
// keys: nor $PIIMAP_KEYS names one.
const defaultKeysDir = "piimap-keys"

// autoCreateKeys, set only by this package's tests (TestMain), lets a
// command create a missing key directory as `piimap init` would, so that
// tests writing a config by hand need no init step. It is never set in
// the binary: there a missing key directory is an error naming `piimap init`.
var autoCreateKeys func(path string) bool

// resolveKeys is the key directory of a config read from base: keys: as
// written (relative to the config), else $PIIMAP_KEYS (relative to the
// working directory), else piimap-keys beside the config.
func resolveKeys(keys, base string) string {
	if keys == "" {
		if env := os.Getenv("PIIMAP_KEYS"); env != "" {
			if abs, err := filepath.Abs(env); err == nil {
				return abs
			}
			return env
		}
		keys = defaultKeysDir
	}
	if filepath.IsAbs(keys) {
		return keys
	}
	return filepath.Join(base, keys)
}

// auditSinks are the append-only files every signed audit head is also
// written to: the config's audit_sink and $PIIMAP_AUDIT_SINK, when set.
func auditSinks(cfg *Config) []evidence.HeadSink {
	var out []evidence.HeadSink
	if cfg != nil && cfg.AuditSink != "" {
		out = append(out, evidence.AppendFileSink{Path: cfg.AuditSink})
	}
	if p := os.Getenv("PIIMAP_AUDIT_SINK"); p != "" && (cfg == nil || p != cfg.AuditSink) {
		out = append(out, evidence.AppendFileSink{Path: p})
	}
	return out
}

// bindKeyDir binds the config's key directory to its graph, so that every
// command opening the graph (scan, dsar, the executor over it) takes the
// installation and signing keys from the key directory. The directory is
// opened on first use: commands that need no key work before it exists.
func bindKeyDir(cfg *Config) {
	create := autoCreateKeys != nil && autoCreateKeys(cfg.Keys)
	badgerstore.BindKeySource(cfg.Graph, evidence.NewKeyDirRef(cfg.Keys, create, auditSinks(cfg)...))
}

// keyDir opens the config's key directory.
func (a *app) keyDir() (*evidence.KeyDir, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	kd, err := evidence.NewKeyDirRef(cfg.Keys, autoCreateKeys != nil && autoCreateKeys(cfg.Keys)).KeyDir(context.Background())
	if err != nil {
		return nil, err
	}
	for _, s := range auditSinks(cfg) {
		kd.AddHeadSink(s)
	}
	return kd, nil
}

// setupKeys makes sure the config's key directory exists, as `piimap init`
// does: created for a new installation, or filled with the keys an older
// graph still holds (moved out of the graph, and the move audited).
func (a *app) setupKeys(ctx context.Context, cfg *Config, actor string) (*evidence.KeyDir, evidence.Setup, error) {
	var g *badgerstore.Store
	if _, err := os.Stat(cfg.Graph); err == nil {
		var oerr error
		if g, oerr = a.openGraph(); oerr != nil {
			return nil, "", oerr
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("graph %s: %w", cfg.Graph, err)
	}
	if g == nil {
		return evidence.SetupKeyDir(ctx, cfg.Keys, nil, actor, auditSinks(cfg)...)
	}
	return evidence.SetupKeyDir(ctx, cfg.Keys, g, actor, auditSinks(cfg)...)
}
