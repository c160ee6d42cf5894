package files_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/piimap/piimap"
	"github.com/piimap/piimap/executor/driver"
	xfiles "github.com/piimap/piimap/executor/files"
	"github.com/piimap/piimap/scanner"
)

// Synthetic test data only.

// TestBigJSONHandlerRefusal: through the Handler, the refusal of an
// oversized JSON row (over 16 MiB, with a string over 1 MiB: the codec's
// bounds, filerewrite's bigjson tests lower them) in mode null names the
// file, leaves it as it was, and wraps piimap.ErrUnsupported; mode delete
// drops the row.
func TestBigJSONHandlerRefusal(t *testing.T) {
	const subject = "ann.subject@example.test"
	dir := t.TempDir()
	note := strings.Repeat("lorem ipsum dolor sit amet ", (17<<20)/27)
	in := `[{"note": "` + note + `", "email": "` + subject + `"}]`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.json"), []byte(in), 0o600))
	h, err := xfiles.Open(context.Background(), scanner.StoreConfig{Name: "lake", URL: "file://" + dir}, driver.HandlerOptions{MaskKey: []byte("k")})
	require.NoError(t, err)
	defer h.Close()
	target := func(mode driver.Mode) driver.Target {
		return driver.Target{Asset: "big.json", Mode: mode, Fields: []string{"note"},
			Match: []driver.Match{{Field: "email", Kind: piimap.KeyEmail, Values: []string{subject}}}}
	}
	_, err = h.Erase(context.Background(), []driver.Target{target(driver.ModeNull)}, driver.EraseOptions{})
	require.True(t, errors.Is(err, piimap.ErrUnsupported), "%v", err)
	require.Contains(t, err.Error(), "big.json")
	left, err := os.ReadFile(filepath.Join(dir, "big.json"))
	require.NoError(t, err)
	require.True(t, string(left) == in, "the file is left as it was")
	rs, err := h.Erase(context.Background(), []driver.Target{target(driver.ModeDelete)}, driver.EraseOptions{})
	require.NoError(t, err)
	require.EqualValues(t, 1, rs[0].Changed)
	left, err = os.ReadFile(filepath.Join(dir, "big.json"))
	require.NoError(t, err)
	require.Equal(t, "[]", string(left))
}
