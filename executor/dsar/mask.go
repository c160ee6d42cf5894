package dsar

import "strings"

// MaskDisplay renders an identifier for humans without revealing it:
// emails as a***@e***.com, other values as their first and last character
// around asterisks (short values fully starred).
func MaskDisplay(v string) string {
	if at := strings.LastIndexByte(v, '@'); at > 0 {
		local, domain := v[:at], v[at+1:]
		tld := ""
		if dot := strings.LastIndexByte(domain, '.'); dot > 0 {
			tld, domain = domain[dot:], domain[:dot]
		}
		return firstRune(local) + "***@" + firstRune(domain) + "***" + tld
	}
	r := []rune(v)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[0]) + "***" + string(r[len(r)-1])
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}
