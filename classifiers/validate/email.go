package validate

import (
	"errors"
	"strings"
)

// ErrEmail is returned by NormalizeEmail for a string that is not an address.
var ErrEmail = errors.New("not a valid e-mail address")

// fileTLD are "TLDs" that are really file extensions (logo@2x.png).
var fileTLD = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true, "css": true,
	"js": true, "ts": true, "map": true, "ico": true, "bmp": true, "tiff": true, "json": true,
}

// Email reports whether s is an e-mail address: a dot-atom local part of at
// most 64 bytes, '@', and a domain of at most 253 bytes with at least two
// labels (letters, digits, hyphens; no leading/trailing hyphen) whose last
// label is alphabetic, at least two letters, and not a file extension.
func Email(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at > 64 || len(s)-at-1 > 253 {
		return false
	}
	return emailLocal(s[:at]) && emailDomain(s[at+1:])
}

func emailLocal(l string) bool {
	if l[0] == '.' || l[len(l)-1] == '.' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if !EmailLocalByte(c) {
			return false
		}
		if c == '.' && i > 0 && l[i-1] == '.' {
			return false
		}
	}
	return true
}

// EmailLocalByte reports whether c may appear in the local part (the
// common dot-atom subset: letters, digits and ._%+-'=).
func EmailLocalByte(c byte) bool {
	return isLower(c) || isUpper(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'' || c == '='
}

// EmailDomainByte reports whether c may appear in a domain name.
func EmailDomainByte(c byte) bool {
	return isLower(c) || isUpper(c) || isDigit(c) || c == '.' || c == '-'
}

func emailDomain(d string) bool {
	if len(d) < 4 {
		return false
	}
	labels, start := 0, 0
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			if !EmailDomainByte(d[i]) {
				return false
			}
			continue
		}
		lab := d[start:i]
		if lab == "" || len(lab) > 63 || lab[0] == '-' || lab[len(lab)-1] == '-' {
			return false
		}
		labels++
		if i == len(d) { // top-level label
			if len(lab) < 2 || fileTLD[strings.ToLower(lab)] {
				return false
			}
			for j := 0; j < len(lab); j++ {
				if !isLower(lab[j]) && !isUpper(lab[j]) {
					return false
				}
			}
		}
		start = i + 1
	}
	return labels >= 2
}

// NormalizeEmail trims s and lower-cases the domain and the local part
// (mailbox case is not significant at any provider piimap is used with).
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "mailto:")
	if !Email(s) {
		return "", ErrEmail
	}
	return strings.ToLower(s), nil
}
