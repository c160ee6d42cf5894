package driver

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Lengths of MaskToken's output: "tok_" + 16 hex, plus "@redacted.invalid"
// when the value is an email.
const (
	MaskTokenLen      = 20
	MaskEmailTokenLen = 37
)

// MaskToken is the deterministic masking token of a value under key:
// "tok_" and 16 hex digits of HMAC-SHA256. Emails keep their shape
// ("tok_…@redacted.invalid") so format checks downstream still pass.
func MaskToken(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	tok := "tok_" + hex.EncodeToString(m.Sum(nil))[:16]
	if strings.Contains(value, "@") {
		return tok + "@redacted.invalid"
	}
	return tok
}
