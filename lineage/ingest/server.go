package ingest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"time"

	"github.com/piimap/piimap/lineage"
)

// LineagePath is where OpenLineage's HTTP transport posts events (its
// default endpoint, api/v1/lineage).
const LineagePath = "/api/v1/lineage"

// DefaultMaxBody bounds one request body.
const DefaultMaxBody = 4 << 20

// Server receives OpenLineage events over HTTP, the way Marquez does:
// POST LineagePath with one event (or a JSON array of events) as JSON.
// Each valid event that carries lineage is stored as its own source (the
// same content twice is one document) and answered 201; a valid event with
// nothing to keep (a FAIL event, no outputs) is answered 200; an invalid
// one 400 with a JSON {"error": …} that says why; a body over MaxBody 413;
// a store failure (the graph held by a running scan) 503 with Retry-After,
// so the client can send it again. Stored events become edges at the next
// `piimap scan` or `piimap lineage ingest --apply`. GET /healthz answers
// 200.
type Server struct {
	Docs lineage.DocStore
	// Name is recorded as each stored source's name: the endpoint URL.
	Name string
	// APIKey, when set, is required as "Authorization: Bearer KEY" (the
	// OpenLineage client's api_key auth).
	APIKey  string
	MaxBody int64 // DefaultMaxBody when 0
	Logger  *slog.Logger
	Now     func() time.Time
}

type errorBody struct {
	Error string `json:"error"`
}

// Response is the JSON answer to a POST.
type Response struct {
	Stored   int      `json:"stored"`
	IDs      []string `json:"ids"`
	Received int      `json:"received"`
	Dropped  int      `json:"dropped"` // valid, but no lineage
	Repeated int      `json:"repeated"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
		return
	case LineagePath, LineagePath + "/":
	default:
		writeJSON(w, http.StatusNotFound, errorBody{"not found: events go to POST " + LineagePath})
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method not allowed: use POST"})
		return
	}
	if s.APIKey != "" {
		want := "Bearer " + s.APIKey
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="piimap"`)
			writeJSON(w, http.StatusUnauthorized, errorBody{"unauthorized: send Authorization: Bearer <api key>"})
			return
		}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			writeJSON(w, http.StatusUnsupportedMediaType, errorBody{"content type must be application/json"})
			return
		}
	}
	limit := s.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{fmt.Sprintf("body larger than %d bytes", limit)})
			return
		}
		writeJSON(w, http.StatusBadRequest, errorBody{"reading the body failed"})
		return
	}
	events, st, err := DecodeEvents(bytes.NewReader(body))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{err.Error()})
		return
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	resp := Response{IDs: []string{}, Received: st.Read, Dropped: st.Dropped, Repeated: st.Repeated}
	for _, e := range events {
		src := &Source{Kind: KindOpenLineage, Name: s.Name, IngestedAt: now().UTC(), Events: []Event{e},
			Stats: Stats{Read: 1, Kept: 1}}
		if err := Put(r.Context(), s.Docs, src); err != nil {
			s.logger().Warn("openlineage event not stored", "err", err, "stored_before", resp.Stored)
			w.Header().Set("Retry-After", "5")
			writeJSON(w, http.StatusServiceUnavailable, errorBody{"the event could not be stored now (the graph is busy); retry later"})
			return
		}
		resp.Stored++
		resp.IDs = append(resp.IDs, src.ID)
	}
	s.logger().Info("openlineage events received", "received", st.Read, "stored", resp.Stored, "dropped", st.Dropped)
	code := http.StatusOK
	if resp.Stored > 0 {
		code = http.StatusCreated
	}
	writeJSON(w, code, resp)
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// ListenAndServe serves h on addr until ctx is cancelled, then stops
// accepting and waits up to ten seconds for requests in flight. ready, if
// not nil, is called with the bound address once the listener is open
// (addr may use port 0).
func ListenAndServe(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("ingest: listen %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("ingest: serve %s: %w", addr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("ingest: shutdown %s: %w", addr, err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ingest: serve %s: %w", addr, err)
	}
	return nil
}

// IsLoopback reports whether addr ("host:port") listens on loopback only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
