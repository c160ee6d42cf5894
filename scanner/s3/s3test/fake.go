package s3test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Fake is a minimal in-process S3 server for tests that need keys a real
// server will not store (an absolute key, `..` segments kept literally,
// raw control bytes) or need to see which objects were read. It answers
// HeadBucket, ListObjectsV2 (one page) and GetObject (ranges included) for
// one bucket of fixed objects, path-style, and records every request. It
// stores nothing: a write is refused (501). Keys are the server's raw keys: gocloud (and so
// piimap) unescapes "__0x0__"-style sequences in them, as it does for
// objects it wrote itself.
type Fake struct {
	Bucket string
	srv    *httptest.Server

	mu      sync.Mutex
	objects map[string][]byte
	gets    []string
	reqs    []string
}

// NewFake starts a fake server holding objects in bucket and sets fake
// credentials in the environment for the test (so the test must not be
// parallel). It stops when the test ends.
func NewFake(t testing.TB, bucket string, objects map[string][]byte) *Fake {
	t.Helper()
	f := &Fake{Bucket: bucket, objects: objects}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "fake-access")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	return f
}

// StoreURL is the store URL of the objects under prefix ("" for the whole
// bucket).
func (f *Fake) StoreURL(prefix string) string {
	p := ""
	if prefix != "" {
		p = "/" + strings.Trim(prefix, "/") + "/"
	}
	return "s3://" + f.Bucket + p + "?endpoint=" + url.QueryEscape(f.srv.URL) + "&use_path_style=true&region=us-east-1"
}

// Requests lists every request so far as "METHOD key" ("" for bucket
// requests), in order.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

// Gets lists the keys of every GetObject so far, in order.
func (f *Fake) Gets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.gets)
}

func etag(data []byte) string {
	s := md5.Sum(data)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	f.mu.Lock()
	f.reqs = append(f.reqs, r.Method+" "+key)
	f.mu.Unlock()
	if bucket != f.Bucket {
		fail(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	switch {
	case key == "" && r.Method == http.MethodHead:
		w.WriteHeader(http.StatusOK)
	case key == "" && r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "2":
		f.list(w, r.URL.Query().Get("prefix"))
	case key != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		f.get(w, r, key)
	default:
		fail(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func fail(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, code)
}

func (f *Fake) list(w http.ResponseWriter, prefix string) {
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int
		StorageClass string
	}
	type result struct {
		XMLName     xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name        string
		Prefix      string
		KeyCount    int
		MaxKeys     int
		IsTruncated bool
		Contents    []content
	}
	f.mu.Lock()
	keys := make([]string, 0, len(f.objects))
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	res := result{Name: f.Bucket, Prefix: prefix, KeyCount: len(keys), MaxKeys: 1000}
	for _, k := range keys {
		res.Contents = append(res.Contents, content{Key: k, LastModified: "2024-01-01T00:00:00.000Z",
			ETag: etag(f.objects[k]), Size: len(f.objects[k]), StorageClass: "STANDARD"})
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(res)
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	data, ok := f.objects[key]
	if r.Method == http.MethodGet {
		f.gets = append(f.gets, key)
	}
	f.mu.Unlock()
	if !ok {
		fail(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	w.Header().Set("ETag", etag(data))
	w.Header().Set("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
	w.Header().Set("Content-Type", "application/octet-stream")
	start, end := 0, len(data)
	status := http.StatusOK
	if rg := r.Header.Get("Range"); rg != "" {
		var a, b int
		if n, _ := fmt.Sscanf(rg, "bytes=%d-%d", &a, &b); n == 2 && a < len(data) {
			start, end, status = a, min(b+1, len(data)), http.StatusPartialContent
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, len(data)))
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(end-start))
	w.WriteHeader(status)
	if r.Method == http.MethodGet {
		_, _ = w.Write(data[start:end])
	}
}
