package scanner

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/piimap/piimap/lineage"
)

// Naming computes how a store of one kind names its datasets
// (lineage.DatasetNaming) from the store's configured URL alone, without
// opening it: lineage ingest maps OpenLineage, dbt and SQL names to stores
// with it, and the scan records its namespace and prefix on the store's
// node for map exports. It must never put credentials into the result.
type Naming func(rawURL string) (lineage.DatasetNaming, error)

var (
	namingMu sync.RWMutex
	namings  = map[string]Naming{}
)

// RegisterNaming sets the naming of a store kind; store packages call it
// from init beside Register. It panics on an empty kind, a nil naming or a
// second registration, which are programming errors.
func RegisterNaming(kind string, n Naming) {
	if kind == "" || n == nil {
		panic("scanner: RegisterNaming needs a kind and a naming")
	}
	namingMu.Lock()
	defer namingMu.Unlock()
	if _, dup := namings[kind]; dup {
		panic("scanner: RegisterNaming called twice for kind " + kind)
	}
	namings[kind] = n
}

// NamingOf returns how the store at rawURL names its datasets, as its
// kind's registered Naming says. A kind without one names its datasets
// by scheme://host (the namespace) and the asset.
func NamingOf(rawURL string) (lineage.DatasetNaming, error) {
	kind, err := KindOf(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	namingMu.RLock()
	n := namings[kind]
	namingMu.RUnlock()
	if n == nil {
		return HostNaming(rawURL)
	}
	dn, err := n(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, fmt.Errorf("scanner: naming of %s: %w", RedactURL(rawURL), err)
	}
	return dn, nil
}

// HostNaming is the naming of a kind that says nothing more: namespace
// scheme://host[:port], datasets named by their asset.
func HostNaming(rawURL string) (lineage.DatasetNaming, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, fmt.Errorf("scanner: url %s: %w", RedactURL(rawURL), err)
	}
	return lineage.DatasetNaming{Namespace: strings.ToLower(u.Scheme) + "://" + u.Host}, nil
}

// ServerAliases lists the other namespaces a database server's store
// answers to: its namespace (scheme://host:port) under each of the kind's
// other schemes, and, when the port is defaultPort, each without it.
func ServerAliases(namespace, defaultPort string, schemes ...string) []string {
	scheme, hostport, ok := strings.Cut(namespace, "://")
	if !ok {
		return nil
	}
	bare, port := hostport, ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.HasSuffix(hostport, "]") {
		bare, port = hostport[:i], hostport[i+1:]
	}
	var out []string
	for _, s := range append([]string{scheme}, schemes...) {
		if s != scheme {
			out = append(out, s+"://"+hostport)
		}
		if port == defaultPort {
			out = append(out, s+"://"+bare)
		}
	}
	return out
}
