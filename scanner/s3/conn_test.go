package s3_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/internal/hangcheck"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files" // file:// for the scan beside the down store
	ss3 "github.com/piimap/piimap/scanner/s3"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		raw            string
		bucket, prefix string
		params         string // encoded query kept for gocloud
		err            string // substring of the error; "" = valid
	}{
		{raw: "s3://lake", bucket: "lake"},
		{raw: "s3://lake/", bucket: "lake"},
		{raw: "s3://lake/exports", bucket: "lake", prefix: "exports/"},
		{raw: "s3://lake/exports/2024/", bucket: "lake", prefix: "exports/2024/"},
		{raw: "s3://my.lake-01/a?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1", bucket: "my.lake-01", prefix: "a/",
			params: "endpoint=http%3A%2F%2F127.0.0.1%3A7070&region=us-east-1&use_path_style=true"},
		{raw: "S3://lake?region=eu-west-1", bucket: "lake", params: "region=eu-west-1"},
		{raw: "s3://Lake", err: "lowercase"},
		{raw: "s3://la", err: "3 to 63"},
		{raw: "s3://-lake", err: "lowercase"},
		{raw: "s3://lake-", err: "lowercase"},
		{raw: "s3://la..ke", err: "adjacent dots"},
		{raw: "s3://", err: "3 to 63"},
		{raw: "s3://lake/a//b", err: "empty"},
		{raw: "s3://lake/a/../b", err: "segment"},
		{raw: "s3://lake/./b", err: "segment"},
		{raw: "s3://AKIA:secret@lake/x", err: "credentials in the URL are refused"},
		{raw: "s3://lake?regoin=us-east-1", err: `unknown parameter "regoin"`},
		{raw: "s3://lake?region=a&region=b", err: "given 2 times"},
		{raw: "s3://lake?endpoint=127.0.0.1:7070", err: "endpoint must be"},
		{raw: "s3://lake?endpoint=ftp://h", err: "endpoint must be"},
		{raw: "s3://lake?endpoint=http://u:p@h", err: "endpoint must be"},
		{raw: "s3://lake#frag", err: "fragment"},
		{raw: "gs://lake", err: "want s3://"},
		{raw: "file:///tmp", err: "want s3://"},
		{raw: "s3://lake/%zz", err: "unparseable"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			u, err := ss3.ParseURL(tt.raw)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, piimap.ErrConfig) {
					t.Fatalf("err = %v, want ErrConfig saying %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("secret printed: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Bucket != tt.bucket || u.Prefix != tt.prefix || u.Query.Encode() != tt.params {
				t.Errorf("got %q %q %q, want %q %q %q", u.Bucket, u.Prefix, u.Query.Encode(), tt.bucket, tt.prefix, tt.params)
			}
			if u.Namespace() != "s3://"+tt.bucket {
				t.Errorf("namespace %q", u.Namespace())
			}
			again, err := ss3.ParseURL(u.String())
			if err != nil || again.Bucket != u.Bucket || again.Prefix != u.Prefix || again.Query.Encode() != u.Query.Encode() {
				t.Errorf("round trip %q: %+v %v", u.String(), again, err)
			}
		})
	}
}

func TestAssetKeys(t *testing.T) {
	u, err := ss3.ParseURL("s3://lake/exports")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key, asset string
		ok         bool
	}{
		{"exports/a.csv", "a.csv", true},
		{"exports/2024/b.parquet", "2024/b.parquet", true},
		{"exports/", "", false},
		{"exportsx/a.csv", "", false},
		{"other/a.csv", "", false},
	}
	for _, tt := range tests {
		a, ok := u.Asset(tt.key)
		if a != tt.asset && ok || ok != tt.ok {
			t.Errorf("Asset(%q) = %q %v, want %q %v", tt.key, a, ok, tt.asset, tt.ok)
		}
		if ok && u.Key(a) != tt.key {
			t.Errorf("Key(%q) = %q, want %q", a, u.Key(a), tt.key)
		}
	}
	for _, bad := range []string{"", "dir/"} {
		if err := ss3.CheckAsset(bad); !errors.Is(err, piimap.ErrNotFound) {
			t.Errorf("CheckAsset(%q) = %v, want ErrNotFound", bad, err)
		}
	}
	for _, bad := range []string{"/abs", "a/../b", "../x", "a//b", "./a", `a\..\b`, "a\x00b", "a\nb"} {
		if err := ss3.CheckAsset(bad); !errors.Is(err, piimap.ErrUnsupported) {
			t.Errorf("CheckAsset(%q) = %v, want ErrUnsupported", bad, err)
		}
	}
	for _, good := range []string{"a.csv", "2024/01/x.log.gz", "weird name+%.csv"} {
		if err := ss3.CheckAsset(good); err != nil {
			t.Errorf("CheckAsset(%q) = %v", good, err)
		}
	}
}

// FuzzParseURL: any input either fails with ErrConfig or parses into a URL
// that renders and re-parses to the same bucket, prefix and parameters,
// whose prefix is a clean key prefix.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"s3://lake", "s3://lake/exports/2024/", "s3://my.lake-01/a?endpoint=http://127.0.0.1:7070&use_path_style=true&region=us-east-1",
		"s3://AKIA:secret@lake/x", "s3://lake/a/../b", "s3://lake?regoin=x", "s3://lake/%2e%2e/x", "s3://lake/a%2Fb", "s3:lake", "",
		"s3://lake/\x00", "s3://lake/ü/ß?region=eu-central-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := ss3.ParseURL(raw)
		if err != nil {
			if !errors.Is(err, piimap.ErrConfig) {
				t.Fatalf("error without ErrConfig: %v", err)
			}
			return
		}
		if u.Prefix != "" && (!strings.HasSuffix(u.Prefix, "/") || strings.HasPrefix(u.Prefix, "/")) {
			t.Fatalf("prefix %q is not a clean key prefix", u.Prefix)
		}
		for _, seg := range strings.Split(strings.TrimSuffix(u.Prefix, "/"), "/") {
			if u.Prefix != "" && (seg == "" || seg == "." || seg == "..") {
				t.Fatalf("prefix %q has segment %q", u.Prefix, seg)
			}
		}
		again, err := ss3.ParseURL(u.String())
		if err != nil {
			t.Fatalf("%q renders as %q which does not parse: %v", raw, u.String(), err)
		}
		if again.Bucket != u.Bucket || again.Prefix != u.Prefix || again.Query.Encode() != u.Query.Encode() {
			t.Fatalf("round trip of %q: %+v != %+v", raw, again, u)
		}
	})
}

// TestUnreachable: a server that is down fails fast with ErrUnreachable,
// at Open and inside a scan, where the other stores are still scanned.
func TestUnreachable(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "piimap-unreachable-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "piimap-unreachable-secret")
	down := "s3://lake/x?endpoint=http://127.0.0.1:1&use_path_style=true&region=us-east-1"
	ctx := context.Background()
	// The probe timeout ends the attempt; the bound only catches a hang.
	var (
		kind string
		err  error
	)
	hangcheck.NoHang(t, hangcheck.Limit(ss3.ProbeTimeout), func() { _, kind, err = scanner.Open(ctx, scanner.StoreConfig{Name: "lake", URL: down}) })
	if !errors.Is(err, piimap.ErrUnreachable) {
		t.Fatalf("open a down server: %v, want ErrUnreachable", err)
	}
	if kind != ss3.Kind {
		t.Errorf("kind %q", kind)
	}
	for _, w := range []string{"store lake", "s3://lake", "cannot reach the server", "store unreachable"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), "piimap-unreachable-secret") || strings.Contains(err.Error(), "piimap-unreachable-key") {
		t.Errorf("credentials printed: %v", err)
	}

	dir := t.TempDir()
	res, err := scanner.Run(ctx, []scanner.StoreConfig{{Name: "lake", URL: down}, {Name: "fs", URL: "file://" + dir}},
		scanner.Options{Graph: lineagetest.NewMemGraph(), Classifier: nopClassifier{}, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || res.Errors[0].Store != "lake" || !strings.Contains(res.Errors[0].Err, "store unreachable") {
		t.Errorf("scan errors: %+v", res.Errors)
	}
}

type nopClassifier struct{}

func (nopClassifier) Classify(piimap.Record) []piimap.Finding { return nil }
