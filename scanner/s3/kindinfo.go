package s3

import (
	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/idfilter"
)

var _ scanner.IdentifierFilterer = (*Source)(nil)

func init() { scanner.RegisterNaming(Kind, Naming) }

// Naming names a bucket's datasets after the OpenLineage naming spec for
// S3: namespace s3://BUCKET, each object by its key, so the store's key
// prefix is the prefix. The endpoint and credentials are not part of it.
func Naming(rawURL string) (lineage.DatasetNaming, error) {
	u, err := ParseURL(rawURL)
	if err != nil {
		return lineage.DatasetNaming{}, err
	}
	return lineage.DatasetNaming{Namespace: u.Namespace(), Prefix: u.Prefix, Paths: true}, nil
}

// IdentifierFiltered: executor/s3 matches an object's text lines and
// CSV/TSV/JSON/JSONL cells byte for byte as filter extraction reads them
// (idfilter.FormatCovered).
func (s *Source) IdentifierFiltered(u piimap.Unit) bool {
	return idfilter.FormatCovered(u.Kind, u.Format)
}
