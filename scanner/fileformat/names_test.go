package fileformat_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/piimap/piimap/scanner/fileformat"
)

func TestUnsafeName(t *testing.T) {
	for _, bad := range []string{"", "/abs", "\\abs", "../x", "a/../../b", "a/..", "./a", "a/./b", "..\\x", "a\\..\\b",
		"a\x00b", "a\nb", "a\x1b[0m", "a\u0085b", "a\u202eb", "\x7f"} {
		assert.NotEmpty(t, fileformat.UnsafeName(bad), "%q", bad)
	}
	for _, good := range []string{"a.csv", "2024/01/x.log.gz", "weird name+%.csv", "..hidden", "a..b/c", "dir/", "ünïcode/файл.csv", "a\\b.csv"} {
		assert.Empty(t, fileformat.UnsafeName(good), "%q", good)
	}
	assert.Equal(t, `a\x00b\x0a\x1b[0m\u{202e}`, fileformat.EscapeName("a\x00b\n\x1b[0m\u202e"))
	assert.Equal(t, `bad\xffutf8`, fileformat.EscapeName("bad\xffutf8"))
	assert.Equal(t, `a\\x0a\x0a`, fileformat.EscapeName("a\\x0a\n"))
	assert.Equal(t, "safe\\name", fileformat.EscapeName("safe\\name"), "safe names are unchanged")
}

func FuzzEscapeName(f *testing.F) {
	f.Add("a\x00b")
	f.Add("\\x41\n")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, name string) {
		e := fileformat.EscapeName(name)
		for _, r := range e {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("EscapeName(%q) = %q holds a control character", name, e)
			}
		}
		if fileformat.UnsafeName(name) == "" && utf8.ValidString(name) && e != name {
			t.Fatalf("EscapeName changed the safe name %q into %q", name, e)
		}
	})
}
