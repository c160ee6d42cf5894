package dsar_test

import (
	"testing"

	"github.com/piimap/piimap/executor/dsar"
)

func TestMaskDisplay(t *testing.T) {
	cases := map[string]string{
		"ann@example.com": "a***@e***.com",
		"+442079460000":   "+***0",
		"u-1":             "***",
		"Ann@Example":     "A***@E***",
	}
	for in, want := range cases {
		if got := dsar.MaskDisplay(in); got != want {
			t.Errorf("MaskDisplay(%q) = %q, want %q", in, got, want)
		}
	}
}
