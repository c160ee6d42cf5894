package validate

import "strings"

// tokenPrefix are well-known secret-token shapes: a fixed prefix, the body
// alphabet and the minimum and maximum body length.
var tokenPrefix = []struct {
	prefix   string
	min, max int
	upperNum bool // body is [A-Z0-9] only
}{
	{"AKIA", 16, 16, true}, {"ASIA", 16, 16, true}, // AWS access key ids
	{"ghp_", 36, 36, false}, {"gho_", 36, 36, false}, {"ghu_", 36, 36, false}, {"ghs_", 36, 36, false}, {"ghr_", 36, 36, false},
	{"github_pat_", 60, 90, false},
	{"glpat-", 20, 20, false},
	{"sk_live_", 20, 99, false}, {"sk_test_", 20, 99, false}, {"rk_live_", 20, 99, false}, {"pk_live_", 20, 99, false},
	{"xoxb-", 20, 200, false}, {"xoxp-", 20, 200, false}, {"xoxa-", 20, 200, false}, {"xoxs-", 20, 200, false},
	{"AIza", 35, 35, false},
	{"npm_", 36, 36, false},
	{"SG.", 60, 70, false},
}

func tokenBodyByte(c byte, upperNum bool) bool {
	if upperNum {
		return isUpper(c) || isDigit(c)
	}
	return isUpper(c) || isLower(c) || isDigit(c) || c == '_' || c == '-' || c == '.'
}

// TokenPrefixByte reports whether c can start a known token shape; the text
// scanner uses it to skip words cheaply.
func TokenPrefixByte(c byte) bool {
	switch c {
	case 'A', 'g', 's', 'r', 'p', 'x', 'n', 'S', 'e':
		return true
	}
	return false
}

// TokenShape reports whether s is a well-known secret token: AWS access key
// id, GitHub/GitLab/npm/Slack/Stripe/SendGrid/Google API tokens, a JWT, or a
// PEM private-key header.
func TokenShape(s string) bool {
	if len(s) < 19 || len(s) > 1024 {
		return false
	}
	for _, p := range tokenPrefix {
		if !strings.HasPrefix(s, p.prefix) {
			continue
		}
		body := s[len(p.prefix):]
		if len(body) < p.min || len(body) > p.max {
			continue
		}
		ok, digits := true, 0
		for i := 0; i < len(body); i++ {
			if !tokenBodyByte(body[i], p.upperNum) {
				ok = false
				break
			}
			if isDigit(body[i]) {
				digits++
			}
		}
		if ok && (digits > 0 || p.upperNum) {
			return true
		}
	}
	return JWT(s) || strings.HasPrefix(s, "-----BEGIN") && strings.Contains(s[:min(len(s), 60)], "PRIVATE KEY")
}

// JWT reports whether s is a JSON Web Token: three base64url segments, the
// first two starting with eyJ (a JSON object).
func JWT(s string) bool {
	if len(s) < 30 || !strings.HasPrefix(s, "eyJ") {
		return false
	}
	dots := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			dots++
			if dots == 1 && !strings.HasPrefix(s[i+1:], "eyJ") {
				return false
			}
		case isUpper(c) || isLower(c) || isDigit(c) || c == '_' || c == '-':
		default:
			return false
		}
	}
	return dots == 2 && s[len(s)-1] != '.'
}

// Secret reports whether s can be a stored secret value (password, key,
// password hash): 6–512 bytes, no whitespace, not one repeated character,
// not a placeholder such as "changeme", "null" or "********".
func Secret(s string) bool {
	if len(s) < 6 || len(s) > 512 {
		return false
	}
	same := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == 0x7f {
			return false
		}
		if c != s[0] {
			same = false
		}
	}
	if same {
		return false
	}
	switch strings.ToLower(s) {
	case "changeme", "password", "redacted", "[redacted]", "<redacted>", "null", "none", "undefined", "secret", "xxxxxx":
		return false
	}
	return true
}

// Credential is the field-level check: a known token shape, or a secret
// value (the rule requires a password/secret/token column hint for those).
func Credential(s string) bool { return TokenShape(s) || Secret(s) }
