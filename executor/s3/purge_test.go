package s3_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xs3 "github.com/piimap/piimap/executor/s3"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// A fake, distinctive SSN held only by the subject's record.
const purgeSSN = "SSN-078-05-1120-PURGE"

// bucketRoot is the bucket's directory under the loopback versitygw's
// posix root (PIIMAP_TEST_S3_ROOT, else the temp root .ci/run creates), or
// "" when it cannot be found.
func bucketRoot(bucket string) string {
	if r := os.Getenv("PIIMAP_TEST_S3_ROOT"); r != "" {
		return filepath.Join(r, bucket)
	}
	m, _ := filepath.Glob(filepath.Join(os.TempDir(), "piimap-s3.*", bucket))
	if len(m) != 1 {
		return ""
	}
	return m[0]
}

func dirHolds(t *testing.T, dir, v string) bool {
	t.Helper()
	held := false
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		held = held || bytes.Contains(b, []byte(v))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return held
}

// On the loopback versitygw (no versioning configured): the rewrite
// replaced the only copy.
func TestPurgeUnversionedIsGone(t *testing.T) {
	ctx := context.Background()
	b := s3test.NewBucket(t)
	b.Put(t, "lake/crm/people.csv", []byte("id,email,ssn\n1,victim@example.com,"+purgeSSN+"\n2,bob@example.com,zz2\n"), nil)
	h, err := xs3.Open(ctx, scanner.StoreConfig{Name: "lake", URL: b.StoreURL("lake")}, driver.HandlerOptions{MaskKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	tg := driver.Target{Asset: "crm/people.csv", Mode: driver.ModeDelete,
		Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{"victim@example.com"}}}}
	root := bucketRoot(b.URL.Bucket)
	if root != "" && !dirHolds(t, root, purgeSSN) {
		t.Fatal("fixture: the bucket's files should hold the value before the erasure")
	}
	res, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
	if err != nil || res[0].Changed != 1 {
		t.Fatalf("erase: %+v %v", res, err)
	}
	reps, err := h.(driver.Purger).Purge(ctx, []driver.Target{tg, tg})
	if err != nil || len(reps) != 1 || reps[0].Asset != tg.Asset || reps[0].State != driver.PurgeGone {
		t.Fatalf("purge: %+v %v", reps, err)
	}
	// Independent checks: the server lists one version of the key, the
	// object keeps the bystander, and the server's files lack the value.
	lv, err := b.Client.ListObjectVersions(ctx, &awss3.ListObjectVersionsInput{Bucket: aws.String(b.URL.Bucket), Prefix: aws.String("lake/crm/people.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if len(lv.Versions) > 1 {
		t.Fatalf("%d versions of the key", len(lv.Versions))
	}
	if got := b.Get(t, "lake/crm/people.csv"); !bytes.Contains(got, []byte("zz2")) || bytes.Contains(got, []byte(purgeSSN)) {
		t.Fatal("object content after the erasure")
	}
	if root == "" {
		t.Skip("cannot find the server's posix root (set PIIMAP_TEST_S3_ROOT): skipping the byte check")
	}
	if dirHolds(t, root, purgeSSN) {
		t.Fatal("the server's files still hold the erased value")
	}
}

// versionFake is an S3 server holding versions of objects: just what
// Purge asks (versioning status, list versions, delete a version, object
// lock retention).
type versionFake struct {
	bucket string
	mu     sync.Mutex
	vers   []fakeVersion
}

type fakeVersion struct {
	key, id     string
	latest      bool
	marker      bool
	retainUntil string // object lock: DeleteObject is refused
}

func (f *versionFake) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	if bucket != f.bucket {
		http.Error(w, "", http.StatusNotFound)
		return
	}
	find := func() *fakeVersion {
		for i := range f.vers {
			if f.vers[i].key == key && f.vers[i].id == q.Get("versionId") {
				return &f.vers[i]
			}
		}
		return nil
	}
	switch {
	case key == "" && r.Method == http.MethodHead:
	case key == "" && q.Has("versioning"):
		fmt.Fprint(w, `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`)
	case key == "" && q.Has("versions"):
		var sb strings.Builder
		sb.WriteString(`<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>` + f.bucket + `</Name><IsTruncated>false</IsTruncated>`)
		for _, v := range f.vers {
			if !strings.HasPrefix(v.key, q.Get("prefix")) {
				continue
			}
			tag := "Version"
			if v.marker {
				tag = "DeleteMarker"
			}
			var k bytes.Buffer
			_ = xml.EscapeText(&k, []byte(v.key))
			fmt.Fprintf(&sb, `<%s><Key>%s</Key><VersionId>%s</VersionId><IsLatest>%v</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>3</Size></%s>`, tag, k.String(), v.id, v.latest, tag)
		}
		sb.WriteString(`</ListVersionsResult>`)
		fmt.Fprint(w, sb.String())
	case key != "" && r.Method == http.MethodDelete:
		v := find()
		switch {
		case v == nil:
			w.WriteHeader(http.StatusNoContent)
		case v.retainUntil != "":
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>locked</Message></Error>`)
		default:
			for i := range f.vers {
				if &f.vers[i] == v {
					f.vers = append(f.vers[:i], f.vers[i+1:]...)
					break
				}
			}
			w.WriteHeader(http.StatusNoContent)
		}
	case key != "" && q.Has("retention"):
		if v := find(); v != nil && v.retainUntil != "" {
			fmt.Fprintf(w, `<Retention xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Mode>COMPLIANCE</Mode><RetainUntilDate>%s</RetainUntilDate></Retention>`, v.retainUntil)
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<Error><Code>NoSuchObjectLockConfiguration</Code></Error>`)
	default:
		w.WriteHeader(http.StatusNotImplemented)
		fmt.Fprint(w, `<Error><Code>NotImplemented</Code></Error>`)
	}
}

func (f *versionFake) left(key string) (ids []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range f.vers {
		if v.key == key {
			ids = append(ids, v.id)
		}
	}
	return ids
}

func TestPurgeVersionedDeletesNoncurrent(t *testing.T) {
	ctx := context.Background()
	f := &versionFake{bucket: "piimap-versions", vers: []fakeVersion{
		{key: "lake/a.csv", id: "v3", latest: true},
		{key: "lake/a.csv", id: "v2"},
		{key: "lake/a.csv", id: "v1"},
		{key: "lake/a.csv.bak", id: "w1"}, // another key sharing the prefix
		{key: "lake/b.csv", id: "m2", latest: true},
		{key: "lake/b.csv", id: "m1", retainUntil: "2030-01-01T00:00:00Z"},
		{key: "lake/c.csv", id: "d2", latest: true, marker: true}, // erased whole: a delete marker
		{key: "lake/c.csv", id: "d1"},
	}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "fake-access")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	u := "s3://" + f.bucket + "/lake/?endpoint=" + url.QueryEscape(srv.URL) + "&use_path_style=true&region=us-east-1"
	h, err := xs3.Open(ctx, scanner.StoreConfig{Name: "lake", URL: u}, driver.HandlerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	reps, err := h.(driver.Purger).Purge(ctx, []driver.Target{{Asset: "a.csv"}, {Asset: "b.csv"}, {Asset: "c.csv"}})
	if err != nil || len(reps) != 3 {
		t.Fatalf("%+v %v", reps, err)
	}
	byAsset := map[string]driver.PurgeReport{}
	for _, r := range reps {
		byAsset[r.Asset] = r
	}
	if r := byAsset["a.csv"]; r.State != driver.PurgeGone || !strings.Contains(r.Detail, "2 noncurrent version(s) deleted") {
		t.Fatalf("a.csv: %+v", r)
	}
	if r := byAsset["b.csv"]; r.State != driver.PurgeException || !strings.Contains(r.Detail, "AccessDenied") || !strings.Contains(r.Detail, "until 2030-01-01") {
		t.Fatalf("b.csv: %+v", r)
	}
	// The retain-until date is the report's date: the receipt's expiry of
	// the locked bytes (an exception of kind retention).
	if r := byAsset["b.csv"]; r.At == nil || r.At.UTC().Format("2006-01-02") != "2030-01-01" {
		t.Fatalf("b.csv: retain-until date %v, want 2030-01-01", r.At)
	}
	if r := byAsset["c.csv"]; r.State != driver.PurgeGone {
		t.Fatalf("c.csv: %+v", r)
	}
	// Independent check: the server's versions.
	for key, want := range map[string]string{"lake/a.csv": "v3", "lake/a.csv.bak": "w1", "lake/b.csv": "m2 m1", "lake/c.csv": "d2"} {
		if got := strings.Join(f.left(key), " "); got != want {
			t.Errorf("%s: versions left %q, want %q", key, got, want)
		}
	}
}
