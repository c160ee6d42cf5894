package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
)

// fixtureEvents returns the fixture's events as JSON objects.
func fixtureEvents(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "openlineage_events.jsonl"))
	require.NoError(t, err)
	return strings.Split(strings.TrimSpace(string(raw)), "\n")
}

// failingDocs is a DocStore whose writes fail, like a graph held by a scan.
type failingDocs struct{ lineage.DocStore }

func (failingDocs) PutDoc(context.Context, string, string, []byte) error {
	return errors.New("graph directory is in use by another process")
}

func TestServer(t *testing.T) {
	ev := fixtureEvents(t)
	for _, tc := range []struct {
		name        string
		method      string
		path        string
		contentType string
		auth        string
		body        string
		apiKey      string
		docs        func(*lineagetest.MemGraph) lineage.DocStore
		code        int
		errContains string
		stored      int
		docsAfter   int
	}{
		{name: "one event", body: ev[0], code: http.StatusCreated, stored: 1, docsAfter: 1},
		{name: "content type with charset", body: ev[0], contentType: "application/json; charset=utf-8", code: http.StatusCreated, stored: 1, docsAfter: 1},
		{name: "array", body: "[" + ev[0] + "," + ev[3] + "]", code: http.StatusCreated, stored: 2, docsAfter: 2},
		{name: "same lineage twice in one array", body: "[" + ev[0] + "," + ev[1] + "]", code: http.StatusCreated, stored: 1, docsAfter: 1},
		{name: "failed run keeps nothing", body: ev[2], code: http.StatusOK, docsAfter: 0},
		{name: "trailing slash", path: LineagePath + "/", body: ev[3], code: http.StatusCreated, stored: 1, docsAfter: 1},
		{name: "not json", body: "{nope", code: http.StatusBadRequest, errContains: "syntax error"},
		{name: "empty", body: "", code: http.StatusBadRequest, errContains: "no events"},
		{name: "no job", body: `{"eventType":"COMPLETE","eventTime":"2026-01-01T00:00:00Z","outputs":[{"namespace":"a","name":"b"}]}`,
			code: http.StatusBadRequest, errContains: "job.namespace and job.name are required"},
		{name: "bad time", body: `{"eventTime":"yesterday","job":{"namespace":"a","name":"b"}}`,
			code: http.StatusBadRequest, errContains: "not RFC 3339"},
		{name: "bad type", body: `{"eventType":"DONE","eventTime":"2026-01-01T00:00:00Z","job":{"namespace":"a","name":"b"}}`,
			code: http.StatusBadRequest, errContains: "eventType"},
		{name: "dataset without name", body: `{"eventTime":"2026-01-01T00:00:00Z","job":{"namespace":"a","name":"b"},"outputs":[{"namespace":"a"}]}`,
			code: http.StatusBadRequest, errContains: "outputs[0]: namespace and name are required"},
		{name: "second event invalid", body: "[" + ev[0] + `,{"eventTime":"x"}]`, code: http.StatusBadRequest, errContains: "event 2", docsAfter: 0},
		{name: "too large", body: `{"pad":"` + strings.Repeat("x", DefaultMaxBody) + `"}`, code: http.StatusRequestEntityTooLarge},
		{name: "text body", body: ev[0], contentType: "text/plain", code: http.StatusUnsupportedMediaType},
		{name: "GET", method: http.MethodGet, code: http.StatusMethodNotAllowed},
		{name: "other path", path: "/api/v1/namespaces", body: ev[0], code: http.StatusNotFound},
		{name: "health", method: http.MethodGet, path: "/healthz", code: http.StatusOK},
		{name: "api key missing", apiKey: "k3y", body: ev[0], code: http.StatusUnauthorized},
		{name: "api key wrong", apiKey: "k3y", auth: "Bearer nope", body: ev[0], code: http.StatusUnauthorized},
		{name: "api key", apiKey: "k3y", auth: "Bearer k3y", body: ev[0], code: http.StatusCreated, stored: 1, docsAfter: 1},
		{name: "graph busy", body: ev[0], docs: func(g *lineagetest.MemGraph) lineage.DocStore { return failingDocs{g} },
			code: http.StatusServiceUnavailable, errContains: "retry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := lineagetest.NewMemGraph()
			var docs lineage.DocStore = g
			if tc.docs != nil {
				docs = tc.docs(g)
			}
			ts := httptest.NewServer(&Server{Docs: docs, Name: "http://127.0.0.1:5000" + LineagePath, APIKey: tc.apiKey})
			defer ts.Close()
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			path := tc.path
			if path == "" {
				path = LineagePath
			}
			req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			resp, err := ts.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.Equal(t, tc.code, resp.StatusCode, "%s", body)
			if tc.errContains != "" {
				var e errorBody
				require.NoError(t, json.Unmarshal(body, &e))
				require.Contains(t, e.Error, tc.errContains)
			}
			if tc.code == http.StatusServiceUnavailable {
				require.Equal(t, "5", resp.Header.Get("Retry-After"))
			}
			if tc.code == http.StatusCreated || (tc.code == http.StatusOK && path == LineagePath) {
				var r Response
				require.NoError(t, json.Unmarshal(body, &r))
				require.Equal(t, tc.stored, r.Stored)
				require.Len(t, r.IDs, tc.stored)
			}
			all, err := List(context.Background(), g)
			require.NoError(t, err)
			require.Len(t, all, tc.docsAfter)
			for _, s := range all {
				require.Equal(t, KindOpenLineage, s.Kind)
				require.Equal(t, "http://127.0.0.1:5000"+LineagePath, s.Name)
				b, _ := json.Marshal(s)
				require.NotContains(t, string(b), "ol.canary.9b2e@example.org", "sql facet, error message and descriptions are dropped")
			}
		})
	}
}

// TestServerIdempotent posts the same event twice: one document.
func TestServerIdempotent(t *testing.T) {
	g := lineagetest.NewMemGraph()
	ts := httptest.NewServer(&Server{Docs: g, Name: "test"})
	defer ts.Close()
	ev := fixtureEvents(t)
	var ids []string
	for _, body := range []string{ev[0], ev[1]} { // same lineage, another run
		resp, err := http.Post(ts.URL+LineagePath, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		var r Response
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&r))
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		ids = append(ids, r.IDs...)
	}
	require.Len(t, ids, 2)
	require.Equal(t, ids[0], ids[1])
	all, err := List(context.Background(), g)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

// TestListenAndServe runs the real listener and shuts it down by context.
func TestListenAndServe(t *testing.T) {
	g := lineagetest.NewMemGraph()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() {
		done <- ListenAndServe(ctx, "127.0.0.1:0", &Server{Docs: g, Name: "test"}, func(a net.Addr) { addrc <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	resp, err := http.Post("http://"+addr.String()+LineagePath, "application/json", strings.NewReader(fixtureEvents(t)[3]))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("no shutdown after cancel")
	}
	_, err = http.Post("http://"+addr.String()+LineagePath, "application/json", strings.NewReader("{}"))
	require.Error(t, err, "the listener is closed")

	require.Error(t, ListenAndServe(context.Background(), "127.0.0.1:99999", http.NotFoundHandler(), nil))
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:5000": true, "localhost:5000": true, "[::1]:5000": true,
		"0.0.0.0:5000": false, ":5000": false, "10.0.0.1:5000": false, "nope": false} {
		require.Equal(t, want, IsLoopback(addr), addr)
	}
}
