package nats_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/piimap/piimap/scanner"
	pnats "github.com/piimap/piimap/scanner/nats"
	"github.com/piimap/piimap/scanner/scannertest"
)

// harness materialises fixture tables as streams, one JSON message per row
// (empty cells omitted). Texts have no stream form: a stream unit is
// structured, its text payloads are sampled as the `data` field.
type harness struct {
	conn  *pnats.Conn
	names map[string]string // fixture table → stream
}

func (h *harness) Make(t *testing.T, fx scannertest.Fixture) scanner.StoreConfig {
	url := serverURL(t) + "?stream="
	for i, tb := range fx.Tables {
		s := newStream(t, h.conn, tb.Name, nil)
		h.names[tb.Name] = streamName(s)
		for _, row := range tb.Rows {
			doc := map[string]string{}
			for c, col := range tb.Columns {
				if row[c] != "" {
					doc[col] = row[c]
				}
			}
			publishJSON(t, h.conn, s, "rows", nil, doc)
		}
		if i > 0 {
			url += ","
		}
		url += streamName(s)
	}
	return scanner.StoreConfig{Name: "bus", URL: url}
}

func (h *harness) Asset(name string) (string, bool) {
	s, ok := h.names[name]
	return s, ok
}

func (h *harness) Checksum(t *testing.T, cfg scanner.StoreConfig) string {
	sum := ""
	for _, name := range slices.Sorted(maps.Keys(h.names)) {
		sum += name + ":" + checksum(t, h.conn, h.names[name]) + ";"
	}
	return sum
}

func TestConformance(t *testing.T) {
	conn := connect(t)
	scannertest.RunConformance(t, &harness{conn: conn, names: map[string]string{}})
}
