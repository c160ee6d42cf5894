package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
)

// Store is one configured store as the resolver needs it.
type Store struct {
	Name string
	// URL is the configured URL. Only its scheme, host, port, database
	// and path are read; user, password and parameters are never kept.
	URL string
	// Namespace, when set, is the OpenLineage namespace the scanner
	// recorded on the store's node (authoritative: it saw the real host).
	Namespace string
}

// storeRef is a store reduced to what names its datasets.
type storeRef struct {
	name      string
	kind      string // postgres, mysql, duckdb, files, s3, or the URL scheme
	namespace string // the OpenLineage namespace (never with credentials)
	hostPort  string // postgres, mysql: normalised "host:port"
	db        string // postgres and mysql database; duckdb catalog (file stem)
	root      string // files: absolute directory (slash form); s3: key prefix ("" or ending in "/")
	bucket    string // s3
}

// SQL store kinds: relations named in SQL or dbt resolve only to these.
var sqlKinds = []string{"postgres", "mysql", "duckdb"}

func parseStore(s Store) storeRef {
	ref := storeRef{name: s.Name}
	scheme, rest, _ := strings.Cut(s.URL, "://")
	scheme = strings.ToLower(scheme)
	switch scheme {
	case "postgres", "postgresql":
		ref.kind = "postgres"
	case "mysql", "mariadb":
		ref.kind = "mysql"
	case "duckdb":
		ref.kind = "duckdb"
	case "file":
		ref.kind = "files"
	default:
		ref.kind = scheme
	}
	switch ref.kind {
	case "postgres", "mysql":
		if u, err := url.Parse(s.URL); err == nil {
			host := u.Hostname()
			if host == "" {
				host = u.Query().Get("host")
			}
			port := u.Port()
			if port == "" {
				port = map[string]string{"postgres": "5432", "mysql": "3306"}[ref.kind]
			}
			ref.hostPort = normHostPort(host, port)
			ref.db = strings.Trim(u.Path, "/")
			ref.namespace = ref.kind + "://" + joinHostPort(host, port)
		}
	case "duckdb", "files":
		p, _, _ := strings.Cut(rest, "?")
		if q, err := url.PathUnescape(p); err == nil {
			p = q
		}
		p = path.Clean(strings.ReplaceAll(p, `\`, "/"))
		ref.root = p
		ref.namespace = map[string]string{"duckdb": "duckdb://", "files": "file://"}[ref.kind] + p
		if ref.kind == "duckdb" {
			ref.db = strings.TrimSuffix(path.Base(p), path.Ext(p))
		}
	case "s3":
		if u, err := url.Parse(s.URL); err == nil {
			ref.bucket = u.Host
			ref.root = strings.TrimPrefix(u.Path, "/")
			if ref.root != "" && !strings.HasSuffix(ref.root, "/") {
				ref.root += "/"
			}
			ref.namespace = "s3://" + u.Host
		}
	default:
		if u, err := url.Parse(s.URL); err == nil {
			ref.namespace = u.Scheme + "://" + u.Host
		}
	}
	if s.Namespace != "" {
		ref.namespace = s.Namespace
		if ref.kind == "postgres" || ref.kind == "mysql" {
			if u, err := url.Parse(s.Namespace); err == nil && u.Host != "" {
				ref.hostPort = normHostPort(u.Hostname(), u.Port())
			}
		}
	}
	return ref
}

func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// normHostPort folds case and the loopback aliases, so a store configured
// as 127.0.0.1 matches events that say localhost.
func normHostPort(host, port string) string {
	host = strings.ToLower(strings.Trim(host, "[]"))
	switch host {
	case "", "localhost", "127.0.0.1", "::1":
		host = "localhost"
	}
	return host + ":" + port
}

// Resolver maps the datasets and relations that lineage sources name to the
// locations of configured stores: an OpenLineage dataset by its namespace
// (postgres://host:port, mysql://host:port, s3://bucket, file, duckdb://path)
// and name; a relation named in SQL or by dbt ("table", "schema.table",
// "db.schema.table") to the one SQL store that can hold it. Assets are named
// the way each store's scanner names them: postgres and duckdb
// "schema.table", mysql "db.table", files and s3 the path or key relative to
// the store root. When several stores could hold a relation, the assets of
// the latest scan decide; if they cannot, the relation is unresolved, not
// guessed. A Resolver is safe for one goroutine.
type Resolver struct {
	stores []storeRef
	byName map[string]storeRef
	// known[store][lower(asset)] is the asset's name in the latest run;
	// stores absent from it were never scanned.
	known map[string]map[string]string
	// why holds the reason each unresolved name failed.
	why map[string]string
}

// NewResolver builds a resolver over stores. known lists the assets of
// the latest scan run per store (nil when there is none); it is used to
// choose between stores that could each hold a relation.
func NewResolver(stores []Store, known map[string][]string) *Resolver {
	r := &Resolver{byName: map[string]storeRef{}, known: map[string]map[string]string{}, why: map[string]string{}}
	for _, s := range stores {
		ref := parseStore(s)
		r.stores = append(r.stores, ref)
		r.byName[s.Name] = ref
	}
	for store, assets := range known {
		m := map[string]string{}
		for _, a := range assets {
			m[strings.ToLower(a)] = a
		}
		r.known[store] = m
	}
	return r
}

// GraphResolver builds a resolver over stores, taking the store namespaces
// and known assets from the latest finished run of g, when there is one.
func GraphResolver(ctx context.Context, g lineage.Graph, stores []Store) (*Resolver, error) {
	run, err := g.Latest(ctx)
	if errors.Is(err, piimap.ErrNotFound) {
		return NewResolver(stores, nil), nil
	}
	if err != nil {
		return nil, fmt.Errorf("ingest: resolver: %w", err)
	}
	ns := map[string]string{}
	known := map[string][]string{}
	err = g.Nodes(ctx, run.ID, func(n lineage.Node) error {
		switch n.Kind {
		case lineage.NodeStore:
			ns[n.Loc.Store] = n.Loc.Namespace
		case lineage.NodeAsset:
			known[n.Loc.Store] = append(known[n.Loc.Store], n.Loc.Name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ingest: resolver: nodes of run %s: %w", run.ID, err)
	}
	withNS := slices.Clone(stores)
	for i, s := range withNS {
		if s.Namespace == "" && validNamespace(ns[s.Name]) {
			withNS[i].Namespace = ns[s.Name]
		}
	}
	return NewResolver(withNS, known), nil
}

// validNamespace keeps namespaces shaped like scheme://… (the scanner
// falls back to the redacted URL for stores without one, which must not
// be matched against).
func validNamespace(ns string) bool {
	return strings.Contains(ns, "://") && !strings.Contains(ns, "@") && !strings.Contains(ns, "?")
}

// Has reports whether a store of that name is configured.
func (r *Resolver) Has(store string) bool { _, ok := r.byName[store]; return ok }

// scope is how one source's names are read.
type scope struct {
	pin    string                    // store every name without a matching namespace goes to
	dbHint func(table string) string // database a relation lives in ("" unknown)
}

// resolve maps one name; on failure it records why under key.
func (r *Resolver) resolve(sc scope, namespace, table string) (piimap.Location, bool) {
	loc, why := r.lookup(sc, namespace, table)
	if why != "" {
		key := table
		if namespace != "" {
			key = namespace + "/" + table
		}
		r.why[key] = why
		return piimap.Location{}, false
	}
	return loc, true
}

func (r *Resolver) lookup(sc scope, namespace, table string) (piimap.Location, string) {
	if table == "" {
		return piimap.Location{}, "empty name"
	}
	unpinned := fmt.Sprintf("pinned store %q is not configured", sc.pin)
	if namespace != "" {
		loc, why := r.byNamespace(namespace, table)
		if why == "" || sc.pin == "" {
			return loc, why
		}
		pinned, ok := r.byName[sc.pin]
		switch {
		case !ok:
			return piimap.Location{}, why + "; " + unpinned
		case pinned.kind != kindOfNamespace(namespace):
			return piimap.Location{}, why
		}
		// The namespace names no configured store (a different host name
		// for the same server, say): the pin decides.
		return r.inStore(pinned, table)
	}
	if sc.pin != "" {
		pinned, ok := r.byName[sc.pin]
		if !ok {
			return piimap.Location{}, unpinned
		}
		return r.inStore(pinned, table)
	}
	db := ""
	if sc.dbHint != nil {
		db = sc.dbHint(table)
	}
	return r.bySQLName(table, db)
}

// kindOfNamespace maps an OpenLineage namespace scheme to a store kind.
func kindOfNamespace(ns string) string {
	scheme, _, _ := strings.Cut(ns, "://")
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		return "postgres"
	case "mysql", "mariadb":
		return "mysql"
	case "file":
		return "files"
	}
	return strings.ToLower(scheme)
}

// byNamespace resolves an OpenLineage dataset.
func (r *Resolver) byNamespace(namespace, name string) (piimap.Location, string) {
	kind := kindOfNamespace(namespace)
	var cands []candidate
	switch kind {
	case "postgres", "mysql":
		u, err := url.Parse(namespace)
		if err != nil || u.Host == "" {
			return piimap.Location{}, "unreadable namespace"
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"postgres": "5432", "mysql": "3306"}[kind]
		}
		hp := normHostPort(u.Hostname(), port)
		for _, s := range r.stores {
			if s.kind != kind || s.hostPort != hp {
				continue
			}
			if asset, ok := sqlAsset(s, name); ok {
				cands = append(cands, candidate{s, asset})
			}
		}
	case "s3":
		bucket := strings.TrimPrefix(namespace, "s3://")
		bucket, _, _ = strings.Cut(bucket, "/")
		key := strings.TrimPrefix(name, "/")
		for _, s := range r.stores {
			if s.kind == "s3" && s.bucket == bucket {
				if a, ok := strings.CutPrefix(key, s.root); ok && a != "" {
					cands = append(cands, candidate{s, a})
				}
			}
		}
		cands = longestRoot(cands)
	case "files":
		// OpenLineage names local files "file" + absolute path; older
		// producers use file://host + absolute path; a file:///dir
		// namespace with a relative name is joined.
		p := name
		if dir, ok := strings.CutPrefix(namespace, "file://"); ok && !strings.HasPrefix(name, "/") {
			if i := strings.IndexByte(dir, '/'); i >= 0 {
				p = path.Join(dir[i:], name)
			}
		}
		p = path.Clean(p)
		for _, s := range r.stores {
			if s.kind != "files" {
				continue
			}
			if rel, ok := strings.CutPrefix(p, strings.TrimSuffix(s.root, "/")+"/"); ok && rel != "" {
				cands = append(cands, candidate{s, rel})
			}
		}
		cands = longestRoot(cands)
	case "duckdb":
		p := path.Clean(strings.TrimPrefix(namespace, "duckdb://"))
		for _, s := range r.stores {
			if s.kind == "duckdb" && (s.root == p || s.namespace == namespace) {
				if asset, ok := sqlAsset(s, name); ok {
					cands = append(cands, candidate{s, asset})
				}
			}
		}
	default:
		for _, s := range r.stores {
			if s.namespace == namespace {
				cands = append(cands, candidate{s, name})
			}
		}
	}
	if len(cands) == 0 {
		return piimap.Location{}, "no configured store has this namespace"
	}
	return r.choose(cands)
}

type candidate struct {
	s     storeRef
	asset string
}

func longestRoot(cands []candidate) []candidate {
	best := -1
	for _, c := range cands {
		best = max(best, len(c.s.root))
	}
	var out []candidate
	for _, c := range cands {
		if len(c.s.root) == best {
			out = append(out, c)
		}
	}
	return out
}

// bySQLName resolves a relation named in SQL or dbt, with no namespace:
// every SQL store that can hold it is a candidate; the database (when the
// source says) narrows them, then the assets of the latest scan.
func (r *Resolver) bySQLName(table, db string) (piimap.Location, string) {
	var all, withDB []candidate
	for _, s := range r.stores {
		if !slices.Contains(sqlKinds, s.kind) {
			continue
		}
		asset, ok := sqlAsset(s, table)
		if !ok {
			continue
		}
		c := candidate{s, asset}
		all = append(all, c)
		if db != "" && strings.EqualFold(storeDB(s, table), db) {
			withDB = append(withDB, c)
		}
	}
	if len(withDB) > 0 {
		all = withDB
	}
	if len(all) == 0 {
		return piimap.Location{}, "no configured SQL store can hold it"
	}
	return r.choose(all)
}

// storeDB is the database a relation would live in within store s.
func storeDB(s storeRef, table string) string {
	if s.kind == "mysql" {
		if parts := strings.Split(table, "."); len(parts) >= 2 {
			return parts[len(parts)-2]
		}
	}
	return s.db
}

// inStore resolves a relation within one store (a pin).
func (r *Resolver) inStore(s storeRef, table string) (piimap.Location, string) {
	var asset string
	var ok bool
	switch s.kind {
	case "files": // an absolute path under the root, or a relative one
		asset, ok = strings.TrimPrefix(table, "/"), true
		if rel, cut := strings.CutPrefix(path.Clean(table), strings.TrimSuffix(s.root, "/")+"/"); cut {
			asset = rel
		}
	case "s3": // a key under the prefix, or relative to it
		asset, ok = strings.TrimPrefix(table, "/"), true
		if rel, cut := strings.CutPrefix(asset, s.root); cut {
			asset = rel
		}
	default:
		asset, ok = sqlAsset(s, table)
	}
	if !ok || asset == "" {
		return piimap.Location{}, fmt.Sprintf("not a relation store %s can hold", s.name)
	}
	return r.choose([]candidate{{s, asset}})
}

// sqlAsset names relation table (1 to 3 dotted parts) as store s's
// scanner names its assets. It fails when a database part names another
// database than the store's.
func sqlAsset(s storeRef, table string) (string, bool) {
	parts := strings.Split(table, ".")
	for _, p := range parts {
		if p == "" {
			return "", false
		}
	}
	switch s.kind {
	case "postgres", "duckdb":
		def := map[string]string{"postgres": "public", "duckdb": "main"}[s.kind]
		switch len(parts) {
		case 1:
			return def + "." + parts[0], true
		case 2:
			return table, true
		default:
			db := strings.Join(parts[:len(parts)-2], ".")
			if s.db != "" && !strings.EqualFold(db, s.db) {
				return "", false
			}
			return strings.Join(parts[len(parts)-2:], "."), true
		}
	case "mysql":
		switch len(parts) {
		case 1:
			if s.db == "" {
				return "", false
			}
			return s.db + "." + parts[0], true
		case 2:
			if s.db != "" && !strings.EqualFold(parts[0], s.db) {
				return "", false
			}
			return table, true
		default: // catalog.db.table (def.shop.users)
			if s.db != "" && !strings.EqualFold(parts[len(parts)-2], s.db) {
				return "", false
			}
			return strings.Join(parts[len(parts)-2:], "."), true
		}
	}
	return "", false
}

// choose picks the one candidate, using the latest scan's assets to
// break ties, and names the asset as the scan spelled it.
func (r *Resolver) choose(cands []candidate) (piimap.Location, string) {
	if len(cands) > 1 {
		var seen []candidate
		for _, c := range cands {
			if _, ok := r.known[c.s.name][strings.ToLower(c.asset)]; ok {
				seen = append(seen, c)
			}
		}
		if len(seen) > 0 {
			cands = seen
		}
	}
	if len(cands) > 1 {
		names := make([]string, len(cands))
		for i, c := range cands {
			names[i] = c.s.name
		}
		slices.Sort(names)
		return piimap.Location{}, "ambiguous between stores " + strings.Join(slices.Compact(names), ", ") + " (pin one with --store)"
	}
	c := cands[0]
	asset := c.asset
	if spelled, ok := r.known[c.s.name][strings.ToLower(asset)]; ok {
		asset = spelled
	}
	return piimap.Location{Store: c.s.name, Namespace: c.s.namespace, Name: asset}, ""
}
