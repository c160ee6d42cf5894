package scanner

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/piimap/piimap"
)

// Selector applies a store's include/exclude globs to asset names. `*` and
// `?` do not cross '/', `**` does, `[...]` is a character class. An empty
// include list selects everything; exclude wins over include.
type Selector struct {
	include, exclude []*regexp.Regexp
}

// NewSelector compiles a store's globs; a malformed glob is a config error.
func NewSelector(include, exclude []string) (*Selector, error) {
	s := &Selector{}
	for _, g := range include {
		re, err := compileGlob(g)
		if err != nil {
			return nil, err
		}
		s.include = append(s.include, re)
	}
	for _, g := range exclude {
		re, err := compileGlob(g)
		if err != nil {
			return nil, err
		}
		s.exclude = append(s.exclude, re)
	}
	return s, nil
}

// Match reports whether the asset name is selected.
func (s *Selector) Match(name string) bool {
	if s == nil {
		return true
	}
	for _, re := range s.exclude {
		if re.MatchString(name) {
			return false
		}
	}
	if len(s.include) == 0 {
		return true
	}
	for _, re := range s.include {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

func compileGlob(g string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch c {
		case '*':
			if i+1 < len(g) && g[i+1] == '*' {
				i++
				// "**/" also matches zero directories.
				if i+1 < len(g) && g[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(g[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("glob %q: unclosed '[': %w", g, piimap.ErrConfig)
			}
			class := g[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		case '\\':
			if i+1 < len(g) {
				i++
				b.WriteString(regexp.QuoteMeta(string(g[i])))
			}
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("glob %q: %w", g, piimap.ErrConfig)
	}
	return re, nil
}
