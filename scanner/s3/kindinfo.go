package s3

import (
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/scanner"
)

var _ scanner.IdentifierFilterer = (*Source)(nil) // idfilter.ObjectFormats, embedded

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
