package driver

import (
	"sort"
	"sync"
)

var (
	regMu    sync.RWMutex
	registry = map[string]Opener{}
)

// Register makes a handler available for a store kind ("duckdb", "files").
// executor/<kind> packages call it from init; registering a kind twice panics.
func Register(kind string, open Opener) {
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[kind]; dup {
		panic("executor: handler registered twice for kind " + kind)
	}
	registry[kind] = open
}

// Kinds lists the registered store kinds.
func Kinds() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lookup returns the Opener registered for a store kind.
func Lookup(kind string) (Opener, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	o, ok := registry[kind]
	return o, ok
}
