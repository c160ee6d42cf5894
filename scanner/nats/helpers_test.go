package nats_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	pnats "github.com/piimap/piimap/scanner/nats"
)

// serverURL returns PIIMAP_TEST_NATS, skipping the test when it is unset.
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PIIMAP_TEST_NATS")
	if u == "" {
		t.Skip("PIIMAP_TEST_NATS is not set (e.g. nats://127.0.0.1:4222); skipping the NATS JetStream integration test")
	}
	return strings.TrimRight(u, "/")
}

// connect opens an admin connection for fixtures (the code under test opens
// its own).
func connect(t testing.TB) *pnats.Conn {
	t.Helper()
	c, err := pnats.ParseURL(serverURL(t))
	if err != nil {
		t.Fatalf("PIIMAP_TEST_NATS: %v", err)
	}
	conn, err := pnats.Connect(context.Background(), c, "piimap-test")
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// uniq is a fresh name part, so tests never collide with each other or with
// streams already on the server.
func uniq() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newStream creates a uniquely named stream (subjects NAME.>) and deletes
// it when the test ends. mod adjusts its config.
func newStream(t testing.TB, conn *pnats.Conn, base string, mod func(*jetstream.StreamConfig)) jetstream.Stream {
	t.Helper()
	name := "piimap_t_" + base + "_" + uniq()
	cfg := jetstream.StreamConfig{Name: name, Subjects: []string{name + ".>"}, Storage: jetstream.MemoryStorage, AllowDirect: true}
	if mod != nil {
		mod(&cfg)
	}
	ctx := context.Background()
	s, err := conn.JS.CreateStream(ctx, cfg)
	if err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
	t.Cleanup(func() {
		if err := conn.JS.DeleteStream(context.Background(), name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
	return s
}

func streamName(s jetstream.Stream) string { return s.CachedInfo().Config.Name }

// publish stores one message on NAME.<sub> and returns its sequence.
func publish(t testing.TB, conn *pnats.Conn, s jetstream.Stream, sub string, hdr map[string]string, data []byte) uint64 {
	t.Helper()
	m := natsgo.NewMsg(streamName(s) + "." + sub)
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

func publishJSON(t testing.TB, conn *pnats.Conn, s jetstream.Stream, sub string, hdr map[string]string, v any) uint64 {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return publish(t, conn, s, sub, hdr, b)
}

// checksum digests a stream's state and every message in it.
func checksum(t testing.TB, conn *pnats.Conn, name string) string {
	t.Helper()
	ctx := context.Background()
	s, err := conn.Stream(ctx, name)
	if err != nil {
		t.Fatalf("checksum %s: %v", name, err)
	}
	st := s.CachedInfo().State
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %d %d %d\n", st.Msgs, st.Bytes, st.FirstSeq, st.LastSeq, st.NumDeleted)
	err = conn.Walk(ctx, s, 0, func(m pnats.Message) error {
		fmt.Fprintf(h, "%d %s %d %v %x\n", m.Seq, m.Subject, m.Time.UnixNano(), m.Header, m.Data)
		return nil
	})
	if err != nil {
		t.Fatalf("checksum %s: %v", name, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
