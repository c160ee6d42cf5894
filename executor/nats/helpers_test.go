package nats_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/piimap/piimap/executor/driver"
	enats "github.com/piimap/piimap/executor/nats"
	"github.com/piimap/piimap/scanner"
	snats "github.com/piimap/piimap/scanner/nats"
)

func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PIIMAP_TEST_NATS")
	if u == "" {
		t.Skip("PIIMAP_TEST_NATS is not set (e.g. nats://127.0.0.1:4222); skipping the NATS JetStream integration test")
	}
	return strings.TrimRight(u, "/")
}

func connect(t testing.TB) *snats.Conn {
	t.Helper()
	c, err := snats.ParseURL(serverURL(t))
	if err != nil {
		t.Fatalf("PIIMAP_TEST_NATS: %v", err)
	}
	conn, err := snats.Connect(context.Background(), c, "piimap-test")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func uniq() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newStream creates a uniquely named stream (subjects NAME.>), deleted when
// the test ends.
func newStream(t testing.TB, conn *snats.Conn, base string, mod func(*jetstream.StreamConfig)) string {
	t.Helper()
	name := "piimap_x_" + base + "_" + uniq()
	cfg := jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.FileStorage, AllowDirect: true}
	if mod != nil {
		mod(&cfg)
	}
	if _, err := conn.JS.CreateStream(context.Background(), cfg); err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := conn.JS.DeleteStream(context.Background(), name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
	return name
}

func publish(t testing.TB, conn *snats.Conn, stream, sub string, hdr map[string]string, data []byte) uint64 {
	t.Helper()
	m := natsgo.NewMsg(stream + "." + sub)
	m.Data = data
	for k, v := range hdr {
		m.Header[k] = []string{v}
	}
	ack, err := conn.JS.PublishMsg(context.Background(), m)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return ack.Sequence
}

func publishJSON(t testing.TB, conn *snats.Conn, stream, sub string, hdr map[string]string, v any) uint64 {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return publish(t, conn, stream, sub, hdr, b)
}

func openHandler(t testing.TB, url string, readOnly bool) *enats.Handler {
	t.Helper()
	h, err := enats.Open(context.Background(), scanner.StoreConfig{Name: "bus", URL: url}, driver.HandlerOptions{ReadOnly: readOnly})
	if err != nil {
		t.Fatalf("open handler: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h.(*enats.Handler)
}

func scannerCfg(url string) scanner.StoreConfig { return scanner.StoreConfig{Name: "bus", URL: url} }
