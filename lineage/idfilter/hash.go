package idfilter

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/dchest/siphash"

	"github.com/piimap/piimap"
)

// Keyed hashing.
//
// A filter key is SipHash-2-4(k, class || value), where the 128-bit k is the
// first half of HMAC-SHA256(installation key, "piimap/idfilter/v1") and
// class is one byte naming how the value was canonicalised (see the class
// constants). SipHash is a PRF designed for short inputs: without the
// installation key a stored filter cannot be tested against guessed emails
// or phones, which is what an HMAC would give, at a tenth of its cost (an
// HMAC-SHA256 per candidate made extraction 3× slower than classification;
// see docs/BENCHMARKS.md). The HMAC step keeps filter keys independent of
// every other use of the installation key, and lineage/fingerprint keys
// its sketches the same way under its own label. The key ID (8 bytes of a
// second derived HMAC) is stored with each filter so that a filter built
// under another installation key is recognised and never trusted.

const hashLabel = "piimap/idfilter/v1"

// Key classes: the canonical forms a key is made of.
const (
	classEmail = 'e' // an email address, lower-cased
	classPhone = 'p' // the digits of a phone-shaped run, 7..15 of them
	classToken = 't' // a distinctive word run, or a prefixed number (u-0001)
)

// Shape limits. Extraction skips longer candidates; the lookup keys of
// longer values are not filterable.
const (
	MaxEmailLen     = 254 // RFC 5321 path limit
	MaxTokenLen     = 128 // one word run, or a prefixed number
	MaxPhoneLen     = 40  // a written phone number, separators included
	MinPhoneDigits  = 7   // shorter digit strings are never phone matches (executor.minPhoneDigits)
	MaxPhoneDigits  = 15  // E.164
	minTokenLen     = 6
	minNumericToken = 10
)

// Hasher computes filter keys under one installation key. It is safe for
// concurrent use.
type Hasher struct {
	k0, k1 uint64
	id     string
}

// NewHasher derives the filter key from the installation key.
func NewHasher(installationKey []byte) (*Hasher, error) {
	if len(installationKey) < 16 {
		return nil, fmt.Errorf("idfilter: installation key too short (%d bytes): %w", len(installationKey), piimap.ErrConfig)
	}
	m := hmac.New(sha256.New, installationKey)
	m.Write([]byte(hashLabel))
	sum := m.Sum(nil)
	m.Reset()
	m.Write([]byte(hashLabel + "/key-id"))
	id := hex.EncodeToString(m.Sum(nil)[:8])
	return &Hasher{k0: binary.LittleEndian.Uint64(sum[:8]), k1: binary.LittleEndian.Uint64(sum[8:16]), id: id}, nil
}

// KeyID identifies the installation key the hasher was made with.
func (h *Hasher) KeyID() string { return h.id }

func (h *Hasher) key1(class byte, v string) uint64 {
	buf := make([]byte, 0, 1+len(v))
	return h.sum(append(append(buf, class), v...))
}

// sum is SipHash-2-4 of b (Aumasson & Bernstein, 2012), by
// github.com/dchest/siphash.
func (h *Hasher) sum(b []byte) uint64 { return siphash.Hash(h.k0, h.k1, b) }

// Lookup keys. Each returns the key under which the filter holds a value
// if the value occurs in the unit the way the executor matches it, and false
// when the value's shape is one extraction does not guarantee to capture
// (the caller must then not rule the location out). The executor picks the
// function from its match semantics (executor/idfilter.go).

// EmailKey is the key of an email matched as a whole token in text, or
// compared case-insensitively with a whole cell: ASCII only, one @, a local
// part of letters, digits and ._%+-, a domain of letters, digits, -_%+ and
// dots.
func (h *Hasher) EmailKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if !emailShaped(v) {
		return 0, false
	}
	return h.key1(classEmail, asciiLower(v)), true
}

// CellEmailKey is the key of a value compared exactly or case-insensitively
// with a whole trimmed cell, when it holds an @ (a key or reference value
// that is an email).
func (h *Hasher) CellEmailKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "@") || len(v) > MaxEmailLen {
		return 0, false
	}
	return h.key1(classEmail, strings.ToLower(v)), true
}

// PhoneKey is the key of a phone number matched literally as a token in
// text or a cell, or by its digits against a whole cell: digits, spaces and
// + - ( ) only, 7 to 15 digits.
func (h *Hasher) PhoneKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	if len(v) > MaxPhoneLen {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if !isPhone(v[i]) {
			return 0, false
		}
	}
	return h.DigitsKey(v)
}

// DigitsKey is the key of a value compared by its digits with a whole cell
// (phones) or exactly with it: the value's digits, 7 to 15 of them.
func (h *Hasher) DigitsKey(v string) (uint64, bool) {
	d := digitsOf(v)
	if len(d) < MinPhoneDigits || len(d) > MaxPhoneDigits {
		return 0, false
	}
	return h.key1(classPhone, d), true
}

// TokenKey is the key of a value matched exactly as a whole token (word
// boundaries on both sides) in text, or compared exactly with a whole cell:
// its longest distinctive word run, or, when no run is distinctive, its
// first prefixed number (a letters-only run, dashes, a digits-only run:
// "u-0001"). Any literal occurrence of the value has each of its word runs
// as a whole word run of the text, so extraction, which keeps every
// distinctive word run and every prefixed number, holds that key.
func (h *Hasher) TokenKey(v string) (uint64, bool) {
	v = strings.TrimSpace(v)
	best := ""
	var runs []span
	for i := 0; i < len(v); {
		if !isWord(v[i]) {
			i++
			continue
		}
		j := i
		for j < len(v) && isWord(v[j]) {
			j++
		}
		r := v[i:j]
		if len(r) <= MaxTokenLen && distinctive(r) && len(r) > len(best) {
			best = r
		}
		runs = append(runs, span{i, j})
		i = j
	}
	if best != "" {
		return h.key1(classToken, best), true
	}
	for n := 1; n < len(runs); n++ {
		a, b := runs[n-1], runs[n]
		pair := v[a.start:b.end]
		if allDashes(v[a.end:b.start]) && allOf(v[a.start:a.end], bLetter) && allOf(v[b.start:b.end], bDigit) &&
			len(pair) >= minTokenLen && len(pair) <= MaxTokenLen {
			return h.key1(classToken, pair), true
		}
	}
	return 0, false
}

func allOf(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if byteClass[s[i]]&class == 0 {
			return false
		}
	}
	return s != ""
}

type span struct{ start, end int }

// distinctive mirrors executor.distinctiveTokens: at least 6 bytes mixing
// ASCII letters and digits, or at least 10 bytes all digits.
func distinctive(s string) bool {
	if len(s) < minTokenLen {
		return false
	}
	var letters, digits int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		}
	}
	return letters > 0 && digits > 0 || digits >= minNumericToken && digits == len(s)
}

func emailShaped(v string) bool {
	at := strings.IndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || len(v) > MaxEmailLen || strings.IndexByte(v[at+1:], '@') >= 0 {
		return false
	}
	for i := 0; i < at; i++ {
		if !isEmailLocal(v[i]) {
			return false
		}
	}
	for i := at + 1; i < len(v); i++ {
		if c := v[i]; c != '.' && !isEmailDomain(c) {
			return false
		}
	}
	return true
}

func digitsOf(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func allDashes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '-' {
			return false
		}
	}
	return s != ""
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Byte classes, mirroring executor/match.go: word bytes bound whole tokens,
// email local and domain bytes bound whole emails.
const (
	bWord = 1 << iota
	bDigit
	bEmailLocal
	bEmailDomain
	bPhone
	bLetter
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
		if alnum || b == '_' {
			t[c] |= bWord
		}
		if b >= '0' && b <= '9' {
			t[c] |= bDigit | bPhone
		}
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' {
			t[c] |= bLetter
		}
		if alnum || strings.IndexByte("._%+-", b) >= 0 {
			t[c] |= bEmailLocal
		}
		if alnum || strings.IndexByte("-_%+", b) >= 0 {
			t[c] |= bEmailDomain
		}
		if strings.IndexByte(" +-()", b) >= 0 {
			t[c] |= bPhone
		}
	}
	return t
}()

func isWord(c byte) bool        { return byteClass[c]&bWord != 0 }
func isEmailLocal(c byte) bool  { return byteClass[c]&bEmailLocal != 0 }
func isEmailDomain(c byte) bool { return byteClass[c]&bEmailDomain != 0 }
func isPhone(c byte) bool       { return byteClass[c]&bPhone != 0 }
