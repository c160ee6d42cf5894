package scanner

import (
	"regexp"
	"strings"
)

// quoted matches quoted fragments in third-party error text (parsers quote
// the bytes they choked on, which may be personal data).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")

// ScrubError returns err with a message safe for the graph, logs and
// reports: quoted fragments are replaced by "…" and each of the given
// machine paths (a store's root) is removed. errors.Is/As still see the
// original chain.
func ScrubError(err error, paths ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, p := range paths {
		if p != "" {
			msg = strings.ReplaceAll(msg, p+"/", "")
			msg = strings.ReplaceAll(msg, p, ".")
		}
	}
	msg = quoted.ReplaceAllString(msg, `"…"`)
	if msg == err.Error() {
		return err
	}
	return scrubbed{msg: msg, err: err}
}

type scrubbed struct {
	msg string
	err error
}

func (s scrubbed) Error() string { return s.msg }
func (s scrubbed) Unwrap() error { return s.err }
