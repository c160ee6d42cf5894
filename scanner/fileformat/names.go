package fileformat

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/piimap/piimap"
)

// MetaSkipped is the unit meta key (an asset attribute in the graph) of a
// unit a source lists but will not read: a symlink it does not follow, an
// object whose name is unsafe, binary content, a fifo, socket or device.
// Its value is the reason, which reading the unit returns as its error
// (wrapping piimap.ErrUnsupported; piimap.ErrOutsideRoot for containment),
// so the unit shows in the scan's errors and the plan's gaps instead of
// vanishing.
const MetaSkipped = piimap.MetaSkipped

// UnsafeName says why an asset name (a path relative to a store root, or an
// object key relative to a store prefix) is not one a store may map to a
// file or read as an object: "" when it is safe. Unsafe are the empty name,
// a name holding a control character (NUL, newline, escape, C1) or a bidi
// formatting character, an absolute name (leading / or \), and a name with a
// "." or ".." segment between slashes or backslashes (so that `../x`,
// `a/../../b` and `..\x` never leave a root, on any platform).
func UnsafeName(name string) string {
	if name == "" {
		return "empty name"
	}
	for _, r := range name {
		if unsafeRune(r) {
			return "name holds control characters"
		}
	}
	if name[0] == '/' || name[0] == '\\' {
		return "absolute name"
	}
	for _, seg := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == "." || seg == ".." {
			return "name has a . or .. segment"
		}
	}
	return ""
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// EscapeName renders a name for messages, unit names and logs: control
// and bidi formatting characters become \xNN or \u{NNNN}, bytes that are
// not UTF-8 become \xNN, and a backslash that would start such an escape is
// doubled, so no raw control byte reaches a terminal, a log line or the
// graph. A safe name is returned unchanged.
func EscapeName(name string) string {
	clean := true
	for i, r := range name {
		if unsafeRune(r) || r == utf8.RuneError && !strings.HasPrefix(name[i:], "\uFFFD") {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, name[i])
		case r < 0x100 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u{%04x}`, r)
		case r == '\\' && i+1 < len(name) && (name[i+1] == 'x' || name[i+1] == 'u' || name[i+1] == '\\'):
			b.WriteString(`\\`)
		default:
			b.WriteString(name[i : i+n])
		}
		i += n
	}
	return b.String()
}
