package classifiers

import (
	"strings"

	"github.com/piimap/piimap"
)

// Mask returns a masked example of value v of PII type typ, safe to show in
// findings and reports: j***@e***.com, ***-**-6789, 4111 **** **** 1111,
// 203.0.*.*, J*** D***. It never returns more than a few characters of v.
func Mask(typ, v string) string {
	if v == "" {
		return ""
	}
	switch typ {
	case piimap.TypeEmail:
		at := strings.LastIndexByte(v, '@')
		if at <= 0 {
			return stars(v, 1)
		}
		dom := v[at+1:]
		tld := ""
		if i := strings.LastIndexByte(dom, '.'); i > 0 {
			tld = dom[i:]
		}
		return v[:1] + "***@" + dom[:1] + "***" + tld
	case piimap.TypeUSSSN:
		return "***-**-" + lastDigits(v, 4)
	case piimap.TypeCreditCard:
		d := digitsOf(v)
		if len(d) < 12 {
			return "****"
		}
		return d[:4] + " **** **** " + d[len(d)-4:]
	case piimap.TypeIBAN:
		c := strings.ReplaceAll(v, " ", "")
		if len(c) < 8 {
			return "****"
		}
		return c[:4] + " **** " + c[len(c)-4:]
	case piimap.TypePhone:
		d := digitsOf(v)
		if len(d) < 4 {
			return "***"
		}
		p := ""
		if strings.HasPrefix(strings.TrimSpace(v), "+") {
			p = "+"
		}
		return p + strings.Repeat("*", len(d)-2) + d[len(d)-2:]
	case piimap.TypeIPAddress:
		if strings.Count(v, ".") == 3 && !strings.Contains(v, ":") {
			parts := strings.Split(v, ".")
			return parts[0] + "." + parts[1] + ".*.*"
		}
		parts := strings.Split(v, ":")
		if len(parts) > 2 {
			return parts[0] + ":" + parts[1] + ":*"
		}
		return "*"
	case piimap.TypeMACAddress:
		if len(v) == 17 {
			s := v[2:3]
			return v[:8] + s + "**" + s + "**" + s + "**"
		}
		return stars(v, 4)
	case piimap.TypePersonName:
		f := strings.Fields(v)
		for i, w := range f {
			f[i] = firstRune(w) + "***"
		}
		return strings.Join(f, " ")
	case piimap.TypeGeoCoordinates:
		out := []byte(v)
		seenDot := false
		kept := 0
		for i, c := range out {
			switch {
			case c == '.':
				seenDot, kept = true, 0
			case c >= '0' && c <= '9' && seenDot:
				kept++
				if kept > 1 {
					out[i] = '*'
				}
			case c == ',':
				seenDot = false
			}
		}
		return string(out)
	case piimap.TypeDateOfBirth:
		out := []byte(v)
		for i, c := range out {
			if c >= '0' && c <= '9' && !(i < 2 && len(v) >= 10 && v[4] == '-') {
				out[i] = '*'
			}
		}
		return string(out) // 19**-**-**
	case piimap.TypeCredential:
		if len(v) > 8 && (strings.HasPrefix(v, "AKIA") || strings.HasPrefix(v, "gh") || strings.HasPrefix(v, "sk_") || strings.HasPrefix(v, "xox") || strings.HasPrefix(v, "eyJ")) {
			return v[:4] + "********"
		}
		return "********"
	}
	return stars(v, 1)
}

// stars keeps the first keep bytes (ASCII) and stars a few more.
func stars(v string, keep int) string {
	if len(v) <= keep || v[0] >= 0x80 {
		return "***"
	}
	return v[:keep] + "***"
}

func firstRune(w string) string {
	for _, r := range w {
		return string(r)
	}
	return ""
}

func digitsOf(v string) string {
	b := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			b = append(b, v[i])
		}
	}
	return string(b)
}

func lastDigits(v string, n int) string {
	d := digitsOf(v)
	if len(d) < n {
		return strings.Repeat("*", n)
	}
	return d[len(d)-n:]
}
