package s3_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xs3 "github.com/piimap/piimap/executor/s3"
	"github.com/piimap/piimap/scanner"
	"github.com/piimap/piimap/scanner/s3/s3test"
)

// escapingAssets are targets whose keys would leave the store prefix, or
// could not name an object safely: each is refused before any request.
var escapingAssets = []string{
	"../outside.csv", "/outside.csv", "a/../../outside.csv", "./exports/customers.csv", "exports//customers.csv",
	`..\outside.csv`, "nul\x00.csv", "ctl\x1b[2J.csv", "exports/customers.csv/..",
}

// refuseAll runs every handler operation on each escaping target and
// checks each is refused with piimap.ErrUnsupported and an escaped message.
func refuseAll(t *testing.T, h *xs3.Handler) {
	t.Helper()
	ctx := context.Background()
	for _, asset := range escapingAssets {
		tg := driver.Target{Asset: asset, Mode: driver.ModeDelete,
			Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}}
		errs := map[string]error{}
		errs["check"] = h.CheckMode(tg)
		errs["find"] = h.Find(ctx, tg, func(driver.Batch) error {
			t.Errorf("%q: find emitted rows", asset)
			return nil
		})
		_, errs["count"] = h.Count(ctx, tg)
		_, errs["erase"] = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{})
		_, errs["dry-run"] = h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{DryRun: true})
		rt := tg
		rt.Changes = map[string]string{"email": "new@example.com"}
		_, errs["rectify"] = h.Rectify(ctx, []driver.Target{rt}, driver.EraseOptions{})
		_, errs["export"] = h.ExportParquet(ctx, tg, filepath.Join(t.TempDir(), "x.parquet"))
		_, errs["version"] = h.AssetVersion(ctx, asset)
		for op, err := range errs {
			if !errors.Is(err, piimap.ErrUnsupported) {
				t.Errorf("%s %q: err = %v, want ErrUnsupported", op, asset, err)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, "unsafe object key") || strings.ContainsAny(msg, "\x00\x1b") || strings.Contains(msg, "@example") {
				t.Errorf("%s %q: message %q", op, asset, msg)
			}
		}
	}
}

// TestEscapingKeysFake: on an in-process fake server holding an object at
// every key the targets would reach, no refused target sends a single
// request.
func TestEscapingKeysFake(t *testing.T) {
	objs := map[string][]byte{"outside.csv": []byte(csvData), "lake/exports/customers.csv": []byte(csvData)}
	for _, a := range escapingAssets {
		objs["lake/"+a] = []byte(csvData)
	}
	f := s3test.NewFake(t, "fakebucket", objs)
	h, err := xs3.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: f.StoreURL("lake")},
		driver.HandlerOptions{MaskKey: []byte("test-mask-key")})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	before := len(f.Requests())
	refuseAll(t, h.(*xs3.Handler))
	if reqs := f.Requests()[before:]; len(reqs) != 0 {
		t.Errorf("refused targets sent requests: %q", reqs)
	}
}

// TestEscapingKeysServer: on the real server, with the subject's rows in
// an object outside the prefix and at the keys the targets name, every
// target is refused and the bucket is unchanged.
func TestEscapingKeysServer(t *testing.T) {
	b := s3test.NewBucket(t)
	b.Put(t, "outside.csv", []byte(csvData), nil)
	b.Put(t, "lake/exports/customers.csv", []byte(csvData), nil)
	b.Put(t, "lake/../outside.csv", []byte(csvData), nil) // gocloud keeps ../ literally (escaped on the wire)
	b.Put(t, "lake/nul\x00.csv", []byte(csvData), nil)
	sum := b.Checksum(t)
	h := open(t, b, driver.HandlerOptions{})
	defer h.Close()
	refuseAll(t, h)
	if b.Checksum(t) != sum {
		t.Error("a refused target changed the bucket")
	}
	if got := string(b.Get(t, "outside.csv")); got != csvData {
		t.Error("the object outside the prefix changed")
	}
}
