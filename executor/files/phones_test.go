package files_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
)

// TestErasePhonesAsWritten: an erasure by a phone in E.164 redacts every
// way a log writes that number (international, national, the trunk 0 in
// brackets after the country code, glued or spaced; followed by a digit
// group, which cannot continue a UK number) and nothing else; the
// witness is the file's bytes, read here, not the handler's count.
func TestErasePhonesAsWritten(t *testing.T) {
	const asset = "logs/sms.log"
	data := "sms to +44 (0)20 7946 0958 sent\n" +
		"sms to +44(0)20 7946 0958 sent\n" +
		"callback +44 (0) 20 7946 0958, retry\n" +
		"sms to 020 7946 0958 sent\n" +
		"sms to +44 20 7946 0958 sent\n" +
		"sms to +44 20 7946 0958 12 times\n" +
		// bystanders: another number, the same digits inside a longer run
		"sms to +44 (0)20 7946 0959 sent\n" +
		"ref +44 (0)20 7946 09581 kept\n" +
		"order 5-020 7946 0958 kept\n"
	h, p := openLog(t, asset, data)
	defer h.Close()
	res, err := h.Erase(context.Background(), []driver.Target{{Asset: asset, Mode: driver.ModeRedact,
		Match: []driver.Match{{Kind: piimap.KeyPhone, Values: []string{"+442079460958"}, Region: "GB"}}}}, driver.EraseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines after erasure, want 9", len(lines))
	}
	for i := range 6 {
		if strings.Contains(lines[i], "7946") || !strings.Contains(lines[i], "[REDACTED]") {
			t.Errorf("line %d still holds the subject's number (or was not redacted)", i+1)
		}
	}
	want := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	for i := 6; i < 9; i++ {
		if lines[i] != want[i] {
			t.Errorf("bystander line %d changed", i+1)
		}
	}
	if res[0].Found != 6 {
		t.Errorf("handler found %d lines, want 6", res[0].Found)
	}
}

// TestEraseScannedPhones: where the request matcher alone would not find
// the subject's number (a numbered line, a number after another digit
// group) but the scanner reads it, and so mapped the log as holding it,
// the erasure rewrites it too (driver's second witness), a Find after it
// counts nothing, and the bytes read back here hold no trace of the
// number; bystander lines stay byte for byte.
func TestEraseScannedPhones(t *testing.T) {
	const asset = "logs/support.log"
	data := "1. 0171 1234567 angerufen\n" +
		"Rückruf an 2. 0171 1234567 erbeten\n" +
		"order 12 +49 171 1234567 today\n" +
		"call (201) 555-0123 12 times\n" +
		// bystanders: another number; the digits glued into a longer run
		"1. 0171 7654321 angerufen\n" +
		"ref 12-0171-1234567-9 kept\n" +
		"call (201) 555-0124 12 times\n"
	h, p := openLog(t, asset, data)
	defer h.Close()
	tg := driver.Target{Asset: asset, Mode: driver.ModeRedact, Match: []driver.Match{
		{Kind: piimap.KeyPhone, Values: []string{"+491711234567"}, Region: "DE"},
		{Kind: piimap.KeyPhone, Values: []string{"+12015550123"}, Region: "US"}}}
	ctx := context.Background()
	before, err := driver.CountRows(ctx, h, tg)
	if err != nil {
		t.Fatal(err)
	}
	if before != 4 {
		t.Errorf("Find counts %d lines before erasure, want 4", before)
	}
	if _, err := h.Erase(ctx, []driver.Target{tg}, driver.EraseOptions{}); err != nil {
		t.Fatal(err)
	}
	after, err := driver.CountRows(ctx, h, tg)
	if err != nil {
		t.Fatal(err)
	}
	if after != 0 {
		t.Errorf("Find counts %d lines after erasure, want 0", after)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	want := strings.Split(strings.TrimSuffix(data, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines after erasure, want %d", len(lines), len(want))
	}
	for i := range 4 {
		if strings.Contains(identifierDigits(lines[i]), "1711234567") || strings.Contains(identifierDigits(lines[i]), "2015550123") ||
			!strings.Contains(lines[i], "[REDACTED]") {
			t.Errorf("line %d still holds the subject's number (or was not redacted)", i+1)
		}
	}
	for i := 4; i < len(want); i++ {
		if lines[i] != want[i] {
			t.Errorf("bystander line %d changed", i+1)
		}
	}
}

// identifierDigits is the digits of s, for a check that no spelling of a
// number is left.
func identifierDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// openLog writes data to asset in a new files store and opens its
// handler; p is the file's path, for reading its bytes back.
func openLog(t *testing.T, asset, data string) (h driver.Handler, p string) {
	t.Helper()
	root := t.TempDir()
	p = filepath.Join(root, filepath.FromSlash(asset))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o640); err != nil {
		t.Fatal(err)
	}
	return open(t, root), p
}
