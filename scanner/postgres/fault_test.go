package postgres_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap/classifiers"
	"github.com/piimap/piimap/lineage"
	"github.com/piimap/piimap/lineage/lineagetest"
	"github.com/piimap/piimap/scanner"
	_ "github.com/piimap/piimap/scanner/files"
)

// cutProxy forwards loopback TCP to a backend until cut, then closes every
// connection and refuses new ones: a database that goes away mid-scan.
type cutProxy struct {
	ln      net.Listener
	backend string
	mu      sync.Mutex
	conns   []net.Conn
	cut     bool
	wg      sync.WaitGroup
}

func newCutProxy(t *testing.T, backend string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{ln: ln, backend: backend}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() { p.Cut(); p.wg.Wait() })
	return p
}

func (p *cutProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		b, err := net.Dial("tcp", p.backend)
		p.mu.Lock()
		if err != nil || p.cut {
			p.mu.Unlock()
			c.Close()
			if b != nil {
				b.Close()
			}
			continue
		}
		p.conns = append(p.conns, c, b)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); _, _ = io.Copy(b, c); b.Close() }()
		go func() { defer p.wg.Done(); _, _ = io.Copy(c, b); c.Close() }()
	}
}

// Cut closes the listener and every proxied connection.
func (p *cutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return
	}
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestStoreGoesDownMidScan scans a database through a proxy that is cut
// after a few tables, next to a file store: the scan finishes, the
// database's lost tables are gaps in the result, and the file store is
// scanned in full.
func TestStoreGoesDownMidScan(t *testing.T) {
	const tables = 24
	var stmts []string
	for i := 0; i < tables; i++ {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE t%02d AS SELECT g AS id, 'user' || g || '@example.com' AS email
			FROM generate_series(1, 500) g`, i))
	}
	dbURL := newDB(t, append(stmts, "ANALYZE")...)
	u, err := url.Parse(dbURL)
	require.NoError(t, err)
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("pool_max_conns", "1")
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()

	dir := t.TempDir()
	for i := 0; i < 5; i++ {
		body := fmt.Sprintf("id,email\n1,a%d@example.com\n2,b%d@example.com\n3,c%d@example.com\n", i, i, i)
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%d.csv", i)), []byte(body), 0o644))
	}

	eng, err := classifiers.Default(classifiers.Options{})
	require.NoError(t, err)
	g := lineagetest.NewMemGraph()
	var once sync.Once
	appDone := 0
	res, err := scanner.Run(context.Background(), []scanner.StoreConfig{
		{Name: "app", URL: u.String()},
		{Name: "files", URL: "file://" + dir},
	}, scanner.Options{Graph: g, Classifier: eng, Merge: classifiers.Merge, Concurrency: 1,
		Progress: func(p scanner.Progress) {
			if p.Store == "app" && strings.HasPrefix(p.Unit, "public.t") {
				if appDone++; appDone == 3 {
					once.Do(proxy.Cut)
				}
			}
		}})
	require.NoError(t, err, "a store going down is a gap, not a failed scan")
	assert.Equal(t, lineage.RunGaps, res.Run.Status)

	scanned := map[string]int{}
	for _, f := range res.Findings {
		scanned[f.Loc.Store]++
	}
	assert.Equal(t, 5, scanned["files"], "every file's email column found")
	assert.GreaterOrEqual(t, scanned["app"], 2, "tables read before the cut keep their findings")
	assert.Less(t, scanned["app"], tables, "the cut must have cost some tables")

	lost := 0
	for _, e := range res.Errors {
		require.Equal(t, "app", e.Store, "only the database has gaps: %v", e)
		assert.NotContains(t, e.Err, "@example.com", "no raw values in errors")
		lost++
	}
	assert.Equal(t, tables-scanned["app"], lost, "every table not scanned is listed: %v", res.Errors)
}
