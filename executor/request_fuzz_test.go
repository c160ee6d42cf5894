package executor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// fuzzService is a Service over an in-memory graph with a fixed
// installation key, its keyring loaded.
func fuzzService(t testing.TB) *Service {
	t.Helper()
	g := lineagetest.NewMemGraph()
	s := New(g, g, nil, Options{InstallationKey: []byte("fuzz-installation-key-0123456789")})
	if err := s.init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzDecodeRequest: a stored request document decodes, or fails with an
// error wrapping piimap.ErrCorrupt, whatever its bytes. With a valid seal
// over any secrets, it decodes exactly when the secrets are a JSON object
// of the secrets' shape, and then to the sealed subject and changes; the
// same seal under another request's ID never opens (a sealed blob cannot
// be moved to another document); and a request saved with the decoded
// secrets loads back equal.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []struct{ doc, secrets string }{
		{`{"request":{"id":"r1","type":"erasure","requester":"dpo","subject":{"email":["a•••@example.com"]},"status":"pending","history":[]},"sealed":""}`,
			`{"subject":{"email":["ann@example.com"]}}`},
		{`{"request":{"id":"r2","type":"rectification","requester":"x","subject":{},"changes":{"email":"n•••"},"modes":{"*":"mask"},"allow_multiple":2,"status":"approved","history":[{"to":"approved"}],"created_at":"2026-01-02T03:04:05Z"}}`,
			`{"subject":{"email":["ann@example.com"],"phone":["+12136625868"]},"changes":{"email":"new@example.com"}}`},
		{`{"request":null}`, `{}`}, {`{}`, `null`}, {`[]`, `[]`}, {``, ``}, {`{"request":{},"sealed":"!!"}`, `{"subject":3}`},
		{`{"request":{"id":"r3"},"sealed":"AAAA"}`, `{"subject":{"email":null}}`},
	} {
		f.Add([]byte(s.doc), []byte(s.secrets), "r1")
	}
	s := fuzzService(f)
	f.Fuzz(func(t *testing.T, doc, plain []byte, id string) {
		// Any bytes as they are: decoded or ErrCorrupt.
		if _, err := s.decodeRequest(id, doc); err != nil && !errors.Is(err, piimap.ErrCorrupt) {
			t.Fatalf("raw document: error does not wrap ErrCorrupt: %v", err)
		}
		var d requestDoc
		if json.Unmarshal(doc, &d) != nil || d.Request == nil {
			return
		}
		d.Sealed = base64.StdEncoding.EncodeToString(s.keys.Seal(plain, docRequest+"/"+id))
		sealed, err := json.Marshal(d)
		if err != nil {
			return // a value json reads but cannot write back
		}
		r, err := s.decodeRequest(id, sealed)
		var sec secrets
		if json.Unmarshal(plain, &sec) != nil {
			if !errors.Is(err, piimap.ErrCorrupt) {
				t.Fatalf("secrets %q are not an object, decode: %v", plain, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("a validly sealed document does not decode: %v", err)
		}
		if !reflect.DeepEqual(r.subject, sec.Subject) || !reflect.DeepEqual(r.changes, sec.Changes) {
			t.Fatalf("secrets decoded as %v %v, sealed %v %v", r.subject, r.changes, sec.Subject, sec.Changes)
		}
		if _, err := s.decodeRequest(id+"x", sealed); !errors.Is(err, piimap.ErrCorrupt) {
			t.Fatalf("a seal moved to another request's ID: %v", err)
		}

		// Save and load: the stored form round-trips.
		if r.ID == "" {
			r.ID = "fuzz"
		}
		ctx := context.Background()
		if err := s.saveRequest(ctx, r); err != nil {
			t.Fatalf("save: %v", err)
		}
		back, err := s.loadRequest(ctx, r.ID)
		if err != nil {
			t.Fatalf("load what was saved: %v", err)
		}
		want, _ := json.Marshal(r)
		got, _ := json.Marshal(back)
		if string(want) != string(got) || !reflect.DeepEqual(back.subject, r.subject) || !reflect.DeepEqual(back.changes, r.changes) {
			t.Fatalf("saved request loads back changed:\n%s\n%s", want, got)
		}
	})
}
