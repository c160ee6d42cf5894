package lineage

import (
	"net/url"
	"path"
	"strings"
)

// DatasetNaming is how one store names its datasets to the world outside
// piimap: in OpenLineage events, dbt manifests and SQL. The store's kind
// fills it from the store's URL (scanner.NamingOf), so that a lineage
// source's names can be mapped to the store's assets, and map exports can
// name the store's assets, without anything here knowing the kind.
type DatasetNaming struct {
	// Namespace is the store's namespace as its locations carry it
	// (piimap.Location.Namespace): "postgres://db:5432", "s3://bucket",
	// "file:///srv/data".
	Namespace string
	// Dataset is the OpenLineage namespace of the store's datasets when
	// it is not Namespace ("file" for local files).
	Dataset string
	// Aliases are other namespaces the store answers to: another scheme
	// for the same protocol, a default port left out, or SCHEME://* for
	// any authority of a scheme. Hosts compare without case, and the
	// loopback names (localhost, 127.0.0.1, ::1) as one.
	Aliases []string
	// Prefix is what a dataset name puts before an asset: a database and
	// a dot, an object key prefix, an absolute directory ending in "/".
	Prefix string
	// Paths says dataset names are paths (files, object keys): a name
	// under Prefix is an asset, relative names are relative to Prefix or
	// to a namespace's path, and the store with the longest Prefix wins.
	Paths bool
	// Relations is set for a store that holds SQL relations: how a
	// relation named with one to three dotted parts becomes an asset.
	Relations *RelationNaming
}

// RelationNaming maps relation names ("t", "schema.t", "db.schema.t") to a
// SQL store's assets.
type RelationNaming struct {
	// Database is the database (catalog) a qualified name must name to be
	// in the store; empty accepts any.
	Database string
	// DefaultSchema is the schema of a one-part name ("public", "main").
	DefaultSchema string
	// DatabaseQualified says the store's assets are database.table (a
	// MySQL server): a one-part name takes Database, and the part before
	// the table must be Database.
	DatabaseQualified bool
}

// DatasetNamespace is the OpenLineage namespace of the store's datasets.
func (n DatasetNaming) DatasetNamespace() string {
	if n.Dataset != "" {
		return n.Dataset
	}
	return n.Namespace
}

// Answers reports whether the store answers to namespace ns: ns is the
// store's dataset namespace, its namespace or one of its aliases, compared
// as NormalizeNamespace compares them. For a Paths store only the scheme
// and authority count (a file:///dir namespace names a directory).
func (n DatasetNaming) Answers(ns string) bool {
	want := NormalizeNamespace(ns)
	if n.Paths {
		want = authority(want)
	}
	for _, c := range append([]string{n.DatasetNamespace(), n.Namespace}, n.Aliases...) {
		if c == "" {
			continue
		}
		if scheme, ok := strings.CutSuffix(c, "://*"); ok {
			if s, _, _ := strings.Cut(want, "://"); strings.EqualFold(s, scheme) && strings.Contains(want, "://") {
				return true
			}
			continue
		}
		have := NormalizeNamespace(c)
		if n.Paths {
			have = authority(have)
		}
		if have == want {
			return true
		}
	}
	return false
}

// Scheme reports whether one of the store's namespaces has the scheme of
// ns ("file" for a bare "file").
func (n DatasetNaming) Scheme(ns string) bool {
	want := schemeOf(ns)
	for _, c := range append([]string{n.DatasetNamespace(), n.Namespace}, n.Aliases...) {
		if c != "" && schemeOf(c) == want {
			return true
		}
	}
	return false
}

func schemeOf(ns string) string {
	s, _, _ := strings.Cut(ns, "://")
	return strings.ToLower(s)
}

// authority is scheme://host:port of a normalised namespace.
func authority(ns string) string {
	scheme, rest, ok := strings.Cut(ns, "://")
	if !ok {
		return ns
	}
	host, _, _ := strings.Cut(rest, "/")
	return scheme + "://" + host
}

// NormalizeNamespace folds what does not tell two namespaces apart: the
// scheme's and host's case, the loopback names (as "localhost"), and a
// trailing or doubled slash in the path.
func NormalizeNamespace(ns string) string {
	scheme, rest, ok := strings.Cut(ns, "://")
	if !ok {
		return strings.ToLower(ns)
	}
	scheme = strings.ToLower(scheme)
	hostport, p, hasPath := strings.Cut(rest, "/")
	u, err := url.Parse("x://" + hostport)
	if err == nil && u.Host == hostport {
		host := strings.ToLower(u.Hostname())
		switch host {
		case "localhost", "127.0.0.1", "::1":
			host = "localhost"
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		hostport = host
		if port := u.Port(); port != "" {
			hostport += ":" + port
		}
	} else {
		hostport = strings.ToLower(hostport)
	}
	out := scheme + "://" + hostport
	if hasPath {
		if c := path.Clean("/" + p); c != "/" {
			out += c
		}
	}
	return out
}

// Relation maps a relation named with one to three dotted parts to the
// store's asset. It fails for a store without relations, an empty part,
// or a qualified name that names another database.
func (n DatasetNaming) Relation(name string) (string, bool) {
	r := n.Relations
	if r == nil {
		return "", false
	}
	parts := strings.Split(name, ".")
	for _, p := range parts {
		if p == "" {
			return "", false
		}
	}
	last2 := func() string { return strings.Join(parts[len(parts)-2:], ".") }
	if r.DatabaseQualified {
		switch len(parts) {
		case 1:
			if r.Database == "" {
				return "", false
			}
			return r.Database + "." + parts[0], true
		case 2:
			if r.Database != "" && !strings.EqualFold(parts[0], r.Database) {
				return "", false
			}
			return name, true
		default: // catalog.db.table (def.shop.users)
			if r.Database != "" && !strings.EqualFold(parts[len(parts)-2], r.Database) {
				return "", false
			}
			return last2(), true
		}
	}
	switch len(parts) {
	case 1:
		if r.DefaultSchema == "" {
			return "", false
		}
		return r.DefaultSchema + "." + parts[0], true
	case 2:
		return name, true
	default:
		db := strings.Join(parts[:len(parts)-2], ".")
		if r.Database != "" && !strings.EqualFold(db, r.Database) {
			return "", false
		}
		return last2(), true
	}
}

// RelationDatabase is the database a relation named name would live in
// within the store ("" when the store does not say).
func (n DatasetNaming) RelationDatabase(name string) string {
	if n.Relations == nil {
		return ""
	}
	if n.Relations.DatabaseQualified {
		if parts := strings.Split(name, "."); len(parts) >= 2 {
			return parts[len(parts)-2]
		}
	}
	return n.Relations.Database
}

// PathAsset maps a path-like dataset name to the store's asset: a name
// under Prefix (absolute, or a key with its prefix) loses it. With
// relative set, a name not under Prefix is taken as relative to it (a
// pinned store); otherwise it is not the store's.
func (n DatasetNaming) PathAsset(name string, relative bool) (string, bool) {
	if !n.Paths {
		return "", false
	}
	p := strings.TrimPrefix(name, "/") // an object key
	if strings.HasPrefix(n.Prefix, "/") {
		p = path.Clean(name) // an absolute path
	}
	if rest, ok := strings.CutPrefix(p, n.Prefix); ok && rest != "" && (n.Prefix == "" || strings.HasSuffix(n.Prefix, "/")) {
		return rest, true
	}
	if !relative {
		return "", false
	}
	rel := strings.TrimPrefix(name, "/")
	return rel, rel != ""
}
