package files

import (
	"path/filepath"
	"strings"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

var _ scanner.IdentifierFilterer = (*Source)(nil) // idfilter.ObjectFormats, embedded

func init() { scanner.RegisterNaming(Kind, Naming) }

// Naming names a directory's datasets after the OpenLineage naming spec
// for local files: namespace "file" (or file://HOST, any host), each file
// by its absolute path, so the directory ending in "/" is the prefix. A
// dataset name relative to a file:///DIR namespace is under DIR.
func Naming(rawURL string) (lineage.DatasetNaming, error) {
	root, err := ParseURL(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	dir := strings.TrimSuffix(filepath.ToSlash(root), "/")
	return lineage.DatasetNaming{Namespace: "file://" + dir, Dataset: "file", Aliases: []string{"file://*"},
		Prefix: dir + "/", Paths: true}, nil
}
